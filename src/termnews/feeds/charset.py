"""Getting a feed's bytes to UTF-8 before parsing.

Feeds in the wild declare wrong charsets or none at all (KOI8-R or windows-1251
Russian feeds, Latin-1 European ones), so the charset is settled here, in this order:

1. a byte order mark;
2. valid UTF-8, whatever is declared (a false claim of UTF-8 almost never decodes,
   and real single-byte text never does);
3. the HTTP charset, then the XML declaration, when the bytes decode in it (the web's
   supersets: "iso-8859-1" and "us-ascii" are read as windows-1252, as browsers do);
4. UTF-8 with a few bad bytes (a feed that pasted one windows-1252 item into UTF-8):
   UTF-8, the bad bytes read as windows-1252;
5. windows-1252, feedparser's fallback, unless another Latin code page spells the
   words better (``latin_text``: a Western text is never read as windows-1250 unless
   its letters say so);
6. only when no Latin reading spells the text (Cyrillic, Greek, CJK …), detection
   (charset_normalizer); between KOI8-R and windows-1251, which swap the cases of the
   same letters, the reading in lower case wins.

A BOM and valid UTF-8 come before the HTTP charset (feedparser asks the header first):
a BOM is how the document says what it is, and a server's charset is more often a
default than a fact.

The result is UTF-8 bytes whose XML declaration says so.
"""

from __future__ import annotations

import codecs
import re

from termnews.feeds.latin_text import CODE_PAGES, best_latin, decode_cp1252

_XML_DECL = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])([A-Za-z0-9._:-]*)\2", re.I)
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Encodings detection may choose from when nothing is declared: the ones feeds use.
_DETECT_CANDIDATES = (
    "utf_8", "cp1251", "koi8_r", "iso8859_5", "cp866", "cp1252", "latin_1", "iso8859_15",
    "iso8859_2", "cp1250", "iso8859_7", "cp1253", "cp1254", "iso8859_9", "shift_jis",
    "euc_jp", "gb18030", "big5", "euc_kr", "cp1256", "iso8859_6", "cp1255", "iso8859_8",
)


_LATIN = frozenset(codecs.lookup(n).name for n in (*CODE_PAGES, "latin_1", "iso8859_9"))
# Below this share of words spelt, no Latin reading is the text's (see latin_text).
PLAUSIBLE_LATIN = 0.75
# Labels the web reads as a larger code page (the WHATWG Encoding Standard): bytes a
# page labelled "iso-8859-1" holds at 0x80-0x9F are windows-1252 punctuation.
_WEB_SUPERSETS = {
    "iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254", "gb2312": "gb18030",
    "gbk": "gb18030", "euc_kr": "cp949", "shift_jis": "cp932", "tis-620": "cp874",
    "iso8859-11": "cp874",
}


def declared_xml_encoding(body: bytes) -> str | None:
    m = _XML_DECL.match(body[:512])
    return m.group(3).decode("ascii").lower() if m else None


def header_charset(content_type: str) -> str | None:
    m = _CT_CHARSET.search(content_type or "")
    return m.group(1).lower() if m else None


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _set_utf8_declaration(text: str) -> str:
    m = _XML_DECL.match(text[:512].encode("utf-8", "surrogatepass"))
    if not m:
        return text
    start, end = m.span(3)
    # The declaration is ASCII, so byte offsets equal character offsets.
    return text[:start] + "utf-8" + text[end:]


