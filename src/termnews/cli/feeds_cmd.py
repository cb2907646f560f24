"""``termnews feeds add|list|remove``: plain feeds by URL, and every feed's health."""

from __future__ import annotations

import argparse
from typing import Any

from termnews.cli.context import CliError, Context
from termnews.cli.output import iso_utc, json_line, one_line, short_date, warn
from termnews.feeds.opml import is_feed_url
from termnews.i18n import N_, _, ngettext
from termnews.library import Library
from termnews.model import FeedStatus, Subscription

LIST_HELP = N_("""\
Every subscribed feed with the outcome of its last fetch.
--json prints JSON Lines, one object per feed: url, title, error (null when
healthy), fetched_at (ISO 8601 UTC, null before the first fetch), http_status,
articles (how many are cached), outlet, edition, section, folder, next_fetch_at.""")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("feeds", help=_("add, list or remove feeds"),
                       description=_("Add, list or remove plain feeds by URL."))
    fsub = p.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    add = fsub.add_parser("add", help=_("subscribe to feeds by URL"))
    add.add_argument("urls", nargs="+", metavar="URL", help=_("http(s) feed URL"))
    add.add_argument("--no-check", action="store_true",
                     help=_("subscribe without fetching the feed first"))
    add.set_defaults(handler=run_add)
    ls = fsub.add_parser("list", help=_("subscribed feeds and their health"),
                         description=_(LIST_HELP),
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    ls.add_argument("--json", action="store_true", help=_("JSON Lines, one feed a line"))
    ls.set_defaults(handler=run_list)
    rm = fsub.add_parser("remove", help=_("unsubscribe from feeds by URL"))
    rm.add_argument("urls", nargs="+", metavar="URL")
    rm.set_defaults(handler=run_remove)


def catalog_index(lib: Library) -> dict[str, tuple[str, str, str]]:
    """Catalog feed URL -> (outlet, edition, section): such a URL is subscribed as its section."""
    return {s.feed_url: (o.key, e.lang, s.key)
            for o in lib.catalog() for e in o.editions for s in e.sections}


def run_add(args: argparse.Namespace, ctx: Context) -> int:
    for url in args.urls:
        if not is_feed_url(url):
            raise CliError(_("not an http(s) feed URL: {url}").format(url=one_line(url)), 2)
    lib = ctx.library(starter=False)
    urls = list(dict.fromkeys(args.urls))
    catalog = catalog_index(lib)
    before = set(lib.subscribed_urls())
    new = sum(lib.subscribe(*catalog[u]) for u in urls if u in catalog)  # as its section
    new += lib.add_feeds([u for u in urls if u not in catalog])
    if not args.no_check and not ctx.offline:
        return _check_added(lib, [u for u in urls if u not in before], len(urls) - new)
    if new < len(urls):
        print(ngettext("added {n} feed ({old} already subscribed)",
                       "added {n} feeds ({old} already subscribed)", new)
              .format(n=new, old=len(urls) - new))
    else:
        print(ngettext("added {n} feed", "added {n} feeds", new).format(n=new))
    return 0


def _check_added(lib: Library, added: list[str], old: int) -> int:
    """Fetch the feeds just added once: each one's title, or its error. A feed that cannot
    be fetched is not kept (exit 1); --no-check subscribes without asking."""
    import asyncio  # here, not at import: `termnews --help` need not load it

    summary = asyncio.run(lib.refresh(added)) if added else None
    errors = dict(summary.errors) if summary is not None else {}
    if errors:
        lib.remove_feeds(errors)
    titles = {s.url: s.title for s in lib.feed_statuses()}
    for url in added:
        if url in errors:
            warn(_("{url}: {error} (not added)").format(url=url, error=errors[url]))
        else:
            print(one_line(_("added {title} ({url})").format(
                title=titles.get(url) or url, url=url)))
    if old:
        print(ngettext("{n} feed already subscribed", "{n} feeds already subscribed",
                       old).format(n=old))
    return 1 if errors else 0


def run_remove(args: argparse.Namespace, ctx: Context) -> int:
    lib = ctx.library()
    subscribed = set(lib.subscribed_urls())
    missing = [u for u in args.urls if u not in subscribed]
    if missing:  # remove nothing rather than half of what was asked
        raise CliError(_("not subscribed: {url}").format(url=one_line(missing[0])))
    removed = lib.remove_feeds(dict.fromkeys(args.urls))
    print(ngettext("removed {n} feed", "removed {n} feeds", removed).format(n=removed))
    return 0


def feed_record(sub: Subscription, status: FeedStatus | None) -> dict[str, Any]:
    """The JSON form of one feed (the contract: url, title, error, fetched_at …)."""
    return {
        "url": sub.feed_url,
        "title": sub.title or (status.title if status else ""),
        "error": status.error if status else None,
        "fetched_at": iso_utc(status.fetched_at) if status else None,
        "http_status": status.http_status if status else None,
        "articles": status.article_count if status else 0,
        "outlet": sub.outlet,
        "edition": sub.edition,
        "section": sub.section,
        "folder": sub.folder,
        "next_fetch_at": iso_utc(status.next_fetch_at) if status else None,
    }


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    lib = ctx.library()
    statuses = {s.url: s for s in lib.feed_statuses()}
    for sub in lib.subscriptions():
        rec = feed_record(sub, statuses.get(sub.feed_url))
        if args.json:
            json_line(rec)
            continue
        if rec["fetched_at"] is None:
            mark, state = "·", _("never fetched")
        elif rec["error"]:  # the error itself is stored data: it stays as recorded
            mark, state = "✗", _("error: {error}").format(error=rec["error"])
        else:
            mark, state = "✓", ngettext("{n} articles", "{n} articles",
                                        rec["articles"]).format(n=rec["articles"])
        fetched = statuses[sub.feed_url].fetched_at if rec["fetched_at"] else None
        when = f"  {short_date(fetched)}" if fetched else ""
        title = f"  {rec['title']}" if rec["title"] else ""
        print(one_line(f"{mark} {rec['url']}{title}  ({state}){when}"))
    return 0
