"""Real feeds' defects, through a real refresh from the loopback server: what is stored
and what the summary says.

The fixtures (``tests/fixtures/real``, see its README) each hold one class of defect
seen in feeds in the wild: double-encoded UTF-8, undeclared Latin-1 Portuguese and
windows-1252 French, lone C1 control codes, items all a year old; a feed larger than
``max_articles`` is generated.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from feedserver import FeedServer, item_title, make_rss
from hostile_support import db_text_problems, run_cli
from termnews.config import CacheConfig, Config, RefreshConfig
from termnews.feeds import parse as P
from termnews.feeds.charset import to_utf8
from termnews.library import Library
from termnews.paths import Paths
from termnews.prune import prune

FIXTURES = Path(__file__).parent / "fixtures" / "real"
UNDECLARED = "application/rss+xml"  # no charset in the header, none in the document


def _library(paths: Paths, *, max_articles: int = 2000, keep_days: int = 180) -> Library:
    config = Config(refresh=RefreshConfig(timeout=5.0, deadline=10.0, parse_workers=0),
                    cache=CacheConfig(max_articles=max_articles, keep_days=keep_days))
    lib = Library(paths, config, "tester")
    lib.start(starter=False)
    return lib


def _rows(lib: Library, url: str) -> dict[str, sqlite3.Row]:
    conn = sqlite3.connect(lib.paths.cache_db)
    conn.row_factory = sqlite3.Row
    try:
        return {r["guid"]: r for r in conn.execute(
            "SELECT a.* FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE f.url = ?",
            (url,))}
    finally:
        conn.close()


def _feed_title(lib: Library, url: str) -> str:
    return str(lib.conn.execute("SELECT title FROM feeds WHERE url = ?", (url,)).fetchone()[0])


async def _refresh_one(lib: Library, url: str, new: int) -> None:
    lib.add_feeds([url])
    summary = await lib.refresh()
    assert summary.feeds_failed == 0, summary.errors
    assert summary.new_articles == new


# --- text --------------------------------------------------------------------------


async def test_double_encoded_utf8_is_repaired_in_every_field(
        feed_server: FeedServer, paths: Paths) -> None:
    url = feed_server.add("/double.rss", (FIXTURES / "double_encoded.rss").read_bytes())
    lib = _library(paths)
    await _refresh_one(lib, url, 3)
    rows = _rows(lib, url)
    koeln, moskva, lisboa = rows["koeln"], rows["moskva"], rows["lisboa"]
    assert koeln["title"] == "Kölner Straßenbahn fährt wieder über die Brücke"
    assert koeln["author"] == "Jürgen Weiß"
    assert koeln["categories"].split("\x1f") == ["Köln", "Verkehr"]
    assert koeln["summary"].startswith("Die Kölner Verkehrsbetriebe melden: ab Montag fährt")
    assert "Deutzer Brücke" in koeln["body_text"] and "Brücke" in koeln["content_html"]
    # UTF-8 Cyrillic read as Latin-1 is half C1 codes ("Ð\x9d" is "Н"): repaired before
    # the cleaner could take them for control codes.
    assert moskva["title"] == "Новости дня: в Москве открылся новый музей"
    assert moskva["author"] == "Ольга Смирнова"
    assert moskva["categories"] == "Культура"
    assert moskva["summary"].startswith("Новый музей истории транспорта открылся в субботу")
    # Read through windows-1252 ("â€œ"): quotes and dashes come back too.
    assert lisboa["title"] == "Eleições: o que está em jogo no 2º turno"
    assert lisboa["author"] == "Conceição Araújo"
    assert "saiu “ontem à noite” — e não agradou" in lisboa["summary"]
    assert _feed_title(lib, url) == "Rádio Ölberg: notícias"
    for row in rows.values():
        for column in ("title", "summary", "author", "categories", "body_text",
                       "content_html"):
            assert "Ã" not in row[column] and "Ð" not in row[column] and "â€" not in row[column]
    assert db_text_problems(lib.paths.cache_db) == []
    lib.close()


async def test_undeclared_latin1_portuguese_is_not_read_as_windows_1250(
        feed_server: FeedServer, paths: Paths) -> None:
    body = (FIXTURES / "portuguese_latin1_undeclared.rss").read_bytes()
    url = feed_server.add("/planalto.rss", body, UNDECLARED)
    lib = _library(paths)
    await _refresh_one(lib, url, 3)
    rows = _rows(lib, url)
    first = rows["pesquisa-2turno"]
    assert first["title"] == "Pesquisa mostra empate técnico nas simulações de 2º turno"
    assert first["author"] == "Redação"
    assert first["categories"] == "Eleições"
    assert rows["prisao-ex-secretario"]["title"] == (
        "Justiça mantém a prisão do ex-secretário de obras")
    assert "põe lavouras" in rows["inverno-sul"]["title"]
    assert _feed_title(lib, url) == "Jornal do Planalto: Política"
    text = " ".join(r["title"] + r["summary"] for r in rows.values())
    assert not set(text) & set("őşăŕĺţ")  # windows-1250's readings of õ º ã à å þ
    lib.close()


async def test_undeclared_windows_1252_french_keeps_its_quotes_and_ligatures(
        feed_server: FeedServer, paths: Paths) -> None:
    body = (FIXTURES / "french_cp1252_undeclared.rss").read_bytes()
    url = feed_server.add("/echo.rss", body, UNDECLARED)
    lib = _library(paths)
    await _refresh_one(lib, url, 3)
    rows = _rows(lib, url)
    assert rows["besancon-municipales"]["title"] == (
        "Élections municipales : à Besançon, le débat s’échauffe déjà")
    assert rows["besancon-municipales"]["author"] == "Rédaction"
    assert rows["vieux-bourg"]["title"] == "Le cœur du vieux bourg retrouve ses façades d’antan"
    assert "« Ça valait la peine d’attendre »" in rows["vieux-bourg"]["summary"]
    assert rows["fete-chataigne"]["title"] == (
        "Fête de la châtaigne : où garer sa voiture ce week-end ?")
    assert _feed_title(lib, url) == "L’Écho de la Vallée"
    text = " ".join(r["title"] + r["summary"] for r in rows.values())
    assert not set(text) & set("čęŕďůś")  # windows-1250's readings of è ê à ï ù œ
    lib.close()


@pytest.mark.parametrize("content_type", ["application/rss+xml; charset=iso-8859-1",
                                          "text/xml; charset=us-ascii"])
def test_a_latin1_label_reads_as_windows_1252(content_type: str) -> None:
    # Browsers read "iso-8859-1" and "us-ascii" as windows-1252: 0x80-0x9F are its
    # quotes, dashes and "œ", not C1 codes (which the cleaner would drop).
    body = (FIXTURES / "french_cp1252_undeclared.rss").read_bytes()
    feed = P.parse_feed(body, url="https://echo-vallee.example/feed", content_type=content_type)
    assert feed.title == "L’Écho de la Vallée"
    assert feed.entries[1].title == "Le cœur du vieux bourg retrouve ses façades d’antan"


async def test_text_after_a_lone_c1_code_is_kept(feed_server: FeedServer, paths: Paths) -> None:
    url = feed_server.add("/c1.rss", (FIXTURES / "lone_c1.rss").read_bytes())
    lib = _library(paths)
    await _refresh_one(lib, url, 3)
    rows = _rows(lib, url)
    ferries = rows["ferries-resume"]
    assert ferries["title"] == "Ferries resume after the storm, the port authority says"
    assert ferries["author"] == "Quay Desk"
    assert ferries["categories"] == "Port news"
    assert ferries["summary"] == ("The first crossing left at dawn with forty passengers; the "
                                  "evening ferry runs as usual. Timetables are posted at the "
                                  "terminal.")
    logbook = rows["logbook"]
    assert logbook["title"] == "Lighthouse keepers logbook goes on show in the old customs house"
    assert logbook["summary"] == ("Ledger pages from 1904 describe every storm and every ship "
                                  "that passed the point.")
    # A whole 8-bit control string (introduced and terminated) and 8-bit CSI sequences
    # with their parameters still go, payload and all.
    notice = rows["notice"]
    assert notice["title"] == "Whole control strings still go: harbour notice"
    assert notice["summary"] == "Read the notice at the quay."
    assert _feed_title(lib, url) == "Harbour Gazette"
    assert db_text_problems(lib.paths.cache_db) == []
    lib.close()


@pytest.mark.parametrize("name", ["double_encoded.rss", "lone_c1.rss",
                                  "portuguese_latin1_undeclared.rss",
                                  "french_cp1252_undeclared.rss", "year_old.rss"])
def test_both_parse_paths_agree_on_the_fixtures(name: str) -> None:
    data, _ = to_utf8((FIXTURES / name).read_bytes(), UNDECLARED)
    url = "https://fixture.example/feed"
    fast = P._finish(P._fast(data), url)
    slow = P._finish(P._slow(data, url), url)
    # feedparser does not read dc:creator and author both; the fixtures have one each.
    assert fast == slow
    assert fast == P.parse_feed((FIXTURES / name).read_bytes(), url=url,
                                content_type=UNDECLARED)


# --- retention ----------------------------------------------------------------------


async def test_a_feed_whose_items_are_a_year_old_keeps_them(
        feed_server: FeedServer, paths: Paths) -> None:
    url = feed_server.add("/archive.rss", (FIXTURES / "year_old.rss").read_bytes())
    lib = _library(paths, keep_days=180)
    await _refresh_one(lib, url, 12)  # the summary counts what was stored ...
    assert len(lib.articles()) == 12  # ... and all of it stays
    assert prune(lib, lib.config).deleted == 0  # nothing the feed carries goes
    # Unchanged (304), then changed with the same items: nothing new, nothing lost.
    again = await lib.refresh()
    assert (again.not_modified, again.new_articles, len(lib.articles())) == (1, 0, 12)
    feed_server.touch("/archive.rss")
    again = await lib.refresh()
    assert (again.not_modified, again.new_articles, len(lib.articles())) == (0, 0, 12)
    # The feed moves on: two fresh items, the old ones gone from it. Now keep_days applies.
    feed_server.touch("/archive.rss", make_rss(5, 2))
    moved = await lib.refresh()
    assert moved.new_articles == 2
    assert {r.title for r in lib.articles()} == {item_title(5, 0), item_title(5, 1)}
    lib.close()


async def test_a_starred_old_item_outlives_the_feed(feed_server: FeedServer,
                                                    paths: Paths) -> None:
    url = feed_server.add("/archive.rss", (FIXTURES / "year_old.rss").read_bytes())
    lib = _library(paths, keep_days=180)
    await _refresh_one(lib, url, 12)
    starred = [r.id for r in lib.articles() if r.title.startswith("Archive note 3:")]
    lib.star(starred)
    feed_server.touch("/archive.rss", make_rss(5, 1))
    await lib.refresh()
    assert sorted(r.title for r in lib.articles()) == sorted(
        [item_title(5, 0), "Archive note 3: the river survey, part 3"])
    lib.close()


async def test_a_feed_larger_than_max_articles_is_stored_whole(
        feed_server: FeedServer, paths: Paths) -> None:
    url = feed_server.add("/big.rss", make_rss(1, 30))
    lib = _library(paths, max_articles=10, keep_days=0)
    await _refresh_one(lib, url, 30)
    assert len(lib.articles()) == 30
    assert prune(lib, lib.config).deleted == 0
    # The feed shrinks to its newest five: of the 25 that left, those beyond the feed's
    # newest ten go (items 10-29); items 5-9 stay.
    feed_server.touch("/big.rss", make_rss(1, 5))
    shrunk = await lib.refresh()
    assert shrunk.new_articles == 0
    assert {r.title for r in lib.articles()} == {item_title(1, i) for i in range(10)}
    lib.close()


def test_the_cli_summary_counts_what_was_stored(feed_server: FeedServer,
                                                 tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.toml").write_text("[cache]\nmax_articles = 10\nkeep_days = 180\n")
    big = feed_server.add("/big.rss", make_rss(1, 30))
    old = feed_server.add("/archive.rss", (FIXTURES / "year_old.rss").read_bytes())
    assert run_cli(["feeds", "add", "--no-check", big, old], data).returncode == 0
    done = run_cli(["refresh"], data)
    assert done.returncode == 0, done.stderr
    assert "2 ok" in done.stdout and "42 new articles" in done.stdout, done.stdout
    listed = run_cli(["articles", "--json"], data)
    assert listed.stdout.count("\n") == 42
    pruned = run_cli(["cache", "prune", "--json"], data)
    assert '"deleted": 0' in pruned.stdout, pruned.stdout


async def test_an_upgraded_cache_gets_back_what_was_pruned_from_a_live_feed(
        feed_server: FeedServer, paths: Paths) -> None:
    """A cache of schema 6 had pruned articles on arrival and kept their keys out; after
    migration 7 the next refresh stores them (their read marks were never lost)."""
    from termnews.store.db import _migrate
    from termnews.store.schema import CACHE_MIGRATIONS

    url = feed_server.add("/big.rss", make_rss(1, 6))
    paths.ensure()
    conn = sqlite3.connect(paths.cache_db, isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS state", (str(paths.state_db),))
    _migrate(conn, "main", CACHE_MIGRATIONS[:6])
    conn.execute("INSERT INTO feeds(id, url) VALUES (1, ?)", (url,))
    conn.execute("INSERT INTO articles(feed_id, key, guid, url, title, fetched_at, published) "
                 "VALUES (1, ?, 'feed-1-item-0', 'https://news.example/1/story-0', ?, 0, 1)",
                 (f"{url}\nfeed-1-item-0", item_title(1, 0)))
    conn.execute("INSERT INTO articles_fts(rowid, title, summary, full_text, categories, "
                 "body_text) SELECT id, title, summary, full_text, categories, body_text "
                 "FROM articles")
    conn.executemany("INSERT INTO pruned(key, at) VALUES (?, 0)",
                     [(f"{url}\nfeed-1-item-{i}",) for i in range(1, 6)])
    conn.close()
    lib = _library(paths, max_articles=1, keep_days=0)
    tables = {r[0] for r in lib.conn.execute("SELECT name FROM sqlite_master")}
    assert "pruned" not in tables and "articles_in_feed" in tables
    await _refresh_one(lib, url, 5)  # the five kept out before
    assert {r.title for r in lib.articles()} == {item_title(1, i) for i in range(6)}
    lib.close()
