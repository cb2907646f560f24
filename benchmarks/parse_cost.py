"""Per-feed parse cost: one full-content feed (50 items, ≈ 143 KiB) and one short feed.

Runs ``parse_feed`` in this process, as a parse worker runs it, many times; prints
the median and the fastest run per feed and, with ``--profile``, where the time went
(cProfile, by cumulative time in termnews's own functions and lxml/nh3).

    python benchmarks/parse_cost.py [--runs 60] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from contentfeeds import make_full_rss  # noqa: E402

from feedserver import make_rss  # noqa: E402
from termnews.feeds.parse import parse_feed  # noqa: E402


def timed(body: bytes, runs: int) -> tuple[float, float]:
    url = "https://news.example/feed.xml"
    parse_feed(body, url=url)  # imports, caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        parse_feed(body, url=url)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000, min(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    feeds = {"full-content": make_full_rss(7, 50), "short items": make_rss(7, 50)}
    for name, body in feeds.items():
        med, best = timed(body, args.runs)
        print(f"{name:13} {len(body) / 1024:6.1f} KiB  parse_feed median {med:6.2f} ms  "
              f"fastest {best:6.2f} ms  ({args.runs} runs, {med / 50 * 1000:.0f} µs per item)")
    if args.profile:
        prof = cProfile.Profile()
        body = feeds["full-content"]
        prof.enable()
        for _ in range(args.runs):
            parse_feed(body, url="https://news.example/feed.xml")
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(18)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
