"""The masthead: outlet name, clickable edition tabs (EN │ RU │ …) and the refresh state."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from termnews.ui.messages import EditionClicked


class EditionTab(Static):
    """One edition's tab; a click switches to it."""

    def __init__(self, lang: str, label: str, *, current: bool, tooltip: str = "") -> None:
        super().__init__(Content(label), classes="-current" if current else "")
        self.lang = lang
        if tooltip:
            self.tooltip = Content(tooltip)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(EditionClicked(self.lang))


class Masthead(Horizontal):
    """One line at the top of the reading screen."""

    DEFAULT_CSS = """
    Masthead { height: 1; dock: top; background: $panel; }
    Masthead #brand { width: auto; padding: 0 1; text-style: bold; color: $text; }
    Masthead #tabs { width: 1fr; height: 1; align-horizontal: center; }
    Masthead EditionTab { width: auto; padding: 0 1; color: $text-muted; }
    Masthead EditionTab:hover { background: $boost; }
    Masthead EditionTab.-current { color: $text; background: $accent 40%; text-style: bold; }
    Masthead .sep { width: 1; color: $text-muted; }
    Masthead #status { width: auto; padding: 0 1; color: $text-muted; }
    Masthead #status.-offline { color: $warning; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._editions: list[tuple[str, str, str]] = []
        self._current = ""

    def compose(self) -> ComposeResult:
        yield Static(Content("termnews"), id="brand")
        yield Horizontal(id="tabs")
        yield Static(Content(""), id="status")

    def set_brand(self, outlet_name: str) -> None:
        text = Content.assemble(("termnews", "bold"), " · ", outlet_name) if outlet_name \
            else Content("termnews")
        self.query_one("#brand", Static).update(text)

    async def set_editions(self, editions: list[tuple[str, str, str]], current: str) -> None:
        """editions: (lang, tab label, full name); the current one is highlighted."""
        if editions == self._editions and current == self._current:
            return
        self._editions = list(editions)
        self._current = current
        tabs = self.query_one("#tabs", Horizontal)
        await tabs.remove_children()
        widgets: list[Static] = []
        for i, (lang, label, name) in enumerate(editions):
            if i:
                widgets.append(Static(Content("│"), classes="sep"))
            widgets.append(EditionTab(lang, label, current=lang == current, tooltip=name))
        if len(editions) > 1:
            await tabs.mount_all(widgets)

    def set_status(self, text: str, *, offline: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(offline, "-offline")
