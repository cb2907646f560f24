"""The masthead: outlet name, clickable edition tabs (EN │ RU │ …) and the refresh state.

The refresh and sync state belong to the reading screen; the masthead is bound to them
(``data_bind``) and draws its status line whenever one of them changes, and every half
minute ("⟳ 2 min ago" ages).
"""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import var
from textual.widgets import Static

from termnews.i18n import _
from termnews.model import RefreshEvent
from termnews.ui import timefmt
from termnews.ui.messages import EditionClicked

AGE_EVERY = 30  # seconds between redraws of the refresh's age


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

    # Bound to the reading screen's state of the same names.
    refreshing: var[RefreshEvent | None] = var(None)  # a refresh under way: its progress
    last_refresh: var[datetime | None] = var(None)
    net_down = var(False)  # the last refresh reached no feed
    syncing = var(False)
    sync_label = var("")  # "⇅ synced", "⇅ 2 to sync" … ("" without a sync server)
    sync_failed = var(False)

    DEFAULT_CSS = """
    Masthead { height: 1; dock: top; background: $panel; }
    Masthead #brand { width: auto; padding: 0 1; text-style: bold; color: $text; }
    Masthead #tabs { width: auto; height: 1; }
    Masthead .spacer { width: 1fr; }
    Masthead #status { width: auto; padding: 0 1; color: $text-muted; }
    Masthead #status.-offline { color: $warning; }
    """

    def __init__(self, *, offline: bool = False) -> None:
        super().__init__()
        self.offline = offline  # started with --offline: nothing is fetched
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

    def on_mount(self) -> None:
        self.show_status()
        self.set_interval(AGE_EVERY, self.show_status)

    def watch_refreshing(self) -> None:
        self.show_status()

    def watch_last_refresh(self) -> None:
        self.show_status()

    def watch_net_down(self) -> None:
        self.show_status()

    def watch_syncing(self) -> None:
        self.show_status()

    def watch_sync_label(self) -> None:
        self.show_status()

    def watch_sync_failed(self) -> None:
        self.show_status()

    def status_text(self) -> tuple[str, bool]:
        """The status line and whether it warns (offline, the network down, sync failed)."""
        if self.offline:
            return _("offline"), True
        if self.refreshing is not None:
            ev = self.refreshing
            text = _("refreshing {done}/{total}").format(done=ev.done, total=ev.total)
            warn = False
        else:
            when = (timefmt.relative(self.last_refresh) if self.last_refresh
                    else _("not refreshed yet"))
            text, warn = (_("offline") + " · " + when, True) if self.net_down else \
                ("⟳ " + when, False)
        sync = "⇅ " + _("syncing") if self.syncing else self.sync_label
        if sync:
            text += " · " + sync
            warn = warn or (self.sync_failed and not self.syncing)
        return text, warn

    def show_status(self) -> None:
        """Draw the status line again (the language or the time formats changed too)."""
        if not self.is_mounted:
            return
        text, warn = self.status_text()
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(warn, "-offline")
