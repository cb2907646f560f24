"""The outlet catalog: built-in outlets, their editions and sections, and user outlets."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from termnews.catalog import builtin_outlets, find_outlet
from termnews.config import load_config
from termnews.i18n.format import LANGUAGE_NAMES
from termnews.library import Library
from termnews.model import SECTION_KEYS, Outlet
from termnews.paths import Paths

OUTLETS = builtin_outlets()


def _ids(outlets: tuple[Outlet, ...]) -> list[str]:
    return [o.key for o in outlets]


def test_builtin_outlets_load() -> None:
    keys = _ids(OUTLETS)
    assert {"pravda", "dw", "bbc"} <= set(keys)
    assert len(keys) == len(set(keys)), "outlet keys must be unique"


@pytest.mark.parametrize("outlet", OUTLETS, ids=_ids(OUTLETS))
def test_every_edition_is_complete(outlet: Outlet) -> None:
    assert outlet.name
    langs = [e.lang for e in outlet.editions]
    assert len(langs) >= 2, "a catalog outlet is multi-language"
    assert len(langs) == len(set(langs)), "one edition per language"
    for edition in outlet.editions:
        # The edition's name is its language's own name (Русский, not Russian).
        assert edition.name == LANGUAGE_NAMES[edition.lang], edition.lang
        assert edition.sections, f"{outlet.key}/{edition.lang} has no sections"
        keys = [s.key for s in edition.sections]
        assert len(keys) == len(set(keys)), f"{outlet.key}/{edition.lang}: duplicate keys"
        for section in edition.sections:
            assert section.key and section.key == section.key.lower()
            assert section.title.strip()
            parts = urlsplit(section.feed_url)
            assert parts.scheme in ("http", "https") and parts.netloc, section.feed_url
        if edition.home:
            assert urlsplit(edition.home).scheme in ("http", "https")


@pytest.mark.parametrize("outlet", OUTLETS, ids=_ids(OUTLETS))
def test_feed_urls_are_unique_within_an_outlet(outlet: Outlet) -> None:
    urls = [s.feed_url for e in outlet.editions for s in e.sections]
    assert len(urls) == len(set(urls))


@pytest.mark.parametrize("outlet", OUTLETS, ids=_ids(OUTLETS))
def test_shared_keys_map_across_editions(outlet: Outlet) -> None:
    """The language toggle maps sections by key: each edition shares a key with another one."""
    per_edition = [{s.key for s in e.sections} for e in outlet.editions]
    for i, keys in enumerate(per_edition):
        others = set().union(*(k for j, k in enumerate(per_edition) if j != i))
        assert keys & others, f"{outlet.key}/{outlet.editions[i].lang} shares no section key"
    used = set().union(*per_edition)
    assert used & set(SECTION_KEYS) or "latest" in used


def test_pravda_editions_at_their_sites() -> None:
    pravda = find_outlet(OUTLETS, "pravda")
    assert pravda is not None
    hosts = {urlsplit(e.home).hostname: e for e in pravda.editions}
    for host, lang in [("www.pravda.ru", "ru"), ("www.pravdareport.com", "en"),
                       ("port.pravda.ru", "pt"), ("www.pravdafrance.com", "fr")]:
        edition = hosts.get(host)
        assert edition is not None, host
        assert edition.lang == lang
        assert edition.sections
        assert all(urlsplit(s.feed_url).hostname == host for s in edition.sections)


def test_pravda_sections_map_by_key() -> None:
    pravda = find_outlet(OUTLETS, "pravda")
    assert pravda is not None
    ru, en = pravda.edition("ru"), pravda.edition("en")
    assert ru is not None and en is not None
    world_ru, world_en = ru.section("world"), en.section("world")
    assert world_ru is not None and world_en is not None
    assert (world_ru.title, world_en.title) == ("Мир", "World")


def test_dw_and_bbc_editions() -> None:
    dw = find_outlet(OUTLETS, "DW")
    bbc = find_outlet(OUTLETS, "bbc")
    assert dw is not None and bbc is not None
    assert {"en", "de", "ru", "es", "pt"} <= set(dw.languages)
    assert {"en", "ru", "es", "pt"} <= set(bbc.languages)
    for outlet, host in [(dw, "rss.dw.com"), (bbc, "feeds.bbci.co.uk")]:
        for edition in outlet.editions:
            assert all(urlsplit(s.feed_url).hostname == host for s in edition.sections)
    en = dw.edition("en")
    assert en is not None
    assert en.section("latest") is not None
    assert en.section("latest").feed_url == "https://rss.dw.com/rdf/rss-en-all"  # type: ignore[union-attr]
    ru = bbc.edition("ru")
    assert ru is not None and ru.sections[0].feed_url == "https://feeds.bbci.co.uk/russian/rss.xml"


USER_CONFIG = """
[[outlets]]
key = "example"
name = "Example News"

[[outlets.editions]]
lang = "en"
name = "English"
home = "https://example.org/"
sections = [
  { key = "world", title = "World", url = "https://example.org/world.xml" },
  { key = "science", title = "Science", url = "https://example.org/science.xml" },
]

[[outlets.editions]]
lang = "ar"
name = "العربية"
rtl = true
sections = [ { key = "world", title = "العالم", url = "https://example.org/ar/world.xml" } ]
"""


def test_user_outlets_from_config_join_the_catalog(paths: Paths, tmp_path: Path) -> None:
    cfg_path = tmp_path / "config.toml"
    cfg_path.write_text(USER_CONFIG, encoding="utf-8")
    config = load_config(cfg_path)
    lib = Library(paths, config, "tester")
    try:
        catalog = lib.catalog()
        assert {"pravda", "dw", "bbc", "example"} <= set(_ids(catalog))
        example = find_outlet(catalog, "Example News")
        assert example is not None and example.user
        assert example.languages == ("en", "ar")
        ar = example.edition("ar")
        assert ar is not None and ar.rtl and ar.name == "العربية"
        en = example.edition("en")
        assert en is not None
        assert [s.key for s in en.sections] == ["world", "science"]
        assert en.section("science").feed_url == "https://example.org/science.xml"  # type: ignore[union-attr]
    finally:
        lib.close()
