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
from termnews.model import Article, RefreshEvent
from termnews.terms import SearchQuery
from termnews.ui import timefmt
from termnews.ui.views import Place, StartState, section_key, split_key
from termnews.ui.widgets.article_list import ArticleList
from termnews.ui.widgets.article_pane import ArticlePane
from termnews.ui.widgets.masthead import Masthead
from termnews.ui.widgets.sections import SectionEntry, SectionList

if TYPE_CHECKING:
    from textual.worker import Worker

NARROW = 100  # below this many columns one pane at a time (the focused one) is shown


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
    _start: StartState
    _generation: int  # bumped by every view change: late list results are dropped
    _complete_generation: int  # the generation whose list total is known
    _read_timer: Any
    _shown_welcome: str
    syncing: bool  # a sync with the sync server is running
    sync_label: str  # the sync part of the masthead ("" without a sync server)
    sync_failed: bool
    _sync_timer: Any
    _sync_again: bool
    _sync_shown_error: str | None
    _sync_checked_config: bool  # the config file's permissions were checked once

    if TYPE_CHECKING:  # what one part of the screen calls in another
        def set_view(self, key: str, *, keep_id: int | None = None) -> None: ...
        def _switch_place(self, outlet: str, edition: str) -> None: ...
        def _reload(self) -> None: ...
        def _load_counts(self) -> Worker[None]: ...
        def _post_counts(self) -> None: ...
        def _save_prefs(self, **prefs: Any) -> Worker[None]: ...
        def open_article(self, article_id: int, *, push: bool = True, focus: bool = True,
                         select: bool = True) -> None: ...
        def _load_article(self, article_id: int, *, push: bool = True,
                          keep_scroll: bool = False) -> Worker[None]: ...
        def _target_id(self) -> int | None: ...
        def _set_read(self, article_id: int, read: bool) -> None: ...
        def switch_edition(self, lang: str, open_id: int | None = None) -> None: ...
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
        """Wide: three panes. Narrow: the sidebar with the list, the list, or the article."""
        narrow = self.size.width < NARROW
        self.set_class(narrow, "-narrow")
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
        key = self.view if key is None else key
        if key == "all":
            return _("All")
        if key == "starred":
            return _("Starred")
        if key == "search":
            return _("Search: {query}").format(query=self.search_text)
        section = self.place.section(key)
        if section is not None:
            return section.title
        parts = split_key(key)
        return parts[2] if parts else key

    def _update_list_title(self) -> None:
        label = self._view_label()
        count = self.articles.row_count
        parts: list[Content | str] = [Content.styled(label, "bold")]
        if self._complete_generation == self._generation:
            parts.append(Content(" · " + str(count)))
        section = self.place.section(self.view)
        if section is not None and section.feed_url not in self.place.subscribed:
            parts.append(Content.styled(" · " + _("not subscribed: press s to subscribe"),
                                        "$text-warning"))
        self.query_one("#list-title", Static).update(Content.assemble(*parts))
        if count == 0:
            if self.view == "search":
                self.articles.empty_text = _("Nothing found.")
            elif self.view == "starred":
                self.articles.empty_text = _("No starred articles. Press f to star one.")
            else:
                self.articles.empty_text = _("No articles here yet.")
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
        outlet = self.place.outlet_obj()
        self.masthead.set_brand(outlet.name if outlet else "")
        editions = [(e.lang, e.lang.upper() or "—", e.name) for e in outlet.editions] \
            if outlet else []
        self.masthead.set_editions(editions, self.place.edition)
        self._update_status()

    def _rebuild_sections(self) -> None:
        place = self.place
        subscribed = place.subscribed
        entries: list[SectionEntry] = []
        edition = place.edition_obj()
        total = 0
        section_entries = []
        if edition is not None:
            for sec in edition.sections:
                is_sub = sec.feed_url in subscribed
                count = self.unread.get(sec.feed_url, 0) if is_sub else None
                total += count or 0
                section_entries.append(SectionEntry(
                    section_key(place.outlet, edition.lang, sec.key), sec.title, count, is_sub))
        if edition is not None:
            total = max(0, total - self.hidden_unread.get((place.outlet, edition.lang), 0))
        entries.append(SectionEntry("all", _("All"), total, icon="◆"))
        entries.extend(section_entries)
        entries.append(SectionEntry("starred", _("Starred"), self.starred_count, icon="★"))
        if self.search_text:
            entries.append(SectionEntry("search", _("Search: {query}").format(
                query=self.search_text), icon="⌕"))
        for outlet in place.outlets:
            if outlet.key == place.outlet:
                continue
            subs = [s for s in place.subscriptions if s.outlet == outlet.key]
            if not subs:
                continue
            entries.append(SectionEntry("", outlet.name, header=True))
            langs = {s.edition for s in subs}
            for sub in subs:
                ed = outlet.edition(sub.edition)
                sec = ed.section(sub.section) if ed else None
                title = sec.title if sec else (sub.title or sub.section)
                if len(langs) > 1 and sub.edition:
                    title = f"{title} ({sub.edition.upper()})"
                entries.append(SectionEntry(section_key(outlet.key, sub.edition, sub.section),
                                            title, self.unread.get(sub.feed_url, 0)))
        self.sections.set_entries(entries, self.view)
