"""Cold and warm refresh, termnews vs newsboat, from a real static web server; and scale.

nginx (Debian's package, ``nginx.py``) serves the feeds as static files on
127.0.0.1 to both programs: ETag and Last-Modified on, gzip. Two shapes of feed,
N feeds × M items each (200 × 50 by default):

* short items: ≈ 30 words of HTML per item (the tests' ``make_rss``), ≈ 29 KiB a feed;
* full content: ≈ 300 words of HTML paragraphs per item (``contentfeeds.py``),
  ≈ 2.9 KB of XML per item, ≈ 143 KiB a feed.

A round of a program: fresh state → timed cold refresh → timed warm refresh (nothing
changed). termnews runs with ``concurrency = 16, per_host = 8`` (newsboat:
``reload-threads 8``). Rounds alternate between the programs; medians and ratios.

Scale: three termnews caches holding 10k, 100k and 1,000,000 articles (the 200 short
feeds refreshed into them, the rest seeded by ``seed.py``), alternating: a warm refresh
of the 200 feeds (nothing changed), a refresh in which 10 of them changed (one new
item each: storing, duplicate checks and the cache limits run), and the first frame of
the TUI showing Everything (all the articles) in tmux with its peak memory at that
frame, next to a hello-world Textual app (``startup.py``'s method).

    python benchmarks/refresh.py [--runs 5] [--feeds 200] [--items 50]
                                 [--shapes short,full] [--scale 10000,100000,1000000]
                                 [--variant NAME:VAR=VALUE[,VAR=VALUE]]

``--variant`` adds a termnews column run with extra environment variables (another
HTTP stack, say), measured in the same alternation; ratios are against newsboat.
Needs nginx-light, newsboat, tmux and GNU time from Debian's packages.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from contentfeeds import make_full_rss  # noqa: E402
from nginx import StaticServer  # noqa: E402
from seed import seed  # noqa: E402
from tmuxrun import TmuxServer, time_to_marker  # noqa: E402

from feedserver import make_opml, make_rss  # noqa: E402

TERMNEWS = [sys.executable, "-m", "termnews"]
READER = "reader"  # the profile that refreshes
BROWSER = "bench"  # the profile whose first frame shows every cached article
GOALS = {("short", "cold"): 0.25, ("short", "warm"): 0.10,
         ("full", "cold"): 0.40, ("full", "warm"): 0.10}
SCALE_GOAL = 1.2  # largest / second largest cache
MEMORY_GOAL = 2.0  # peak RSS at the first frame, largest cache / hello world
CHANGED = 10  # feeds with a new item in the "changed" refresh


def run(cmd: list[str], **kw: object) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)  # type: ignore[call-overload]
    return time.perf_counter() - started


def bytecode_env(work: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """From compiled bytecode, as an installed package runs (pip compiles it); the cache
    of it lives in the temporary directory, not in the source tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pyc")
    env.update(extra or {})
    return env


class Termnews:
    """One termnews column: a data dir and the environment it runs with."""

    def __init__(self, work: Path, opml: Path, name: str = "termnews",
                 extra_env: dict[str, str] | None = None) -> None:
        self.work, self.opml, self.name = work, opml, name
        self.data = work / f"data-{name}"
        self.env = bytecode_env(work, extra_env)

    def cli(self, *args: str, profile: str = READER) -> list[str]:
        return [*TERMNEWS, "--data-dir", str(self.data), "--profile", profile, *args]

    def reset(self) -> None:
        shutil.rmtree(self.data, ignore_errors=True)
        self.data.mkdir(parents=True)
        # Same parallelism as newsboat's reload-threads 8 against one host.
        (self.data / "config.toml").write_text("[refresh]\nconcurrency = 16\nper_host = 8\n")
        subprocess.run(self.cli("import", str(self.opml)), check=True,
                       stdout=subprocess.DEVNULL, env=self.env)

    def refresh(self) -> float:
        return run(self.cli("refresh"), env=self.env)


class Newsboat:
    def __init__(self, work: Path, urls: list[str], name: str = "newsboat") -> None:
        self.name = name
        self.dir = work / name
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


