"""Faults in the TUI: a mark that could not be saved is shown as not done, with the reason;
what opening the files did (a healed cache) and unknown config keys are notices."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_support import make_library

from termnews.config import Config, load_config
from termnews.library import Library
from termnews.paths import resolve_paths
from termnews.ui.app import TermnewsApp
from tmpfs_support import fill, small_tmpfs
from tui_support import settle

SIZE = (120, 36)


def record_notices(app: TermnewsApp) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    notify = app.notify

    def recording(message: str, **kwargs: Any) -> None:
        shown.append((message, str(kwargs.get("severity", "information"))))
        notify(message, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    return shown


@pytest.fixture
def full_disk_lib(tmp_path: Path, only_test_outlet: None) -> Iterator[tuple[Library, Path]]:
    with small_tmpfs(tmp_path / "fs") as mount:
        lib = make_library(resolve_paths(mount / "data").ensure())
        try:
            yield lib, mount
        finally:
            lib.close()


async def test_a_mark_that_cannot_be_saved_is_shown_as_not_done(
        full_disk_lib: tuple[Library, Path]) -> None:
    lib, mount = full_disk_lib
    app = TermnewsApp(lib, offline=True)
    shown = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        await pilot.press("tab")  # the article list
        await settle(app, pilot)
        row = screen.articles.current
        assert row is not None and not row.read and not row.starred
        filler = fill(mount)
        try:
            await pilot.press("m")  # read: shown at once, then the save fails
            await settle(app, pilot)
            assert not screen.articles.current.read
            await pilot.press("f")  # a star: the same
            await settle(app, pilot)
            assert not screen.articles.current.starred
        finally:
            filler.unlink()
        errors = [m for m, severity in shown if severity == "error"]
        expected = f"cannot save to state.db in {lib.paths.data_dir}: disk is full"
        assert errors == [expected, expected]
        # With room again the same keys work, and the marks are stored.
        await pilot.press("m", "f")
        await settle(app, pilot)
        current = screen.articles.current
        assert current.read and current.starred
    stored = lib.article(row.id)
    assert stored is not None and stored.read and stored.starred


async def test_unknown_config_keys_and_a_healed_cache_are_notices(
        tmp_path: Path, only_test_outlet: None) -> None:
    paths = resolve_paths(tmp_path / "data").ensure()
    paths.config_file.write_text("[refresh]\nallow_everything = true\n[plugins]\nx = 1\n",
                                 encoding="utf-8")
    config = load_config(paths.config_file)
    lib = make_library(paths, config)
    lib.close()
    paths.cache_db.write_bytes(b"not a database, only noise" * 200)  # garbled
    lib = Library(paths, config, "tester")
    try:
        lib.start(starter=False)
        app = TermnewsApp(lib, offline=True)
        shown = record_notices(app)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
        warnings = [m for m, severity in shown if severity == "warning"]
        assert f"{paths.config_file}: unknown key 'refresh.allow_everything' ignored " \
               "(a newer termnews may know it)" in warnings
        assert any("unknown key 'plugins'" in w for w in warnings)
        healed = [w for w in warnings if w.startswith(f"cache.db in {paths.data_dir} was ")]
        assert len(healed) == 1 and "moved it to cache.db.broken-" in healed[0]
    finally:
        lib.close()
    assert Config().warnings == ()
