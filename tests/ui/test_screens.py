"""Secondary screens, the command palette, themes and safe link opening, driven by Pilot.

Each screen runs in a small host App with a real Library in the test's data dir.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.command import CommandPalette, DiscoveryHit, Hit
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static

from termnews.catalog import user_outlets
from termnews.config import Config, UserEdition, UserOutlet, UserSection
from termnews.i18n import set_language
from termnews.library import Library
from termnews.model import (
    Edition,
    FeedSource,
    FetchResult,
    Outlet,
    ParsedEntry,
    ParsedFeed,
    Section,
)
from termnews.paths import Paths
from termnews.store import cache
from termnews.store.db import transaction
from termnews.ui.browser import browser_argv, checked_url, open_url
from termnews.ui.commands import TermnewsCommands
from termnews.ui.screens.add_feed import AddFeedScreen
from termnews.ui.screens.edition_picker import EditionPicker
from termnews.ui.screens.help import HelpScreen
from termnews.ui.screens.subscriptions import SubscriptionsScreen, SubsTree
from termnews.ui.themes import THEME_PREF, apply_saved_theme, set_theme

HOSTILE = "[@click=app.quit]Boom[/] [b]x\\"
TITLES = {
    "en": ("World", "Science", "Sport", "Business"),
    "ru": ("Мир", "Наука", "Спорт", "Экономика"),
    "de": ("Welt", "Wissenschaft", "Sport", "Wirtschaft"),
}
NAMES = {"en": "English", "ru": "Русский", "de": "Deutsch"}


def feed(lang: str, section: str) -> str:
    return f"https://news.example/{lang}/{section}.xml"


NEWS = Outlet("news", "Daily News", tuple(
    Edition(lang, NAMES[lang], tuple(
        Section(key, title, feed(lang, key))
        for key, title in zip(("world", "science", "sport", "business"), titles, strict=True)))
    for lang, titles in TITLES.items()))


@pytest.fixture(autouse=True)
def _catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests bring their own catalog outlet (plus the config's), not the bundled data."""
    monkeypatch.setattr(Library, "catalog", lambda self: (NEWS, *user_outlets(self.config)))


class Host(App[None]):
    """Pushes one screen on mount and records what it dismisses with."""

    def __init__(self, make: Callable[[], Screen[Any]] | None = None,
                 library: Library | None = None) -> None:
        super().__init__()
        self.make = make
        self.library = library
        self.results: list[Any] = []
        self.notices: list[str] = []

    def notify(self, message: str, **kwargs: Any) -> None:  # type: ignore[override]
        self.notices.append(message)
        super().notify(message, **kwargs)

    def compose(self) -> ComposeResult:
        yield Static("host", id="host")

    def on_mount(self) -> None:
        if self.make is not None:
            self.push_screen(self.make(), self.results.append)


def plain(widget: Static) -> str:
    content = widget.render()
    return content.plain if isinstance(content, Content) else str(content)


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# --- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["escape", "q", "question_mark"])
async def test_help_lists_keys_literally_and_closes(key: str) -> None:
    rows = [("j/↓", "down"), ("[", "previous article"), ("]", "next article"),
            ("?", "help"), ("x", HOSTILE)]
    app = Host(lambda: HelpScreen(rows))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = plain(app.screen.query_one("#help-keys", Static))
        lines = text.splitlines()
        assert lines[1].startswith("[") and lines[1].endswith("previous article")
        assert HOSTILE in lines[4]  # markup in a description is shown, not run
        # Columns line up: descriptions start at the same cell.
        assert {line.index(desc) for line, (_k, desc) in zip(lines, rows, strict=True)} == {5}
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.results == [None]
        assert app.is_running


async def test_help_scrolls_when_longer_than_the_screen() -> None:
    rows = [(f"k{i}", f"action number {i}") for i in range(60)]
    app = Host(lambda: HelpScreen(rows))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scroll = app.screen.query_one("#help-scroll")
        assert scroll.max_scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y


