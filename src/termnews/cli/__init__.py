"""The ``termnews`` command: argparse subcommands over the engine.

Each subcommand lives in a module of this package exposing ``register(sub)``,
which adds its parser and sets ``handler`` to a function ``(args, ctx) -> int``.
Nothing here imports Textual: the TUI is imported only when it starts.
Exit status: 0 success, 1 failure, 2 bad usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from termnews import __version__
from termnews.cli.context import CliError, Context
from termnews.errors import TermnewsError
from termnews.i18n import _, environment_language, language, resolve_language, set_language
from termnews.library import CacheDamaged
from termnews.paths import resolve_paths
from termnews.shutdown import Terminated, signals_raise

log = logging.getLogger(__name__)

# Subcommand modules, in the order `termnews --help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "termnews.cli.refresh_cmd",
    "termnews.cli.feeds_cmd",
    "termnews.cli.opml_cmd",
    "termnews.cli.outlets_cmd",
    "termnews.cli.articles_cmd",
    "termnews.cli.show_cmd",
    "termnews.cli.mark_cmd",
    "termnews.cli.cache_cmd",
    "termnews.cli.state_cmd",
    "termnews.cli.sync_cmd",
)


class _Quiet(argparse.ArgumentParser):
    """Raises instead of printing: the TUI pre-parse leaves every message to the full parser."""

    def error(self, message: str) -> NoReturn:
        raise ValueError(message)


def _global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR",
                        help=_("keep config, cache and state under DIR (env TERMNEWS_DATA_DIR)"))
    parser.add_argument("--profile", metavar="NAME",
                        help=_("the user profile (env TERMNEWS_PROFILE; default: your user name)"))
    parser.add_argument("--offline", action="store_true", help=_("never touch the network"))
    parser.add_argument("--demo", action="store_true",
                        help=_("the bundled offline demo outlet, in its own data folder"))
    parser.add_argument("--edition", metavar="LANG", help=_("start in this edition (TUI)"))
    parser.add_argument("--debug", action="store_true",
                        help=_("record every detail in the log file (below)"))


def _global_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]] | None:
    """The global options of argv and what is left, without importing any subcommand;
    None when they do not parse (the full parser then reports the error)."""
    parser = _Quiet(prog="termnews", add_help=False)
    _global_options(parser)
    try:
        return parser.parse_known_args(argv)
    except ValueError:
        return None


def _tui_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """argv with global options only (the TUI), parsed without importing any subcommand:
    start-up time is a goal. None when argv needs the full parser."""
    parsed = _global_args(argv)
    if parsed is None or parsed[1]:
        return None
    args = parsed[0]
    args.command = None
    return args


def build_parser(log_file: Path | None = None) -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="termnews",
        description=_("A terminal news reader: outlets, editions, sections, offline cache."),
        epilog=_("Log file (attach it to a bug report): {path}").format(
            path=log_file or resolve_paths().log_file),
    )
    parser.add_argument("--version", action="version", version=f"termnews {__version__}")
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _cli_context(argv: Sequence[str]) -> Context | None:
    """A Context from the global options alone, read before the full parser is built so
    that its help texts come out in the user's language. None when they do not parse
    (the full parser then reports the error)."""
    parsed = _global_args(argv)
    return Context.from_args(parsed[0]) if parsed is not None else None


def main(argv: Sequence[str] | None = None) -> int:
    program = argv is None  # the process's own command line: main ends the process
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _tui_args(argv)
    if args is None:  # a subcommand, --help or --version: the CLI speaks the user's language
        previous = language()
        early = _cli_context(argv)
        set_language(early.language() if early is not None else
                     resolve_language("edition", environment_language()))
        try:
            with signals_raise():
                status = _run_command(argv, early)
        finally:
            set_language(previous)  # the in-process callers (tests) get their language back
        if program:
            _end_process(status)
        return status
    ctx = Context.from_args(args)
    ctx.start_log()
    try:
        from termnews.cli.tui import run_tui

        with signals_raise():  # until the app takes the signals over (ui.app.on_load)
            return _guarded(lambda: run_tui(args, ctx), ctx)
    finally:
        ctx.close()


def _end_process(status: int) -> NoReturn:
    """End a command's process as soon as its work is done: its files are closed, its
    threads have ended (they are waited for), its exit handlers run and its output is
    flushed; the interpreter's own teardown, freeing every object one by one, would add
    ≈ 50 ms to every command and change nothing."""
    import atexit
    import os
    import threading

    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away: nothing more to say
            pass
    os._exit(status)


def _run_command(argv: list[str], early: Context | None) -> int:
    parser = build_parser(early.paths.log_file if early is not None else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help/--version, 2 for bad usage
        return int(exc.code or 0)
    ctx = Context.from_args(args)
    ctx.start_log()
    log.info("termnews %s: %s", __version__, args.command)
    if early is not None and early.paths == ctx.paths:
        ctx._config = early._config  # read once
    def run() -> int:
        ctx.warn_config()
        return int(args.handler(args, ctx))

    try:
        return _guarded(run, ctx)
    finally:
        ctx.close()


def _guarded(run: Callable[[], int], ctx: Context, *, again: bool = True) -> int:
    """Run a command; errors become one ``termnews: …`` line on stderr and an exit status.

    A cache.db found damaged mid-command is set aside (its connections closed first) and
    the command runs once more on a new cache: the cache heals itself."""
    try:
        return run()
    except CliError as exc:
        log.warning("%s", exc)
        print(f"termnews: {exc}", file=sys.stderr)
        return exc.status
    except TermnewsError as exc:
        # e.g. a full disk or damage mid-command: one line naming the file and the
        # cause (the Library turned SQLite's error into it), not a trace
        log.warning("%s: %s", type(exc).__name__, exc)
        if isinstance(exc, CacheDamaged) and again:
            ctx.close()
            return _guarded(run, ctx, again=False)
        print(f"termnews: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("termnews: " + _("interrupted"), file=sys.stderr)
        return 130
    except Terminated as exc:  # SIGTERM / SIGHUP: everything was closed on the way out
        import signal

        if exc.signum == signal.SIGINT:
            print("termnews: " + _("interrupted"), file=sys.stderr)
        else:
            print("termnews: " + _("stopped by {signal}").format(signal=exc), file=sys.stderr)
        return exc.status
    except BrokenPipeError:
        # The reader went away (`termnews articles | head`): stop quietly, and point
        # stdout at /dev/null so the interpreter's final flush does not complain again.
        import os

        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass
        return 0
    except Exception:  # a bug: its trace goes to the log too, then as Python prints it
        log.exception("termnews failed")
        raise
