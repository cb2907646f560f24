"""Checks and trims on the raw bytes before either XML reader sees them: HTML pages,
entity expansion, and the number of entries."""

from __future__ import annotations

import re

from termnews.feeds.raw import MAX_ENTRIES

HTML_START = re.compile(
    rb"^(?:\s|<\?xml[^>]*>|<!--.*?-->)*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])",
    re.I | re.S,
)


# feedparser expands simple internal entities itself (its own guard only stops nested
# ones): a 4 KB entity used 10,000 times makes 40 MB per field, and a 16 MB feed could
# make terabytes. Past this much expansion the declarations go and references stay literal.
MAX_ENTITY_EXPANSION = 1_000_000
MAX_ENTITY_DECLS = 256
_ENTITY_DECL = re.compile(rb"<!ENTITY\s+([^\s%>]+)\s+(?:\"([^\"]*)\"|'([^']*)')\s*>")


def defuse_entities(data: bytes) -> bytes:
    """data without its internal entity declarations when they would expand too far."""
    if b"<!ENTITY" not in data:
        return data
    decls = _ENTITY_DECL.findall(data, 0, 1_000_000)
    if len(decls) > MAX_ENTITY_DECLS:
        return _ENTITY_DECL.sub(b"", data)
    total = 0
    for name, dq, sq in decls:
        total += len(dq or sq) * data.count(b"&" + name + b";")
        if total > MAX_ENTITY_EXPANSION:
            return _ENTITY_DECL.sub(b"", data)
    return data


def cap_entries(data: bytes) -> bytes:
    """data without the entries after the first MAX_ENTRIES, before any parser sees them.

    The cut runs from the end of entry MAX_ENTRIES to the end of the last entry, so the
    document's tail (closing tags) stays and sibling entries leave it well-formed; both
    parsers then build objects for the kept entries only.
    """
    for close in (b"</item>", b"</entry>"):
        if data.count(close) <= MAX_ENTRIES:
            continue
        end = -1
        for _ in range(MAX_ENTRIES):
            end = data.find(close, end + 1)
        end += len(close)
        last = data.rfind(close) + len(close)
        return data[:end] + data[last:]
    return data