Program = Termnews | Newsboat


@dataclass
class ShapeResult:
    cold: dict[str, list[float]] = field(default_factory=dict)
    warm: dict[str, list[float]] = field(default_factory=dict)
    answers: dict[str, tuple[int, int]] = field(default_factory=dict)  # last warm: 200s, 304s
    wire: dict[str, int] = field(default_factory=dict)  # bytes sent for the last cold refresh


def measure_shape(server: StaticServer, programs: list[Program], runs: int) -> ShapeResult:
    res = ShapeResult({p.name: [] for p in programs}, {p.name: [] for p in programs})

    def round_of(p: Program) -> None:
        p.reset()
        server.clear_log()
        res.cold[p.name].append(p.refresh())
        res.wire[p.name] = sum(h.bytes_sent for h in server.hits())
        server.clear_log()
        res.warm[p.name].append(p.refresh())
        res.answers[p.name] = (server.count(200), server.count(304))

    for p in programs:  # warm-up: imports compiled, page cache warm
        round_of(p)
    for v in (*res.cold.values(), *res.warm.values()):
        v.clear()
    for _ in range(runs):
        for p in programs:
            round_of(p)
    return res


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def verdict(ratio: float, goal: float) -> str:
    return f"≤ {goal}: {'met' if ratio <= goal else 'NOT met'}"


def report_shape(label: str, shape: str, res: ShapeResult, programs: list[Program]) -> list[str]:
    lines = []
    nb = next((p.name for p in programs if isinstance(p, Newsboat)), None)
    for kind, table in (("cold", res.cold), ("warm", res.warm)):
        cells = "   ".join(f"{name} {median_ms(v):6.0f} ms" for name, v in table.items())
        ratios = ""
        if nb is not None:
            base = median_ms(table[nb])
            goal = GOALS[(shape, kind)]
            ratios = "   " + "   ".join(
                f"{name}/{nb} {median_ms(v) / base:.2f} ({verdict(median_ms(v) / base, goal)})"
                for name, v in table.items() if name != nb)
        lines.append(f"{label:13} {kind} refresh   {cells}{ratios}")
    for name, (full, unchanged) in res.answers.items():
        kib = res.wire.get(name, 0) / 1024
        lines.append(f"  {name}: cold refresh took {kib:,.0f} KiB off the wire; a warm refresh "
                     f"got {full} full answers (200) and {unchanged} 'not modified' (304)")
    return lines


# --- scale -----------------------------------------------------------------------------


def new_item_feed(body: bytes, feed_no: int, generation: int) -> bytes:
    """The feed with one more item on top (a story published since the last version)."""
    item = (f"<item>\n<title>Update {generation} of feed {feed_no}: the harbour council "
            f"meets again</title>\n<link>https://news.example/{feed_no}/update-{generation}"
            f"</link>\n<guid isPermaLink=\"false\">feed-{feed_no}-update-{generation}</guid>\n"
            "<pubDate>Fri, 20 Nov 2026 13:00:00 +0000</pubDate>\n"
            f"<description>Update number {generation} for feed {feed_no}.</description>\n"
            "</item>\n").encode()
    at = body.index(b"<item>")
    return body[:at] + item + body[at:]


def newest_title(data_dir: Path) -> str:
    conn = sqlite3.connect(data_dir / "cache.db")
    (title,) = conn.execute(
        "SELECT title FROM articles ORDER BY published DESC, id DESC LIMIT 1").fetchone()
    conn.close()
    return str(title)


