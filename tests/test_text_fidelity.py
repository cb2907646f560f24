"""Text as faithful as feedparser's, for any script (hypothesis).

* Correct text in any script (Cyrillic, Greek, CJK, accented Latin, emoji) comes through
  the mojibake repair, the cleaner and a whole parse unchanged.
* Double-encoded UTF-8 of such text is repaired, in every way feedparser repairs it and
  in the windows-1252 and windows-1251 ways it does not.
* The repair's shortcut (no ftfy call without a telltale pair) never skips a repair
  feedparser makes.
* Undeclared single-byte text is read in its code page: Western European words as
  windows-1252, never windows-1250; Central European words as windows-1250; Russian as
  KOI8-R or windows-1251.

The words below are written for these tests. Latin text is drawn from real words, not
from random letters: a random string of accented letters ("Üº", "éŠ") is exactly what
double-encoded UTF-8 looks like, so it is not correct text.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from termnews.feeds.clean import clean_line, clean_text
from termnews.feeds.mojibake import may_be_mojibake, repair
from termnews.feeds.parse import parse_feed

PROPERTY = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

WESTERN = {
    "pt": "eleições prisão simulações população não está até três câmara órgão saúde "
          "pôr avô você põe ações coração Conceição São Paulo Brasília Amapá",
    "es": "año señor niño información política España Córdoba también mañana pingüino "
          "cigüeña acción jóvenes así Málaga",
    "fr": "élections été déjà très où cœur sœur naïve Noël façade château être forêt "
          "garçon réunion Besançon août fenêtre",
    "de": "Kölner Straße Brücke fährt über Größe Mädchen schön Gefäß Äpfel Öffnung Übung "
          "München Düsseldorf",
    "it": "città perché più caffè università però lunedì così virtù Forlì",
    "ca": "església plaça col·legi història també català Lleó vostè",
    "nl": "één café geëerd reünie ruïne coördinatie",
    "sv": "Göteborg kärlek åtta höst Malmö sjö",
    "da": "København øl Ærø grøn blåbær",
    "is": "Reykjavík Þingvellir íslenska fjörður sól þjóð",
}
CENTRAL = {
    "pl": "Łódź może też został będzie źródło gęś jaźń Kraków żółw Wałęsa ciągnąć "
          "świat Gdańsk Wrocław",
    "cs": "přečtěte Plzeň Brno žluťoučký kůň úpěl ďábelské ódy čtvrť Ústí Třebíč",
}
RUSSIAN = ("Москва новости правительство ёлка съезд объявил подъезд Щёлково "
           "учёные экспедиция бабочек Алтай")
GREEK = "Αθήνα κυβέρνηση σιδηρόδρομος Θεσσαλονίκη ψηφοφορία ΕΛΛΑΔΑ Ηράκλειο"

CYRILLIC = "".join(chr(c) for c in range(0x0410, 0x0450)) + "ёЁіїєґІЇЄҐ"
GREEK_LETTERS = "".join(chr(c) for c in range(0x0391, 0x03CA) if chr(c).isalpha()) + "άέήίόύώ"
PUNCT = [" ", " ", " ", ", ", ". ", ": ", " — ", " – ", "…", " «", "» ", " “", "” ", "’",
         "!", "? ", " (", ") ", "\n", " 2º ", " 1ª ", " 3,5 % ", " 10 € "]


def _case(word: str, how: int) -> str:
    return (word, word.capitalize(), word.upper())[how]


def _vocabulary(words: str) -> st.SearchStrategy[str]:
    return st.builds(_case, st.sampled_from(words.split()), st.integers(0, 2))


def _letters(alphabet: str) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=1, max_size=9)


cjk = st.text(alphabet=st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK ideographs
    st.characters(min_codepoint=0x3041, max_codepoint=0x30FF),  # kana
    st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),  # Hangul
), min_size=1, max_size=6)
emoji = st.text(alphabet=st.one_of(
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
    st.sampled_from("☀☕⚽✈❤"),
), min_size=1, max_size=3)

WORD = st.one_of(
    *(_vocabulary(w) for w in (*WESTERN.values(), *CENTRAL.values(), RUSSIAN, GREEK)),
    _letters(CYRILLIC), _letters(GREEK_LETTERS), cjk, emoji,
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            min_size=1, max_size=8),
)


@st.composite
def correct_text(draw: st.DrawFn, words: st.SearchStrategy[str] = WORD) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 12))):
        parts.append(draw(words))
        parts.append(draw(st.sampled_from(PUNCT)))
    return "".join(parts).strip()


def _double_encoded(text: str, code_page: str) -> str | None:
    """text's UTF-8 read in a single-byte code page (None where that cannot be written)."""
    try:
        return text.encode("utf-8").decode(code_page)
    except UnicodeDecodeError:
        return None


