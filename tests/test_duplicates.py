"""One story in two feeds is one article for the reader.

Outlets publish the same article in an "all news" feed and in a section feed. The
views spanning several feeds (All, search, Starred, ``termnews articles``) show it
once; a section view shows all its own; a mark on one copy applies to every copy.
The feeds come from the loopback server, as a real refresh reads them.
"""

from __future__ import annotations

import email.utils
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

import pytest

from feedserver import FeedServer
from termnews.cli import main
from termnews.config import Config, FeedOverride
from termnews.library import Library
from termnews.model import ArticleQuery, ParsedEntry, ParsedFeed
from termnews.paths import Paths
from termnews.prune import prune
from termnews.store import cache
from termnews.store.db import _migrate, connect, transaction
from termnews.store.schema import CACHE_MIGRATIONS

SITE = "https://wire.example/story"
BASE = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
FOLDER = "Wire"
OUTLET = "folder:" + FOLDER

# (story number, title); the links are f"{SITE}/{n}", so two feeds carrying the same
# number carry the same article.
STORIES = {
    1: "Harbour cranes return after the winter storm",
    2: "Orchard growers count a late frost",
    3: "Observatory opens its dome to night classes",
    4: "Glacier survey finds a new meltwater lake",
    5: "Market hall roof repaired by volunteers",
    6: "Railway timetable adds an evening train",
    7: "Lighthouse keeper's logbook goes on show",
}
ALL_NEWS = [1, 2, 3, 4, 5, 6]  # the outlet's "all news" feed
WORLD = [1, 2, 3]  # a section feed: the same articles under guids of its own
SCIENCE = [4, 7]  # a section feed: one shared, one its own


def rss(name: str, numbers: list[int]) -> bytes:
    items = []
    for n in numbers:
        date = email.utils.format_datetime(BASE - timedelta(hours=n))
        items.append(
            f"<item><title>{escape(STORIES[n])}</title><link>{SITE}/{n}</link>"
            f'<guid isPermaLink="false">{name}-{n}</guid><pubDate>{date}</pubDate>'
            f"<description>{escape(f'Report {n} from the {name} desk.')}</description></item>"
        )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Wire {name}</title><link>https://wire.example/</link>"
            f"<language>en</language>{''.join(items)}</channel></rss>").encode()


def serve(server: FeedServer) -> dict[str, str]:
    urls = {}
    for name, numbers in (("all", ALL_NEWS), ("world", WORLD), ("science", SCIENCE)):
        server.add(f"/{name}.xml", rss(name, numbers))
        urls[name] = server.url(f"/{name}.xml")
    return urls


async def setup(library: Library, server: FeedServer, *, first: str = "all") -> dict[str, str]:
    """Subscribe the three feeds as one outlet (an OPML folder); ``first`` is fetched
    before the others, so its copies are the first copies."""
    urls = serve(server)
    library.add_feeds(list(urls.values()), folder=FOLDER,
                      titles={u: name for name, u in urls.items()})
    await library.refresh([urls[first]])
    await library.refresh([u for name, u in urls.items() if name != first])
    return urls


def titles(rows: list) -> list[str]:  # type: ignore[type-arg]
    return [r.title for r in rows]


def section(library: Library, url: str, **kw: object) -> ArticleQuery:
    return ArticleQuery(feed_urls=(url,), **kw)  # type: ignore[arg-type]


def ids_of_story(library: Library, n: int | str) -> dict[str, int]:
    """Feed URL -> the id of story n's copy in it."""
    return dict(library.conn.execute(
        "SELECT f.url, a.id FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.url = ?",
        (f"{SITE}/{n}",)).fetchall())


def all_unread(library: Library) -> int:
    """What the sidebar shows next to All: the sections' unread counts, minus the
    copies All shows once."""
    urls = library.subscribed_urls()
    per_feed = library.unread_counts()
    return sum(per_feed.get(u, 0) for u in urls) - library.hidden_unread().get((OUTLET, ""), 0)


# --- the views -------------------------------------------------------------------------


