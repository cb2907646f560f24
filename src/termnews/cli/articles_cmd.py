"""``termnews articles``: the profile's articles, newest first, as text or JSON Lines."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from termnews.cli.context import CliError, Context
from termnews.cli.output import iso_utc, one_line, short_date
from termnews.i18n import N_, _
from termnews.library import FEED_OUTLET_PREFIX, FOLDER_OUTLET_PREFIX, Library
from termnews.model import Article, ArticleQuery, Outlet
from termnews.store.export import iter_articles

HELP = N_("""\
The articles of the profile's subscriptions, newest first (undated last); all
matching articles unless --limit is given. Text: one line per article,
"ID  date (UTC)  [section] title" (a feed of your own named by its title).
--json: JSON Lines, one article a line, with id, outlet, edition, section,
feed_url, guid, url, title, author, published (ISO 8601 UTC,
"2026-11-20T12:00:00Z", or null), summary (plain text), categories, read,
starred, plus editor, language, image_url, image_caption, image_credit,
alternates ([{lang, url}]) and full_text (bool: page text cached).""")


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


def _find_outlet(outlets: tuple[Outlet, ...], text: str) -> Outlet | None:
    """An outlet by key or name; a plain feed by its title or URL, a folder by its name."""
    wanted = text.casefold()
    for o in outlets:
        names = {o.key.casefold(), o.name.casefold()}
        if o.key.startswith(FEED_OUTLET_PREFIX):
            names.add(o.key[len(FEED_OUTLET_PREFIX):].casefold())
        if wanted in names:
            return o
    return None


def resolve_filters(args: argparse.Namespace,
                    lib: Library) -> tuple[str | None, str | None, str | None]:
    """The --outlet, --edition and --section filters as keys; one that names nothing the
    profile can see is a usage error (exit 2), never an empty listing."""
    if args.outlet is None and args.filter_edition is None and args.section is None:
        return None, None, None
    outlets = lib.outlets()
    outlet: Outlet | None = None
    if args.outlet is not None:
        outlet = _find_outlet(outlets, args.outlet)
        if outlet is None:
            raise CliError(_("no outlet '{outlet}' (see: termnews outlets)").format(
                outlet=one_line(args.outlet)), 2)
    scope = (outlet,) if outlet is not None else outlets
    edition = args.filter_edition
    if edition is not None and not any(e.lang == edition for o in scope for e in o.editions):
        if outlet is not None:
            raise CliError(_("{outlet} has no edition '{edition}' (editions: {editions})").format(
                outlet=one_line(outlet.name), edition=one_line(edition),
                editions=", ".join(outlet.languages)), 2)
        raise CliError(_("no edition '{edition}' (see: termnews outlets)").format(
            edition=one_line(edition)), 2)
    section = args.section
    if section is not None:
        sections = [s for o in scope for e in o.editions if edition is None or e.lang == edition
                    for s in e.sections]
        found = next((s for s in sections if s.key == section), None) or next(
            (s for s in sections if s.title.casefold() == section.casefold()), None)
        if found is None:
            raise CliError(_("no section '{section}' (see: termnews outlets)").format(
                section=one_line(section)), 2)
        section = found.key
    return (outlet.key if outlet is not None else None), edition, section


def query_from(args: argparse.Namespace, lib: Library) -> ArticleQuery:
    outlet, edition, section = resolve_filters(args, lib)
    return ArticleQuery(
        feed_urls=tuple(lib.subscribed_urls()),
        outlet=outlet, edition=edition, section=section,
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
        # A catalog section by its key ("world"); a feed of the reader's own by its title.
        names = {(o.key, e.lang, s.key): s.title for o in lib.outlets()
                 if o.key.startswith((FEED_OUTLET_PREFIX, FOLDER_OUTLET_PREFIX))
                 for e in o.editions for s in e.sections}
        for row in lib.articles(q):
            where = names.get((row.outlet, row.edition, row.section)) or row.section
            batch.append(f"{row.id}  {short_date(row.published)}  "
                         f"[{one_line(where)}] {one_line(row.title)}\n")
            if len(batch) >= 1000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))
    out.flush()
    return 0
