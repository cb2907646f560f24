"""Refreshing feeds into the cache: fetch concurrently, parse off the loop, store safely.

Pipeline per feed: fetch (async, bounded overall and per host) → parse (a
process pool when there is enough to parse, inline for a handful) → store
(one writer; whatever is ready is written in one transaction, each feed's
entries together with its fetch record, so a kill at any moment loses
nothing already stored). A failing feed keeps its old articles, records a
clear error and is backed off; it never stops the others. A 304 only touches
the feed's fetch time and status.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from termnews import i18n
from termnews.config import Config
from termnews.model import FeedSource, FetchResult, ParsedFeed, RefreshEvent, RefreshSummary
from termnews.paths import Paths
from termnews.shutdown import Stopped, in_thread, wait_to_end
from termnews.store import cache
from termnews.store.db import (
    StoreError,
    connect,
    database_path,
    transaction,
    tune_for_bulk_writes,
)
from termnews.store.health import cause, is_damage, where

INLINE_PARSES = 3  # up to this many documents are parsed in-process (no pool start-up)
INLINE_MAX_BYTES = 1024 * 1024  # … if they are small: a big one could hold up the loop
MAX_BACKOFF = 24 * 3600.0

Progress = Callable[[RefreshEvent], None]


def parse_job(body: bytes, url: str, content_type: str,
              edition: str | None = None) -> ParsedFeed | str:
    """Parse one document (runs in a worker process): the feed, or an error message.
    Given the feed's edition, its entries are also worded for the search index here
    (``cache.with_index_texts``), where the CPU is, not in the writer."""
    from termnews.feeds.parse import NotAFeed, parse_feed

    try:
        parsed = parse_feed(body, url=url, content_type=content_type)
        return parsed if edition is None else cache.with_index_texts(parsed, edition)
    except NotAFeed as exc:
        return str(exc)
    except RecursionError:
        return "not a feed: nested too deeply"
    except MemoryError:
        return "not a feed: too large to parse"
    except Exception as exc:  # a parser bug must not stop the refresh
        return f"not a feed: {type(exc).__name__}"


def _warm_worker() -> None:
    import termnews.feeds.parse  # noqa: F401  (pay the imports while the network works)


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this process when its parent dies, however it dies (kill -9
    included), so a parser never outlives the refresh holding the data files open."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(0)


def _init_worker(parent: int) -> None:
    """A parser process: the parent's signal handlers (a TUI's SIGWINCH, SIGTERM, Ctrl-C)
    are not its business; the parent stops it when needed, and it dies with the parent."""
    for name in ("SIGINT", "SIGWINCH", "SIGTSTP", "SIGCONT", "SIGHUP", "SIGTERM"):
        sig = getattr(signal, name, None)
        if sig is not None:
            with contextlib.suppress(OSError, ValueError):
                signal.signal(sig, signal.SIG_IGN if name == "SIGINT" else signal.SIG_DFL)
    _die_with_parent(parent)
    _warm_worker()


def _mp_context() -> multiprocessing.context.BaseContext:
    """fork where it is safe and cheap (Linux): workers start in milliseconds with the
    parser already imported, and no script's __main__ is re-run. The children only
    parse bytes and word the search index (in-memory tables: no SQLite, whose locks
    another thread may hold at the fork); they touch no file or connection of the
    parent, and the one lock they take is made new in them (lemmas). Elsewhere spawn."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def backoff_seconds(fail_count: int) -> float:
    """Exponential back-off for a feed that failed fail_count times in a row (≥ 1)."""
    return min(60.0 * 2.0 ** max(fail_count - 1, 0), MAX_BACKOFF)


@dataclass(slots=True)
class _FeedInfo:
    etag: str | None
    last_modified: str | None
    next_fetch_at: float | None
    fail_count: int
    http_status: int | None
    error: str | None
    has_articles: bool


