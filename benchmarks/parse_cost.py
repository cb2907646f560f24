"""Per-feed parse cost: one full-content feed (50 items, ≈ 143 KiB) and one short feed.

Runs ``parse_feed`` as a parse worker runs it, many times, in a child process per
round; prints the median and fastest run per feed (CPU time of the process, which
other load on the machine disturbs far less than wall time). ``--against REV``
measures the sources of a git revision the same way, rounds alternating, and prints
the ratio; ``--profile`` shows where the time went (cProfile).

    python benchmarks/parse_cost.py [--runs 40] [--rounds 5] [--against REV] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHAPES = ("full-content", "short items")


def feeds() -> dict[str, bytes]:
    sys.path.insert(0, str(ROOT / "tests"))
    sys.path.insert(0, str(HERE))
    from contentfeeds import make_full_rss

    from feedserver import make_rss

    return {"full-content": make_full_rss(7, 50), "short items": make_rss(7, 50)}


def child(runs: int) -> None:
    """Parse each feed runs times; print the CPU seconds of each parse as JSON."""
    from termnews.feeds.parse import parse_feed

    out: dict[str, list[float]] = {}
    for name, body in feeds().items():
        parse_feed(body, url="https://news.example/feed.xml")  # imports, caches
        samples = []
        for _ in range(runs):
            started = time.process_time()
            parse_feed(body, url="https://news.example/feed.xml")
            samples.append(time.process_time() - started)
        out[name] = samples
    print(json.dumps(out))


def run_child(src: Path, runs: int) -> dict[str, list[float]]:
    env = dict(os.environ, PYTHONPATH=str(src))
    done = subprocess.run([sys.executable, __file__, "--child", "--runs", str(runs)],
                          env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="parses per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", metavar="REV", help="compare with this git revision")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.runs)
        return 0
    sizes = {name: len(body) for name, body in feeds().items()}
    with tempfile.TemporaryDirectory() as tmp:
        sources = {"this tree": ROOT / "src"}
        if args.against:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.against,
                                      "src/termnews"], capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            sources[args.against] = Path(tmp) / "src"
        samples: dict[str, dict[str, list[float]]] = {k: {s: [] for s in SHAPES}
                                                      for k in sources}
        for _ in range(args.rounds):
            for label, src in sources.items():
                for shape, values in run_child(src, args.runs).items():
                    samples[label][shape] += values
    for shape in SHAPES:
        line = f"{shape:13} {sizes[shape] / 1024:6.1f} KiB"
        medians = {}
        for label in sources:
            values = samples[label][shape]
            medians[label] = statistics.median(values) * 1000
            line += (f"   {label}: median {medians[label]:6.2f} ms, fastest "
                     f"{min(values) * 1000:6.2f} ms")
        if args.against:
            line += f"   ratio {medians['this tree'] / medians[args.against]:.2f}"
        print(line)
    print(f"CPU time per parse_feed call, {args.rounds} rounds × {args.runs} parses"
          f"{', alternating' if args.against else ''}; load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.profile:
        import cProfile
        import pstats

        from termnews.feeds.parse import parse_feed

        body = feeds()["full-content"]
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.runs):
            parse_feed(body, url="https://news.example/feed.xml")
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(18)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
