"""Data that crosses layers: small frozen dataclasses, never dicts or sqlite rows.

Text fields in these objects are already clean (see ``feeds.clean``): plain text
without control, zero-width or bidi-override characters. HTML fields hold only
sanitised HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter

# Section keys shared across editions: the language toggle maps sections by key.
SECTION_KEYS: tuple[str, ...] = (
    "world",
    "russia",
    "society",
    "opinion",
    "science",
    "sport",
    "incidents",
    "business",
)


@dataclass(frozen=True, slots=True)
class Section:
    """One section of an edition; each section is one feed."""

    key: str
    title: str
    feed_url: str
    verified: bool = True


@dataclass(frozen=True, slots=True)
class Edition:
    """An outlet in one language."""

    lang: str
    name: str  # the language's own name: "Русский", "English" …
    sections: tuple[Section, ...]
    home: str = ""  # the edition's site, e.g. https://www.pravda.ru/
    rtl: bool = False

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


@dataclass(frozen=True, slots=True)
class Outlet:
    """A news outlet: editions by language, each with sections."""

    key: str
    name: str
    editions: tuple[Edition, ...]
    demo: bool = False
    user: bool = False  # defined by the user (config, OPML folder, plain feed)

    def edition(self, lang: str) -> Edition | None:
        return next((e for e in self.editions if e.lang == lang), None)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(e.lang for e in self.editions)


@dataclass(frozen=True, slots=True)
class FeedSource:
    """A feed to fetch and where it belongs (outlet / edition / section)."""

    url: str
    outlet: str
    edition: str
    section: str
    title: str = ""


FEED_OUTLET_PREFIX = "feed:"  # a plain feed added by URL is an outlet of its own
FOLDER_OUTLET_PREFIX = "folder:"  # an OPML folder is an outlet; its feeds are sections


def slug(text: str) -> str:
    """A key made of a title: "World News" -> "world-news"."""
    import re

    return re.sub(r"[^\w]+", "-", text.casefold()).strip("-") or "feed"


@dataclass(frozen=True, slots=True)
class Subscription:
    """One feed a profile follows, with its place in the outlet model."""

    feed_url: str
    outlet: str
    edition: str
    section: str
    title: str = ""
    folder: str = ""  # OPML folder, for export


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """What the cache knows about one feed's last fetch."""

    id: int
    url: str
    title: str
    outlet: str
    edition: str
    section: str
    fetched_at: datetime | None
    http_status: int | None
    error: str | None
    article_count: int = 0
    next_fetch_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Alternate:
    """The same story in another language (hreflang)."""

    lang: str
    url: str


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """An entry as it comes out of parsing and cleaning, before storage."""

    guid: str
    url: str
    title: str
    author: str = ""
    editor: str = ""
    published: datetime | None = None
    summary: str = ""  # plain text
    content_html: str = ""  # sanitised HTML
    categories: tuple[str, ...] = ()
    image_url: str = ""
    image_caption: str = ""
    image_credit: str = ""
    language: str = ""
    alternates: tuple[Alternate, ...] = ()
    body_text: str = ""  # plain text of content_html for search; "" when the summary is it

    def __reduce__(self) -> tuple[object, tuple[tuple[object, ...]]]:
        # Pickled as its values: the parse workers send thousands to the refresh, and the
        # dataclass's own way sets each field from Python on arrival (3 × slower).
        return _parsed_entry, (_ENTRY_VALUES(self),)


_ENTRY_FIELDS = tuple(ParsedEntry.__dataclass_fields__)
_ENTRY_VALUES = attrgetter(*_ENTRY_FIELDS)
_ENTRY_SETTERS = tuple(getattr(ParsedEntry, name).__set__ for name in _ENTRY_FIELDS)


def _parsed_entry(values: tuple[object, ...]) -> ParsedEntry:
    """A ParsedEntry from its pickled values (the slots filled directly: it is frozen)."""
    entry = object.__new__(ParsedEntry)
    for set_field, value in zip(_ENTRY_SETTERS, values, strict=True):
        set_field(entry, value)
    return entry


# What the search index holds for one entry: (index_lang, title, summary, categories,
# body_text), the four texts as ``terms.index_text`` words them in that language.
EntryIndexText = tuple[str, str, str, str, str]


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed document."""

    title: str
    language: str
    entries: tuple[ParsedEntry, ...]
    link: str = ""
    # One per entry, in order, when the parse worker has worded them for the search index
    # (store.cache.with_index_texts); () when storing is to do it.
    index_texts: tuple[EntryIndexText, ...] = ()


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Outcome of fetching one feed over HTTP (or from a file URL)."""

    url: str
    status: int | None  # HTTP status; None when no response arrived
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    final_url: str = ""
    error: str | None = None  # clear, human message: "HTTP 500", "timed out after 20 s"
    retry_after: float | None = None  # seconds, from a 429/503 Retry-After

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """The light form of an article, one line of the article list."""

    id: int
    title: str
    published: datetime | None
    outlet: str
    edition: str
    section: str
    read: bool
    starred: bool


@dataclass(frozen=True, slots=True)
class Article:
    """One stored article, whole."""

    id: int
    key: str  # stable: feed URL + guid; marks are keyed by it
    feed_url: str
    guid: str
    url: str
    title: str
    outlet: str
    edition: str
    section: str
    author: str = ""
    editor: str = ""
    published: datetime | None = None
    summary: str = ""
    content_html: str = ""
    categories: tuple[str, ...] = ()
    image_url: str = ""
    image_caption: str = ""
    image_credit: str = ""
    language: str = ""
    alternates: tuple[Alternate, ...] = ()
    full_text: str = ""  # Markdown from the article page, "" when not fetched
    full_text_error: str | None = None
    read: bool = False
    starred: bool = False


@dataclass(frozen=True, slots=True)
class RelatedItem:
    """An article related to another one, and why."""

    id: int
    title: str
    reason: str  # "same story", "related", "section", "latest"
    lang: str = ""


@dataclass(frozen=True, slots=True)
class Translation:
    """The same story in another edition; id is None when it is not in the cache."""

    lang: str
    url: str
    id: int | None = None
    title: str = ""


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """Filters for listing articles; None means no filter."""

    feed_urls: tuple[str, ...] | None = None
    outlet: str | None = None
    edition: str | None = None
    section: str | None = None
    unread: bool = False
    starred: bool = False
    search: str | None = None
    limit: int | None = None
    offset: int = 0
    # The search as an FTS5 expression, stemmed in the shown feeds' languages (filled in
    # by Library; without it the search words are folded only).
    match: str | None = None


@dataclass(frozen=True, slots=True)
class RefreshEvent:
    """Progress of a refresh, one per feed done."""

    url: str
    done: int
    total: int
    new_articles: int
    error: str | None = None
    not_modified: bool = False


@dataclass(frozen=True, slots=True)
class RefreshSummary:
    feeds_ok: int = 0
    feeds_failed: int = 0
    not_modified: int = 0
    new_articles: int = 0
    errors: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """What one sync did: changes sent up and brought down, conflicts settled."""

    up: int = 0
    down: int = 0
    conflicts: int = 0
    new_articles: int = 0  # stored from the server (source = "server")
    subscriptions: int = 0  # subscriptions added or left here (counted in down too)
    requests: int = 0  # HTTP requests made
    warnings: tuple[str, ...] = ()  # e.g. a feed the server refused


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """A profile's sync, for `termnews sync --status` and the TUI's header."""

    service: str
    url: str
    source: str
    last_sync: datetime | None
    pending: int  # local changes the server does not have yet
    error: str | None  # the last sync's failure, None when it worked
