"""The entries both feed readers produce, before cleaning and mapping (``parse._finish``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from termnews.errors import TermnewsError

# Entries kept from one document (feeds list the newest first). 16 MB of tiny items is
# ~180,000 entries and ~420 MB of parser objects; no real feed needs more than this.
MAX_ENTRIES = 10_000


class NotAFeed(TermnewsError, ValueError):
    """The body is not a feed; the message is for the user ("not a feed: HTML page")."""


class Unusual(Exception):
    """The fast path met something it leaves to feedparser."""


@dataclass
class Raw:
    """One entry as either reader saw it, before cleaning."""

    id: str = ""
    title: str = ""
    title_html: bool = False
    links: list[tuple[str, str, str, str]] = field(default_factory=list)  # rel, type, lang, href
    permalink: str = ""  # an RSS guid that is a permalink: the link when there is none
    authors: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    published: datetime | None = None
    categories: list[str] = field(default_factory=list)
    summary: str | None = None
    summary_html: bool = False
    content: str | None = None
    content_html: bool = False
    media: list[tuple[str, str, str]] = field(default_factory=list)  # url, medium, type
    thumbnails: list[str] = field(default_factory=list)
    enclosures: list[tuple[str, str]] = field(default_factory=list)  # url, type
    caption: str = ""
    credit: str = ""


@dataclass
class RawFeed:
    title: str = ""
    title_html: bool = False
    link: str = ""
    language: str = ""
    entries: list[Raw] = field(default_factory=list)


HTML_TYPES = ("html", "text/html", "application/xhtml+xml", "xhtml")


def is_html(kind: str | None) -> bool:
    return (kind or "").lower() in HTML_TYPES
