"""``termnews mark read|unread|star|unstar ID… | --all [filters]``."""

from __future__ import annotations

import argparse

from termnews.cli.articles_cmd import add_filters, query_from
from termnews.cli.context import CliError, Context
from termnews.i18n import N_, _, ngettext

HELP = N_("""\
Mark articles (by the IDs `termnews articles` shows) read, unread, starred or
unstarred for this profile, or with --all every article matching the filters.
Marks are kept per profile and survive a cache rebuild. An unknown ID marks
nothing and exits 1.""")

ACTIONS = ("read", "unread", "star", "unstar")
FILTERS = ("unread", "starred", "outlet", "filter_edition", "section", "search")


def _id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not an article id: {text}").format(text=repr(text))) from None


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("mark", help=_("mark articles read/unread/starred/unstarred"),
                       description=_(HELP), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=ACTIONS, metavar="read|unread|star|unstar")
    p.add_argument("ids", nargs="*", type=_id, metavar="ID", help=_("article id"))
    p.add_argument("--all", action="store_true", help=_("every article matching the filters"))
    add_filters(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    filtered = any(getattr(args, f) for f in FILTERS)
    if args.all and args.ids:
        raise CliError(_("give article IDs or --all, not both"), 2)
    if not args.all and not args.ids:
        raise CliError(_("give article IDs or --all"), 2)
    if filtered and not args.all:
        raise CliError(_("filters go with --all"), 2)
    lib = ctx.library()
    if args.all:
        ids = [r.id for r in lib.articles(query_from(args, lib))]
    else:
        ids = list(dict.fromkeys(args.ids))
    # An unknown id raises: nothing is marked. n counts the articles whose mark changed.
    if args.action in ("read", "unread"):
        n = lib.mark_read(ids, args.action == "read")
    else:
        n = lib.star(ids, args.action == "star")
    # Whole sentences per action: the participle agrees with the noun in most languages.
    if args.action == "read":
        line = ngettext("marked {n} article read", "marked {n} articles read", n)
    elif args.action == "unread":
        line = ngettext("marked {n} article unread", "marked {n} articles unread", n)
    elif args.action == "star":
        line = ngettext("marked {n} article starred", "marked {n} articles starred", n)
    else:
        line = ngettext("marked {n} article unstarred", "marked {n} articles unstarred", n)
    print(line.format(n=n))
    return 0
