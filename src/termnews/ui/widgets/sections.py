"""The sections sidebar: All, the edition's sections with unread counts, Starred, Search.

The screen builds the entries (labels already translated, section titles as
the catalog gives them) and hands them over; this widget only draws and moves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

from termnews.i18n import _
from termnews.ui.messages import SectionChosen, SectionHighlighted
from termnews.ui.widgets.row_list import RowList, fit


@dataclass(frozen=True, slots=True)
class SectionEntry:
    """One line of the sidebar. key is a view key; header lines have key ""."""

    key: str
    label: str
    count: int | None = None
    subscribed: bool = True
    header: bool = False
    icon: str = " "


class SectionList(RowList):
    COMPONENT_CLASSES = RowList.COMPONENT_CLASSES | {
        "section-list--header", "section-list--current", "section-list--count",
    }

    DEFAULT_CSS = """
    SectionList > .section-list--header { color: $text-muted; text-style: bold; }
    SectionList > .section-list--current { color: $accent; text-style: bold; }
    SectionList > .section-list--count { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.entries: list[SectionEntry] = []
        self.current_key = "all"
        # Called at once when the cursor lands on a section (the list follows it). A direct
        # call, not a message, so keys typed ahead already go to the new section's list.
        self.follow: Callable[[str], None] | None = None

    @property
    def row_count(self) -> int:
        return len(self.entries)

    def selectable(self, index: int) -> bool:
        return not self.entries[index].header

    def set_entries(self, entries: list[SectionEntry], current_key: str) -> None:
        old = self.entries[self.cursor].key if 0 <= self.cursor < len(self.entries) else None
        self.entries = entries
        self.current_key = current_key
        self.update_size()
        keys = [e.key for e in entries]
        if old in keys and self.has_focus:
            self.cursor = keys.index(old)
        elif current_key in keys:
            self.cursor = keys.index(current_key)
        self.scroll_to_cursor()
        self.refresh()

    def set_current(self, key: str) -> None:
        self.current_key = key
        keys = [e.key for e in self.entries]
        if key in keys:
            self.move_to(keys.index(key), notify=False)
        self.refresh()

    @property
    def highlighted(self) -> SectionEntry | None:
        if 0 <= self.cursor < len(self.entries):
            return self.entries[self.cursor]
        return None

    def render_row(self, index: int, width: int, base: Style) -> list[Segment]:
        entry = self.entries[index]
        style = self.fg
        if entry.header:
            return [Segment(fit(" " + entry.label, width), base + style("section-list--header"))]
        is_current = entry.key == self.current_key
        label_style = base
        if is_current:
            label_style = base + style("section-list--current")
        if not entry.subscribed:
            label_style = base + style("row-list--dim")
        marker = "▸" if is_current else " "
        count = ""
        if not entry.subscribed:
            count = _("s to subscribe") if index == self.cursor else ""
        elif entry.count:
            count = str(entry.count)
        count_cells = cell_len(count) + 1 if count else 0
        if count_cells > width // 2:
            count = fit(count, max(0, width // 2 - 1))
            count_cells = cell_len(count) + 1
        label_width = max(0, width - 3 - count_cells)
        segments = [
            Segment(marker + entry.icon + " ", label_style),
            Segment(fit(entry.label, label_width), label_style),
        ]
        if count:
            segments.append(Segment(" " + count, base + style("section-list--count")))
        return segments

    def on_select(self) -> None:
        entry = self.highlighted
        if entry is not None and not entry.header:
            self.post_message(SectionChosen(entry.key))

    def on_cursor_moved(self) -> None:
        self.refresh()  # the "s to subscribe" hint follows the cursor
        entry = self.highlighted
        if entry is not None and not entry.header:
            if self.follow is not None:
                self.follow(entry.key)
            else:
                self.post_message(SectionHighlighted(entry.key))
