"""Repairing double-encoded UTF-8 ("KÃ¶lner" → "Kölner") in feed text.

Some publishers take UTF-8 text, read it as Latin-1, windows-1252 or windows-1251 and
encode it again; every reader then shows mojibake. ``ftfy`` undoes that, and only
that here: its other fixes (HTML entities, quotes, width, normalisation, control
characters) would change text that is not broken, and controls are the cleaner's job.

ftfy costs tens of microseconds a field even when it changes nothing, so it runs only
where the text holds a telltale pair: a character that is the reading of a UTF-8
lead byte followed by one that is the reading of a continuation byte, in one of
those three code pages. Double-encoded UTF-8 always has one; feedparser's own repair
(the whole field re-read from Latin-1 as UTF-8) cannot apply without one, so the
shortcut never skips a repair feedparser makes (tests/test_text_fidelity.py proves
both with hypothesis).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# What bytes 0x80-0xBF (UTF-8 continuation bytes) read as in windows-1252 where it
# differs from Latin-1, and in windows-1251.
_CP1252_HIGH = bytes(range(0x80, 0xA0)).decode("cp1252", "ignore")
_CP1251_CONT = bytes(range(0x80, 0xC0)).decode("cp1251", "ignore")
# Cyrillic letters are D0-D3 xx in UTF-8 ("Р", "С", "Т", "У" in windows-1251); quotes
# and dashes are E2 80 xx ("вЂ").
_CP1251_LEAD = bytes(range(0xD0, 0xD4)).decode("cp1251")

_TELLTALE = re.compile(
    # Lead bytes C2-F4 read as Latin-1 / windows-1252: Â … ô, then a continuation byte.
    f"[\xc2-\xf4][\x80-\xbf{re.escape(_CP1252_HIGH)}]"
    # The same bytes read as windows-1251 (Russian text: "Р В Р°").
    f"|[{re.escape(_CP1251_LEAD)}][{re.escape(_CP1251_CONT)}]|\u0432\u0402"
)


@cache
def _config() -> Any:
    from ftfy import TextFixerConfig

    return TextFixerConfig(
        unescape_html=False, remove_terminal_escapes=False, fix_encoding=True,
        restore_byte_a0=True, replace_lossy_sequences=True, decode_inconsistent_utf8=True,
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
    from ftfy import fix_encoding

    return fix_encoding(text, _config())
