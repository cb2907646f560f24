"""Which list the reading screen shows, and loading it: pages, counts, history, prefs.

Every query runs in a thread worker and comes back as a message; a result for
an older view (``_generation``) is dropped.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual import work

from termnews.model import ArticleQuery
from termnews.ui import timefmt
from termnews.ui.messages import CountsLoaded, ListCounted, ListLoaded, PageLoaded, PageWanted
from termnews.ui.screens.main_frame import MainFrame
from termnews.ui.views import FIRST_PAGE, split_key


class ListsMixin(MainFrame):
    """Views of the article list and the workers that fill it."""

    def set_view(self, key: str, *, keep_id: int | None = None) -> None:
        """Show another view. Synchronous, so keys typed ahead act on the new list:
        the list holds them until its rows arrive."""
        parts = split_key(key)
        if parts is not None and (parts[0], parts[1]) != (self.place.outlet, self.place.edition):
            self._switch_place(parts[0], parts[1])
        self.view = key
        self.articles.show_section = key in ("all", "starred", "search")
        self.articles.begin_loading()
        self._generation += 1
        self._rebuild_sections()
        self._update_list_title()
        self._load_list(keep_id=keep_id)

    def _reload(self) -> None:
        """The same view again (new articles, marks): the selection stays put."""
        row = self.articles.current
        self._load_list(keep_id=row.id if row else None, reload=True)
        self._load_counts()

    def _load_list(self, *, keep_id: int | None = None, reload: bool = False) -> None:
        self._query_list(self.view, self.place.query(self.view, self.search_text), keep_id,
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
        self._load_page(self.view, self.place.query(self.view, self.search_text), message.page,
                        self._generation)

    @work(thread=True, group="list-pages", exit_on_error=False)
    def _load_page(self, view: str, q: ArticleQuery, page: int, generation: int) -> None:
        rows = self.library.articles(replace(q, limit=FIRST_PAGE, offset=page * FIRST_PAGE))
        self.post_message(PageLoaded(view, page, rows, generation))

    def on_page_loaded(self, message: PageLoaded) -> None:
        if message.generation == self._generation and message.view == self.view:
            self.articles.set_page(message.page, message.rows)

    def on_list_counted(self, message: ListCounted) -> None:
        if message.generation == self._generation and message.view == self.view:
            self.articles.set_total(message.total)
            self._complete_generation = message.generation
            self._update_list_title()

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
        if self.article_id is None and self._welcome() != self._shown_welcome:
            self.call_later(self._show_welcome)

    @work(thread=True, group="counts", exclusive=True, exit_on_error=False)
    def _load_counts(self) -> None:
        self._post_counts()

    def _post_counts(self) -> None:
        lib = self.library
        unread = lib.unread_counts()
        starred = lib.count(ArticleQuery(starred=True))
        self.post_message(CountsLoaded(unread, starred, 0, lib.hidden_unread()))

    def on_counts_loaded(self, message: CountsLoaded) -> None:
        self.unread = message.unread
        self.hidden_unread = message.hidden
        self.starred_count = message.starred
        self._rebuild_sections()

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
