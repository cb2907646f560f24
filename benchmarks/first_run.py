"""The first run on a fresh machine: ``termnews --demo`` with no cache and no search dictionaries.

Each run starts the TUI in a real terminal (tmux, 120×40) with a new data folder and a new,
empty ``TERMNEWS_LEMMA_DIR`` (where revisions before the shipped search tables made their
dictionaries on first use), and times from spawning it to

- the first frame (the masthead),
- the first articles on screen (the All view's count above 0),
- the end of the first refresh (the refresh clock instead of "refreshing n/48").

``--against REV`` (repeatable) runs a git revision's ``src/termnews`` the same way,
alternating with this tree; medians are printed.

    python benchmarks/first_run.py [--runs 3] [--against REV …]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from tmuxrun import POLL, TmuxServer, _tmux

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("first frame", "first articles", "refresh done")
_ARTICLES = re.compile(r"All · [1-9]")


def _stage(screen: str) -> int:
    """How many of STAGES the screen shows."""
    if "termnews ·" not in screen:
        return 0
    if not _ARTICLES.search(screen):
        return 1
    return 2 if "refreshing" in screen or "⟳" not in screen else 3


def one_run(src: Path, tmp: Path, timeout: float) -> list[float]:
    """Seconds from spawn to each stage, for one fresh run of the TUI from ``src``."""
    run = Path(tempfile.mkdtemp(dir=tmp))
    env = {"PYTHONPATH": str(src), "TERMNEWS_DATA_DIR": str(run / "data"),
           "TERMNEWS_LEMMA_DIR": str(run / "lemmas"), "PYTHONPYCACHEPREFIX": str(tmp / "pyc")}
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = f"exec env {exports} {shlex.quote(sys.executable)} -m termnews --demo"
    session = f"tn-first-{os.getpid()}-{time.monotonic_ns()}"
    times: list[float] = []
    started = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                    command], check=True)
    try:
        while len(times) < len(STAGES):
            elapsed = time.perf_counter() - started
            reached = _stage(_tmux("capture-pane", "-p", "-t", session))
            times += [elapsed] * (reached - len(times))
            if elapsed > timeout:
                raise TimeoutError(f"stage {STAGES[len(times)]!r} not reached in {timeout} s")
            time.sleep(POLL)
        _tmux("send-keys", "-t", session, "q")
        deadline = time.perf_counter() + 15
        while time.perf_counter() < deadline and subprocess.run(
                ["tmux", "has-session", "-t", session], capture_output=True).returncode == 0:
            time.sleep(0.05)  # the session ends when termnews has quit
    finally:
        _tmux("kill-session", "-t", session)
        shutil.rmtree(run, ignore_errors=True)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", metavar="REV", action="append", default=[],
                        help="also run this git revision (repeatable)")
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("first_run.py needs tmux (apt-get install tmux)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp_name, TmuxServer():
        tmp = Path(tmp_name)
        sources = {"this tree": ROOT / "src"}
        for rev in args.against:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src/termnews"],
                                     capture_output=True, check=True).stdout
            (tmp / rev).mkdir()
            subprocess.run(["tar", "-x", "-C", str(tmp / rev)], input=archive, check=True)
            sources[rev] = tmp / rev / "src"
        samples: dict[str, list[list[float]]] = {label: [] for label in sources}
        for _ in range(args.runs):
            for label, src in sources.items():
                times = one_run(src, tmp, args.timeout)
                samples[label].append(times)
                print(f"  {label:12} " + "  ".join(f"{s} {t:5.1f} s"
                                                   for s, t in zip(STAGES, times, strict=True)),
                      file=sys.stderr, flush=True)
    print(f"{'':12} " + "".join(f"{s:>16}" for s in STAGES))
    for label, runs in samples.items():
        print(f"{label:12} " + "".join(
            f"{statistics.median(r[i] for r in runs):14.2f} s" for i in range(len(STAGES))))
    print(f"termnews --demo, fresh data and dictionary folders, median of {args.runs} "
          f"alternating runs; load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
