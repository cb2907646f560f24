"""A refresh (cron) and the TUI at once, or two TUIs: never "database is locked", no lost mark.

Writers take the write lock up front (BEGIN IMMEDIATE) and wait on the busy
timeout, so concurrent processes queue instead of failing. These tests make the
contention real: a ``termnews refresh`` subprocess writes thousands of articles
while other processes and threads toggle marks as fast as they can.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from feedserver import FeedServer, make_rss
from hostile_support import open_library, run_cli, write_config
from tui_support import settle as settle_app

FEEDS = 30
ITEMS = 80
BIG_ROUND = 400

# A second "TUI": a separate process with its own Library marking a slice of articles.
MARKER_SCRIPT = r"""
import json, random, sys
from termnews.config import Config
from termnews.library import Library
from termnews.paths import resolve_paths

data_dir, ids_json, seed, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ids = json.loads(ids_json)
rng = random.Random(seed)
lib = Library(resolve_paths(data_dir), Config(), "alice")
final = {}
for _ in range(rounds):
    i = rng.choice(ids)
    read, star = rng.random() < 0.5, rng.random() < 0.5
    lib.mark_read([i], read)
    lib.star([i], star)
    final[i] = [read, star]
lib.close()
print(json.dumps(final))
"""


def _setup(tmp_path: Path, server: FeedServer, round_no: int = 0) -> tuple[Path, list[str]]:
    data_dir = tmp_path / "data"
    urls = [server.add(f"/c/{n}.xml", make_rss(n + 1000 * round_no, ITEMS))
            for n in range(FEEDS)]
    add = run_cli(["--profile", "alice", "feeds", "add", "--no-check", *urls], data_dir)
    assert add.returncode == 0, add.stderr
    return data_dir, urls


def _publish(server: FeedServer, round_no: int, items: int = ITEMS,
             delay: float = 0.0) -> None:
    """New items in every feed; with delay, each feed answers that many seconds late.

    With four feeds at a time per host, a delay spreads the refresh's writes over
    FEEDS / 4 × delay seconds, so a test that marks while it runs overlaps it
    however fast the machine is.
    """
    for n in range(FEEDS):
        path = f"/c/{n}.xml"
        server.add(path, make_rss(n + 1000 * round_no, items))
        if delay:
            server.slow(path, delay)


def _refresh(data_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TERMNEWS_DATA_DIR": str(data_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "termnews", "--data-dir", str(data_dir), "--profile", "alice",
         "refresh"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_marks_during_refresh_and_two_tuis(tmp_path: Path, feed_server: FeedServer) -> None:
    data_dir, _ = _setup(tmp_path, feed_server)
    first = run_cli(["--profile", "alice", "refresh"], data_dir)
    assert first.returncode == 0, first.stderr
    lib = open_library(data_dir, profile="alice")
    write_config(lib.paths, deadline=30.0)
    ids = [r.id for r in lib.articles()]
    assert len(ids) == FEEDS * ITEMS
    rng = random.Random(7)
    rng.shuffle(ids)
    # Disjoint slices: each writer owns its articles, so "no lost mark" is exact.
    mine, theirs_a, theirs_b = ids[:600], ids[600:1200], ids[1200:1800]

    errors: list[BaseException] = []
    expected: dict[int, tuple[bool, bool]] = {}
    writes = [0]
    stop = threading.Event()

    def tui_thread() -> None:
        """This process's "TUI": marks in a tight loop through its own Library."""
        local = open_library(data_dir, profile="alice")
        try:
            while not stop.is_set():
                i = rng.choice(mine)
                read, star = rng.random() < 0.5, rng.random() < 0.5
                local.mark_read([i], read)
                local.star([i], star)
                expected[i] = (read, star)
                writes[0] += 1
        except BaseException as exc:
            errors.append(exc)
        finally:
            local.close()

    refreshes: list[subprocess.CompletedProcess[str]] = []
    markers: list[subprocess.Popen[str]] = []
    thread = threading.Thread(target=tui_thread)
    thread.start()
    try:
        for round_no, (slice_, seed) in enumerate(((theirs_a, 1), (theirs_b, 2)), start=1):
            _publish(feed_server, round_no)
            refresh = _refresh(data_dir)
            markers.append(subprocess.Popen(
                [sys.executable, "-c", MARKER_SCRIPT, str(data_dir), json.dumps(slice_),
                 str(seed), "400"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
            out, err = refresh.communicate(timeout=120)
            refreshes.append(subprocess.CompletedProcess(refresh.args, refresh.returncode,
                                                         out, err))
        results = []
        for m in markers:
            out, err = m.communicate(timeout=120)
            assert m.returncode == 0, err
            assert "locked" not in err
            results.append({int(k): tuple(v) for k, v in json.loads(out).items()})
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not errors, errors
    assert writes[0] >= 20, "the marking thread hardly ran while the refreshes wrote"
    for r in refreshes:
        assert r.returncode == 0, r.stderr
        assert "locked" not in r.stderr.lower()

    # Every writer's final word on its own articles is what the database holds.
    check = open_library(data_dir, profile="alice")
    try:
        for owner in (expected, *results):
            for i, (read, star) in owner.items():
                art = check.article(i)
                assert art is not None
                assert (art.read, art.starred) == (read, star), f"mark lost on article {i}"
        assert check.count() == FEEDS * ITEMS * 3  # both refreshes stored their new items
    finally:
        check.close()
        lib.close()


def test_two_libraries_in_one_process_write_at_once(tmp_path: Path,
                                                     feed_server: FeedServer) -> None:
    """Two TUIs' worth of Library objects, several threads each, all writing marks."""
    data_dir, _ = _setup(tmp_path, feed_server)
    assert run_cli(["--profile", "alice", "refresh"], data_dir).returncode == 0
    libs = [open_library(data_dir, profile="alice") for _ in range(2)]
    ids = [r.id for r in libs[0].articles()]
    slices = [ids[k::4] for k in range(4)]
    errors: list[BaseException] = []
    done: list[dict[int, tuple[bool, bool]]] = [{} for _ in slices]
    deadline = time.monotonic() + 3.0

    def work(k: int) -> None:
        lib = libs[k % 2]
        rng = random.Random(k)
        try:
            while time.monotonic() < deadline:
                i = rng.choice(slices[k])
                read, star = rng.random() < 0.5, rng.random() < 0.5
                lib.mark_read([i], read)
                lib.star([i], star)
                lib.set_pref(f"position-{k}", i)
                done[k][i] = (read, star)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for lib in libs:
        lib.close()
    assert not errors, errors
    check = open_library(data_dir, profile="alice")
    try:
        assert sum(len(d) for d in done) > 50  # the threads really ran
        for d in done:
            for i, (read, star) in d.items():
                art = check.article(i)
                assert art is not None and (art.read, art.starred) == (read, star)
    finally:
        check.close()


async def test_tui_marks_while_a_cron_refresh_writes(tmp_path: Path,
                                                     feed_server: FeedServer) -> None:
    """The real TUI (Pilot) stars articles while a ``termnews refresh`` process writes."""
    app_module = pytest.importorskip("termnews.ui.app")
    data_dir, _ = _setup(tmp_path, feed_server)
    assert run_cli(["--profile", "alice", "refresh"], data_dir).returncode == 0
    lib = open_library(data_dir, profile="alice")
    write_config(lib.paths, deadline=30.0)
    app = app_module.TermnewsApp(lib, offline=True)
    starred: list[int] = []
    during = 0  # stars given while the refresh process was still running
    async with app.run_test(size=(160, 48)) as pilot:

        async def settle() -> object:
            return await settle_app(app, pilot)

        screen = await settle()
        await pilot.press("tab")  # the article list
        await settle()
        # Feeds answer over ~3 s, so the refresh writes all through the marking below.
        _publish(feed_server, 1, items=BIG_ROUND, delay=0.4)
        refresh = _refresh(data_dir)
        try:
            for _ in range(400):
                if refresh.poll() is not None and len(starred) >= 20:
                    break
                current = screen.articles.current  # type: ignore[attr-defined]
                assert current is not None
                if current.id not in starred and not current.starred:
                    during += refresh.poll() is None
                    await pilot.press("f")
                    starred.append(current.id)
                await pilot.press("j")
                await pilot.pause()
            _out, err = refresh.communicate(timeout=120)
        finally:
            if refresh.poll() is None:
                refresh.kill()
        await settle()
        assert app.is_running
    lib.close()
    assert refresh.returncode == 0, err
    assert "locked" not in err.lower()
    assert len(starred) >= 20
    assert during >= 5, "the refresh was over before the TUI started marking"
    check = open_library(data_dir, profile="alice")
    try:
        lost = [i for i in starred if not (a := check.article(i)) or not a.starred]
        assert not lost, f"stars lost: {lost}"
        assert check.count() == FEEDS * (ITEMS + BIG_ROUND)  # the refresh stored its items too
    finally:
        check.close()
