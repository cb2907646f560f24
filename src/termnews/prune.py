"""Cache limits: per-feed ``max_articles`` and ``keep_days``, for articles that have
left their feed; starred is never purged.

What a feed's current document carries is never removed (``articles.in_feed``, kept by
``cache.store_entries``): a new subscriber to a feed whose posts are all a year old
sees them, and a feed of 5,000 items keeps them all. The limits apply to the articles
the feed has dropped since: one of them goes when it is not among the feed's newest
``max_articles`` (all its articles counted) or is older than ``keep_days``.

The cache is shared by every profile in a data directory, so an article starred
by ANY profile stays (marks are keyed by the stable article key). Deleting an
article row also drops its FTS entry (trigger) and its alternates (cascade);
read marks stay in state.db.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from termnews.config import Config
from termnews.store.cache import from_epoch
from termnews.store.db import transaction

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class PruneResult:
    feeds: int = 0  # feeds looked at
    deleted: int = 0  # articles removed in all
    by_age: int = 0  # of them, older than keep_days
    by_count: int = 0  # of them, beyond max_articles
    kept_starred: int = 0  # articles over a limit kept because a profile starred them


@dataclass(frozen=True, slots=True)
class CacheStats:
    feeds: int
    articles: int
    full_texts: int
    full_text_errors: int
    starred: int
    oldest: datetime | None
    newest: datetime | None
    cache_db_bytes: int
    state_db_bytes: int
    images: int
    image_bytes: int


def _conn_of(lib_or_conn: object) -> sqlite3.Connection:
    if isinstance(lib_or_conn, sqlite3.Connection):
        return lib_or_conn
    return lib_or_conn.conn  # type: ignore[attr-defined, no-any-return]


def starred_keys(conn: sqlite3.Connection) -> set[str]:
    """Keys of articles starred by any profile."""
    return {k for (k,) in conn.execute("SELECT key FROM state.marks WHERE starred = 1")}


def _over_limits(
    conn: sqlite3.Connection, feed_id: int, max_articles: int, cutoff: float | None
) -> tuple[list[tuple[int, str]], set[int]]:
    """(id, key) beyond the limits, and which of those ids are too old; articles the
    feed still carries are never among them."""
    doomed: dict[int, str] = {}
    if max_articles > 0:
        # Newest first; undated articles count as the oldest.
        doomed.update(conn.execute(
            """SELECT id, key FROM (
                   SELECT id, key, in_feed FROM articles WHERE feed_id = ?
                   ORDER BY published IS NULL, published DESC, id DESC LIMIT -1 OFFSET ?)
               WHERE in_feed = 0""",
            (feed_id, max_articles),
        ).fetchall())
    old: set[int] = set()
    if cutoff is not None:
        rows = conn.execute(
            """SELECT id, key FROM articles WHERE feed_id = ? AND published < ? AND in_feed = 0
               UNION ALL
               SELECT id, key FROM articles WHERE feed_id = ? AND published IS NULL
                   AND fetched_at < ? AND in_feed = 0""",
            (feed_id, cutoff, feed_id, cutoff),
        ).fetchall()
        for aid, key in rows:
            old.add(aid)
            doomed[aid] = key
    return list(doomed.items()), old


def _has_left(conn: sqlite3.Connection, feed_id: int) -> bool:
    """Whether any article has left the feed, from its count (kept by triggers) and the
    index of the ones still in it: no look at the articles themselves, whose ``in_feed``
    sits after the bodies (a full-content row reads its overflow pages to get there)."""
    row = conn.execute(
        """SELECT article_count > (SELECT count(*) FROM articles
                                   WHERE feed_id = feeds.id AND in_feed = 1)
           FROM feeds WHERE id = ?""", (feed_id,)).fetchone()
    return bool(row and row[0])


def _delete(conn: sqlite3.Connection, doomed: Sequence[tuple[int, str]]) -> None:
    """Delete the articles (they have left their feed: it cannot bring them back as new
    unless it carries them again)."""
    ids = [aid for aid, _ in doomed]
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        conn.execute(f"DELETE FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk)


def prune(
    lib_or_conn: object,
    config: Config,
    urls: Iterable[str] | None = None,
    *,
    now: float | None = None,
) -> PruneResult:
    """Apply each feed's limits (all cached feeds, or the given URLs); one transaction per feed.

    ``max_articles`` ≤ 0 and ``keep_days`` ≤ 0 mean no limit.
    """
    conn = _conn_of(lib_or_conn)
    now = time.time() if now is None else now
    if urls is None:
        feeds = conn.execute("SELECT id, url FROM feeds ORDER BY id").fetchall()
    else:
        wanted = list(dict.fromkeys(urls))
        feeds = []
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            feeds.extend(conn.execute(
                f"SELECT id, url FROM feeds WHERE url IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall())
    starred: set[str] | None = None
    deleted = by_age = by_count = kept = 0
    for fid, url in feeds:
        max_articles = config.feed_max_articles(url)
        keep_days = config.feed_keep_days(url)
        cutoff = now - keep_days * 86400 if keep_days > 0 else None
        if max_articles <= 0 and cutoff is None:
            continue
        if not _has_left(conn, fid):
            continue  # every article is still in the feed: none can go (a cold refresh)
        with transaction(conn):
            doomed, old = _over_limits(conn, fid, max_articles, cutoff)
            if not doomed:
                continue
            if starred is None:
                starred = starred_keys(conn)
            gone = [(aid, key) for aid, key in doomed if key not in starred]
            kept += len(doomed) - len(gone)
            _delete(conn, gone)
        deleted += len(gone)
        aged = sum(1 for aid, _ in gone if aid in old)
        by_age += aged
        by_count += len(gone) - aged
    return PruneResult(feeds=len(feeds), deleted=deleted, by_age=by_age, by_count=by_count,
                       kept_starred=kept)


def prune_paths(paths: object, config: Config, urls: Iterable[str] | None = None) -> PruneResult:
    """``prune`` on a connection of its own (for the refresh engine, in a thread)."""
    from termnews.store.db import connect

    conn = connect(paths.cache_db, paths.state_db)  # type: ignore[attr-defined]
    try:
        return prune(conn, config, urls)
    finally:
        conn.close()


def _file_size(path: object) -> int:
    from pathlib import Path

    total = 0
    for suffix in ("", "-wal"):
        p = Path(f"{path}{suffix}")
        try:
            total += p.stat().st_size
        except OSError:
            pass
    return total


def cache_stats(lib_or_conn: object, paths: object | None = None) -> CacheStats:
    """What the cache holds and how big it is (sizes when ``paths`` or a Library is given)."""
    conn = _conn_of(lib_or_conn)
    if paths is None:
        paths = getattr(lib_or_conn, "paths", None)
    feeds = conn.execute("SELECT count(*) FROM feeds").fetchone()[0]
    articles, full, errors, oldest, newest = conn.execute(
        """SELECT count(*), count(NULLIF(full_text, '')),
                  count(CASE WHEN full_text = '' THEN full_text_error END),
                  min(published), max(published) FROM articles"""
    ).fetchone()
    starred = conn.execute(
        "SELECT count(*) FROM articles WHERE key IN (SELECT key FROM state.marks WHERE starred=1)"
    ).fetchone()[0]
    cache_bytes = state_bytes = images = image_bytes = 0
    if paths is not None:
        cache_bytes = _file_size(paths.cache_db)  # type: ignore[attr-defined]
        state_bytes = _file_size(paths.state_db)  # type: ignore[attr-defined]
        images_dir = paths.images_dir  # type: ignore[attr-defined]
        if images_dir.is_dir():
            for p in images_dir.iterdir():
                if p.is_file():
                    images += 1
                    image_bytes += p.stat().st_size
    return CacheStats(
        feeds=feeds, articles=articles, full_texts=full, full_text_errors=errors, starred=starred,
        oldest=from_epoch(oldest), newest=from_epoch(newest), cache_db_bytes=cache_bytes,
        state_db_bytes=state_bytes, images=images, image_bytes=image_bytes,
    )


def compact(lib_or_conn: object) -> None:
    """Merge the FTS index's segments and give freed pages back to the file system."""
    conn = _conn_of(lib_or_conn)
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
    conn.execute("VACUUM main")
