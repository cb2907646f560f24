"""``termnews refresh``: fetch the profile's feeds into the cache."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from termnews.cli.context import CliError, Context
from termnews.cli.output import warn
from termnews.model import RefreshEvent, RefreshSummary

HELP = """\
Fetch every subscribed feed (conditional GET: an unchanged feed costs one 304).
On a terminal a progress bar runs on stderr; at the end one summary line goes to
stdout, e.g. "refreshed 200 feeds: 198 ok, 2 failed, 0 unchanged, 10000 new articles".
Each failed feed is listed on stderr, one line each ("termnews: URL: error").

exit status: 0 when the refresh ran, even if some feeds failed; 1 when every
feed failed (nothing could be fetched) or on a storage error; 2 on bad usage
(e.g. with --offline, which forbids the network)."""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("refresh", help="fetch subscribed feeds", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--full-text", action="store_true",
                   help="also fetch the article pages of new articles")
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
    with Progress(TextColumn("refreshing"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[new]} new"), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("refresh", total=None, new=0)
        new = 0

        def update(event: RefreshEvent) -> None:
            nonlocal new
            new += event.new_articles
            bar.update(task, completed=event.done, total=event.total, new=new)

        yield update


def summary_line(s: RefreshSummary, total: int) -> str:
    return (f"refreshed {total} feed{'s' if total != 1 else ''}: {s.feeds_ok} ok, "
            f"{s.feeds_failed} failed, {s.not_modified} unchanged, "
            f"{s.new_articles} new article{'s' if s.new_articles != 1 else ''}")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if ctx.offline and not ctx.demo:
        raise CliError("refresh needs the network, which --offline forbids", 2)
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

        import asyncio  # here, not at import: `termnews --help` need not load it

        summary = asyncio.run(lib.refresh(progress=progress,
                                          full_text=True if args.full_text else None))
    total = max(total, seen)
    for url, error in summary.errors:
        warn(f"{url}: {error}")
    print(summary_line(summary, total))
    if total and summary.feeds_failed >= total:
        raise CliError(f"every feed failed ({summary.feeds_failed} of {total})")
    return 0
