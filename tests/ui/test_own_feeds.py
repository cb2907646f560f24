"""A reader's own feeds in the reading screen, as a newcomer brings them: 30 feeds imported flat
from OPML, in three OPML folders, and from a newsboat urls file, served by the loopback server
and fetched by `termnews refresh`."""

from __future__ import annotations

import shutil
import webbrowser
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from textual.app import App

import own_feeds
from feedserver import FeedServer
from own_feeds import FEEDS, FOLDERS, LONG_TITLE
from termnews.cli import main
from termnews.config import Config, UIConfig
from termnews.i18n import _, set_language
from termnews.library import Library, slug
from termnews.model import ArticleQuery
from termnews.paths import resolve_paths
from termnews.ui.app import TermnewsApp
from termnews.ui.screens.confirm import ConfirmScreen
from termnews.ui.screens.main import MainScreen
from termnews.ui.views import EVERYTHING, group_key, split_key
from termnews.ui.widgets.keyhints import KeyHints
from tui_support import settle as settle_app

pytestmark = pytest.mark.usefixtures("fixed_clock")

PROFILE = "reader"
SIZE = (120, 40)
KINDS = ("flat", "folders", "newsboat")


# --- data dirs made the way a reader makes them ------------------------------------------


@pytest.fixture(scope="module")
def own_server() -> Iterator[tuple[FeedServer, dict[int, str]]]:
    server = FeedServer().start()
    try:
        yield server, own_feeds.serve(server)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def seeds(own_server: tuple[FeedServer, dict[int, str]],
          tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """kind -> a data dir the CLI made: `termnews import FILE`, then `termnews refresh`."""
    _server, urls = own_server
    made: dict[str, Path] = {}

    def seed(kind: str) -> Path:
        if kind not in made:
            where = tmp_path_factory.mktemp(kind)
            data = {"flat": own_feeds.opml_flat, "folders": own_feeds.opml_folders,
                    "newsboat": own_feeds.newsboat_urls}[kind](urls)
            listing = where / ("urls" if kind == "newsboat" else f"{kind}.opml")
            listing.write_bytes(data)
            base = ["--data-dir", str(where / "data"), "--profile", PROFILE]
            with pytest.MonkeyPatch.context() as mp, ThreadPoolExecutor(1) as pool:
                # In a thread of its own: the CLI runs its own event loop (asyncio.run),
                # and the test asking for the data dir may be inside one.
                mp.setenv("LANG", "en_US.UTF-8")
                assert pool.submit(main, [*base, "import", str(listing)]).result() == 0
                assert pool.submit(main, [*base, "refresh"]).result() == 0
            made[kind] = where / "data"
        return made[kind]

    return seed


@pytest.fixture
def own(seeds: Callable[[str], Path], tmp_path: Path) -> Iterator[Callable[..., Library]]:
    """kind -> a Library over a fresh copy of that data dir."""
    opened: list[Library] = []

    def make(kind: str, config: Config | None = None) -> Library:
        copy = tmp_path / f"copy-{kind}-{len(opened)}"
        shutil.copytree(seeds(kind), copy)
        lib = Library(resolve_paths(copy), config or Config(), PROFILE)
        lib.start()
        opened.append(lib)
        return lib

    yield make
    for lib in opened:
        lib.close()


async def settle(app: TermnewsApp, pilot: Any) -> MainScreen:
    screen = await settle_app(app, pilot)
    assert isinstance(screen, MainScreen)
    return screen


async def until(pilot: Any, done: Callable[[], bool], *, seconds: float = 60) -> None:
    """Wait for a condition with a generous bound (a loaded machine is slow)."""
    for _step in range(int(seconds * 50)):
        if done():
            return
        await pilot.pause(0.02)
    assert done()


def keys(screen: MainScreen) -> list[str]:
    return [e.key for e in screen.sections.entries]


def notices(app: TermnewsApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def feed_rows(screen: MainScreen) -> list[Any]:
    return [e for e in screen.sections.entries if not e.is_group and len(e.feeds) == 1]


# --- point 1: one row a feed, one group a folder, an order that stays put ------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_j_from_the_top_visits_every_row_exactly_once_in_order(
        kind: str, own: Callable[..., Library]) -> None:
    lib = own(kind)
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        rows = keys(screen)
        assert rows[0] == EVERYTHING and rows[-1] == "starred"
        assert screen.sections.highlighted is not None
        assert screen.sections.highlighted.key == EVERYTHING
        seen = []
        for _row in range(len(rows) - 1):
            await pilot.press("j")
            assert screen.sections.highlighted is not None
            seen.append(screen.sections.highlighted.key)
            assert screen.view == seen[-1]  # the list follows the cursor
            assert keys(screen) == rows  # and nothing moved
        assert seen == rows[1:]
        await pilot.press("j")  # past the last row: stays
        assert screen.sections.cursor == len(rows) - 1
        screen = await settle(app, pilot)
        assert keys(screen) == rows  # every list loaded, counts in: still the same order
        await pilot.press("g")
        assert screen.sections.cursor == 0
        await pilot.press("G")
        assert screen.sections.cursor == len(rows) - 1
        visited = {screen.sections.cursor}
        for _row in range(len(rows)):
            await pilot.press("pageup")
            visited.add(screen.sections.cursor)
        assert 0 in visited
        for _row in range(len(rows)):
            await pilot.press("pagedown")
            visited.add(screen.sections.cursor)
        assert len(rows) - 1 in visited and keys(screen) == rows


async def test_flat_import_is_one_row_a_feed_in_file_order(own: Callable[..., Library]) -> None:
    lib = own("flat")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        rows = screen.sections.entries
        feeds = rows[1:-1]
        assert [e.label for e in feeds] == [title for title, _n in FEEDS]
        assert all(e.depth == 0 and not e.is_group for e in feeds)
        assert [e.count for e in feeds] == [n for _t, n in FEEDS]
        total = sum(n for _t, n in FEEDS)
        assert rows[0].label == _("Everything") and rows[0].count == total
        # Everything is the first view: every feed's articles, each naming its feed.
        assert screen.view == EVERYTHING
        assert screen.articles.total == total and screen.articles.show_section
        assert len({r.outlet for r in screen.articles.rows}) == len(FEEDS)
        assert screen.query_one("#list-title").render().plain == f"{_('Everything')} · {total}"
        # Long titles are cut with one "…", the count stays whole.
        long_row = screen.sections.render_line(3).text  # the third feed
        assert "…" in long_row and long_row.rstrip().endswith(" 9")
        assert FEEDS[2][0].startswith(long_row.split("…")[0].strip())


async def test_folders_are_groups_that_open_and_close(own: Callable[..., Library]) -> None:
    lib = own("folders")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        groups = [e for e in screen.sections.entries if e.is_group]
        assert [g.label for g in groups] == list(FOLDERS)
        local = groups[0]
        children = [e for e in screen.sections.entries if e.group == local.key]
        assert [e.label for e in children] == [t for t, _n in FEEDS[:10]]
        assert all(e.depth == 1 for e in children)
        assert local.count == sum(n for _t, n in FEEDS[:10])
        # j onto the folder shows the folder's articles, each naming its feed.
        await pilot.press("j")
        screen = await settle(app, pilot)
        assert screen.view == local.key and screen.articles.show_section
        assert screen.articles.total == local.count
        # left closes it (from a feed inside it too: the cursor goes up to the folder).
        await pilot.press("j", "j", "left")
        screen = await settle(app, pilot)
        assert screen.sections.highlighted is not None
        assert screen.sections.highlighted.key == local.key
        assert not any(e.group == local.key for e in screen.sections.entries)
        assert screen.sections.entries[1].icon == "▸"
        await pilot.press("j")
        assert screen.sections.highlighted is not None
        assert screen.sections.highlighted.key == groups[1].key  # the next folder
    lib.close()
    again = Library(lib.paths, Config(), PROFILE)
    app = TermnewsApp(again, offline=True)
    async with app.run_test(size=SIZE) as pilot:  # remembered for the profile
        screen = await settle(app, pilot)
        assert not any(e.group == local.key for e in screen.sections.entries)
        assert screen.view == groups[1].key  # where the reader left off
        await pilot.press("g", "j", "right")
        screen = await settle(app, pilot)
        assert [e.label for e in screen.sections.entries if e.group == local.key] == \
            [t for t, _n in FEEDS[:10]]
    again.close()


async def test_a_click_on_a_folders_arrow_closes_it(own: Callable[..., Library]) -> None:
    lib = own("folders")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        before = len(screen.sections.entries)
        await pilot.click("#sections", offset=(1, 1))  # the arrow of the first folder
        screen = await settle(app, pilot)
        assert len(screen.sections.entries) == before - 10
        assert screen.view == EVERYTHING  # a click on the arrow does not choose the row


async def test_newsboat_feeds_are_named_and_keyed_by_their_own_titles(
        own: Callable[..., Library]) -> None:
    lib = own("newsboat")
    subs = {s.feed_url: s for s in lib.subscriptions()}
    titles = {s.url: s.title for s in lib.feed_statuses()}
    for url, sub in subs.items():
        if sub.folder:
            assert sub.section == slug(titles[url])  # not "http-127-0-0-1-…-xml"
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        labels = {e.label for e in feed_rows(screen)}
        assert labels == {t for t, _n in FEEDS}  # titles the feeds gave, no URLs
        assert [e.label for e in screen.sections.entries if e.is_group] == list(FOLDERS)
        plain = [e for e in feed_rows(screen) if e.depth == 0]
        assert [e.label for e in plain] == [FEEDS[9][0], FEEDS[19][0], FEEDS[29][0]]


@pytest.mark.parametrize("order", ["title", "unread"])
async def test_feed_order_setting_sorts_and_reading_never_moves_a_row(
        order: str, own: Callable[..., Library]) -> None:
    lib = own("flat", Config(ui=UIConfig(feed_order=order)))
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        labels = [e.label for e in feed_rows(screen)]
        if order == "title":
            assert labels == sorted(labels, key=str.casefold)
        else:
            counts = [e.count or 0 for e in feed_rows(screen)]
            assert counts == sorted(counts, reverse=True)
        rows = keys(screen)
        await pilot.press("j", "tab", "enter", "n", "n", "n", "a")  # read and mark all
        screen = await settle(app, pilot)
        assert keys(screen) == rows


# --- point 2: Everything, unread only, the feed of each row -------------------------------


async def test_unread_only_toggle_applies_to_every_list_and_is_remembered(
        own: Callable[..., Library]) -> None:
    lib = own("folders")
    everything = lib.count()
    first = lib.articles(ArticleQuery(limit=3))
    lib.mark_read([r.id for r in first])
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert screen.articles.total == everything
        await pilot.press("u")
        screen = await settle(app, pilot)
        assert screen.unread_only and screen.articles.total == everything - 3
        assert all(not r.read for r in screen.articles.rows)
        assert _("unread only") in screen.query_one("#list-title").render().plain
        await pilot.press("j")  # another list: unread only too
        screen = await settle(app, pilot)
        assert all(not r.read for r in screen.articles.rows)
        assert screen.articles.total == (screen.sections.highlighted.count or 0)  # type: ignore[union-attr]
    lib.close()
    again = Library(lib.paths, Config(), PROFILE)
    app = TermnewsApp(again, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert screen.unread_only
        await pilot.press("u")
        screen = await settle(app, pilot)
        assert not screen.unread_only and any(r.read for r in screen.articles.rows)
    again.close()


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40)])
async def test_lists_of_several_feeds_name_the_feed_at_every_width(
        size: tuple[int, int], own: Callable[..., Library]) -> None:
    lib = own("folders")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=size) as pilot:
        screen = await settle(app, pilot)
        for pane_open in (False, True):
            if pane_open:
                await pilot.press("tab", "enter")
                screen = await settle(app, pilot)
                await pilot.press("shift+tab")  # back to the list (at 80×24 it shows again)
                screen = await settle(app, pilot)
            row = screen.articles.rows[1]
            title = screen.articles.section_titles[(row.outlet, row.edition, row.section)]
            line = screen.articles.render_line(1).text
            assert title[:5] in line, (size, pane_open, line)


