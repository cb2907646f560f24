"""Resource bounds and unusable data directories.

- A read-only data dir, a data dir that is a file and a full disk give one clear error
  line and exit status 1 from the CLI, never a traceback.
- Issue 7's acceptance: one ``termnews refresh`` of the whole hostile set (bombs,
  trickles, redirects, errors, huge feeds, escapes, markup …) ends within 60 s with
  peak memory under 400 MB; every bad feed has a clear error in ``feeds list --json``;
  the good ones are stored clean.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedserver import ATOM_TYPE, RSS_TYPE, FeedServer, make_rss
from hostile_support import FIXTURES, db_text_problems, integrity, run_cli, write_config
from termnews.paths import resolve_paths

MB = 1024 * 1024


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("termnews: "), lines[0]
    low = lines[0].lower()
    assert any(w in low for w in words), lines[0]


# --- unusable data directories -----------------------------------------------------------


@pytest.mark.parametrize("command", [["feeds", "list"], ["articles"], ["refresh"],
                                     ["mark", "read", "1"]])
def test_data_dir_that_is_a_file(tmp_path: Path, command: list[str]) -> None:
    target = tmp_path / "not-a-dir"
    target.write_text("I am a file, not a folder\n")
    result = run_cli(command, target)
    assert_one_clear_line(result, "data dir", "not a directory", "cannot", str(target).lower())
    assert target.read_text() == "I am a file, not a folder\n"  # nothing clobbered


def test_data_dir_below_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli(["feeds", "list"], blocker / "data")
    assert_one_clear_line(result, "not a directory", "cannot", "data dir")


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory nobody may write to — even root, thanks to the immutable flag."""
    d = tmp_path / "ro"
    d.mkdir()
    if os.geteuid() != 0:
        d.chmod(0o555)
        yield d
        d.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(d)],
                                        capture_output=True).returncode != 0:
        pytest.skip("running as root where chattr +i is unavailable: cannot make a "
                    "read-only directory")
    try:
        yield d
    finally:
        subprocess.run([chattr, "-i", str(d)], check=True)


def test_read_only_empty_data_dir(read_only_dir: Path) -> None:
    for command in (["feeds", "list"], ["articles"]):
        result = run_cli(command, read_only_dir)
        assert_one_clear_line(result, "read-only", "permission", "cannot", "readonly")


def test_read_only_existing_data_dir(tmp_path: Path, feed_server: FeedServer) -> None:
    """Databases that exist but may not be written (a full or read-only mount)."""
    data = tmp_path / "data"
    url = feed_server.add("/ro.xml", make_rss(1, 3))
    assert run_cli(["--profile", "p", "feeds", "add", "--no-check", url], data).returncode == 0
    assert run_cli(["--profile", "p", "refresh"], data).returncode == 0
    files = sorted(p for p in data.rglob("*") if p.is_file())
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(data), *map(str, files)],
                                            capture_output=True).returncode != 0:
            pytest.skip("running as root where chattr +i is unavailable")
        undo = [chattr, "-i", str(data), *map(str, files)]
    else:
        for f in files:
            f.chmod(0o444)
        data.chmod(0o555)
        undo = []
    try:
        for command in (["--profile", "p", "refresh"], ["--profile", "p", "mark", "read", "1"]):
            result = run_cli(command, data)
            assert_one_clear_line(result, "read-only", "readonly", "permission", "cannot")
    finally:
        if undo:
            subprocess.run(undo, check=True)
        else:
            data.chmod(0o755)
            for f in files:
                f.chmod(0o644)


def _limit_file_size(limit: int) -> None:
    # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG: SQLite reports
    # "database or disk is full" exactly as on a full disk.
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_disk_full_during_refresh(tmp_path: Path, feed_server: FeedServer) -> None:
    data = tmp_path / "data"
    urls = [feed_server.add(f"/full/{n}.xml", make_rss(n, 200)) for n in range(5)]
    assert run_cli(["--profile", "p", "feeds", "add", "--no-check", *urls], data).returncode == 0
    write_config(resolve_paths(data))
    env = {**os.environ, "TERMNEWS_DATA_DIR": str(data)}
    result = subprocess.run(
        [sys.executable, "-m", "termnews", "--data-dir", str(data), "--profile", "p", "refresh"],
        capture_output=True, text=True, timeout=120, env=env,
        preexec_fn=lambda: _limit_file_size(256 * 1024),
    )
    assert_one_clear_line(result, "full", "disk", "space", "cannot write")
    paths = resolve_paths(data)
    for db in (paths.cache_db, paths.state_db):
        assert integrity(db) == "ok"
    # Space again: the next refresh completes.
    again = run_cli(["--profile", "p", "refresh"], data)
    assert again.returncode == 0, again.stderr


