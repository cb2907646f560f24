"""Which list the reading screen shows, and loading it: pages, counts, history, prefs.

Every query runs in a thread worker and comes back as a message; a result for
an older view (``_generation``) is dropped.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual import work

from termnews.i18n import _
from termnews.model import ArticleQuery
from termnews.ui import timefmt
from termnews.ui.messages import (
    CountsLoaded,
    GroupToggled,
    ListCounted,
    ListLoaded,
    PageLoaded,
    PageWanted,
)
from termnews.ui.screens.main_frame import MainFrame
from termnews.ui.views import EVERYTHING, FIRST_PAGE, split_key


class ListsMixin(MainFrame):
    """Views of the article list and the workers that fill it."""

    def set_view(self, key: str, *, keep_id: int | None = None, seeking: bool = False) -> None:
        """Show another view. Synchronous, so keys typed ahead act on the new list:
        the list holds them until its rows arrive. A view the reader chose ends an n/p
        that was waiting (seeking: n/p itself moves on)."""
        if not seeking and self._seek is not None:
            self._seek = None
            self._presses.clear()
        key = self.place.resolve(key)
        parts = split_key(key)
        if parts is not None and (parts[0], parts[1]) != (self.place.outlet, self.place.edition):
            self._switch_place(parts[0], parts[1])
        elif key == EVERYTHING or self.view == EVERYTHING:
            self.call_later(self._update_masthead)
        self.view = key
        self.articles.show_section = self._spans_feeds(key)
        self.articles.begin_loading()
        self._generation += 1
        self._rebuild_sections()
        self._update_list_title()
        self._update_hints()
        self._load_list(keep_id=keep_id)

    def _spans_feeds(self, key: str) -> bool:
        """Whether a view lists articles of several feeds (then each row names its feed)."""
        feeds = self.place.feeds(key)
        return feeds is None or len(feeds) != 1

    def _query(self, view: str) -> ArticleQuery:
        return self.place.query(view, self.search_text, unread=self.unread_only)

    def action_toggle_unread_only(self) -> None:
        """u: unread articles only, or all again, in every list (remembered per profile)."""
        self.unread_only = not self.unread_only
        self._save_prefs(unread_only=self.unread_only)
        row = self.articles.current
        self.articles.begin_loading()
        self._generation += 1
        self._update_list_title()
        self._load_list(keep_id=row.id if row else None)
        self.notify(_("Unread articles only") if self.unread_only else _("All articles"),
                    markup=False)

    def on_group_toggled(self, message: GroupToggled) -> None:
        self._toggle_group(message.key)

    def _toggle_group(self, key: str, open_: bool | None = None) -> None:
        """Open or close a group row of the sidebar (remembered per profile)."""
        closed = key in self.collapsed
        if open_ is None:
            open_ = closed
        if open_ == (not closed):
            return
        if open_:
            self.collapsed.discard(key)
        else:
            self.collapsed.add(key)
        self._save_prefs(collapsed=sorted(self.collapsed))
        self._rebuild_sections()

    def _reload(self) -> None:
        """The same view again (new articles, marks): the selection stays put."""
        row = self.articles.current
        self._load_list(keep_id=row.id if row else None, reload=True)
        self._load_counts()

    def _load_list(self, *, keep_id: int | None = None, reload: bool = False) -> None:
        self._query_list(self.view, self._query(self.view), keep_id,
                         self._generation, self.articles.cursor if reload else None,
                         self.articles.total)

    @work(thread=True, group="list", exclusive=True, exit_on_error=False)
    def _query_list(self, view: str, q: ArticleQuery, keep_id: int | None, generation: int,
                    old_index: int | None, old_total: int) -> None:
        """The first page at once, then the count; a reload places the kept row by count."""
        lib = self.library
        first = lib.articles(replace(q, limit=FIRST_PAGE))
        matches = lib.search_query(q) if q.search else None
        if len(first) < FIRST_PAGE:
            self.post_message(ListLoaded(view, first, keep_id, len(first), generation,
                                         matches=matches))
        elif old_index is None:
            self.post_message(ListLoaded(view, first, keep_id, None, generation,
                                         matches=matches))
            self.post_message(ListCounted(view, lib.count(q), generation))
        else:
            total = lib.count(q)
            keep_index = old_index + max(0, total - old_total)
            self.post_message(ListLoaded(view, first, keep_id, total, generation, keep_index,
                                         matches=matches))
        self._remember_view(view)

    @work(thread=True, group="list-count", exclusive=True, exit_on_error=False)
    def _count_list(self, view: str, q: ArticleQuery, generation: int) -> None:
        self.post_message(ListCounted(view, self.library.count(q), generation))

    def on_page_wanted(self, message: PageWanted) -> None:
        self._load_page(self.view, self._query(self.view), message.page,
                        self._generation)

    @work(thread=True, group="list-pages", exit_on_error=False)
    def _load_page(self, view: str, q: ArticleQuery, page: int, generation: int) -> None:
        rows = self.library.articles(replace(q, limit=FIRST_PAGE, offset=page * FIRST_PAGE))
        self.post_message(PageLoaded(view, page, rows, generation))

    def on_page_loaded(self, message: PageLoaded) -> None:
        if message.generation == self._generation and message.view == self.view:
            self.articles.set_page(message.page, message.rows)
            self._resume_seek()

    def on_list_counted(self, message: ListCounted) -> None:
        if message.generation == self._generation and message.view == self.view:
            self.articles.set_total(message.total)
            self._complete_generation = message.generation
            self._update_list_title()
            self._resume_seek()

    def _remember_view(self, view: str) -> None:
        if view != "search":
            self.library.set_pref("section", view)

    def on_list_loaded(self, message: ListLoaded) -> None:
        if message.generation != self._generation or message.view != self.view:
            return
        self.search_matches = message.matches
        self.articles.set_matches(message.matches)
        self.articles.set_rows(message.rows, total=message.total, keep_id=message.keep_id,
                               keep_index=message.keep_index)
        if message.total is not None:
            self._complete_generation = message.generation
        self._update_list_title()
        self._resume_seek()
        if self.article_id is None and self._welcome() != self._shown_welcome:
            self.call_later(self._show_welcome)

    @work(thread=True, group="counts", exclusive=True, exit_on_error=False)
    def _load_counts(self, *, place: bool = False) -> None:
        self._post_counts(place=place)

    def _post_counts(self, *, place: bool = False) -> None:
        """Unread and starred counts and failing feeds; with place, the subscriptions and
        outlets too (feed titles a refresh brought, feeds keyed anew by their title)."""
        lib = self.library
        subs = lib.subscriptions() if place else None
        outlets = lib.outlets() if place else None
        unread = lib.unread_counts()
        starred = lib.count(ArticleQuery(starred=True))
        self.post_message(CountsLoaded(unread, starred, 0, lib.hidden_unread(),
                                       lib.feed_errors(), subs, outlets))

    def on_counts_loaded(self, message: CountsLoaded) -> None:
        self.unread = message.unread
        self.hidden_unread = message.hidden
        self.starred_count = message.starred
        self.feed_errors = message.errors
        if self.order_counts is None or message.outlets is not None:
            self.order_counts = dict(message.unread)  # the "unread" order's snapshot
        if message.subscriptions is not None and message.outlets is not None:
            self._place_changed(message.subscriptions, message.outlets)
        self._rebuild_sections()
        self._update_list_title()

    @work(thread=True, group="formats", exit_on_error=False)
    def _warm_up_formats(self) -> None:
        if timefmt.warm_up():
            self.app.call_from_thread(self._formats_ready)

    def _formats_ready(self) -> None:
        self._update_status()
        self.articles.refresh()  # drops the drawn-line cache too

    @work(thread=True, group="history", exit_on_error=False)
    def _load_history(self) -> None:
        ids = self.library.history()
        self.app.call_from_thread(self._set_history, ids)

    def _set_history(self, ids: list[int]) -> None:
        if not self.history:
            self.history = ids
            self.history_pos = len(ids) - 1

    @work(thread=True, group="prefs", exit_on_error=False)
    def _save_prefs(self, **prefs: Any) -> None:
        for name, value in prefs.items():
            self.library.set_pref(name, value)
