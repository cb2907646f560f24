"""Which single-byte Latin code page undeclared text is in, by its letters.

Bytes that are neither declared nor UTF-8 are windows-1252 by default (feedparser's
fallback, and what undeclared feeds from Western Europe and the Americas are). Another
Latin code page wins only when its letters say so: read that way, more words are
spelt with one real language's letters. A Portuguese "simulações" read as windows-1250
is "simulaçőes", a word no language spells (ç and ő are never in one alphabet); a
Polish "może" read as windows-1252 is "mo¿e", a symbol inside a word. Charset
detectors score such readings by letter statistics and can pick windows-1250 for
Portuguese by a hair; counting spellable words does not.

Text that no Latin reading spells (Cyrillic, Greek, CJK in their own code pages read
as Latin) is left to the charset detector (``charset.detect``).
"""

from __future__ import annotations

import re
from collections import Counter

# The letters beyond ASCII of languages written in the Latin code pages below.
_ALPHABETS = {
    "pt": "áâãàçéêíóôõúüªº", "es": "áéíñóúüªº", "fr": "àâæçéèêëîïôœùûüÿ",
    "it": "àèéìíîòóùú", "ca": "àçèéíïòóúü", "gl": "áéíñóúü", "eu": "ñ",
    "de": "äöüß", "nl": "áàéèëïóöüç", "da": "æøåéáó", "no": "æøåéèêóòô", "sv": "åäöé",
    "fi": "äöåšž", "is": "áðéíóúýþæö", "fo": "áðíóúýæø", "ga": "áéíóú", "et": "õäöüšž",
    "sq": "çë", "pl": "ąćęłńóśźż", "cs": "áčďéěíňóřšťúůýž", "sk": "áäčďéíĺľňóôŕšťúýž",
    "hu": "áéíóöőúüű", "ro": "ăâîşţșț", "hr": "čćđšž", "sl": "čšž", "tr": "çğıöşüâîû",
    "lb": "äëéöüè", "mt": "ċġħż",
}
_ALPHABET_SETS = [frozenset(a) for a in _ALPHABETS.values()]

# windows-1252 first: the others must beat it.
CODE_PAGES = ("cp1252", "cp1250", "iso8859_2", "cp1254", "iso8859_15")

# Words: runs between spaces, ASCII punctuation and digits, and the punctuation Western
# text puts next to words ("º" and "ª" follow numbers: "2º"). "¿" and "¡" open Spanish
# questions; anywhere else in a word they are a Polish "ż" or a Slovak "ľ" read in the
# wrong code page.
_WORD = re.compile(
    "[^\\s\x00-\x40\x5b-\x60\x7b-\x7f\xa0\xab\xbb\xad\xb7\xb4\xa9\xae\xb0\xa7\xb6\xaa\xba"
    "\u2010-\u2027\u2030-\u205e\u20ac\u2122]+"
)
# Runs of ASCII letters and high bytes that hold a high byte: the only places where
# single-byte code pages read differently. Found on the bytes, once, whatever the pages.
_TOKEN = re.compile(rb"(?<![A-Za-z\x80-\xff])[A-Za-z]*+[\x80-\xff][A-Za-z\x80-\xff]*")
SAMPLE = 200_000  # bytes weighed (a feed's start tells its code page)


def _scores(words: Counter[str]) -> tuple[float, float]:
    """How well one language's letters spell words: (the share that some alphabet
    spells, the share the best single alphabet spells); no word: (1, 1)."""
    total = good = 0
    by_alphabet = [0] * len(_ALPHABET_SETS)
    for word, n in words.items():
        if not any(c.isalpha() for c in word):
            continue  # a symbol alone ("£", "¥"): not a word
        total += n
        extra = {c for c in word.lower() if not c.isascii()}
        if not all(c.isalpha() for c in extra):
            continue
        spelt = False
        for i, alphabet in enumerate(_ALPHABET_SETS):
            if extra <= alphabet:
                by_alphabet[i] += n
                spelt = True
        good += n if spelt else 0
    if not total:
        return 1.0, 1.0
    return good / total, max(by_alphabet) / total


def _words(readings: dict[str, int]) -> Counter[str]:
    """The words beyond ASCII in tokens read one way (token text → how often)."""
    words: Counter[str] = Counter()
    for text, n in readings.items():
        for word in _WORD.findall(text):
            if not word.isascii():
                words[word.lstrip("¿¡")] += n
    return words


def _decode(token: bytes, code_page: str) -> str | None:
    try:
        return token.decode(code_page)
    except UnicodeDecodeError:
        if code_page == "cp1252":
            return decode_cp1252(token)  # the five unassigned bytes as C1, as browsers do
        return None


def decode_cp1252(body: bytes) -> str:
    """windows-1252 as the web reads it: the five bytes it leaves unassigned as C1 codes."""
    return body.decode("cp1252", errors="termnews-latin1")


def best_latin(body: bytes) -> tuple[str, float]:
    """(the Latin code page whose reading spells its words best, the share of words it
    spells).

    Each other code page is weighed against windows-1252 on the words their readings
    differ in: words spelt by some alphabet first, then by one alphabet for them all (a
    Hungarian "jövõ" and "hûség" each look like some language; only windows-1250 spells
    both in one). windows-1252 keeps every tie.
    """
    tokens = Counter(_TOKEN.findall(body[:SAMPLE]))
    base = {t: decode_cp1252(t) for t in tokens}
    best, best_score = "cp1252", (-1.0, -1.0)
    share = _scores(_words({base[t]: n for t, n in tokens.items()}))[0]
    for code_page in CODE_PAGES[1:]:
        theirs: dict[str, int] = {}
        ours: dict[str, int] = {}
        every: dict[str, int] = {}
        for token, n in tokens.items():
            text = _decode(token, code_page)
            if text is None:
                break
            every[text] = every.get(text, 0) + n
            if text != base[token]:
                theirs[text] = theirs.get(text, 0) + n
                ours[base[token]] = ours.get(base[token], 0) + n
        else:
            if not theirs:
                continue
            score = _scores(_words(theirs))
            if score > _scores(_words(ours)) and score > best_score:
                best, best_score, share = code_page, score, _scores(_words(every))[0]
    return best, share


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


def _register() -> None:
    import codecs

    codecs.register_error("termnews-latin1", _latin1_fallback)


_register()
