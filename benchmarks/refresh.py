"""Cold and warm refresh of 200 feeds × 50 items: termnews vs newsboat, side by side.

One loopback server (the tests' FeedServer) serves the feeds to both. Runs
alternate between the two programs; medians and ratios are printed. A third
measure checks that a warm refresh costs the same with 10,000 and with
100,000 articles cached (the cost must follow what changed, not the cache).

    python benchmarks/refresh.py [--runs 5] [--feeds 200] [--items 50]

Needs Debian's newsboat (`apt-get install newsboat`); without it only termnews runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from seed import seed  # noqa: E402

from feedserver import FeedServer, make_opml, make_rss  # noqa: E402

TERMNEWS = [sys.executable, "-m", "termnews"]


def run(cmd: list[str], **kw: object) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)  # type: ignore[call-overload]
    return time.perf_counter() - started


class Termnews:
    def __init__(self, work: Path, opml: Path, name: str = "termnews") -> None:
        self.work, self.opml, self.name = work, opml, name
        self.data = work / name
        # From compiled bytecode, as an installed package runs (pip compiles it); the
        # cache of it lives in the temporary directory, not in the source tree.
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env["PYTHONPYCACHEPREFIX"] = str(work / "pyc")

    def reset(self) -> None:
        shutil.rmtree(self.data, ignore_errors=True)
        self.data.mkdir(parents=True)
        # Same parallelism as newsboat's reload-threads 8 against one host.
        (self.data / "config.toml").write_text("[refresh]\nconcurrency = 16\nper_host = 8\n")
        subprocess.run([*TERMNEWS, "--data-dir", str(self.data), "import", str(self.opml)],
                       check=True, stdout=subprocess.DEVNULL, env=self.env)

    def refresh(self) -> float:
        return run([*TERMNEWS, "--data-dir", str(self.data), "refresh"], env=self.env)


class Newsboat:
    def __init__(self, work: Path, urls: list[str]) -> None:
        self.dir = work / "newsboat"
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "urls").write_text("".join(u + "\n" for u in urls))
        (self.dir / "config").write_text("reload-threads 8\nshow-read-feeds yes\n")

    def reset(self) -> None:
        for suffix in ("", "-journal", ".lock"):
            (self.dir / f"cache.db{suffix}").unlink(missing_ok=True)

    def refresh(self) -> float:
        env = dict(os.environ, HOME=str(self.dir))
        return run(["newsboat", "-x", "reload", "-u", str(self.dir / "urls"),
                    "-c", str(self.dir / "cache.db"), "-C", str(self.dir / "config")],
                   env=env, stderr=subprocess.DEVNULL)


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def alternate(runs: int, *steps: Callable[[], None]) -> None:
    for _ in range(runs):
        for step in steps:
            step()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()
    have_newsboat = shutil.which("newsboat") is not None

    with tempfile.TemporaryDirectory() as tmp, FeedServer() as server:
        work = Path(tmp)
        urls = [server.add(f"/feeds/{i}.xml", make_rss(i, args.items)) for i in range(args.feeds)]
        opml = work / "feeds.opml"
        opml.write_bytes(make_opml(urls))
        tn = Termnews(work, opml)
        nb = Newsboat(work, urls) if have_newsboat else None

        results: dict[str, list[float]] = {k: [] for k in ("tn_cold", "tn_warm", "nb_cold",
                                                            "nb_warm")}
        answers: dict[str, tuple[int, int]] = {}  # last warm run: (200s, 304s) served

        def warm(name: str, refresh: Callable[[], float]) -> None:
            server.clear_log()
            results[f"{name}_warm"].append(refresh())
            answers[name] = (server.count_200(), server.count_304())

        def termnews_round() -> None:
            tn.reset()
            results["tn_cold"].append(tn.refresh())
            warm("tn", tn.refresh)

        def newsboat_round() -> None:
            if nb is None:
                return
            nb.reset()
            results["nb_cold"].append(nb.refresh())
            warm("nb", nb.refresh)

        termnews_round()  # warm-up: imports compiled, page cache warm
        newsboat_round()
        for v in results.values():
            v.clear()
        server.clear_log()
        alternate(args.runs, termnews_round, newsboat_round)

        # Warm refresh with 10k vs 100k cached articles.
        big = Termnews(work, opml, "termnews-100k")
        big.reset()
        big.refresh()
        extra_feeds = 200
        seed(big.data, 90_000, extra_feeds, "bench-extra")
        small_warm, big_warm = [], []
        big.refresh()  # warm-up: the bigger cache file into the page cache
        for _ in range(2 * args.runs):  # cheap runs: twice as many, for a steadier median
            small_warm.append(tn.refresh())
            big_warm.append(big.refresh())

    def verdict(ratio: float, goal: float) -> str:
        return f"ratio {ratio:.2f}  (goal ≤ {goal}: {'met' if ratio <= goal else 'NOT met'})"

    tn_cold, tn_warm = median_ms(results["tn_cold"]), median_ms(results["tn_warm"])
    print(f"{args.feeds} feeds × {args.items} items, loopback, {args.runs} alternating runs, "
          "medians")
    print(f"cold refresh  termnews {tn_cold:7.0f} ms", end="")
    if have_newsboat:
        nb_cold, nb_warm = median_ms(results["nb_cold"]), median_ms(results["nb_warm"])
        print(f"   newsboat {nb_cold:7.0f} ms   {verdict(tn_cold / nb_cold, 0.5)}")
        print(f"warm refresh  termnews {tn_warm:7.0f} ms   newsboat {nb_warm:7.0f} ms"
              f"   {verdict(tn_warm / nb_warm, 0.1)}")
    else:
        print("   (newsboat not installed)")
        print(f"warm refresh  termnews {tn_warm:7.0f} ms")
    for name, label in (("tn", "termnews"), ("nb", "newsboat")):
        if name in answers:
            full, unchanged = answers[name]
            print(f"  a warm {label} refresh got {full} full answers (200) and "
                  f"{unchanged} 'not modified' (304)")
    s, b = median_ms(small_warm), median_ms(big_warm)
    print(f"warm refresh  10k cached {s:7.0f} ms   100k cached {b:7.0f} ms   {verdict(b / s, 1.2)}")
    results.update(warm_10k=small_warm, warm_100k=big_warm)
    print("all runs, ms: " + "; ".join(
        f"{k} " + ",".join(f"{v * 1000:.0f}" for v in vals) for k, vals in results.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
