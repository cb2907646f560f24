"""Search in six languages: folding, stemming, search as you type, the stemmed index kept
consistent (FTS5 integrity check), and the upgrade that re-indexes an existing cache."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from termnews import related, terms
from termnews.config import CacheConfig, Config
from termnews.library import Library
from termnews.model import ArticleQuery, ParsedEntry, ParsedFeed
from termnews.paths import Paths
from termnews.prune import prune
from termnews.store import cache
from termnews.store.db import _migrate, connect, transaction
from termnews.store.schema import CACHE_MIGRATIONS

BASE = "http://127.0.0.1:9"

TEXTS = {
    "ru": ["Волонтёры убирают снег на улице", "Новая трамвайная линия", "Мои книги",
           "Улицу перекрыли из-за льда", "Зимой пришёл мороз"],
    "de": ["Die Dörfer an der Küste", "Die Straße ist gesperrt", "Das Ticket kostet nichts",
           "Der Eintritt ist kostenlos", "Städte und Häfen"],
    "fr": ["Le cœur de la ville", "La société des bateaux", "Les lignes de tramway"],
    "es": ["Hace años que llueve", "La niña y el año nuevo"],
    "en": ["The encyclopædia of harbours", "Cities and their harbour cranes",
           "Striking dockers stop the port"],
}


def _entry(lang: str, i: int, text: str) -> ParsedEntry:
    return ParsedEntry(guid=f"{lang}-{i}", url=f"{BASE}/{lang}/{i}", title=text,
                       summary=f"{text}.", published=datetime(2026, 1, 1 + i, tzinfo=UTC))


def _fill(lib: Library) -> dict[str, str]:
    """One feed per language; returns feed URL by language."""
    urls = {lang: f"{BASE}/{lang}.xml" for lang in TEXTS}
    lib.add_feeds(urls.values())
    lib.feed_sources()
    for lang, texts in TEXTS.items():
        parsed = ParsedFeed(title=lang, language=lang,
                            entries=tuple(_entry(lang, i, t) for i, t in enumerate(texts)))
        with transaction(lib.conn):
            cache.store_entries(lib.conn, urls[lang], parsed)
            cache.record_fetch(lib.conn, urls[lang], _ok(), error=None, language=lang)
    return urls


def _ok():  # type: ignore[no-untyped-def]
    from termnews.model import FetchResult

    return FetchResult(url="", status=200)


def _titles(lib: Library, text: str, lang: str | None = None,
            urls: dict[str, str] | None = None) -> set[str]:
    feeds = (urls[lang],) if lang and urls else None
    return {r.title for r in lib.articles(ArticleQuery(search=text, feed_urls=feeds))}


def _integrity(conn: sqlite3.Connection) -> None:
    # rank 1: the index is compared with what its content view says it should hold.
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")


# --- folding --------------------------------------------------------------------------------


@pytest.mark.parametrize(("word", "folded"), [
    ("Ёлка", "елка"), ("волонтёры", "волонтеры"), ("зимой", "зимой"), ("Йод", "йод"),
    ("їжак", "їжак"), ("Straße", "strasse"), ("GROSS", "gross"), ("Dörfer", "dorfer"),
    ("Œuvre", "oeuvre"), ("cœur", "coeur"), ("Æther", "aether"), ("encyclopædia", "encyclopaedia"),
    ("société", "societe"), ("São", "sao"), ("niño", "nino"), ("Łódź", "lodz"),
    ("e\u0301lan", "elan"),  # decomposed (NFD) text folds as composed text does
])
def test_folding_rules(word: str, folded: str) -> None:
    assert terms.fold(terms.words(word)[0]) == folded


def test_i_short_stays_apart_from_i() -> None:
    assert terms.fold("мой") != terms.fold("мои")
    assert terms.fold("й") == "й"


def test_pystemmer_and_snowballstemmer_agree() -> None:
    import snowballstemmer

    for lang, texts in TEXTS.items():
        name = {"ru": "russian", "de": "german", "fr": "french", "es": "spanish",
                "en": "english"}[lang]
        pure = snowballstemmer.stemmer(name)
        for text in texts:
            for w in terms.words(text):
                folded = terms.fold(w)
                assert terms.stem(folded, lang) == pure.stemWord(folded), (lang, w)


# --- searching ---------------------------------------------------------------------------------


def test_any_form_finds_the_others(library: Library) -> None:
    urls = _fill(library)
    assert _titles(library, "улица", "ru", urls) == {"Волонтёры убирают снег на улице",
                                                     "Улицу перекрыли из-за льда"}
    assert _titles(library, "Stadt", "de", urls) == {"Städte und Häfen"}
    assert _titles(library, "ligne", "fr", urls) == {"Les lignes de tramway"}
    assert _titles(library, "city", "en", urls) == {"Cities and their harbour cranes"}
    # An irregular Russian form, through its dictionary form: "льда" of "лёд".
    assert _titles(library, "лёд", "ru", urls) == {"Улицу перекрыли из-за льда"}


def test_spelling_variants_return_what_the_spelling_returns(library: Library) -> None:
    urls = _fill(library)
    for lang, spelled, typed in [
        ("ru", "волонтёры", "волонтеры"), ("ru", "пришёл", "пришел"),
        ("de", "Straße", "Strasse"), ("de", "Dörfer", "Doerfer"), ("de", "Dörfer", "Dorfer"),
        ("de", "Häfen", "Haefen"), ("fr", "cœur", "coeur"), ("fr", "société", "societe"),
        ("es", "años", "anos"), ("en", "encyclopædia", "encyclopaedia"),
    ]:
        found = _titles(library, spelled, lang, urls)
        assert found, spelled
        assert _titles(library, typed, lang, urls) == found, (spelled, typed)


def test_i_short_is_not_i(library: Library) -> None:
    urls = _fill(library)
    assert "зимой" in terms.index_text("Зимой", "ru").split()
    assert "зимои" not in terms.index_text("Зимой", "ru").split()
    assert _titles(library, "зимой", "ru", urls) == {"Зимой пришёл мороз"}


def test_a_whole_word_is_not_a_prefix(library: Library) -> None:
    urls = _fill(library)
    # "kosten" finds "kostet" (same stem) but not "kostenlos" (another word).
    assert _titles(library, "kosten", "de", urls) == {"Das Ticket kostet nichts"}
    assert _titles(library, "kostenlos", "de", urls) == {"Der Eintritt ist kostenlos"}


def test_search_as_you_type(library: Library) -> None:
    urls = _fill(library)
    harbour = {"The encyclopædia of harbours", "Cities and their harbour cranes"}
    # Every prefix of the word finds what the word finds (as the palette searches).
    for n in range(3, len("harbour") + 1):
        assert _titles(library, "harbour"[:n], "en", urls) >= harbour, "harbour"[:n]
    assert _titles(library, "harbour", "en", urls) == harbour
    for typed in ("Dö", "Häf", "Küs", "Straß"):
        assert _titles(library, typed, "de", urls), typed
    assert _titles(library, "Städ", "de", urls) == {"Städte und Häfen"}
    assert _titles(library, "улиц", "ru", urls) == {"Волонтёры убирают снег на улице",
                                                    "Улицу перекрыли из-за льда"}
    # A finished word (a space after it) is no longer a prefix.
    assert _titles(library, "strik", "en", urls) == {"Striking dockers stop the port"}
    assert _titles(library, "strik ", "en", urls) == set()
    # Earlier words are whole words, all of them must match.
    assert _titles(library, "harbour cra", "en", urls) == {"Cities and their harbour cranes"}


def test_the_view_languages_pick_the_stemmers(library: Library) -> None:
    urls = _fill(library)
    query = library.search_query(ArticleQuery(search="Städte", feed_urls=(urls["de"],)))
    assert "stadt" in query.words[0].terms
    everything = library.search_query(ArticleQuery(search="Städte"))
    assert "stadt" in everything.words[0].terms  # every subscribed language's stems
    # A language not in the view is not stemmed for.
    russian = library.search_query(ArticleQuery(search="улице", feed_urls=(urls["ru"],)))
    assert russian.words[0].terms >= {"улице", "улиц"}
    english = library.search_query(ArticleQuery(search="улице", feed_urls=(urls["en"],)))
    assert english.words[0].terms == {"улице"}


def test_matched_words_for_highlighting(library: Library) -> None:
    urls = _fill(library)
    query = library.search_query(ArticleQuery(search="улица", feed_urls=(urls["ru"],)))
    text = "Волонтёры убирают снег на улице и на улицах"
    assert [text[a:b] for a, b in query.spans(text, "ru")] == ["улице", "улицах"]
    query = library.search_query(ArticleQuery(search="harb", feed_urls=(urls["en"],)))
    text = "Harbours and a harbour"
    assert [text[a:b] for a, b in query.spans(text, "en")] == ["Harbours", "harbour"]


def test_hostile_queries_are_plain_words(library: Library) -> None:
    _fill(library)
    for text in ('"', '"*', "AND", "NOT OR", "title:", "(((", "*", "^", "NEAR(a b)", '"a" OR'):
        library.articles(ArticleQuery(search=text))  # no FTS5 syntax error


# --- the index stays consistent ------------------------------------------------------------------


def test_index_stays_consistent_after_updates_deletes_and_prune(library: Library) -> None:
    urls = _fill(library)
    _integrity(library.conn)
    # An updated entry (new title) re-indexes the row.
    changed = ParsedFeed(title="ru", language="ru", entries=(
        _entry("ru", 0, "Волонтёры чистят улицы"),))
    with transaction(library.conn):
        cache.store_entries(library.conn, urls["ru"], changed)
    _integrity(library.conn)
    assert _titles(library, "улица", "ru", urls) >= {"Волонтёры чистят улицы"}
    # Full text arrives.
    aid = library.articles(ArticleQuery(search="cœur"))[0].id
    with transaction(library.conn):
        cache.set_full_text(library.conn, aid, text="Le cœur des villes bat plus vite.")
    _integrity(library.conn)
    assert aid in {r.id for r in library.articles(ArticleQuery(search="ville"))}
    # Prune removes rows (delete trigger).
    config = Config(cache=CacheConfig(max_articles=1, keep_days=0))
    assert prune(library, config).deleted > 0
    _integrity(library.conn)
    # A plain delete too.
    with transaction(library.conn):
        library.conn.execute("DELETE FROM articles WHERE id = (SELECT min(id) FROM articles)")
    _integrity(library.conn)
    left = {t for (t,) in library.conn.execute("SELECT title FROM articles")}
    assert _titles(library, "улица", "ru", urls) <= left


def test_related_terms_are_index_terms(library: Library) -> None:
    _fill(library)
    library.conn.execute(
        "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, articles_fts, row)")
    vocab = {t for (t,) in library.conn.execute("SELECT term FROM temp.v")}
    for lang, texts in TEXTS.items():
        for text in texts:
            for token in related.tokens(text, lang):
                assert token in vocab, (lang, token)


# --- the upgrade ---------------------------------------------------------------------------------


def test_upgrade_re_indexes_an_existing_cache_once(paths: Paths) -> None:
    conn = sqlite3.connect(paths.cache_db, isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS state", (str(paths.state_db),))
    _migrate(conn, "main", CACHE_MIGRATIONS[:6])
    conn.execute("INSERT INTO feeds(id, url, edition) VALUES (1, 'u1', 'ru'), (2, 'u2', 'de')")
    rows = [(1, 1, "Волонтёры на улице", ""), (2, 1, "Снег", "ru-RU"),
            (3, 2, "Die Dörfer", ""), (4, 2, "Städte", "de")]
    conn.executemany(
        "INSERT INTO articles(id, feed_id, key, guid, title, language, fetched_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 0)", [(i, f, f"k{i}", f"g{i}", t, lang)
                                         for i, f, t, lang in rows])
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
    # The old index: prefixes only, "улица" finds nothing.
    assert conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH "
                        "'\"улица\"*'").fetchone()[0] == 0
    conn.close()

    seen: list[tuple[int, int]] = []
    conn = connect(paths.cache_db, paths.state_db, lambda done, total: seen.append((done, total)))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(CACHE_MIGRATIONS)
    assert seen and seen[-1] == (4, 4)
    langs = dict(conn.execute("SELECT id, index_lang FROM articles"))
    assert langs == {1: "ru", 2: "ru", 3: "de", 4: "de"}  # the feed's edition when unknown
    _integrity(conn)
    match = terms.parse_query("улица", ["ru"]).expression()
    assert [r for (r,) in conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (match,))] == [1]
    conn.close()

    seen.clear()  # opened again: nothing to do
    connect(paths.cache_db, paths.state_db, lambda done, total: seen.append((done, total))).close()
    assert seen == []


def test_the_upgrade_progress_bar_draws_only_when_there_is_work() -> None:
    from termnews.cli.context import migration_bar

    quiet = migration_bar()
    quiet(0, 0)
    quiet(3, 3)  # a small cache: done before the first report, nothing drawn
    bar = migration_bar()
    for done in range(0, 2001, 500):
        bar(done, 2000)
    bar(2000, 2000)  # reported twice at the end (the migration's last word): harmless


# --- dictionary forms (lemmas.py) ----------------------------------------------------------------

LEMMA_TEXTS = {
    "en": ["The region votes", "Regional trains are late", "A weekly market",
           "Three weeks of rain", "She found the keys"],
    "fr": ["Une nouvelle école", "Le nouveau port", "La porte du musée", "Une pétition circule",
           "Un petit village"],
    "es": ["El tren vuelve mañana", "El tranvía volvió ayer", "Dos años después",
           "Empieza la huelga"],
}


def _fill_lemma_texts(lib: Library) -> dict[str, str]:
    urls = {lang: f"{BASE}/lemma-{lang}.xml" for lang in LEMMA_TEXTS}
    lib.add_feeds(urls.values())
    lib.feed_sources()
    for lang, texts in LEMMA_TEXTS.items():
        parsed = ParsedFeed(title=lang, language=lang,
                            entries=tuple(_entry(lang, i, t) for i, t in enumerate(texts)))
        with transaction(lib.conn):
            cache.store_entries(lib.conn, urls[lang], parsed)
            cache.record_fetch(lib.conn, urls[lang], _ok(), error=None, language=lang)
    return urls


def test_dictionary_forms_join_irregular_forms(library: Library) -> None:
    urls = _fill_lemma_texts(library)
    assert _titles(library, "find", "en", urls) == {"She found the keys"}
    assert _titles(library, "nouveau", "fr", urls) == {"Une nouvelle école", "Le nouveau port"}
    assert _titles(library, "volver", "es", urls) == {"El tren vuelve mañana",
                                                      "El tranvía volvió ayer"}
    assert _titles(library, "vuelven", "es", urls) == {"El tren vuelve mañana",
                                                       "El tranvía volvió ayer"}
    assert _titles(library, "año", "es", urls) == {"Dos años después"}
    assert _titles(library, "empezar", "es", urls) == {"Empieza la huelga"}
    _integrity(library.conn)


def test_derived_words_stay_apart_where_the_stemmer_joined_them(library: Library) -> None:
    urls = _fill_lemma_texts(library)
    # Snowball stems "regional" to "region", "weekly" to "week", "pétition" to "petit",
    # "porte" to "port": the dictionary knows them as words of their own.
    assert _titles(library, "region", "en", urls) == {"The region votes"}
    assert _titles(library, "weeks", "en", urls) == {"Three weeks of rain"}
    assert _titles(library, "petit", "fr", urls) == {"Un petit village"}
    assert _titles(library, "port", "fr", urls) == {"Le nouveau port"}


def test_dictionary_forms_keep_accents_optional(library: Library) -> None:
    urls = _fill_lemma_texts(library)
    for lang, spelled, typed in [("es", "volvió", "volvio"), ("es", "años", "anos"),
                                 ("fr", "école", "ecole"), ("fr", "pétition", "petition")]:
        found = _titles(library, spelled, lang, urls)
        assert found, spelled
        assert _titles(library, typed, lang, urls) == found, (spelled, typed)


def test_no_dictionary_is_opened_until_a_language_is_indexed_or_searched(paths: Paths) -> None:
    script = (
        "import sys\n"
        "from termnews.config import Config\n"
        "from termnews.library import Library\n"
        "from termnews.model import ArticleQuery\n"
        "from termnews.paths import resolve_paths\n"
        f"lib = Library(resolve_paths({str(paths.data_dir)!r}), Config(), 't')\n"
        "lib.start(starter=False)\n"
        "lib.articles(ArticleQuery())\n"
        "assert 'termnews.lemmas' not in sys.modules and 'simplemma' not in sys.modules\n"
        "from termnews.terms import parse_query\n"
        "parse_query('harbours', ['en'])\n"
        "from termnews import lemmas\n"
        "assert list(lemmas._OPEN) == ['en'] and 'simplemma' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
