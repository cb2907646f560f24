"""Time to the first frame showing articles, with 100,000 cached in 200 plain feeds, vs a
hello-world Textual app.

Both run in a real terminal (tmux, 120×40), are timed the same way (spawn → marker on the
screen, polling the pane: for termnews the newest article's title, for hello world its
label) and report peak resident memory at that frame (VmHWM when the marker is seen) and
over the whole run (GNU time). Runs alternate; medians and the ratios are printed.
Both run from compiled bytecode, as an installed package does: PYTHONDONTWRITEBYTECODE
is dropped and PYTHONPYCACHEPREFIX points into the temporary directory, so the warm-up
run of each compiles it once without writing into the source tree.

    python benchmarks/startup.py [--runs 7] [--articles 100000] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from seed import seed
from tmuxrun import TmuxServer, time_to_marker

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
    missing = [tool for tool in ("tmux", "/usr/bin/time") if shutil.which(tool) is None]
    if missing:
        print(f"startup.py needs {' and '.join(missing)} (apt-get install tmux time)",
              file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as tmp:
        data = args.data_dir or Path(tmp) / "data"
        if not (data / "cache.db").exists():
            print(f"seeding {args.articles} articles …", file=sys.stderr)
            # A reader's own feeds, 200 of them plain: the sidebar lists every one, and
            # the first view is Everything.
            seed(data, args.articles, 200, PROFILE, folder="")
        marker = newest_title(data)[:24]
        hello = [sys.executable, str(Path(__file__).parent / "hello_app.py")]
        termnews = [sys.executable, "-m", "termnews", "--data-dir", str(data),
                    "--profile", PROFILE, "--offline"]
        env = {"TEXTUAL_ANIMATIONS": "none", "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pyc")}
        unset = ("PYTHONDONTWRITEBYTECODE",)
        h_runs, t_runs = [], []
        with TmuxServer():
            # Two warm-ups each: bytecode compiled, page cache warm.
            for _ in range(2):
                time_to_marker(hello, "Hello, world", env=env, unset=unset)
                time_to_marker(termnews, marker, env=env, unset=unset)
            for _ in range(args.runs):
                h_runs.append(time_to_marker(hello, "Hello, world", env=env, unset=unset))
                t_runs.append(time_to_marker(termnews, marker, env=env, unset=unset))

    def med(runs: list, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs)

    def verdict(ratio: float, goal: float) -> str:
        return f"ratio {ratio:.3f}  (goal ≤ {goal}: {'met' if ratio <= goal else 'NOT met'})"

    h_t, t_t = med(h_runs, "seconds"), med(t_runs, "seconds")
    h_c, t_c = med(h_runs, "frame_cpu"), med(t_runs, "frame_cpu")
    h_f, t_f = med(h_runs, "frame_kib") / 1024, med(t_runs, "frame_kib") / 1024
    h_m, t_m = med(h_runs, "peak_kib") / 1024, med(t_runs, "peak_kib") / 1024
    label = f"termnews ({args.articles // 1000}k)"
    print(f"first frame         hello-world {h_t * 1000:7.0f} ms   {label} {t_t * 1000:7.0f} ms"
          f"   {verdict(t_t / h_t, 1.5)}")
    print(f"CPU to first frame  hello-world {h_c * 1000:7.0f} ms   {label} {t_c * 1000:7.0f} ms"
          f"   ratio {t_c / h_c:.2f}  (cross-check: CPU time is not stretched by other load)")
    print(f"peak RSS at frame   hello-world {h_f:7.1f} MB   {label} {t_f:7.1f} MB"
          f"   {verdict(t_f / h_f, 2.0)}")
    print(f"peak RSS whole run  hello-world {h_m:7.1f} MB   {label} {t_m:7.1f} MB"
          f"   ratio {t_m / h_m:.2f}  (quit right after the frame)")
    h_best, t_best = min(r.seconds for r in h_runs), min(r.seconds for r in t_runs)
    print(f"fastest runs        hello-world {h_best * 1000:7.0f} ms   {label} "
          f"{t_best * 1000:7.0f} ms   ratio {t_best / h_best:.2f}  (least disturbed by other load)")
    spread = sorted(r.seconds * 1000 for r in t_runs)
    print(f"runs: {args.runs} each, alternating; medians (termnews runs, ms: "
          + ", ".join(f"{v:.0f}" for v in spread) + "; hello-world: "
          + ", ".join(f"{r.seconds * 1000:.0f}" for r in sorted(h_runs, key=lambda r: r.seconds))
          + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
