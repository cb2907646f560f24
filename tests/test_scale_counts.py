"""Counts that do not grow with the cache: each feed's article count is kept by triggers
(schema migration 8), and the counts of a view and the sidebar read it. They must always
equal a plain count, whatever wrote or deleted the rows."""

from __future__ import annotations

import random
import re
import sqlite3
from datetime import UTC, datetime, timedelta

from termnews.config import CacheConfig, Config
from termnews.library import Library
from termnews.model import ArticleQuery, FeedSource, ParsedEntry, ParsedFeed
from termnews.paths import Paths
from termnews.prune import prune
from termnews.store import cache
from termnews.store.db import _migrate, connect, register_functions, transaction
from termnews.store.schema import CACHE_MIGRATIONS

URLS = [f"http://127.0.0.1:1/counts/{i}.xml" for i in range(4)]


def _entries(feed: int, n: int, start: int = 0, *, shared: bool = False) -> ParsedFeed:
    base = datetime(2026, 11, 20, tzinfo=UTC)
    return ParsedFeed(title=f"Feed {feed}", language="en", entries=tuple(
        ParsedEntry(
            guid=f"f{feed}-{i}",
            # shared: the same story (link and title) in every feed, so copies are folded
            url=f"http://127.0.0.1:1/story/{i}" if shared else f"http://127.0.0.1:1/{feed}/{i}",
            title=f"Story {i}" if shared else f"Feed {feed} story {i}",
            published=base - timedelta(hours=i),
        )
        for i in range(start, start + n)))


def _store(conn: sqlite3.Connection, feed: int, parsed: ParsedFeed) -> int:
    with transaction(conn):
        return cache.store_entries(conn, URLS[feed], parsed)


def _assert_counts_true(conn: sqlite3.Connection) -> None:
    kept = dict(conn.execute("SELECT id, article_count FROM feeds").fetchall())
    real = dict(conn.execute("SELECT f.id, count(a.id) FROM feeds f "
                             "LEFT JOIN articles a ON a.feed_id = f.id GROUP BY f.id").fetchall())
    assert kept == real


def _library(paths: Paths) -> Library:
    lib = Library(paths, Config(cache=CacheConfig(max_articles=30, keep_days=0)), "tester")
    lib.start(starter=False)
    lib.add_feeds(URLS, folder="Counts")
    lib.feed_sources()
    return lib


def test_feed_counts_follow_inserts_prunes_and_removed_feeds(paths: Paths) -> None:
    lib = _library(paths)
    conn = lib.conn
    for feed in range(4):
        _store(conn, feed, _entries(feed, 20))
    _assert_counts_true(conn)
    _store(conn, 1, _entries(1, 25, start=10))  # 15 new, 10 updated
    _store(conn, 2, _entries(2, 20))  # nothing new
    _store(conn, 1, _entries(1, 20))  # items 20-34 leave feed 1 (the limits apply to them)
    _assert_counts_true(conn)
    result = prune(conn, lib.config)  # max_articles = 30: feed 1 loses 5
    assert result.deleted == 5
    _assert_counts_true(conn)
    with transaction(conn):
        conn.execute("DELETE FROM feeds WHERE url = ?", (URLS[3],))  # cascades to articles
    _assert_counts_true(conn)
    assert lib.count() == 20 + 30 + 20
    lib.close()


def test_view_and_unread_counts_equal_plain_counts(paths: Paths) -> None:
    lib = _library(paths)
    conn = lib.conn
    rng = random.Random(14)
    for feed in range(4):
        _store(conn, feed, _entries(feed, 15))
        _store(conn, feed, _entries(feed, 10, start=100, shared=True))  # folded copies
    ids = [r.id for r in lib.articles()]
    lib.mark_read(rng.sample(ids, len(ids) // 3))
    lib.star(rng.sample(ids, 5))

    def plain(urls: list[str], *, unread: bool = False) -> int:
        rows = lib.articles(ArticleQuery(feed_urls=tuple(urls), unread=unread))
        return len(rows)

    for urls in (URLS, URLS[:1], URLS[1:3], []):
        for unread in (False, True):
            q = ArticleQuery(feed_urls=tuple(urls), unread=unread)
            assert lib.count(q) == plain(urls, unread=unread), (urls, unread)
    unread = lib.unread_counts()
    for url in URLS:
        per_feed = len(lib.articles(ArticleQuery(feed_urls=(url,), unread=True)))
        assert unread.get(url, 0) == per_feed
    lib.close()


def test_the_counts_of_a_view_do_not_walk_the_articles(paths: Paths) -> None:
    """The total of a view and the sidebar's totals come from the feeds table; only the
    read marks (for unread) and the folded copies (partial index) meet articles."""
    lib = _library(paths)
    conn = lib.conn
    for feed in range(4):
        _store(conn, feed, _entries(feed, 5))
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    lib.count()
    lib.count(ArticleQuery(unread=True))
    lib.unread_counts()
    conn.set_trace_callback(None)
    checked = 0
    for sql in statements:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
        checked += 1
        assert re.search(r"\bSCAN (articles|a)\b", plan) is None, (sql, plan)
        assert "articles_feed_published" not in plan, (sql, plan)
    assert checked >= 4
    lib.close()


def test_the_migration_counts_articles_already_cached(paths: Paths) -> None:
    """A cache made before migration 8 gets the counts of what it holds."""
    conn = sqlite3.connect(paths.cache_db, isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS state", (str(paths.state_db),))
    register_functions(conn)
    _migrate(conn, "main", CACHE_MIGRATIONS[:7])
    for i, url in enumerate(URLS[:2]):
        conn.execute("INSERT INTO feeds(url) VALUES (?)", (url,))
        for j in range(3 + i):
            conn.execute("INSERT INTO articles(feed_id, key, guid, fetched_at) "
                         "VALUES (?, ?, ?, 0)", (i + 1, f"{url}\ng{j}", f"g{j}"))
    conn.close()
    conn = connect(paths.cache_db, paths.state_db)
    assert dict(conn.execute("SELECT url, article_count FROM feeds")) == {URLS[0]: 3,
                                                                         URLS[1]: 4}
    with transaction(conn):
        cache.ensure_feed(conn, FeedSource(url=URLS[0], outlet="o", edition="", section="s"))
        cache.store_entries(conn, URLS[0], _entries(0, 2))
    _assert_counts_true(conn)
    conn.close()
