"""``termnews cache prune|stats``: keep the cache within its limits, and see what it holds."""

from __future__ import annotations

import argparse
import json
import sys

from termnews.cli.context import Context
from termnews.cli.output import iso_utc

HELP = """\
prune: delete articles beyond each feed's limits — [cache] max_articles (newest
kept) and keep_days in the config, or a [feeds."URL"] override. Articles starred
by any profile are never deleted; cached images unused for keep_days go too.
--vacuum also compacts the database files.
stats: feeds, articles, full texts, starred articles, date range and sizes."""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("cache", help="prune the cache or show its size",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="cache_action", metavar="ACTION", required=True)
    pr = actions.add_parser("prune", help="apply max_articles and keep_days (starred kept)")
    pr.add_argument("--vacuum", action="store_true", help="then compact the database")
    pr.add_argument("--json", action="store_true", help="the counts as one JSON object")
    st = actions.add_parser("stats", help="what the cache holds")
    st.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(handler=run)


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def run(args: argparse.Namespace, ctx: Context) -> int:
    from termnews.prune import cache_stats, compact, prune

    lib = ctx.library(starter=False)
    out = sys.stdout
    if args.cache_action == "prune":
        result = prune(lib, ctx.config)
        from termnews.images import prune_images

        images = prune_images(ctx.paths, ctx.config.cache.keep_days)
        if args.vacuum:
            compact(lib)
        if args.json:
            out.write(json.dumps({
                "feeds": result.feeds, "deleted": result.deleted, "by_age": result.by_age,
                "by_count": result.by_count, "kept_starred": result.kept_starred,
                "images": images,
            }) + "\n")
        else:
            out.write(f"pruned {result.deleted} articles ({result.by_age} too old, "
                      f"{result.by_count} over the per-feed limit) in {result.feeds} feeds; "
                      f"{result.kept_starred} starred kept; {images} old images removed\n")
        return 0
    stats = cache_stats(lib, ctx.paths)
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
        out.write(
            f"feeds        {stats.feeds}\n"
            f"articles     {stats.articles} ({stats.full_texts} with full text, "
            f"{stats.full_text_errors} full-text failures, {stats.starred} starred)\n"
            f"dates        {iso_utc(stats.oldest) or '-'} .. {iso_utc(stats.newest) or '-'}\n"
            f"cache.db     {_size(stats.cache_db_bytes)}\n"
            f"state.db     {_size(stats.state_db_bytes)}\n"
            f"images       {stats.images} ({_size(stats.image_bytes)})\n"
        )
    return 0
