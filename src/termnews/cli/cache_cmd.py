"""``termnews cache prune|stats``: keep the cache within its limits, and see what it holds."""

from __future__ import annotations

import argparse
import json
import sys

from termnews.cli.context import Context
from termnews.cli.output import iso_utc
from termnews.i18n import N_, _, ngettext

HELP = N_("""\
prune: delete articles that have left their feed, beyond its limits — [cache]
max_articles (newest kept) and keep_days in the config, or a [feeds."URL"]
override. What a feed still carries and articles starred by any profile are never
deleted; cached images unused for keep_days go too.
--vacuum also compacts the database files.
stats: feeds, articles, full texts, starred articles, date range and sizes.""")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("cache", help=_("prune the cache or show its size"),
                       description=_(HELP), formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="cache_action", metavar="ACTION", required=True)
    pr = actions.add_parser("prune", help=_("apply max_articles and keep_days (starred kept)"))
    pr.add_argument("--vacuum", action="store_true", help=_("then compact the database"))
    pr.add_argument("--json", action="store_true", help=_("the counts as one JSON object"))
    st = actions.add_parser("stats", help=_("what the cache holds"))
    st.add_argument("--json", action="store_true", help=_("one JSON object"))
    p.set_defaults(handler=run)


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def run(args: argparse.Namespace, ctx: Context) -> int:
    lib = ctx.library(starter=False)
    out = sys.stdout
    if args.cache_action == "prune":
        result = lib.prune()
        images = lib.prune_images()
        if args.vacuum:
            lib.compact()
        if args.json:
            out.write(json.dumps({
                "feeds": result.feeds, "deleted": result.deleted, "by_age": result.by_age,
                "by_count": result.by_count, "kept_starred": result.kept_starred,
                "images": images,
            }) + "\n")
        else:
            out.write(ngettext(
                "pruned {n} articles ({old} too old, {over} over the per-feed limit) in "
                "{feeds} feeds; {starred} starred kept; {images} old images removed",
                "pruned {n} articles ({old} too old, {over} over the per-feed limit) in "
                "{feeds} feeds; {starred} starred kept; {images} old images removed",
                result.deleted,
            ).format(n=result.deleted, old=result.by_age, over=result.by_count,
                     feeds=result.feeds, starred=result.kept_starred, images=images) + "\n")
        return 0
    stats = lib.cache_stats()
    record = {
        "feeds": stats.feeds, "articles": stats.articles, "full_texts": stats.full_texts,
        "full_text_errors": stats.full_text_errors, "starred": stats.starred,
        "oldest": iso_utc(stats.oldest), "newest": iso_utc(stats.newest),
        "cache_db_bytes": stats.cache_db_bytes, "state_db_bytes": stats.state_db_bytes,
        "images": stats.images, "image_bytes": stats.image_bytes,
    }
    if args.json:
        out.write(json.dumps(record) + "\n")
    else:
        # TRANSLATORS: the row labels of `termnews cache stats` (cache.db and state.db are
        # file names and stay as they are)
        rows = [
            (_("feeds"), str(stats.feeds)),
            (_("articles"), _("{n} ({full} with full text, {failed} full-text failures, "
                              "{starred} starred)").format(
                n=stats.articles, full=stats.full_texts, failed=stats.full_text_errors,
                starred=stats.starred)),
            (_("dates"), f"{iso_utc(stats.oldest) or '-'} .. {iso_utc(stats.newest) or '-'}"),
            ("cache.db", _size(stats.cache_db_bytes)),
            ("state.db", _size(stats.state_db_bytes)),
            (_("images"), f"{stats.images} ({_size(stats.image_bytes)})"),
        ]
        width = max(12, max(len(label) for label, _value in rows) + 1)
        out.write("".join(f"{label:<{width}} {value}\n" for label, value in rows))
    return 0
