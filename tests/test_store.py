"""Storage: schema, dedup, marks keyed by stable keys, per-profile state."""

from __future__ import annotations

from datetime import UTC, datetime

from termnews.config import Config
from termnews.library import Library
from termnews.model import ArticleQuery, FeedSource, ParsedEntry, ParsedFeed
from termnews.paths import Paths
from termnews.store import cache
from termnews.store.db import connect, transaction

URL = "http://127.0.0.1:1/feed.xml"


def _feed(n: int, *, start: int = 0) -> ParsedFeed:
    return ParsedFeed(
        title="Test feed",
        language="en",
        entries=tuple(
            ParsedEntry(guid=f"g{i}", url=f"http://127.0.0.1:1/a/{i}", title=f"Story {i}",
                        summary=f"Summary of story {i} about quantum cats",
                        published=datetime(2026, 1, 1 + i % 28, 12, tzinfo=UTC),
                        categories=("World", "Europe"))
            for i in range(start, start + n)
        ),
    )


def _store(lib: Library, parsed: ParsedFeed) -> int:
    lib.add_feeds([URL])
    lib.feed_sources()
    with transaction(lib.conn):
        return cache.store_entries(lib.conn, URL, parsed)


def test_schema_versions_and_reopen(paths: Paths) -> None:
    conn = connect(paths.cache_db, paths.state_db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    assert conn.execute("PRAGMA state.user_version").fetchone()[0] >= 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    connect(paths.cache_db, paths.state_db).close()


def test_store_dedups_by_guid_and_counts_new(library: Library) -> None:
    assert _store(library, _feed(5)) == 5
    assert _store(library, _feed(5)) == 0
    assert _store(library, _feed(5, start=3)) == 3
    rows = library.articles()
    assert len(rows) == 8
    assert [r.published for r in rows] == sorted((r.published for r in rows), reverse=True)


def test_search_uses_fts(library: Library) -> None:
    _store(library, _feed(3))
    assert len(library.articles(ArticleQuery(search="quantum"))) == 3
    assert [r.title for r in library.articles(ArticleQuery(search="story 1"))] == ["Story 1"]
    assert library.articles(ArticleQuery(search="\"[/]*")) == []


def test_marks_are_per_profile_and_survive_cache_loss(paths: Paths) -> None:
    alice = Library(paths, Config(), "alice")
    bob = Library(paths, Config(), "bob")
    alice.start(starter=False)
    bob.start(starter=False)
    _store(alice, _feed(2))
    bob.add_feeds([URL])
    article = alice.articles()[0]
    alice.mark_read([article.id])
    alice.star([article.id])
    assert alice.article(article.id).read  # type: ignore[union-attr]
    assert not bob.article(article.id).read  # type: ignore[union-attr]
    alice.close()
    bob.close()
    for suffix in ("", "-wal", "-shm"):
        paths.cache_db.with_name("cache.db" + suffix).unlink(missing_ok=True)
    alice = Library(paths, Config(), "alice")
    _store(alice, _feed(2))
    again = next(r for r in alice.articles() if r.title == article.title)
    assert again.read and again.starred
    alice.close()


def test_feed_outcome_recorded(library: Library) -> None:
    from termnews.model import FetchResult

    library.add_feeds([URL])
    library.feed_sources()
    with transaction(library.conn):
        cache.record_fetch(library.conn, URL, FetchResult(url=URL, status=500), error="HTTP 500")
    (status,) = library.feed_statuses()
    assert status.error == "HTTP 500" and status.http_status == 500
    assert cache.fail_count(library.conn, URL) == 1
    assert FeedSource(url=URL, outlet="x", edition="", section="main").url == URL


def test_body_text_is_searchable(library: Library) -> None:
    parsed = ParsedFeed(title="t", language="en", entries=(
        ParsedEntry(guid="b1", url="http://127.0.0.1:1/b1", title="Teaser only",
                    summary="A short teaser.", content_html="<p>The lighthouse keeper</p>",
                    body_text="The lighthouse keeper"),
    ))
    _store(library, parsed)
    assert [r.title for r in library.articles(ArticleQuery(search="lighthouse"))] == [
        "Teaser only"]
