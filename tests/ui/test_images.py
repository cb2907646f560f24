"""Lead images in the article pane (``ui.show_images``), fetched from a loopback server."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from textual.widgets import Markdown
from ui_support import NOW, entries, make_library, store

from image_support import png
from termnews.config import Config, UIConfig
from termnews.library import Library
from termnews.paths import Paths
from termnews.ui.app import TermnewsApp
from termnews.ui.screens.main import MainScreen
from tui_support import settle

pytestmark = pytest.mark.usefixtures("fixed_clock", "only_test_outlet")

SIZE = (120, 40)
CAPTION = "Harbour cranes at dawn"


def _library(paths: Paths, image_url: str, *, show: bool = True,
             offline: bool = False) -> Library:
    """One newest world story with a lead image URL, caption and credit."""
    config = replace(Config(), ui=UIConfig(show_images=show, image_mode="halfcell"))
    lib = make_library(paths, config, per_section=1)
    feed = entries("en", "world", 1, start=7)
    item = replace(feed.entries[0], image_url=image_url, image_caption=CAPTION,
                   image_credit="Photo: Test Desk", published=NOW + timedelta(hours=1))
    store(lib, "en", "world", replace(feed, entries=(item,)))
    lib.offline = offline
    return lib


async def _open_newest(app: TermnewsApp, pilot: object) -> MainScreen:
    await settle(app, pilot)
    await pilot.press("tab", "enter")  # type: ignore[attr-defined]
    screen = await settle(app, pilot)
    assert isinstance(screen, MainScreen)
    return screen


async def test_lead_image_is_drawn_between_byline_and_caption(ui_paths: Paths,
                                                              feed_server: object) -> None:
    server = feed_server
    url = server.add("/img/cranes.png", png(64, 32), "image/png")  # type: ignore[attr-defined]
    lib = _library(ui_paths, url)
    app = TermnewsApp(lib)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_newest(app, pilot)
        image = screen.pane.query_one("#lead-image")
        assert image.size.height == 12 and 0 < image.size.width <= SIZE[0]
        head = screen.pane.query_one("#article-head", Markdown)
        body = screen.pane.query_one("#article-body", Markdown)
        assert head.source.startswith("*") and "# " in head.source  # breadcrumb and title
        assert CAPTION in body.source and CAPTION not in head.source
        order = list(screen.pane.children)
        assert order.index(head) < order.index(image) < order.index(body)
        # The image's cells were painted with half blocks, not left blank.
        assert "▀" in app.export_screenshot() or "▄" in app.export_screenshot()
        assert server.count(200, "/img/cranes.png") == 1  # type: ignore[attr-defined]
        # The next article has no image: none is drawn; back again, it comes from disk.
        first = screen.article_id
        await pilot.press("]")
        screen = await settle(app, pilot)
        assert screen.article_id != first and not screen.pane.query("#lead-image")
        await pilot.press("[")
        screen = await settle(app, pilot)
        assert screen.article_id == first and screen.pane.query("#lead-image")
        assert server.count(200, "/img/cranes.png") == 1  # type: ignore[attr-defined]
    lib.close()


async def test_no_image_when_switched_off_or_not_an_image(ui_paths: Paths,
                                                          feed_server: object) -> None:
    server = feed_server
    good = server.add("/img/a.png", png(), "image/png")  # type: ignore[attr-defined]
    lib = _library(ui_paths, good, show=False)
    app = TermnewsApp(lib)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_newest(app, pilot)
        assert not screen.pane.query("#lead-image")
        body = screen.pane.query_one("#article-body", Markdown)
        assert CAPTION in body.source and "# " in body.source  # one document, caption kept
    assert server.requests == []  # type: ignore[attr-defined]
    lib.close()


async def test_forged_image_is_not_drawn_and_the_caption_stays(ui_paths: Paths,
                                                               feed_server: object) -> None:
    server = feed_server
    forged = server.add("/img/f.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,  # type: ignore[attr-defined]
                        "image/png")
    lib = _library(ui_paths, forged)
    app = TermnewsApp(lib)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_newest(app, pilot)
        assert server.count(200, "/img/f.png") == 1  # type: ignore[attr-defined]
        assert not screen.pane.query("#lead-image")
        assert CAPTION in screen.pane.query_one("#article-body", Markdown).source
    lib.close()


async def test_offline_draws_only_what_is_on_disk(ui_paths: Paths, feed_server: object) -> None:
    server = feed_server
    url = server.add("/img/b.png", png(), "image/png")  # type: ignore[attr-defined]
    lib = _library(ui_paths, url, offline=True)
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_newest(app, pilot)
        assert not screen.pane.query("#lead-image")
    assert server.requests == []  # type: ignore[attr-defined]
    lib.close()


def test_prepare_reports_a_terminal_that_cannot_be_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from termnews.ui.widgets.lead_image import prepare

    assert prepare() is True
    monkeypatch.setitem(sys.modules, "textual_image.widget", None)  # the import now fails
    assert prepare() is False
