"""A story in two sections of the edition: All lists and counts it once (the engine side
is tests/test_duplicates.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ui_support import OUTLET, entries, store

from termnews.library import Library
from termnews.ui.app import TermnewsApp
from termnews.ui.screens.main import MainScreen
from termnews.ui.views import group_key, section_key
from tui_support import settle as settle_app

pytestmark = pytest.mark.usefixtures("fixed_clock", "only_test_outlet")

SIZE = (120, 40)


async def settle(app: TermnewsApp, pilot: object) -> MainScreen:
    screen = await settle_app(app, pilot)
    assert isinstance(screen, MainScreen)
    return screen


def counts(screen: MainScreen) -> dict[str, int | None]:
    return {e.key: e.count for e in screen.sections.entries}


async def test_all_counts_a_story_in_two_sections_once(lib: Library) -> None:
    # Science also carries world stories 0 and 1 (same links, guids of its own).
    world = entries("en", "world", 2)
    store(lib, "en", "science", replace(world, entries=tuple(
        replace(e, guid="science-copy-" + e.guid) for e in world.entries)))
    science = section_key(OUTLET, "en", "science")
    app = TermnewsApp(lib, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        titles = [r.title for r in screen.articles.rows]
        assert len(titles) == len(set(titles)) == 15
        assert screen.articles.total == 15
        assert counts(screen)[group_key(OUTLET, "en")] == 15
        assert counts(screen)[science] == 7  # a section shows all its own
        # Reading the All copy reads the science copy: both counts drop by one.
        first = next(r for r in screen.articles.rows if r.title == world.entries[0].title)
        lib.mark_read([first.id])
        screen._load_counts()
        await settle(app, pilot)
        assert counts(screen)[group_key(OUTLET, "en")] == 14
        assert counts(screen)[science] == 6
        assert counts(screen)[section_key(OUTLET, "en", "world")] == 4
