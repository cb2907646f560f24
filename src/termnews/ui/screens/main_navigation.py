"""Moving around the reading screen: panes, list cursor, article stepping, history.

All keys are priority bindings; the moves are passed on to the focused widget.
"""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Input

from termnews.i18n import _
from termnews.ui.messages import ArticleChosen, EditionClicked, SectionChosen, SectionHighlighted
from termnews.ui.screens.main_frame import MainFrame, Seek
from termnews.ui.views import EVERYTHING
from termnews.ui.widgets.row_list import RowList


class NavigationMixin(MainFrame):
    """Focus, cursor and history keys, and the messages that choose a section or article."""

    def on_article_chosen(self, message: ArticleChosen) -> None:
        self.open_article(message.article_id)

    def on_section_chosen(self, message: SectionChosen) -> None:
        self._choose_section(message.key)

    def _choose_section(self, key: str) -> None:
        if key != self.view:
            self.set_view(key)
        self._focus(self.articles)

    def on_section_highlighted(self, message: SectionHighlighted) -> None:
        self._follow_section(message.key)

    def _follow_section(self, key: str) -> None:
        if key != self.view:
            self.set_view(key)

    def on_edition_clicked(self, message: EditionClicked) -> None:
        self.switch_edition(message.lang)

    def _panes(self) -> list[Widget]:
        panes: list[Widget] = [self.sections, self.articles]
        if self.article_id is not None:
            panes.append(self.pane)
            if self.pane.related.lines:
                panes.append(self.pane.related)
        return panes

    def action_cycle_pane(self, step: int) -> None:
        panes = self._panes()
        focused = self.focused
        current = panes.index(focused) if focused in panes else 1
        self._focus(panes[(current + step) % len(panes)])

    # --- keys: all are priority bindings, passed on to the focused widget ------------------

    # While the search box has focus only these act; other keys are typed into it.
    # (Enter goes to the box too: it submits after the letters typed before it.)
    _SEARCH_BOX_ACTIONS = frozenset({"cycle_pane", "close_article"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if isinstance(self.focused, Input) and action not in self._SEARCH_BOX_ACTIONS:
            return False
        return True

    def _move(self, action: str) -> None:
        focused = self.focused
        if isinstance(focused, RowList):
            getattr(focused, f"action_{action}")()
        elif focused is self.pane:
            pane = self.pane
            {"cursor_down": pane.scroll_down, "cursor_up": pane.scroll_up,
             "page_down": pane.scroll_page_down, "page_up": pane.scroll_page_up,
             "first": pane.scroll_home, "last": pane.scroll_end}[action](animate=False)

    def action_cursor_down(self) -> None:
        self._move("cursor_down")

    def action_cursor_up(self) -> None:
        self._move("cursor_up")

    def action_page_down(self) -> None:
        self._move("page_down")

    def action_page_up(self) -> None:
        self._move("page_up")

    def action_first(self) -> None:
        self._move("first")

    def action_last(self) -> None:
        self._move("last")

    def action_open_focused(self) -> None:
        """Enter: open what the focused list points at, at once (not by message), so the
        keys typed after it already go to the pane it focuses."""
        focused = self.focused
        if focused is self.sections:
            entry = self.sections.highlighted
            if entry is not None and entry.key:
                self._choose_section(entry.key)
        elif focused is self.articles:
            if self.articles.awaiting_rows:
                self.articles.action_select()  # held, replayed when the rows arrive
            elif self.articles.current is not None:
                self.open_article(self.articles.current.id)
        elif focused is self.pane.related:
            item = self.pane.related.current
            if item is not None:
                self.open_article(item.id)

    def action_close_article(self) -> None:
        """Esc: close the search box, else the open article (the list takes its room)."""
        if self.has_class("-searching"):
            self.remove_class("-searching")
            self._focus(self.articles)
            return
        if self.article_id is not None:
            if self._read_timer is not None:
                self._read_timer.stop()
                self._read_timer = None
            self.article_id = None
            self.article = None
            self.call_later(self._show_welcome)
        self._focus(self.articles)

    # --- folders in the sidebar ---------------------------------------------------------

    def action_expand(self) -> None:
        entry = self.sections.highlighted if self.focused is self.sections else None
        if entry is not None and entry.is_group:
            self._toggle_group(entry.key, True)

    def action_collapse(self) -> None:
        """Close the group under the cursor, or the one the cursor's feed is in (the cursor
        goes up to it)."""
        entry = self.sections.highlighted if self.focused is self.sections else None
        if entry is None:
            return
        key = entry.key if entry.is_group else entry.group
        if not key:
            return
        i = self.sections.index_of(key)
        if i is None or not self.sections.entries[i].is_group:
            return
        self._toggle_group(key, False)
        if key != entry.key:
            self.sections.move_to(self.sections.index_of(key) or 0)

    def action_page_article(self) -> None:
        if self.article_id is None:
            row = self.articles.current
            if row is not None:
                self.open_article(row.id, focus=False)
            return
        self.pane.page_down()

    def _open_at(self, index: int) -> None:
        row = self.articles.row(index) if 0 <= index < self.articles.row_count else None
        if row is not None:
            self.articles.move_to(index)
            self.open_article(row.id, focus=False)

    def action_next_article(self) -> None:
        self._open_at(self._anchor() + 1)

    def action_prev_article(self) -> None:
        self._open_at(self._anchor() - 1)

    def _anchor(self) -> int:
        if self.article_id is not None:
            i = self.articles.index_of(self.article_id)
            if i is not None:
                return i
        return self.articles.cursor

    # --- next / previous unread, across lists --------------------------------------------

    def _unread(self, step: int) -> None:
        """n/p: the next (previous) unread article of the list; past its end, the first
        (last) unread article of the next (previous) row of the sidebar that has any, so
        holding n reads every unread article there is. Presses that arrive while a list
        is on its way wait for it and act in order."""
        self._presses.append(step)
        self._drain_presses()

    def _drain_presses(self) -> None:
        # A loop, not recursion: holding n queues hundreds of presses.
        if self._draining:
            return
        self._draining = True
        try:
            while self._seek is None and self._presses:
                step = self._presses.pop(0)
                self._seek = Seek(step, origin=self.view)
                self._seek_from(self._anchor() + step)
        finally:
            self._draining = False

    def _seek_from(self, start: int) -> None:
        seek = self._seek
        if seek is None:
            return
        articles = self.articles
        if articles.awaiting_rows:
            seek.wait(self._generation, start)
            return
        i = start
        while 0 <= i < articles.row_count:
            row = articles.row(i)
            if row is None:  # not loaded yet: ask for its page and go on when it is here
                articles.want(i)
                seek.wait(self._generation, i)
                return
            if not row.read and row.id != self.article_id:
                self._seek = None
                self._open_at(i)
                self._drain_presses()
                return
            i += seek.step
        if seek.step > 0 and self._complete_generation != self._generation:
            seek.wait(self._generation, i)  # more rows than the first page: count them first
            return
        self._seek_next_list(seek)

    def _seek_next_list(self, seek: Seek) -> None:
        """The list has no unread article past the anchor: on to another list."""
        seek.visited.add(self.place.resolve(self.view))
        target = self._next_unread_row(seek)
        if target is not None:
            seek.visited.add(target)
            self.set_view(target, seeking=True)
            seek.wait(self._generation, 0 if seek.step > 0 else -1)
            return
        if self.view == seek.origin and not seek.wrapped:
            # Nowhere else: this list's own unread articles on the other side of the anchor.
            seek.wrapped = True
            if seek.step > 0:
                self._seek_from(0)
            else:
                seek.wait(self._generation, -1)
                self._resume_seek()
            return
        self._seek = None
        self._presses.clear()  # nothing is unread: presses typed ahead have nothing to do
        self.notify(_("No unread articles."), markup=False)

    def _next_unread_row(self, seek: Seek) -> str | None:
        """The next (previous) row of the sidebar, in its order and round past its end,
        whose list holds unread articles this one does not: a section, a feed, or a closed
        group. Everything, Starred and the search list other rows' articles."""
        entries = self.sections.entries
        current = self.place.resolve(self.view)
        here = set(self.place.feeds(current) or ())
        pos = self.sections.index_of(current)
        if pos is None:
            pos = -1 if seek.step > 0 else len(entries)
        n = len(entries)
        for k in range(1, n + 1):
            e = entries[(pos + seek.step * k) % n]
            if not e.key or e.key in seek.visited or e.key in ("starred", "search", EVERYTHING):
                continue
            if e.expanded or not e.count or not e.feeds or set(e.feeds) <= here:
                continue
            return e.key
        return None

    def _resume_seek(self) -> None:
        """Rows (or the count) a waiting n/p asked for have arrived: go on. A list of
        another view (the reader went elsewhere) ends the wait."""
        seek = self._seek
        if seek is None or seek.generation < 0:
            return
        if seek.generation != self._generation:
            self._seek = None
            self._presses.clear()
            return
        if self.articles.awaiting_rows:
            return
        start = seek.start
        if start < 0:
            if self._complete_generation != self._generation:
                return  # the count first: it gives the last row's index
            start = self.articles.row_count - 1
        elif start >= self.articles.row_count and self._complete_generation != self._generation:
            return
        seek.generation = -1
        self._seek_from(start)
        if self._seek is None:
            self._drain_presses()

    def action_next_unread(self) -> None:
        self._unread(1)

    def action_prev_unread(self) -> None:
        self._unread(-1)

    def action_back(self) -> None:
        if self.history_pos > 0:
            self.history_pos -= 1
            self.open_article(self.history[self.history_pos], push=False)
        elif self.history and self.article_id is None:
            self.open_article(self.history[self.history_pos], push=False)

    def action_forward(self) -> None:
        if self.history_pos + 1 < len(self.history):
            self.history_pos += 1
            self.open_article(self.history[self.history_pos], push=False)

    # --- for the command palette ------------------------------------------------------------

    def action_open_section(self, key: str) -> None:
        self.set_view(str(key))
        self._focus(self.articles)

    def action_open_article(self, article_id: int) -> None:
        self.open_article(int(article_id))
