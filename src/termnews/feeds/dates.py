"""Feed dates: the two common forms read directly, feedparser's reader for the rest."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_tz
from typing import Any

_RFC822 = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+"
    r"(?:[+-]\d{4}|GMT|UTC|UT|Z)$"
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$")


def parse_date(text: str | None) -> datetime | None:
    """A feed date as an aware UTC datetime (whole seconds), None when unreadable."""
    if not text:
        return None
    s = text.strip()
    try:
        if _RFC822.match(s):
            t = parsedate_tz(s)
            if t is not None:
                dt = datetime(*t[:6], tzinfo=UTC)
                return datetime.fromtimestamp(dt.timestamp() - (t[9] or 0), UTC)
        elif _ISO.match(s):
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
            return dt.astimezone(UTC).replace(microsecond=0)
    except (ValueError, OverflowError, OSError):
        pass
    from feedparser.datetimes import _parse_date

    return from_struct(_parse_date(s))


def from_struct(t: Any) -> datetime | None:
    if not t:
        return None
    try:
        year, month, day, hour, minute, second = t[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (ValueError, TypeError, OverflowError):
        return None
