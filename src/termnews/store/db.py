"""Opening the two SQLite files, with WAL, a busy timeout and versioned schemas.

``cache.db`` holds what the network gave; ``state.db`` what the user did. One
connection opens ``cache.db`` and attaches ``state.db`` as ``state`` so a query
can join articles with a profile's marks. Each file carries its own schema
version (``PRAGMA user_version``) and its own list of migrations.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from termnews.store.schema import CACHE_MIGRATIONS, STATE_MIGRATIONS
from termnews.terms import index_text, lang_code

# (rows done, rows in all) while a migration rebuilds the search index of a cache.
MigrationProgress = Callable[[int, int], None]

BUSY_TIMEOUT_MS = 30_000


class StoreError(Exception):
    """The data directory cannot be used (read-only, full, corrupt …)."""


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the search index is made with (schema migration 7): every
    connection that writes articles needs them."""
    conn.create_function("tn_index", 2, index_text, deterministic=True)
    conn.create_function("tn_lang", 1, lang_code, deterministic=True)


def _report_indexing(conn: sqlite3.Connection, progress: MigrationProgress) -> None:
    """Count the rows tn_index() indexes (five columns a row) for ``progress``."""
    total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    calls = 0
    step = 5 * 500

    def counted(text: str | None, lang: str | None) -> str:
        nonlocal calls
        calls += 1
        if calls % step == 0:
            progress(min(calls // 5, total), total)
        return index_text(text, lang)

    conn.create_function("tn_index", 2, counted, deterministic=True)


def _migrate(conn: sqlite3.Connection, schema: str, migrations: list[str],
             progress: MigrationProgress | None = None) -> None:
    version = conn.execute(f"PRAGMA {schema}.user_version").fetchone()[0]
    if version > len(migrations):
        raise StoreError(
            f"{schema} database has schema version {version}, newer than this termnews "
            f"knows ({len(migrations)}); upgrade termnews"
        )
    for number, script in enumerate(migrations[version:], start=version + 1):
        # The version bump rides in the same transaction as the step.
        qualified = script.replace("{s}", schema)
        # A step that rebuilds the search index tells how far it has come.
        reindex = progress if number > 1 and "'rebuild'" in script else None
        if reindex is not None:
            _report_indexing(conn, reindex)
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
        finally:
            if reindex is not None:
                register_functions(conn)
                total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                reindex(total, total)


def connect(cache_db: Path, state_db: Path,
            progress: MigrationProgress | None = None) -> sqlite3.Connection:
    """Open cache.db with state.db attached, migrated to the current schema.

    ``progress`` hears how far a migration that re-indexes the cache has come."""
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
        register_functions(conn)
        _migrate(conn, "main", CACHE_MIGRATIONS, progress)
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
