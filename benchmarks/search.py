"""Search and related-article queries on a 100,000-article cache.

Prints: `termnews articles --search Q --limit 20` vs `termnews articles --limit 20` (whole
commands, alternating, medians, ratio); in-process FTS search latency; and
related-article latency (median and p95) over random articles.

    python benchmarks/search.py [--data-dir DIR] [--runs 9] [--samples 200]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import VOCAB, seed

from termnews.config import Config
from termnews.library import Library
from termnews.model import ArticleQuery
from termnews.paths import resolve_paths

PROFILE = "bench"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(11)

    with tempfile.TemporaryDirectory() as tmp:
        data = args.data_dir or Path(tmp) / "data"
        if not (data / "cache.db").exists():
            print("seeding 100000 articles …", file=sys.stderr)
            seed(data, 100_000, 200, PROFILE)
        base = [sys.executable, "-m", "termnews", "--data-dir", str(data), "--profile", PROFILE,
                "articles", "--limit", "20"]
        # From compiled bytecode, as an installed package runs; cached in the temporary dir.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pyc")
        plain, search = [], []
        timed(base, env)
        timed([*base, "--search", "harbour strike"], env)
        for _ in range(args.runs):
            plain.append(timed(base, env))
            search.append(timed([*base, "--search", "harbour strike"], env))
        p, s = statistics.median(plain), statistics.median(search)
        print(f"CLI  articles --limit 20 {p * 1000:6.0f} ms   with --search {s * 1000:6.0f} ms"
              f"   ratio {s / p:.2f}  (goal ≤ 1.3: {'met' if s / p <= 1.3 else 'NOT met'})")

        lib = Library(resolve_paths(data), Config(), PROFILE)
        page = []
        for _ in range(args.samples):
            started = time.perf_counter()
            lib.articles(ArticleQuery(limit=20))
            page.append(time.perf_counter() - started)
        print(f"newest 20 (no search)           median {statistics.median(page) * 1000:5.1f} ms"
              f"   p95 {p95(page) * 1000:5.1f} ms")
        fts = []
        for _ in range(args.samples):
            q = " ".join(rng.sample(VOCAB, 2))
            started = time.perf_counter()
            lib.articles(ArticleQuery(search=q, limit=20))
            fts.append(time.perf_counter() - started)
        print(f"FTS search (2 words, limit 20)  median {statistics.median(fts) * 1000:5.1f} ms"
              f"   p95 {p95(fts) * 1000:5.1f} ms")

        ids = [r[0] for r in lib.conn.execute("SELECT id FROM articles ORDER BY random() LIMIT ?",
                                              (args.samples,))]
        lib.related(ids[0])  # warm the page cache
        lat = []
        for article_id in ids:
            started = time.perf_counter()
            lib.related(article_id)
            lat.append(time.perf_counter() - started)
        worst = p95(lat)
        print(f"related articles ({len(ids)} random)  median {statistics.median(lat) * 1000:5.1f} "
              f"ms   p95 {worst * 1000:5.1f} ms  (goal p95 ≤ 50 ms: "
              f"{'met' if worst <= 0.05 else 'NOT met'})")
        lib.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
