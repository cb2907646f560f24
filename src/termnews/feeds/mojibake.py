"""Repairing double-encoded UTF-8 ("KÃ¶lner" → "Kölner") in feed text.

Some publishers take UTF-8 text, read it as Latin-1, windows-1252 or windows-1251 and
encode it again; every reader then shows mojibake. ``ftfy`` undoes that, and only
that here: its other fixes (HTML entities, quotes, width, normalisation, control
characters) would change text that is not broken, and controls are the cleaner's job.
``replace_lossy_sequences`` is off too: it writes U+FFFD into text.

Where ftfy declines a field (it is careful with short ones: "HISTÃ’RIA", "РњРѕСЃРєРІР°"),
feedparser's own rule follows: a whole field that is UTF-8 read in one code page is
taken as that UTF-8 (feedparser reads it from Latin-1 only). From windows-1251 it needs
a pair that is not Russian text: "Рё" is "и" double-encoded, or "Р" before "ё".
Either repair must bring in likely characters only and no word mixing Latin letters
with Cyrillic or Greek ones (``_plausible``): both mend correct text now and then
(an Icelandic "ÞJÓÐ»" is not a mangled "ÞJÓл", nor "PERCHÉ…" a mangled "PERCHɅ").

ftfy costs tens of microseconds a field even when it changes nothing, so it runs only
where the text holds a telltale pair: a character that is the reading of a UTF-8
lead byte followed by one that is the reading of a continuation byte, in one of
those three code pages. Double-encoded UTF-8 always has one; feedparser's own repair
(the whole field re-read from Latin-1 as UTF-8) cannot apply without one, so the
shortcut never skips a repair feedparser makes (tests/test_text_fidelity.py proves
both with hypothesis).
"""

from __future__ import annotations

import codecs
import re
from functools import cache
from typing import Any

# What bytes 0x80-0xBF (UTF-8 continuation bytes) read as in windows-1252 where it
# differs from Latin-1, and in windows-1251.
_CP1252_HIGH = bytes(range(0x80, 0xA0)).decode("cp1252", "ignore")
_CP1251_CONT = bytes(range(0x80, 0xC0)).decode("cp1251", "ignore")
# In windows-1251, the lead bytes of Cyrillic (D0-D3: "Р" … "У"), of guillemets and the
# no-break space (C2: "В«", "В»") and of quotes, dashes and currency signs (E2 80-8F:
# "вЂ", "в„"): what Russian sites double-encode, and what ftfy repairs read that way.
_CP1251_LEAD = bytes([0xC2, *range(0xD0, 0xD4)]).decode("cp1251")
_CP1251_PUNCT = bytes(range(0x80, 0x90)).decode("cp1251", "ignore")

_TELLTALE = re.compile(
    # Lead bytes C2-F4 read as Latin-1 / windows-1252: Â … ô, then a continuation byte.
    f"[\xc2-\xf4][\x80-\xbf{re.escape(_CP1252_HIGH)}]"
    # The same bytes read as windows-1251 (Russian text: "Р В Р°").
    f"|[{re.escape(_CP1251_LEAD)}][{re.escape(_CP1251_CONT)}]"
    f"|\u0432[{re.escape(_CP1251_PUNCT)}]"
)


@cache
def _config() -> Any:
    from ftfy import TextFixerConfig

    return TextFixerConfig(
        unescape_html=False, remove_terminal_escapes=False, fix_encoding=True,
        restore_byte_a0=True, replace_lossy_sequences=False, decode_inconsistent_utf8=True,
        fix_c1_controls=False, fix_latin_ligatures=False, fix_character_width=False,
        uncurl_quotes=False, fix_line_breaks=False, fix_surrogates=False,
        remove_control_chars=False, normalization=None, explain=False,
    )


def may_be_mojibake(text: str) -> bool:
    """Whether text holds a pair of characters double-encoded UTF-8 is made of."""
    return _TELLTALE.search(text) is not None


def repair(text: str) -> str:
    """text with double-encoded UTF-8 decoded; any other text comes back unchanged."""
    if not text or text.isascii() or _TELLTALE.search(text) is None:
        return text
    fixed = _ftfy(text)
    if fixed == text:
        fixed = _whole_field(text)
    return fixed if _plausible(text, fixed) else text


