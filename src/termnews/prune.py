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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from termnews.config import Config
from termnews.paths import Paths
from termnews.store import upkeep
from termnews.store.cache import from_epoch
from termnews.store.db import transaction


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


def _over_limits(
    conn: sqlite3.Connection, feed_id: int, max_articles: int, cutoff: float | None
) -> tuple[list[tuple[int, str]], set[int]]:
    """(id, key) beyond the limits, and which of those ids are too old; articles the
    feed still carries are never among them."""
    doomed: dict[int, str] = {}
    if max_articles > 0:
        doomed.update(upkeep.beyond_newest(conn, feed_id, max_articles))
    old: set[int] = set()
    if cutoff is not None:
        for aid, key in upkeep.older_than(conn, feed_id, cutoff):
            old.add(aid)
            doomed[aid] = key
    return list(doomed.items()), old


def prune(
    conn: sqlite3.Connection,
    config: Config,
    urls: Iterable[str] | None = None,
    *,
    now: float | None = None,
) -> PruneResult:
    """Apply each feed's limits (all cached feeds, or the given URLs); one transaction per feed.

    ``max_articles`` ≤ 0 and ``keep_days`` ≤ 0 mean no limit.
    """
    now = time.time() if now is None else now
    feeds = upkeep.feeds(conn, urls)
    starred: set[str] | None = None
    deleted = by_age = by_count = kept = 0
    for fid, url in feeds:
        max_articles = config.feed_max_articles(url)
        keep_days = config.feed_keep_days(url)
        cutoff = now - keep_days * 86400 if keep_days > 0 else None
        if max_articles <= 0 and cutoff is None:
            continue
        if not upkeep.has_left(conn, fid):
            continue  # every article is still in the feed: none can go (a cold refresh)
        with transaction(conn):
            doomed, old = _over_limits(conn, fid, max_articles, cutoff)
            if not doomed:
                continue
            if starred is None:
                starred = upkeep.starred_keys(conn)
            gone = [(aid, key) for aid, key in doomed if key not in starred]
            kept += len(doomed) - len(gone)
            # They have left their feed: it cannot bring them back as new unless it
            # carries them again.
            upkeep.delete_articles(conn, [aid for aid, _ in gone])
        deleted += len(gone)
        aged = sum(1 for aid, _ in gone if aid in old)
        by_age += aged
        by_count += len(gone) - aged
    return PruneResult(feeds=len(feeds), deleted=deleted, by_age=by_age, by_count=by_count,
                       kept_starred=kept)


def prune_paths(paths: Paths, config: Config, urls: Iterable[str] | None = None) -> PruneResult:
    """``prune`` on a connection of its own (for the refresh engine, in a thread)."""
    from termnews.store.db import connect

    conn = connect(paths.cache_db, paths.state_db)
    try:
        return prune(conn, config, urls)
    finally:
        conn.close()


def _file_size(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal"):
        try:
            total += Path(f"{path}{suffix}").stat().st_size
        except OSError:
            pass
    return total


def cache_stats(conn: sqlite3.Connection, paths: Paths | None = None) -> CacheStats:
    """What the cache holds and how big it is (file sizes and images when paths are given)."""
    feeds, articles, full, errors, starred, oldest, newest = upkeep.counts(conn)
    cache_bytes = state_bytes = images = image_bytes = 0
    if paths is not None:
        cache_bytes = _file_size(paths.cache_db)
        state_bytes = _file_size(paths.state_db)
        if paths.images_dir.is_dir():
            for p in paths.images_dir.iterdir():
                if p.is_file():
                    images += 1
                    image_bytes += p.stat().st_size
    return CacheStats(
        feeds=feeds, articles=articles, full_texts=full, full_text_errors=errors, starred=starred,
        oldest=from_epoch(oldest), newest=from_epoch(newest), cache_db_bytes=cache_bytes,
        state_db_bytes=state_bytes, images=images, image_bytes=image_bytes,
    )
