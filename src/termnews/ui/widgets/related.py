"""Related articles under the article: Same story, Related, More in <section>, Latest.

A focusable list inside the article pane (it grows with its rows, the pane
scrolls); Enter or a click opens the article.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region

from termnews.i18n import _
from termnews.model import RelatedItem
from termnews.ui.messages import ArticleChosen
from termnews.ui.widgets.row_list import RowList, fit

# The order of the groups, as a news site lists them under a story.
REASONS: tuple[str, ...] = ("same story", "related", "section", "latest")


class RelatedList(RowList):
    COMPONENT_CLASSES = RowList.COMPONENT_CLASSES | {"related-list--header",
                                                    "related-list--lang"}

    DEFAULT_CSS = """
    RelatedList { height: auto; overflow-y: hidden; background: $surface; margin-top: 1; }
    RelatedList > .related-list--header { color: $text-muted; text-style: bold; }
    RelatedList > .related-list--lang { color: $accent; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[tuple[str, RelatedItem | None]] = []
        self.article_id: int | None = None
        self.section_title = ""

    @property
    def row_count(self) -> int:
        return len(self.lines)

    def selectable(self, index: int) -> bool:
        return self.lines[index][1] is not None

    def set_items(self, article_id: int | None, items: list[RelatedItem],
                  section_title: str = "") -> None:
        self.article_id = article_id
        self.section_title = section_title
        self._items = items
        self._build()

    def _build(self) -> None:
        items = getattr(self, "_items", [])
        lines: list[tuple[str, RelatedItem | None]] = []
        for reason in REASONS:
            group = [i for i in items if i.reason == reason]
            if not group:
                continue
            lines.append((self._heading(reason, group), None))
            lines.extend(("", item) for item in group)
        others = [i for i in items if i.reason not in REASONS]
        if others:
            lines.append((_("Related"), None))
            lines.extend(("", item) for item in others)
        self.lines = lines
        self.cursor = self._step(-1, 1) if lines else 0
        self.virtual_size = self.virtual_size.with_height(len(lines))
        self.display = bool(lines)
        self.refresh(layout=True)

    def relabel(self) -> None:
        """Re-translate the headings after a UI language switch."""
        self._build()

    def _heading(self, reason: str, group: list[RelatedItem]) -> str:
        if reason == "same story":
            langs = " · ".join(i.lang.upper() for i in group if i.lang)
            return "── " + _("Same story") + (f": {langs}" if langs else "") + " ──"
        if reason == "section":
            if self.section_title:
                return "── " + _("More in {section}").format(section=self.section_title) + " ──"
            return "── " + _("More in this section") + " ──"
        if reason == "latest":
            return "── " + _("Latest") + " ──"
        return "── " + _("Related") + " ──"

    def render_row(self, index: int, width: int, base: Style) -> list[Segment]:
        heading, item = self.lines[index]
        style = self.fg
        if item is None:
            return [Segment(fit(heading, width), base + style("related-list--header"))]
        segments = [Segment("  ", base)]
        used = 2
        if item.reason == "same story" and item.lang:
            tag = item.lang.upper() + " "
            segments.append(Segment(tag, base + style("related-list--lang")))
            used += len(tag)
        segments.append(Segment(fit(item.title, max(0, width - used)), base))
        return segments

    def scroll_to_cursor(self, *, center: bool = False) -> None:
        parent = self.parent
        if parent is None or not self.lines:
            return
        region = self.virtual_region
        target = Region(0, region.y + self.cursor, 1, 1)
        parent.scroll_to_region(target, animate=False, immediate=True)  # type: ignore[attr-defined]

    def on_focus(self) -> None:
        self.scroll_to_cursor()

    @property
    def current(self) -> RelatedItem | None:
        if 0 <= self.cursor < len(self.lines):
            return self.lines[self.cursor][1]
        return None

    def on_select(self) -> None:
        item = self.current
        if item is not None:
            self.post_message(ArticleChosen(item.id))
