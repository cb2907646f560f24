"""Render the demo outlet (and a reader's own feeds beside it) to screenshots/*.svg and *.png.

    python scripts/screenshots.py [--out screenshots] [--no-png]

The pictures are deterministic: the bundled demo feeds (and, for the reader of
their own feeds, those of OWN_FEEDS, written here) are read into a fresh data
directory, the UI clock is fixed, the time zone is UTC, animations are off and
the App starts offline (nothing is fetched). The snapshot tests
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


# --- a reader with feeds of their own, next to the demo outlet ----------------------------

READER = "reader"  # the profile of the own-feeds pictures (the demo's profile stays as it is)

# Feeds written for the pictures: (folder, title, item titles newest first). One is never
# there (its file is missing): the sidebar marks it as failed.
OWN_FEEDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Town", "Saltmere Harbour Log", (
        "Pilot boats back on the evening tide after the strike talks",
        "Harbour master's notes: fog, two trawlers and a lost buoy",
        "The old crane on pier four gets a date with the scrapyard",
        "Night shift at the fish market, in six photographs",
    )),
    ("Town", "Allotment Society Notes", (
        "Leeks that survived the frost, and the ones that did not",
        "Seed swap on Saturday: bring beans, leave with squash",
        "Plot 17 wins the pumpkin weigh-in for the third year",
    )),
    ("Town", "Library Friends Newsletter", (
        "Late opening on Thursdays from December",
        "The map room reopens with the 1880 coast survey on show",
    )),
    ("Science", "Night Sky Diary", (
        "Jupiter at its brightest: where to look this week",
        "A quiet meteor shower and a loud neighbour's dog",
        "Why the Moon looked orange over the estuary on Monday",
        "Binoculars before telescopes: a beginner's shopping list",
        "The Pleiades rise early now",
    )),
    ("Science", "The Fossil Hunter's Notebook", (
        "Ammonites after the storm: the cliff path at low tide",
        "How to label a find so a museum can use it",
        "A belemnite, a shark tooth and a lot of mud",
    )),
    ("Science", "Weather Station 7", (
        "November rain: 112 mm, the wettest since the station opened",
        "Gusts of 90 km/h recorded on the lighthouse mast",
    )),
    ("", "Chess Problem of the Day", (
        "White to play and mate in three: the lighthouse study",
        "Yesterday's answer: the quiet rook move nobody found",
        "A knight tour puzzle for a long evening",
    )),
    ("", "Slow Cooking", (
        "A fish stew for a cold harbour night",
        "Bread that takes two days and is worth it",
    )),
    ("", "The Quarterly Letter of the Northern Coast Lighthouse Keepers' Families", (
        "Keepers compare a century of logbooks and find the winters shorter",
        "Letters from the Skerry light, 1931 to 1949",
    )),
    ("", "Ferry Timetable Changes", ()),  # its file is missing: the fetch fails
)
MISSING = "Ferry Timetable Changes"  # brought in with its title, as from an OPML file


def own_feed_xml(title: str, items: tuple[str, ...], number: int) -> bytes:
    """An RSS 2.0 document of the items, newest first, hours apart before the fixed clock."""
    from email.utils import format_datetime
    from xml.sax.saxutils import escape

    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
           f"<title>{escape(title)}</title><link>https://own.example/{number}/</link>"
           "<language>en</language>"]
    for i, item in enumerate(items):
        when = FIXED_NOW - timedelta(minutes=35 + number * 47 + i * 211)
        out.append(f"<item><title>{escape(item)}</title>"
                   f"<link>https://own.example/{number}/{i}</link>"
                   f'<guid isPermaLink="false">own-{number}-{i}</guid>'
                   f"<pubDate>{format_datetime(when)}</pubDate>"
                   f"<description>{escape(item)}. A note written for the pictures."
                   "</description></item>")
    out.append("</channel></rss>\n")
    return "".join(out).encode("utf-8")


def seed_own(data_dir: Path) -> Any:
    """The demo data dir (seed_demo) plus the READER profile: the demo outlet's English
    edition, two folders and four plain feeds of its own (one that fails), read through the
    normal refresh. Returns the ``Paths``."""
    from termnews.config import Config, RefreshConfig
    from termnews.library import Library
    from termnews.store.cache import to_epoch
    from termnews.store.db import transaction

    paths = seed_demo(data_dir)
    folder = data_dir / "own-feeds"
    folder.mkdir(exist_ok=True)
    config = Config(refresh=RefreshConfig(concurrency=1, per_host=1))
    with Library(paths, config, READER, demo=True) as lib:
        lib.start()
        for sub in lib.subscriptions():
            if sub.edition != "en":
                lib.unsubscribe(sub.outlet, sub.edition)
        urls = []
        for number, (group, title, items) in enumerate(OWN_FEEDS):
            path = folder / f"feed-{number}.xml"
            if title != MISSING:
                path.write_bytes(own_feed_xml(title, items, number))
            url = path.as_uri()
            urls.append(url)
            # Folders and the missing feed come with titles (as from OPML); the other plain
            # feeds are named by the titles they give themselves.
            named = bool(group) or title == MISSING
            lib.add_feeds([url], folder=group, titles={url: title} if named else None)
        summary = asyncio.run(lib.refresh(urls))
        if summary.feeds_failed != 1:
            raise RuntimeError(f"own feeds: {summary.errors}")
        with transaction(lib.conn):
            lib.conn.execute("UPDATE feeds SET fetched_at = ?", (to_epoch(REFRESHED),))
    return paths


def make_app(paths: Any, *, images: bool = False, profile: str = PROFILE) -> Any:
    """The real termnews App over the seeded data, offline (no refresh, no page fetches);
    with images, lead images drawn in half cells (the demo's are in the package)."""
    from termnews.config import Config, UIConfig
    from termnews.library import Library
    from termnews.ui.app import TermnewsApp
    from termnews.ui.views import load_start

    config = Config(ui=UIConfig(show_images=True, image_mode="halfcell")) if images else Config()
    lib = Library(paths, config, profile, demo=True, offline=True)
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
    profile: str = PROFILE  # READER: the reader with feeds of their own

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
    Shot("own", (120, 40), keys=("tab", "j"), profile=READER),
)


def fresh_copy(seeded: Path, where: Path) -> Any:
    """A copy of the seeded data dir: every picture starts from the same state."""
    from termnews.paths import resolve_paths

    shutil.copytree(seeded, where)
    return resolve_paths(where).ensure()


async def render(paths: Any, shot: Shot, out: Path) -> Path:
    app = make_app(paths, images=shot.images, profile=shot.profile)
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
        seeded = {PROFILE: Path(tmp) / "seed", READER: Path(tmp) / "seed-own"}
        os.environ["TERMNEWS_DATA_DIR"] = str(seeded[PROFILE])
        seed_demo(seeded[PROFILE])
        seed_own(seeded[READER])  # the demo, and a reader of their own feeds beside it
        for shot in SHOTS:
            paths = fresh_copy(seeded[shot.profile], Path(tmp) / shot.name)
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