# --- edition picker ---------------------------------------------------------------------------


def _outlet() -> Outlet:
    def ed(lang: str, name: str) -> Edition:
        return Edition(lang, name, (Section("world", "World", f"https://e.test/{lang}.xml"),))

    return Outlet("news", "News", (ed("en", "English"), ed("ru", "Русский"), ed("de", "Deutsch")))


async def test_edition_picker_returns_the_chosen_language() -> None:
    app = Host(lambda: EditionPicker(_outlet(), "ru"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert options.highlighted == 1  # starts on the current edition
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(3)]
        assert "Русский" in prompts[1] and prompts[1].startswith("✓")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.results == ["de"]


async def test_edition_picker_cancel_returns_none() -> None:
    app = Host(lambda: EditionPicker(_outlet(), "en"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


# --- subscriptions ------------------------------------------------------------------------------


def _find(tree: SubsTree, outlet: str, lang: str | None = None,
          section: str | None = None) -> Any:
    stack = list(tree.root.children)
    while stack:
        node = stack.pop()
        item = node.data
        if (item is not None and item.outlet.key == outlet
                and (item.edition.lang if item.edition else None) == lang
                and (item.section.key if item.section else None) == section):
            return node
        stack.extend(node.children)
    raise AssertionError(f"no node {outlet}/{lang}/{section}")


async def _goto(pilot: Any, tree: SubsTree, node: Any) -> None:
    """Unfold the node's ancestors and put the cursor on it."""
    parent = node.parent
    while parent is not None:
        parent.expand()
        parent = parent.parent
    await pilot.pause()
    tree.move_cursor(node)
    await pilot.pause()
    assert tree.cursor_node is node


def _subs(paths: Paths) -> set[tuple[str, str, str]]:
    """What state.db holds, read through a fresh Library (not the screen's)."""
    with Library(paths, Config(), "tester") as lib:
        return {(s.outlet, s.edition, s.section) for s in lib.subscriptions()}


async def test_subscriptions_toggle_section_edition_outlet_persist(library: Library,
                                                                   paths: Paths) -> None:
    outlet = NEWS
    english = outlet.edition("en")
    assert english is not None
    app = Host(lambda: SubscriptionsScreen(library), library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(SubsTree)

        await _goto(pilot, tree, _find(tree, "news", "en", "world"))
        await pilot.press("space")
        await settle(pilot)
        assert _subs(paths) == {("news", "en", "world")}
        assert str(_find(tree, "news", "en", "world").label).startswith("[x]")
        assert str(_find(tree, "news", "en").label).startswith("[~]")

        await _goto(pilot, tree, _find(tree, "news", "en"))  # partly subscribed → all
        await pilot.press("enter")
        await settle(pilot)
        assert _subs(paths) == {("news", "en", s.key) for s in english.sections}

        await pilot.press("space")  # all subscribed → leave the edition
        await settle(pilot)
        assert _subs(paths) == set()

        await _goto(pilot, tree, _find(tree, "news"))  # the whole outlet, every edition
        await pilot.press("space")
        await settle(pilot)
        assert _subs(paths) == {("news", e.lang, s.key)
                                for e in outlet.editions for s in e.sections}

        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [True]


async def test_subscriptions_fast_toggles_land_in_order(library: Library, paths: Paths) -> None:
    app = Host(lambda: SubscriptionsScreen(library), library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(SubsTree)
        await _goto(pilot, tree, _find(tree, "news", "en", "sport"))
        await pilot.press("space", "space", "space")  # on, off, on: no waiting between
        await settle(pilot)
        assert _subs(paths) == {("news", "en", "sport")}


async def test_subscriptions_close_unchanged_returns_false(library: Library) -> None:
    app = Host(lambda: SubscriptionsScreen(library), library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app.results == [False]


async def test_add_feed_validates_the_url(library: Library, paths: Paths) -> None:
    app = Host(lambda: SubscriptionsScreen(library), library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddFeedScreen)
        for bad in ("javascript:alert(1)", "file:///etc/passwd", "-https://x.test/", "ftp://x"):
            app.screen.query_one(Input).value = bad
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, AddFeedScreen), bad
            error = app.screen.query_one("#add-feed-error", Label)
            assert "http" in plain(error)
        app.screen.query_one(Input).value = "https://feeds.example.org/news.xml"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SubscriptionsScreen)
        with Library(paths, Config(), "tester") as lib:
            assert [s.feed_url for s in lib.subscriptions()] == [
                "https://feeds.example.org/news.xml"]
        tree = app.screen.query_one(SubsTree)
        node = _find(tree, "feed:https://feeds.example.org/news.xml")
        assert str(node.label).startswith("[x]")
        assert tree.cursor_node is node
        await pilot.press("space")  # and unsubscribe it again from the list
        await settle(pilot)
        assert _subs(paths) == set()
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [True]


async def test_add_feed_cancel(library: Library, paths: Paths) -> None:
    app = Host(lambda: SubscriptionsScreen(library), library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SubscriptionsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [False]
    assert _subs(paths) == set()


async def test_subscriptions_show_hostile_names_literally(paths: Paths) -> None:
    evil = UserOutlet(key="evil", name=HOSTILE, editions=(
        UserEdition(lang="en", name="[red]English", sections=(
            UserSection(key="world", title="[@click=app.quit]World", url="https://e.test/w"),)),))
    lib = Library(paths, Config(outlets=(evil,)), "tester")
    lib.start(starter=False)
    app = Host(lambda: SubscriptionsScreen(lib), lib)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            tree = app.screen.query_one(SubsTree)
            node = _find(tree, "evil", "en", "world")
            await _goto(pilot, tree, node)
            assert HOSTILE in str(_find(tree, "evil").label)
            assert "[@click=app.quit]World" in str(node.label)
            await pilot.click(SubsTree, offset=(6, tree.cursor_line))  # a click toggles too
            await settle(pilot)
            assert app.is_running
            assert _subs(paths) == {("evil", "en", "world")}
    finally:
        lib.close()



async def test_subscriptions_show_feed_errors_and_fetched_titles(library: Library) -> None:
    library.subscribe("news", "en", "world")
    plain = "https://feeds.example.org/harbour.xml"
    library.add_feeds([plain])
    library.feed_sources()  # registers the feeds in the cache
    with transaction(library.conn):
        cache.record_fetch(library.conn, feed("en", "world"),
                           FetchResult(feed("en", "world"), 404, error="HTTP 404"),
                           error="HTTP 404")
        cache.record_fetch(library.conn, plain, FetchResult(plain, 200), error=None,
                           title="[b]Harbour Gazette")
    app = Host(lambda: SubscriptionsScreen(library), library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(SubsTree)
        assert str(_find(tree, "news", "en", "world").label) == "[x] World  error: HTTP 404"
        assert str(_find(tree, "news", "en", "sport").label) == "[ ] Sport"
        assert str(_find(tree, "feed:" + plain).label) == f"[x] [b]Harbour Gazette  {plain}"

# --- command palette ------------------------------------------------------------------------------


class FakeMain(Screen[None]):
    """Stands in for the reading screen: records the actions the palette runs."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.calls: list[tuple[str, Any]] = []
        self.outlet = "news"
        self.edition = "en"

    def compose(self) -> ComposeResult:
        yield Static("main")

    def action_refresh(self) -> None:
        self.calls.append(("refresh", None))

    def action_help(self) -> None:
        self.calls.append(("help", None))

    def action_open_section(self, key: str) -> None:
        self.calls.append(("section", key))

    def action_open_article(self, article_id: int) -> None:
        self.calls.append(("article", article_id))


class PaletteApp(App[None]):
    COMMANDS = App.COMMANDS | {TermnewsCommands}

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.main = FakeMain(library)

    def on_mount(self) -> None:
        self.push_screen(self.main)


def _seed_articles(library: Library, url: str, titles: list[str]) -> list[int]:
    entries = tuple(
        ParsedEntry(guid=f"g{i}", url=f"https://e.test/{i}", title=t,
                    published=datetime(2026, 11, 27, 12, i, tzinfo=UTC), summary=f"about {t}")
        for i, t in enumerate(titles))
    with transaction(library.conn):
        cache.ensure_feed(library.conn, FeedSource(url, "news", "en", "world", "World"))
        cache.store_entries(library.conn, url, ParsedFeed("World", "en", entries))
    return [r.id for r in library.articles()]


async def _provider(app: PaletteApp) -> TermnewsCommands:
    provider = TermnewsCommands(app.main)
    await provider.startup()
    return provider


async def test_palette_lists_actions_sections_and_themes(library: Library) -> None:
    library.subscribe("news", "en")
    app = PaletteApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        provider = await _provider(app)
        discovered = [h async for h in provider.discover()]
        texts = [h.text for h in discovered]
        assert all(isinstance(h, DiscoveryHit) for h in discovered)
        assert "Refresh" in texts and "Help" in texts and "Go to Starred" in texts
        assert "Subscriptions" not in texts  # FakeMain has no action_subscriptions
        assert any(t and t.startswith("Go to World") for t in texts)

        hits = [h async for h in provider.search("refresh")]
        assert hits and hits[0].text == "Refresh"
        hits[0].command()
        assert app.main.calls == [("refresh", None)]

        hits = [h async for h in provider.search("go to business")]
        best = max(hits, key=lambda h: h.score)
        best.command()
        assert app.main.calls[-1] == ("section", "news|en|business")

        hits = [h async for h in provider.search("starred")]
        max(hits, key=lambda h: h.score).command()
        assert app.main.calls[-1] == ("section", "starred")

        hits = [h async for h in provider.search("Theme: nord")]
        theme = next(h for h in hits if h.text == "Theme: nord")
        theme.command()
        await pilot.pause()
        assert app.theme == "nord"


async def test_palette_reads_sections_from_the_screens_place(library: Library) -> None:
    library.subscribe("news", "en")
    library.subscribe("news", "ru", "world")
    app = PaletteApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.main.library = None  # type: ignore[assignment]
        app.library = None  # type: ignore[assignment]
        app.main.place = SimpleNamespace(  # type: ignore[attr-defined]
            outlets=library.outlets(), subscriptions=library.subscriptions(),
            outlet="news", edition="ru")
        provider = await _provider(app)
        texts = [h.text or "" async for h in provider.discover()]
        assert [t for t in texts if t.startswith("Go to")] == [
            "Go to All articles", "Go to Starred", "Go to Мир — Daily News · RU"]
        hits = [h async for h in provider.search("go to world en")]
        max(hits, key=lambda h: h.score).command()
        assert app.main.calls == [("section", "news|en|world")]


async def test_palette_finds_articles_and_shows_titles_literally(library: Library) -> None:
    library.subscribe("news", "en")
    url = feed("en", "world")
    ids = _seed_articles(library, url, ["Harbour reopens after storm", HOSTILE + " harbour"])
    app = PaletteApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        provider = await _provider(app)
        hits = [h async for h in provider.search("harbour")]
        articles = [h for h in hits if isinstance(h, Hit) and h.text != "Refresh"
                    and "harbour" in (h.text or "").lower()]
        assert {h.text for h in articles} == {"Harbour reopens after storm", HOSTILE + " harbour"}
        for h in articles:
            assert isinstance(h.prompt, Content)
            assert h.prompt.plain == h.text  # no markup was parsed
            assert isinstance(h.help, Content)
            assert h.help.plain == "Article · Daily News · EN · World"
        hostile = next(h for h in articles if (h.text or "").startswith("[@click"))
        hostile.command()
        hostile_id = next(r.id for r in library.articles() if r.title.startswith("[@click"))
        assert hostile_id in ids
        assert app.main.calls == [("article", hostile_id)]
        assert app.is_running


async def test_palette_end_to_end_runs_a_command(library: Library) -> None:
    app = PaletteApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        await pilot.press(*"refresh")
        palette = app.screen
        for _ in range(100):  # the palette gathers hits asynchronously
            await pilot.pause(0.02)
            options = palette.query_one("CommandList", OptionList)
            if options.option_count and "Refresh" in str(options.get_option_at_index(0).prompt):
                break
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.calls == [("refresh", None)]


# --- themes ---------------------------------------------------------------------------------


class ThemeApp(App[None]):
    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library

    def on_mount(self) -> None:
        apply_saved_theme(self, self.library)


async def test_theme_choice_is_saved_and_restored(library: Library, paths: Paths) -> None:
    app = ThemeApp(library)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"  # the config's default
        assert set_theme(app, "gruvbox")
        assert not set_theme(app, "no-such-theme")
        await pilot.pause()
        await settle(pilot)
    with Library(paths, Config(), "tester") as lib:
        assert lib.pref(THEME_PREF) == "gruvbox"
        again = ThemeApp(lib)
        async with again.run_test() as pilot:
            await pilot.pause()
            assert again.theme == "gruvbox"


async def test_theme_unknown_saved_name_falls_back(library: Library) -> None:
    library.set_pref(THEME_PREF, "gone-theme")
    app = ThemeApp(library)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"


# --- browser -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", "file:///etc/passwd", "data:text/html,<b>x",
    "-https://example.org/", "--new-window", " -x", "http://", "", None,
    "https://user:pw@example.org/", "https://exa mple.org/", "https://example.org/\x1b]52;c;x\x07",
    "mailto:a@example.org", "vbscript:x",
])
def test_checked_url_refuses(url: str | None) -> None:
    assert checked_url(url) is None


def test_checked_url_allows_http_and_resolves_relative() -> None:
    assert checked_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert checked_url("http://example.org/") == "http://example.org/"
    assert checked_url("/news/2", base="https://example.org/a") == "https://example.org/news/2"
    assert checked_url("/news/2", base="file:///etc/") is None


def test_browser_argv_has_no_shell() -> None:
    assert browser_argv("w3m -o confirm_qq=0", "https://e.test/?a=1&b=$(x)") == [
        "w3m", "-o", "confirm_qq=0", "https://e.test/?a=1&b=$(x)"]


class Recorder(webbrowser.BaseBrowser):
    opened: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        Recorder.opened.append(url)
        return True


async def test_open_url_refuses_unsafe_and_opens_safe() -> None:
    webbrowser.register("termnews-test-recorder", None, Recorder("recorder"), preferred=True)
    Recorder.opened.clear()
    app = Host()
    async with app.run_test() as pilot:
        for bad in ("javascript:alert(1)", "file:///etc/passwd", "data:,x", "-https://e.test/"):
            assert open_url(app, bad) is False
            assert open_url(app, bad, "w3m") is False
        await settle(pilot)
        assert Recorder.opened == []
        assert len(app.notices) == 8 and all("http" in n for n in app.notices)
        assert open_url(app, "https://example.org/story") is True
        await settle(pilot)
        assert Recorder.opened == ["https://example.org/story"]


# --- UI language ---------------------------------------------------------------------------


async def test_screens_and_palette_follow_the_ui_language(library: Library) -> None:
    set_language("ru")
    try:
        app = Host(lambda: SubscriptionsScreen(library), library)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            box = app.screen.query_one("#subs-box")
            assert box.border_title == "Подписки"
        palette = PaletteApp(library)
        async with palette.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            provider = await _provider(palette)
            texts = [h.text async for h in provider.discover()]
            assert "Обновить" in texts and "Refresh" not in texts
    finally:
        set_language("en")
