"""``termnews refresh``: fetch the profile's feeds into the cache."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from termnews.cli.context import CliError, Context
from termnews.cli.output import warn
from termnews.i18n import N_, _, ngettext
from termnews.model import RefreshEvent, RefreshSummary

HELP = N_("""\
Fetch every subscribed feed (conditional GET: an unchanged feed costs one 304).
On a terminal a progress bar runs on stderr; at the end one summary line goes to
stdout, e.g. "refreshed 200 feeds: 198 ok, 2 failed, 0 unchanged, 10000 new articles".
Each failed feed is listed on stderr, one line each ("termnews: URL: error").

With a sync server ([sync] in the config) the refresh syncs too, after the feeds
(a second line: "sync: 12 up, 40 down, 0 conflicts"); with source = "server" it
reads new articles from the server instead of fetching each feed. --no-sync
leaves the server alone and fetches the feeds.

exit status: 0 when the refresh ran, even if some feeds failed; 1 when every
feed failed (nothing could be fetched), the sync failed, or on a storage error;
2 on bad usage (e.g. with --offline, which forbids the network).""")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("refresh", help=_("fetch subscribed feeds"), description=_(HELP),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--full-text", action="store_true",
                   help=_("also fetch the article pages of new articles"))
    p.add_argument("--no-sync", action="store_true",
                   help=_("do not sync with the sync server (fetch the feeds themselves)"))
    p.set_defaults(handler=run)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[RefreshEvent], None] | None]:
    """A Rich progress bar on stderr, or no callback at all when stderr is not a terminal."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    def fresh(n: int) -> str:
        return ngettext("{n} new", "{n} new", n).format(n=n)

    # markup=False: a translation is text, never Rich markup
    with Progress(TextColumn(_("refreshing"), markup=False), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[new]}", markup=False), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("refresh", total=None, new=fresh(0))
        new = 0

        def update(event: RefreshEvent) -> None:
            nonlocal new
            new += event.new_articles
            bar.update(task, completed=event.done, total=event.total, new=fresh(new))

        yield update


def summary_line(s: RefreshSummary, total: int) -> str:
    feeds = ngettext(
        "refreshed {n} feed: {ok} ok, {failed} failed, {unchanged} unchanged",
        "refreshed {n} feeds: {ok} ok, {failed} failed, {unchanged} unchanged", total,
    ).format(n=total, ok=s.feeds_ok, failed=s.feeds_failed, unchanged=s.not_modified)
    articles = ngettext("{n} new article", "{n} new articles", s.new_articles)
    # TRANSLATORS: the refresh summary: "<feeds part>, <new articles part>"
    return _("{feeds}, {articles}").format(feeds=feeds,
                                          articles=articles.format(n=s.new_articles))


def run(args: argparse.Namespace, ctx: Context) -> int:
    if ctx.offline and not ctx.demo:
        raise CliError(_("refresh needs the network, which --offline forbids"), 2)
    lib = ctx.library()
    total = len(lib.subscribed_urls())
    interactive = sys.stderr.isatty()
    seen = 0

    def count(event: RefreshEvent) -> None:
        nonlocal seen
        seen = max(seen, event.total)

    with _progress(interactive) as bar:
        def progress(event: RefreshEvent) -> None:
            count(event)
            if bar is not None:
                bar(event)

        sync = lib.sync_config
        full_text = bool(args.full_text or lib.config.refresh.full_text)
        if sync is not None and sync.source == "server" and not args.no_sync:
            from termnews.sync.source import refresh_blocking

            summary = refresh_blocking(lib, progress=progress, full_text=full_text)
        else:
            from termnews import shutdown  # here, not at import: `--help` need not load it

            # A signal cancels the refresh: its writer rolls back, its parse workers are
            # killed, the files are closed, and Terminated ends the command (128 + N).
            summary = shutdown.run(lib.refresh(progress=progress,
                                               full_text=True if args.full_text else None,
                                               server=not args.no_sync))
    total = max(total, seen)
    for url, error in summary.errors:
        warn(f"{url}: {error}")
    print(summary_line(summary, total))
    if total and summary.feeds_failed >= total:
        raise CliError(_("every feed failed ({failed} of {total})").format(
            failed=summary.feeds_failed, total=total))
    sync = lib.sync_config
    if sync is not None and sync.source != "server" and not args.no_sync:
        from termnews.cli.sync_cmd import sync_library

        sync_library(lib)  # after the feeds: their new articles meet the server's marks
    return 0
