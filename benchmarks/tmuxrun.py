"""Run a TUI in a real terminal (tmux) and time it to the first frame that shows a marker.

Spawn → marker is measured from just before ``tmux new-session`` to the first
``capture-pane`` that contains the marker (polled every few ms). A keeper session
holds the tmux server up for the whole benchmark (``TmuxServer``) so no run pays
for starting the server. Memory: the app's peak resident set (``VmHWM`` from
/proc) read the moment the marker is seen — the peak *at that frame* — and the
peak over the whole run until it quit (GNU time ``%M``).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

POLL = 0.003  # seconds between screen captures


@dataclass(frozen=True)
class FrameTiming:
    seconds: float  # from spawning the command to the marker on screen
    frame_kib: int  # peak resident memory when the marker was first seen (VmHWM)
    frame_cpu: float  # CPU seconds the app had used when the marker was seen (all threads)
    peak_kib: int  # peak resident memory over the whole run (GNU time %M)


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


class TmuxServer:
    """Keeps one tmux server running while benchmarks start and stop sessions."""

    def __init__(self) -> None:
        self.session = f"tn-bench-keeper-{os.getpid()}"

    def __enter__(self) -> TmuxServer:
        subprocess.run(["tmux", "new-session", "-d", "-s", self.session, "sleep 86400"],
                       check=True)
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        _tmux("kill-session", "-t", self.session)


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids += [int(k) for k in task.read_text().split()]
        except OSError:
            pass
    return kids


def _app_pid(root: int) -> int | None:
    """The python process under the pane (the pane runs /usr/bin/time, which runs it)."""
    todo, found = [root], None
    while todo:
        pid = todo.pop()
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if comm.startswith("python"):
            found = pid
        todo += _children(pid)
    return found


def _hwm_kib(pid: int | None) -> int:
    if pid is None:
        return 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int | None) -> float:
    """CPU time of a process so far, all threads (schedstat: nanoseconds on a CPU)."""
    if pid is None:
        return 0.0
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9


def time_to_marker(command: list[str], marker: str, *, size: tuple[int, int] = (120, 40),
                   timeout: float = 30.0, env: dict[str, str] | None = None,
                   unset: tuple[str, ...] = (),
                   quit_keys: tuple[str, ...] = ("q",)) -> FrameTiming:
    """Start command in a fresh tmux session; poll the pane until marker shows; then quit."""
    session = f"tn-bench-{os.getpid()}-{time.monotonic_ns()}"
    with tempfile.TemporaryDirectory() as tmp:
        mem = Path(tmp) / "mem"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        unsets = " ".join(f"-u {k}" for k in unset)
        inner = (f"exec env {unsets} {exports} /usr/bin/time -f %M -o {mem} "
                 f"{shlex.join(command)}")
        started = time.perf_counter()
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(size[0]),
                        "-y", str(size[1]), inner], check=True)
        try:
            pane_pid = int(_tmux("list-panes", "-t", session, "-F", "#{pane_pid}").split()[0])
            app = None
            while True:
                screen = _tmux("capture-pane", "-p", "-t", session)
                if marker in screen:
                    elapsed = time.perf_counter() - started
                    app = app or _app_pid(pane_pid)
                    frame_kib = _hwm_kib(app)
                    frame_cpu = _cpu_seconds(app)
                    break
                if time.perf_counter() - started > timeout:
                    raise TimeoutError(f"{marker!r} not on screen after {timeout} s:\n{screen}")
                if app is None:
                    app = _app_pid(pane_pid)
                time.sleep(POLL)
            for key in quit_keys:
                _tmux("send-keys", "-t", session, key)
            deadline = time.perf_counter() + 15
            while not mem.exists() or not mem.read_text().strip():
                if time.perf_counter() > deadline:
                    raise TimeoutError("the program did not quit")
                time.sleep(0.02)
            peak = int(mem.read_text().split()[-1])
        finally:
            _tmux("kill-session", "-t", session)
    return FrameTiming(elapsed, frame_kib, frame_cpu, peak)
