"""The reading screen, driven with Pilot over a cache built with the store directly."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from email.utils import format_datetime

import pytest
from rich.style import Style
from textual.content import Content
from textual.style import Style as TextualStyle
from textual.widgets import Markdown
from ui_support import NOW, OUTLET, entries, feed_url, make_library, store, story_url

from termnews.config import Config
from termnews.i18n import _, set_language
from termnews.library import Library
from termnews.model import ArticleQuery
from termnews.paths import Paths
from termnews.ui.app import TermnewsApp
from termnews.ui.screens.confirm import ConfirmScreen
from termnews.ui.screens.main import MainScreen
from termnews.ui.views import EVERYTHING, group_key, section_key
from termnews.ui.widgets.keyhints import KeyHints
from tui_support import settle as settle_app

pytestmark = pytest.mark.usefixtures("fixed_clock", "only_test_outlet")

SIZE = (120, 40)


async def settle(app: TermnewsApp, pilot: object) -> MainScreen:
    """Wait until the background start and workers (list, counts, article) are done."""
    screen = await settle_app(app, pilot)
    assert isinstance(screen, MainScreen)
    return screen


def titles(screen: MainScreen) -> list[str]:
    return [r.title for r in screen.articles.rows]


async def test_start_shows_cached_sections_and_articles(lib: Library) -> None:
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert screen.edition == "en"
        keys = [e.key for e in screen.sections.entries]
        assert keys[0] == group_key(OUTLET, "en") and "starred" in keys
        assert EVERYTHING not in keys  # one outlet alone: its All comes first
        assert section_key(OUTLET, "en", "world") in keys
        assert len(screen.articles.rows) == 15  # three English sections of five
        published = [r.published for r in screen.articles.rows]
        assert published == sorted(published, reverse=True)  # type: ignore[type-var]
        assert all(r.edition == "en" for r in screen.articles.rows)
        assert app.focused is screen.sections
        all_entry = screen.sections.entries[0]
        assert all_entry.count == 15


async def test_navigation_j_j_tab_j_j_enter_opens_an_article(lib: Library) -> None:
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("j", "j")  # sections: World, Science — the list follows
        await settle(app, pilot)
        assert screen.view == section_key(OUTLET, "en", "science")
        assert all(r.section == "science" for r in screen.articles.rows)
        await pilot.press("tab", "j", "j", "enter")
        screen = await settle(app, pilot)
        assert app.focused is screen.pane
        expected = screen.articles.rows[2]
        assert screen.article_id == expected.id
        body = screen.pane.query_one(Markdown)
        assert expected.title in body.source
        await pilot.press("shift+tab")
        assert app.focused is screen.articles


async def test_open_marks_read_star_toggle_and_mark_all(lib: Library) -> None:
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("tab", "enter")
        screen = await settle(app, pilot)
        first = screen.articles.rows[0]
        assert first.read and lib.article(first.id).read  # type: ignore[union-attr]
        await pilot.press("f")
        await settle(app, pilot)
        assert lib.article(first.id).starred  # type: ignore[union-attr]
        assert screen.articles.rows[0].starred
        await pilot.press("m")
        await settle(app, pilot)
        assert not lib.article(first.id).read  # type: ignore[union-attr]
        starred_entry = next(e for e in screen.sections.entries if e.key == "starred")
        assert starred_entry.count == 1
        # a: the whole section (here: All of the English edition) read
        await pilot.press("shift+tab", "a")
        await settle(app, pilot)
        assert lib.count(ArticleQuery(edition="en", unread=True)) == 0
        assert lib.count(ArticleQuery(edition="ru", unread=True)) == 15
        assert all(r.read for r in screen.articles.rows)


async def test_next_unread_and_brackets(lib: Library) -> None:
    ids = [r.id for r in lib.articles(ArticleQuery(edition="en"))]
    lib.mark_read([ids[1]])
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert [r.id for r in screen.articles.rows] == ids
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        await pilot.press("n")  # skips the read second one
        screen = await settle(app, pilot)
        assert screen.article_id == ids[2]
        await pilot.press("left_square_bracket")
        screen = await settle(app, pilot)
        assert screen.article_id == ids[1]
        await pilot.press("right_square_bracket", "right_square_bracket")
        screen = await settle(app, pilot)
        assert screen.article_id == ids[3]


async def test_search_shows_results_as_a_view(lib: Library) -> None:
    store(lib, "en", "science", entries("en", "science", 1, start=50,
                                        titles={50: "Quokka census finds more quokkas"}))
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("slash")
        await pilot.press(*"quokka")
        await pilot.press("enter")
        screen = await settle(app, pilot)
        assert screen.view == "search"
        assert titles(screen) == ["Quokka census finds more quokkas"]
        assert any(e.key == "search" for e in screen.sections.entries)
        assert app.focused is screen.articles


async def test_search_marks_the_words_it_matched(lib: Library) -> None:
    """Every form the search matched is marked, in the list and in the open article."""
    store(lib, "en", "science", entries("en", "science", 1, start=60, titles={
        60: "Quokkas counted: the quokka census [b]grows[/b]"}))
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("slash", *"quokka", "enter")
        screen = await settle(app, pilot)
        lines = screen.articles.render_row(0, 100, Style())
        match = screen.articles.get_component_rich_style("article-list--match")
        marked = [s.text for s in lines if match.color and s.style and
                  s.style.color == match.color and s.style.underline]
        assert marked == ["Quokkas", "quokka"]
        assert "".join(s.text for s in lines).count("[b]grows[/b]") == 1  # text, not markup
        await pilot.press("enter")
        screen = await settle(app, pilot)
        from textual.widgets.markdown import MarkdownBlock

        found = []
        for block in screen.pane.query(MarkdownBlock):
            content = block.content
            if isinstance(content, Content):
                found += [content.plain[span.start:span.end] for span in content.spans
                          if isinstance(span.style, TextualStyle) and span.style.reverse]
        assert {w.casefold() for w in found} >= {"quokkas", "quokka"}


async def test_subscribe_and_unsubscribe_a_section(ui_paths: Paths) -> None:
    lib = make_library(ui_paths, subscribe=("en",))
    # leave Sport: it shows dimmed with the hint
    lib.unsubscribe(OUTLET, "en", "sport")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        sport = section_key(OUTLET, "en", "sport")
        entry = next(e for e in screen.sections.entries if e.key == sport)
        assert not entry.subscribed
        await pilot.press("j", "j", "j")
        screen = await settle(app, pilot)
        assert screen.view == sport
        await pilot.press("s")
        screen = await settle(app, pilot)
        assert feed_url("en", "sport") in lib.subscribed_urls()
        entry = next(e for e in screen.sections.entries if e.key == sport)
        assert entry.subscribed
        await pilot.press("s")  # leaving asks first
        await settle_app(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        screen = await settle(app, pilot)
        assert feed_url("en", "sport") not in lib.subscribed_urls()
        assert screen.view == sport  # a catalog section stays, to subscribe again
    lib.close()


def _rss(items: list[tuple[str, str]]) -> bytes:
    """An RSS document; items are (guid, title), newest first, an hour apart."""
    parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
             "<title>Loop</title><link>https://loop.example/</link><language>en</language>"]
    for n, (guid, title) in enumerate(items):
        when = format_datetime(NOW - timedelta(hours=n))
        parts.append(f"<item><guid>{guid}</guid><title>{title}</title>"
                     f"<link>https://loop.example/{guid}</link><pubDate>{when}</pubDate>"
                     f"<description>About {title}.</description></item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


async def test_refresh_adds_new_articles_and_keeps_the_selection(
        ui_paths: Paths, feed_server: object) -> None:
    server = feed_server
    old = [(f"old-{i}", f"Old story {i}") for i in range(6)]
    url = server.add("/loop.xml", _rss(old))  # type: ignore[attr-defined]
    lib = Library(ui_paths, Config(), "tester")
    lib.start(starter=False)
    lib.add_feeds([url], titles={url: "Loop"})
    await lib.refresh()
    assert lib.count() == 6
    app = TermnewsApp(lib)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("tab", "j", "j")
        chosen = screen.articles.current
        assert chosen is not None and chosen.title == "Old story 2"
        new = [(f"new-{i}", f"New story {i}") for i in range(3)]
        server.touch("/loop.xml", _rss([*new, *old]))  # type: ignore[attr-defined]
        await pilot.press("r")
        screen = await settle(app, pilot)
        assert len(screen.articles.rows) == 9
        assert titles(screen)[:3] == ["New story 0", "New story 1", "New story 2"]
        current = screen.articles.current
        assert current is not None and current.id == chosen.id
        assert screen.refreshing is None and not screen.net_down
    lib.close()


async def test_offline_start_never_fetches(ui_paths: Paths, feed_server: object) -> None:
    server = feed_server
    url = server.add("/loop.xml", _rss([("a", "A story")]))  # type: ignore[attr-defined]
    lib = Library(ui_paths, Config(), "tester", offline=True)
    lib.start(starter=False)
    lib.add_feeds([url])
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("r")
        screen = await settle(app, pilot)
        assert server.requests == []  # type: ignore[attr-defined]
        assert screen._status_text()[0] == _("offline")
    lib.close()


async def test_network_down_shows_offline_and_keeps_articles(ui_paths: Paths,
                                                            feed_server: object) -> None:
    server = feed_server
    url = server.add("/loop.xml", _rss([("a", "A story"), ("b", "B story")]))  # type: ignore[attr-defined]
    lib = Library(ui_paths, Config(), "tester")
    lib.start(starter=False)
    lib.add_feeds([url])
    await lib.refresh()
    server.stop()  # type: ignore[attr-defined]
    app = TermnewsApp(lib)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert screen.net_down
        assert screen._status_text()[1]  # shown as offline
        assert titles(screen) == ["A story", "B story"]
    lib.close()


async def test_restores_last_section_and_article(ui_paths: Paths) -> None:
    lib = make_library(ui_paths)
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "j", "tab", "j", "enter")  # Science, second article
        screen = await settle(app, pilot)
        opened = screen.article_id
        view = screen.view
    lib.close()
    lib = Library(ui_paths, Config(), "tester")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert screen.view == view == section_key(OUTLET, "en", "science")
        assert screen.article_id == opened
        current = screen.articles.current
        assert current is not None and current.id == opened
    lib.close()


async def test_history_back_and_forward_survive_restart(ui_paths: Paths) -> None:
    lib = make_library(ui_paths)
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        ids = [r.id for r in screen.articles.rows[:3]]
        await pilot.press("tab", "enter", "escape", "j", "enter", "escape", "j", "enter")
        screen = await settle(app, pilot)
        assert screen.article_id == ids[2]
        await pilot.press("backspace")
        screen = await settle(app, pilot)
        assert screen.article_id == ids[1]
        await pilot.press("alt+left")
        screen = await settle(app, pilot)
        assert screen.article_id == ids[0]
        await pilot.press("alt+right")
        screen = await settle(app, pilot)
        assert screen.article_id == ids[1]
    lib.close()
    lib = Library(ui_paths, Config(), "tester")
    assert lib.history()[-3:] == ids
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("backspace")
        screen = await settle(app, pilot)
        assert screen.article_id == ids[1]
    lib.close()


async def test_remapped_key_from_config(ui_paths: Paths) -> None:
    lib = make_library(ui_paths, Config(keys={"star": "x", "down": "ctrl+n"}))
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("tab", "f")
        await settle(app, pilot)
        first = screen.articles.rows[0]
        assert not lib.article(first.id).starred  # type: ignore[union-attr]
        await pilot.press("x")
        await settle(app, pilot)
        assert lib.article(first.id).starred  # type: ignore[union-attr]
        await pilot.press("ctrl+n")
        assert screen.articles.cursor == 1
        hints = dict((label, keys) for keys, label in screen.query_one(KeyHints).hints())
        assert "x" in hints[_("star")]
    lib.close()


async def test_language_toggle_maps_section_and_opens_the_same_story(lib: Library) -> None:
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("j")  # World
        screen = await settle(app, pilot)
        assert screen.view == section_key(OUTLET, "en", "world")
        await pilot.press("l")
        screen = await settle(app, pilot)
        assert screen.edition == "ru"
        assert screen.view == section_key(OUTLET, "ru", "world")
        assert all(r.edition == "ru" and r.section == "world" for r in screen.articles.rows)
        await pilot.press("l")  # back to English, still World
        screen = await settle(app, pilot)
        assert screen.view == section_key(OUTLET, "en", "world")
        # Story 0 of World exists in both editions (hreflang alternates).
        await pilot.press("tab", "enter")
        screen = await settle(app, pilot)
        en_story = screen.article
        assert en_story is not None and en_story.url == story_url("en", "world", 0)
        await pilot.press("l")
        screen = await settle(app, pilot)
        assert screen.edition == "ru"
        assert screen.article is not None
        assert screen.article.url == story_url("ru", "world", 0)
        # No counterpart: the mapped section, no article.
        await pilot.press("shift+tab", "j")
        screen = await settle(app, pilot)
        await pilot.press("enter")
        screen = await settle(app, pilot)
        assert screen.article is not None and screen.article.url != story_url("ru", "world", 0)
        await pilot.press("l")
        screen = await settle(app, pilot)
        assert screen.edition == "en" and screen.article_id is None
        assert screen.view == section_key(OUTLET, "en", "world")
    lib.close()


async def test_language_toggle_from_search_results_opens_the_same_story(lib: Library) -> None:
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("slash", *"story", "enter")
        screen = await settle(app, pilot)
        assert screen.view == "search"
        en_world = next(i for i, r in enumerate(screen.articles.rows)
                        if (r.edition, r.section, r.title) == ("en", "world", "EN world story 0"))
        await pilot.press(*["j"] * en_world, "enter")
        screen = await settle(app, pilot)
        assert screen.article is not None
        assert screen.article.url == story_url("en", "world", 0)
        await pilot.press("l")
        screen = await settle(app, pilot)
        assert screen.edition == "ru" and screen.view == "search"  # the results stay
        assert screen.article is not None and screen.article_id is not None
        assert screen.article.url == story_url("ru", "world", 0)
    lib.close()


async def test_live_ui_language_switch_changes_footer_labels(lib: Library) -> None:
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        english = [label for _keys, label in screen.query_one(KeyHints).hints()]
        assert "move" in english
        await pilot.press("l")
        screen = await settle(app, pilot)
        russian = [label for _keys, label in screen.query_one(KeyHints).hints()]
        set_language("ru")
        assert russian == [label for _keys, label in screen.query_one(KeyHints).hints()]
        assert russian != english  # the ru catalog translates the hints
        assert screen.sections.entries[0].label == _("All")
    set_language("en")


async def test_hostile_title_displays_literally(ui_paths: Paths) -> None:
    lib = make_library(ui_paths, per_section=1)
    hostile = "[@click=app.quit]Click[/] [b]bold[/b] [/] $x"
    store(lib, "en", "world", entries("en", "world", 1, start=9, titles={9: hostile}))
    item = entries("en", "world", 1, start=9).entries[0]
    store(lib, "en", "world", replace(entries("en", "world", 1, start=9),
                                      entries=(replace(item, title=hostile,
                                                       published=NOW + timedelta(hours=1)),)))
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert titles(screen)[0] == hostile
        line = screen.articles.render_line(0)
        assert "[@click=app.quit]Click[/]" in line.text
        await pilot.click("#articles", offset=(10, 0))
        await pilot.click("#articles", offset=(10, 0))  # a second click opens it
        screen = await settle(app, pilot)
        assert screen.article is not None and screen.article.title == hostile
        await pilot.click("#pane", offset=(10, 3))
        await settle(app, pilot)
        assert app.is_running and app.return_code is None
    lib.close()


async def test_narrow_terminal_shows_one_pane_at_a_time(lib: Library) -> None:
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(app, pilot)
        assert screen.has_class("-narrow")
        assert screen.sections.display and not screen.pane.display
        await pilot.press("tab")
        await settle(app, pilot)
        assert not screen.sections.display
        await pilot.press("enter")
        screen = await settle(app, pilot)
        assert screen.pane.display and not screen.query_one("#list-col").display
        await pilot.press("escape")
        await settle(app, pilot)
        assert screen.query_one("#list-col").display and not screen.pane.display
    lib.close()


async def test_q_quits_with_status_zero(lib: Library) -> None:
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_edition_option_and_clickable_tabs(lib: Library) -> None:
    app = TermnewsApp(lib, offline=True, edition="ru")
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert screen.edition == "ru"
        assert all(r.edition == "ru" for r in screen.articles.rows)
        tabs = screen.masthead.tabs
        x = next(start for start, _end, lang in tabs._spans if lang == "en")
        await pilot.click(tabs, offset=(x + 1, 0))
        screen = await settle(app, pilot)
        assert screen.edition == "en"
        assert all(r.edition == "en" for r in screen.articles.rows)
        assert lib.pref(f"edition:{OUTLET}") == "en"


PAGE = (b"<html><head><title>Page</title></head><body><article>"
        b"<h1>The long version</h1>"
        + b"".join(b"<p>Paragraph %d of the whole story, which the feed only teased, "
                   b"with many more words about the harbour and the tide.</p>" % i
                   for i in range(8))
        + b"<p>Fulltextmarker closes the story.</p></article></body></html>")


async def test_full_text_is_swapped_in_when_it_arrives(ui_paths: Paths,
                                                      feed_server: object) -> None:
    server = feed_server
    page = server.add("/story.html", PAGE, "text/html; charset=utf-8")  # type: ignore[attr-defined]
    lib = make_library(ui_paths, per_section=1)
    item = entries("en", "world", 1, start=7).entries[0]
    store(lib, "en", "world", replace(entries("en", "world", 1, start=7), entries=(
        replace(item, url=page, published=NOW + timedelta(hours=1)),)))
    app = TermnewsApp(lib)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("tab", "enter")
        screen = await settle(app, pilot)
        assert screen.article is not None and screen.article.url == page
        body = screen.pane.query_one(Markdown)
        assert "Fulltextmarker" in body.source
        assert lib.article(screen.article.id).full_text  # type: ignore[union-attr]
    lib.close()


async def test_offline_pane_shows_cached_full_text(lib: Library) -> None:
    from termnews.store import cache
    from termnews.store.db import transaction

    newest = lib.articles(ArticleQuery(edition="en", limit=1))[0]
    with transaction(lib.conn):
        cache.set_full_text(lib.conn, newest.id, text="Cachedmarker: the whole story, offline.")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("tab", "enter")
        screen = await settle(app, pilot)
        assert screen.article_id == newest.id
        assert "Cachedmarker" in screen.pane.query_one(Markdown).source


async def test_related_block_opens_a_related_article(lib: Library) -> None:
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("j", "tab", "enter")  # World, its newest story (has a ru twin)
        screen = await settle(app, pilot)
        related = screen.pane.related
        assert related.lines, "related block is empty"
        reasons = {item.reason for _h, item in related.lines if item is not None}
        assert "same story" in reasons
        await pilot.press("tab")
        assert app.focused is related
        target = related.current
        assert target is not None
        await pilot.press("enter")
        screen = await settle(app, pilot)
        assert screen.article_id == target.id
        await pilot.press("backspace")
        screen = await settle(app, pilot)
        assert screen.article_id != target.id


async def test_theme_is_restored(lib: Library) -> None:
    lib.set_pref("theme", "nord")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.theme == "nord"


async def test_a_long_list_is_loaded_a_page_at_a_time(ui_paths: Paths) -> None:
    lib = make_library(ui_paths, per_section=700)  # 2,100 English articles in All
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert screen.articles.row_count == 2100
        assert len(screen.articles.rows) < 2100  # only the pages drawn so far
        await pilot.press("tab", "end")
        screen = await settle(app, pilot)
        oldest = lib.articles(ArticleQuery(edition="en"))[-1]
        current = screen.articles.current
        assert current is not None and current.id == oldest.id
        assert len(screen.articles.rows) < 2100
        await pilot.press("home", "pagedown", "pagedown", "enter")
        screen = await settle(app, pilot)
        assert screen.article_id == screen.articles.current.id  # type: ignore[union-attr]
    lib.close()


async def test_mark_read_delay_never_and_unsafe_links_refused(ui_paths: Paths) -> None:
    from termnews.config import UIConfig

    lib = make_library(ui_paths, Config(ui=UIConfig(mark_read_delay=-1)))
    app = TermnewsApp(lib, offline=True)
    notes: list[str] = []
    shown = app.notify

    def notify(message: str, **kwargs: object) -> None:
        notes.append(message)
        shown(message, **kwargs)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("tab", "enter")
        screen = await settle(app, pilot)
        assert screen.article_id is not None
        assert not lib.article(screen.article_id).read  # type: ignore[union-attr]
        body = screen.pane.query_one(Markdown)
        for href in ("javascript:app.quit()", "file:///etc/passwd", "-oProxyCommand=x"):
            body.post_message(Markdown.LinkClicked(body, href))
        await settle(app, pilot)
        assert sum("http" in n for n in notes) == 3
        assert app.is_running
    lib.close()


async def test_space_pages_and_j_k_scroll_the_open_article(ui_paths: Paths) -> None:
    lib = make_library(ui_paths, per_section=2)
    newest = lib.articles(ArticleQuery(edition="en", limit=1))[0]
    from termnews.store import cache
    from termnews.store.db import transaction

    long_text = "\n\n".join(f"Paragraph {i} of a long story." for i in range(200))
    with transaction(lib.conn):
        cache.set_full_text(lib.conn, newest.id, text=long_text)
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("tab", "enter")
        screen = await settle(app, pilot)
        assert screen.pane.scroll_y == 0
        await pilot.press("space")
        await pilot.pause()
        paged = screen.pane.scroll_y
        assert paged > 10
        await pilot.press("j")
        await pilot.pause()
        assert screen.pane.scroll_y == paged + 1
        await pilot.press("k", "k")
        await pilot.pause()
        assert screen.pane.scroll_y == paged - 1
    lib.close()


async def test_unsubscribed_section_is_dimmed_and_readable(ui_paths: Paths) -> None:
    lib = make_library(ui_paths, subscribe=("en",))
    lib.unsubscribe(OUTLET, "en", "science")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        dim = screen.sections.get_component_rich_style("row-list--dim").color
        away = screen.sections.render_line(2)
        assert "Science" in away.text
        assert any(seg.style is not None and seg.style.color == dim for seg in away
                   if "Science" in seg.text)
        await pilot.press("j", "j")  # World, Science
        screen = await settle(app, pilot)
        line = screen.sections.render_line(2)
        # Under the cursor the label is whole and not dimmed (it was grey on blue, cut
        # short by a hint): the list title and the footer say what s does.
        assert line.text.split() == ["▌", "Science"]  # ▌: the list shows this row
        assert all(seg.style is None or seg.style.color != dim for seg in line
                   if "Science" in seg.text)
        title = screen.query_one("#list-title").render()
        assert _("not subscribed: press s to subscribe") in str(title)
        hints = dict((label, keys) for keys, label in screen.query_one(KeyHints).hints())
        assert hints[_("subscribe")] == "s"
        await pilot.press("k")  # World, subscribed: s leaves it
        await settle(app, pilot)
        hints = dict((label, keys) for keys, label in screen.query_one(KeyHints).hints())
        assert hints[_("unsubscribe")] == "s"
    lib.close()
