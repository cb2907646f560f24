"""Time to the first frame showing articles, with 100,000 cached, vs a hello-world Textual app.

Both run in a real terminal (tmux, 120×40), are timed the same way (spawn → marker on the
screen, polling the pane) and report peak resident memory (GNU time). Runs alternate;
medians and the ratios are printed.

    python benchmarks/startup.py [--runs 7] [--articles 100000] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from seed import seed
from tmuxrun import time_to_marker

PROFILE = "bench"


def newest_title(data_dir: Path) -> str:
    conn = sqlite3.connect(data_dir / "cache.db")
    (title,) = conn.execute(
        "SELECT title FROM articles ORDER BY published DESC, id DESC LIMIT 1"
    ).fetchone()
    conn.close()
    return str(title)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, help="reuse a seeded data dir")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data = args.data_dir or Path(tmp) / "data"
        if not (data / "cache.db").exists():
            print(f"seeding {args.articles} articles …", file=sys.stderr)
            seed(data, args.articles, 200, PROFILE)
        marker = newest_title(data)[:24]
        hello = [sys.executable, str(Path(__file__).parent / "hello_app.py")]
        termnews = [sys.executable, "-m", "termnews", "--data-dir", str(data),
                    "--profile", PROFILE, "--offline"]
        env = {"TEXTUAL_ANIMATIONS": "none"}
        # One warm-up each so both start from a warm page cache.
        time_to_marker(hello, "Hello, world", env=env)
        time_to_marker(termnews, marker, env=env)
        h_runs, t_runs = [], []
        for _ in range(args.runs):
            h_runs.append(time_to_marker(hello, "Hello, world", env=env))
            t_runs.append(time_to_marker(termnews, marker, env=env))

    def med(runs: list, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs)

    h_t, t_t = med(h_runs, "seconds"), med(t_runs, "seconds")
    h_m, t_m = med(h_runs, "peak_kib") / 1024, med(t_runs, "peak_kib") / 1024
    print(f"first frame  hello-world {h_t * 1000:7.0f} ms   termnews (100k) {t_t * 1000:7.0f} ms"
          f"   ratio {t_t / h_t:.2f}  (goal ≤ 1.5)")
    print(f"peak memory  hello-world {h_m:7.1f} MB   termnews (100k) {t_m:7.1f} MB"
          f"   ratio {t_m / h_m:.2f}  (goal ≤ 2.0)")
    print(f"runs: {args.runs} each, alternating; medians")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