def _load_info(conn: sqlite3.Connection, urls: Sequence[str]) -> dict[str, _FeedInfo]:
    """What each feed's last fetches left: point queries on the unique url index."""
    info: dict[str, _FeedInfo] = {}
    for url in urls:
        row = cache.fetch_record(conn, url)
        if row is not None:
            info[url] = _FeedInfo(row[0], row[1], row[2], row[3] or 0, row[4], row[5],
                                  bool(row[6]))
    return info


class _Parser:
    """Parses inline for the first few documents, then in a process pool started once.

    parse_workers = 0 parses everything inline. A worker that dies (killed, out of
    memory, a crash in a C parser) breaks the pool: a fresh pool is started and the
    document is tried once more there; if that dies too, the document is refused —
    it is never parsed in this process, where it could take the refresh down with it.
    """

    def __init__(self, workers: int, time_limit: float) -> None:
        self.workers = max(workers, 0)
        self.inline_left = INLINE_PARSES
        self.time_limit = time_limit
        self.pool: Executor | None = None
        # At most one document per worker in the pool: the time limit then measures the
        # parse itself, not the wait behind other feeds' documents in the pool's queue.
        self._slots = asyncio.Semaphore(max(self.workers, 1))
        self._retrying = asyncio.Lock()  # one document at a time takes every slot

    def _start_pool(self) -> Executor:
        if self.pool is None:
            _warm_worker()  # workers forked after this inherit the parser, imported once
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_mp_context(),
                                            initializer=_init_worker, initargs=(os.getpid(),))
        return self.pool

    @contextlib.asynccontextmanager
    async def _alone(self) -> AsyncIterator[None]:
        """Every slot of the pool: no other document is parsed meanwhile."""
        async with self._retrying:
            taken = 0
            try:
                for _ in range(max(self.workers, 1)):
                    await self._slots.acquire()
                    taken += 1
                yield
            finally:
                for _ in range(taken):
                    self._slots.release()

    def _drop_broken(self, pool: Executor) -> None:
        if self.pool is pool:
            self.pool = None
            pool.shutdown(wait=False, cancel_futures=True)

    async def parse(self, result: FetchResult, edition: str) -> ParsedFeed | str:
        url = result.final_url or result.url
        if self.workers < 1 or (self.inline_left > 0 and len(result.body) < INLINE_MAX_BYTES):
            self.inline_left -= 1
            return parse_job(result.body, url, result.content_type, edition)
        loop = asyncio.get_running_loop()
        for attempt in range(2):
            # The second try runs alone in its pool: when a pool breaks, every document in
            # it fails, and only one alone shows which document breaks it.
            async with self._slots if attempt == 0 else self._alone():
                pool = self._start_pool()
                try:
                    return await asyncio.wait_for(
                        loop.run_in_executor(pool, parse_job, result.body, url,
                                             result.content_type, edition),
                        self.time_limit)
                except BrokenExecutor:
                    self._drop_broken(pool)
                except TimeoutError:
                    # A document the parser cannot finish: stop the workers (the feeds they
                    # were parsing are retried in a fresh pool) and refuse this one.
                    self._kill(pool)
                    return f"not a feed: parsing took over {self.time_limit:g} s"
        return "not a feed: the parser process died on it"

    @staticmethod
    def _kill_workers(pool: Executor) -> None:
        # There is no public way to stop a task or a worker: reach into the pool.
        processes = getattr(pool, "_processes", None) or {}
        for proc in list(processes.values()):
            with contextlib.suppress(Exception):
                proc.kill()
        # A worker killed while it was sending a result leaves half a message in the
        # result pipe, and the pool's manager thread would wait for the rest for ever
        # (then the join in shutdown, and the interpreter's exit, hang). With the parent's
        # own write end closed too, no writer is left: it reads EOF and declares the pool
        # broken, which ends it.
        with contextlib.suppress(Exception):
            for proc in list(processes.values()):
                proc.join(timeout=1.0)
            pool._result_queue._writer.close()  # type: ignore[attr-defined]

    def _kill(self, pool: Executor) -> None:
        self._kill_workers(pool)
        self._drop_broken(pool)

    def close(self, *, kill: bool = False) -> None:
        """Stop the pool: after the parses running (a normal end), or at once (``kill``:
        a cancelled refresh must not wait up to the parse time limit). Either way the
        pool's manager thread is joined, so no worker is left behind."""
        pool, self.pool = self.pool, None
        if pool is not None:
            if kill:
                self._kill_workers(pool)
            pool.shutdown(wait=True, cancel_futures=True)


