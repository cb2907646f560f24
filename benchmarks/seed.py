"""Fill a data directory with a large synthetic cache (default 100,000 articles).

The articles go through the engine's own store functions, spread over the
sections of a synthetic outlet, with words drawn from a fixed vocabulary so
search and related-article queries see a realistic spread of terms.

Fast enough for a million articles (≈ 30 s): the text comes from pools of
pre-drawn phrases combined per article, and many feeds are stored per transaction.

    python benchmarks/seed.py DATA_DIR [--articles 100000] [--feeds 200] [--profile bench] [--plain]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from termnews.config import Config
from termnews.library import Library
from termnews.model import ParsedEntry, ParsedFeed
from termnews.paths import resolve_paths
from termnews.store import cache

SECTIONS = ("world", "russia", "society", "opinion", "science", "sport", "incidents", "business")
VOCAB = (
    "harbour council budget election rail bridge drought orbit telescope vaccine tariff "
    "pipeline strike festival museum glacier satellite reactor wildfire summit treaty "
    "parliament ministry forecast inflation export import grain wheat copper lithium battery "
    "stadium league coach transfer marathon cyclist referee championship verdict court appeal "
    "police flood storm earthquake volcano rescue hospital clinic school teacher students "
    "university research genome fossil comet asteroid rover startup merger shares bank "
    "currency rouble euro pension housing rent subway airport airline ferry shipping port "
    "border customs protest union wages factory steel timber fishery climate emission solar "
    "wind turbine grid outage cyber hacker software chip robot drone archive library theatre"
).split()
POOL = 4096  # phrases per pool; an article combines several, so texts rarely repeat
ROWS_PER_TRANSACTION = 50_000


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(VOCAB, k=n))


def seed(data_dir: Path, articles: int, feeds: int, profile: str, seed_value: int = 7,
         *, folder: str = "Bench") -> float:
    """folder="" makes plain feeds (a reader's own, one sidebar row each, as from a flat
    OPML file); else all the feeds sit in that one folder."""
    rng = random.Random(seed_value)
    paths = resolve_paths(data_dir).ensure()
    lib = Library(paths, Config(), profile)
    lib.start(starter=False)
    urls = [f"http://127.0.0.1:9/{profile}/{i}.xml" for i in range(feeds)]
    lib.add_feeds(urls, folder=folder,
                  titles={u: f"Bench feed {i}" for i, u in enumerate(urls)})
    lib.feed_sources()
    per_feed = articles // feeds
    base = datetime(2026, 11, 1, tzinfo=UTC)
    # 8-word titles and 40-word summaries, each put together from pooled phrases.
    heads = [words(rng, 4).capitalize() for _ in range(POOL)]
    tails = [words(rng, 4) for _ in range(POOL)]
    parts = [words(rng, 10) for _ in range(POOL)]
    sections = [s.title() for s in SECTIONS]
    minutes = 60 * 24 * 365
    started = time.perf_counter()
    conn = lib.conn
    pending = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        for i, url in enumerate(urls):
            r = rng.getrandbits
            entries = tuple(
                ParsedEntry(
                    guid=f"bench-{i}-{j}",
                    url=f"http://127.0.0.1:9/{profile}/{i}/{j}.html",
                    title=f"{heads[r(12)]} {tails[r(12)]}",
                    summary=f"{parts[r(12)]} {parts[r(12)]} {parts[r(12)]} {parts[r(12)]}",
                    published=base - timedelta(minutes=r(20) % minutes),
                    categories=(sections[r(3)],),
                    author="Bench Author",
                )
                for j in range(per_feed)
            )
            cache.store_entries(conn, url, ParsedFeed(title=f"Bench feed {i}", language="en",
                                                      entries=entries))
            pending += per_feed
            if pending >= ROWS_PER_TRANSACTION:
                conn.execute("COMMIT")
                conn.execute("BEGIN IMMEDIATE")
                pending = 0
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("PRAGMA optimize")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    lib.close()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--profile", default="bench")
    parser.add_argument("--plain", action="store_true",
                        help="plain feeds (one sidebar row each), not one folder")
    args = parser.parse_args()
    took = seed(args.data_dir, args.articles, args.feeds, args.profile,
                folder="" if args.plain else "Bench")
    print(f"seeded {args.articles} articles in {args.feeds} feeds into {args.data_dir} "
          f"in {took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
