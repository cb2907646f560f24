"""Messages of the reading screen: widgets report up, workers report results.

Workers run in threads and hand their results over with ``post_message``
(thread-safe, never blocks); the screen applies them on the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from textual.message import Message

from termnews.model import (
    Article,
    ArticleRow,
    Outlet,
    RefreshEvent,
    RefreshSummary,
    RelatedItem,
    Subscription,
    SyncStatus,
    SyncSummary,
)
from termnews.terms import SearchQuery

# --- from widgets ---------------------------------------------------------------


@dataclass
class ArticleHighlighted(Message):
    """The article list's cursor moved to an article."""

    article_id: int


@dataclass
class ArticleChosen(Message):
    """The user asked to open an article (Enter or a click in a list)."""

    article_id: int


@dataclass
class PageWanted(Message):
    """The article list needs page number `page` of the current view."""

    page: int


@dataclass
class SectionChosen(Message):
    """A section of the sidebar was chosen; key is a view key ("all", "o|e|s" …)."""

    key: str


@dataclass
class SectionHighlighted(Message):
    """The sidebar's cursor moved to a section: the list follows it."""

    key: str


@dataclass
class GroupToggled(Message):
    """A group row of the sidebar (an outlet, a folder) is to be opened or closed."""

    key: str


@dataclass
class EditionClicked(Message):
    """An edition tab of the masthead was clicked."""

    lang: str


# --- from workers ---------------------------------------------------------------


@dataclass
class ListLoaded(Message):
    """The first page of a view (newest first); total is None until counted."""

    view: str
    rows: list[ArticleRow]
    keep_id: int | None
    total: int | None
    generation: int
    keep_index: int | None = None
    matches: SearchQuery | None = None  # a search's words, to highlight


@dataclass
class ListCounted(Message):
    view: str
    total: int
    generation: int


@dataclass
class PageLoaded(Message):
    view: str
    page: int
    rows: list[ArticleRow]
    generation: int


@dataclass
class CountsLoaded(Message):
    """Unread articles per feed URL and the number of starred ones."""

    unread: dict[str, int]
    starred: int
    generation: int
    # Per (outlet, edition): unread later copies of a story its All view shows once.
    hidden: dict[tuple[str, str], int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # feeds whose last fetch failed
    # Read again after a refresh or a change of subscriptions: feed titles may be new.
    subscriptions: list[Subscription] | None = None
    outlets: tuple[Outlet, ...] | None = None


@dataclass
class ArticleLoaded(Message):
    article: Article
    head: str  # Markdown: breadcrumb, title, byline
    rest: str  # Markdown: from the image caption to the end
    full: bool  # the body is the page's full text


@dataclass
class LeadImageLoaded(Message):
    article_id: int
    path: Path | None  # the image on disk, None when there is none to draw


@dataclass
class RelatedLoaded(Message):
    article_id: int
    items: list[RelatedItem]


@dataclass
class RefreshProgress(Message):
    event: RefreshEvent


@dataclass
class RefreshDone(Message):
    summary: RefreshSummary | None
    error: str | None
    when: datetime | None


@dataclass
class SyncDone(Message):
    """A sync with the sync server ended: what it did, or why it failed."""

    summary: SyncSummary | None
    error: str | None
    status: SyncStatus | None  # the state after it (pending changes, last sync)