class _BodyBudget:
    """Backpressure between fetching and parsing (and storing): fetching is far faster
    than parsing big documents, and every fetched body waits in memory for a parser, then
    its parsed form for the writer. A new fetch starts only while what waits stays under
    the budget, so memory is bounded by the budget plus the fetches already running,
    whatever the feeds' sizes and whichever end is slower."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._room = asyncio.Condition()

    async def wait_for_room(self) -> None:
        async with self._room:
            await self._room.wait_for(lambda: self.used < self.limit)

    def take(self, n: int) -> None:
        self.used += n

    async def give(self, n: int) -> None:
        async with self._room:
            self.used -= n
            self._room.notify_all()


BODY_BUDGET = 32 * 1024 * 1024  # bytes of fetched feeds waiting to be parsed or stored


@dataclass(slots=True)
class _Outcome:
    source: FeedSource
    result: FetchResult | None  # None: skipped (backing off)
    parsed: ParsedFeed | None
    error: str | None
    next_fetch_at: float | None = None


# A commit costs about as much as storing a short feed (the WAL gets every page the
# transaction touched, the search index writes a segment): when fewer feeds than this are
# ready, the writer gives the parsers a moment (up to BATCH_WAIT) to send more, so that
# one transaction holds several (10,000 short articles: −25 % of the writer's CPU).
BATCH_FEEDS = 8
BATCH_WAIT = 0.02
BATCH_POLL = 0.004


class _Writer:
    """One writer: outcomes queue up and whatever is ready is written in one transaction.

    The writing runs in a thread. When the refresh is cancelled (a quit, a signal) the
    thread is told to stop: it rolls its transaction back before the next feed, and the
    writer waits for it, so the connection is never closed under it."""

    def __init__(self, conn: sqlite3.Connection, cache_db: Path) -> None:
        self.conn = conn
        self.cache_db = cache_db
        self.queue: asyncio.Queue[tuple[_Outcome, asyncio.Future[int]] | None] = asyncio.Queue()
        self.failure: BaseException | None = None
        self.stop = threading.Event()

    def _write(self, batch: list[tuple[_Outcome, asyncio.Future[int]]]) -> list[int]:
        counts: list[int] = []
        with transaction(self.conn):
            for outcome, _ in batch:
                if self.stop.is_set():
                    raise Stopped
                counts.append(_store(self.conn, outcome))
        return counts

    async def _gather(self) -> tuple[list[tuple[_Outcome, asyncio.Future[int]]], bool]:
        """The next batch (everything ready, or a few more feeds: see BATCH_FEEDS) and
        whether the refresh has ended."""
        batch: list[tuple[_Outcome, asyncio.Future[int]]] = []
        item = await self.queue.get()
        waited = 0.0
        while True:
            if item is None:
                return batch, True
            batch.append(item)
            # Waiting is polling: a queue.get() given up by a timeout can lose its item.
            while self.queue.empty() and len(batch) < BATCH_FEEDS and waited < BATCH_WAIT:
                await asyncio.sleep(BATCH_POLL)
                waited += BATCH_POLL
            if self.queue.empty():
                return batch, False
            item = self.queue.get_nowait()

    async def run(self) -> None:
        done = False
        while not done:
            batch, done = await self._gather()
            if not batch:
                continue
            try:
                if self.failure is not None:
                    raise self.failure
                counts = await in_thread(self._write, batch, stop=self.stop)
            except (sqlite3.Error, StoreError, OSError) as exc:
                # Damage stays as SQLite said it (the caller traces it to its file);
                # anything else names the file and the cause ("disk is full").
                self.failure = exc if isinstance(exc, StoreError) or is_damage(exc) else \
                    StoreError(i18n._("cannot save to {file}: {cause}").format(
                        file=where(self.cache_db), cause=cause(exc, self.cache_db.parent)))
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(self.failure)
                continue
            for (_, fut), n in zip(batch, counts, strict=True):
                if not fut.done():
                    fut.set_result(n)

    async def submit(self, outcome: _Outcome) -> int:
        fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        await self.queue.put((outcome, fut))
        return await fut


def _store(conn: sqlite3.Connection, o: _Outcome) -> int:
    """Write one feed's outcome; returns how many new articles."""
    if o.result is None:
        return 0  # skipped: nothing changes
    url = o.source.url
    if o.error is not None:
        cache.record_fetch(conn, url, o.result, error=o.error, next_fetch_at=o.next_fetch_at)
        return 0
    new = 0
    title = language = None
    if o.parsed is not None:
        new = cache.store_entries(conn, url, o.parsed)
        title, language = o.parsed.title, o.parsed.language
    cache.record_fetch(conn, url, o.result, error=None, title=title, language=language)
    return new


