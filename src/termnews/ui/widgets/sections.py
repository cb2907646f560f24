"""The sidebar: Everything, outlets with their sections, folders with their feeds, plain feeds,
Starred, the last search — each with its unread count.

The screen builds the rows (``ui.sidebar.build_sidebar``: labels already
translated, titles as the catalog or the feed gives them) and hands them over;
this widget only draws and moves. A click on a group's arrow opens or closes it.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events

from termnews.ui.messages import GroupToggled, SectionChosen, SectionHighlighted
from termnews.ui.sidebar import SectionEntry
from termnews.ui.widgets.row_list import RowList, fit

__all__ = ["SectionEntry", "SectionList"]

INDENT = 2  # cells a feed under a group is moved in
FAILED = "!"


class SectionList(RowList):
    COMPONENT_CLASSES = RowList.COMPONENT_CLASSES | {
        "section-list--current", "section-list--count", "section-list--group",
        "section-list--failed",
    }

    DEFAULT_CSS = """
    SectionList > .section-list--current { color: $accent; text-style: bold; }
    SectionList > .section-list--count { color: $text-muted; }
    SectionList > .section-list--group { text-style: bold; }
    SectionList > .section-list--failed { color: $text-error; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.entries: list[SectionEntry] = []
        self.current_key = ""
        # Called at once when the cursor lands on a row (the list follows it). A direct
        # call, not a message, so keys typed ahead already go to the new row's list.
        self.follow: Callable[[str], None] | None = None

    @property
    def row_count(self) -> int:
        return len(self.entries)

    def selectable(self, index: int) -> bool:
        return bool(self.entries[index].key)

    def set_entries(self, entries: list[SectionEntry], current_key: str) -> None:
        old = self.entries[self.cursor].key if 0 <= self.cursor < len(self.entries) else None
        changed = entries != self.entries or current_key != self.current_key
        self.entries = entries
        self.current_key = current_key
        keys = [e.key for e in entries]
        if old in keys and self.has_focus:
            self.cursor = keys.index(old)
        elif current_key in keys:
            self.cursor = keys.index(current_key)
        self.update_size()
        self.scroll_to_cursor()
        if changed:
            self.refresh()

    def set_current(self, key: str) -> None:
        self.current_key = key
        keys = [e.key for e in self.entries]
        if key in keys:
            self.move_to(keys.index(key), notify=False)
        self.refresh()

    def index_of(self, key: str) -> int | None:
        return next((i for i, e in enumerate(self.entries) if e.key == key), None)

    @property
    def highlighted(self) -> SectionEntry | None:
        if 0 <= self.cursor < len(self.entries):
            return self.entries[self.cursor]
        return None

    def line_key(self, index: int) -> object:
        entry = self.entries[index]
        return entry, entry.key == self.current_key

    def render_row(self, index: int, width: int, base: Style) -> list[Segment]:
        entry = self.entries[index]
        style = self.fg
        is_current = entry.key == self.current_key
        label_style = base
        if entry.is_group:
            label_style = base + style("section-list--group")
        if is_current:
            label_style = base + style("section-list--current")
        elif not entry.subscribed and index != self.cursor:
            label_style = base + style("row-list--dim")  # on the cursor it stays readable
        marker = Segment("▌" if is_current else " ", base + style("section-list--current"))
        count = str(entry.count) if entry.subscribed and entry.count else ""
        count_cells = cell_len(count) + 1 if count else 0
        failed = entry.failed and entry.subscribed
        indent = " " * (INDENT * entry.depth)
        label_width = max(0, width - 3 - len(indent) - count_cells - (2 if failed else 0))
        segments = [
            marker,
            Segment(entry.icon + " " + indent, label_style),
            Segment(fit(entry.label, label_width), label_style),
        ]
        if failed:
            segments.append(Segment(" " + FAILED, base + style("section-list--failed")))
        if count:
            segments.append(Segment(" " + count, base + style("section-list--count")))
        return segments

    def on_select(self) -> None:
        entry = self.highlighted
        if entry is not None and entry.key:
            self.post_message(SectionChosen(entry.key))

    def on_cursor_moved(self) -> None:
        entry = self.highlighted
        if entry is not None and entry.key:
            if self.follow is not None:
                self.follow(entry.key)
            else:
                self.post_message(SectionHighlighted(entry.key))

    def on_click(self, event: events.Click) -> None:
        # A click on a group's arrow opens or closes the group (RowList's handler, which
        # selects, runs after this one unless prevented).
        offset = event.get_content_offset(self)
        if offset is not None and offset.x <= 1:
            index = self.scroll_offset.y + offset.y
            if 0 <= index < len(self.entries) and self.entries[index].is_group:
                event.prevent_default()
                self.post_message(GroupToggled(self.entries[index].key))
