"""``termnews import FILE`` and ``termnews export [FILE]``: feed lists in and out."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from termnews.cli.context import CliError, Context
from termnews.cli.feeds_cmd import catalog_index
from termnews.cli.output import one_line, warn
from termnews.feeds.opml import ExportFeed, FeedListError, build_opml, parse_feed_list
from termnews.i18n import N_, _, ngettext
from termnews.library import FEED_OUTLET_PREFIX, FOLDER_OUTLET_PREFIX, Library

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
        feed_list = parse_feed_list(_read(name))
    except FeedListError as exc:
        raise CliError(f"{one_line(name)}: {exc}") from None
    for note in feed_list.notes:
        warn(f"{name}: {note}")
    if not feed_list.feeds:
        raise CliError(_("{file}: no feeds found").format(file=one_line(name)))
    lib = ctx.library(starter=False)
    catalog = catalog_index(lib)
    new = 0
    folders: dict[str, list[tuple[str, str]]] = {}
    for feed in feed_list.feeds:
        place = catalog.get(feed.url)
        if place is not None:
            new += lib.subscribe(*place)
        else:
            folders.setdefault(feed.folder, []).append((feed.url, feed.title))
    for folder, feeds in folders.items():
        new += lib.add_feeds([u for u, _ in feeds], folder=folder,
                             titles={u: t for u, t in feeds if t})
    total = len(feed_list.feeds)
    print(ngettext("imported {n} feed from {file} ({format}): {new} new, {old} already subscribed",
                   "imported {n} feeds from {file} ({format}): {new} new, "
                   "{old} already subscribed", total)
          .format(n=total, file=one_line(name), format=feed_list.format, new=new,
                  old=total - new))
    return 0


def export_feeds(lib: Library) -> list[ExportFeed]:
    """The profile's subscriptions placed in OPML folders."""
    outlets = {o.key: o for o in lib.catalog()}
    titles = {s.url: s.title for s in lib.feed_statuses()}
    feeds = []
    for sub in lib.subscriptions():
        title = sub.title or titles.get(sub.feed_url, "")
        outlet = outlets.get(sub.outlet)
        if outlet is not None:
            edition = outlet.edition(sub.edition)
            path: tuple[str, ...] = (outlet.name, edition.name if edition else sub.edition)
        elif sub.folder:
            path = tuple(p for p in sub.folder.split("/") if p)
        elif sub.outlet.startswith(FOLDER_OUTLET_PREFIX):
            path = (sub.outlet[len(FOLDER_OUTLET_PREFIX):],)
        elif sub.outlet.startswith(FEED_OUTLET_PREFIX):
            path = ()
        else:  # an outlet from the config file, or one no longer in the catalog
            path = (sub.outlet,)
        feeds.append(ExportFeed(url=sub.feed_url, title=title, path=path))
    return feeds


def run_export(args: argparse.Namespace, ctx: Context) -> int:
    lib = ctx.library()
    data = build_opml(export_feeds(lib), title=f"termnews subscriptions of {lib.profile}")
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
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        raise CliError(_("cannot write {file}: {error}").format(
            file=one_line(args.file), error=exc.strerror or exc)) from None
    n = len(lib.subscribed_urls())
    print(ngettext("exported {n} feeds to {file}", "exported {n} feeds to {file}", n)
          .format(n=n, file=one_line(args.file)), file=sys.stderr)
    return 0
