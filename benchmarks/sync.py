"""Sync with a real Miniflux: an initial sync, 1,000 marks pushed, a sync with nothing to
do, and a refresh with the server as the source against a refresh of the feeds (304s).

A Miniflux + PostgreSQL is started on loopback as the tests start it
(``tests/miniflux_server.py``); the feeds come from the tests' feed server in a process of
its own. Whole-process times of ``termnews`` commands, alternating runs, medians, ratios:

- initial sync of N feeds × M items (10,000 entries) on a machine that fetched them too;
- pushing 1,000 read marks: requests it took (goal ≤ 3 per 1,000 marks);
- a sync with nothing to do vs ``termnews articles --limit 1`` (goal ≤ 1.5 ×);
- ``refresh`` with ``source = "server"`` and nothing new vs ``refresh`` of the same feeds
  answered with 304s (goal ≤ 0.5 ×).

    python benchmarks/sync.py [--runs 7] [--feeds 200] [--items 50] [--marks 1000]
                              [--service miniflux|greader]

Needs PostgreSQL and Miniflux (``bash .ci/install-servers`` installs both).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from feedserver import make_opml  # noqa: E402
from miniflux_server import MinifluxUser, start_miniflux  # noqa: E402
from sync_support import sync_table  # noqa: E402
from termnews.config import load_config  # noqa: E402
from termnews.library import Library  # noqa: E402
from termnews.paths import resolve_paths  # noqa: E402

TERMNEWS = [sys.executable, "-m", "termnews"]
SETTLE = 12.0  # seconds: past the pull's margin (sync.miniflux.MARGIN), so "nothing to do"


class Machine:
    def __init__(self, work: Path, name: str, env: dict[str, str]) -> None:
        self.data = work / name
        self.data.mkdir(parents=True)
        self.env = env

    def configure(self, text: str) -> None:
        (self.data / "config.toml").write_text(text)
        (self.data / "config.toml").chmod(0o600)

    def run(self, *argv: str) -> float:
        started = time.perf_counter()
        subprocess.run([*TERMNEWS, "--data-dir", str(self.data), "--profile", "bench", *argv],
                       check=True, stdout=subprocess.DEVNULL, env=self.env)
        return time.perf_counter() - started

    def library(self) -> Library:
        paths = resolve_paths(self.data)
        lib = Library(paths, load_config(paths.config_file), "bench")
        lib.start(starter=False)
        return lib


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def verdict(ratio: float, goal: float) -> str:
    return f"ratio {ratio:.2f}  (goal ≤ {goal}: {'met' if ratio <= goal else 'NOT met'})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--marks", type=int, default=1000)
    parser.add_argument("--service", choices=("miniflux", "greader"), default="miniflux")
    args = parser.parse_args()
    # From compiled bytecode, as an installed package runs; its cache in the temp dir.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    with tempfile.TemporaryDirectory(prefix="termnews-bench-sync-") as tmp:
        work = Path(tmp)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pyc")
        feeds = subprocess.Popen(
            [sys.executable, str(HERE.parent / "tests" / "feedserver.py"),
             "--feeds", str(args.feeds), "--items", str(args.items)],
            stdout=subprocess.PIPE, text=True)
        server = start_miniflux()
        try:
            assert feeds.stdout is not None
            urls = []
            for line in feeds.stdout:
                if line.strip() == "ready":
                    break
                urls.append(line.strip())
            return bench(args, work, env, server, urls)
        finally:
            server.stop()
            feeds.terminate()
            feeds.wait()


def bench(args: argparse.Namespace, work: Path, env: dict[str, str], server: object,
          urls: list[str]) -> int:
    from miniflux_server import MinifluxServer

    assert isinstance(server, MinifluxServer)
    user: MinifluxUser = server.new_user("bench")
    started = time.perf_counter()
    for url in urls:  # the server fetches each feed as it takes it
        server.add_feed(user, url)
    entries = len(server.entries(user))
    print(f"{args.feeds} feeds × {args.items} items on Miniflux ({entries} entries, "
          f"{time.perf_counter() - started:.1f} s to subscribe); service {args.service}")
    opml = work / "feeds.opml"
    opml.write_bytes(make_opml(urls))

    # A: fetches the feeds itself, then its first sync matches the server's 10,000 entries.
    a = Machine(work, "a", env)
    a.run("import", str(opml))
    a.run("refresh", "--no-sync")
    a.configure(sync_table(server.url, user, args.service))
    first = a.run("sync")
    with a.library() as lib:
        assert lib.count() == entries, (lib.count(), entries)
        noop = lib.sync()
        ids = [r.id for r in lib.articles()][: args.marks]
        lib.mark_read(ids)
        pushed = lib.sync()
        assert pushed.up == len(ids), pushed
        push_requests = pushed.requests - noop.requests
        lib.sync()  # the server's echo of those marks
    per_1000 = push_requests * 1000 / max(len(ids), 1000)  # a batch holds up to 1,000
    print(f"initial sync (matching {entries} entries)  {first * 1000:7.0f} ms")
    print(f"{len(ids)} marks pushed: {push_requests} requests for the push itself "
          f"({pushed.requests} in that sync, {noop.requests} in a sync with nothing to do); "
          f"{per_1000:.1f} per 1,000 marks  (goal ≤ 3: {'met' if per_1000 <= 3 else 'NOT met'})")

    # S: the server is the source; D: fetches the same feeds (all 304 after its first).
    s = Machine(work, "s", env)
    s.configure(sync_table(server.url, user, args.service, source="server"))
    initial_server = s.run("refresh")
    d = Machine(work, "d", env)
    d.run("import", str(opml))
    d.run("refresh")
    print(f"initial refresh from the server ({entries} entries stored)  "
          f"{initial_server * 1000:7.0f} ms")
    time.sleep(SETTLE)
    a.run("sync")
    s.run("refresh")
    time.sleep(SETTLE)

    results: dict[str, list[float]] = {k: [] for k in ("sync", "articles", "server", "feeds")}
    for _ in range(args.runs):
        results["sync"].append(a.run("sync"))
        results["articles"].append(a.run("articles", "--limit", "1"))
        results["server"].append(s.run("refresh"))
        results["feeds"].append(d.run("refresh"))
    with a.library() as lib:
        quiet = lib.sync()
    sync, arts = median_ms(results["sync"]), median_ms(results["articles"])
    srv, fds = median_ms(results["server"]), median_ms(results["feeds"])
    print(f"{args.runs} alternating runs, medians (whole processes)")
    print(f"sync with nothing to do  {sync:7.0f} ms   articles --limit 1  {arts:7.0f} ms   "
          f"{verdict(sync / arts, 1.5)}   ({quiet.requests} requests)")
    print(f"refresh, source server   {srv:7.0f} ms   refresh of the feeds (304s) {fds:7.0f} ms"
          f"   {verdict(srv / fds, 0.5)}")
    print("all runs, ms: " + "; ".join(
        f"{k} " + ",".join(f"{v * 1000:.0f}" for v in vals) for k, vals in results.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
