"""Backups of state.db (what the user did), made with SQLite's online backup API.

A backup is taken before each state migration and once a day, into ``backups/`` next
to state.db, as ``state-<UTC time>[-<reason>].db``; the newest ``KEEP`` are kept. A
state.db that fails its check is never backed up (a bad copy must not push out a good
one). ``restore`` moves the current state.db aside — it is never deleted — and copies
a backup in its place.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from termnews.errors import TermnewsError
from termnews.store.health import check_file, set_aside

BACKUP_DIR = "backups"
KEEP = 5
DAILY = 24 * 3600.0


class BackupError(TermnewsError):
    """A backup or restore that could not be made; the message is for the user."""


def backup_dir(state_db: Path) -> Path:
    return state_db.parent / BACKUP_DIR


def backups(state_db: Path) -> list[Path]:
    """The backups of state_db, newest first."""
    folder = backup_dir(state_db)
    try:
        found = [p for p in folder.iterdir()
                 if p.name.startswith("state-") and p.name.endswith(".db") and p.is_file()]
    except OSError:
        return []
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def latest(state_db: Path) -> Path | None:
    found = backups(state_db)
    return found[0] if found else None


def due(state_db: Path, now: float | None = None) -> bool:
    """No backup yet, or the newest is a day old (and there is something to back up)."""
    try:
        if state_db.stat().st_size == 0:
            return False
    except OSError:
        return False
    newest = latest(state_db)
    if newest is None:
        return True
    return (now or time.time()) - newest.stat().st_mtime >= DAILY


def _copy(source: Path, target: Path) -> None:
    """SQLite's online backup of source into a new file target (atomically in place)."""
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            # A backup is a plain file of its own, not a WAL database leaning on side files.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(tmp, target)


def back_up(state_db: Path, reason: str = "") -> Path:
    """Copy state_db into the backup folder; returns the backup's path.

    Raises BackupError when state_db fails its check (nothing is copied then)."""
    problem = check_file(state_db)
    if problem is not None:
        raise BackupError(f"state.db in {state_db.parent} is {problem}; not backed up")
    folder = backup_dir(state_db)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        target = folder / f"state-{stamp}{'-' + reason if reason else ''}.db"
        _copy(state_db, target)
    except (OSError, sqlite3.Error) as exc:
        from termnews.store.health import cause

        raise BackupError(f"cannot back up state.db into {folder}: {cause(exc, folder)}") from None
    for old in backups(state_db)[KEEP:]:
        old.unlink(missing_ok=True)
    return target


def back_up_if_due(state_db: Path) -> Path | None:
    return back_up(state_db) if due(state_db) else None


def restore(state_db: Path, source: Path | None = None) -> tuple[Path, Path | None]:
    """Put a backup (the newest good one, or ``source``) in place of state_db.

    The current state.db, damaged or not, is moved aside first (``state.db.broken-…``),
    never deleted. Returns (the backup used, where the old state.db went)."""
    candidates = [source] if source is not None else backups(state_db)
    if not candidates:
        raise BackupError(f"there is no backup of state.db in {backup_dir(state_db)}")
    chosen = None
    for candidate in candidates:
        if not candidate.is_file():
            raise BackupError(f"no backup file {candidate}")
        problem = check_file(candidate)
        if problem is None:
            chosen = candidate
            break
        if source is not None:
            raise BackupError(f"the backup {candidate} is {problem}")
    if chosen is None:
        raise BackupError(f"every backup in {backup_dir(state_db)} is damaged")
    moved = set_aside(state_db)
    try:
        _copy(chosen, state_db)
    except (OSError, sqlite3.Error) as exc:
        from termnews.store.health import cause

        raise BackupError(f"cannot restore {chosen} to {state_db}: "
                          f"{cause(exc, state_db.parent)}") from None
    return chosen, moved
