"""Related articles: same story (hreflang both ways), related by content, section, latest."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from related_corpus import ARTICLES, STORIES
from termnews.library import Library
from termnews.model import Alternate, FeedSource, ParsedEntry, ParsedFeed
from termnews.related import counterpart, related_articles, translations
from termnews.store import cache
from termnews.store.db import transaction

SITE = "https://meridian.test"
BASE = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def feed_url(lang: str, section: str) -> str:
    return f"http://127.0.0.1:9/{lang}/{section}.xml"


def store(lib: Library, lang: str, section: str, entries: list[ParsedEntry],
          outlet: str = "meridian") -> None:
    src = FeedSource(url=feed_url(lang, section), outlet=outlet, edition=lang, section=section)
    with transaction(lib.conn):
        cache.ensure_feed(lib.conn, src)
        cache.store_entries(lib.conn, src.url,
                            ParsedFeed(title=section, language=lang, entries=tuple(entries)))


def load_corpus(lib: Library) -> dict[str, int]:
    """Store the hand-written corpus; returns guid -> article id."""
    by_section: dict[str, list[ParsedEntry]] = {}
    for n, (section, guid, title, summary, body, cats) in enumerate(ARTICLES):
        by_section.setdefault(section, []).append(ParsedEntry(
            guid=guid, url=f"{SITE}/en/{section}/{guid}", title=title, summary=summary,
            content_html=f"<p>{body}</p>", categories=(section.capitalize(), *cats),
            published=BASE + timedelta(hours=n * 5), language="en",
        ))
    for section, entries in by_section.items():
        store(lib, "en", section, entries)
    return {guid: aid for guid, aid in
            lib.conn.execute("SELECT guid, id FROM articles").fetchall()}


def test_recall_at_3_on_hand_made_stories(library: Library) -> None:
    ids = load_corpus(library)
    hits = total = 0
    misses = []
    for guids in STORIES.values():
        for guid in guids:
            others = {ids[g] for g in guids if g != guid}
            items = related_articles(library, ids[guid], limit=3)
            top3 = [i.id for i in items if i.reason == "related"][:3]
            assert ids[guid] not in top3
            found = len(others & set(top3))
            hits += found
            total += len(others)
            if found < len(others):
                misses.append(guid)
    recall = hits / total
    print(f"recall@3 = {recall:.3f} ({hits}/{total}); incomplete: {misses}")
    assert recall >= 0.8, f"recall@3 {recall:.2f} < 0.8 (incomplete: {misses})"


def test_related_never_lists_itself_and_folds_near_duplicates(library: Library) -> None:
    ids = load_corpus(library)
    _section, guid, title, summary, body, _cats = ARTICLES[0]
    # The same piece reposted in another feed (another URL), and a second copy of a sibling.
    sibling = next(a for a in ARTICLES if a[1] == "glacier-2")
    store(library, "en", "digest", [
        ParsedEntry(guid="repost-self", url=f"{SITE}/digest/1", title=title.upper() + "!",
                    summary=summary, content_html=f"<p>{body}</p>", language="en",
                    published=BASE),
        ParsedEntry(guid="repost-sibling", url=f"{SITE}/digest/2", title=sibling[2],
                    summary=sibling[3], content_html=f"<p>{sibling[4]}</p>", language="en",
                    published=BASE),
    ])
    items = related_articles(library, ids[guid], limit=5)
    related_ids = [i.id for i in items]
    assert ids[guid] not in related_ids
    assert len(related_ids) == len(set(related_ids)), "an article listed twice"
    related_titles = [i.title.casefold() for i in items if i.reason == "related"]
    assert title.casefold() + "!" not in related_titles, "the article's own repost listed"
    assert related_titles.count(sibling[2].casefold()) == 1, "near-duplicates not folded"


def test_section_and_latest_blocks(library: Library) -> None:
    ids = load_corpus(library)
    aid = ids["glacier-2"]  # in "world", a section of seven articles
    article = library.article(aid)
    assert article is not None
    items = related_articles(library, aid, limit=2)
    reasons = [i.reason for i in items]
    assert reasons.count("section") == 2 and reasons.count("latest") == 2

    def newest(sql: str, *params: object) -> list[int]:
        before = {i.id for i in items if i.reason == "related"} | {aid}
        return [r[0] for r in library.conn.execute(sql, params).fetchall()
                if r[0] not in before]

    # "section": the newest of the article's own feed not already listed as related.
    section = [i.id for i in items if i.reason == "section"]
    feed_newest = newest("SELECT a.id FROM articles a JOIN feeds f ON f.id = a.feed_id "
                         "WHERE f.url = ? ORDER BY a.published DESC", article.feed_url)
    assert section == feed_newest[:2]
    # "latest": the newest of the outlet's edition, not listed above.
    latest = [i.id for i in items if i.reason == "latest"]
    all_newest = newest("SELECT id FROM articles ORDER BY published DESC")
    assert latest == [i for i in all_newest if i not in section][:2]


def _translated_story(library: Library) -> dict[str, int]:
    """One story in en, ru, de: en lists ru; de lists en; ru lists nobody; fr is not cached."""
    en_url, ru_url, de_url = (f"{SITE}/{lang}/world/summit" for lang in ("en", "ru", "de"))
    fr_url = f"{SITE}/fr/world/summit"
    store(library, "en", "world", [ParsedEntry(
        guid="summit-en", url=en_url, title="Leaders meet at the river summit",
        summary="Talks on river shipping.", language="en", published=BASE,
        alternates=(Alternate("ru", ru_url), Alternate("fr", fr_url)))])
    store(library, "ru", "world", [ParsedEntry(
        guid="summit-ru", url=ru_url, title="Лидеры встретились на речном саммите",
        summary="Переговоры о судоходстве.", language="ru", published=BASE)])
    store(library, "de", "world", [ParsedEntry(
        guid="summit-de", url=de_url, title="Gipfeltreffen am Fluss",
        summary="Gespräche über die Schifffahrt.", language="de", published=BASE,
        alternates=(Alternate("en", en_url),))])
    return {g: i for g, i in library.conn.execute(
        "SELECT guid, id FROM articles WHERE guid LIKE 'summit-%'").fetchall()}


def test_hreflang_counterparts_both_directions(library: Library) -> None:
    ids = _translated_story(library)
    en, ru, de = ids["summit-en"], ids["summit-ru"], ids["summit-de"]
    tr = {t.lang: t for t in translations(library, en)}
    assert tr["ru"].id == ru and tr["ru"].title.startswith("Лидеры")  # en lists ru
    assert tr["de"].id == de  # de lists en
    assert tr["fr"].id is None and tr["fr"].url.endswith("/fr/world/summit")  # not cached
    assert "en" not in tr
    same = {i.id for i in related_articles(library, en) if i.reason == "same story"}
    assert same == {ru, de}
    # From the article nobody's alternates name directly to the one that names it.
    assert counterpart(library, ru, "en") == en
    assert counterpart(library, de, "en") == en
    assert counterpart(library, en, "ru") == ru
    assert counterpart(library, en, "fr") is None
    assert any(i.id == en and i.reason == "same story" for i in related_articles(library, ru))


def test_unknown_article(library: Library) -> None:
    assert related_articles(library, 12345) == []
    assert translations(library, 12345) == []
    assert counterpart(library, 12345, "en") is None


_FULL_SCAN = re.compile(r"^SCAN (?!.*VIRTUAL TABLE)(?!f\b|feeds\b)(\S+)(?! USING)")


def test_queries_use_indexes(library: Library) -> None:
    """EXPLAIN QUERY PLAN of every statement related_articles runs: no full scans of articles
    or alternates (the feeds table is small and may be scanned)."""
    ids = load_corpus(library)
    ids.update(_translated_story(library))
    statements: list[str] = []
    conn = library.conn
    conn.set_trace_callback(statements.append)
    try:
        related_articles(library, ids["summit-en"])
        related_articles(library, ids["flu-2"])
        translations(library, ids["summit-de"])
    finally:
        conn.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) >= 6
    for sql in selects:
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
        scans = [p for p in plan if _FULL_SCAN.match(p) and "COVERING INDEX" not in p
                 and "USING INDEX" not in p and "USING INTEGER PRIMARY KEY" not in p]
        assert not scans, f"full scan in {sql!r}: {plan}"


@pytest.mark.parametrize("limit", [0, 1])
def test_limit_zero_gives_only_same_story(library: Library, limit: int) -> None:
    ids = _translated_story(library)
    items = related_articles(library, ids["summit-en"], limit=limit)
    if limit == 0:
        assert {i.reason for i in items} == {"same story"}
    else:
        assert all(sum(1 for i in items if i.reason == r) <= 1
                   for r in ("related", "section", "latest"))


def test_cache_of_common_words_searches_the_newest_part(library: Library,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """When every word is common, the related query searches only the newest rows (bounded
    work) and still finds articles sharing the most words. The row budgets are scaled down
    to this small cache (on 100,000 articles they are thousands of rows)."""
    import random

    from termnews import related
    from termnews.related import _plan, _salient_terms, _source

    monkeypatch.setattr(related, "_ROW_BUDGET", 60)
    monkeypatch.setattr(related, "_WINDOW_BUDGET", 300)
    monkeypatch.setattr(related, "_MIN_WINDOW", 40)

    rng = random.Random(3)
    vocab = ("harbour", "council", "budget", "bridge", "orchard", "ferry", "glacier", "market",
             "museum", "tunnel", "festival", "library")
    entries = [ParsedEntry(guid=f"c{i}", url=f"{SITE}/c/{i}", language="en",
                           title=" ".join(rng.sample(vocab, 4)),
                           summary=" ".join(rng.choice(vocab) for _ in range(30)),
                           published=BASE + timedelta(minutes=i)) for i in range(400)]
    store(library, "en", "common", entries)
    newest = library.conn.execute("SELECT max(id) FROM articles").fetchone()[0]
    src = _source(library.conn, newest)
    assert src is not None
    plan = _plan(_salient_terms(library.conn, src), newest)
    assert plan.rare == "" and plan.common and plan.low > 0
    items = [i for i in related_articles(library, newest, limit=5) if i.reason == "related"]
    assert len(items) == 5 and newest not in {i.id for i in items}
    assert all(i.id >= plan.low for i in items)


# --- names -----------------------------------------------------------------------------------

# Three stories of one small town that share nothing but its name, and pieces from other
# towns that share a word of the section with them (school, cathedral, storm, bakery).
TOWN = [
    ("society", "kel-choir", "Kelmouth school choir sings at the cathedral",
     "Forty pupils from a primary school in Kelmouth gave a winter concert.",
     "The school choir of Kelmouth rehearsed for three months before the concert in the "
     "cathedral. Parents filled every pew, and the choir teacher said the pupils sang the "
     "old carols better than any choir she had taught."),
    ("business", "kel-ferry", "Ferry back in service after storm",
     "The crossing to the islands runs again from Kelmouth harbour.",
     "Engineers finished work on the hull on Monday, and the first sailing left Kelmouth "
     "with a full car deck. Fishermen and island shopkeepers had waited two weeks."),
    ("business", "kel-bakery", "A bakery opens on the quay",
     "Two sisters bake rye loaves and fish pies for the harbour workers of Kelmouth.",
     "The sisters rented an old net store on the quay in Kelmouth and fitted it with a "
     "wood oven. Dock workers queue from six in the morning for the pies."),
    ("society", "dun-minibus", "Children raise money for a minibus",
     "A school in Dunmore held a sponsored walk.",
     "The children walked twelve miles along the canal and raised enough for a second-hand "
     "minibus to take them to swimming lessons."),
    ("society", "arv-tower", "Bell tower opens to visitors",
     "The cathedral of Arvel lets the public climb its tower for the first time.",
     "Visitors climb two hundred steps past the bells to a gallery with a view of the "
     "river plain. Tickets are sold at the cathedral door."),
    ("business", "bre-storm", "Storm brings down power lines",
     "Thousands of homes in Brenna spent the night without electricity.",
     "Linesmen worked through the night after the storm felled poles along the coast "
     "road. The power company expects every home in Brenna to be connected by Friday."),
    ("business", "tal-prize", "County bread prize goes to a family firm",
     "Judges tasted sourdough from forty bakeries before choosing one from Tallow.",
     "The bakery on the market square of Tallow won with a sourdough loaf. The judges "
     "praised its crust and said the bakers deserved the prize."),
]


def test_names_are_words_capitalised_inside_sentences() -> None:
    from termnews.related import _names
    from termnews.terms import word_term

    names, capitalised = _names(
        "Ferry Returns To Service",  # title case: its capitals tell nothing
        "Engineers finished work in Kelmouth. The crossing to Arran runs again, and "
        "the Harbour office says the harbour reopens. Ferry tickets are sold online.",
        "en")
    assert names == {word_term("Kelmouth", "en"), word_term("Arran", "en")}
    assert not capitalised
    # German writes every noun with a capital: capitals tell no names in such a text.
    _names_de, capitalised = _names(
        "Fähre fährt wieder", "Die Fähre nach den Inseln fährt wieder ab dem Hafen von "
        "Kelmouth. Die Ingenieure haben den Rumpf nach dem Sturm repariert.", "de")
    assert capitalised


def test_stories_tied_by_a_place_name_are_related(library: Library) -> None:
    """The Kelmouth pieces share only the town's name; the others share a word of the section
    with them. The name alone relates stories (before, a single shared word related
    nothing and the town's pieces were missing); a word of the section still does not."""
    by_section: dict[str, list[ParsedEntry]] = {}
    for n, (section, guid, title, summary, body) in enumerate(TOWN):
        by_section.setdefault(section, []).append(ParsedEntry(
            guid=guid, url=f"{SITE}/en/{section}/{guid}", title=title, summary=summary,
            content_html=f"<p>{body}</p>", published=BASE + timedelta(hours=n), language="en"))
    for section, entries in by_section.items():
        store(library, "en", section, entries)
    ids = dict(library.conn.execute("SELECT guid, id FROM articles").fetchall())
    town = {"kel-choir", "kel-ferry", "kel-bakery"}
    for guid in sorted(town):
        found = [i.id for i in related_articles(library, ids[guid], limit=3)
                 if i.reason == "related"]
        assert set(found) == {ids[g] for g in town - {guid}}, guid
