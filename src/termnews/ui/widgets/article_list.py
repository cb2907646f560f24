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
from termnews.terms import SearchQuery, merge_spans
from termnews.ui import timefmt
from termnews.ui.messages import ArticleChosen, ArticleHighlighted, PageWanted
from termnews.ui.views import FIRST_PAGE
from termnews.ui.widgets.row_list import RowList, fit

PAGE = FIRST_PAGE  # rows per query; page 0 is what the first frame shows
TIME_WIDTH = 6


def empty_lines(text: str, width: int) -> list[str]:
    """The empty list's message in lines of at most width cells (paragraphs kept)."""
    from textwrap import wrap

    return [line for para in text.splitlines() for line in (wrap(para, max(10, width)) or [""])]


def feed_column(width: int) -> int:
    """Cells for the feed (section) name in a list of width cells: a sixth of it, within
    8…22, so a narrow list keeps room for titles and a wide one names feeds whole."""
    return max(8, min(22, width // 6))


class ArticleList(RowList):
    """Articles of the current view, newest first, loaded a page at a time.

    The list knows how many rows the view has (``total``) and holds the pages
    that were drawn; a missing page is drawn as a placeholder line and asked for
    with ``PageWanted`` (the screen loads it in a worker and calls ``set_page``).
    Memory and start-up stay flat however large the cache grows.
    """

    COMPONENT_CLASSES = RowList.COMPONENT_CLASSES | {
        "article-list--unread", "article-list--read", "article-list--star",
        "article-list--marker", "article-list--meta", "article-list--match",
    }

    DEFAULT_CSS = """
    ArticleList > .article-list--unread { text-style: bold; }
    ArticleList > .article-list--read { color: $text-muted; }
    ArticleList > .article-list--star { color: $warning; }
    ArticleList > .article-list--marker { color: $accent; }
    ArticleList > .article-list--meta { color: $text-muted; }
    ArticleList > .article-list--match { text-style: bold underline; color: $warning; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.total = 0
        self._pages: dict[int, list[ArticleRow]] = {}
        self._wanted: set[int] = set()
        self._index: dict[int, int] = {}
        self.section_titles: dict[tuple[str, str, str], str] = {}
        self.show_section = False
        self.empty_text = ""
        self.matches: SearchQuery | None = None  # a search's words, marked in the titles

    # --- data ---------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return self.total

    def row(self, index: int) -> ArticleRow | None:
        page = self._pages.get(index // PAGE)
        if page is None:
            return None
        offset = index % PAGE
        return page[offset] if offset < len(page) else None

    @property
    def rows(self) -> list[ArticleRow]:
        """The loaded rows, in list order (all of them for a view of a few pages)."""
        return [r for n in sorted(self._pages) for r in self._pages[n]]

    def set_rows(self, rows: list[ArticleRow], *, total: int | None = None,
                 keep_id: int | None = None, keep_index: int | None = None) -> None:
        """New first page (and total); keep_id stays under the cursor at the same screen line.

        keep_index is where keep_id is expected when it is beyond the first page
        (after a refresh: its old place plus the number of new articles).
        """
        old_screen_line = self.cursor - int(self.scroll_offset.y)
        self._pages = {0: list(rows)} if rows else {}
        self._wanted.clear()
        self._index = {r.id: i for i, r in enumerate(rows)}
        self.total = max(len(rows), total or 0)
        self.update_size()
        target = 0
        if keep_id is not None:
            found = self._index.get(keep_id)
            if found is not None:
                target = found
            elif keep_index is not None and 0 <= keep_index < self.total:
                target = keep_index
        self.cursor = target
        if keep_id is not None and target:
            self.scroll_to(y=max(0, target - max(0, old_screen_line)), animate=False,
                           immediate=True, force=True)
        else:
            self.scroll_to(y=0, animate=False, immediate=True, force=True)
        self.scroll_to_cursor()
        self.refresh()
        if self.awaiting_rows:
            self.end_loading()

    def set_total(self, total: int) -> None:
        self.total = max(total, len(self._pages.get(0, [])))
        self.update_size()

    def set_page(self, page: int, rows: list[ArticleRow]) -> None:
        self._pages[page] = list(rows)
        self._wanted.discard(page)
        base = page * PAGE
        for i, r in enumerate(rows):
            self._index[r.id] = base + i
        self.refresh()
        if page * PAGE <= self.cursor < page * PAGE + PAGE:
            self.on_cursor_moved()

    def want(self, index: int) -> None:
        """Ask for the page holding index unless it is loaded or on its way."""
        page = index // PAGE
        if 0 <= index < self.total and page not in self._pages and page not in self._wanted:
            self._wanted.add(page)
            self.post_message(PageWanted(page))

    def begin_loading(self) -> None:
        super().begin_loading()
        self._pages = {}
        self._index = {}
        self._wanted.clear()
        self.total = 0
        self.update_size()

    def index_of(self, article_id: int) -> int | None:
        return self._index.get(article_id)

    @property
    def current(self) -> ArticleRow | None:
        return self.row(self.cursor)

    def update_row(self, article_id: int, *, read: bool | None = None,
                   starred: bool | None = None) -> None:
        i = self._index.get(article_id)
        row = self.row(i) if i is not None else None
        if i is None or row is None:
            return
        self._pages[i // PAGE][i % PAGE] = replace(
            row, read=row.read if read is None else read,
            starred=row.starred if starred is None else starred)
        self.refresh_row(i)

    def mark_all_read(self) -> None:
        for n, page in self._pages.items():
            self._pages[n] = [r if r.read else replace(r, read=True) for r in page]
        self.refresh()

    def set_matches(self, matches: SearchQuery | None) -> None:
        """Mark the words a search matched in the titles (None: mark nothing)."""
        if matches != self.matches:
            self.matches = matches
            self.refresh()

    def select_id(self, article_id: int, *, notify: bool = False) -> bool:
        i = self._index.get(article_id)
        if i is None:
            return False
        self.move_to(i, notify=notify)
        return True

    # --- drawing ------------------------------------------------------------------

    def line_key(self, index: int) -> object:
        row = self.row(index)
        if row is None:
            return None  # a placeholder is drawn afresh: it asks for its page
        return row, self.show_section, timefmt.now().astimezone().date(), self.matches

    def render_row(self, index: int, width: int, base: Style) -> list[Segment]:
        row = self.row(index)
        style = self.fg
        if row is None:
            self.want(index)
            return [Segment("    " + fit("…", max(0, width - 4)),
                            base + style("article-list--meta"))]
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
        section_width = feed_column(width) if self.show_section else 0
        if section_width:
            # Lists of several feeds say which one each article is from, at any width.
            section = self.section_titles.get((row.outlet, row.edition, row.section),
                                              row.section)
            tail.append(Segment(" " + fit(section, section_width), base + style(
                "article-list--meta")))
            rest -= section_width + 1
        if width - section_width >= 36:
            tail.append(Segment(" " + fit(time_text, TIME_WIDTH) + " ",
                                base + style("article-list--meta")))
            rest -= TIME_WIDTH + 2
        title = fit(row.title, max(0, rest))
        if self.matches is None:
            segments.append(Segment(title, title_style))
        else:
            match_style = title_style + style("article-list--match")
            at = 0
            for start, end in merge_spans(self.matches.spans(title, row.edition)):
                segments += [Segment(title[at:start], title_style),
                             Segment(title[start:end], match_style)]
                at = end
            segments.append(Segment(title[at:], title_style))
        return segments + tail

    def render_line(self, y: int) -> Strip:
        if not self.total and self.empty_text and not self.awaiting_rows:
            # The empty list's message, from its second line, wrapped to the width.
            width = self.scrollable_content_region.width
            lines = empty_lines(self.empty_text, width - 4)
            text = fit("  " + lines[y - 1], width) if 1 <= y <= len(lines) else ""
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
