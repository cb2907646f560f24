"""``termnews articles``: the profile's articles, newest first, as text or JSON Lines."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from termnews.cli.context import Context
from termnews.cli.output import iso_utc, one_line, short_date
from termnews.i18n import N_, _
from termnews.library import Library
from termnews.model import Article, ArticleQuery
from termnews.store.export import iter_articles

HELP = N_("""\
The articles of the profile's subscriptions, newest first (undated last); all
matching articles unless --limit is given. Text: one line per article,
"ID  date (UTC)  [section] title". --json: JSON Lines, one article a line, with
id, outlet, edition, section, feed_url, guid, url, title, author, published
(ISO 8601 UTC, "2026-11-20T12:00:00Z", or null), summary (plain text),
categories, read, starred, plus editor, language, image_url, image_caption,
image_credit, alternates ([{lang, url}]) and full_text (bool: page text cached).""")


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a number: {text}").format(text=repr(text))) from None
    if n < 0:
        raise argparse.ArgumentTypeError(_("must be 0 or more"))
    return n


def add_filters(p: argparse.ArgumentParser) -> None:
    """The article filters `articles` and `mark --all` share."""
    p.add_argument("--unread", action="store_true", help=_("only unread articles"))
    p.add_argument("--starred", action="store_true", help=_("only starred articles"))
    p.add_argument("--outlet", metavar="O", help=_("only this outlet (key, e.g. pravda)"))
    # dest differs from the global --edition (the TUI's start edition) so neither hides the other
    p.add_argument("--edition", metavar="LANG", dest="filter_edition",
                   help=_("only this edition (language code)"))
    p.add_argument("--section", metavar="S", help=_("only this section key (e.g. world)"))
    p.add_argument("--search", metavar="QUERY", help=_("full-text search (words as prefixes)"))


def query_from(args: argparse.Namespace, lib: Library) -> ArticleQuery:
    outlet = args.outlet
    if outlet is not None:  # accept the outlet's name as well as its key
        found = next((o for o in lib.outlets()
                      if outlet.casefold() in (o.key.casefold(), o.name.casefold())), None)
        outlet = found.key if found else outlet
    return ArticleQuery(
        feed_urls=tuple(lib.subscribed_urls()),
        outlet=outlet, edition=args.filter_edition, section=args.section,
        unread=args.unread, starred=args.starred,
        search=args.search if args.search else None,
        limit=getattr(args, "limit", None),
    )


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("articles", help=_("list articles (text or JSON Lines)"),
                       description=_(HELP),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help=_("JSON Lines, one article a line"))
    add_filters(p)
    p.add_argument("--limit", metavar="N", type=_count, help=_("at most N articles"))
    p.set_defaults(handler=run)


def article_record(a: Article) -> dict[str, Any]:
    """An article in the JSON contract form."""
    return {
        "id": a.id,
        "outlet": a.outlet,
        "edition": a.edition,
        "section": a.section,
        "feed_url": a.feed_url,
        "guid": a.guid,
        "url": a.url,
        "title": a.title,
        "author": a.author,
        "published": iso_utc(a.published),
        "summary": a.summary,
        "categories": list(a.categories),
        "read": a.read,
        "starred": a.starred,
        "editor": a.editor,
        "language": a.language,
        "image_url": a.image_url,
        "image_caption": a.image_caption,
        "image_credit": a.image_credit,
        "alternates": [{"lang": alt.lang, "url": alt.url} for alt in a.alternates],
        "full_text": bool(a.full_text),
    }


def run(args: argparse.Namespace, ctx: Context) -> int:
    lib = ctx.library()
    q = query_from(args, lib)
    out = sys.stdout
    batch: list[str] = []
    if args.json:
        for article in iter_articles(lib.conn, q, lib.profile):
            batch.append(json.dumps(article_record(article), ensure_ascii=False) + "\n")
            if len(batch) >= 1000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))
    else:
        for row in lib.articles(q):
            batch.append(f"{row.id}  {short_date(row.published)}  "
                         f"[{one_line(row.section)}] {one_line(row.title)}\n")
            if len(batch) >= 1000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))
    out.flush()
    return 0
