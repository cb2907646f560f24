"""Getting a feed's bytes to UTF-8 before parsing.

Feeds in the wild declare wrong charsets or none at all (KOI8-R or
windows-1251 Russian feeds, Latin-1 European ones). feedparser alone would
read an undeclared non-UTF-8 body as windows-1252 mojibake, so the charset is
settled here first: a BOM, then valid UTF-8, then the HTTP header and the XML
declaration, and only then detection (charset_normalizer). The result is UTF-8
bytes whose XML declaration says so.
"""

from __future__ import annotations

import codecs
import re

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
    from charset_normalizer import from_bytes

    results = from_bytes(body[:200_000], cp_isolation=list(_DETECT_CANDIDATES))
    best = results.best()
    if best is None:
        return "cp1252"
    # Equal scores (French/German text reads the same in cp1250 and cp1252 to the
    # detector): the candidate listed first, the commoner encoding, wins.
    order = {name: i for i, name in enumerate(_DETECT_CANDIDATES)}
    ties = [m for m in results if m.chaos == best.chaos and m.coherence == best.coherence]
    return min(ties, key=lambda m: order.get(m.encoding, len(order))).encoding


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
            # Valid UTF-8 it is, whatever was declared: a false claim of UTF-8
            # almost never decodes cleanly, and real single-byte text never does.
            if declared is not None and declared not in ("utf-8", "utf8"):
                return _fix_decl_bytes(body), "utf-8"
            return body, "utf-8"
    for name in (header_charset(content_type), declared):
        enc = _known(name)
        if enc is None or enc in ("utf-8",):
            continue
        try:
            text = body.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        return _set_utf8_declaration(text).encode("utf-8"), enc
    enc = _known(detect(body)) or "cp1252"
    text = body.decode(enc, errors="replace")
    return _set_utf8_declaration(text).encode("utf-8"), enc


def _fix_decl_bytes(body: bytes) -> bytes:
    m = _XML_DECL.match(body[:512])
    if not m:
        return body
    start, end = m.span(3)
    return body[:start] + b"utf-8" + body[end:]
