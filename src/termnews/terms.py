"""Words as search sees them: split, folded and stemmed by the article's language.

One set of functions serves the full-text index (``store/``), the search box, related
articles and the highlighting of matched words, so all of them agree on what a word is.

- *Split*: runs of letters and digits (as FTS5's ``unicode61`` splits them).
- *Fold*: case folded (ß = ss); ё = е while й stays apart from и; œ = oe, æ = ae;
  accents and other marks dropped from every letter outside Cyrillic, so "societe"
  finds "société" and "Dorfer" finds "Dörfer".
- *Stem*: the Snowball stemmer of the language (PyStemmer, its C build, or the
  pure-Python ``snowballstemmer``: the same algorithms, the same stems), applied to the
  folded word so a word typed without its accents stems as the accented one does.
  German's stemmer also reads ae/oe/ue as ä/ö/ü ("Doerfer" → "dorf").

The index holds, for every word, its folded form, followed by its stem where the two
differ ("улице" → "улице улиц"). Stems and folded words share one vocabulary: a query
word matches its own folded form, its stem in each language searched, and, while it
is still being typed, folded words it begins.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

WORD = re.compile(r"[^\W_]+")

# ISO 639-1 codes of the Snowball algorithms (the editions' six and the rest).
_ALGORITHMS = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "eo": "esperanto", "es": "spanish", "et": "estonian",
    "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi",
    "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch", "nn": "norwegian",
    "no": "norwegian", "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}

# Letters casefold and NFD leave whole; the reader types them as their base letters.
_LETTERS = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ħ": "h",
                          "ı": "i", "ŀ": "l", "þ": "th", "ð": "d"})
_DIAERESIS = "\u0308"


def lang_code(value: str | None) -> str:
    """"pt-BR", "de_DE", "RU" → "pt", "de", "ru"; "" when unknown."""
    return (value or "").strip().split("-")[0].split("_")[0].lower()


def fold(word: str) -> str:
    """The folded form of one word: what the index stores and a query is compared by."""
    word = word.casefold()
    if word.isascii():
        return word
    word = word.translate(_LETTERS)
    if word.isascii():
        return word
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch):
            base = out[-1] if out else ""
            # Marks on Cyrillic letters make other letters (й, ї, ў) and stay, except
            # ё's diaeresis: Russian text writes ё as е as often as not.
            if "\u0400" <= base <= "\u052f" and not (base == "е" and ch == _DIAERESIS):
                out.append(ch)
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def words(text: str) -> list[str]:
    """The words of a text, as written (NFC), in order."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return WORD.findall(text)


# --- stemmers --------------------------------------------------------------------------


def _load_stemmer(algorithm: str) -> Callable[[str], str] | None:
    try:
        import Stemmer  # PyStemmer: the Snowball C library, CPython only (pyproject.toml)

        return Stemmer.Stemmer(algorithm, 0).stemWord  # type: ignore[no-any-return]
    except (ImportError, KeyError):  # another Python, or no such stemmer: the pure one
        pass
    import snowballstemmer

    try:
        return snowballstemmer.stemmer(algorithm).stemWord  # type: ignore[no-any-return]
    except KeyError:  # no stemmer for this language
        return None


_STEMMERS: dict[str, Callable[[str], str] | None] = {}


def stemmer(lang: str) -> Callable[[str], str] | None:
    """The Snowball stemmer of a language code, or None (unknown language: fold only)."""
    code = lang_code(lang)
    if code not in _STEMMERS:
        algorithm = _ALGORITHMS.get(code)
        _STEMMERS[code] = _load_stemmer(algorithm) if algorithm else None
    return _STEMMERS[code]


def stem(word: str, lang: str) -> str:
    """The stem of a folded word in a language (the word itself when there is no stemmer)."""
    stem_word = stemmer(lang)
    return stem_word(word) if stem_word is not None and not word.isdigit() else word


# Languages whose words are indexed by their dictionary form (lemmas.py). German is left
# to its Snowball stemmer: folding ä/ö/ü (which the reader may type as a/o/u) makes its
# dictionary join words such as "Stunde" and "stünde" (of "stehen"), which added wrong
# hits; Russian has pymorphy3 (below). Measured in benchmarks/search_quality.py.
LEMMA_LANGS = frozenset({"en", "fr", "pt", "es"})

# Russian's irregular forms ("льда" of "лёд", "лет" of "год") are matched through their
# dictionary form too (pymorphy3): search_quality.py measured recall 0.94 → 1.00 with no
# wrong hit added.
_MORPH: list[object] = []


def _lemma(word: str, lang: str) -> str | None:
    """The dictionary form of a (casefolded) word, where a lemmatizer is kept for lang."""
    if lang != "ru" or not word.isalpha():
        return None
    if not _MORPH:
        import pymorphy3

        _MORPH.append(pymorphy3.MorphAnalyzer())
    morph = _MORPH[0]
    return str(morph.parse(word)[0].normal_form)  # type: ignore[attr-defined]


