"""Damaged databases and a full disk, on real files through the real CLI.

cache.db is disposable: truncated, garbled or written by a newer termnews, it is set
aside on the next command (one line names it) and the next refresh fills a new one;
read and starred marks, in state.db, apply again. state.db is precious: damaged, it is
left exactly as it is, and one line names it, its latest backup and the command that
restores it; ``termnews state restore`` brings the backup back. A full file system (a
small tmpfs mounted here) gives "disk is full" and loses no mark already saved.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shlex
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedserver import FeedServer, make_rss
from hostile_support import integrity, run_cli
from termnews.config import Config
from termnews.library import Library
from termnews.paths import resolve_paths
from termnews.store import backup, db
from termnews.store.db import StateDamaged, StoreError
from tmpfs_support import fill, small_tmpfs

FEEDS = 5
ITEMS = 40
PROFILE = ["--profile", "alice"]

Marks = dict[str, tuple[bool, bool]]


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli([*PROFILE, *args], data)


def listing(data: Path) -> list[dict[str, object]]:
    proc = cli(data, "articles", "--json")
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def marks(data: Path) -> Marks:
    """guid -> (read, starred) of every marked article the CLI lists."""
    return {str(r["guid"]): (bool(r["read"]), bool(r["starred"])) for r in listing(data)
            if r["read"] or r["starred"]}


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def populate(data: Path, server: FeedServer, prefix: str = "/d") -> Marks:
    """A profile with FEEDS × ITEMS articles, some read, some starred (through the CLI)."""
    urls = [server.add(f"{prefix}/{n}.xml", make_rss(n, ITEMS)) for n in range(FEEDS)]
    assert cli(data, "feeds", "add", "--no-check", *urls).returncode == 0
    refreshed = cli(data, "refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    ids = [int(str(r["id"])) for r in listing(data)]
    rng = random.Random(12)
    picked = rng.sample(ids, 12)
    assert cli(data, "mark", "read", *map(str, picked[:8])).returncode == 0
    assert cli(data, "mark", "star", *map(str, picked[6:])).returncode == 0
    expected = marks(data)
    assert len(expected) == 12
    return expected


def garble_pages(path: Path, *, first_page: int = 1, seed: int = 5) -> None:
    """Random bytes over the start of every page from first_page on (b-tree headers)."""
    rng = random.Random(seed)
    size = path.stat().st_size
    with path.open("r+b") as f:
        for page in range(first_page, size // 4096):
            f.seek(page * 4096)
            f.write(bytes(rng.randrange(256) for _ in range(64)))


def broken_copies(data: Path, name: str) -> list[Path]:
    return sorted(p for p in data.iterdir()
                  if p.name.startswith(f"{name}.broken-") and p.name[-4:] not in ("-wal", "-shm"))


def assert_healed(proc: subprocess.CompletedProcess[str], data: Path, why: str) -> None:
    assert proc.returncode == 0, proc.stderr
    line = one_line(proc)
    assert line.startswith(f"termnews: cache.db in {data} was ")
    assert why in line and "moved it to cache.db.broken-" in line, line
    assert "marks are kept" in line
    assert len(broken_copies(data, "cache.db")) == 1


# --- cache.db heals itself -----------------------------------------------------------------


def test_truncated_cache_heals_on_the_next_command(tmp_path: Path,
                                                   feed_server: FeedServer) -> None:
    data = tmp_path / "data"
    expected = populate(data, feed_server)
    cache_db = data / "cache.db"
    assert not Path(f"{cache_db}-wal").exists()  # everything is in the file itself
    os.truncate(cache_db, cache_db.stat().st_size * 2 // 5)

    proc = cli(data, "articles", "--json")
    assert_healed(proc, data, "damaged (")
    assert proc.stdout == ""  # a new, empty cache
    assert integrity(data / "state.db") == "ok"
    assert cli(data, "refresh").returncode == 0
    assert marks(data) == expected
    assert integrity(cache_db) == "ok"


@pytest.mark.parametrize("where", ["header", "pages"])
def test_garbled_cache_heals_on_the_next_command(tmp_path: Path, feed_server: FeedServer,
                                                 where: str) -> None:
    data = tmp_path / "data"
    expected = populate(data, feed_server)
    cache_db = data / "cache.db"
    if where == "header":
        with cache_db.open("r+b") as f:
            f.write(b"this is no database at all, just noise " * 2)
    else:
        garble_pages(cache_db)

    proc = cli(data, "articles", "--unread", "--limit", "5")
    assert_healed(proc, data, "file is not a database" if where == "header" else "damaged (")
    # the next command finds a healthy cache: not a word about it
    again = cli(data, "refresh")
    assert again.returncode == 0 and again.stderr == "", again.stderr
    assert marks(data) == expected


def test_cache_from_a_newer_termnews_is_set_aside(tmp_path: Path,
                                                  feed_server: FeedServer) -> None:
    data = tmp_path / "data"
    expected = populate(data, feed_server)
    conn = sqlite3.connect(data / "cache.db")
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    proc = cli(data, "feeds", "list")
    assert_healed(proc, data, "written by a newer termnews (schema version 999")
    assert cli(data, "refresh").returncode == 0
    assert marks(data) == expected


def test_state_from_a_newer_termnews_is_left_alone(tmp_path: Path,
                                                   feed_server: FeedServer) -> None:
    data = tmp_path / "data"
    populate(data, feed_server)
    state_db = data / "state.db"
    conn = sqlite3.connect(state_db)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    before = digest(state_db)
    proc = cli(data, "articles")
    assert proc.returncode == 1
    line = one_line(proc)
    assert f"state.db in {data}" in line and "newer termnews" in line and "upgrade" in line
    assert digest(state_db) == before


# --- state.db is precious ---------------------------------------------------------------------


def test_garbled_state_db_names_its_backup_and_restore_brings_it_back(
        tmp_path: Path, feed_server: FeedServer) -> None:
    data = tmp_path / "data"
    expected = populate(data, feed_server)
    made = cli(data, "state", "backup")
    assert made.returncode == 0 and "backed up state.db to " in made.stdout, made.stderr
    state_db = data / "state.db"
    garble_pages(state_db)
    damaged = digest(state_db)

    proc = cli(data, "articles")
    assert proc.returncode == 1 and proc.stdout == ""
    line = one_line(proc)
    newest = backup.latest(state_db)
    assert newest is not None
    assert line.startswith(f"termnews: state.db in {data} is damaged (")
    assert f"the latest backup is {newest}" in line
    command = line.split("restore it with: ", 1)[1]
    assert command == f"termnews --data-dir {data} state restore"
    assert digest(state_db) == damaged  # never overwritten behind the user's back
    # Any other command says the same and touches nothing either.
    assert one_line(cli(data, "mark", "read", "1")) == line
    assert digest(state_db) == damaged

    restored = run_cli(shlex.split(command)[3:], data)  # the command as printed
    assert restored.returncode == 0, restored.stderr
    assert f"restored state.db from {newest}" in restored.stdout
    kept = broken_copies(data, "state.db")
    assert len(kept) == 1 and digest(kept[0]) == damaged  # set aside, not deleted
    assert integrity(state_db) == "ok"
    assert marks(data) == expected


def test_restore_without_a_backup_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = run_cli(["state", "restore"], data)
    assert proc.returncode == 1
    assert one_line(proc) == f"termnews: there is no backup of state.db in {data / 'backups'}"


def test_state_backups_daily_kept_few_and_never_of_a_damaged_file(
        tmp_path: Path, feed_server: FeedServer) -> None:
    data = tmp_path / "data"
    populate(data, feed_server)
    state_db = data / "state.db"
    first = backup.backups(state_db)
    assert len(first) == 1  # the first command of the day made one
    assert cli(data, "outlets").returncode == 0
    assert backup.backups(state_db) == first  # not again within the day
    day_ago = time.time() - 25 * 3600
    os.utime(first[0], (day_ago, day_ago))
    assert cli(data, "outlets").returncode == 0
    assert len(backup.backups(state_db)) == 2
    with sqlite3.connect(backup.backups(state_db)[0]) as conn:  # a whole, separate copy
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT count(*) FROM marks").fetchone()[0] == 12
    # Old ones go: the newest KEEP stay.
    for n in range(8):
        old = backup.backup_dir(state_db) / f"state-2026010{n}-000000.db"
        old.write_bytes(first[0].read_bytes())
        os.utime(old, (day_ago - 3600 * (n + 1),) * 2)
    assert cli(data, "state", "backup").returncode == 0
    assert len(backup.backups(state_db)) == backup.KEEP
    # A damaged state.db is never copied over a good backup.
    garble_pages(state_db)
    before = backup.backups(state_db)
    proc = cli(data, "state", "backup")
    assert proc.returncode == 1
    assert "state.db in" in one_line(proc) and "not backed up" in proc.stderr
    assert backup.backups(state_db) == before


def test_state_is_backed_up_before_a_migration(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    paths = resolve_paths(tmp_path / "data").ensure()
    lib = Library(paths, Config(), "alice")
    lib.start(starter=False)
    lib.set_pref("section", "world")
    lib.close()
    assert backup.backups(paths.state_db) == []
    monkeypatch.setattr(db, "STATE_MIGRATIONS",
                        [*db.STATE_MIGRATIONS, "CREATE TABLE {s}.later (x INTEGER);"])
    conn = db.connect(paths.cache_db, paths.state_db)
    conn.close()
    made = backup.backups(paths.state_db)
    assert len(made) == 1 and made[0].name.endswith(f"-before-v{len(db.STATE_MIGRATIONS)}.db")
    with sqlite3.connect(made[0]) as copy:  # the state as it was before the step
        assert copy.execute("PRAGMA user_version").fetchone()[0] == len(db.STATE_MIGRATIONS) - 1
        assert copy.execute("SELECT value FROM prefs").fetchall() == [('"world"',)]


def test_state_check_before_backup_in_process(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "data").ensure()
    with Library(paths, Config(), "alice") as lib:
        lib.start(starter=False)
        lib.set_pref("section", "world")
        assert lib.back_up_state_if_due() is not None
        assert lib.back_up_state_if_due() is None  # done today
    garble_pages(paths.state_db)
    for old in backup.backups(paths.state_db):
        os.utime(old, (0, 0))  # long ago: one is due
    with Library(paths, Config(), "alice") as lib, pytest.raises(StateDamaged) as raised:
        lib.back_up_state_if_due()
    assert str(paths.state_db.parent) in str(raised.value)
    assert len(backup.backups(paths.state_db)) == 1


# --- a full disk ---------------------------------------------------------------------------


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    with small_tmpfs(tmp_path / "fs") as mount:
        yield mount


def test_full_disk_says_so_and_loses_no_saved_mark(small_fs: Path,
                                                   feed_server: FeedServer) -> None:
    data = small_fs / "data"
    expected = populate(data, feed_server)
    ids = {str(r["guid"]): int(str(r["id"])) for r in listing(data)}
    unmarked = [i for g, i in ids.items() if g not in expected]
    lib = Library(resolve_paths(data), Config(), "alice")  # open before the disk fills
    lib.start(starter=False)
    try:
        filler = fill(small_fs)
        # In a running program: the write fails, named and explained.
        with pytest.raises(StoreError) as raised:
            lib.mark_read(unmarked[:1])
        assert str(raised.value) == f"cannot save to state.db in {data}: disk is full"
        with pytest.raises(StoreError, match="disk is full"):
            lib.star(unmarked[1:2])
        # Another command: a write fails the same way; reading still works.
        proc = cli(data, "mark", "read", str(unmarked[2]))
        assert proc.returncode == 1
        line = one_line(proc)
        assert line == f"termnews: cannot save to state.db in {data}: disk is full", line
        assert marks(data) == expected
        feed_server.touch_all()
        refresh = cli(data, "refresh")
        assert refresh.returncode == 1
        assert one_line(refresh) == f"termnews: cannot save to cache.db in {data}: disk is full"
    finally:
        lib.close()
    filler.unlink()
    # A start on a full disk: with no program holding the files open, SQLite cannot even
    # set up its shared memory to open them. Said the same way.
    assert marks(data) == expected
    assert not Path(f"{data / 'state.db'}-shm").exists()
    filler = fill(small_fs)
    proc = cli(data, "articles")
    assert proc.returncode == 1
    line = one_line(proc)
    assert line.startswith("termnews: cannot open ") and str(data) in line, line
    assert line.endswith(": disk is full"), line
    filler.unlink()
    for name in ("cache.db", "state.db"):
        assert integrity(data / name) == "ok"
    assert marks(data) == expected  # every mark saved before; none of the failed ones