def detect(body: bytes) -> str:
    """The most likely encoding of undeclared, non-UTF-8 bytes."""
    latin, share = best_latin(body)
    if share >= PLAUSIBLE_LATIN:
        return latin
    from charset_normalizer import from_bytes

    results = from_bytes(body[:200_000], cp_isolation=list(_DETECT_CANDIDATES))
    best = results.best()
    if best is None or codecs.lookup(best.encoding).name in _LATIN:
        return latin  # the Latin code pages are settled by their letters, above
    # Equal scores: the candidate listed first, the commoner encoding, wins.
    order = {name: i for i, name in enumerate(_DETECT_CANDIDATES)}
    ties = [m for m in results if m.chaos == best.chaos and m.coherence == best.coherence
            and codecs.lookup(m.encoding).name not in _LATIN]
    found = min(ties or [best], key=lambda m: order.get(m.encoding, len(order))).encoding
    return _cyrillic_by_case(body, found) if codecs.lookup(found).name in _CYRILLIC else found


_CYRILLIC = ("koi8-r", "cp1251")


def _cyrillic_by_case(body: bytes, found: str) -> str:
    """KOI8-R or windows-1251: the one in which the text is mostly lower case.

    The two hold the same letters at 0xC0-0xFF with the cases swapped, so a detector can
    take one for the other, in short texts above all. Text is mostly lower case; text
    all in capitals stays with the detector's choice.
    """
    scores: dict[str, int] = {}
    for code_page in _CYRILLIC:
        try:
            text = body.decode(code_page)
        except UnicodeDecodeError:
            continue
        cyrillic = [c for c in text if "\u0400" <= c <= "\u04ff"]
        scores[code_page] = (sum(c.islower() for c in cyrillic)
                             - sum(c.isupper() for c in cyrillic))
    chosen = codecs.lookup(found).name
    return max(scores, key=lambda cp: (scores[cp], cp == chosen)) if scores else found


def to_utf8(body: bytes, content_type: str = "") -> tuple[bytes, str]:
    """(UTF-8 bytes with a matching XML declaration, the encoding the body was in)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            text = body[len(bom):].decode(name, errors="replace")
            return _set_utf8_declaration(text).encode("utf-8"), name.replace("-le", "").replace(
                "-be", "")
    declared = declared_xml_encoding(body)
    if b"\x00" not in body[:4]:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if declared is not None and declared not in ("utf-8", "utf8"):
                return _fix_decl_bytes(body), "utf-8"
            return body, "utf-8"
    for label in (header_charset(content_type), declared):
        enc = _known(label)
        if enc is None or enc in ("utf-8",):
            continue
        enc = _WEB_SUPERSETS.get(enc, enc)
        try:
            text = decode_cp1252(body) if enc == "cp1252" else body.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        return _set_utf8_declaration(text).encode("utf-8"), enc
    if b"\x00" not in body[:4] and _mostly_utf8(body):
        text = body.decode("utf-8", errors="termnews-cp1252")
        return _set_utf8_declaration(text).encode("utf-8"), "utf-8"
    enc = _known(detect(body)) or "cp1252"
    text = decode_cp1252(body) if enc == "cp1252" else body.decode(enc, errors="replace")
    return _set_utf8_declaration(text).encode("utf-8"), enc


# Valid multi-byte UTF-8 sequences (what single-byte text almost never holds by chance).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _mostly_utf8(body: bytes) -> bool:
    """UTF-8 with a few bytes that are not: ten valid multi-byte sequences or more for
    every stray high byte. (Single-byte text holds valid sequences by chance: "PERCHÉ…"
    in windows-1252 is "PERCHɅ" in UTF-8; never ten to each of its other letters.)"""
    sequences = _UTF8_SEQUENCE.findall(body)
    if not sequences:
        return False
    in_sequences = sum(len(s) for s in sequences)
    stray = len(_HIGH_BYTE.findall(body)) - in_sequences
    return len(sequences) >= 10 * stray


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: one bad byte read as windows-1252 (as the web reads it)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return decode_cp1252(exc.object[exc.start:exc.start + 1]), exc.start + 1


codecs.register_error("termnews-cp1252", _cp1252_fallback)


def _fix_decl_bytes(body: bytes) -> bytes:
    m = _XML_DECL.match(body[:512])
    if not m:
        return body
    start, end = m.span(3)
    return body[:start] + b"utf-8" + body[end:]
