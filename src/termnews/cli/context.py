"""What every subcommand needs: paths, config and the profile's Library, opened lazily."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from termnews.cli.output import warn
from termnews.config import Config, ConfigError, load_config
from termnews.errors import TermnewsError
from termnews.i18n import _, environment_language, resolve_language
from termnews.library import Library, StateDamaged
from termnews.paths import Paths, demo_paths, resolve_paths


class CliError(TermnewsError):
    """One clear line for stderr, and the exit status (1 failure, 2 bad usage)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Context:
    paths: Paths
    profile: str | None
    offline: bool
    demo: bool
    debug: bool = False
    _config: Config | None = None
    _library: Library | None = field(default=None, repr=False)
    _warned: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Context:
        paths = resolve_paths(args.data_dir)
        if args.demo:
            paths = demo_paths(paths)
        return cls(paths=paths, profile=args.profile, offline=args.offline, demo=args.demo,
                   debug=bool(getattr(args, "debug", False)))

    def start_log(self) -> None:
        """Records go to the log file from here on: every detail with --debug, else as
        much as ``[log] level`` says (a config that cannot be read: the default)."""
        from termnews import logs

        try:
            level = self.config.log.level
        except CliError:
            level = "info"
        logs.setup(self.paths.log_file, "debug" if self.debug else level)

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(self.paths.config_file)
            except ConfigError as exc:
                raise CliError(str(exc)) from None
        return self._config

    def warn_config(self) -> None:
        """Print the config's warnings (unknown keys) on stderr, once."""
        if not self._warned:
            self._warned = True
            for line in self.config.warnings:
                warn(line)

    def language(self) -> str:
        """The language the CLI speaks: ``ui.language`` from the config, or, when that is
        "edition" (a command shows no one edition), the locale environment's. A broken
        config is reported by the command itself; here it just means "edition"."""
        try:
            setting = self.config.ui.language
        except CliError:
            setting = "edition"
        return resolve_language(setting, environment_language())

    def library(self, *, starter: bool = True, announce: bool = True) -> Library:
        """The profile's library, created (and started) on first use.

        ``starter=False`` for commands that bring the user's own feeds
        (import, feeds add, subscribe): a new profile then starts empty.
        ``announce``: print what opening the files did (a healed cache) on stderr; the
        TUI shows it itself. The daily backup of state.db is made here too.
        """
        if self._library is None:
            try:
                lib = Library(self.paths, self.config, self.profile, demo=self.demo,
                              offline=self.offline)
                if sys.stderr.isatty():
                    lib.on_migrate = migration_bar()
                lib.start(starter=starter)
            except TermnewsError as exc:
                raise CliError(str(exc)) from None
            self._library = lib
            if announce:
                for notice in lib.take_notices():
                    warn(notice.text)
                self.back_up_state()
        return self._library

    def back_up_state(self) -> None:
        """The daily backup of state.db; a damaged state.db stops the command."""
        if self._library is None:
            return
        try:
            self._library.back_up_state_if_due()
        except StateDamaged as exc:
            raise CliError(str(exc)) from None
        except TermnewsError as exc:  # e.g. no room for it: say so, and go on
            warn(str(exc))

    def files(self) -> Library:
        """A library for the commands on the data files alone (``state``): the profile is
        not started, nothing is opened."""
        return Library(self.paths, self.config, self.profile, demo=self.demo,
                       offline=self.offline)

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = None


def migration_bar() -> Callable[[int, int], None]:
    """A progress bar on stderr while an upgrade re-indexes the cache (shown only when it
    takes more than a moment: the first report comes after 500 articles)."""
    bar = None
    task = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            if done >= total:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            # markup=False: a translation is text, never Rich markup
            bar = Progress(TextColumn(_("updating the search index"), markup=False), BarColumn(),
                           MofNCompleteColumn(), TimeElapsedColumn(),
                           console=Console(stderr=True), transient=True)
            bar.start()
            task = bar.add_task("index", total=total)
        assert task is not None
        bar.update(task, completed=done, total=total)
        if done >= total:
            bar.stop()
            bar = None

    return update
