"""A yes-or-no question before something the reader may regret: Enter confirms, Esc keeps."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from termnews.i18n import _


class ConfirmScreen(ModalScreen[bool]):
    """Asks one question; dismisses with True (Enter) or False (Esc, n, q)."""

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    ConfirmScreen > #confirm-box {
        width: auto;
        min-width: 40;
        max-width: 80%;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 1 2;
    }
    ConfirmScreen #confirm-hint {
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS = [
        Binding("enter,y", "answer(True)", show=False, id="confirm.yes"),
        Binding("escape,n,q", "answer(False)", show=False, id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str) -> None:
        super().__init__()
        self.question = question  # may hold feed titles: shown as plain text only
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Content(self.question), id="confirm-question")
            yield Static(Content.assemble(("Enter", "bold $accent"), " ", self.yes, "  ·  ",
                                          ("Esc", "bold $accent"), " ", _("cancel")),
                         id="confirm-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