def _ftfy(text: str) -> str:
    """ftfy's repair, one encode-decode step at a time, up to the first step whose result
    is not plausible (ftfy repeats while text still looks broken, and Cyrillic text can
    look like UTF-8 of CJK read as windows-1251: "еҐ…" is not a broken "奅")."""
    from ftfy import apply_plan, fix_encoding_and_explain

    steps = fix_encoding_and_explain(text, _config()).explanation or []
    current, group = text, list[tuple[str, str]]()
    for step in steps:
        group.append((step[0], step[1]))
        if step[0] in ("decode", "apply"):
            try:
                candidate = apply_plan(current, group)
            except (UnicodeError, ValueError):
                break
            if not _plausible(current, candidate):
                break
            current, group = candidate, []
    return current


# What repaired text brings in: letters of Latin-1 and Latin Extended-A, Greek and
# Cyrillic letters, punctuation and signs, CJK, kana, Hangul, emoji. Correct text read
# as UTF-8 by mistake makes rarer things ("PERCHÉ…" would be "PERCHɅ").
_LIKELY = re.compile(
    "[\xa0-\u017f\u0386-\u03ce\u0400-\u045f\u0490\u0491\u2010-\u2027\u2030-\u205e"
    "\u20ac\u2116\u2122\u3000-\u30ff\u4e00-\u9fff\uac00-\ud7a3"
    "\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")
_GREEK_OR_CYRILLIC = re.compile("[\u0370-\u03ff\u0400-\u04ff]")
_MIXED_WORD = re.compile(
    "[A-Za-z\xc0-\u017f][\u0370-\u03ff\u0400-\u04ff]"
    "|[\u0370-\u03ff\u0400-\u04ff][A-Za-z\xc0-\u017f]")


def _plausible(text: str, fixed: str) -> bool:
    """Whether fixed reads as text: every character the repair brought in is a likely
    one, and no word mixes Latin letters with Greek or Cyrillic ones that text did not
    (an Icelandic "ÞJÓÐ»" is not a mangled "ÞJÓл")."""
    if fixed == text:
        return True
    brought = set(fixed) - set(text)
    if not all(_LIKELY.match(c) for c in brought if not c.isascii()):
        return False
    if any(c >= "\u3000" for c in brought) and _GREEK_OR_CYRILLIC.search(text):
        # Greek and Cyrillic letters in windows-1253/1251 look like UTF-8 of CJK at times
        # ("дёҐ" is "严" read that way): such text is taken as it is.
        return False
    if not _GREEK_OR_CYRILLIC.search(fixed):
        return True  # no Greek or Cyrillic letter: no word of mixed scripts either
    return len(_MIXED_WORD.findall(fixed)) <= len(_MIXED_WORD.findall(text))


def _c1_as_bytes(exc: UnicodeError) -> tuple[bytes, int]:
    """Encoding error handler: C1 codes (windows-1252's unassigned bytes read as Latin-1)
    back to their bytes."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    chunk = exc.object[exc.start:exc.end]
    if all(0x80 <= ord(c) <= 0x9F for c in chunk):
        return chunk.encode("latin-1"), exc.end
    raise exc


codecs.register_error("termnews-c1", _c1_as_bytes)
_RUSSIAN_PAIR = re.compile(f"[{re.escape(_CP1251_LEAD)}][Ёё]")


def _whole_field(text: str) -> str:
    """text read back from Latin-1 (feedparser's rule), windows-1252 or windows-1251 as
    UTF-8, where the whole of it decodes into likely text; else text."""
    for code_page in ("latin-1", "cp1252", "cp1251"):
        try:
            raw = text.encode(code_page, errors="termnews-c1" if code_page == "cp1252"
                              else "strict")
            fixed = raw.decode("utf-8")
        except UnicodeError:
            continue
        if code_page == "cp1251" and not _TELLTALE.search(_RUSSIAN_PAIR.sub("", text)):
            continue
        if fixed != text and _plausible(text, fixed):
            return fixed
    return text
