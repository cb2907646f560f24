"""The command palette inside the real App, over the bundled demo outlet (offline)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import OptionList
from ui_support import REAL_CATALOG, load_screenshots

from termnews.i18n import set_language
from termnews.library import Library
from termnews.ui import timefmt
from termnews.ui.screens.help import HelpScreen
from termnews.ui.screens.subscriptions import SubscriptionsScreen

shots = load_screenshots()




@pytest.fixture
def app(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setattr(Library, "catalog", REAL_CATALOG)
    monkeypatch.setattr(timefmt, "now", lambda: shots.FIXED_NOW)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    the_app = shots.make_app(shots.fresh_copy(seeded, tmp_path / "data"))
    yield the_app
    the_app.library.close()
    set_language("en")


async def _run_command(pilot: Any, query: str, first: str) -> None:
    """Open the palette, type query, wait until `first` heads the list, press Enter."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert CommandPalette.is_open(pilot.app)
    await pilot.press(*query)
    options = pilot.app.screen.query_one("CommandList", OptionList)
    for _ in range(200):  # hits are gathered asynchronously; no fixed sleep
        await pilot.pause(0.01)
        if options.option_count and first in str(options.get_option_at_index(0).prompt):
            break
    assert options.option_count and first in str(options.get_option_at_index(0).prompt)
    await pilot.press("enter")
    await shots.settle(pilot)


async def test_palette_jumps_to_a_section(app: Any) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await shots.settle(pilot)
        await _run_command(pilot, "go to science", "Go to Science")
        assert app.screen.view == "demo|en|science"


async def test_palette_opens_an_article_found_in_the_cache(app: Any) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await shots.settle(pilot)
        await _run_command(pilot, "undersea cable", "Corvena Islands switch on")
        article = app.screen.article
        assert article is not None and article.title.startswith("Corvena Islands switch on")


async def test_palette_opens_help_and_subscriptions(app: Any) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await shots.settle(pilot)
        await _run_command(pilot, "help", "Help")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await _run_command(pilot, "subscriptions", "Subscriptions")
        assert isinstance(app.screen, SubscriptionsScreen)


async def test_palette_theme_is_remembered(app: Any, seeded: Path, tmp_path: Path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await shots.settle(pilot)
        await _run_command(pilot, "theme: dracula", "Theme: dracula")
        assert app.theme == "dracula"
        await shots.settle(pilot)
    with Library(app.library.paths, app.library.config, shots.PROFILE, demo=True) as lib:
        assert lib.pref("theme") == "dracula"


async def test_secondary_screens_close_with_q_without_quitting(app: Any) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await shots.settle(pilot)
        main = app.screen
        for key, screen in (("question_mark", HelpScreen), ("S", SubscriptionsScreen)):
            await pilot.press(key)
            await shots.settle(pilot)
            assert isinstance(app.screen, screen)
            await pilot.press("q")
            await shots.settle(pilot)
            assert app.screen is main and app.is_running
        await pilot.press("L")
        await shots.settle(pilot)
        await pilot.press("down", "enter")  # English is first: the next one is Русский
        await shots.settle(pilot)
        assert app.screen is main and main.place.edition == "ru"