def word_terms(word: str, lang: str) -> tuple[str, ...]:
    """The index terms of one (casefolded) word: its folded form first, then

    - in English, French, Portuguese and Spanish, its dictionary forms where the
      dictionary knows the word ("nouvelle" → "nouveau"; "regional" stays apart from
      "region", where the stemmer joined them), else its stem (lemmas.py);
    - in the other languages, its stem, and in Russian also its dictionary form's stem.
    """
    folded = fold(word)
    out = [folded]
    if lang in LEMMA_LANGS and not folded.isdigit():
        from termnews.lemmas import lemmas  # not at start-up: only once a word needs it

        known = lemmas(folded, lang)
        for term in known if known is not None else (stem(folded, lang),):
            if term not in out:
                out.append(term)
        return tuple(out)
    stemmed = stem(folded, lang)
    if stemmed != folded:
        out.append(stemmed)
    lemma = _lemma(word, lang)
    if lemma is not None:
        lemma_stem = stem(fold(lemma), lang)
        if lemma_stem not in out:
            out.append(lemma_stem)
    return tuple(out)


# --- the index ---------------------------------------------------------------------------

# word as written (casefolded) → what the index gets for it, per language. Words follow
# Zipf's law: a few thousand cover most of any text, so most words cost one look-up.
_INDEXED_MAX = 200_000


class _Indexed(dict[str, str]):
    """The index terms of words already seen in one language (made on first look-up)."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def __missing__(self, word: str) -> str:
        indexed = self[word] = _index_word(word, self.lang)
        return indexed


_INDEXED: dict[str, _Indexed] = {}


def _index_word(word: str, lang: str) -> str:
    return " ".join(word_terms(word, lang))


def index_text(text: str | None, lang: str | None) -> str:
    """What the FTS index stores for a text in a language: each word folded, followed
    by its stem where that differs (``unicode61`` then splits it at the spaces)."""
    if not text:
        return ""
    code = lang_code(lang)
    known = _INDEXED.get(code)
    if known is None or len(known) > _INDEXED_MAX:
        known = _INDEXED[code] = _Indexed(code)
    text = text.casefold()
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return " ".join(map(known.__getitem__, WORD.findall(text)))


def word_term(word: str, lang: str | None) -> str:
    """The one index term that stands for a word and its other forms (its dictionary
    form or stem; the folded word where it has none): related articles count these."""
    code = lang_code(lang)
    known = _INDEXED.get(code)
    if known is None or len(known) > _INDEXED_MAX:
        known = _INDEXED[code] = _Indexed(code)
    indexed = known[word.casefold()]
    first, _, rest = indexed.partition(" ")
    return rest.partition(" ")[0] if rest else first


def stems(text: str, lang: str | None) -> list[str]:
    """The term of every word of a text (``word_term``): one index term per word."""
    return [word_term(w, lang) for w in words(text)]


# --- queries -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryWord:
    """One word of a query: the index terms that match it whole, and the prefix that
    matches words it begins (while it is still being typed), if any."""

    typed: str
    terms: frozenset[str]
    prefix: str | None = None

    def expression(self) -> str:
        alts = [f'"{t}"' for t in sorted(self.terms)]
        if self.prefix is not None:
            alts.append(f'"{self.prefix}"*')
        return alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")"

    def matches(self, word: str, lang: str) -> bool:
        """Whether a word of a text in ``lang`` is one this query word found."""
        folded = fold(word)
        if not self.terms.isdisjoint(word_terms(word.casefold(), lang)):
            return True
        return self.prefix is not None and folded.startswith(self.prefix)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What a reader typed, as FTS5 terms: every word must match (AND)."""

    words: tuple[QueryWord, ...]

    def __bool__(self) -> bool:
        return bool(self.words)

    def expression(self) -> str:
        """The FTS5 MATCH expression ("" when nothing can match)."""
        return " AND ".join(w.expression() for w in self.words)

    def spans(self, text: str, lang: str | None) -> list[tuple[int, int]]:
        """(start, end) of the words of ``text`` the query matched, for highlighting."""
        if not self.words or not text:
            return []
        code = lang_code(lang)
        # Offsets into the text as given: NFC can change lengths, so split the text itself.
        return [(m.start(), m.end()) for m in WORD.finditer(text)
                if any(w.matches(m.group(), code) for w in self.words)]


def parse_query(text: str, langs: Iterable[str],
                is_word: Callable[[str], bool] | None = None) -> SearchQuery:
    """A query from what a reader typed, searched in the given languages.

    Each word matches its folded form and its stem in every language. The last word
    may still be being typed: unless the text ends after it (a space) or the index
    knows it (``is_word`` of its folded form or a stem), it also matches as a prefix,
    so a search as you type finds "harbour" from "harb". A whole word does not:
    "kosten" finds "kostet", not "kostenlos".
    """
    codes = sorted({lang_code(lang) for lang in langs} - {""})
    typed = words(text)
    out = []
    for i, word in enumerate(typed):
        folded = fold(word)
        terms = {folded}
        for code in codes:
            terms.update(word_terms(word.casefold(), code))
        prefix = None
        if i == len(typed) - 1 and text[-1:].isalnum() and not (
                is_word is not None and any(is_word(t) for t in sorted(terms, key=len))):
            prefix = folded
        out.append(QueryWord(typed=word, terms=frozenset(terms), prefix=prefix))
    return SearchQuery(tuple(out))


def merge_spans(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans joined, in order."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out
