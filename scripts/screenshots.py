"""Render the demo outlet to screenshots/*.svg (and *.png when rsvg-convert is there).

    python scripts/screenshots.py [--out screenshots] [--no-png]

The pictures are deterministic: the bundled demo feeds are read into a fresh
data directory, the UI clock is fixed, the time zone is UTC, animations are
off and the App starts offline (nothing is fetched). The snapshot tests
(tests/ui/test_snapshots.py) use the same set-up from this module.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXED_NOW = datetime(2026, 11, 26, 21, 40, tzinfo=UTC)  # the demo's newest story is 21:12
REFRESHED = FIXED_NOW - timedelta(minutes=12)
PROFILE = "demo"


def fix_environment() -> None:
    """Everything a picture depends on besides the data: zone, animations, language, clock."""
    os.environ["TZ"] = "UTC"
    if hasattr(time, "tzset"):
        time.tzset()
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    os.environ["LANG"] = "en_US.UTF-8"
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "TERMNEWS_PROFILE"):
        os.environ.pop(var, None)
    from termnews.ui import timefmt

    timefmt.now = lambda: FIXED_NOW


def seed_demo(data_dir: Path) -> Any:
    """A data dir whose cache holds the demo outlet, read through the normal refresh.

    Returns its ``Paths``. Feeds are read one at a time so article ids come out
    the same on every run; the last fetch time is set to the fixed clock.
    """
    from termnews.config import Config, RefreshConfig
    from termnews.library import Library
    from termnews.paths import resolve_paths
    from termnews.store.cache import to_epoch
    from termnews.store.db import transaction

    paths = resolve_paths(data_dir).ensure()
    config = Config(refresh=RefreshConfig(concurrency=1, per_host=1))
    with Library(paths, config, PROFILE, demo=True) as lib:
        lib.start()
        summary = asyncio.run(lib.refresh())
        if summary.feeds_failed:
            raise RuntimeError(f"demo feeds failed: {summary.errors}")
        with transaction(lib.conn):
            lib.conn.execute("UPDATE feeds SET fetched_at = ?", (to_epoch(REFRESHED),))
    return paths


def make_app(paths: Any, *, images: bool = False) -> Any:
    """The real termnews App over the seeded data, offline (no refresh, no page fetches);
    with images, lead images drawn in half cells (the demo's are in the package)."""
    from termnews.config import Config, UIConfig
    from termnews.library import Library
    from termnews.ui.app import TermnewsApp
    from termnews.ui.views import load_start

    config = Config(ui=UIConfig(show_images=True, image_mode="halfcell")) if images else Config()
    lib = Library(paths, config, PROFILE, demo=True, offline=True)
    lib.start()
    return TermnewsApp(lib, start=load_start(lib), offline=True)


async def settle(pilot: Any) -> None:
    """Let workers finish and the screen repaint (no fixed sleeps)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def press(pilot: Any, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


@dataclass(frozen=True)
class Shot:
    """One state of the UI: a name, a terminal size and how to get there."""

    name: str
    size: tuple[int, int]
    keys: tuple[str, ...] = ()
    typed: str = ""  # text typed after the keys, then Enter
    after: tuple[str, ...] = field(default=())  # keys after the typed text
    images: bool = False  # ui.show_images on

    async def run(self, pilot: Any) -> None:
        await settle(pilot)
        await press(pilot, *self.keys)
        if self.typed:
            await pilot.press(*self.typed)
            await press(pilot, "enter")
        await press(pilot, *self.after)


# The README's pictures. Keys as a reader would press them.
SHOTS: tuple[Shot, ...] = (
    Shot("main", (120, 40), keys=("tab", "j")),
    Shot("article", (120, 40), keys=("tab", "j", "j", "enter")),
    Shot("search", (120, 40), keys=("slash",), typed="strike", after=("j", "enter")),
    Shot("narrow", (80, 24), keys=("tab", "j")),
    Shot("images", (120, 40), keys=("tab", "j", "j", "j", "j", "enter"), images=True),
)


def fresh_copy(seeded: Path, where: Path) -> Any:
    """A copy of the seeded data dir: every picture starts from the same state."""
    from termnews.paths import resolve_paths

    shutil.copytree(seeded, where)
    return resolve_paths(where).ensure()


async def render(paths: Any, shot: Shot, out: Path) -> Path:
    app = make_app(paths, images=shot.images)
    target = out / f"{shot.name}.svg"
    async with app.run_test(size=shot.size) as pilot:
        await shot.run(pilot)
        target.write_text(app.export_screenshot(title="termnews"), encoding="utf-8")
    app.library.close()
    return target


def svg_to_png(svg: Path) -> Path | None:
    """PNG through rsvg-convert; Textual's SVG needs xml:space=preserve for its spaces."""
    tool = shutil.which("rsvg-convert")
    if tool is None:
        return None
    text = svg.read_text(encoding="utf-8").replace("<svg ", '<svg xml:space="preserve" ', 1)
    png = svg.with_suffix(".png")
    with tempfile.NamedTemporaryFile("w", suffix=".svg", encoding="utf-8", delete=False) as tmp:
        tmp.write(text)
    try:
        subprocess.run([tool, "--zoom", "1", "-o", str(png), tmp.name], check=True)
    finally:
        os.unlink(tmp.name)
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--no-png", action="store_true", help="SVG only")
    args = parser.parse_args(argv)
    fix_environment()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="termnews-shots-") as tmp:
        seeded = Path(tmp) / "seed"
        os.environ["TERMNEWS_DATA_DIR"] = str(seeded)
        seed_demo(seeded)
        for shot in SHOTS:
            paths = fresh_copy(seeded, Path(tmp) / shot.name)
            svg = asyncio.run(render(paths, shot, args.out))
            made = [svg]
            if not args.no_png:
                png = svg_to_png(svg)
                if png is not None:
                    made.append(png)
            print(" ".join(str(p.relative_to(Path.cwd()) if p.is_relative_to(Path.cwd())
                                else p) for p in made))
    return 0


if __name__ == "__main__":
    sys.exit(main())
