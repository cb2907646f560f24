"""refresh.run_refresh through Library.refresh, against the real loopback server."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from feedserver import FeedServer, make_atom, make_rss
from termnews.config import Config, RefreshConfig
from termnews.library import Library
from termnews.model import ArticleQuery, FeedSource, RefreshEvent
from termnews.paths import Paths
from termnews.refresh import backoff_seconds, parse_job, run_refresh


def statuses(lib: Library) -> dict[str, tuple[int | None, str | None, int]]:
    return {s.url: (s.http_status, s.error, s.article_count) for s in lib.feed_statuses()}


def snapshot(lib: Library) -> list[tuple[object, ...]]:
    rows = []
    for row in lib.articles(ArticleQuery()):
        a = lib.article(row.id)
        assert a is not None
        rows.append((a.id, a.key, a.title, a.summary, a.content_html, a.published, a.url))
    return rows


async def test_feeds_stored_exactly_with_progress(library: Library,
                                                  feed_server: FeedServer) -> None:
    urls = feed_server.add_feeds(6, 12)  # more than the inline few: the process pool parses too
    library.add_feeds(urls)
    events: list[RefreshEvent] = []
    summary = await library.refresh(progress=events.append)
    assert (summary.feeds_ok, summary.feeds_failed, summary.new_articles) == (6, 0, 72)
    assert library.count() == 72
    assert sorted(e.url for e in events) == sorted(urls)
    assert [e.done for e in events] == list(range(1, 7))
    assert {e.total for e in events} == {6}
    assert sum(e.new_articles for e in events) == 72
    assert all(e.error is None and not e.not_modified for e in events)
    assert all(status == (200, None, 12) for status in statuses(library).values())
    rows = library.articles(ArticleQuery())
    dates = [r.published for r in rows]
    assert dates == sorted(dates, reverse=True)  # newest first


async def test_second_refresh_is_all_304_and_changes_nothing(library: Library,
                                                             feed_server: FeedServer) -> None:
    library.add_feeds(feed_server.add_feeds(5, 8, atom=True))
    await library.refresh()
    before = snapshot(library)
    feed_server.clear_log()
    events: list[RefreshEvent] = []
    summary = await library.refresh(progress=events.append)
    assert summary.not_modified == 5 and summary.new_articles == 0 and summary.feeds_failed == 0
    assert feed_server.count_304() == 5 and feed_server.count_200() == 0
    assert all(e.not_modified for e in events)
    assert snapshot(library) == before


async def test_changed_feed_adds_only_new_articles(library: Library,
                                                   feed_server: FeedServer) -> None:
    url = feed_server.add("/f.xml", make_rss(1, 5))
    library.add_feeds([url])
    await library.refresh()
    feed_server.touch("/f.xml", make_rss(1, 8))
    summary = await library.refresh()
    assert summary.new_articles == 3 and library.count() == 8


async def test_failing_feed_keeps_articles_and_does_not_stop_others(
        library: Library, feed_server: FeedServer) -> None:
    good = feed_server.add_feeds(3, 4)
    flaky = feed_server.add("/flaky.xml", make_rss(99, 6))
    library.add_feeds([*good, flaky])
    await library.refresh()
    assert library.count() == 18
    feed_server.status("/flaky.xml", 500)
    for path in ("/feeds/0.xml", "/feeds/1.xml", "/feeds/2.xml"):
        feed_server.touch(path, make_rss(int(path[7]), 5))
    summary = await library.refresh()
    assert summary.feeds_failed == 1 and summary.feeds_ok == 3
    assert summary.errors == ((flaky, "HTTP 500"),)
    assert summary.new_articles == 3
    assert statuses(library)[flaky] == (500, "HTTP 500", 6)  # old articles kept
    assert library.count(ArticleQuery(feed_urls=(flaky,))) == 6


async def test_bad_feeds_get_clear_errors(library: Library, feed_server: FeedServer) -> None:
    ok = feed_server.add("/ok.xml", make_atom(1, 3))
    html = feed_server.add("/page.html", b"<!DOCTYPE html><html><body>Welcome</body></html>",
                           "text/html")
    empty = feed_server.add("/empty.xml", b"")
    missing = feed_server.url("/missing.xml")
    hang = feed_server.hang("/hang.xml")
    library.config = Config(refresh=RefreshConfig(timeout=0.5, deadline=5.0))
    library.add_feeds([ok, html, empty, missing, hang])
    summary = await library.refresh()
    assert summary.feeds_ok == 1 and summary.feeds_failed == 4
    errors = {url: status[1] for url, status in statuses(library).items()}
    assert errors == {
        ok: None,
        html: "not a feed: HTML page",
        empty: "empty response",
        missing: "HTTP 404",
        hang: "timed out after 0.5 s",
    }
    assert library.count() == 3


async def test_backoff_after_failure(library: Library, feed_server: FeedServer) -> None:
    url = feed_server.add("/f.xml", make_rss(1, 3))
    library.add_feeds([url])
    await library.refresh()
    feed_server.status("/f.xml", 503)
    first = await library.refresh()
    assert first.errors == ((url, "HTTP 503"),)
    (status,) = library.feed_statuses()
    assert status.next_fetch_at is not None and status.fetched_at is not None
    waited = (status.next_fetch_at - status.fetched_at).total_seconds()
    assert abs(waited - backoff_seconds(1)) < 5
    hits = feed_server.count(path="/f.xml")
    second = await library.refresh()  # backing off: the server is left alone
    assert feed_server.count(path="/f.xml") == hits
    assert second.feeds_failed == 1 and "next try after" in second.errors[0][1]
    assert library.count() == 3


def test_backoff_grows_and_is_capped() -> None:
    assert backoff_seconds(1) == 60
    assert backoff_seconds(2) == 120
    assert backoff_seconds(5) == 16 * 60
    assert backoff_seconds(40) == 24 * 3600


async def test_never_working_feed_may_be_retried_by_hand(library: Library,
                                                         feed_server: FeedServer) -> None:
    feed_server.status("/new.xml", 500)
    library.add_feeds([feed_server.url("/new.xml")])
    await library.refresh()
    await library.refresh()
    assert feed_server.count(path="/new.xml") == 2


async def test_retry_after_is_honoured(library: Library, feed_server: FeedServer) -> None:
    url = feed_server.status("/busy.xml", 429, {"Retry-After": "3600"})
    library.add_feeds([url])
    await library.refresh()
    (status,) = library.feed_statuses()
    assert status.error == "HTTP 429"
    assert (status.next_fetch_at - status.fetched_at).total_seconds() > 3500
    await library.refresh()
    assert feed_server.count(path="/busy.xml") == 1  # told to wait, so it waits


async def test_file_feeds_only_with_allow_files(paths: Paths, tmp_path: Path) -> None:
    feed = tmp_path / "demo.xml"
    feed.write_bytes(make_atom(3, 4))
    src = FeedSource(url=feed.as_uri(), outlet="demo", edition="en", section="world")
    refused = await run_refresh(paths, Config(), [src])
    assert refused.errors == ((feed.as_uri(), "file URLs are not allowed"),)
    done = await run_refresh(paths, Config(), [src], allow_files=True)
    assert done.new_articles == 4
    again = await run_refresh(paths, Config(), [src], allow_files=True)
    assert again.not_modified == 1 and again.new_articles == 0


async def test_duplicate_sources_fetched_once(paths: Paths, feed_server: FeedServer) -> None:
    url = feed_server.add("/f.xml", make_rss(1, 2))
    srcs = [FeedSource(url=url, outlet="o", edition="en", section=s) for s in ("a", "b")]
    summary = await run_refresh(paths, Config(), srcs)
    assert summary.feeds_ok == 1 and feed_server.count(path="/f.xml") == 1


def _deadly_parse_job(body: bytes, url: str, content_type: str,
                      edition: str | None = None) -> object:
    """parse_job, except that one document kills the process parsing it, one never ends."""
    if url.endswith("/killer.xml"):
        os._exit(9)  # as if the kernel's OOM killer struck
    if url.endswith("/sloth.xml"):
        time.sleep(3600)
    return parse_job(body, url, content_type, edition)


async def test_a_dying_parser_process_fails_one_feed_only(
        paths: Paths, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A document that kills its parser process is refused; the others are stored."""
    import termnews.refresh as refresh

    monkeypatch.setattr(refresh, "parse_job", _deadly_parse_job)
    monkeypatch.setattr(refresh, "INLINE_PARSES", 0)
    urls = feed_server.add_feeds(4, 3)
    killer = feed_server.add("/killer.xml", make_rss(50, 3))
    srcs = [FeedSource(url=u, outlet="o", edition="en", section="s") for u in [*urls, killer]]
    summary = await run_refresh(paths, Config(), srcs)
    assert summary.errors == ((killer, "not a feed: the parser process died on it"),)
    assert summary.feeds_ok == 4 and summary.new_articles == 12


