"""The bundled demo outlet: story files, generated feeds and their trip through refresh."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import feedparser
import pytest

from termnews.catalog import demo_outlet
from termnews.config import Config
from termnews.library import Library
from termnews.model import SECTION_KEYS, ArticleQuery
from termnews.paths import Paths

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "src" / "termnews" / "catalog" / "demo"
LANGS = ("en", "ru", "de", "fr", "pt", "es")


def build_demo() -> ModuleType:
    import scripts.build_demo

    return scripts.build_demo


@cache
def parsed_feeds() -> dict[tuple[str, str], Any]:
    """Every demo feed parsed by feedparser, by (lang, section)."""
    return {(lang, key): feedparser.parse(str(DEMO / "feeds" / lang / f"{key}.xml"))
            for lang in LANGS for key in SECTION_KEYS}


def entry_url(entry: Any) -> str:
    return next(link["href"] for link in entry.links
                if link.get("rel") == "alternate" and not link.get("hreflang"))


def hreflang_links(entry: Any) -> dict[str, str]:
    return {link["hreflang"]: link["href"] for link in entry.links if link.get("hreflang")}


def test_generated_files_match_the_stories() -> None:
    rendered = build_demo().render_all()
    for rel, data in rendered.items():
        assert (DEMO / rel).read_bytes() == data, f"{rel} is stale: run scripts/build_demo.py"
    on_disk = {p.relative_to(DEMO).as_posix() for p in (DEMO / "feeds").rglob("*") if p.is_file()}
    assert on_disk == {rel for rel in rendered if rel.startswith("feeds/")}


def test_outlet_has_six_editions_with_all_sections() -> None:
    outlet = demo_outlet()
    assert outlet.key == "demo" and outlet.name == "Meridian (demo)"
    assert outlet.languages == LANGS
    assert [e.name for e in outlet.editions] == [
        "English", "Русский", "Deutsch", "Français", "Português", "Español"]
    for edition in outlet.editions:
        assert tuple(s.key for s in edition.sections) == SECTION_KEYS
        assert edition.home == f"https://meridian.example/{edition.lang}/"
        for section in edition.sections:
            assert section.feed_url.startswith("file://")
            assert Path(section.feed_url.removeprefix("file://")).is_file()
    assert demo_outlet().edition("ru").section("incidents").title == "Происшествия"  # type: ignore[union-attr]
    assert demo_outlet().edition("fr").section("business").title == "Économie"  # type: ignore[union-attr]


def test_every_feed_parses_cleanly() -> None:
    for (lang, key), parsed in parsed_feeds().items():
        assert not parsed.bozo, f"{lang}/{key}: {parsed.get('bozo_exception')}"
        assert parsed.feed.get("language") == lang


@pytest.mark.parametrize("lang", LANGS)
def test_edition_has_four_or_more_complete_articles_per_section(lang: str) -> None:
    assert (DEMO / "stories" / f"{lang}.toml").is_file()
    for key in SECTION_KEYS:
        entries = parsed_feeds()[(lang, key)].entries
        assert len(entries) >= 4, f"{lang}/{key} has {len(entries)} articles"
        for e in entries:
            assert e.title and e.summary and e.author and e.contributors[0]["name"]
            assert e.published_parsed.tm_year == 2026 and e.published_parsed.tm_mon == 11
            assert 1 <= len(e.tags) <= 3
            assert "<h2>" in e.content[0]["value"] and e.content[0]["value"].count("<p>") >= 3
            assert e.media_content[0]["url"].startswith("https://meridian.example/img/")
            assert e.media_credit[0]["content"]


def test_stories_carry_caption_and_unique_times() -> None:
    stories = build_demo().load_stories()
    for lang in LANGS:
        times = [s.published for s in stories[lang]]
        assert len(times) == len(set(times))
        assert all(s.caption and s.credit for s in stories[lang])


def test_shared_stories_are_in_every_edition() -> None:
    stories = build_demo().load_stories()
    langs = LANGS
    ids = {lang: {s.id for s in stories[lang]} for lang in langs}
    for key in SECTION_KEYS:
        for n in (1, 2):
            for lang in langs:
                assert f"{key}-{n}" in ids[lang], f"{key}-{n} missing in {lang}"
        carriers = [lang for lang in langs if f"{key}-3" in ids[lang]]
        assert "en" in carriers and 2 <= len(carriers) <= 3


def test_each_edition_is_written_in_its_language() -> None:
    stories = build_demo().load_stories()
    for lang in LANGS:
        titles = [s.title for s in stories[lang]]
        cyrillic = [t for t in titles if any("\u0400" <= ch <= "\u04ff" for ch in t)]
        if lang == "ru":
            assert len(cyrillic) == len(titles)
        else:
            assert not cyrillic, cyrillic
    # The accented letters each language needs appear in its edition (no ASCII-only typing).
    for lang, letters in {"de": "äöüß", "fr": "éèàç", "pt": "ãçéó", "es": "ñáéó"}.items():
        text = " ".join(s.body for s in stories[lang])
        assert all(ch in text for ch in letters), lang


def test_alternates_point_both_ways_to_existing_entries() -> None:
    by_url: dict[str, tuple[str, Any]] = {}
    for (lang, _), parsed in parsed_feeds().items():
        for e in parsed.entries:
            by_url[entry_url(e)] = (lang, e)
    linked = 0
    for url, (lang, entry) in by_url.items():
        story = url.rsplit("/", 1)[1]
        for other_lang, other_url in hreflang_links(entry).items():
            assert other_lang != lang
            assert other_url in by_url, f"{url} -> {other_url} does not exist"
            back_lang, back = by_url[other_url]
            assert back_lang == other_lang
            assert hreflang_links(back).get(lang) == url, f"{other_url} does not link back to {url}"
            assert other_url.rsplit("/", 1)[1] == story
            linked += 1
        # An edition-only story links nowhere; a shared one links every other carrier.
        carriers = {la for (la, e) in by_url.values() if entry_url(e).endswith("/" + story)}
        assert set(hreflang_links(entry)) == carriers - {lang}
    assert linked >= len(LANGS) * 16 * (len(LANGS) - 1)  # 16 stories in all six editions


def test_related_groups_share_a_category() -> None:
    stories = build_demo().load_stories()
    en = {s.id: s for s in stories["en"]}
    groups = {
        "Saltmere strike": ("world-1", "business-1", "opinion-3"),
        "Lantern probe": ("science-1", "opinion-1"),
        "Orsa floods": ("incidents-1", "society-1", "business-3"),
        "Lesnogradsk": ("russia-1", "sport-1", "business-2"),
        "Mount Aster": ("science-3", "sport-3", "incidents-3"),
    }
    for term, ids in groups.items():
        for sid in ids:
            assert term in en[sid].categories, f"{sid} lacks {term!r}"
        assert len({en[sid].section for sid in ids}) == len(ids)  # spread over sections


def test_bad_story_file_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "en.toml").write_text(
        '[[stories]]\nid = "world-1"\nsection = "world"\ntitle = "T"\nteaser = "T"\n'
        'body = "<p>x<script>y</script></p><h2>h</h2>"\nauthor = "A"\neditor = "E"\n'
        'published = "2026-11-20T10:00:00Z"\ncategories = ["Europe"]\ncaption = "C"\n'
        'credit = "C"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="script"):
        build_demo().load_stories(tmp_path)


async def test_demo_refresh_stores_every_article(paths: Paths) -> None:
    expected: dict[str, tuple[str, Any]] = {}
    for (lang, _), parsed in parsed_feeds().items():
        for e in parsed.entries:
            expected[entry_url(e)] = (lang, e)
    lib = Library(paths, Config(), "demo-tester", demo=True)
    try:
        lib.start()
        summary = await lib.refresh()
        assert summary.feeds_failed == 0
        assert summary.feeds_ok == len(LANGS) * len(SECTION_KEYS)
        rows = lib.articles(ArticleQuery())
        assert len(rows) == len(expected)
        per_edition: dict[str, int] = defaultdict(int)
        for row in rows:
            art = lib.article(row.id)
            assert art is not None
            lang, entry = expected[art.url]
            per_edition[art.edition] += 1
            assert art.outlet == "demo" and art.edition == lang
            assert art.author == entry.author
            assert art.editor == entry.contributors[0]["name"]
            assert art.image_caption and art.image_credit
            assert art.image_url.startswith("https://meridian.example/img/")
            assert art.categories and art.categories[0] == entry.tags[0]["term"]
            assert {(a.lang, a.url) for a in art.alternates} == set(
                hreflang_links(entry).items())
        assert set(per_edition) == set(LANGS)
    finally:
        lib.close()


def test_every_demo_story_has_its_bundled_lead_image(tmp_path: Path) -> None:
    """The feeds' image URLs resolve to package files Pillow reads, without the network."""
    import asyncio

    from termnews.catalog import demo_image
    from termnews.images import cached_image, decodes
    from termnews.paths import resolve_paths

    paths = resolve_paths(tmp_path / "d").ensure()
    urls = {e.media_content[0]["url"] for feed in parsed_feeds().values() for e in feed.entries}
    assert len(urls) >= 90
    for url in urls:
        found = demo_image(url)
        assert found is not None, url
        assert decodes(found.read_bytes()), url
        assert asyncio.run(cached_image(paths, Config(), url, offline=True)) == found
    assert not paths.images_dir.exists() or not any(paths.images_dir.iterdir())  # no copies
    prefix = "https://meridian.example/img/"
    for hostile in (prefix + "../outlet.toml", prefix + "..%2Foutlet.toml", prefix + "x.toml",
                    prefix + "/etc/passwd.jpg", "https://elsewhere.test/img/world-1.jpg"):
        assert demo_image(hostile) is None, hostile
