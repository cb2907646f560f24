"""The termnews App: thin. It sets up keys, theme and language, then pushes the reading screen."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.screen import Screen

from termnews.i18n import _, set_language
from termnews.library import Library
from termnews.shutdown import ENDING_SIGNALS
from termnews.store.db import StoreError
from termnews.ui.keys import APP_BINDINGS, user_keymap
from termnews.ui.views import StartState, load_start

try:  # the command palette provider (actions, sections, articles, themes)
    from termnews.ui.commands import TermnewsCommands

    _COMMANDS = App.COMMANDS | {TermnewsCommands}
except ImportError:  # pragma: no cover - only while the palette is being written
    _COMMANDS = App.COMMANDS


BACKUP_DELAY = 2.0  # seconds after start: the daily backup of state.db stays off the first frame


class TermnewsApp(App[int]):
    CSS_PATH = Path(__file__).with_name("termnews.tcss")
    TITLE = "termnews"
    BINDINGS = APP_BINDINGS  # type: ignore[assignment]
    COMMANDS = _COMMANDS

    def __init__(self, library: Library, *, start: StartState | None = None,
                 offline: bool = False, edition: str | None = None) -> None:
        super().__init__()
        self.library = library
        self.offline = offline or library.offline
        self._start = start
        self._edition = edition
        self.user_keymap, self.unknown_keys = user_keymap(library.config.keys)

    def on_load(self) -> None:
        # SIGTERM, SIGHUP (the terminal went away) and SIGINT end the app the way `q` does:
        # workers stop in order (the refresh's writer finishes or rolls back, its parse
        # workers are killed), state is saved, and Textual restores the terminal (main
        # screen, mouse reporting off, cursor shown). The exit status is 128 + the signal.
        loop = asyncio.get_running_loop()
        for sig in ENDING_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._end_on_signal, sig)

    def _end_on_signal(self, signum: int) -> None:
        if self.return_code is None:  # not already on the way out (a `q`, an earlier signal)
            self.exit(return_code=128 + signum)

    def on_mount(self) -> None:
        from termnews.ui.screens.main import MainScreen
        from termnews.ui.themes import apply_saved_theme

        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        start = self._start or load_start(self.library, edition=self._edition)
        ui_lang = self.library.config.ui.language
        set_language(start.place.edition if ui_lang == "edition" else ui_lang)
        apply_saved_theme(self, self.library)
        self.push_screen(MainScreen(self.library, start, offline=self.offline))
        if self.unknown_keys:
            self.notify(_("Unknown key binding ids in [keys]: {ids}").format(
                ids=", ".join(self.unknown_keys)), severity="warning", markup=False)
        for warning in self.library.config.warnings:  # unknown config keys
            self.notify(warning, severity="warning", markup=False, timeout=15)
        for notice in self.library.take_notices():  # e.g. a damaged cache set aside
            self.notify(notice.text, severity="warning", markup=False, timeout=20)
        # The daily backup of state.db, once the first frames are out.
        self.set_timer(BACKUP_DELAY, self._back_up_state)

    def _back_up_state(self) -> None:
        self.run_worker(self._back_up_state_now, thread=True, group="backup",
                        exit_on_error=False)

    def _back_up_state_now(self) -> None:
        try:
            self.library.back_up_state_if_due()
        except StoreError as exc:  # a damaged state.db, no room for the copy …
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False,
                                  timeout=20)

    def action_quit(self) -> None:  # type: ignore[override]
        self.exit(0)

    # --- Textual's own palette entries, in the reader's language ---------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        from termnews.ui.commands import translated_system_command

        for command in super().get_system_commands(screen):
            yield translated_system_command(command)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(CommandPalette(placeholder=_("Search for commands…"),
                                            id="--command-palette"))

    def search_themes(self) -> None:
        from textual.command import CommandPalette
        from textual.theme import ThemeProvider

        self.push_screen(CommandPalette(providers=[ThemeProvider],
                                        placeholder=_("Search for themes…")))
