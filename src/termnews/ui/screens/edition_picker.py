"""Pick one of an outlet's editions by its own-language name (English, Русский …)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from termnews.i18n import _
from termnews.model import Outlet


def edition_prompt(name: str, lang: str, current: bool, width: int = 0) -> Content:
    """"✓ Русский  ru" — catalog text as plain content, never markup; names padded to width."""
    mark = "✓ " if current else "  "
    pad = " " * (max(width - cell_len(name), 0) + 2)
    return Content.assemble(mark, (name, "bold" if current else ""), pad, (lang, "dim"))


class EditionPicker(ModalScreen[str | None]):
    """Dismisses with the chosen edition's language code, or None."""

    DEFAULT_CSS = """
    EditionPicker {
        align: center middle;
    }
    EditionPicker > #editions-box {
        width: auto;
        min-width: 30;
        max-width: 90%;
        height: auto;
        max-height: 90%;
        border: round $primary;
        background: $surface;
    }
    EditionPicker OptionList, EditionPicker OptionList:focus {
        width: 100%;
        min-width: 28;
        height: auto;
        max-height: 20;
        border: none;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", show=False, id="editions.cancel"),
        Binding("q", "cancel", show=False),
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
    ]

    def __init__(self, outlet: Outlet, current: str) -> None:
        super().__init__()
        self.outlet = outlet
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="editions-box") as box:
            title = _("{outlet}: editions").format(outlet=self.outlet.name)
            box.border_title = Content(title)
            box.styles.min_width = min(cell_len(title) + 6, 76)  # the title fits the box
            width = max((cell_len(e.name) for e in self.outlet.editions), default=0)
            yield OptionList(*[
                Option(edition_prompt(e.name, e.lang, e.lang == self.current, width), id=e.lang)
                for e in self.outlet.editions
            ], id="editions")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        langs = [e.lang for e in self.outlet.editions]
        if self.current in langs:
            options.highlighted = langs.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
