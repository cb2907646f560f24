"""A keyboard-and-mouse list drawn with Textual's line API.

Only the visible lines are rendered (``render_line`` → ``Strip``), so a list of
100,000 rows costs no more to draw than one of ten. Subclasses say how many rows
there are and how one row looks; this class owns the cursor, scrolling and keys.
Rows are plain text segments: nothing here is ever parsed as markup.
"""

from __future__ import annotations

from typing import ClassVar, Self

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from termnews.ui.keys import LIST_BINDINGS


def fit(text: str, width: int) -> str:
    """Cut or pad text to exactly width terminal cells (CJK counts two)."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    return set_cell_size(text, width)


class RowList(ScrollView, can_focus=True):
    """A list of rows with a cursor; subclasses implement ``row_count`` and ``render_row``."""

    BINDINGS: ClassVar[list[BindingType]] = [*LIST_BINDINGS]

    COMPONENT_CLASSES = {"row-list--cursor", "row-list--dim", "row-list--accent"}

    DEFAULT_CSS = """
    RowList {
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    RowList > .row-list--cursor { background: $block-cursor-blurred-background; }
    RowList:focus > .row-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    RowList > .row-list--dim { color: $text-muted; }
    RowList > .row-list--accent { color: $accent; }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        # Drawn lines keyed by what they show (see line_key): moving or scrolling by a
        # line redraws one or two rows instead of the whole list.
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(512)
        self._fg: dict[str, Style] = {}  # component foregrounds, until the style changes
        super().__init__(name=name, id=id, classes=classes)
        self.cursor = 0
        self.awaiting_rows = False
        self._pending: list[str] = []

    # --- for subclasses -----------------------------------------------------------

    @property
    def row_count(self) -> int:
        return 0

    def render_row(self, index: int, width: int, base: Style) -> list[Segment]:
        """The segments of one row (at most width cells); base is the row's style."""
        return []

    def fg(self, component: str) -> Style:
        """A component's foreground and text style, without its background.

        Rows lay their parts over the row's own background (the cursor's when
        selected), so part styles must not bring a background of their own.
        """
        cached = self._fg.get(component)
        if cached is None:
            s = self.get_component_rich_style(component)
            cached = self._fg[component] = Style(color=s.color, bold=s.bold, dim=s.dim,
                                                 italic=s.italic, underline=s.underline,
                                                 reverse=s.reverse)
        return cached

    def selectable(self, index: int) -> bool:
        return True

    def line_key(self, index: int) -> object:
        """Everything row index's look depends on besides cursor, focus and width, for the
        line cache; None (the default) draws the line afresh every time."""
        return None

    def on_cursor_moved(self) -> None:
        """Called after the cursor moved (to post a message)."""

    def on_select(self) -> None:
        """Enter or a click on the cursor row."""

    # --- drawing ----------------------------------------------------------------

    def update_size(self) -> None:
        """Call after the number of rows changed."""
        self.virtual_size = Size(self.scrollable_content_region.width, self.row_count)
        if self.cursor >= self.row_count:
            self.cursor = max(0, self.row_count - 1)
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.row_count)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= self.row_count or width <= 0:
            return Strip.blank(width, self.rich_style)
        row_key = self.line_key(index)
        key = (row_key, index, index == self.cursor, width, self.has_focus)
        if row_key is not None:
            cached = self._lines.get(key)
            if cached is not None:
                return cached
        # The widget's cached style (recomputed when its styles change), not ``rich_style``,
        # which walks every ancestor on each call: a full list paid it once per line.
        base = self.visual_style.rich_style
        if index == self.cursor:
            base = base + self.get_component_rich_style("row-list--cursor")
        segments = self.render_row(index, width, base)
        strip = Strip(segments).adjust_cell_length(width, base).simplify()
        if row_key is not None:
            self._lines[key] = strip
        return strip

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if not regions:  # a full refresh: the rows or their look changed
            self._lines.clear()
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def notify_style_update(self) -> None:
        self._lines.clear()  # theme, focus or CSS changed
        self._fg.clear()
        super().notify_style_update()

    def refresh_row(self, index: int) -> None:
        self.refresh_line(index)

    # --- cursor -------------------------------------------------------------------

    def move_to(self, index: int, *, center: bool = False, notify: bool = True) -> None:
        count = self.row_count
        if count == 0:
            self.cursor = 0
            self.refresh()
            return
        index = max(0, min(index, count - 1))
        old = self.cursor
        self.cursor = index
        self.refresh_line(old)
        self.refresh_line(index)
        self.scroll_to_cursor(center=center)
        if notify:
            self.on_cursor_moved()

    def scroll_to_cursor(self, *, center: bool = False) -> None:
        region = Region(0, self.cursor, 1, 1)
        self.scroll_to_region(region, animate=False, center=center, immediate=True,
                              force=True)

    def begin_loading(self) -> None:
        """Rows are on their way: hold cursor keys typed meanwhile and replay them on arrival."""
        self.awaiting_rows = True
        self._pending.clear()

    def end_loading(self) -> None:
        pending, self._pending = self._pending, []
        self.awaiting_rows = False
        for action in pending:
            getattr(self, f"action_{action}")()

    def _held(self, action: str) -> bool:
        if self.awaiting_rows:
            self._pending.append(action)
            return True
        return False

    def _step(self, start: int, delta: int) -> int:
        index = start
        while 0 <= index + delta < self.row_count:
            index += delta
            if self.selectable(index):
                return index
        return start

    def action_cursor_down(self) -> None:
        if self._held("cursor_down"):
            return
        self.move_to(self._step(self.cursor, 1))

    def action_cursor_up(self) -> None:
        if self._held("cursor_up"):
            return
        self.move_to(self._step(self.cursor, -1))

    def action_page_down(self) -> None:
        if self._held("page_down"):
            return
        self.move_to(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        if self._held("page_up"):
            return
        self.move_to(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        if self._held("first"):
            return
        self.move_to(self._step(-1, 1))

    def action_last(self) -> None:
        if self._held("last"):
            return
        self.move_to(self._step(self.row_count, -1))

    def action_select(self) -> None:
        if self._held("select"):
            return
        if 0 <= self.cursor < self.row_count and self.selectable(self.cursor):
            self.on_select()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if 0 <= index < self.row_count and self.selectable(index):
            already = index == self.cursor
            self.move_to(index)
            if already or event.chain >= 2:
                self.on_select()
