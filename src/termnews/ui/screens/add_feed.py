"""Ask for a feed URL; only a plain http(s) URL is accepted."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from termnews.i18n import _


def valid_feed_url(text: str) -> str | None:
    """The cleaned URL when text is an http(s) URL with a host, else None."""
    from termnews.library import safe_link

    return safe_link(text.strip())


class AddFeedScreen(ModalScreen[str | None]):
    """Dismisses with the URL to add, or None when cancelled."""

    DEFAULT_CSS = """
    AddFeedScreen {
        align: center middle;
    }
    AddFeedScreen > #add-feed-box {
        width: 70;
        max-width: 95%;
        height: auto;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    AddFeedScreen #add-feed-error {
        color: $error;
        height: auto;
    }
    AddFeedScreen #add-feed-hint {
        color: $text-muted;
    }
    """

    BINDINGS = [Binding("escape", "cancel", show=False, id="add_feed.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="add-feed-box") as box:
            box.border_title = _("Add a feed")
            yield Label(_("Feed address (http or https):"), markup=False)
            yield Input(placeholder="https://example.org/feed.xml", id="add-feed-url")
            yield Label("", id="add-feed-error", markup=False)
            yield Label(_("Enter adds · Esc cancels"), id="add-feed-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        url = valid_feed_url(event.value)
        if url is None:
            self.query_one("#add-feed-error", Label).update(
                _("Not a feed address: enter an http:// or https:// URL."))
            return
        self.dismiss(url)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#add-feed-error", Label).update("")

    def action_cancel(self) -> None:
        self.dismiss(None)
