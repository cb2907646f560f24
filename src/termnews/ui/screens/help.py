"""The keys screen: every binding with its (translated) description."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from termnews.i18n import _


def keys_table(bindings: Sequence[tuple[str, ...]]) -> Content:
    """Aligned columns: key, description and the id to remap it by in the config's [keys]
    (under a heading), as plain content (keys like "[" stay literal)."""
    heading = any(len(row) > 2 and row[2] for row in bindings)
    if heading:  # a heading names the id column
        bindings = [(_("key"), _("what it does"), _("id in [keys]")), *bindings]
    bindings = list(bindings)
    width = max((cell_len(row[0]) for row in bindings), default=0)
    desc_width = max((cell_len(row[1]) for row in bindings), default=0)
    lines = []
    for n, (key, desc, *rest) in enumerate(bindings):
        head = heading and n == 0
        parts: list[Content | str | tuple[str, str]] = [
            (key, "bold $text-muted" if head else "bold $accent"),
            " " * (width - cell_len(key) + 2), (desc, "bold $text-muted" if head else "")]
        if rest and rest[0]:
            parts += [" " * (desc_width - cell_len(desc) + 2),
                      (rest[0], "bold $text-muted" if head else "$text-muted")]
        lines.append(Content.assemble(*parts))
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Lists the keys; Esc, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > #help-box {
        width: auto;
        min-width: 40;
        max-width: 90%;
        height: auto;
        max-height: 90%;
        border: round $primary;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-scroll {
        width: auto;
        height: auto;
        max-height: 100%;
    }
    HelpScreen #help-keys {
        width: auto;
    }
    """

    BINDINGS = [
        Binding("escape", "close", show=False, id="help.close"),
        Binding("q", "close", show=False),
        Binding("question_mark", "close", show=False),
    ]

    def __init__(self, bindings: Sequence[tuple[str, ...]]) -> None:
        super().__init__()
        self.key_rows = list(bindings)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box") as box:
            box.border_title = _("Keys")
            box.border_subtitle = _("Esc closes · Ctrl+P all commands")
            with VerticalScroll(id="help-scroll"):
                yield Static(keys_table(self.key_rows), id="help-keys")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