def _feedparser_repair(text: str) -> str:
    """feedparser's own repair (its mixin's ``pop``): a field that encodes as Latin-1
    and then decodes as UTF-8 is taken as that."""
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


# --- correct text passes unchanged ------------------------------------------------------


@PROPERTY
@given(correct_text())
def test_correct_text_in_any_script_passes_the_repair_unchanged(text: str) -> None:
    assert repair(text) == text
    assert clean_text(text) == text.replace("\r", "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(correct_text(), correct_text())
def test_correct_text_comes_through_a_whole_parse(title: str, summary: str) -> None:
    for body, kind in ((f"<title>{escape(title)}</title><description>{escape(summary)}"
                        "</description>", "rss"),):
        doc = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
               f"<title>Feed</title><item>{body}<guid>one</guid></item></channel></rss>")
        entry = parse_feed(doc.encode("utf-8"), url="https://fidelity.example/" + kind).entries[0]
        assert entry.title == clean_line(title)
        assert " ".join(entry.summary.split()) == " ".join(summary.split())


# --- double-encoded text is repaired -------------------------------------------------


@PROPERTY
@given(correct_text())
def test_double_encoded_text_is_repaired_at_least_where_feedparser_repairs_it(
        text: str) -> None:
    latin1 = _double_encoded(text, "latin-1")
    assert latin1 is not None
    assert _feedparser_repair(latin1) == text  # feedparser repairs it ...
    assert repair(latin1) == text  # ... and so does termnews


WORD_1251 = st.one_of(_vocabulary(RUSSIAN), _letters(CYRILLIC), st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8))
PUNCT_1251 = [p for p in PUNCT if not set(p) & set("ºª")]


@st.composite
def russian_text(draw: st.DrawFn, words: st.SearchStrategy[str] = WORD_1251) -> str:
    return "".join(draw(words) + draw(st.sampled_from(PUNCT_1251))
                   for _ in range(draw(st.integers(1, 12)))).strip()


@PROPERTY
@given(correct_text())
def test_double_encoded_through_windows_1252_is_repaired(text: str) -> None:
    mojibake = _double_encoded(text, "cp1252")
    if mojibake is not None:
        assert repair(mojibake) == text


@PROPERTY
@given(russian_text())
def test_double_encoded_through_windows_1251_is_repaired(text: str) -> None:
    # Cyrillic, ASCII and punctuation: what Russian sites double-encode (ftfy reads other
    # scripts' UTF-8 in windows-1251 as it is: "KГ¶lner" stays).
    mojibake = _double_encoded(text, "cp1251")
    if mojibake is not None:
        # "и" and "Ш" double-encoded are "Рё" and "РЁ", which is also how Russian writes
        # "Рёв" or "РЁВ": a field of nothing else is text as it stands.
        assume(re.search("[^\\x00-\\x7f\u0438\u0428]", text))
        assert repair(mojibake) == text


