"""Small helpers every subcommand uses to print: safe one-line text, ISO times, JSON."""

from __future__ import annotations

import json
import sys
import unicodedata
from datetime import UTC, datetime
from typing import Any, TextIO


def one_line(text: str) -> str:
    """Text safe for one terminal line: no control, format (zero-width, bidi) or line chars.

    Stored titles are already clean; errors, URLs and server-given titles may not be,
    and a stray ESC in a terminal is an injection, so everything printed goes through here.
    """
    if text.isprintable():  # the common case, checked at C speed
        return text
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Zl", "Zp"):
            if ch in "\t\n\r\u2028\u2029":
                out.append(" ")
            continue
        if cat in ("Cf", "Cs", "Co", "Cn"):
            continue
        out.append(ch)
    return "".join(out)


def iso_utc(dt: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, e.g. ``2026-11-20T12:00:00Z`` (None stays None)."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if dt.utcoffset():
        dt = dt.astimezone(UTC)
    return dt.isoformat(timespec="seconds")[:19] + "Z"


def short_date(dt: datetime | None) -> str:
    """``2026-11-20 12:00`` in UTC, or dashes of the same width when undated."""
    if dt is None:
        return "----------------"
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def json_line(obj: Any, stream: TextIO | None = None) -> None:
    """One JSON Lines record (UTF-8 kept as is; JSON escapes every control character)."""
    (stream or sys.stdout).write(json.dumps(obj, ensure_ascii=False) + "\n")


def warn(message: str) -> None:
    """A one-line note on stderr in the ``termnews: …`` form errors use."""
    print(f"termnews: {one_line(message)}", file=sys.stderr)