async def test_all_shows_each_story_once_and_counts_agree(
        library: Library, feed_server: FeedServer) -> None:
    urls = await setup(library, feed_server)
    rows = library.articles()
    assert sorted(titles(rows)) == sorted(STORIES.values())
    assert library.count() == len(STORIES) == len(rows)
    # The first copies (from the all-news feed) are the ones shown.
    first = {r.id for r in library.articles(section(library, urls["all"]))}
    assert {r.id for r in rows} == first | {ids_of_story(library, 7)[urls["science"]]}
    # Paged as the TUI pages it: the same rows, none twice.
    paged = [r.id for off in range(0, 8, 3)
             for r in library.articles(ArticleQuery(limit=3, offset=off))]
    assert paged == [r.id for r in rows]
    # A section view still shows all its own.
    for name, numbers in (("all", ALL_NEWS), ("world", WORLD), ("science", SCIENCE)):
        own = library.articles(section(library, urls[name]))
        assert sorted(titles(own)) == sorted(STORIES[n] for n in numbers)
        assert library.count(section(library, urls[name])) == len(numbers)
    # Unread: per section all its own; All counts a story once.
    assert library.unread_counts() == {urls["all"]: 6, urls["world"]: 3, urls["science"]: 2}
    assert all_unread(library) == 7 == library.count(ArticleQuery(unread=True))
    # The sections of two feeds only (no all-news feed in the view): story 4 is in one.
    two = ArticleQuery(feed_urls=(urls["world"], urls["science"]))
    assert library.count(two) == 5 == len(library.articles(two))


