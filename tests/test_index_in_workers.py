"""The search index's text made by the parse workers (cache.with_index_texts) is exactly
what the index's view gives: FTS5's integrity check against the view holds after a
refresh, whichever process worded the rows, and rows worded for another language than
the one they are stored with are worded again by the view."""

from __future__ import annotations

import asyncio
import sqlite3

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


@pytest.fixture(autouse=True)
def _dictionaries() -> None:
    """The dictionaries of the languages used here, on disk (made once per test run): the
    parse workers word the index only with dictionaries that are ready."""
    for lang in ("en", "fr"):
        terms.index_text("words", lang)
        assert lemmas.ready(lang)


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


def test_a_parser_waits_for_no_dictionary(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dictionary that is not on disk yet is made once, by the writer (it takes seconds),
    not by a parse worker under its time limit: the feed comes back unworded."""
    monkeypatch.setattr(lemmas, "ready", lambda lang: False)
    url = "http://127.0.0.1:9/en.xml"
    got = parse_job(_document(3, "en"), url, "application/rss+xml", "en")
    assert isinstance(got, ParsedFeed) and got.entries and got.index_texts == ()
    russian = parse_job(_document(3, "ru"), url, "application/rss+xml", "en")
    assert isinstance(russian, ParsedFeed) and len(russian.index_texts) == 6  # no dictionary


@pytest.mark.parametrize("fork_workers", [False, True], ids=["fork-server", "forked"])
def test_a_refresh_through_the_workers_keeps_the_index_equal_to_its_view(
        paths: Paths, feed_server: FeedServer, fork_workers: bool) -> None:
    srcs = [FeedSource(url=feed_server.add(f"/w/{n}.xml", _document(n, lang)), outlet="o",
                       edition="fr", section=lang or "none")
            for n, lang in enumerate(LANGS * 3)]
    config = Config(refresh=RefreshConfig(parse_workers=2))
    summary = asyncio.run(run_refresh(paths, config, srcs, fork_workers=fork_workers))
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



def test_workers_are_forked_only_while_the_writer_is_not_writing(
        paths: Paths, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked worker must not inherit a lock SQLite's code held in another thread: the
    refresh forks its workers when its writer's thread is between transactions (the
    first feeds, parsed in this process, are being stored slowly meanwhile)."""
    import threading
    import time

    from termnews import refresh

    writing = threading.Event()
    seen: list[bool] = []
    store = refresh._store

    def slow_store(conn: sqlite3.Connection, outcome: object) -> int:
        writing.set()
        try:
            time.sleep(0.15)
            return store(conn, outcome)  # type: ignore[arg-type]
        finally:
            writing.clear()

    fork_now = refresh._Parser.fork_now

    def watched_fork(self: refresh._Parser) -> None:
        seen.append(writing.is_set())
        fork_now(self)

    monkeypatch.setattr(refresh, "_store", slow_store)
    monkeypatch.setattr(refresh._Parser, "fork_now", watched_fork)
    srcs = [FeedSource(url=feed_server.add(f"/g/{n}.xml", _document(n, "en")), outlet="o",
                       edition="en", section="s") for n in range(8)]
    config = Config(refresh=RefreshConfig(parse_workers=2))
    summary = asyncio.run(run_refresh(paths, config, srcs, fork_workers=True))
    assert summary.feeds_ok == 8
    assert seen == [False]


def test_a_forked_worker_opens_the_dictionaries_itself() -> None:
    """A worker forked from the refresh does not read through its parent's connection to
    a dictionary (they would share the file's read offset): it opens its own."""
    import os

    expected = [lemmas.lemmas(word, "en") for word in ("regions", "running", "mice")]
    assert "en" in lemmas._OPEN  # the parent has the English dictionary open
    pid = os.fork()
    if pid == 0:  # the child: exit status 0 only if all holds
        ok = not lemmas._OPEN
        ok = ok and [lemmas.lemmas(w, "en") for w in ("regions", "running", "mice")] == expected
        os._exit(0 if ok and "en" in lemmas._OPEN else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
