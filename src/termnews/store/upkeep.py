"""The queries of cache upkeep: the per-feed limits (``termnews.prune``), what the cache
holds, and compacting it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

_CHUNK = 500  # host parameters per IN (…) list


def _marks(n: int) -> str:
    return ",".join("?" * n)


def feeds(conn: sqlite3.Connection, urls: Iterable[str] | None = None) -> list[tuple[int, str]]:
    """(id, url) of every cached feed, or of those of these URLs."""
    if urls is None:
        return conn.execute("SELECT id, url FROM feeds ORDER BY id").fetchall()
    wanted = list(dict.fromkeys(urls))
    found: list[tuple[int, str]] = []
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        found.extend(conn.execute(
            f"SELECT id, url FROM feeds WHERE url IN ({_marks(len(chunk))})", chunk
        ).fetchall())
    return found


def starred_keys(conn: sqlite3.Connection) -> set[str]:
    """Keys of articles starred by any profile."""
    return {k for (k,) in conn.execute("SELECT key FROM state.marks WHERE starred = 1")}


def beyond_newest(conn: sqlite3.Connection, feed_id: int, keep: int) -> list[tuple[int, str]]:
    """(id, key) of a feed's articles that are not among its newest ``keep`` (all its
    articles counted; undated ones count as the oldest) and have left the feed."""
    return conn.execute(
        """SELECT id, key FROM (
               SELECT id, key, in_feed FROM articles WHERE feed_id = ?
               ORDER BY published IS NULL, published DESC, id DESC LIMIT -1 OFFSET ?)
           WHERE in_feed = 0""",
        (feed_id, keep),
    ).fetchall()


def older_than(conn: sqlite3.Connection, feed_id: int, cutoff: float) -> list[tuple[int, str]]:
    """(id, key) of a feed's articles published (undated: fetched) before cutoff that have
    left the feed."""
    return conn.execute(
        """SELECT id, key FROM articles WHERE feed_id = ? AND published < ? AND in_feed = 0
           UNION ALL
           SELECT id, key FROM articles WHERE feed_id = ? AND published IS NULL
               AND fetched_at < ? AND in_feed = 0""",
        (feed_id, cutoff, feed_id, cutoff),
    ).fetchall()


def has_left(conn: sqlite3.Connection, feed_id: int) -> bool:
    """Whether any article has left the feed, from its count (kept by triggers) and the
    index of the ones still in it: no look at the articles themselves, whose ``in_feed``
    sits after the bodies (a full-content row reads its overflow pages to get there)."""
    row = conn.execute(
        """SELECT article_count > (SELECT count(*) FROM articles
                                   WHERE feed_id = feeds.id AND in_feed = 1)
           FROM feeds WHERE id = ?""", (feed_id,)).fetchone()
    return bool(row and row[0])


def delete_articles(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """Delete articles (their FTS entries go by trigger, their alternates by cascade)."""
    for i in range(0, len(ids), _CHUNK):
        chunk = list(ids[i : i + _CHUNK])
        conn.execute(f"DELETE FROM articles WHERE id IN ({_marks(len(chunk))})", chunk)


def counts(conn: sqlite3.Connection
           ) -> tuple[int, int, int, int, int, float | None, float | None]:
    """(feeds, articles, with full text, full-text failures, starred by any profile,
    oldest and newest publication time)."""
    feeds_n = conn.execute("SELECT count(*) FROM feeds").fetchone()[0]
    articles, full, errors, oldest, newest = conn.execute(
        """SELECT count(*), count(NULLIF(full_text, '')),
                  count(CASE WHEN full_text = '' THEN full_text_error END),
                  min(published), max(published) FROM articles"""
    ).fetchone()
    starred = conn.execute(
        "SELECT count(*) FROM articles WHERE key IN (SELECT key FROM state.marks WHERE starred=1)"
    ).fetchone()[0]
    return feeds_n, articles, full, errors, starred, oldest, newest


def compact(conn: sqlite3.Connection) -> None:
    """Merge the FTS index's segments and give freed pages back to the file system."""
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
    conn.execute("VACUUM main")