def measure_scale(server: StaticServer, work: Path, opml: Path, folder_opml: Path,
                  paths: list[str], bodies: list[bytes], sizes: list[int],
                  runs: int) -> list[str]:
    base = len(paths) * bodies[0].count(b"<item>")
    caches: list[tuple[int, Termnews]] = []
    for n in sizes:
        tn = Termnews(work, opml, f"scale-{n}")
        tn.reset()
        tn.refresh()  # the 200 feeds: base articles
        extra = max(n - base, 0)
        started = time.perf_counter()
        if extra:
            seed(tn.data, extra, 200, BROWSER)  # into the folder "Bench"
        subprocess.run(tn.cli("import", str(folder_opml), profile=BROWSER), check=True,
                       stdout=subprocess.DEVNULL, env=tn.env)
        print(f"  cache of {n:,}: seeded {extra:,} in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        caches.append((n, tn))

    warm: dict[int, list[float]] = {n: [] for n in sizes}
    changed: dict[int, list[float]] = {n: [] for n in sizes}
    frame: dict[int, list] = {n: [] for n in sizes}
    hello_runs: list = []
    generation = 0

    def change_some() -> None:
        nonlocal generation
        generation += 1
        for k in range(CHANGED):
            no = (generation * CHANGED + k) % len(paths)
            server.write(paths[no], new_item_feed(bodies[no], no, generation))

    hello = [sys.executable, str(HERE / "hello_app.py")]
    env = {"TEXTUAL_ANIMATIONS": "none", "PYTHONPYCACHEPREFIX": str(work / "pyc")}
    unset = ("PYTHONDONTWRITEBYTECODE",)

    def tui(tn: Termnews) -> list[str]:
        return tn.cli("--offline", profile=BROWSER)

    with TmuxServer():
        for _, tn in caches:  # warm-ups: bytecode, page cache
            tn.refresh()
            time_to_marker(tui(tn), newest_title(tn.data)[:24], env=env, unset=unset)
        time_to_marker(hello, "Hello, world", env=env, unset=unset)
        for _ in range(runs):
            for n, tn in caches:
                warm[n].append(tn.refresh())
            for n, tn in caches:
                change_some()
                changed[n].append(tn.refresh())
            hello_runs.append(time_to_marker(hello, "Hello, world", env=env, unset=unset))
            for n, tn in caches:
                # The changed refreshes brought newer items: the marker is the newest title.
                marker = newest_title(tn.data)[:24]
                frame[n].append(time_to_marker(tui(tn), marker, env=env, unset=unset))

    def k(n: int) -> str:
        return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"

    big, prev = sizes[-1], sizes[-2] if len(sizes) > 1 else sizes[-1]
    lines = [f"scale: {', '.join(k(n) for n in sizes)} articles cached, {runs} alternating runs, "
             "medians"]

    def row(label: str, values: dict[int, float], unit: str, fmt: str = "6.0f") -> str:
        cells = "   ".join(f"{k(n):>4} {values[n]:{fmt}} {unit}" for n in sizes)
        ratio = values[big] / values[prev]
        return (f"{label:26} {cells}   {k(big)}/{k(prev)} {ratio:.2f} "
                f"({verdict(ratio, SCALE_GOAL)})")

    lines.append(row(f"warm refresh ({len(paths)} × 304)",
                     {n: median_ms(v) for n, v in warm.items()}, "ms"))
    lines.append(row(f"refresh, {CHANGED} feeds changed",
                     {n: median_ms(v) for n, v in changed.items()}, "ms"))
    lines.append(row("first frame (all articles)",
                     {n: statistics.median(r.seconds for r in v) * 1000
                      for n, v in frame.items()}, "ms"))
    cpu = {n: statistics.median(r.frame_cpu for r in v) * 1000 for n, v in frame.items()}
    lines.append(row("  CPU to first frame", cpu, "ms"))
    mem = {n: statistics.median(r.frame_kib for r in v) / 1024 for n, v in frame.items()}
    hello_mem = statistics.median(r.frame_kib for r in hello_runs) / 1024
    hello_t = statistics.median(r.seconds for r in hello_runs) * 1000
    cells = "   ".join(f"{k(n):>4} {mem[n]:6.1f} MB" for n in sizes)
    ratio = mem[big] / hello_mem
    lines.append(f"{'peak RSS at first frame':26} {cells}   hello world {hello_mem:.1f} MB, "
                 f"{k(big)}/hello {ratio:.2f} ({verdict(ratio, MEMORY_GOAL)})")
    lines.append(f"  hello world first frame {hello_t:.0f} ms; runs, ms: " + "; ".join(
        f"{k(n)} warm " + ",".join(f"{s * 1000:.0f}" for s in warm[n]) for n in sizes))
    return lines


# --- main ------------------------------------------------------------------------------


def parse_variant(text: str) -> tuple[str, dict[str, str]]:
    name, _, assigns = text.partition(":")
    env = dict(a.split("=", 1) for a in assigns.split(",") if a)
    if not name or not env:
        raise argparse.ArgumentTypeError("--variant NAME:VAR=VALUE[,VAR=VALUE]")
    return name, env


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--shapes", default="short,full",
                        help="which feed shapes to compare (short, full, or none)")
    parser.add_argument("--scale", default="10000,100000,1000000",
                        help="cache sizes for the scale line (none to skip)")
    parser.add_argument("--scale-runs", type=int, default=5)
    parser.add_argument("--variant", type=parse_variant, action="append", default=[],
                        help="another termnews column: NAME:VAR=VALUE[,VAR=VALUE]")
    parser.add_argument("--no-newsboat", action="store_true")
    args = parser.parse_args()
    shapes = [s for s in args.shapes.split(",") if s in ("short", "full")]
    sizes = sorted(int(s) for s in args.scale.split(",") if s.strip().isdigit())
    have_newsboat = shutil.which("newsboat") is not None and not args.no_newsboat
    if not have_newsboat and not args.no_newsboat:
        print("newsboat is not installed (apt-get install newsboat): termnews only",
              file=sys.stderr)

    makers: dict[str, Callable[[int, int], bytes]] = {"short": make_rss, "full": make_full_rss}
    files: dict[str, bytes] = {}
    for shape in ("short", "full"):
        for i in range(args.feeds):
            files[f"/{shape}/{i}.xml"] = makers[shape](i, args.items)
    load_start = load()

    def emit(lines: list[str]) -> None:
        print("\n".join(lines), flush=True)

    with tempfile.TemporaryDirectory(prefix="termnews-bench-") as tmp, \
            StaticServer(files) as server:
        work = Path(tmp)
        version = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
        emit([f"{args.feeds} feeds × {args.items} items from {version} on 127.0.0.1, "
              f"{args.runs} alternating rounds, medians"])
        for shape in shapes:
            paths = [f"/{shape}/{i}.xml" for i in range(args.feeds)]
            urls = [server.url(p) for p in paths]
            opml = work / f"{shape}.opml"
            opml.write_bytes(make_opml(urls))
            programs: list[Program] = [Termnews(work, opml, "termnews")]
            programs += [Termnews(work, opml, name, env) for name, env in args.variant]
            if have_newsboat:
                programs.append(Newsboat(work, urls))
            kib = sum(len(files[p]) for p in paths) / len(paths) / 1024
            print(f"measuring {shape} ({kib:.0f} KiB a feed) …", file=sys.stderr)
            res = measure_shape(server, programs, args.runs)
            label = {"short": "short items", "full": "full content"}[shape]
            emit([f"{label}: {kib:.0f} KiB a feed, "
                  f"{sum(len(files[p]) for p in paths) / 1024 / 1024:.1f} MiB in all",
                  *report_shape(label, shape, res, programs),
                  "  runs, ms: " + "; ".join(
                      f"{name} {kind} " + ",".join(f"{s * 1000:.0f}" for s in v)
                      for kind, table in (("cold", res.cold), ("warm", res.warm))
                      for name, v in table.items())])
        if sizes:
            paths = [f"/short/{i}.xml" for i in range(args.feeds)]
            opml = work / "scale.opml"
            opml.write_bytes(make_opml([server.url(p) for p in paths]))
            # The browsing profile holds the same feeds in the seed's folder: its first view
            # (the folder's All) lists every cached article.
            folder_opml = work / "scale-folder.opml"
            folder_opml.write_bytes(make_opml([server.url(p) for p in paths], folder="Bench"))
            print("seeding the scale caches …", file=sys.stderr)
            emit(measure_scale(server, work, opml, folder_opml, paths,
                               [files[p] for p in paths], sizes, args.scale_runs))
    emit([f"load average at start {load_start}, at end {load()} ({os.cpu_count()} cores)"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
