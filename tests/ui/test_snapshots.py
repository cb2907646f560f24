"""Snapshot tests: the look of the main states, pinned as SVG (pytest-textual-snapshot).

Deterministic: the bundled demo read into a fresh data dir (the set-up of
scripts/screenshots.py), a fixed UI clock, UTC, no animations, fixed terminal
sizes, offline. Update after an intended change of the look with
``python -m pytest tests/ui/test_snapshots.py --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_support import REAL_CATALOG, load_screenshots

from termnews.i18n import set_language
from termnews.library import Library
from termnews.ui import timefmt

shots = load_screenshots()
Shot = shots.Shot




@pytest.fixture(autouse=True)
def _deterministic(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(Library, "catalog", REAL_CATALOG)
    monkeypatch.setattr(timefmt, "now", lambda: shots.FIXED_NOW)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    set_language("en")
    yield
    monkeypatch.undo()
    time.tzset()
    set_language("en")


def _compare(snap_compare: Any, seeded: Path, tmp_path: Path, shot: Any) -> bool:
    paths = shots.fresh_copy(seeded, tmp_path / "data")
    app = shots.make_app(paths, images=shot.images, profile=shot.profile)
    try:
        return bool(snap_compare(app, terminal_size=shot.size, run_before=shot.run))
    finally:
        app.library.close()


STATES = {
    **{s.name: s for s in shots.SHOTS},  # main, article, search, narrow, images: the README's
    "help": Shot("help", (120, 40), keys=("question_mark",)),
    "subscriptions": Shot("subscriptions", (120, 40), keys=("S", "down", "down")),
    "edition_picker": Shot("edition_picker", (80, 24), keys=("L", "down")),
    "narrow_article": Shot("narrow_article", (80, 24), keys=("tab", "j", "enter")),
    "russian": Shot("russian", (120, 40), keys=("l", "tab", "j", "enter")),
    # A reader's own feeds beside the demo outlet: folders (one closed), plain feeds, a feed
    # whose fetch failed; at 80×24 the sidebar with the list, then the list alone.
    "own_folders": Shot("own_folders", (120, 40), keys=("j",) * 10 + ("left", "j"),
                        profile=shots.READER),
    "own_narrow": Shot("own_narrow", (80, 24), keys=("G", "k"), profile=shots.READER),
    "own_narrow_list": Shot("own_narrow_list", (80, 24), keys=("tab",), profile=shots.READER),
}


@pytest.mark.parametrize("state", list(STATES))
def test_snapshot(state: str, snap_compare: Any, seeded: Path, seeded_own: Path,
                  tmp_path: Path) -> None:
    shot = STATES[state]
    seed = seeded_own if shot.profile == shots.READER else seeded
    assert _compare(snap_compare, seed, tmp_path, shot)

