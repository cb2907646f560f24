"""Which list the reading screen shows, and loading it: pages, counts, history, prefs.

Every query runs in a thread worker and comes back as a message; a result for
an older view (``_generation``) is dropped.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual import work

from termnews.i18n import _, set_language
from termnews.model import ArticleQuery, Outlet, Subscription
from termnews.ui import timefmt
from termnews.ui.messages import (
    CountsLoaded,
    FormatsReady,
    GroupToggled,
    HistoryLoaded,
    ListCounted,
    ListLoaded,
    PageLoaded,
    PageWanted,
    SubscriptionsChanged,
)
from termnews.ui.screens.main_frame import MainFrame
from termnews.ui.views import EVERYTHING, FIRST_PAGE, is_own, split_key


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
        if key != "search":
            self.pane.search = None  # the words found are marked in the search view only
        self.articles.show_section = self._spans_feeds(key)
        self.articles.begin_loading()
        self._generation += 1
        self._rebuild_sections()
        self._update_list_title()
        self._update_hints()
        self._load_list(keep_id=keep_id)

    def _switch_place(self, outlet: str, edition: str) -> None:
        self.place.outlet = outlet
        self.place.edition = edition
        if edition:  # a catalog outlet: the sidebar shows this edition of it from now on
            self.place.editions[outlet] = edition
            self._save_prefs(outlet=outlet, **{f"edition:{outlet}": edition})
        else:
            self._save_prefs(outlet=outlet)
        if self.config.ui.language == "edition" and edition:
            set_language(edition)
            self.call_later(self.relabel)
        else:
            self.call_later(self._update_masthead)

    def _place_changed(self, subs: list[Subscription], outlets: tuple[Outlet, ...]) -> bool:
        """New subscriptions and outlets (titles, keys): the sidebar again; a view that is
        gone is followed to its feed's new key, or gives way to the row that took its
        place. True when the list moved to another view."""
        old_entries = list(self.sections.entries)
        old_feeds = self.place.feeds(self.view) or ()
        self.place.subscriptions = subs
        self.place.outlets = outlets
        self.articles.section_titles = self.pane.section_titles = self.place.section_titles()
        view = self.place.resolve(self.view)
        gone = not self.place.exists(view) or (
            view not in ("starred", "search", EVERYTHING) and is_own(view)
            and not self.place.feeds(view))
        if gone and len(old_feeds) == 1:
            moved = next((f"{s.outlet}|{s.edition}|{s.section}" for s in subs
                          if s.feed_url == old_feeds[0]), None)
            if moved is not None and self.place.exists(moved):
                self.view = moved  # the same feed under its new key: same list
                gone = False
        self._rebuild_sections()
        self._update_list_title()
        self._update_hints()
        if gone:
            self.set_view(self._neighbour(view, old_entries))
        return gone

    def _neighbour(self, key: str, old_entries: list) -> str:  # type: ignore[type-arg]
        """The row that now stands where key's row stood (the next one, else the one
        before); Everything, or the first row, when there is none."""
        old = next((i for i, e in enumerate(old_entries) if e.key == key), None)
        entries = self.sections.entries
        keys = [e.key for e in entries if e.key]
        if old is not None:
            for e in old_entries[old + 1:] + old_entries[:old][::-1]:
                if e.key in keys and e.key not in ("starred", "search"):
                    return str(e.key)
        if EVERYTHING in keys:
            return EVERYTHING
        return keys[0] if keys else "starred"

    @work(thread=True, group="subscriptions", exclusive=True, exit_on_error=False)
    def _reload_place(self) -> None:
        """Subscriptions changed elsewhere (the subscriptions screen, a sync): the sidebar
        reads them again, and (online) their feeds are refreshed."""
        lib = self.library
        self.post_message(SubscriptionsChanged(lib.subscriptions(), lib.outlets(),
                                               refresh_all=not self.offline))

    def _rows_arrived(self) -> None:
        """Rows of the list, or its count, arrived: a hook for what waits on them (an
        n/p walking to the next unread article: ``NavigationMixin``)."""

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
            self._rows_arrived()

    def on_list_counted(self, message: ListCounted) -> None:
        if message.generation == self._generation and message.view == self.view:
            self.articles.set_total(message.total)
            self._complete_generation = message.generation
            self._update_list_title()
            self._rows_arrived()

    def _remember_view(self, view: str) -> None:
        if view != "search":
            self.library.set_pref("section", view)

    def on_list_loaded(self, message: ListLoaded) -> None:
        if message.generation != self._generation or message.view != self.view:
            return
        self.search_matches = message.matches
        self.pane.search = message.matches if message.view == "search" else None
        self.articles.set_matches(message.matches)
        self.articles.set_rows(message.rows, total=message.total, keep_id=message.keep_id,
                               keep_index=message.keep_index)
        if message.total is not None:
            self._complete_generation = message.generation
        self._update_list_title()
        self._rows_arrived()
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
            self.post_message(FormatsReady())

    def on_formats_ready(self) -> None:
        self.masthead.show_status()
        self.articles.refresh()  # drops the drawn-line cache too

    @work(thread=True, group="history", exit_on_error=False)
    def _load_history(self) -> None:
        self.post_message(HistoryLoaded(self.library.history()))

    def on_history_loaded(self, message: HistoryLoaded) -> None:
        self.history.restore(message.ids)

    @work(thread=True, group="prefs", exit_on_error=False)
    def _save_prefs(self, **prefs: Any) -> None:
        for name, value in prefs.items():
            self.library.set_pref(name, value)
