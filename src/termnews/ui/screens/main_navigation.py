"""Moving around the reading screen: panes, list cursor, article stepping, history.

All keys are priority bindings; the moves are passed on to the focused widget.
"""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Input

from termnews.i18n import _
from termnews.ui.messages import ArticleChosen, EditionClicked, SectionChosen, SectionHighlighted
from termnews.ui.screens.main_frame import MainFrame
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
            if entry is not None and not entry.header:
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
        if self.has_class("-searching"):
            self.remove_class("-searching")
        self._focus(self.articles)

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

    def _unread(self, step: int) -> None:
        articles = self.articles
        i = self._anchor() + step
        while 0 <= i < articles.row_count:
            row = articles.row(i)
            if row is None:  # not loaded yet: ask for it, the reader presses again
                articles.want(i)
                self.notify(_("Loading more articles…"), markup=False)
                return
            if not row.read:
                self._open_at(i)
                return
            i += step
        self.notify(_("No more unread articles here."), markup=False)

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
