"""The reading screen: masthead, sections, article list, article pane, key hints.

This screen owns the reading state (outlet, edition, view, open article,
history). It never touches storage itself: every ``Library`` call runs in a
thread worker (each thread gets its own SQLite connection) or in the async
refresh, and results come back as messages (``ui.messages``). Feed text only
ever reaches the terminal as plain text (segments, ``Content``) or escaped
Markdown.

The screen is put together from parts, one per concern (``main_frame`` for the
panes and labels, ``main_lists``, ``main_reading``, ``main_marks``,
``main_navigation``, ``main_search``, ``main_editions``, ``main_subscriptions``,
``main_refresh``); this class owns the state and composes the widgets.
"""

from __future__ import annotations

import errno
import sqlite3

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from termnews.i18n import _
from termnews.library import Library
from termnews.ui.keys import LIST_BINDINGS, SCREEN_BINDINGS, all_bindings
from termnews.ui.screens.main_editions import EditionsMixin
from termnews.ui.screens.main_frame import NARROW, MainFrame
from termnews.ui.screens.main_lists import ListsMixin
from termnews.ui.screens.main_marks import MarksMixin
from termnews.ui.screens.main_navigation import NavigationMixin
from termnews.ui.screens.main_reading import PREFETCH_RELATED, ReadingMixin
from termnews.ui.screens.main_refresh import RefreshMixin
from termnews.ui.screens.main_search import SearchMixin
from termnews.ui.screens.main_subscriptions import SubscriptionsMixin
from termnews.ui.screens.main_sync import SyncMixin
from termnews.ui.views import FIRST_PAGE, StartState
from termnews.ui.widgets.article_list import ArticleList
from termnews.ui.widgets.article_pane import ArticlePane
from termnews.ui.widgets.keyhints import KeyHints
from termnews.ui.widgets.masthead import Masthead
from termnews.ui.widgets.sections import SectionList

__all__ = ["NARROW", "PREFETCH_RELATED", "MainScreen"]


class MainScreen(
    NavigationMixin,
    SearchMixin,
    EditionsMixin,
    SubscriptionsMixin,
    RefreshMixin,
    SyncMixin,
    MarksMixin,
    ReadingMixin,
    ListsMixin,
    MainFrame,
):
    """The screen people live in."""

    BINDINGS = [*LIST_BINDINGS, *SCREEN_BINDINGS]  # type: ignore[assignment]

    def __init__(self, library: Library, start: StartState, *, offline: bool = False) -> None:
        super().__init__()
        self.library = library
        self.config = library.config
        self.place = start.place
        self.view = start.view
        self.search_text = ""
        self.search_matches = None
        self.offline = offline
        self.net_down = False
        self.background_started = False  # set once the after-first-frame work has begun
        self.refreshing = None
        self.last_refresh = start.last_refresh
        self.article = None
        self.article_id = None
        self.history = []
        self.history_pos = -1
        self.unread = {}
        self.hidden_unread = {}
        self.starred_count = 0
        self.feed_errors = {}
        self.unread_only = start.unread_only
        self.collapsed = set(start.collapsed)
        self.order_counts = None
        self._start = start
        self._generation = 0
        self._complete_generation = -1
        self._read_timer = None
        self._shown_welcome = ""
        self._seek = None
        self._presses = []
        self._draining = False
        self.syncing = False
        self.sync_label = ""
        self.sync_failed = False
        self._sync_timer = None
        self._sync_again = False
        self._sync_shown_error = None
        self._sync_checked_config = False

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Masthead()
        with Horizontal(id="body"):
            yield SectionList(id="sections")
            with Vertical(id="list-col"):
                yield Static(Content(""), id="list-title")
                yield ArticleList(id="articles")
            yield ArticlePane(id="pane")
        yield KeyHints()

    async def on_mount(self) -> None:
        start = self._start
        self.articles.section_titles = self.place.section_titles()
        self.articles.show_section = self._spans_feeds(self.view)
        self._generation += 1
        complete = len(start.rows) < FIRST_PAGE
        self.articles.set_rows(list(start.rows), total=len(start.rows) if complete else None)
        if complete:
            self._complete_generation = self._generation
        self._rebuild_sections()
        await self._update_masthead()
        self._update_list_title()
        await self._show_welcome()
        self.sections.follow = self._follow_section
        self._focus(self.sections)
        # The background work starts just after the first frame is out: begun at once, its
        # threads held Textual's output thread back (the frame reached the terminal 6-24 ms
        # after it was rendered, against 1-2 ms).
        self.call_after_refresh(self.set_timer, 0.02, self._after_first_frame)

    def _after_first_frame(self) -> None:
        """The network and the long queries come after the cached first frame."""
        import gc

        if not gc.isenabled():  # run_tui held collections off until now
            gc.freeze()  # start-up objects live as long as the app: keep them out of scans
            gc.enable()
        keep = self._start.article_id
        if len(self._start.rows) >= FIRST_PAGE:
            self._count_list(self.view, self._query(self.view), self._generation)
        self._load_counts()
        self._load_history()
        self._warm_up_formats()
        if keep is not None:
            self.open_article(keep, push=False, focus=False, select=True)
        if self.sync_enabled:
            self._load_sync_status()
        if not self.offline:
            self.run_refresh()
            minutes = self.config.refresh.interval_minutes
            if minutes > 0:
                self.set_interval(minutes * 60, self.run_refresh)
        self.set_interval(30, self._update_status)
        self.background_started = True

    # --- help ------------------------------------------------------------------------------

    def action_help(self) -> None:
        try:
            from termnews.ui.screens.help import HelpScreen
        except ImportError:
            return
        self.app.push_screen(HelpScreen(self.help_rows()))

    def help_rows(self) -> list[tuple[str, str, str]]:
        """(keys, description, binding id) for every key: the id remaps it in [keys]."""
        keymap: dict[str, str] = getattr(self.app, "user_keymap", {})
        rows = []
        for binding in all_bindings():
            keys = keymap.get(binding.id or "", binding.key)
            shown = []
            for key in keys.split(","):
                key = key.strip()
                display = binding.key_display if key == binding.key and binding.key_display \
                    else None
                shown.append(self.app.get_key_display(binding.with_key(key, display)))
            rows.append((", ".join(shown), _(binding.description), binding.id or ""))
        return rows

    # --- workers -----------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, sqlite3.Error) or (
                    isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)):
                self._explain_failure(error)  # which file, what cause: a check, in a thread
                return
            self.notify(_("Error: {error}").format(error=error), severity="error",
                        markup=False)

    @work(thread=True, group="failure", exit_on_error=False)
    def _explain_failure(self, error: BaseException) -> None:
        text = str(self.library.failure(error))
        self.app.call_from_thread(self.notify, _("Error: {error}").format(error=text),
                                  severity="error", markup=False, timeout=10)