@PROPERTY
@given(st.one_of(
    st.text(),
    st.text(alphabet=st.characters(max_codepoint=0xFF)),
    correct_text().map(lambda t: t.encode("utf-8").decode("latin-1")),
    st.binary().map(lambda b: b.decode("latin-1")),
))
def test_the_shortcut_never_skips_a_repair_feedparser_makes(text: str) -> None:
    if _feedparser_repair(text) != text:
        assert may_be_mojibake(text)
        # and the repair that runs is at least feedparser's where the text is mojibake of
        # correct text (its rule also rewrites random Latin-1 that happens to be UTF-8)
    if not may_be_mojibake(text):
        assert repair(text) == text


# --- undeclared single-byte text ------------------------------------------------------


def _undeclared(titles: list[str], code_page: str) -> list[str]:
    """The titles of an undeclared feed in code_page, as parsed."""
    items = "".join(f"<item><title>{escape(t)}</title><guid>{i}</guid></item>"
                    for i, t in enumerate(titles))
    doc = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}'
           "</channel></rss>").encode(code_page)
    # Bytes that are valid UTF-8 are read as UTF-8, by feedparser too: a short single-byte
    # text can be by chance ("ÉTÉ…" in windows-1252 is "ÉTɅ"); real feeds never are.
    assume(not _valid_utf8(doc))
    return [e.title for e in parse_feed(doc, url="https://fidelity.example/",
                                        content_type="application/rss+xml").entries]


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _titles(vocabularies: dict[str, str], cases: int = 2) -> st.SearchStrategy[list[str]]:
    """One to five titles in one language of vocabularies."""
    def words(lang: str) -> st.SearchStrategy[str]:
        return st.builds(_case, st.sampled_from(vocabularies[lang].split()),
                         st.integers(0, cases))
    return st.sampled_from(sorted(vocabularies)).flatmap(
        lambda lang: st.lists(correct_text(words(lang)), min_size=1, max_size=5))


def _plain(text: str, drop: str) -> str:
    return str(clean_line(text.translate({ord(c): " " for c in drop})))


@PROPERTY
@given(_titles(WESTERN))
def test_undeclared_western_text_is_read_as_windows_1252(titles: list[str]) -> None:
    titles = [_plain(t, "€") for t in titles]
    assert _undeclared(titles, "cp1252") == titles


@PROPERTY
@given(_titles(CENTRAL))
def test_undeclared_central_european_text_is_read_as_windows_1250(titles: list[str]) -> None:
    titles = [_plain(t, "«»€ºª") for t in titles]  # not all in windows-1250
    # Its letters say so: one that windows-1252 reads as a symbol or not at all.
    assume(set("".join(titles)) & set("łążľťŁĄŻĽŤŹ"))
    assert _undeclared(titles, "cp1250") == titles


RUSSIAN_SENTENCES = [
    "Правительство в среду представило новый план модернизации железных дорог на юге.",
    "По словам министра, первые работы начнутся уже в этом году.",
    "Пассажирам придётся привыкнуть к задержкам на нескольких участках.",
    "Учёные нашли в горах Алтая новый вид бабочек и назвали его в честь деревни.",
    "Экспедиция провела в горах три недели и вернулась с находками.",
    "В субботу в Москве открылся музей истории городского транспорта.",
    "Вход для школьников будет бесплатным до конца зимних каникул.",
    "Синоптики обещают сильный ветер и мокрый снег на всей территории области.",
    "Жители подъезда сами отремонтировали крышу, не дождавшись управляющей компании.",
    "Сборная выиграла товарищеский матч со счётом два на один.",
]


@PROPERTY
@given(st.lists(st.sampled_from(RUSSIAN_SENTENCES), min_size=2, max_size=6, unique=True))
def test_undeclared_russian_stays_right(titles: list[str]) -> None:
    # Sentences as Russian feeds carry them: a detector needs real text to go on (a few
    # repeated words, or text all in capitals, can read as Greek or Hebrew, or swap the
    # cases of KOI8-R and windows-1251).
    for code_page in ("koi8_r", "cp1251"):
        assert _undeclared(titles, code_page) == titles, code_page
