"""kill -9 at random moments of ``termnews refresh``: nothing stored is lost, nothing corrupt.

Each round the server publishes new items in every feed, so the killed refresh is
always in the middle of real work (fetching, parsing, writing). After each kill both
SQLite files must pass ``PRAGMA integrity_check`` and every read/starred mark made
before must still be there; a final refresh must complete and store everything.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from feedserver import FeedServer, make_rss
from hostile_support import integrity, open_library, run_cli, write_config

FEEDS = 40
ITEMS = 60
ROUNDS = 20
SEED = 20261127

# A "TUI" marking as fast as it can, killed together with the refresh: its own marks are
# in flight when it dies; the others' must be untouched and both files intact.
MARKER = r"""
import json, random, sys
from termnews.config import Config
from termnews.library import Library
from termnews.paths import resolve_paths

lib = Library(resolve_paths(sys.argv[1]), Config(), "alice")
ids = json.loads(sys.argv[2])
rng = random.Random(int(sys.argv[3]))
while True:
    i = rng.choice(ids)
    lib.mark_read([i], rng.random() < 0.5)
    lib.star([i], rng.random() < 0.5)
"""


def _publish(server: FeedServer, round_no: int) -> list[str]:
    """Every feed gets a new set of items (new guids) for this round."""
    return [server.add(f"/crash/{n}.xml", make_rss(n + 1000 * round_no, ITEMS))
            for n in range(FEEDS)]


def _refresh_cmd(data_dir: Path) -> list[str]:
    return [sys.executable, "-m", "termnews", "--data-dir", str(data_dir), "--profile", "alice",
            "refresh"]


def _marks(state_db: Path) -> set[tuple[str, int, int]]:
    conn = sqlite3.connect(state_db, timeout=30)
    try:
        return {(k, r, s) for k, r, s in conn.execute(
            "SELECT key, read, starred FROM marks WHERE profile='alice'")}
    finally:
        conn.close()


def test_kill_minus_nine_during_refresh_loses_nothing(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    rng = random.Random(SEED)
    data_dir = tmp_path / "data"
    urls = _publish(feed_server, 0)
    add = run_cli(["--profile", "alice", "feeds", "add", "--no-check", *urls], data_dir)
    assert add.returncode == 0, add.stderr
    lib = open_library(data_dir, profile="alice")
    write_config(lib.paths, timeout=5.0, deadline=20.0)
    env = {**os.environ, "TERMNEWS_DATA_DIR": str(data_dir)}

    # A full refresh first: it gives articles to mark and the length of one refresh.
    started = time.monotonic()
    first = subprocess.run(_refresh_cmd(data_dir), capture_output=True, text=True, env=env,
                           timeout=120)
    full_time = time.monotonic() - started
    assert first.returncode == 0, first.stderr

    expected: dict[str, tuple[int, int]] = {}
    reserved = {r.id for r in lib.articles()[:100]}  # the killed marker's own articles

    def others(rows: list) -> list:  # type: ignore[type-arg]
        return [r for r in rows if r.id not in reserved]

    def mark_some(count: int) -> None:
        """Marks through the Library, as the TUI makes them."""
        rows = others(lib.articles())
        for row in rng.sample(rows, count):
            if rng.random() < 0.5:
                lib.mark_read([row.id], True)
            else:
                lib.star([row.id], True)
            art = lib.article(row.id)
            assert art is not None
            expected[art.key] = (int(art.read), int(art.starred))

    mark_some(30)
    cli_ids = [r.id for r in rng.sample(others(lib.articles()), 5)]
    marked = run_cli(["--profile", "alice", "mark", "star", *map(str, cli_ids)], data_dir)
    assert marked.returncode == 0, marked.stderr
    for i in cli_ids:
        art = lib.article(i)
        assert art is not None and art.starred
        expected[art.key] = (int(art.read), 1)
    lib.close()

    killed_mid_run = 0
    for round_no in range(1, ROUNDS + 1):
        _publish(feed_server, round_no)
        proc = subprocess.Popen(_refresh_cmd(data_dir), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env, start_new_session=True)
        marker = subprocess.Popen(
            [sys.executable, "-c", MARKER, str(data_dir), json.dumps(sorted(reserved)),
             str(round_no)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
            start_new_session=True)
        time.sleep(rng.uniform(0.05, max(0.3, full_time * 1.1)))
        if proc.poll() is None:
            killed_mid_run += 1
        # The whole groups: the refresh with any parse workers it started, and the marker.
        for p in (proc, marker):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=30)

        for db in (lib.paths.cache_db, lib.paths.state_db):
            assert integrity(db) == "ok", f"round {round_no}: {db.name} corrupt"
        now = _marks(lib.paths.state_db)
        missing = {(k, r, s) for k, (r, s) in expected.items()} - now
        assert not missing, f"round {round_no}: marks lost: {sorted(missing)[:3]}"

        # More marks between kills, so later rounds guard fresh writes too.
        with open_library(data_dir, profile="alice") as lib2:
            rows = others(lib2.articles())
            for row in rng.sample(rows, 2):
                lib2.star([row.id], True)
                art = lib2.article(row.id)
                assert art is not None
                expected[art.key] = (int(art.read), 1)

    assert killed_mid_run >= ROUNDS // 2, "too few kills landed during a refresh"
    with open_library(data_dir, profile="alice") as lib3:
        marked_by_marker = sum(1 for i in reserved
                               if (a := lib3.article(i)) is not None and (a.read or a.starred))
    assert marked_by_marker > 0, "the killed marker never wrote a mark"

    final = run_cli(["--profile", "alice", "refresh"], data_dir, timeout=120)
    assert final.returncode == 0, final.stderr
    for db in (lib.paths.cache_db, lib.paths.state_db):
        assert integrity(db) == "ok"
    listing = run_cli(["--profile", "alice", "feeds", "list", "--json"], data_dir)
    assert listing.returncode == 0, listing.stderr
    feeds = [json.loads(line) for line in listing.stdout.splitlines() if line.strip()]
    assert len(feeds) == FEEDS
    assert all(f["error"] is None for f in feeds), [f["error"] for f in feeds if f["error"]]
    conn = sqlite3.connect(lib.paths.cache_db)
    try:
        for n in range(FEEDS):
            url = feed_server.url(f"/crash/{n}.xml")
            guids = {g for (g,) in conn.execute(
                "SELECT a.guid FROM articles a JOIN feeds f ON f.id=a.feed_id WHERE f.url=?",
                (url,))}
            latest = {f"feed-{n + 1000 * ROUNDS}-item-{i}" for i in range(ITEMS)}
            assert latest <= guids, f"feed {n}: the last round's items are not all stored"
            assert f"feed-{n}-item-0" in guids  # the first round's articles are still there
    finally:
        conn.close()
    missing = {(k, r, s) for k, (r, s) in expected.items()} - _marks(lib.paths.state_db)
    assert not missing
