"""``termnews import FILE`` and ``termnews export [FILE]``: feed lists in and out."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from termnews.cli.context import CliError, Context
from termnews.cli.output import one_line, warn
from termnews.errors import TermnewsError
from termnews.i18n import N_, _, ngettext
from termnews.library import Library

IMPORT_HELP = N_("""\
Subscribe to the feeds of an OPML 2.0 file (folders, nested or not, become
folders: "Outer/Inner") or of a newsboat urls file (one URL a line; the first
tag becomes the folder, a "~Title" tag the title; query:, exec: and filter:
lines and "!" tags are skipped with a note). The format is told by content.
A feed that is also a catalog section is subscribed as that section.
The file is read whole first: a malformed file imports nothing (exit 1).""")

EXPORT_HELP = N_("""\
Write the profile's subscriptions as OPML 2.0 to FILE (stdout by default):
catalog sections grouped by outlet and edition, folders as outlines.""")

MAX_LIST_BYTES = 32 * 1024 * 1024  # a feed list larger than this is not a feed list


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    imp = sub.add_parser("import", help=_("subscribe to the feeds of an OPML or newsboat file"),
                         description=_(IMPORT_HELP),
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    imp.add_argument("file", metavar="FILE",
                     help=_("OPML or newsboat urls file ('-' for stdin)"))
    imp.set_defaults(handler=run_import)
    exp = sub.add_parser("export", help=_("write subscriptions as OPML 2.0"),
                         description=_(EXPORT_HELP),
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    exp.add_argument("file", metavar="FILE", nargs="?", default="-",
                     help=_("where to write (default: stdout)"))
    exp.set_defaults(handler=run_export)


def _read(name: str) -> bytes:
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_LIST_BYTES + 1)
        else:
            with open(name, "rb") as fh:
                data = fh.read(MAX_LIST_BYTES + 1)
    except OSError as exc:
        raise CliError(_("cannot read {file}: {error}").format(
            file=one_line(name), error=exc.strerror or exc)) from None
    if len(data) > MAX_LIST_BYTES:
        raise CliError(_("{file}: too large for a feed list").format(file=one_line(name)))
    return data


def run_import(args: argparse.Namespace, ctx: Context) -> int:
    name = args.file
    try:
        feed_list = Library.read_feed_list(_read(name))
    except CliError:
        raise
    except TermnewsError as exc:  # not a feed list
        raise CliError(f"{one_line(name)}: {exc}") from None
    for note in feed_list.notes:
        warn(f"{name}: {note}")
    if not feed_list.feeds:
        raise CliError(_("{file}: no feeds found").format(file=one_line(name)))
    lib = ctx.library(starter=False)
    new = lib.import_feed_list(feed_list)
    total = len(feed_list.feeds)
    print(ngettext("imported {n} feed from {file} ({format}): {new} new, {old} already subscribed",
                   "imported {n} feeds from {file} ({format}): {new} new, "
                   "{old} already subscribed", total)
          .format(n=total, file=one_line(name), format=feed_list.format, new=new,
                  old=total - new))
    return 0


def run_export(args: argparse.Namespace, ctx: Context) -> int:
    lib = ctx.library()
    data = lib.export_opml()
    if args.file == "-":
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
        return 0
    target = Path(args.file)
    try:  # write a temporary file beside the target, then rename: never a half-written file
        fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".",
                                   prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:  # even Ctrl-C: no half-written file is left, then it goes on
            os.unlink(tmp)
            raise
    except OSError as exc:
        raise CliError(_("cannot write {file}: {error}").format(
            file=one_line(args.file), error=exc.strerror or exc)) from None
    n = len(lib.subscribed_urls())
    print(ngettext("exported {n} feeds to {file}", "exported {n} feeds to {file}", n)
          .format(n=n, file=one_line(args.file)), file=sys.stderr)
    return 0