async def test_cli_articles_lists_a_story_once(
        library: Library, feed_server: FeedServer, paths: Paths,
        capsys: pytest.CaptureFixture[str]) -> None:
    await setup(library, feed_server)
    capsys.readouterr()
    assert main(["--data-dir", str(paths.data_dir), "--profile", "tester",
                 "articles", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(d["title"] for d in lines) == sorted(STORIES.values())
    assert len({d["url"] for d in lines}) == len(lines)


async def test_search_shows_a_story_once(library: Library, feed_server: FeedServer) -> None:
    urls = await setup(library, feed_server)
    found = library.articles(ArticleQuery(search="harbour cranes"))
    assert titles(found) == [STORIES[1]]
    assert library.count(ArticleQuery(search="harbour cranes")) == 1
    assert found[0].id == ids_of_story(library, 1)[urls["all"]]
    # A query of no words matches nothing, copies or not.
    assert library.count(ArticleQuery(search="(((")) == 0 == len(
        library.articles(ArticleQuery(search="(((")))
    # Searching one section finds its own copy.
    assert len(library.articles(ArticleQuery(search="harbour", feed_urls=(urls["world"],)))) == 1


# --- marks -------------------------------------------------------------------------------


async def test_reading_one_copy_marks_every_copy(
        library: Library, feed_server: FeedServer) -> None:
    urls = await setup(library, feed_server)
    copies = ids_of_story(library, 1)
    library.mark_read([copies[urls["world"]]])  # read in the section view
    for aid in copies.values():
        assert library.article(aid).read  # type: ignore[union-attr]
    assert library.unread_counts() == {urls["all"]: 5, urls["world"]: 2, urls["science"]: 2}
    assert all_unread(library) == 6 == library.count(ArticleQuery(unread=True))
    assert STORIES[1] not in titles(library.articles(ArticleQuery(unread=True)))
    # Read in All (the first copy), unread again: the section copy follows.
    library.mark_read([copies[urls["all"]]], False)
    assert not library.article(copies[urls["world"]]).read  # type: ignore[union-attr]
    # Marking a whole view marks the copies it hides.
    assert library.mark_all(ArticleQuery()) == 7
    assert library.unread_counts() == {}
    assert all_unread(library) == 0


async def test_starring_one_copy_stars_every_copy(
        library: Library, feed_server: FeedServer) -> None:
    urls = await setup(library, feed_server)
    copies = ids_of_story(library, 4)
    library.star([copies[urls["science"]]])
    assert {r.id for r in library.articles(ArticleQuery(starred=True))} == {copies[urls["all"]]}
    assert library.count(ArticleQuery(starred=True)) == 1
    assert [r.starred for r in library.articles(section(library, urls["all"]))
            if r.title == STORIES[4]] == [True]
    library.star([copies[urls["all"]]], False)
    assert library.count(ArticleQuery(starred=True)) == 0
    assert not library.article(copies[urls["science"]]).starred  # type: ignore[union-attr]


async def test_a_copy_arriving_later_inherits_the_marks(
        library: Library, feed_server: FeedServer) -> None:
    urls = serve(feed_server)
    library.add_feeds(list(urls.values()), folder=FOLDER)
    await library.refresh([urls["all"]])
    first = ids_of_story(library, 2)[urls["all"]]
    library.mark_read([first])
    library.star([first])
    await library.refresh([urls["world"]])
    copy = library.article(ids_of_story(library, 2)[urls["world"]])
    assert copy is not None and copy.read and copy.starred
    assert library.unread_counts()[urls["world"]] == 2


async def test_marks_survive_a_cache_rebuild(
        library: Library, feed_server: FeedServer, paths: Paths) -> None:
    urls = await setup(library, feed_server)
    library.mark_read([ids_of_story(library, 1)[urls["all"]]])
    library.star([ids_of_story(library, 4)[urls["science"]]])
    library.close()
    for suffix in ("", "-wal", "-shm"):
        paths.cache_db.with_name("cache.db" + suffix).unlink(missing_ok=True)
    lib = Library(paths, Config(), "tester")
    try:
        # Rebuilt in the other order: the section copies are now the first ones.
        await lib.refresh([urls["world"], urls["science"]])
        await lib.refresh([urls["all"]])
        rows = {r.title: r for r in lib.articles()}
        assert len(rows) == len(STORIES)
        assert rows[STORIES[1]].read and rows[STORIES[4]].starred
        assert rows[STORIES[1]].id == ids_of_story(lib, 1)[urls["world"]]
        for aid in [*ids_of_story(lib, 1).values(), *ids_of_story(lib, 4).values()]:
            art = lib.article(aid)
            assert art is not None
            assert art.read == (art.url.endswith("/1")) and art.starred == art.url.endswith("/4")
    finally:
        lib.close()


# --- subscriptions and pruning ---------------------------------------------------------------


async def test_unsubscribing_the_first_copys_feed_shows_the_copy(
        library: Library, feed_server: FeedServer) -> None:
    urls = await setup(library, feed_server)
    library.remove_feeds([urls["all"]])
    assert sorted(titles(library.articles())) == sorted(
        STORIES[n] for n in {*WORLD, *SCIENCE})
    assert library.count() == 5
    assert all_unread(library) == 5


async def test_pruning_the_first_copy_keeps_the_copy_visible(
        library: Library, feed_server: FeedServer) -> None:
    urls = await setup(library, feed_server)
    library.mark_read([ids_of_story(library, 3)[urls["world"]]])
    # The all-news feed moves on: stories 3-6 leave it (the limits apply to what left).
    feed_server.touch("/all.xml", rss("all", [1, 2]))
    await library.refresh([urls["all"]])
    # The all-news feed keeps its newest two (stories 1 and 2): 3-6 go.
    config = Config(feeds={urls["all"]: FeedOverride(max_articles=2)})
    assert prune(library.conn, config).deleted == 4
    # Stories 5 and 6 were in the all-news feed only; 3 and 4 live on in their sections.
    assert sorted(titles(library.articles())) == sorted(STORIES[n] for n in (1, 2, 3, 4, 7))
    assert library.count() == 5
    world3 = library.article(ids_of_story(library, 3)[urls["world"]])
    assert world3 is not None and world3.read
    assert all_unread(library) == 4 == library.count(ArticleQuery(unread=True))
    # The promoted copies are first copies now; 1 and 2 still point at the kept rows.
    dup = dict(library.conn.execute("SELECT url, dup_of FROM articles WHERE feed_id != "
                                    "(SELECT id FROM feeds WHERE url = ?)", (urls["all"],)))
    assert dup[f"{SITE}/3"] is None and dup[f"{SITE}/4"] is None
    assert dup[f"{SITE}/1"] == ids_of_story(library, 1)[urls["all"]]


def _store(lib: Library, url: str, entries: list[tuple[str, str]],
           titles: dict[str, str] | None = None) -> None:
    """Store (guid, link) entries; a story's title is its link's last part unless given."""
    from termnews.model import FeedSource

    with transaction(lib.conn):
        cache.ensure_feed(lib.conn, FeedSource(url=url, outlet=OUTLET, edition="",
                                               section=url[-1]))
        cache.store_entries(lib.conn, url, ParsedFeed(title=url, language="en", entries=tuple(
            ParsedEntry(guid=g, url=link, title=(titles or {}).get(g, link.rsplit("/", 1)[-1]),
                        published=BASE) for g, link in entries)))


def test_deleting_the_first_of_three_copies_re_points_the_others(library: Library) -> None:
    feeds = ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b", "http://127.0.0.1:9/c"]
    library.add_feeds(feeds, folder=FOLDER)
    for i, url in enumerate(feeds):
        _store(library, url, [(f"g{i}", f"{SITE}/x"), (f"own{i}", f"{SITE}/own{i}")])
    a, b, c = (ids_of_story(library, "x")[u] for u in feeds)
    dup = dict(library.conn.execute("SELECT id, dup_of FROM articles WHERE url = ?",
                                    (f"{SITE}/x",)))
    assert dup == {a: None, b: a, c: a}
    # Without the first copy's feed in the view, the next copy stands for the story.
    two = ArticleQuery(feed_urls=tuple(feeds[1:]))
    assert [r.id for r in library.articles(two) if r.title == "x"] == [b]
    assert library.count(two) == 3
    with transaction(library.conn):
        library.conn.execute("DELETE FROM articles WHERE id = ?", (a,))
    dup = dict(library.conn.execute("SELECT id, dup_of FROM articles WHERE url = ?",
                                    (f"{SITE}/x",)))
    assert dup == {b: None, c: b}
    assert library.count() == 4 == len(library.articles())


def test_a_link_that_changes_is_looked_up_again(library: Library) -> None:
    feeds = ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"]
    library.add_feeds(feeds, folder=FOLDER)
    _store(library, feeds[0], [("a1", f"{SITE}/one")])
    _store(library, feeds[1], [("b1", f"{SITE}/draft")])
    assert library.count() == 2
    _store(library, feeds[1], [("b1", f"{SITE}/one")])  # the feed corrects its link
    assert library.count() == 1
    _store(library, feeds[0], [("a1", f"{SITE}/moved")])
    assert library.count() == 2
    assert {r[0] for r in library.conn.execute("SELECT dup_of FROM articles")} == {None}


def test_feeds_linking_every_item_to_their_home_page_are_not_folded(library: Library) -> None:
    """Same link, different titles: different stories (a feed without item links)."""
    feeds = ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"]
    library.add_feeds(feeds, folder=FOLDER)
    home = "https://wire.example/"
    _store(library, feeds[0], [("a1", home), ("a2", home)], {"a1": "Ferry", "a2": "Frost"})
    _store(library, feeds[1], [("b1", home), ("b2", home)], {"b1": "Dome", "b2": "Ferry"})
    assert library.count() == 3  # b2 repeats a1 (same link and title); the rest are stories
    assert sorted(r.title for r in library.articles()) == ["Dome", "Ferry", "Frost"]
    library.mark_read([next(r.id for r in library.articles() if r.title == "Frost")])
    assert library.count(ArticleQuery(unread=True)) == 2  # reading one read no other story
    b = ArticleQuery(feed_urls=(feeds[1],), unread=True)
    assert sorted(r.title for r in library.articles(b)) == ["Dome", "Ferry"]


def test_within_one_feed_two_guids_with_one_link_both_show(library: Library) -> None:
    url = "http://127.0.0.1:9/a"
    library.add_feeds([url, "http://127.0.0.1:9/b"], folder=FOLDER)
    _store(library, url, [("a1", f"{SITE}/same"), ("a2", f"{SITE}/same")])
    assert library.count() == 2 == len(library.articles())
    library.mark_read([library.articles()[0].id])
    assert library.count(ArticleQuery(unread=True)) == 1


# --- related articles ----------------------------------------------------------------------


async def test_related_does_not_offer_a_copy_of_the_open_article(
        library: Library, feed_server: FeedServer) -> None:
    urls = await setup(library, feed_server)
    for n in ALL_NEWS:
        opened = ids_of_story(library, n)[urls["all"]]
        items = library.related(opened)
        assert items  # the section and latest blocks have the other stories
        shown = {library.article(i.id).url for i in items}  # type: ignore[union-attr]
        assert f"{SITE}/{n}" not in shown


# --- storage ----------------------------------------------------------------------------------


def test_migration_fills_existing_rows(paths: Paths) -> None:
    """A cache written by the previous schema (4) gets its copies marked when opened."""
    conn = sqlite3.connect(paths.cache_db, isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS state", (str(paths.state_db),))
    _migrate(conn, "main", CACHE_MIGRATIONS[:4])
    assert conn.execute("PRAGMA main.user_version").fetchone()[0] == 4
    for fid, url in ((1, "http://127.0.0.1:9/a"), (2, "http://127.0.0.1:9/b")):
        conn.execute("INSERT INTO feeds(id, url) VALUES (?, ?)", (fid, url))
    rows = [(1, 1, "one", f"{SITE}/1"), (2, 1, "two", f"{SITE}/2"), (3, 2, "one", f"{SITE}/1"),
            (4, 2, "four", ""), (5, 1, "five", ""), (6, 2, "two", f"{SITE}/2"),
            (7, 1, "two", f"{SITE}/2"), (8, 2, "not one", f"{SITE}/1")]
    conn.executemany(
        "INSERT INTO articles(id, feed_id, key, guid, url, title, fetched_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 0)", [(i, f, f"k{i}", f"g{i}", u, t) for i, f, t, u in rows])
    conn.close()
    conn = connect(paths.cache_db, paths.state_db)
    assert conn.execute("PRAGMA main.user_version").fetchone()[0] == len(CACHE_MIGRATIONS)
    dup = dict(conn.execute("SELECT id, dup_of FROM articles"))
    assert dup == {1: None, 2: None, 3: 1, 4: None, 5: None, 6: 2, 7: 6, 8: None}
    feed = dict(conn.execute("SELECT id, dup_feed FROM articles WHERE dup_of IS NOT NULL"))
    assert feed == {3: 1, 6: 1, 7: 2}
    conn.close()


def test_queries_stay_index_driven(library: Library) -> None:
    """The lookups use their indexes: a page walks articles_published, the hidden
    copies are counted from articles_dups, a new row's first copy found by link."""
    feeds = [f"http://127.0.0.1:9/{i}" for i in range(25)]
    library.add_feeds(feeds, folder=FOLDER)
    conn = library.conn
    q = ArticleQuery(feed_urls=tuple(feeds), limit=200)
    sql, params = cache.listing_sql("a.id", q)
    plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql,
                                                 [library.profile, *params]))
    assert "SCAN a USING INDEX articles_published" in plan
    assert "SEARCH d USING INDEX articles_url (url=? AND rowid<?)" in plan
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        library.count(ArticleQuery(feed_urls=tuple(feeds)))
        library.count(ArticleQuery(feed_urls=tuple(feeds), unread=True))
    finally:
        conn.set_trace_callback(None)
    hidden = [s for s in seen if "dup_feed" in s]
    assert len(hidden) == 2
    for stmt in hidden:
        plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + stmt))
        assert "USING INDEX articles_dups" in plan or "USING COVERING INDEX articles_dups" in plan
        assert "SCAN a" not in plan
    first = f"UPDATE articles AS a SET (dup_of, dup_feed) = {cache._FIRST_COPY} WHERE a.id = 1"
    plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + first))
    assert "SEARCH d USING INDEX articles_url (url=? AND rowid<?)" in plan