# --- issue 7 acceptance: the hostile set in one refresh ------------------------------------

BAD = "bad"
GOOD = "good"


def _quadratic(entity_kb: int, refs: int) -> bytes:
    """A feed whose one internal entity would expand to entity_kb × refs KB."""
    value = "B" * (entity_kb * 1024)
    uses = "&big;" * refs
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY big "{value}">]>\n'
            f'<rss version="2.0"><channel><title>Huge entity</title>'
            f"<link>https://q.example/</link><item><title>{uses}</title>"
            f"<guid>q1</guid><description>{uses}</description></item></channel></rss>"
            ).encode()


def _hostile_set(server: FeedServer) -> dict[str, tuple[str, str]]:
    """name -> (url, good|bad)."""
    fx = {p.name: p.read_bytes() for p in FIXTURES.iterdir() if p.is_file()}
    s: dict[str, tuple[str, str]] = {
        "escapes": (server.add("/h/escapes.rss", fx["escapes.rss"]), GOOD),
        "markup": (server.add("/h/markup.atom", fx["markup.atom"], ATOM_TYPE), GOOD),
        "laughs": (server.add("/h/laughs.rss", fx["billion_laughs.rss"]), GOOD),
        "quadratic": (server.add("/h/quadratic.rss", fx["quadratic_blowup.rss"]), GOOD),
        # 100 KB × 40,000 uses: 4 GB if expanded.
        "quadratic-4gb": (server.add("/h/quadratic-4gb.rss", _quadratic(100, 40_000)), GOOD),
        "koi8": (server.add("/h/koi8.rss", fx["koi8r_undeclared.rss"]), GOOD),
        "cp1251": (server.add("/h/cp1251.rss", fx["cp1251_declared_utf8.rss"]), GOOD),
        "latin1": (server.add("/h/latin1.rss", fx["latin1_undeclared.rss"]), GOOD),
        "bytes": (server.add("/h/bytes.rss", fx["invalid_utf8.rss"]), GOOD),
        "gzip-bomb": (server.gzip_bomb("/h/bomb.rss", size=256 * MB), BAD),
        "too-big": (server.add("/h/too-big.rss", make_rss(7, 16_000), gzip=False), BAD),
        "trickle": (server.trickle("/h/trickle.rss", interval=0.5), BAD),
        "hang": (server.hang("/h/hang.rss"), BAD),
        "loop": (server.redirect("/h/loop", "/h/loop"), BAD),
        "to-file": (server.redirect("/h/to-file", "file:///etc/passwd"), BAD),
        "to-ftp": (server.redirect("/h/to-ftp", "ftp://127.0.0.1/x"), BAD),
        "404": (server.status("/h/404", 404), BAD),
        "500": (server.status("/h/500", 500), BAD),
        "429": (server.status("/h/429", 429, headers={"Retry-After": "600"}), BAD),
        "html": (server.add("/h/home.html", fx["not_a_feed.html"], "text/html"), BAD),
        "empty": (server.raw("/h/empty.xml", b"", {"Content-Type": RSS_TYPE}), BAD),
        "garbage": (server.raw("/h/garbage.xml", os.urandom(50_000),
                               {"Content-Type": RSS_TYPE}), BAD),
    }
    tiny = "".join(f"<item><title>T{i}</title><guid>t{i}</guid></item>" for i in range(150_000))
    s["many-tiny-items"] = (server.add(  # 150,000 entries in 7 MB: at most 10,000 are kept
        "/h/tiny.rss", f'<rss version="2.0"><channel><title>Tiny</title>{tiny}</channel></rss>'
        .encode()), GOOD)
    for n in range(30):  # large, healthy feeds: 1,000 items each (about 700 KB)
        s[f"large-{n}"] = (server.add(f"/h/large-{n}.xml", make_rss(100 + n, 1000)), GOOD)
    return s


# Runs the refresh and reports the peak RSS of its process tree alone (RUSAGE_CHILDREN of
# the pytest process would include every subprocess any earlier test started).
WRAPPER = ("import resource, subprocess, sys; rc = subprocess.call(sys.argv[2:]); "
           "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN)"
           ".ru_maxrss)); sys.exit(rc)")


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                kids = [int(c) for c in (task / "children").read_text().split()]
                found += kids
                todo += kids
        except OSError:
            continue
    return found


