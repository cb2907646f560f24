"""The ``termnews`` command: argparse subcommands over the engine.

Each subcommand lives in a module of this package exposing ``register(sub)``,
which adds its parser and sets ``handler`` to a function ``(args, ctx) -> int``.
Nothing here imports Textual: the TUI is imported only when it starts.
Exit status: 0 success, 1 failure, 2 bad usage.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence
from typing import NoReturn

from termnews import __version__
from termnews.cli.context import CliError, Context
from termnews.library import LibraryError
from termnews.store.db import StoreError

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
)


class _Quiet(argparse.ArgumentParser):
    """Raises instead of printing: the TUI pre-parse leaves every message to the full parser."""

    def error(self, message: str) -> NoReturn:
        raise ValueError(message)


def _global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR",
                        help="keep config, cache and state under DIR (env TERMNEWS_DATA_DIR)")
    parser.add_argument("--profile", metavar="NAME",
                        help="the user profile (env TERMNEWS_PROFILE; default: your user name)")
    parser.add_argument("--offline", action="store_true", help="never touch the network")
    parser.add_argument("--demo", action="store_true",
                        help="the bundled offline demo outlet, in its own data folder")
    parser.add_argument("--edition", metavar="LANG", help="start in this edition (TUI)")


def _tui_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """argv with global options only (the TUI), parsed without importing any subcommand:
    start-up time is a goal. None when argv needs the full parser."""
    parser = _Quiet(prog="termnews", add_help=False)
    _global_options(parser)
    try:
        args, rest = parser.parse_known_args(argv)
    except ValueError:
        return None
    if rest:
        return None
    args.command = None
    return args


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="termnews",
        description="A terminal news reader: outlets, editions, sections, offline cache.",
    )
    parser.add_argument("--version", action="version", version=f"termnews {__version__}")
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a command still being written
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _tui_args(sys.argv[1:] if argv is None else argv)
    if args is None:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # argparse: 0 for --help/--version, 2 for bad usage
            return int(exc.code or 0)
    ctx = Context.from_args(args)
    try:
        if args.command is None:
            from termnews.cli.tui import run_tui

            return run_tui(args, ctx)
        return int(args.handler(args, ctx))
    except CliError as exc:
        print(f"termnews: {exc}", file=sys.stderr)
        return exc.status
    except (LibraryError, StoreError) as exc:
        print(f"termnews: {exc}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:  # e.g. a locked or full disk mid-command: one line, not a trace
        print(f"termnews: database error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("termnews: interrupted", file=sys.stderr)
        return 130
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
    finally:
        ctx.close()
