"""Fixtures of the TUI tests: a fixed clock, a test catalog, a profile with cached articles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ui_support import NOW, REAL_CATALOG, load_screenshots, make_library, test_outlet

from termnews.library import Library
from termnews.paths import Paths, resolve_paths
from termnews.ui import timefmt


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timefmt, "now", lambda: NOW)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def only_test_outlet(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test outlet is the only catalog outlet: the tests don't depend on bundled data."""
    monkeypatch.setattr(Library, "catalog", lambda self: (test_outlet(),))


@pytest.fixture
def ui_paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path / "ui-data").ensure()


@pytest.fixture
def lib(ui_paths: Paths, only_test_outlet: None) -> Iterator[Library]:
    library = make_library(ui_paths)
    yield library
    library.close()


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo outlet refreshed once into a data dir; each test works on a copy."""
    where = tmp_path_factory.mktemp("demo") / "seed"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Library, "catalog", REAL_CATALOG)
        mp.setenv("TERMNEWS_DATA_DIR", str(where))
        load_screenshots().seed_demo(where)
    return where


@pytest.fixture(scope="session")
def seeded_own(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data dir plus a reader with folders and plain feeds of their own (the set-up
    of scripts/screenshots.py); each test works on a copy."""
    where = tmp_path_factory.mktemp("own") / "seed"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Library, "catalog", REAL_CATALOG)
        mp.setenv("TERMNEWS_DATA_DIR", str(where))
        load_screenshots().seed_own(where)
    return where
