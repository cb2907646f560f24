"""Where a cold refresh spends its CPU: the main thread, the writer thread, the parse workers.

Serves N feeds from nginx (``nginx.py``), imports them into a fresh data dir and runs
one cold refresh in this process (``concurrency = 16, per_host = 8``), with cProfile on
the main thread (event loop: HTTP, decoding, hand-offs), on the writer thread (SQLite)
and in every parse worker (forked from this process, so the profiled ``parse_job`` is
theirs too). Prints the CPU time of each part and the top functions of each.

    python benchmarks/profile_refresh.py [--shape full|short] [--feeds 200] [--items 50]
                                         [--top 15] [--no-profile]

``--no-profile`` gives the CPU split without the profiler's own overhead.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from contentfeeds import make_full_rss  # noqa: E402
from nginx import StaticServer  # noqa: E402

import termnews.refresh as refresh  # noqa: E402
from feedserver import make_rss  # noqa: E402
from termnews.config import load_config  # noqa: E402
from termnews.library import Library  # noqa: E402
from termnews.paths import resolve_paths  # noqa: E402

ORIGINAL_JOB = refresh.parse_job
PROF_DIR = "TERMNEWS_BENCH_PROFILE_DIR"  # set: parse workers profile each call into it
CALLS = [0]


def profiled_job(body: bytes, url: str, content_type: str, edition: str | None = None) -> Any:
    """refresh.parse_job under cProfile (module level: the pool pickles it by name; the
    workers are forked with this environment)."""
    args = (body, url, content_type) if edition is None else (body, url, content_type, edition)
    where = os.environ.get(PROF_DIR)
    if not where:
        return ORIGINAL_JOB(*args)
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    try:
        return ORIGINAL_JOB(*args)
    finally:
        prof.disable()
        CALLS[0] += 1
        prof.dump_stats(Path(where) / f"{os.getpid()}-{CALLS[0]}.prof")


def top(stats_source: Any, n: int, title: str) -> str:
    out = io.StringIO()
    stats = pstats.Stats(stats_source, stream=out) if not isinstance(
        stats_source, list) else pstats.Stats(*stats_source, stream=out)
    stats.sort_stats("tottime").print_stats(n)
    text = out.getvalue()
    body = text[text.find("   ncalls"):] if "   ncalls" in text else text
    return f"--- {title} (by own time) ---\n{body.rstrip()}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=("full", "short"), default="full")
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    profiling = not args.no_profile
    make = make_full_rss if args.shape == "full" else make_rss
    files = {f"/{args.shape}/{i}.xml": make(i, args.items) for i in range(args.feeds)}

    with tempfile.TemporaryDirectory(prefix="termnews-prof-") as tmp, \
            StaticServer(files) as server:
        work = Path(tmp)
        data = work / "data"
        data.mkdir()
        (data / "config.toml").write_text("[refresh]\nconcurrency = 16\nper_host = 8\n")
        paths = resolve_paths(data).ensure()
        lib = Library(paths, load_config(paths.config_file), "reader")
        lib.start(starter=False)
        lib.add_feeds([server.url(p) for p in files])
        sources = lib.feed_sources()

        # Parse workers: each call profiled on its own, dumped to a file (a worker leaves
        # through os._exit, so nothing can be collected at its end).
        prof_dir = work / "prof"
        prof_dir.mkdir()
        if profiling:
            os.environ[PROF_DIR] = str(prof_dir)
        refresh.parse_job = profiled_job  # type: ignore[assignment]
        writer_prof = cProfile.Profile(time.thread_time)
        writer_cpu = [0.0]
        original_write = refresh._Writer._write

        def write(self: Any, batch: Any) -> Any:
            started = time.thread_time()
            if profiling:
                writer_prof.enable()
            try:
                return original_write(self, batch)
            finally:
                if profiling:
                    writer_prof.disable()
                writer_cpu[0] += time.thread_time() - started

        refresh._Writer._write = write  # type: ignore[method-assign]

        main_prof = cProfile.Profile(time.thread_time)
        self_before = resource.getrusage(resource.RUSAGE_SELF)
        kids_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        main_before = time.thread_time()
        started = time.perf_counter()
        if profiling:
            main_prof.enable()
        summary = asyncio.run(refresh.run_refresh(paths, lib.config, sources))
        if profiling:
            main_prof.disable()
        wall = time.perf_counter() - started
        main_cpu = time.thread_time() - main_before
        self_after = resource.getrusage(resource.RUSAGE_SELF)
        kids_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        lib.close()
        process_cpu = (self_after.ru_utime + self_after.ru_stime
                       - self_before.ru_utime - self_before.ru_stime)
        kids_cpu = (kids_after.ru_utime + kids_after.ru_stime
                    - kids_before.ru_utime - kids_before.ru_stime)
        worker_files = [str(p) for p in prof_dir.iterdir()]
        parse_cpu = sum(pstats.Stats(f).total_tt for f in worker_files) if worker_files else 0

        print(f"cold refresh of {args.feeds} {args.shape} feeds × {args.items} items: "
              f"{summary.new_articles} new articles, wall {wall * 1000:.0f} ms"
              f"{' (profiled)' if profiling else ''}; threads: "
              f"{threading.active_count()} at the end")
        print(f"CPU  main process {process_cpu * 1000:6.0f} ms = main thread "
              f"{main_cpu * 1000:.0f} + writer thread {writer_cpu[0] * 1000:.0f} + other "
              f"threads (pool hand-off, unpickling results) "
              f"{(process_cpu - main_cpu - writer_cpu[0]) * 1000:.0f}")
        print(f"CPU  parse workers {kids_cpu * 1000:5.0f} ms"
              + (f", of which parse_job {parse_cpu * 1000:.0f} ms in {len(worker_files)} calls"
                 if profiling else ""))
        if profiling:
            print(top(main_prof, args.top, "main thread"))
            print(top(writer_prof, args.top, "writer thread"))
            if worker_files:
                print(top(worker_files, args.top, "parse workers"))
    print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
