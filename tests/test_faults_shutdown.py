"""Quits and signals end termnews in order, on the real thing: processes in a pty.

A quit (``q``) during a refresh of 400 loopback feeds once crashed the TUI (exit 139:
the connection was closed while the writer thread was inside a transaction). Now the
refresh is cancelled, the writer finishes or rolls back, the parse workers are
stopped, and only then are the files closed. SIGTERM, SIGHUP and SIGINT end the TUI
the same way and give the terminal back (main screen, mouse reporting off, cursor
shown); SIGTERM to ``termnews refresh`` ends its parse workers too.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import random
import re
import select
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from feedserver import FeedServer, make_rss
from hostile_support import integrity, run_cli

QUITS = 30
FEEDS = 400
SEED = 20261203
STORING = rb"refreshing [1-9][0-9]*/400"  # the status once the first feeds are stored


# --- processes and terminals -----------------------------------------------------------------


def session_members(sid: int) -> list[int]:
    """Live (not zombie) processes of a session: a command started with its own session
    keeps every process it starts in it (its parse workers included)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(entry))
    return found


def children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids += [int(k) for k in task.read_text().split()]
        except OSError:
            pass
    return kids


def assert_no_process_left(proc: subprocess.Popen[bytes], within: float = 2.0) -> None:
    deadline = time.monotonic() + within
    while (left := session_members(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in left:  # clean up before failing
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not left, f"termnews processes left {within} s after the end: {left}"


@dataclass
class Tui:
    """The TUI in a pseudo-terminal of 120×40 (stdin, stdout and stderr: Textual draws on
    stderr, and a fault handler would write there too); ``screen`` is every byte written."""

    proc: subprocess.Popen[bytes]
    master: int
    screen: bytes = b""

    def pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.05))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the other side is gone
                    return
                if not chunk:
                    return
                self.screen += chunk

    def wait_for(self, needle: bytes, timeout: float = 60) -> None:
        """Until the app writes ``needle`` (a regular expression)."""
        start = len(self.screen)
        end = time.monotonic() + timeout
        while not re.search(needle, self.screen[max(0, start - 64):]):
            assert time.monotonic() < end, f"{needle!r} never shown; output: {self.errors()}"
            assert self.proc.poll() is None, f"exited early: {self.errors()}"
            self.pump(0.05)

    def wait_exit(self, timeout: float = 30) -> int:
        end = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < end:
            self.pump(0.05)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"still running {timeout} s after the quit; stderr: {self.errors()}")
        self.pump(0.2)  # what it wrote last
        return self.proc.returncode

    def errors(self) -> str:
        """The end of the output, where a traceback or a fault handler's dump would be."""
        return self.screen[-3000:].decode(errors="replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        try:
            os.close(self.master)
        except OSError:
            pass


def start_tui(data: Path, *args: str) -> Tui:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERMNEWS_DATA_DIR": str(data), "TERMNEWS_PROFILE": "alice",
           "TERM": "xterm-256color", "PYTHONFAULTHANDLER": "1", "COLUMNS": "120",
           "LINES": "40"}
    env.pop("TEXTUAL_ANIMATIONS", None)
    proc = subprocess.Popen([sys.executable, "-m", "termnews", *args], stdin=slave,
                            stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    return Tui(proc, master)


def terminal_problems(screen: bytes) -> list[str]:
    """What the TUI left switched on at the end: each mode set must be reset after the
    last time it was set."""
    problems = []
    for name, on, off in (
        ("alternate screen", b"\x1b[?1049h", b"\x1b[?1049l"),
        ("hidden cursor", b"\x1b[?25l", b"\x1b[?25h"),
        ("mouse reporting (1000)", b"\x1b[?1000h", b"\x1b[?1000l"),
        ("mouse reporting (1003)", b"\x1b[?1003h", b"\x1b[?1003l"),
        ("mouse reporting (1006)", b"\x1b[?1006h", b"\x1b[?1006l"),
        ("bracketed paste", b"\x1b[?2004h", b"\x1b[?2004l"),
    ):
        last_on = screen.rfind(on)
        if last_on >= 0 and screen.rfind(off) < last_on:
            problems.append(name)
    if b"\x1b[?1049h" not in screen:
        problems.append("the app never drew (no alternate screen)")
    return problems


# --- a data folder with 400 loopback feeds ---------------------------------------------------


@pytest.fixture(scope="module")
def busy_feeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data folder (state.db and config.toml only) subscribed to 400 loopback feeds of 30
    items: a start-up refresh of it keeps the writer busy for seconds."""
    server = FeedServer().start()
    try:
        urls = [server.add(f"/busy/{n}.xml", make_rss(n, 30)) for n in range(FEEDS)]
        template = tmp_path_factory.mktemp("busy") / "data"
        added = run_cli(["--profile", "alice", "feeds", "add", "--no-check", *urls], template)
        assert added.returncode == 0, added.stderr
        (template / "config.toml").write_text(
            "[refresh]\nconcurrency = 32\nper_host = 16\ntimeout = 20.0\n", encoding="utf-8")
        for name in ("cache.db", "cache.db-wal", "cache.db-shm"):
            (template / name).unlink(missing_ok=True)
        shutil.rmtree(template / "backups", ignore_errors=True)
        yield template
    finally:
        server.stop()


def fresh_copy(template: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    for name in ("state.db", "config.toml"):
        shutil.copy(template / name, target / name)
    return target


# --- quits -------------------------------------------------------------------------------------


def test_thirty_quits_during_a_refresh_all_exit_0(busy_feeds: Path, tmp_path: Path) -> None:
    """q at a random moment of the start-up refresh of 400 feeds, 30 times (two at a time),
    once feeds are being stored (the writer thread busy): every run exits 0, promptly,
    with the terminal given back and no process left."""
    rng = random.Random(SEED)
    waits = [rng.uniform(0.0, 1.2) for _ in range(QUITS)]

    def one(n: int) -> tuple[int, int, float, str]:
        data = fresh_copy(busy_feeds, tmp_path / f"q{n}")
        tui = start_tui(data)
        try:
            tui.wait_for(STORING)
            tui.pump(waits[n])
            tui.proc.poll()
            running = tui.proc.returncode is None
            quit_at = time.monotonic()
            os.write(tui.master, b"q")
            code = tui.wait_exit(timeout=30)
            took = time.monotonic() - quit_at
            assert running
            problems = terminal_problems(tui.screen)
            assert not problems, f"quit {n}: left on: {problems}"
            assert_no_process_left(tui.proc)
            return n, code, took, tui.errors()
        finally:
            tui.close()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(one, range(QUITS)))
    crashed = [(n, code, err[-1500:]) for n, code, _, err in results if code != 0]
    assert not crashed, f"{len(crashed)} of {QUITS} quits failed: {crashed[:2]}"
    slowest = max(took for _, _, took, _ in results)
    assert slowest < 20, f"a quit took {slowest:.1f} s"
    for n in (0, QUITS - 1):  # the files are whole after a quit mid-refresh
        for name in ("cache.db", "state.db"):
            assert integrity(tmp_path / f"q{n}" / name) == "ok"


@pytest.mark.parametrize("sig,status", [(signal.SIGTERM, 143), (signal.SIGHUP, 129),
                                        (signal.SIGINT, 130)])
def test_a_signal_during_a_refresh_ends_the_tui_in_order(
        busy_feeds: Path, tmp_path: Path, sig: signal.Signals, status: int) -> None:
    data = fresh_copy(busy_feeds, tmp_path / "data")
    tui = start_tui(data)
    try:
        tui.wait_for(b"refreshing")
        os.write(tui.master, b"j")  # another section: saved as the place to come back to
        tui.pump(0.8)
        end = time.monotonic() + 30  # the parse workers start once the first feeds arrived
        while not (workers := children(tui.proc.pid)) and time.monotonic() < end:
            tui.pump(0.05)
        assert tui.proc.poll() is None
        tui.proc.send_signal(sig)
        code = tui.wait_exit(timeout=30)
        assert code == status, tui.errors()
        assert b"Traceback" not in tui.screen and b"Fatal Python" not in tui.screen
        problems = terminal_problems(tui.screen)
        assert not problems, f"left on after {sig.name}: {problems}"
        assert workers, "the refresh had no parse workers to stop"
        assert_no_process_left(tui.proc)
    finally:
        tui.close()
    for name in ("cache.db", "state.db"):
        assert integrity(data / name) == "ok"
    conn = sqlite3.connect(data / "state.db")
    try:
        saved = conn.execute("SELECT value FROM prefs WHERE name = 'section'").fetchall()
    finally:
        conn.close()
    assert saved, "the section moved to was not saved"


def test_sighup_after_the_terminal_is_gone(busy_feeds: Path, tmp_path: Path) -> None:
    """A closed SSH session: the terminal is gone, then SIGHUP. Writes to it fail; the TUI
    still ends in order, promptly, leaving no process behind."""
    data = fresh_copy(busy_feeds, tmp_path / "data")
    tui = start_tui(data)
    try:
        tui.wait_for(b"refreshing")
        os.close(tui.master)
        tui.proc.send_signal(signal.SIGHUP)
        try:
            code = tui.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("the TUI did not end after SIGHUP on a closed terminal")
        assert code == 129, tui.errors()
        assert_no_process_left(tui.proc)
    finally:
        tui.close()
    for name in ("cache.db", "state.db"):
        assert integrity(data / name) == "ok"


def test_a_signal_ends_the_tui_when_its_terminal_stopped_reading(
    busy_feeds: Path, tmp_path: Path
) -> None:
    """A frozen SSH connection: nothing reads the terminal any more, so Textual's output
    queue fills and its event loop blocks on it. SIGTERM still ends the process, with 143,
    leaving no process behind and both databases whole."""
    data = fresh_copy(busy_feeds, tmp_path / "data")
    tui = start_tui(data)
    try:
        tui.wait_for(b"refreshing")
        # Stop reading: the pty's buffer fills with progress frames, then Textual's queue.
        end = time.monotonic() + 30
        while time.monotonic() < end and not _output_blocked(tui.proc.pid):
            time.sleep(0.2)
        assert _output_blocked(tui.proc.pid), "the app never blocked on its terminal"
        tui.proc.send_signal(signal.SIGTERM)
        try:
            code = tui.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail("SIGTERM did not end a TUI whose terminal stopped reading")
        assert code == 143
        assert_no_process_left(tui.proc)
    finally:
        tui.close()
    for name in ("cache.db", "state.db"):
        assert integrity(data / name) == "ok"


_WRITE = {"x86_64": 1, "aarch64": 64}.get(os.uname().machine, 1)  # the write syscall's number


def _output_blocked(pid: int) -> bool:
    """Whether a thread of the process sleeps in a write to its terminal (stdout or stderr:
    the pty's buffer is full), the state in which Textual's output queue fills next."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            call = (task / "syscall").read_text().split()
        except OSError:
            continue
        if len(call) > 1 and call[0] == str(_WRITE) and int(call[1], 16) in (1, 2):
            return True
    return False


# --- termnews refresh ---------------------------------------------------------------------------


@pytest.fixture
def big_feeds(feed_server: FeedServer, tmp_path: Path) -> Path:
    """60 feeds of 150 items: parsing them takes both parse workers for seconds."""
    urls = [feed_server.add(f"/big/{n}.xml", make_rss(n, 150)) for n in range(60)]
    data = tmp_path / "data"
    added = run_cli(["--profile", "alice", "feeds", "add", "--no-check", *urls], data)
    assert added.returncode == 0, added.stderr
    return data


def start_refresh(data: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TERMNEWS_DATA_DIR": str(data), "PYTHONFAULTHANDLER": "1"}
    return subprocess.Popen([sys.executable, "-m", "termnews", "--profile", "alice", "refresh"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, what
        time.sleep(0.02)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_refresh_leaves_no_process(big_feeds: Path, sig: signal.Signals) -> None:
    """SIGTERM: the refresh stops its parse workers, rolls back, exits 143 with one line.
    SIGKILL cannot be caught: the workers die with their parent all the same."""
    proc = start_refresh(big_feeds)
    try:
        wait_until(lambda: len(children(proc.pid)) >= 2 or proc.poll() is not None, 60,
                   "the parse workers never started")
        assert proc.poll() is None, "the refresh ended before the signal"
        time.sleep(0.3)  # parsing and writing under way
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if sig == signal.SIGTERM:
        assert proc.returncode == 143, err.decode()
        assert err.decode() == "termnews: stopped by SIGTERM\n"
        assert out == b""
    else:
        assert proc.returncode == -signal.SIGKILL
    assert_no_process_left(proc)  # type: ignore[arg-type]
    for name in ("cache.db", "state.db"):
        assert integrity(big_feeds / name) == "ok"
    again = run_cli(["--profile", "alice", "refresh"], big_feeds)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("refreshed 60 feeds: 60 ok, 0 failed")


# --- the ordering itself, deterministically ------------------------------------------------------


async def test_a_cancelled_refresh_closes_its_connection_only_after_its_writer(
        monkeypatch: pytest.MonkeyPatch, feed_server: FeedServer, tmp_path: Path) -> None:
    """The crash behind the quits above, made certain: each feed's store is slowed down so
    the writer thread is surely inside its transaction when the refresh is cancelled
    (twice, as Textual does on quit). The refresh's connection must be closed only after
    that thread has finished or rolled back — closing it under the thread crashed."""
    import threading

    from termnews import refresh
    from termnews.config import Config
    from termnews.library import Library
    from termnews.paths import resolve_paths

    inside = [0]
    writing = threading.Event()
    real_store, real_connect = refresh._store, refresh.connect

    def slow_store(conn: object, outcome: object) -> int:
        inside[0] += 1
        writing.set()
        try:
            time.sleep(0.2)
            return real_store(conn, outcome)  # type: ignore[arg-type]
        finally:
            inside[0] -= 1

    closes: list[int] = []  # how many stores were under way at each close

    class Watched:
        """The refresh's own connection, with its close watched."""

        def __init__(self, conn: sqlite3.Connection) -> None:
            self._conn = conn

        def __getattr__(self, name: str) -> object:
            return getattr(self._conn, name)

        def close(self) -> None:
            closes.append(inside[0])
            self._conn.close()

    monkeypatch.setattr(refresh, "_store", slow_store)
    monkeypatch.setattr(refresh, "connect", lambda *a, **k: Watched(real_connect(*a, **k)))
    urls = [feed_server.add(f"/w/{n}.xml", make_rss(n, 20)) for n in range(40)]
    lib = Library(resolve_paths(tmp_path / "d"), Config(), "alice")
    lib.start(starter=False)
    lib.add_feeds(urls)
    task = asyncio.create_task(lib.refresh())
    while not writing.is_set() or not inside[0]:  # a store under way: 0.2 s to go
        assert not task.done(), "the refresh ended before it wrote"
        await asyncio.sleep(0.001)
    task.cancel()  # the app's workers are cancelled as it ends …
    await asyncio.sleep(0.05)
    task.cancel()  # … and again as its screens go
    with pytest.raises(asyncio.CancelledError):
        await task
    lib.close()
    assert closes == [0], f"the connection was closed with {closes} stores under way"
    assert inside[0] == 0
    for name in ("cache.db", "state.db"):
        assert integrity(tmp_path / "d" / name) == "ok"
