"""The article list: unread ●, star ★, title, section and time — one line per article.

It holds light ``ArticleRow``s only and draws the visible lines (line API), so
100,000 articles open and scroll without a pause. A read or star change
redraws one line.
"""

from __future__ import annotations

from dataclasses import replace

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from termnews.model import ArticleRow
from termnews.ui import timefmt
from termnews.ui.messages import ArticleChosen, ArticleHighlighted
from termnews.ui.widgets.row_list import RowList, fit

SECTION_WIDTH = 12
TIME_WIDTH = 5


class ArticleList(RowList):
    """Articles of the current view, newest first."""

    COMPONENT_CLASSES = RowList.COMPONENT_CLASSES | {
        "article-list--unread", "article-list--read", "article-list--star",
        "article-list--marker", "article-list--meta",
    }

    DEFAULT_CSS = """
    ArticleList > .article-list--unread { text-style: bold; }
    ArticleList > .article-list--read { color: $text-muted; }
    ArticleList > .article-list--star { color: $warning; }
    ArticleList > .article-list--marker { color: $accent; }
    ArticleList > .article-list--meta { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[ArticleRow] = []
        self._index: dict[int, int] = {}
        self.section_titles: dict[tuple[str, str, str], str] = {}
        self.show_section = False
        self.empty_text = ""

    # --- data ---------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_rows(self, rows: list[ArticleRow], *, keep_id: int | None = None) -> None:
        """Replace the rows; keep_id stays under the cursor at the same screen line."""
        old_screen_line = self.cursor - int(self.scroll_offset.y)
        self.rows = rows
        self._index = {r.id: i for i, r in enumerate(rows)}
        self.update_size()
        target = self._index.get(keep_id, 0) if keep_id is not None else 0
        self.cursor = target
        if keep_id is not None and keep_id in self._index:
            self.scroll_to(y=max(0, target - max(0, old_screen_line)), animate=False,
                           immediate=True, force=True)
        else:
            self.scroll_to(y=0, animate=False, immediate=True, force=True)
        self.scroll_to_cursor()
        self.refresh()
        if self.awaiting_rows:
            self.end_loading()

    def begin_loading(self) -> None:
        super().begin_loading()
        self.rows = []
        self._index = {}
        self.update_size()

    def index_of(self, article_id: int) -> int | None:
        return self._index.get(article_id)

    @property
    def current(self) -> ArticleRow | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def update_row(self, article_id: int, *, read: bool | None = None,
                   starred: bool | None = None) -> None:
        i = self._index.get(article_id)
        if i is None:
            return
        row = self.rows[i]
        self.rows[i] = replace(row, read=row.read if read is None else read,
                               starred=row.starred if starred is None else starred)
        self.refresh_row(i)

    def mark_all_read(self) -> None:
        self.rows = [r if r.read else replace(r, read=True) for r in self.rows]
        self.refresh()

    def select_id(self, article_id: int, *, notify: bool = False) -> bool:
        i = self._index.get(article_id)
        if i is None:
            return False
        self.move_to(i, notify=notify)
        return True

    # --- drawing ------------------------------------------------------------------

    def render_row(self, index: int, width: int, base: Style) -> list[Segment]:
        row = self.rows[index]
        style = self.fg
        title_style = base + style(
            "article-list--read" if row.read else "article-list--unread")
        if index == self.cursor:
            title_style = base + (style("article-list--unread") if not row.read else Style())
        segments = [
            Segment(" ", base),
            Segment("●" if not row.read else " ", base + style("article-list--marker")),
            Segment("★" if row.starred else " ", base + style("article-list--star")),
            Segment(" ", base),
        ]
        time_text = timefmt.list_time(row.published)
        tail: list[Segment] = []
        rest = width - 4
        if self.show_section and width >= 60:
            section = self.section_titles.get((row.outlet, row.edition, row.section),
                                              row.section)
            tail.append(Segment(" " + fit(section, SECTION_WIDTH), base + style(
                "article-list--meta")))
            rest -= SECTION_WIDTH + 1
        if width >= 30:
            tail.append(Segment(" " + fit(time_text, TIME_WIDTH) + " ",
                                base + style("article-list--meta")))
            rest -= TIME_WIDTH + 2
        segments.append(Segment(fit(row.title, max(0, rest)), title_style))
        return segments + tail

    def render_line(self, y: int) -> Strip:
        if not self.rows and y == 1 and self.empty_text:
            width = self.scrollable_content_region.width
            text = fit("  " + self.empty_text, width)
            return Strip([Segment(text, self.rich_style + self.get_component_rich_style(
                "article-list--meta"))]).adjust_cell_length(width, self.rich_style)
        return super().render_line(y)

    # --- events -------------------------------------------------------------------

    def on_cursor_moved(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(ArticleHighlighted(row.id))

    def on_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(ArticleChosen(row.id))
