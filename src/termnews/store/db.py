"""Opening the two SQLite files, with WAL, a busy timeout and versioned schemas.

``cache.db`` holds what the network gave; ``state.db`` what the user did. One
connection opens ``cache.db`` and attaches ``state.db`` as ``state`` so a query
can join articles with a profile's marks. Each file carries its own schema
version (``PRAGMA user_version``) and its own list of migrations.

Opening is where damage shows first (``store.health``): a damaged cache.db, or one
written by a newer termnews, is moved aside and a new one started (a ``Notice`` says
so); a damaged state.db raises ``StateDamaged``, which names the latest backup and
the command that restores it. state.db is backed up before each of its migrations.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from termnews.errors import TermnewsError
from termnews.store import health
from termnews.store.health import Notice
from termnews.store.schema import CACHE_MIGRATIONS, STATE_MIGRATIONS
from termnews.terms import index_text, lang_code

# (rows done, rows in all) while a migration rebuilds the search index of a cache.
MigrationProgress = Callable[[int, int], None]

BUSY_TIMEOUT_MS = 30_000


class StoreError(TermnewsError):
    """The data directory cannot be used (read-only, full, corrupt …)."""


class SchemaTooNew(StoreError):
    """A file was written by a newer termnews (its schema version is beyond ours)."""

    def __init__(self, schema: str, version: int, known: int) -> None:
        self.schema = schema
        super().__init__(f"schema version {version}; this termnews knows up to {known}")


def restore_command(data_dir: Path) -> str:
    """The command that restores state.db from its backup, for this data directory."""
    import shlex

    from termnews.paths import ENV_DATA_DIR

    default = None
    if not os.environ.get(ENV_DATA_DIR):
        import platformdirs

        default = Path(platformdirs.user_data_dir("termnews"))
    if default is not None and data_dir == default:
        return "termnews state restore"
    return f"termnews --data-dir {shlex.quote(str(data_dir))} state restore"


class StateDamaged(StoreError):
    """state.db is damaged: the message names it, its latest backup and the command that
    restores it. termnews leaves the file as it is."""

    def __init__(self, state_db: Path, problem: str) -> None:
        from termnews.store.backup import latest

        self.state_db = state_db
        self.problem = problem
        self.backup = latest(state_db)
        if self.backup is not None:
            tail = (f"the latest backup is {self.backup}; restore it with: "
                    f"{restore_command(state_db.parent)}")
        else:
            tail = ("there is no backup of it; to start again with no marks, set it aside "
                    f"with: {restore_command(state_db.parent).replace('restore', 'reset')}")
        super().__init__(f"{health.where(state_db)} is {problem}; it was left as it is, and "
                         f"{tail}")


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
             progress: MigrationProgress | None = None, *,
             before: Callable[[int], None] | None = None) -> None:
    """Bring one schema up to date; ``progress`` hears how far a step that rebuilds the
    search index has come; ``before(version)`` runs before the first step when the file
    already holds data (version > 0): the state backup."""
    version = conn.execute(f"PRAGMA {schema}.user_version").fetchone()[0]
    if version > len(migrations):
        raise SchemaTooNew(schema, version, len(migrations))
    if before is not None and 0 < version < len(migrations):
        before(version)
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


class _OpenFailed(Exception):
    def __init__(self, file: Path, error: BaseException) -> None:
        self.file = file
        self.error = error


def _back_up_state(state_db: Path) -> Callable[[int], None]:
    def before(version: int) -> None:
        from termnews.store.backup import BackupError, back_up

        try:
            back_up(state_db, reason=f"before-v{version + 1}")
        except BackupError as exc:
            raise StoreError(f"{exc}; not upgrading it without a backup") from None

    return before


def _open(cache_db: Path, state_db: Path,
          progress: MigrationProgress | None = None) -> sqlite3.Connection:
    """Open and migrate; a failure says which file it concerned (``_OpenFailed``)."""
    file = cache_db
    conn: sqlite3.Connection | None = None
    try:
        cache_db.parent.mkdir(parents=True, exist_ok=True)
        state_db.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(cache_db, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        for schema, file in (("main", cache_db), ("state", state_db)):
            if schema == "state":
                conn.execute("ATTACH DATABASE ? AS state", (str(state_db),))
            mode = conn.execute(f"PRAGMA {schema}.journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"cannot switch {health.where(file)} to WAL (got {mode})")
            conn.execute(f"PRAGMA {schema}.synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        file = cache_db
        register_functions(conn)
        _migrate(conn, "main", CACHE_MIGRATIONS, progress)
        file = state_db
        _migrate(conn, "state", STATE_MIGRATIONS, before=_back_up_state(state_db))
    except (sqlite3.Error, OSError, StoreError) as exc:
        if conn is not None:
            conn.close()
        raise _OpenFailed(file, exc) from None
    return conn


def connect(cache_db: Path, state_db: Path, progress: MigrationProgress | None = None, *,
            heal: bool = False, notices: list[Notice] | None = None) -> sqlite3.Connection:
    """Open cache.db with state.db attached, migrated to the current schema; ``progress``
    hears how far a migration that re-indexes the cache has come.

    With ``heal`` (a program's first connection: nothing of it uses the old file yet), a
    damaged cache.db — found now, or marked damaged while in use — or one from a newer
    termnews is set aside and a new one started; what was done is appended to
    ``notices``. Without, such a cache.db is marked and StoreError says so. A damaged
    state.db raises StateDamaged."""

    def heal_cache(why: str) -> None:
        if not heal:
            health.mark_damaged(cache_db, why)
            raise StoreError(f"{health.where(cache_db)} is {why}; it is set aside and a new "
                             f"one started when termnews next starts") from None
        _heal_cache(cache_db, why, notices)

    problem = health.damage_marked(cache_db) if heal else None
    if problem is not None:
        heal_cache(problem)
    for attempt in (1, 2):
        try:
            return _open(cache_db, state_db, progress)
        except _OpenFailed as failed:
            exc = failed.error
            if isinstance(exc, SchemaTooNew) and exc.schema == "main" and attempt == 1:
                heal_cache(f"written by a newer termnews ({exc})")
                continue
            if isinstance(exc, SchemaTooNew):
                raise StoreError(f"{health.where(failed.file)} was written by a newer "
                                 f"termnews ({exc}); upgrade termnews") from None
            if isinstance(exc, StoreError):
                raise exc from None
            if health.is_damage(exc) and attempt == 1:
                problem = health.check_file(state_db) or (
                    f"damaged ({exc})" if failed.file == state_db else None)
                if problem is not None:
                    raise StateDamaged(state_db, problem) from None
                heal_cache(health.check_file(cache_db) or f"damaged ({exc})")
                continue
            raise StoreError(f"cannot open {health.where(failed.file)}: "
                             f"{health.cause(exc, failed.file.parent)}") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _heal_cache(cache_db: Path, why: str, notices: list[Notice] | None) -> None:
    try:
        moved = health.set_aside(cache_db)
    except OSError as exc:
        raise StoreError(f"{health.where(cache_db)} is {why}, and it cannot be moved aside: "
                         f"{health.cause(exc, cache_db.parent)}") from None
    health.clear_mark(cache_db)
    if notices is not None:
        notices.append(health.healed_notice(cache_db, moved, why))


# A refresh writes many pages at once (10,000 full-content articles are ~100 MB with their
# index). With SQLite's 2 MB default page cache a big transaction spills dirty pages to the
# WAL before it commits, and the default checkpoint every 1000 pages (4 MB) copies them on
# into the database file every few feeds: a quarter of the writer's CPU for such a refresh.
BULK_CACHE_KIB = 16 * 1024
BULK_CHECKPOINT_PAGES = 8192


def database_path(conn: sqlite3.Connection) -> Path:
    """The file of the connection's main database."""
    return Path(conn.execute("PRAGMA main.database_list").fetchone()[2])


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
