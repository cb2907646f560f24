"""Helpers for the TUI tests: a profile with cached articles, built with the store directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType

from termnews.config import Config
from termnews.library import Library
from termnews.model import (
    Alternate,
    Edition,
    FeedSource,
    Outlet,
    ParsedEntry,
    ParsedFeed,
    Section,
    Subscription,
)
from termnews.paths import Paths
from termnews.store import cache, state
from termnews.store.db import transaction

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OUTLET = "testnews"
SECTIONS = {
    "en": (("world", "World"), ("science", "Science"), ("sport", "Sport")),
    "ru": (("world", "Мир"), ("science", "Наука"), ("sport", "Спорт")),
}
BASE = "http://127.0.0.1:9"


def feed_url(lang: str, section: str) -> str:
    return f"{BASE}/{lang}/{section}.xml"


def story_url(lang: str, section: str, i: int) -> str:
    return f"https://testnews.example/{lang}/{section}/{i}"


def test_outlet() -> Outlet:
    return Outlet(key=OUTLET, name="Test News", editions=tuple(
        Edition(lang=lang, name={"en": "English", "ru": "Русский"}[lang], sections=tuple(
            Section(key=key, title=title, feed_url=feed_url(lang, key))
            for key, title in secs))
        for lang, secs in SECTIONS.items()))


def title_of(lang: str, section: str, i: int) -> str:
    return f"{lang.upper()} {section} story {i}"


def entries(lang: str, section: str, count: int, *, start: int = 0,
            titles: dict[int, str] | None = None) -> ParsedFeed:
    """count entries, item `start` newest; the world story 0 exists in both languages."""
    out = []
    for i in range(start, start + count):
        alts: tuple[Alternate, ...] = ()
        if section == "world" and i == 0:
            other = "ru" if lang == "en" else "en"
            alts = (Alternate(lang=other, url=story_url(other, section, 0)),)
        out.append(ParsedEntry(
            guid=f"{lang}-{section}-{i}", url=story_url(lang, section, i),
            title=(titles or {}).get(i, title_of(lang, section, i)),
            published=NOW - timedelta(hours=i * 3 + len(section) / 10),
            summary=f"Summary of the {section} story number {i} in {lang}.",
            categories=(section.capitalize(),), language=lang, alternates=alts))
    return ParsedFeed(title=f"{lang} {section}", language=lang, entries=tuple(out))


def store(lib: Library, lang: str, section: str, parsed: ParsedFeed) -> int:
    url = feed_url(lang, section)
    with transaction(lib.conn):
        cache.ensure_feed(lib.conn, FeedSource(url=url, outlet=OUTLET, edition=lang,
                                               section=section))
        return cache.store_entries(lib.conn, url, parsed)


def make_library(paths: Paths, config: Config | None = None, *, per_section: int = 5,
                 subscribe: tuple[str, ...] = ("en", "ru")) -> Library:
    """A profile subscribed to the test outlet (en and ru) with cached articles."""
    lib = Library(paths, config or Config(), "tester")
    lib.start(starter=False)
    with transaction(lib.conn):
        state.subscribe(lib.conn, lib.profile, [
            Subscription(
                feed_url=feed_url(lang, key), outlet=OUTLET, edition=lang, section=key,
                title=title)
            for lang in subscribe for key, title in SECTIONS[lang]])
    for lang in SECTIONS:
        for key, _title in SECTIONS[lang]:
            store(lib, lang, key, entries(lang, key, per_section))
    return lib




# --- the demo outlet as scripts/screenshots.py sets it up (snapshot and palette tests) -------

REAL_CATALOG = Library.catalog  # captured before any test replaces it: the bundled demo


def load_screenshots() -> ModuleType:
    """scripts/screenshots.py (its set-up is the snapshots' set-up)."""
    import scripts.screenshots

    return scripts.screenshots