def _skip_reason(info: _FeedInfo | None, now: float) -> str | None:
    """Why a feed is not fetched now (backing off or told to wait), or None."""
    if info is None or info.next_fetch_at is None or info.next_fetch_at <= now:
        return None
    told_to_wait = info.http_status in (429, 503)
    never_succeeded = not info.has_articles and not info.etag and not info.last_modified
    if never_succeeded and not told_to_wait:
        return None  # a manual refresh of a feed that never worked may always try
    when = datetime.fromtimestamp(info.next_fetch_at, UTC).strftime("%H:%M UTC")
    base = info.error or "failing"
    return f"{base}; next try after {when}"


async def run_refresh(
    paths: Paths,
    config: Config,
    sources: Sequence[FeedSource],
    *,
    progress: Progress | None = None,
    full_text: bool = False,
    allow_files: bool = False,
) -> RefreshSummary:
    """Fetch, parse and store the given feeds; returns counts and errors."""
    # De-duplicate: one feed may sit in several sections of a catalog.
    unique: dict[str, FeedSource] = {}
    for src in sources:
        unique.setdefault(src.url, src)
    feeds = list(unique.values())
    # Order matters on the way out (a quit, a signal, an error): the writer thread
    # finishes or rolls back, the parse workers stop, and only then is the connection
    # closed; every thread wait below is carried to its end even when cancelled.
    conn = await in_thread(connect, paths.cache_db, paths.state_db)
    tune_for_bulk_writes(conn)
    parser = _Parser(config.refresh.parse_workers, config.refresh.deadline)
    # Feeds that sent a new document: only there can articles have left the feed, and
    # only articles that left are subject to the cache limits.
    renewed: list[str] = []
    ended = False
    try:
        def _register() -> dict[str, _FeedInfo]:
            with transaction(conn):
                for src in feeds:
                    cache.ensure_feed(conn, src)
            return _load_info(conn, [s.url for s in feeds])

        info = await in_thread(_register)
        summary = await _refresh(conn, config, feeds, info, parser, progress, allow_files,
                                 renewed)
        ended = True
    finally:
        parser.close(kill=not ended)
        conn.close()
    if renewed:  # cache limits (max_articles, keep_days) on what left; starred are kept
        from termnews.prune import prune_paths
        await in_thread(prune_paths, paths, config, renewed)
    if full_text and summary.feeds_ok:
        from termnews.fulltext import fetch_missing_full_texts

        await fetch_missing_full_texts(
            paths, config, [s.url for s in feeds], limit=config.refresh.full_text_limit,
            allow_files=allow_files,
        )
    return summary


