"""The reading screen's frame: its panes, their layout and the labels drawn in them.

``MainFrame`` is the base of ``MainScreen`` and of the parts it is made of
(``main_lists``, ``main_reading``, ``main_marks`` …). It declares the state the
screen owns (``MainScreen.__init__`` sets it) and, for type checkers only, the
few methods one part calls in another.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from termnews.config import Config
from termnews.i18n import _
from termnews.library import Library
from termnews.model import Article, ArticleQuery, Outlet, RefreshEvent, Subscription
from termnews.terms import SearchQuery
from termnews.ui import timefmt
from termnews.ui.sidebar import Counts, build_sidebar
from termnews.ui.views import EVERYTHING, Place, StartState, split_key
from termnews.ui.widgets.article_list import ArticleList
from termnews.ui.widgets.article_pane import ArticlePane
from termnews.ui.widgets.masthead import Masthead
from termnews.ui.widgets.sections import SectionList

if TYPE_CHECKING:
    from textual.worker import Worker

NARROW = 100  # below this many columns one pane at a time (the focused one) is shown


class Seek:
    """A press of n (step 1) or p (-1) on its way, maybe waiting for a list to load.
    (A plain class: a dataclass would cost its generation at start-up.)"""

    __slots__ = ("generation", "origin", "start", "step", "visited", "wrapped")

    def __init__(self, step: int, origin: str) -> None:
        self.step = step
        self.origin = origin  # the view it was pressed in
        self.visited: set[str] = set()  # lists it went through
        self.wrapped = False  # it went round its own list
        self.generation = -1  # the list generation it waits for (-1: not waiting)
        self.start = 0  # the row it goes on from (-1: the last row)

    def wait(self, generation: int, start: int) -> None:
        self.generation = generation
        self.start = start


class MainFrame(Screen[None]):
    """Panes, layout and labels of the reading screen; the state it shows."""

    # The reading state, owned and set by ``MainScreen.__init__``.
    library: Library
    config: Config
    place: Place
    view: str
    search_text: str
    search_matches: SearchQuery | None  # the words the search view's query matched
    offline: bool
    net_down: bool
    background_started: bool
    refreshing: RefreshEvent | None
    last_refresh: datetime | None
    article: Article | None
    article_id: int | None
    history: list[int]
    history_pos: int
    unread: dict[str, int]
    hidden_unread: dict[tuple[str, str], int]  # All counts a story in two sections once
    starred_count: int
    feed_errors: dict[str, str]  # feeds whose last fetch failed: their error
    unread_only: bool  # lists show unread articles only (u), per profile
    collapsed: set[str]  # group rows shown closed in the sidebar, per profile
    order_counts: dict[str, int] | None  # the unread counts the "unread" feed order sorts by
    _start: StartState
    _generation: int  # bumped by every view change: late list results are dropped
    _complete_generation: int  # the generation whose list total is known
    _read_timer: Any
    _shown_welcome: str
    _seek: Seek | None  # n/p waiting for a list
    _presses: list[int]  # n/p presses not handled yet, in order
    _draining: bool
    syncing: bool  # a sync with the sync server is running
    sync_label: str  # the sync part of the masthead ("" without a sync server)
    sync_failed: bool
    _sync_timer: Any
    _sync_again: bool
    _sync_shown_error: str | None
    _sync_checked_config: bool  # the config file's permissions were checked once

    if TYPE_CHECKING:  # what one part of the screen calls in another
        def set_view(self, key: str, *, keep_id: int | None = None,
                     seeking: bool = False) -> None: ...
        def _resume_seek(self) -> None: ...
        def _acting_section(self) -> str: ...
        def _toggle_group(self, key: str, open_: bool | None = None) -> None: ...
        def _switch_place(self, outlet: str, edition: str) -> None: ...
        def _reload(self) -> None: ...
        def _load_list(self, *, keep_id: int | None = None, reload: bool = False) -> None: ...
        def _load_counts(self, *, place: bool = False) -> Worker[None]: ...
        def _post_counts(self, *, place: bool = False) -> None: ...
        def _query(self, view: str) -> ArticleQuery: ...
        def _spans_feeds(self, key: str) -> bool: ...
        def _place_changed(self, subs: list[Subscription], outlets: tuple[Outlet, ...]
                           ) -> bool: ...
        def _update_hints(self) -> None: ...
        def _save_prefs(self, **prefs: Any) -> Worker[None]: ...
        def open_article(self, article_id: int, *, push: bool = True, focus: bool = True,
                         select: bool = True) -> None: ...
        def _load_article(self, article_id: int, *, push: bool = True,
                          keep_scroll: bool = False) -> Worker[None]: ...
        def _target_id(self) -> int | None: ...
        def _set_read(self, article_id: int, read: bool) -> None: ...
        def switch_edition(self, lang: str, open_id: int | None = None,
                           outlet: str | None = None) -> None: ...
        def run_refresh(self, urls: list[str] | None = None) -> Worker[None]: ...
        def schedule_sync(self, delay: float | None = None) -> None: ...
        def after_refresh(self) -> None: ...
        def _reload_place(self) -> Worker[None]: ...

    # --- the interface the command palette uses ------------------------------------

    @property
    def outlet(self) -> str:
        return self.place.outlet

    @property
    def edition(self) -> str:
        return self.place.edition

    # --- panes ---------------------------------------------------------------------

    @property
    def articles(self) -> ArticleList:
        return self.query_one("#articles", ArticleList)

    @property
    def sections(self) -> SectionList:
        return self.query_one("#sections", SectionList)

    @property
    def pane(self) -> ArticlePane:
        return self.query_one("#pane", ArticlePane)

    @property
    def masthead(self) -> Masthead:
        return self.query_one(Masthead)

    # --- layout ---------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._apply_layout()

    def _apply_layout(self, target: Widget | None = None) -> None:
        """Wide: three panes, or two while no article is open (the list takes the room).
        Narrow: the sidebar with the list, the list, or the article."""
        narrow = self.size.width < NARROW
        self.set_class(narrow, "-narrow")
        self.set_class(self.article_id is None, "-no-article")
        focused = target or self.focused
        in_pane = focused is not None and (focused is self.pane or self.pane in focused.ancestors)
        self.set_class(narrow and in_pane, "-reading")
        self.set_class(narrow and focused is self.sections, "-show-sections")

    def on_descendant_focus(self) -> None:
        self._apply_layout()

    def _focus(self, widget: Widget) -> None:
        # Synchronously: keys typed ahead (a paste, tmux send-keys) must go to the new pane.
        self._apply_layout(widget)
        self.set_focus(widget)

    # --- text ----------------------------------------------------------------------

    async def _show_welcome(self) -> None:
        if self.article_id is None:
            self._shown_welcome = self._welcome()
            await self.pane.show(None, self._shown_welcome)

    def _welcome(self) -> str:
        if self.articles.row_count:
            return _("Select an article and press Enter to read it.") + "\n"
        return _("No articles yet. Press r to refresh, or S to choose subscriptions.") + "\n"

    def _view_label(self, key: str | None = None) -> str:
        key = self.place.resolve(self.view if key is None else key)
        if key == EVERYTHING:
            return _("Everything")
        if key == "starred":
            return _("Starred")
        if key == "search":
            return _("Search: {query}").format(query=self.search_text)
        section = self.place.section(key)
        if section is not None:
            return section.title
        i = self.sections.index_of(key)
        if i is not None:  # a group: "All", an outlet's or a folder's name
            return self.sections.entries[i].label
        parts = split_key(key)
        outlet = self.place.outlet_obj(parts[0]) if parts else None
        return outlet.name if outlet is not None else ""

    def _view_error(self) -> str | None:
        """The error of the last fetch of the feed the list shows, if it failed."""
        feeds = self.place.feeds(self.view)
        if feeds is not None and len(feeds) == 1:
            return self.feed_errors.get(feeds[0])
        return None

    def _update_list_title(self) -> None:
        label = self._view_label()
        count = self.articles.row_count
        parts: list[Content | str] = [Content.styled(label, "bold")]
        if self._complete_generation == self._generation:
            parts.append(Content(" · " + str(count)))
        if self.unread_only:
            parts.append(Content.styled(" · " + _("unread only"), "$text-accent"))
        section = self.place.section(self.view)
        if section is not None and section.feed_url not in self.place.subscribed:
            parts.append(Content.styled(" · " + _("not subscribed: press s to subscribe"),
                                        "$text-warning"))
        error = self._view_error()
        if error:  # stored text, cleaned; shown as plain content
            parts.append(Content.styled(" · " + _("last fetch failed: {error}").format(
                error=error), "$text-error"))
        self.query_one("#list-title", Static).update(Content.assemble(*parts))
        if count == 0:
            if self.view == "search":
                self.articles.empty_text = _("Nothing found.")
            elif self.view == "starred":
                self.articles.empty_text = _("No starred articles. Press f to star one.")
            elif self.unread_only:
                self.articles.empty_text = _("No unread articles here. Press u to show all.")
            elif not self.place.subscriptions:
                self.articles.empty_text = _(
                    "No articles yet. Press r to refresh, or S to choose subscriptions.")
            else:
                self.articles.empty_text = _("No articles here yet.")
            if error:
                self.articles.empty_text += "\n\n" + _("last fetch failed: {error}").format(
                    error=error)
        self.articles.refresh()

    def _status_text(self) -> tuple[str, bool]:
        if self.offline:
            return _("offline"), True
        if self.refreshing is not None:
            ev = self.refreshing
            return _("refreshing {done}/{total}").format(done=ev.done, total=ev.total), False
        when = timefmt.relative(self.last_refresh) if self.last_refresh else _("not refreshed yet")
        if self.net_down:
            return _("offline") + " · " + when, True
        return "⟳ " + when, False

    def _update_status(self) -> None:
        text, offline = self._status_text()
        sync = "⇅ " + _("syncing") if self.syncing else self.sync_label
        if sync and not self.offline:
            text += " · " + sync
            offline = offline or (self.sync_failed and not self.syncing)
        self.masthead.set_status(text, offline=offline)

    async def _update_masthead(self) -> None:
        # Everything belongs to no one outlet: no outlet name, no edition tabs.
        outlet = None if self.view == EVERYTHING else self.place.outlet_obj()
        self.masthead.set_brand(outlet.name if outlet else "")
        editions = [(e.lang, e.lang.upper() or "—", e.name) for e in outlet.editions] \
            if outlet else []
        self.masthead.set_editions(editions, self.place.edition)
        self._update_status()

    def _rebuild_sections(self) -> None:
        counts = Counts(unread=self.unread, hidden=self.hidden_unread, errors=self.feed_errors,
                        starred=self.starred_count)
        entries = build_sidebar(self.place, counts, search_text=self.search_text,
                                collapsed=self.collapsed, order=self.config.ui.feed_order,
                                order_counts=self.order_counts)
        current = self.place.resolve(self.view)
        self.sections.set_entries(entries, current)