async def test_a_parse_that_never_ends_is_stopped(
        paths: Paths, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import termnews.refresh as refresh

    monkeypatch.setattr(refresh, "parse_job", _deadly_parse_job)
    monkeypatch.setattr(refresh, "INLINE_PARSES", 0)
    urls = feed_server.add_feeds(4, 3)
    sloth = feed_server.add("/sloth.xml", make_rss(51, 3))
    srcs = [FeedSource(url=u, outlet="o", edition="en", section="s") for u in [sloth, *urls]]
    config = Config(refresh=RefreshConfig(deadline=2.0))
    summary = await run_refresh(paths, config, srcs)
    assert summary.errors == ((sloth, "not a feed: parsing took over 2 s"),)
    assert summary.feeds_ok == 4 and summary.new_articles == 12


async def test_warm_refresh_uses_indexes_only(library: Library, feed_server: FeedServer,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A refresh of unchanged feeds must cost the same however big the cache: no statement
    of it may scan the articles (or feeds) table."""
    import sqlite3

    import termnews.refresh as refresh
    from termnews.store.db import connect

    library.add_feeds(feed_server.add_feeds(4, 30))
    await library.refresh()
    statements: list[str] = []

    def traced(*args: object, **kw: object) -> sqlite3.Connection:
        conn = connect(*args, **kw)  # type: ignore[arg-type]
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(refresh, "connect", traced)
    summary = await library.refresh()
    assert summary.not_modified == 4
    checked = 0
    probe = library.conn
    for sql in statements:
        head = sql.lstrip().split(None, 1)[0].upper()
        if head not in ("SELECT", "UPDATE", "INSERT", "DELETE"):
            continue
        plan = " | ".join(row[3] for row in probe.execute("EXPLAIN QUERY PLAN " + sql))
        checked += 1
        assert re.search(r"\bSCAN (articles|feeds|a|f)\b", plan) is None, (sql, plan)
    assert checked >= 8  # the registration, the look-ups and the 304 records were seen


async def test_a_feed_added_by_url_is_named_by_its_own_title(library: Library,
                                                             feed_server: FeedServer) -> None:
    url = feed_server.add("/named.xml", make_rss(42, 2))
    library.add_feeds([url])
    outlet = next(o for o in library.outlets() if o.user)
    assert outlet.name == url  # not fetched yet: the URL is all there is
    await library.refresh()
    outlet = next(o for o in library.outlets() if o.user)
    assert outlet.name == "Test feed 42"
    assert outlet.editions[0].sections[0].title == "Test feed 42"
