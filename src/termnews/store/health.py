"""Damaged and unusable database files: telling what is wrong, and with which file.

The two files are treated differently on purpose:

- ``cache.db`` holds only what the network gave, so when it is damaged (truncated,
  garbled) or was written by a newer termnews, it is moved aside
  (``cache.db.broken-<UTC time>``, with its ``-wal`` and ``-shm``), a new empty one
  starts and the next refresh fills it. Marks are keyed by feed URL + guid in
  state.db, so they apply again to the refetched articles.
- ``state.db`` holds what the user did: termnews never moves, rewrites or deletes it on
  its own. When it is damaged the user is told which file, which backup
  (``store.backup``) and the command that restores it.

SQLite reports a full disk as SQLITE_FULL on a write, but as a plain "disk I/O error"
when it cannot even create its shared-memory file; the OS says ENOSPC. All of them are
"disk is full" here.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from termnews.i18n import _

SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
SQLITE_BUSY = 5
SQLITE_LOCKED = 6

LOW_SPACE = 1024 * 1024  # an I/O error with less free space than this is a full disk
DAMAGE_MARKER = ".damaged"  # next to cache.db: damage seen at run time, heal at the next open


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should read once (a healed cache); ``text`` is one line."""

    text: str


def _primary(code: int | None) -> int | None:
    return code & 0xFF if code is not None else None


def error_code(exc: BaseException) -> int | None:
    """SQLite's primary result code of an exception, when it carries one."""
    code = getattr(exc, "sqlite_errorcode", None)
    return _primary(code) if isinstance(code, int) else None


def is_damage(exc: BaseException) -> bool:
    """The exception says a database file is damaged (not locked, not full …)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = error_code(exc)
    if code is not None:
        return code in (SQLITE_CORRUPT, SQLITE_NOTADB)
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def low_on_space(path: Path) -> bool:
    """Less than LOW_SPACE bytes can be written where path lives."""
    for candidate in (path, *path.parents):
        try:
            st = os.statvfs(candidate)
        except OSError:
            continue
        # root may use the blocks reserved for it; anyone else only the available ones
        blocks = st.f_bfree if hasattr(os, "geteuid") and os.geteuid() == 0 else st.f_bavail
        return blocks * st.f_frsize < LOW_SPACE
    return False


def cause(exc: BaseException, where: Path | None = None) -> str:
    """Why an operation failed, in a few words ("disk is full", "read-only" …).

    ``where`` is a file or folder the operation used; it decides whether a bare I/O
    error was a full disk."""
    if isinstance(exc, OSError) and not isinstance(exc, sqlite3.Error):
        if exc.errno == errno.ENOSPC:
            return _("disk is full")
        if exc.errno == errno.EDQUOT:
            return _("disk quota exceeded")
        return exc.strerror or str(exc)
    code = error_code(exc)
    text = str(exc)
    if code == SQLITE_FULL or "disk is full" in text:
        return _("disk is full")
    if code == SQLITE_IOERR or "disk I/O error" in text:
        if where is not None and low_on_space(where):
            return _("disk is full")
        return _("disk I/O error")
    if code == SQLITE_READONLY or "readonly" in text:
        return _("read-only")
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in text:
        return _("locked by another program for too long")
    if is_damage(exc):
        return _("damaged ({error})").format(error=text)
    return text or type(exc).__name__


def where(file: Path) -> str:
    """``cache.db in /home/u/.local/share/termnews``: a file named in messages."""
    return _("{file} in {folder}").format(file=file.name, folder=file.parent)


def check_file(db: Path) -> str | None:
    """What is wrong with a database file, or None when it reads whole: a phrase that
    follows "is" ("damaged (…)").

    A full ``PRAGMA quick_check``: only on the way to an error message, never on a
    normal start (it reads every page). Opened read-only, so nothing is written. Only
    ever through SQLite: opening and closing the file any other way would drop this
    process's locks on it (POSIX), and another process could then take itself for the
    last user and delete the WAL under the open connections."""
    if not db.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as exc:
        return f"damaged ({exc})" if is_damage(exc) else None
    try:
        rows = conn.execute("PRAGMA quick_check(3)").fetchall()
    except sqlite3.Error as exc:
        return f"damaged ({exc})" if is_damage(exc) else None
    finally:
        conn.close()
    lines = [" ".join(str(r[0]).replace("*** in database main ***", "").split()) for r in rows]
    result = "; ".join(line for line in lines if line)
    return None if result == "ok" else f"damaged ({result[:200]})"


def set_aside(db: Path, *, inode: tuple[int, int] | None = None) -> Path | None:
    """Rename ``db`` (and its -wal and -shm) to ``<name>.broken-<UTC time>``; returns the
    new path, or None when the file is gone or is no longer the one judged damaged
    (``inode``: another termnews may have set it aside and started a new one)."""
    try:
        st = db.stat()
    except FileNotFoundError:
        return None
    if inode is not None and (st.st_dev, st.st_ino) != inode:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    target = db.with_name(f"{db.name}.broken-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = db.with_name(f"{db.name}.broken-{stamp}-{n}")
    os.replace(db, target)
    for suffix in ("-wal", "-shm"):
        side = Path(f"{db}{suffix}")
        if side.exists():
            os.replace(side, Path(f"{target}{suffix}"))
    return target


def inode_of(db: Path) -> tuple[int, int] | None:
    try:
        st = db.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def mark_damaged(db: Path, why: str) -> None:
    """Remember that ``db`` was seen damaged while in use: the next open sets it aside
    (it cannot be moved while this process's other threads may use it). The mark names
    the file by its inode, so a new file in its place is never taken for it."""
    node = inode_of(db)
    if node is None:
        return
    try:
        Path(f"{db}{DAMAGE_MARKER}").write_text(f"{node[0]}:{node[1]} {why[:500]}\n",
                                                 encoding="utf-8")
    except OSError:
        pass


def damage_marked(db: Path) -> str | None:
    """Why ``db`` was marked damaged (a phrase that follows "is"), or None."""
    marker = Path(f"{db}{DAMAGE_MARKER}")
    try:
        node, _, why = marker.read_text(encoding="utf-8").strip().partition(" ")
    except OSError:
        return None
    if node != "{}:{}".format(*(inode_of(db) or (-1, -1))):
        clear_mark(db)  # the damaged file was replaced meanwhile
        return None
    return why or "damaged"


def clear_mark(db: Path) -> None:
    try:
        Path(f"{db}{DAMAGE_MARKER}").unlink()
    except OSError:
        pass


def healed_notice(db: Path, moved: Path | None, why: str) -> Notice:
    """``why`` follows "was": "truncated (…)", "damaged (…)", "written by a newer …"."""
    if moved is None:
        return Notice(f"{where(db)} was {why}; a new empty cache was started "
                      f"(the next refresh fills it; read and starred marks are kept)")
    return Notice(f"{where(db)} was {why}; moved it to {moved.name} and started a new "
                  f"empty cache (the next refresh fills it; read and starred marks are kept)")