async def test_with_no_article_open_the_list_has_room_for_titles(
        own: Callable[..., Library]) -> None:
    lib = own("flat")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert not screen.pane.display
        i = next(i for i, r in enumerate(screen.articles.rows) if r.title == LONG_TITLE)
        screen.articles.move_to(i)
        line = screen.articles.render_line(i - int(screen.articles.scroll_offset.y)).text
        assert LONG_TITLE[:60] in line
        await pilot.press("tab", "enter")
        screen = await settle(app, pilot)
        assert screen.pane.display and screen.article_id is not None
        # Three panes share the width as before.
        assert screen.pane.size.width > screen.articles.size.width > 30
        # Esc closes the article in the wide layout, as the help says: the list widens.
        await pilot.press("escape")
        screen = await settle(app, pilot)
        assert screen.article_id is None and not screen.pane.display
        assert app.focused is screen.articles


# --- point 3: n and p across lists ---------------------------------------------------------


@pytest.mark.parametrize("kind, everything", [
    ("flat", True),  # all 259 articles of the 30 feeds unread
    ("folders", False),  # two unread in each of 20 feeds, none in the 10 others
    ("newsboat", False),
])
async def test_holding_n_reads_every_unread_article_of_every_feed(
        kind: str, everything: bool, own: Callable[..., Library]) -> None:
    lib = own(kind)
    if not everything:  # fewer presses (each opens an article), the same boundaries and more
        for n, sub in enumerate(lib.subscriptions()):
            rows = lib.articles(ArticleQuery(feed_urls=(sub.feed_url,)))
            lib.mark_read([r.id for r in (rows if n % 3 == 2 else rows[2:])])
    unread = {r.id for r in lib.articles(ArticleQuery(unread=True))}
    app = TermnewsApp(lib, offline=True)
    opened: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        real_open = screen.open_article

        def spy(article_id: int, **kw: Any) -> None:
            opened.append(article_id)
            real_open(article_id, **kw)

        screen.open_article = spy  # type: ignore[method-assign]
        entries = screen.sections.entries
        first = next(i for i, e in enumerate(entries) if len(e.feeds) == 1 and not e.is_group)
        await pilot.press(*["j"] * first)
        screen = await settle(app, pilot)
        await pilot.press("tab", "enter")  # the first article of the first feed
        await pilot.press(*["n"] * (len(unread) - 1))  # held down: no waiting between presses
        await until(pilot, lambda: screen._seek is None and not screen._presses
                    and len(opened) >= len(unread))
        screen = await settle(app, pilot)
        assert len(opened) == len(set(opened)) == len(unread)
        assert set(opened) == unread
        assert lib.count(ArticleQuery(unread=True)) == 0
        # In sidebar order: the feeds of the opened articles never go back up the sidebar.
        position = {e.feeds[0]: i for i, e in enumerate(entries)
                    if len(e.feeds) == 1 and not e.is_group}
        feed_of = {s.url: s for s in lib.feed_statuses()}
        url_of = {(f.outlet, f.edition, f.section): u for u, f in feed_of.items()}
        places = []
        for article_id in opened:
            article = lib.article(article_id)
            assert article is not None
            places.append(position[url_of[(article.outlet, article.edition, article.section)]])
        assert places == sorted(places)
        assert len(set(places)) == (len(FEEDS) if everything else 20)
        # Only when nothing is unread anywhere does it say so.
        assert _("No unread articles.") not in notices(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert _("No unread articles.") in notices(app)


async def test_n_and_p_cross_into_the_next_and_previous_feed(
        own: Callable[..., Library]) -> None:
    lib = own("flat")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        rows = feed_rows(screen)
        await pilot.press("j", "j")  # the second feed
        screen = await settle(app, pilot)
        assert screen.view == rows[1].key
        await pilot.press("tab", "enter")
        screen = await settle(app, pilot)
        first_of_second = screen.article_id
        await pilot.press("p")  # before the first: the last unread article of the first feed
        screen = await settle(app, pilot)
        assert screen.view == rows[0].key
        assert screen.article_id == screen.articles.rows[-1].id
        assert screen.sections.highlighted is not None
        assert screen.sections.highlighted.key == rows[0].key  # the sidebar follows
        await pilot.press("n")  # after the last: the first unread of the next feed
        screen = await settle(app, pilot)
        assert screen.view == rows[1].key
        assert screen.article_id != first_of_second  # that one is read: the next unread
        assert screen.article_id == screen.articles.rows[1].id


async def test_n_goes_round_to_unread_articles_before_where_it_started(
        own: Callable[..., Library]) -> None:
    lib = own("flat")
    urls = [s.feed_url for s in lib.subscriptions()]
    lib.mark_all(ArticleQuery(feed_urls=tuple(urls[1:])))  # only the first feed is unread
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        last = feed_rows(screen)[-1]
        await pilot.press("G", "k")
        screen = await settle(app, pilot)
        assert screen.view == last.key
        await pilot.press("tab", "n")
        screen = await settle(app, pilot)
        assert screen.view == feed_rows(screen)[0].key
        assert screen.article_id == screen.articles.rows[0].id


# --- point 4: leaving asks first ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["flat", "folders"])
async def test_s_asks_before_leaving_a_feed_and_esc_keeps_it(
        kind: str, own: Callable[..., Library]) -> None:
    lib = own(kind)
    count = len(lib.subscriptions())
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        target = feed_rows(screen)[0]
        i = screen.sections.index_of(target.key)
        assert i is not None
        await pilot.press(*["j"] * i)
        screen = await settle(app, pilot)
        hints = dict((label, k) for k, label in screen.query_one(KeyHints).hints())
        assert hints[_("unsubscribe")] == "s"
        await pilot.press("s")
        await settle_app(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert target.label in app.screen.question
        await pilot.press("escape")  # keeps the feed
        screen = await settle(app, pilot)
        assert len(lib.subscriptions()) == count and target.key in keys(screen)
        assert screen.view == target.key
        # Read a story, leave for real, come back: the mark is still there.
        await pilot.press("tab", "enter")
        screen = await settle(app, pilot)
        read_id = screen.article_id
        await pilot.press("shift+tab", "shift+tab", "s")
        await settle_app(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        screen = await settle(app, pilot)
        assert len(lib.subscriptions()) == count - 1
        assert target.key not in keys(screen)
        # The list went on to the row that took the feed's place, with a readable title.
        assert screen.view == screen.sections.entries[i].key
        title = screen.query_one("#list-title").render().plain
        assert title.startswith(screen.sections.entries[i].label)
        assert "main" not in title and "|" not in title
        assert any(_("Left {section}").format(section=target.label) == n
                   for n in notices(app))
    url = target.feeds[0]
    if kind == "flat":
        lib.add_feeds([url], titles={url: target.label})
    else:
        lib.add_feeds([url], folder=FOLDERS[0], titles={url: target.label})
    assert lib.article(read_id).read  # type: ignore[arg-type, union-attr]


async def test_leaving_a_folder_asks_and_names_its_feeds(own: Callable[..., Library]) -> None:
    lib = own("folders")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("j", "s")
        await settle_app(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert FOLDERS[0] in app.screen.question and "10" in app.screen.question
        await pilot.press("enter")
        screen = await settle(app, pilot)
        assert len(lib.subscriptions()) == 20
        assert [e.label for e in screen.sections.entries if e.is_group] == list(FOLDERS[1:])
        assert screen.view == group_key(f"folder:{FOLDERS[1]}", "")


# --- point 5: refresh says what happened -----------------------------------------------------


async def test_refresh_reports_new_and_failed_feeds_and_marks_them(
        own: Callable[..., Library], own_server: tuple[FeedServer, dict[int, str]]) -> None:
    server, _urls = own_server
    lib = own("flat")
    gone = server.url("/own/missing-feed.xml")  # 404
    closed = "http://127.0.0.1:9/nothing-listens-here.xml"  # connection refused
    fresh = server.add("/own/fresh.xml", own_feeds.rss(own_feeds.OwnFeed(
        40, "A Feed Added By Its Address", 4, "/own/fresh.xml")))
    lib.add_feeds([gone, closed, fresh])  # by URL alone, as `feeds add` or S would
    app = TermnewsApp(lib, offline=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await until(pilot, lambda: screen.refreshing is None and screen.background_started
                    and bool(screen.feed_errors))
        screen = await settle(app, pilot)
        labels = {e.label: e for e in feed_rows(screen)}
        # The title the feed gave itself, at once, without a restart.
        assert "A Feed Added By Its Address" in labels and fresh not in labels
        assert labels[gone].failed and labels[closed].failed
        assert not labels["A Feed Added By Its Address"].failed
        assert any("4" in n and "2" in n for n in notices(app))  # "4 new articles · 2 feeds failed"
        row = screen.sections.render_line(screen.sections.index_of(labels[gone].key) or 0).text
        assert "!" in row
        # The failed feed's list says why.
        await pilot.press(*["j"] * (screen.sections.index_of(labels[gone].key) or 0))
        screen = await settle(app, pilot)
        title = screen.query_one("#list-title").render().plain
        assert "404" in title
        # r: progress in the header while it runs, then a short notice.
        server.slow("/own/fresh.xml", 1.0)
        app._notifications.clear()
        await pilot.press("r")
        await until(pilot, lambda: screen.refreshing is not None)
        await until(pilot, lambda: "refreshing" in str(
            screen.masthead.query_one("#status").render()))
        await until(pilot, lambda: screen.refreshing is None and bool(notices(app)))
        assert any(_("No new articles.") in n or "2" in n for n in notices(app))


async def test_r_in_the_demo_says_the_demo_is_bundled(seeded: Path, tmp_path: Path) -> None:
    from ui_support import REAL_CATALOG, load_screenshots

    shots = load_screenshots()
    paths = shots.fresh_copy(seeded, tmp_path / "data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Library, "catalog", REAL_CATALOG)
        lib = Library(paths, Config(), shots.PROFILE, demo=True)
        lib.start()
        app = TermnewsApp(lib, offline=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await settle(app, pilot)
            await pilot.press("r")
            await settle(app, pilot)
            assert any("demo" in n and "bundled" in n for n in notices(app))
            assert screen.refreshing is None
        lib.close()


# --- point 6: no browser --------------------------------------------------------------------


async def test_o_without_a_browser_shows_and_copies_the_link(
        own: Callable[..., Library], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webbrowser, "open", lambda url, new=0: False)
    lib = own("flat")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("tab", "enter")
        screen = await settle(app, pilot)
        assert screen.article is not None
        url = screen.article.url
        await pilot.press("o")
        await until(pilot, lambda: any(url in n for n in notices(app)))
        assert app.clipboard == url
        assert any(_("No browser could be started.")[:20] in n for n in notices(app))


# --- point 9: smaller things -----------------------------------------------------------------


async def test_help_shows_the_id_of_every_key(own: Callable[..., Library]) -> None:
    lib = own("flat")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        rows = screen.help_rows()
        ids = {row[2] for row in rows}
        assert {"next_unread", "unread_only", "subscribe", "collapse", "quit"} <= ids
        await pilot.press("question_mark")
        await pilot.pause()
        text = app.screen.query_one("#help-keys").render().plain
        line = next(ln for ln in text.splitlines() if ln.rstrip().endswith("next_unread"))
        assert line.startswith("n")


async def test_palette_built_in_entries_follow_the_language(
        own: Callable[..., Library]) -> None:
    from textual.command import CommandInput, CommandPalette

    from termnews.ui.commands import translated_system_command

    lib = own("flat")
    app = TermnewsApp(lib, offline=True)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await settle(app, pilot)
            set_language("ru")
            titles = [c.title for c in app.get_system_commands(screen)]
            assert "Тема" in titles and "Выход" in titles and "Theme" not in titles
            await pilot.press("ctrl+p")
            await pilot.pause()
            palette = app.screen
            assert isinstance(palette, CommandPalette)
            assert palette.query_one(CommandInput).placeholder == "Искать команды…"
            await pilot.press("escape")
            set_language("en")
            textual_own = next(iter(App.get_system_commands(app, screen)))
            assert translated_system_command(textual_own).title == "Theme"
    finally:
        set_language("en")


async def test_keys_of_feeds_with_a_bar_in_their_url_split_right(
        own: Callable[..., Library], own_server: tuple[FeedServer, dict[int, str]]) -> None:
    server, _urls = own_server
    lib = own("folders")
    odd = server.url("/own/odd.xml?a=1|b=2")
    lib.add_feeds([odd], titles={odd: "A Feed With A Bar"})
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        row = next(e for e in screen.sections.entries if e.label == "A Feed With A Bar")
        assert split_key(row.key) == (f"feed:{odd}", "", "main")
        assert screen.place.feeds(row.key) == (odd,)


async def test_a_single_plain_feed_starts_on_its_row(
        own_server: tuple[FeedServer, dict[int, str]], ui_paths: Any) -> None:
    _server, urls = own_server
    lib = Library(ui_paths, Config(), PROFILE)
    lib.start(starter=False)
    lib.add_feeds([urls[0]], titles={urls[0]: FEEDS[0][0]})
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert keys(screen) == [f"feed:{urls[0]}||main", "starred"]  # no Everything for one
        assert screen.view == keys(screen)[0]
        assert screen.query_one("#list-title").render().plain.startswith(FEEDS[0][0])
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Go to All", "enter")
        screen = await settle(app, pilot)
        assert screen.view == keys(screen)[0]
    lib.close()
