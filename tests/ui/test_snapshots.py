"""Snapshot tests: the look of the main states, pinned as SVG (pytest-textual-snapshot).

Deterministic: the bundled demo read into a fresh data dir (the set-up of
scripts/screenshots.py), a fixed UI clock, UTC, no animations, fixed terminal
sizes, offline. Update after an intended change of the look with
``python -m pytest tests/ui/test_snapshots.py --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from termnews.i18n import set_language
from termnews.library import Library
from termnews.ui import timefmt

ROOT = Path(__file__).resolve().parents[2]
REAL_CATALOG = Library.catalog  # the demo outlet is bundled data: these tests use it


def _load_screenshots() -> ModuleType:
    name = "termnews_screenshots"
    if name in sys.modules:  # test_palette loads it too
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


shots = _load_screenshots()
Shot = shots.Shot


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo outlet refreshed once into a data dir; each test works on a copy."""
    where = tmp_path_factory.mktemp("snap") / "seed"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Library, "catalog", REAL_CATALOG)
        mp.setenv("TERMNEWS_DATA_DIR", str(where))
        shots.seed_demo(where)
    return where


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
    app = shots.make_app(paths)
    try:
        return bool(snap_compare(app, terminal_size=shot.size, run_before=shot.run))
    finally:
        app.library.close()


STATES = {
    **{s.name: s for s in shots.SHOTS},  # main, article, search, narrow: the README's pictures
    "help": Shot("help", (120, 40), keys=("question_mark",)),
    "subscriptions": Shot("subscriptions", (120, 40), keys=("S", "down", "down")),
    "edition_picker": Shot("edition_picker", (80, 24), keys=("L", "down")),
    "narrow_article": Shot("narrow_article", (80, 24), keys=("tab", "j", "enter")),
    "russian": Shot("russian", (120, 40), keys=("l", "tab", "j", "enter")),
}


@pytest.mark.parametrize("state", list(STATES))
def test_snapshot(state: str, snap_compare: Any, seeded: Path, tmp_path: Path) -> None:
    assert _compare(snap_compare, seeded, tmp_path, STATES[state])