async def _refresh(
    conn: sqlite3.Connection,
    config: Config,
    feeds: list[FeedSource],
    info: dict[str, _FeedInfo],
    parser: _Parser,
    progress: Progress | None,
    allow_files: bool,
    renewed: list[str],
) -> RefreshSummary:
    from termnews.feeds.fetch import Limiter, fetch, make_client

    total = len(feeds)
    done = 0
    ok = failed = not_modified = new_total = 0
    errors: list[tuple[str, str]] = []
    writer = _Writer(conn, database_path(conn))
    writer_task = asyncio.create_task(writer.run())
    limiter = Limiter(config.refresh.concurrency, config.refresh.per_host)
    budget = _BodyBudget(BODY_BUDGET)
    now = time.time()

    async def one(src: FeedSource, client: object) -> None:
        nonlocal done, ok, failed, not_modified, new_total
        fi = info.get(src.url)
        skip = _skip_reason(fi, now)
        outcome: _Outcome
        held = 0  # bytes charged to the budget until the writer has stored this feed
        if skip is not None:
            outcome = _Outcome(src, None, None, skip)
        else:
            async with limiter.slot(src.url):
                # Checked once a fetch slot is ours: every task passes at the start.
                await budget.wait_for_room()
                result = await fetch(
                    client,  # type: ignore[arg-type]
                    src.url,
                    etag=fi.etag if fi else None,
                    last_modified=fi.last_modified if fi else None,
                    config=config,
                    allow_files=allow_files,
                )
            size = len(result.body)
            budget.take(size)
            parsed: ParsedFeed | None = None
            error = result.error
            try:
                if error is None and not result.not_modified:
                    got = await parser.parse(result, src.edition)
                    if isinstance(got, str):
                        error = got
                    else:
                        parsed = got
            finally:
                # The body is parsed: let it go now, not after the writer gets to this feed.
                result = replace(result, body=b"")
                if parsed is None:
                    await budget.give(size)
                else:
                    # Its parsed form (about as big) waits for the writer: when storing is
                    # the slower end, parsed feeds must not pile up in memory either.
                    held = size
            next_at = None
            if error is not None:
                fails = (fi.fail_count if fi else 0) + 1
                wait = max(backoff_seconds(fails), result.retry_after or 0.0)
                next_at = time.time() + wait
            outcome = _Outcome(src, result, parsed, error, next_at)
        try:
            new = await writer.submit(outcome)
        finally:
            if held:
                await budget.give(held)
        done += 1
        if outcome.error is not None:
            failed += 1
            errors.append((src.url, outcome.error))
        elif outcome.result is not None and outcome.result.not_modified:
            not_modified += 1
            ok += 1
        else:
            ok += 1
        new_total += new
        if outcome.parsed is not None and outcome.error is None:
            renewed.append(src.url)
        if progress is not None:
            progress(RefreshEvent(
                url=src.url, done=done, total=total, new_articles=new, error=outcome.error,
                not_modified=bool(outcome.result is not None and outcome.result.not_modified),
            ))

    try:
        needs_http = any(not s.url.lower().startswith("file:") for s in feeds)
        client_cm = make_client(config) if needs_http else contextlib.nullcontext(None)
        async with client_cm as client:
            results = await asyncio.gather(*(one(s, client) for s in feeds),
                                           return_exceptions=True)
    except BaseException:
        writer.stop.set()  # cancelled or failed: roll back what is being written, stop
        raise
    finally:
        await writer.queue.put(None)
        with contextlib.suppress(Exception):
            await wait_to_end(writer_task)  # its thread is done before the caller closes conn
    if writer.failure is not None:
        raise writer.failure
    for r in results:
        if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError):
            raise r
    return RefreshSummary(feeds_ok=ok, feeds_failed=failed, not_modified=not_modified,
                          new_articles=new_total, errors=tuple(errors))
