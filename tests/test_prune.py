"""Cache limits: per-feed max_articles and keep_days; starred (by any profile) never purged."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from termnews.cli import main
from termnews.config import CacheConfig, Config, FeedOverride
from termnews.library import Library
from termnews.model import ArticleQuery, FeedSource, ParsedEntry, ParsedFeed
from termnews.paths import Paths
from termnews.prune import prune
from termnews.store import cache
from termnews.store.db import transaction

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
A = "http://127.0.0.1:9/a.xml"
B = "http://127.0.0.1:9/b.xml"


def fill(lib: Library, url: str, n: int, *, days_apart: float = 1.0,
         left: bool = True) -> None:
    """n articles, item 0 newest, each days_apart older than the one before; left: the
    feed has dropped them since (a later document without them), so the limits apply."""
    lib.add_feeds([url])
    lib.feed_sources([url])
    entries = tuple(
        # Links of their own per feed: two feeds sharing a link are one story (its
        # marks apply to both copies; tests/test_duplicates.py).
        ParsedEntry(guid=f"{url}#{i}", url=f"https://news.test/{url[-5:]}/{i}",
                    title=f"Item {i} of {url}",
                    summary=f"Body {i}", published=NOW - timedelta(days=i * days_apart))
        for i in range(n)
    )
    with transaction(lib.conn):
        cache.ensure_feed(lib.conn, FeedSource(url=url, outlet="feed:" + url, edition="",
                                               section="main"))
        cache.store_entries(lib.conn, url, ParsedFeed(title="t", language="en", entries=entries))
        if left:
            cache.store_entries(lib.conn, url, ParsedFeed(title="t", language="en", entries=()))


def guids(lib: Library, url: str) -> set[str]:
    return {r[0] for r in lib.conn.execute(
        "SELECT a.guid FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE f.url = ?", (url,))}


def ids_of(lib: Library, url: str, items: range) -> list[int]:
    want = {f"{url}#{i}" for i in items}
    return [r[0] for r in lib.conn.execute(
        "SELECT a.id, a.guid FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE f.url = ?",
        (url,)) if r[1] in want]


def test_max_articles_keeps_the_newest_and_starred(paths: Paths) -> None:
    alice = Library(paths, Config(), "alice")
    bob = Library(paths, Config(), "bob")
    alice.start(starter=False)
    bob.start(starter=False)
    fill(alice, A, 10)
    fill(alice, B, 3)
    bob.star(ids_of(bob, A, range(8, 9)))  # another profile's star protects it too
    alice.star(ids_of(alice, A, range(6, 7)))
    config = Config(cache=CacheConfig(max_articles=4, keep_days=0))
    result = prune(alice.conn, config, now=NOW.timestamp())
    assert guids(alice, A) == {f"{A}#{i}" for i in (0, 1, 2, 3, 6, 8)}
    assert len(guids(alice, B)) == 3
    assert (result.deleted, result.by_count, result.by_age, result.kept_starred) == (4, 4, 0, 2)
    # Search (FTS) forgets the deleted ones too.
    assert alice.articles(ArticleQuery(search="Item 5")) == []
    assert len(alice.articles(ArticleQuery(search="Item 6"))) == 1
    # Pruning again changes nothing.
    assert prune(alice.conn, config, now=NOW.timestamp()).deleted == 0
    alice.close()
    bob.close()


def test_keep_days_and_per_feed_override(library: Library) -> None:
    fill(library, A, 10)
    fill(library, B, 10)
    library.star(ids_of(library, A, range(9, 10)))
    config = Config(cache=CacheConfig(max_articles=0, keep_days=5),
                    feeds={B: FeedOverride(keep_days=2, max_articles=100)})
    result = prune(library.conn, config, now=NOW.timestamp() + 3600)
    # Feed A keeps articles younger than 5 days (0-4) and the starred one; B younger than 2.
    assert guids(library, A) == {f"{A}#{i}" for i in (0, 1, 2, 3, 4, 9)}
    assert guids(library, B) == {f"{B}#{i}" for i in (0, 1)}
    assert result.by_age == result.deleted == 4 + 8
    assert result.kept_starred == 1


def test_prune_only_given_feeds_and_zero_means_no_limit(library: Library) -> None:
    fill(library, A, 6)
    fill(library, B, 6)
    config = Config(cache=CacheConfig(max_articles=2, keep_days=0))
    prune(library.conn, config, [A], now=NOW.timestamp())
    assert len(guids(library, A)) == 2 and len(guids(library, B)) == 6
    unlimited = Config(cache=CacheConfig(max_articles=0, keep_days=0))
    assert prune(library.conn, unlimited, now=NOW.timestamp()).deleted == 0
    assert len(guids(library, B)) == 6


def test_undated_articles_age_by_fetch_time(library: Library) -> None:
    library.add_feeds([A])
    with transaction(library.conn):
        cache.ensure_feed(library.conn, FeedSource(url=A, outlet="x", edition="", section="m"))
        cache.store_entries(library.conn, A, ParsedFeed(title="t", language="en", entries=(
            ParsedEntry(guid="undated", url="https://news.test/u", title="Undated"),)))
        cache.store_entries(library.conn, A, ParsedFeed(title="t", language="en", entries=()))
    config = Config(cache=CacheConfig(max_articles=0, keep_days=1))
    assert prune(library.conn, config, now=time.time()).deleted == 0  # fetched just now
    assert prune(library.conn, config, now=time.time() + 2 * 86400).deleted == 1


def test_cache_commands(library: Library, paths: Paths, capsys: object) -> None:
    fill(library, A, 5)
    library.star(ids_of(library, A, range(4, 5)))
    library.close()
    paths.config_file.write_text("[cache]\nmax_articles = 2\nkeep_days = 0\n")
    base = ["--data-dir", str(paths.data_dir), "--profile", "tester", "cache"]
    assert main([*base, "stats", "--json"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    stats = json.loads(out)
    assert stats["articles"] == 5 and stats["starred"] == 1 and stats["feeds"] == 1
    assert stats["cache_db_bytes"] > 0
    assert main([*base, "prune", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert result["deleted"] == 2 and result["kept_starred"] == 1
    assert main([*base, "prune", "--vacuum"]) == 0
    assert "pruned 0 articles" in capsys.readouterr().out  # type: ignore[attr-defined]
    assert main([*base, "stats"]) == 0
    assert "articles     3" in capsys.readouterr().out  # type: ignore[attr-defined]


def test_cache_stats_counts_full_text(library: Library) -> None:
    fill(library, A, 3)
    ids = ids_of(library, A, range(3))
    with transaction(library.conn):
        cache.set_full_text(library.conn, ids[0], text="Whole story")
        cache.set_full_text(library.conn, ids[1], error="HTTP 404")
    stats = library.cache_stats()
    assert (stats.articles, stats.full_texts, stats.full_text_errors) == (3, 1, 1)


async def test_refresh_applies_limits_to_what_left_the_feed(feed_server: object,
                                                            paths: Paths) -> None:
    from feedserver import FeedServer, make_rss

    assert isinstance(feed_server, FeedServer)
    url = feed_server.add("/ten.xml", make_rss(1, 10))
    config = Config(cache=CacheConfig(max_articles=4, keep_days=0))
    lib = Library(paths, config, "tester")
    lib.start(starter=False)
    lib.add_feeds([url])
    first = await lib.refresh()
    # The feed carries ten: all ten are stored and stay, whatever max_articles says.
    assert first.new_articles == 10
    assert len(lib.articles()) == 10
    # One more, older item: stored too; nothing has left the feed yet.
    feed_server.touch("/ten.xml", make_rss(1, 11))
    second = await lib.refresh()
    assert second.new_articles == 1
    assert len(lib.articles()) == 11
    # The feed drops all but its newest two: of the nine that left, those beyond the
    # newest four go (items 4-10); items 2 and 3 stay.
    feed_server.touch("/ten.xml", make_rss(1, 2))
    third = await lib.refresh()
    assert third.new_articles == 0
    left = {r.title for r in lib.articles()}
    from feedserver import item_title

    assert left == {item_title(1, i) for i in range(4)}
    lib.close()


def test_what_a_feed_carries_stays_and_a_partial_store_changes_no_mark(
        library: Library) -> None:
    fill(library, A, 3, left=False)  # the feed's current document: three items
    # A sync server's new entry for the feed: some entries, not the feed's document.
    with transaction(library.conn):
        cache.store_entries(library.conn, A, ParsedFeed(title="t", language="en", entries=(
            ParsedEntry(guid="from-server", url="https://news.test/s", title="From server",
                        published=NOW - timedelta(days=30)),)), whole_document=False)
    config = Config(cache=CacheConfig(max_articles=1, keep_days=1))
    result = prune(library.conn, config, now=NOW.timestamp() + 10 * 86400)
    assert guids(library, A) == {f"{A}#{i}" for i in range(3)}
    assert result.deleted == 1
