"""``termnews outlets`` and ``subscribe|unsubscribe OUTLET [EDITION [SECTION]]``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from termnews.cli.context import CliError, Context
from termnews.cli.output import one_line
from termnews.i18n import N_, _, ngettext
from termnews.library import FEED_OUTLET_PREFIX, FOLDER_OUTLET_PREFIX
from termnews.model import Outlet

OUTLETS_HELP = N_("""\
The catalog: outlets → editions (language) → sections (each a feed), and the
user's own feeds and folders as outlets. ✓ marks a subscribed section.
--json prints one JSON document: a list of outlets {key, name, demo, user,
editions: [{lang, name, home, rtl, sections: [{key, title, feed_url, verified,
subscribed}]}]}.""")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("outlets", help=_("list outlets, editions and sections"),
                       description=_(OUTLETS_HELP),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help=_("one JSON document"))
    p.set_defaults(handler=run_outlets)
    for name, help_text, description in (
        ("subscribe", _("subscribe to an outlet, one edition or one section"),
         _("Subscribe to an outlet's edition (by default the one of your language, else "
           "English), a given edition, or one section of it. See `termnews outlets` for "
           "the keys.")),
        ("unsubscribe", _("unsubscribe from an outlet, one edition or one section"),
         _("Unsubscribe from an outlet's edition (by default the one of your language, else "
           "English), a given edition, or one section of it. See `termnews outlets` for "
           "the keys.")),
    ):
        s = sub.add_parser(name, help=help_text, description=description)
        s.add_argument("outlet", metavar="OUTLET", help=_("outlet key or name, e.g. pravda"))
        s.add_argument("edition", metavar="EDITION", nargs="?",
                       help=_("language code, e.g. ru"))
        s.add_argument("section", metavar="SECTION", nargs="?",
                       help=_("section key, e.g. world"))
        s.set_defaults(handler=run_subscribe if name == "subscribe" else run_unsubscribe)


def outlets_data(outlets: tuple[Outlet, ...], subscribed: set[str]) -> list[dict[str, Any]]:
    return [
        {
            "key": o.key, "name": o.name, "demo": o.demo, "user": o.user,
            "editions": [
                {
                    "lang": e.lang, "name": e.name, "home": e.home, "rtl": e.rtl,
                    "sections": [
                        {"key": s.key, "title": s.title, "feed_url": s.feed_url,
                         "verified": s.verified, "subscribed": s.feed_url in subscribed}
                        for s in e.sections
                    ],
                }
                for e in o.editions
            ],
        }
        for o in outlets
    ]


def run_outlets(args: argparse.Namespace, ctx: Context) -> int:
    lib = ctx.library()
    data = outlets_data(lib.outlets(), set(lib.subscribed_urls()))
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    own = [o for o in data if o["key"].startswith((FEED_OUTLET_PREFIX, FOLDER_OUTLET_PREFIX))]
    for o in data:
        if o in own:
            continue
        print(one_line(f"{o['key']}  {o['name']}"))
        for e in o["editions"]:
            home = f"  {e['home']}" if e["home"] else ""
            print(one_line(f"  {e['lang'] or '—'}  {e['name']}{home}"))
            for s in e["sections"]:
                mark = "✓" if s["subscribed"] else " "
                unverified = "  " + _("(unverified)") if not s["verified"] else ""
                print(one_line(f"    {mark} {s['key']:<10} {s['title']:<14} "
                               f"{s['feed_url']}{unverified}"))
    # The reader's own feeds as they show in the sidebar: folders with their feeds (key for
    # --section), then plain feeds (their title is the --outlet to give).
    for o in own:
        sections = [s for e in o["editions"] for s in e["sections"]]
        if o["key"].startswith(FOLDER_OUTLET_PREFIX):
            print(one_line(_("folder {name}").format(name=o["name"])))
            for s in sections:
                mark = "✓" if s["subscribed"] else " "
                print(one_line(f"    {mark} {pad(s['key'], 24)} {pad(s['title'], 24)} "
                               f"{s['feed_url']}"))
    for o in own:
        if o["key"].startswith(FEED_OUTLET_PREFIX):
            for s in o["editions"][0]["sections"] if o["editions"] else []:
                print(one_line(_("feed {title}").format(title=pad(s["title"], 30))
                               + f" {s['feed_url']}"))
    return 0


def pad(text: str, width: int) -> str:
    """text padded to width terminal cells (a CJK character takes two)."""
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def _where(args: argparse.Namespace) -> str:
    return " ".join(p for p in (args.outlet, args.edition, args.section) if p)


def run_subscribe(args: argparse.Namespace, ctx: Context) -> int:
    lib = ctx.library(starter=False)
    new = lib.subscribe(args.outlet, args.edition, args.section)
    what = one_line(_where(args))
    if new:
        print(ngettext("subscribed to {n} feed of {what}", "subscribed to {n} feeds of {what}",
                       new).format(n=new, what=what))
    else:
        print(_("already subscribed to {what}").format(what=what))
    return 0


def run_unsubscribe(args: argparse.Namespace, ctx: Context) -> int:
    lib = ctx.library()
    removed = lib.unsubscribe(args.outlet, args.edition, args.section)
    what = one_line(_where(args))
    if not removed:
        raise CliError(_("not subscribed to {what}").format(what=what))
    print(ngettext("unsubscribed from {n} feed of {what}", "unsubscribed from {n} feeds of {what}",
                   removed).format(n=removed, what=what))
    return 0
