"""The masthead: outlet name, clickable edition tabs (EN │ RU │ …) and the refresh state."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from termnews.ui.messages import EditionClicked


class EditionTabs(Static):
    """The edition tabs as one line of text (EN │ RU │ …); a click on a tab switches to it."""

    def __init__(self) -> None:
        super().__init__(Content(""), id="tabs")
        self._spans: list[tuple[int, int, str]] = []  # (start cell, end cell, lang)

    def set_tabs(self, editions: list[tuple[str, str, str]], current: str) -> None:
        parts: list[Content] = []
        self._spans = []
        x = 0
        if len(editions) > 1:
            for i, (lang, label, _name) in enumerate(editions):
                if i:
                    parts.append(Content.styled("│", "$text-muted"))
                    x += 1
                text = f" {label} "
                style = "bold $text on $accent 40%" if lang == current else "$text-muted"
                parts.append(Content.styled(text, style))
                width = cell_len(text)
                self._spans.append((x, x + width, lang))
                x += width
        self.update(Content.assemble(*parts))

    def lang_at(self, x: int) -> str | None:
        return next((lang for start, end, lang in self._spans if start <= x < end), None)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        offset = event.get_content_offset(self)
        lang = self.lang_at(offset.x) if offset is not None else None
        if lang is not None:
            self.post_message(EditionClicked(lang))


class Masthead(Horizontal):
    """One line at the top of the reading screen."""

    DEFAULT_CSS = """
    Masthead { height: 1; dock: top; background: $panel; }
    Masthead #brand { width: auto; padding: 0 1; text-style: bold; color: $text; }
    Masthead #tabs { width: auto; height: 1; }
    Masthead .spacer { width: 1fr; }
    Masthead #status { width: auto; padding: 0 1; color: $text-muted; }
    Masthead #status.-offline { color: $warning; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._editions: list[tuple[str, str, str]] = []
        self._current = ""

    def compose(self) -> ComposeResult:
        yield Static(Content("termnews"), id="brand")
        yield Static(classes="spacer")
        yield EditionTabs()
        yield Static(classes="spacer")
        yield Static(Content(""), id="status")

    def set_brand(self, outlet_name: str) -> None:
        text = Content.assemble(("termnews", "bold"), " · ", outlet_name) if outlet_name \
            else Content("termnews")
        self.query_one("#brand", Static).update(text)

    def set_editions(self, editions: list[tuple[str, str, str]], current: str) -> None:
        """editions: (lang, tab label, full name); the current one is highlighted."""
        if editions == self._editions and current == self._current:
            return
        self._editions = list(editions)
        self._current = current
        self.query_one(EditionTabs).set_tabs(editions, current)

    @property
    def tabs(self) -> EditionTabs:
        return self.query_one(EditionTabs)

    def set_status(self, text: str, *, offline: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(offline, "-offline")
