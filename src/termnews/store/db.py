"""Opening the two SQLite files, with WAL, a busy timeout and versioned schemas.

``cache.db`` holds what the network gave; ``state.db`` what the user did. One
connection opens ``cache.db`` and attaches ``state.db`` as ``state`` so a query
can join articles with a profile's marks. Each file carries its own schema
version (``PRAGMA user_version``) and its own list of migrations.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from termnews.store.schema import CACHE_MIGRATIONS, STATE_MIGRATIONS

BUSY_TIMEOUT_MS = 30_000


class StoreError(Exception):
    """The data directory cannot be used (read-only, full, corrupt …)."""


def _migrate(conn: sqlite3.Connection, schema: str, migrations: list[str]) -> None:
    version = conn.execute(f"PRAGMA {schema}.user_version").fetchone()[0]
    if version > len(migrations):
        raise StoreError(
            f"{schema} database has schema version {version}, newer than this termnews "
            f"knows ({len(migrations)}); upgrade termnews"
        )
    for number, script in enumerate(migrations[version:], start=version + 1):
        # The version bump rides in the same transaction as the step.
        qualified = script.replace("{s}", schema)
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{qualified}\nPRAGMA {schema}.user_version = {number};\nCOMMIT;"
            )
        except sqlite3.OperationalError:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            # Another process may have run this step while we waited for the lock.
            if conn.execute(f"PRAGMA {schema}.user_version").fetchone()[0] < number:
                raise


def connect(cache_db: Path, state_db: Path) -> sqlite3.Connection:
    """Open cache.db with state.db attached, migrated to the current schema."""
    try:
        cache_db.parent.mkdir(parents=True, exist_ok=True)
        state_db.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(cache_db, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("ATTACH DATABASE ? AS state", (str(state_db),))
        for schema in ("main", "state"):
            mode = conn.execute(f"PRAGMA {schema}.journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"cannot switch {schema} database to WAL (got {mode})")
            conn.execute(f"PRAGMA {schema}.synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        _migrate(conn, "main", CACHE_MIGRATIONS)
        _migrate(conn, "state", STATE_MIGRATIONS)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open the database in {cache_db.parent}: {exc}") from None
    except OSError as exc:
        raise StoreError(f"cannot use the data directory {cache_db.parent}: {exc}") from None
    return conn


# A refresh writes many pages at once (10,000 full-content articles are ~100 MB with their
# index). With SQLite's 2 MB default page cache a big transaction spills dirty pages to the
# WAL before it commits, and the default checkpoint every 1000 pages (4 MB) copies them on
# into the database file every few feeds: a quarter of the writer's CPU for such a refresh.
BULK_CACHE_KIB = 16 * 1024
BULK_CHECKPOINT_PAGES = 8192


def tune_for_bulk_writes(conn: sqlite3.Connection) -> None:
    """A connection that will write a lot: a bigger page cache, fewer checkpoints (the
    rest of the WAL is checkpointed when the connection closes)."""
    conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")


class transaction:
    """``with transaction(conn):`` — BEGIN IMMEDIATE … COMMIT, ROLLBACK on error.

    IMMEDIATE takes the write lock up front, so two writers queue on the busy
    timeout instead of failing half-way with "database is locked".
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
