"""The search index's text made by the parse workers (cache.with_index_texts) is exactly
what the index's view gives: FTS5's integrity check against the view holds after a
refresh, whichever process worded the rows, and rows worded for another language than
the one they are stored with are worded again by the view. A worker is forked while
other threads run: it must not wait on a lock one of them held."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time

import pytest

from feedserver import FeedServer, make_rss
from termnews import lemmas, terms
from termnews.config import Config, RefreshConfig
from termnews.model import FeedSource, FetchResult, ParsedFeed
from termnews.paths import Paths
from termnews.refresh import parse_job, run_refresh
from termnews.store import cache
from termnews.store.db import connect, transaction

LANGS = ("en", "fr", "ru", "de", "")  # "": no language given (the edition's is taken)


def _integrity(conn: sqlite3.Connection) -> None:
    # rank 1: every row's index entries are compared with what the view says they are.
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")


def _view_texts(conn: sqlite3.Connection, feed_url: str) -> dict[str, tuple[str, ...]]:
    """guid → (index_lang, title, summary, categories, body_text) as the view words them."""
    return {guid: tuple(rest) for guid, *rest in conn.execute(
        """SELECT a.guid, a.index_lang, v.title, v.summary, v.categories, v.body_text
           FROM articles a JOIN articles_fts_text v ON v.id = a.id
           JOIN feeds f ON f.id = a.feed_id WHERE f.url = ?""", (feed_url,))}


def _document(n: int, lang: str) -> bytes:
    # Words whose forms differ by language: stems, dictionary forms, folded accents.
    body = make_rss(n, 6, lang=lang or "en")
    if not lang:
        body = body.replace(b"<language>en</language>\n", b"")
    return body.replace(b"Second paragraph", "Les sociétés, улицы and Dörfer running".encode())


@pytest.mark.parametrize("lang", LANGS)
def test_worded_by_the_parser_is_what_the_view_gives(paths: Paths, lang: str) -> None:
    url = f"http://127.0.0.1:9/{lang or 'none'}.xml"
    edition = "fr" if not lang else "de"  # the edition decides only without a feed language
    got = parse_job(_document(1, lang), url, "application/rss+xml", edition)
    assert isinstance(got, ParsedFeed)
    assert len(got.index_texts) == len(got.entries) == 6
    conn = connect(paths.cache_db, paths.state_db)
    try:
        with transaction(conn):
            cache.ensure_feed(conn, FeedSource(url=url, outlet="o", edition=edition,
                                               section="s"))
            assert cache.store_entries(conn, url, got) == 6
        _integrity(conn)
        view = _view_texts(conn, url)
        made = {e.guid: text for e, text in zip(got.entries, got.index_texts, strict=True)}
        assert made == view
        assert {text[0] for text in made.values()} == {lang or "fr"}
    finally:
        conn.close()


def test_worded_for_another_language_is_worded_again(paths: Paths) -> None:
    """The feed's edition moved between parsing and storing (or a caller's guess was
    wrong): the rows get the stored language's words, from the view."""
    url = "http://127.0.0.1:9/moved.xml"
    got = parse_job(_document(2, ""), url, "application/rss+xml", "en")
    assert isinstance(got, ParsedFeed) and got.index_texts
    conn = connect(paths.cache_db, paths.state_db)
    try:
        with transaction(conn):
            cache.ensure_feed(conn, FeedSource(url=url, outlet="o", edition="ru", section="s"))
            cache.store_entries(conn, url, got)
        _integrity(conn)
        view = _view_texts(conn, url)
        assert {text[0] for text in view.values()} == {"ru"}
        assert all(view[e.guid][1] == terms.index_text(e.title, "ru") for e in got.entries)
    finally:
        conn.close()


def test_a_refresh_through_the_workers_keeps_the_index_equal_to_its_view(
        paths: Paths, feed_server: FeedServer) -> None:
    srcs = [FeedSource(url=feed_server.add(f"/w/{n}.xml", _document(n, lang)), outlet="o",
                       edition="fr", section=lang or "none")
            for n, lang in enumerate(LANGS * 3)]
    config = Config(refresh=RefreshConfig(parse_workers=2))
    summary = asyncio.run(run_refresh(paths, config, srcs))
    assert summary.feeds_ok == len(srcs) and summary.new_articles == 6 * len(srcs)
    conn = connect(paths.cache_db, paths.state_db)
    try:
        _integrity(conn)
        assert conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH "
                            "'running AND (run OR runn)'").fetchone()[0] > 0
    finally:
        conn.close()


def test_rows_not_new_are_worded_by_the_view_as_before(paths: Paths) -> None:
    """A changed entry (an update) keeps going through the view's triggers."""
    url = "http://127.0.0.1:9/upd.xml"
    first = parse_job(_document(4, "en"), url, "application/rss+xml", "en")
    changed = parse_job(_document(4, "en").replace(b"Les soci", b"Des soci"), url,
                        "application/rss+xml", "en")
    assert isinstance(first, ParsedFeed) and isinstance(changed, ParsedFeed)
    conn = connect(paths.cache_db, paths.state_db)
    try:
        with transaction(conn):
            cache.ensure_feed(conn, FeedSource(url=url, outlet="o", edition="en", section="s"))
            cache.store_entries(conn, url, first)
            cache.record_fetch(conn, url, FetchResult(url=url, status=200), error=None)
        with transaction(conn):
            assert cache.store_entries(conn, url, changed) == 0
        _integrity(conn)
    finally:
        conn.close()



def test_a_forked_worker_takes_no_lock_its_parent_held() -> None:
    """A worker is forked while other threads run (the writer, a TUI's): the lock that
    guards opening a language's table is made new in it, and the tables read so far are
    its own copy, so a lock held by another thread at the fork cannot stop it."""
    import os

    words = ("regions", "running", "mice", "ciudades", "volvieron")
    expected = [lemmas.lemmas(word, "en") for word in words[:3]]
    expected_es = [lemmas.lemmas(word, "es") for word in words[3:]]
    lemmas._OPENING.acquire()  # as if another thread were opening a table right now
    try:
        pid = os.fork()
        if pid == 0:  # the child: exit status 0 only if all holds
            ok = [lemmas.lemmas(w, "en") for w in words[:3]] == expected
            lemmas._OPEN.pop("es", None)  # read again: takes the lock
            ok = ok and [lemmas.lemmas(w, "es") for w in words[3:]] == expected_es
            os._exit(0 if ok and "es" in lemmas._OPEN else 1)
    finally:
        lemmas._OPENING.release()
    end = time.monotonic() + 30  # a child stuck on the lock never ends: a bounded wait
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < end:
        time.sleep(0.02)
    if done[0] == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the forked process waited on a lock its parent held")
    assert os.waitstatus_to_exitcode(done[1]) == 0