def _tree_peak_kb(root_pid: int, stop: threading.Event, out: dict[int, int]) -> None:
    """Sample VmHWM (each process's own peak) of root_pid's descendants (not the wrapper)."""
    while not stop.is_set():
        for pid in _descendants(root_pid):
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        out[pid] = max(out.get(pid, 0), int(line.split()[1]))
            except (OSError, ValueError):
                pass
        stop.wait(0.05)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_one_refresh_of_the_hostile_set(tmp_path: Path, feed_server: FeedServer) -> None:
    data = tmp_path / "data"
    feeds = _hostile_set(feed_server)
    urls = [u for u, _ in feeds.values()]
    add = run_cli(["--profile", "alice", "feeds", "add", "--no-check", *urls], data)
    assert add.returncode == 0, add.stderr
    # Real limits but small enough to test quickly: a 5 s deadline per feed, 8 MB bodies.
    write_config(resolve_paths(data), timeout=3.0, deadline=5.0, max_bytes=8 * MB,
                 parse_workers=2)
    env = {**os.environ, "TERMNEWS_DATA_DIR": str(data)}
    env.pop("TERMNEWS_PROFILE", None)

    def limits() -> None:
        # A regression must fail this test, not take the machine down with it.
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024 * MB, 3 * 1024 * MB))

    peaks: dict[int, int] = {}
    stop = threading.Event()
    rusage_file = tmp_path / "maxrss"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, str(rusage_file),
         sys.executable, "-m", "termnews", "--data-dir", str(data), "--profile", "alice",
         "refresh"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=limits)
    sampler = threading.Thread(target=_tree_peak_kb, args=(proc.pid, stop, peaks))
    sampler.start()
    try:
        out, err = proc.communicate(timeout=60)  # the acceptance: done within 60 s
    finally:
        stop.set()
        sampler.join()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err

    # Peak memory: the largest single process (rusage) and the sum of every process's own
    # peak (an upper bound on the tree's peak at any one moment) both under 400 MB.
    largest_kb = int(rusage_file.read_text())
    tree_kb = sum(peaks.values())
    assert peaks, "memory sampler saw no process"
    assert tree_kb < 400 * 1024, (f"refresh used up to {tree_kb // 1024} MB across processes: "
                                  f"{ {pid: kb // 1024 for pid, kb in peaks.items()} }")
    assert largest_kb < 400 * 1024, f"one process peaked at {largest_kb // 1024} MB"

    listing = run_cli(["--profile", "alice", "feeds", "list", "--json"], data)
    assert listing.returncode == 0, listing.stderr
    by_url = {f["url"]: f for f in map(json.loads, listing.stdout.splitlines())}
    clear = {"gzip-bomb": "too large", "too-big": "too large", "trickle": "timed out",
             "hang": "timed out", "loop": "redirect", "to-file": "redirect",
             "to-ftp": "redirect", "404": "HTTP 404", "500": "HTTP 500", "429": "HTTP 429",
             "html": "not a feed", "empty": "empty", "garbage": "not a feed"}
    for name, words in clear.items():
        error = by_url[feeds[name][0]]["error"] or ""
        assert words in error, (name, error)
    for name, (url, kind) in feeds.items():
        error = by_url[url]["error"]
        if kind == BAD:
            assert error, f"{name}: a bad feed without an error"
            assert "\n" not in error and len(error) < 200, (name, error)
            assert "Traceback" not in error and "Exception" not in error, (name, error)
        else:
            assert error is None, f"{name}: {error}"
    assert db_text_problems(resolve_paths(data).cache_db) == []
    articles = run_cli(["--profile", "alice", "articles", "--json"], data)
    titles = [json.loads(line)["title"] for line in articles.stdout.splitlines()]
    assert "[@click=app.quit]quit[/]" in titles
    assert len(titles) >= 30 * 1000
    summary_line = out.strip().splitlines()[-1]
    assert "failed" in summary_line, summary_line


def test_bodies_waiting_for_the_parser_are_bounded(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fetching outruns parsing: without backpressure every fetched body (here 30 × 1.6 MB)
    waits in memory at once. With a 4 MB budget the traced peak stays far below that."""
    import asyncio
    import tracemalloc

    import termnews.refresh
    from hostile_support import open_library

    monkeypatch.setattr(termnews.refresh, "BODY_BUDGET", 4 * MB)
    filler = "Harbour notes. " * 1100  # big bodies, few entries: cheap to parse and store
    body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>' + "".join(
        f"<item><title>Big {i}</title><guid>big-{i}</guid><description>{filler}</description>"
        "</item>" for i in range(100)) + "</channel></rss>").encode()
    urls = [feed_server.add(f"/m/{i}.xml", body, gzip=False) for i in range(30)]
    with open_library(tmp_path / "budget", concurrency=4, per_host=4, deadline=60.0,
                      parse_workers=2) as lib:
        lib.add_feeds(urls)
        lib.feed_sources()
        tracemalloc.start()
        try:
            summary = asyncio.run(lib.refresh())
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert summary.feeds_ok == 30
    all_bodies = 30 * len(body)
    assert peak < 0.75 * all_bodies, f"{peak / MB:.0f} MB traced for {all_bodies / MB:.0f} MB"
