"""The termnews App: thin. It sets up keys, theme and language, then pushes the reading screen."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import threading
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.screen import Screen

from termnews.errors import TermnewsError
from termnews.i18n import _, set_language
from termnews.library import Library
from termnews.shutdown import ENDING_SIGNALS
from termnews.ui.commands import TermnewsCommands
from termnews.ui.keys import APP_BINDINGS, user_keymap
from termnews.ui.messages import Notice
from termnews.ui.views import StartState, load_start

EXIT_GRACE = 5.0  # seconds an orderly end after a signal may take before the process just ends
BACKUP_DELAY = 2.0  # seconds after start: the daily backup of state.db stays off the first frame


class TermnewsApp(App[int]):
    CSS_PATH = Path(__file__).with_name("termnews.tcss")
    TITLE = "termnews"
    BINDINGS = APP_BINDINGS  # type: ignore[assignment]
    COMMANDS = App.COMMANDS | {TermnewsCommands}  # actions, sections, articles, themes

    def __init__(self, library: Library, *, start: StartState | None = None,
                 offline: bool = False, edition: str | None = None) -> None:
        super().__init__()
        self.library = library
        self.offline = offline or library.offline
        self._start = start
        self._edition = edition
        self.user_keymap, self.unknown_keys = user_keymap(library.config.keys)
        self._ending_signal: int | None = None

    def on_load(self) -> None:
        # SIGTERM, SIGHUP (the terminal went away) and SIGINT end the app the way `q` does:
        # workers stop in order (the refresh's writer finishes or rolls back, its parse
        # workers are killed), state is saved, and Textual restores the terminal (main
        # screen, mouse reporting off, cursor shown). The exit status is 128 + the signal.
        # A plain handler, not the event loop's: it runs even while the loop is stuck (a
        # terminal that stopped reading blocks Textual's output queue, and the loop with it).
        loop = asyncio.get_running_loop()
        for sig in ENDING_SIGNALS:
            with contextlib.suppress(OSError, RuntimeError, ValueError):
                signal.signal(sig, functools.partial(self._end_on_signal, loop))

    def _end_on_signal(self, loop: asyncio.AbstractEventLoop, signum: int,
                       _frame: object = None) -> None:
        status = 128 + signum
        if self._ending_signal is not None:  # a second signal: the user insists
            os._exit(status)
        self._ending_signal = signum
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            loop.call_soon_threadsafe(self._exit_on_signal, status)
        # Marks are saved as they are made and SQLite survives an abrupt end, so when the
        # orderly way out cannot finish (the terminal is gone or frozen), leave anyway.
        watchdog = threading.Timer(EXIT_GRACE, os._exit, (status,))
        watchdog.daemon = True
        watchdog.start()

    def _exit_on_signal(self, status: int) -> None:
        if self.return_code is None:  # not already on the way out (a `q`)
            self.exit(return_code=status)

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
        except TermnewsError as exc:  # a damaged state.db, no room for the copy …
            self.post_message(Notice(str(exc), "error", timeout=20))

    def on_notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity, markup=False,
                    timeout=message.timeout)

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
