"""Key press → frame latency in the article list with 100,000 rows, and opening an article.

The real App runs headless under Textual's Pilot (``run_test(size=(120, 40))``) on a seeded
data dir. The clock is the App's own frame output: ``App._display`` — called once per
compositor update, right after the screen's dirty lines were rendered — is wrapped so
each frame is timestamped after it has also been encoded into the terminal byte stream
(``render_segments``; a headless App skips that step, so the wrapper does it to count
the full cost of a frame; only the write to a terminal is left out).

A sample is: timestamp, a key event sent through the driver (the path real input
takes), then the time of the first frame in which the change is on screen:
  * ``j``  — the frame in which the list's cursor is on the next row (the frame is
    composed after the move, so a frame with ``cursor == expected`` shows it);
  * Enter — the frame in which the article pane's Markdown title (H1) holds the
    article's title and has been laid out (its region is not empty).
Pilot's own ``press``/``pause`` are not used for timing: they sleep in 20 ms steps
while waiting for the CPU to go idle, which would swamp what is measured.

"Holding j" sends j at a key-repeat rate (default 30 Hz, a common X/macOS repeat rate)
from the top of the list, so most presses scroll the list by a line. A burst of 50 j
sent at once (a paste, or a slow frame under a fast repeat) is timed until the frame
with the cursor on row 50.

    python benchmarks/ui.py [--data-dir DIR] [--presses 300] [--opens 40] [--rate 30]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import seed

from termnews.config import Config
from termnews.library import Library
from termnews.paths import resolve_paths

PROFILE = "bench"
SIZE = (120, 40)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary(name: str, values: list[float], goal: str = "") -> str:
    if not values:
        return f"{name:<34} (no samples)"
    ms = [v * 1000 for v in values]
    return (f"{name:<34} median {statistics.median(ms):6.1f} ms   p95 {p95(ms):6.1f} ms   "
            f"max {max(ms):6.1f} ms   n={len(ms)}" + (f"  {goal}" if goal else ""))


class FrameClock:
    """Timestamps every frame the App puts out; waits for the first that satisfies a test."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.frames = 0
        self._want: Any = None
        self._hit: asyncio.Future[tuple[float, float]] | None = None
        self.cpu: list[float] = []  # process CPU seconds of each sample, press → frame
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                render(app.console)  # the terminal bytes a real frame would cost
            now, cpu = time.perf_counter(), time.process_time()
            self.frames += 1
            if self._hit is not None and not self._hit.done() and self._want():
                self._hit.set_result((now, cpu))

        app._display = display

    async def until(self, send: Any, test: Any, timeout: float = 10.0) -> float:
        """Run send(); return seconds from just before it to the first frame where test()."""
        self._want = test
        self._hit = asyncio.get_running_loop().create_future()
        started, cpu = time.perf_counter(), time.process_time()
        send()
        done, cpu_done = await asyncio.wait_for(self._hit, timeout)
        self._hit = None
        self.cpu.append(cpu_done - cpu)
        return done - started


def press(app: Any, key: str) -> None:
    from textual import events

    char = {"enter": "\r"}.get(key, key if len(key) == 1 else None)
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def settle(seconds: float = 0.05) -> None:
    await asyncio.sleep(seconds)


async def run(data: Path, presses: int, opens: int, rate: float) -> int:
    from textual.widgets._markdown import MarkdownH1

    from termnews.ui.app import TermnewsApp
    from termnews.ui.views import load_start

    lib = Library(resolve_paths(data), Config(), PROFILE, offline=True)
    lib.start(starter=False)
    expected_rows = lib.count()
    gc.disable()  # as `termnews` starts (run_tui): the screen re-enables it after its first frame
    app = TermnewsApp(lib, start=load_start(lib), offline=True)
    async with app.run_test(size=SIZE) as pilot:
        clock = FrameClock(app)
        screen = app.screen
        for _ in range(600):  # the first page comes with the first frame, the rest in a worker
            if screen.articles.row_count >= expected_rows:
                break
            await asyncio.sleep(0.05)
        rows = screen.articles.row_count
        print(f"article list: {rows} rows (expected {expected_rows}); garbage collector "
              f"{'on' if gc.isenabled() else 'OFF'}")
        if rows < min(expected_rows, 1000):
            print("the list did not fill; giving up", file=sys.stderr)
            return 1
        screen._focus(screen.articles)
        await pilot.pause()
        lst = screen.articles

        # Hold j: a key every 1/rate s, from the top; each press timed to its frame.
        lst.move_to(0)
        await pilot.pause()
        interval = 1 / rate
        clock.cpu.clear()
        hold: list[float] = []
        for _ in range(presses):
            target = lst.cursor + 1
            tick = time.perf_counter()
            hold.append(await clock.until(lambda: press(app, "j"),
                                          lambda t=target: lst.cursor == t))
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - tick)))
        scrolled = int(lst.scroll_offset.y)
        hold_cpu = list(clock.cpu)

        # A burst of 50 j at once: time to the frame with the cursor 50 rows down.
        burst: list[float] = []
        for _ in range(5):
            lst.move_to(0)
            await pilot.pause()

            def send_burst() -> None:
                for _ in range(50):
                    press(app, "j")

            burst.append(await clock.until(send_burst, lambda: lst.cursor == 50))
            await settle()

        # Open an article: Enter in the list → the pane's title is on screen.
        def title_shown(title: str) -> Any:
            def test() -> bool:
                for h1 in screen.pane.query(MarkdownH1):
                    if title in h1._content.plain and h1.region.height > 0:
                        return True
                return False
            return test

        opened: list[float] = []
        open_cpu: list[float] = []
        lst.move_to(1000)
        first_open = 0.0
        for n in range(opens + 1):
            screen._focus(lst)
            lst.move_to(lst.cursor + 7)
            await pilot.pause()
            for _ in range(100):  # the row's page may still be on its way
                row = lst.current
                if row is not None:
                    break
                await asyncio.sleep(0.02)
            else:
                print("no row under the cursor", file=sys.stderr)
                return 1
            took = await clock.until(lambda: press(app, "enter"), title_shown(row.title[:40]))
            if n == 0:
                first_open = took  # creates the Markdown widget: reported apart
            else:
                opened.append(took)
                open_cpu.append(clock.cpu[-1])
            await settle(0.1)  # let related articles arrive before the next one
        await pilot.pause()

    lib.close()
    print(f"frames seen: {clock.frames}; list scrolled to line {scrolled} while holding j")
    print(summary(f"hold j ({rate:.0f}/s, {presses} presses)", hold, "(goal median ≤ 16 ms)"))
    print(summary("  CPU time of those presses", hold_cpu))
    per_key = [b / 50 for b in burst]
    print(summary("burst of 50 j → row 50 (total)", burst)
          + f"   ≈ {statistics.median(per_key) * 1000:.1f} ms/key")
    print(f"{'open article (first, builds Markdown)':<34} {first_open * 1000:6.1f} ms")
    print(summary("open article (Enter → title shown)", opened))
    print(summary("  CPU time of those opens", open_cpu))
    ok = statistics.median(hold) <= 0.016
    print(f"goal key press → frame median ≤ 16 ms: {'met' if ok else 'NOT met'}")
    return 0


def tmux_burst(data: Path, bursts: int = 5, keys: int = 50) -> None:
    """In a real terminal: send keys × j at once to the article list; time until row keys
    is on screen (it first shows when the cursor reaches it: the list scrolls with it)."""
    import sqlite3
    import subprocess

    from tmuxrun import TmuxServer, _tmux

    conn = sqlite3.connect(data / "cache.db")
    titles = [t[:20] for (t,) in conn.execute(
        "SELECT title FROM articles ORDER BY published DESC, id DESC LIMIT ?", (keys + 1,))]
    conn.close()
    first, target = titles[0], titles[keys]
    # tmux gives a session its server's environment: set ours in the command itself.
    cmd = ["env", "-u", "PYTHONDONTWRITEBYTECODE", "TEXTUAL_ANIMATIONS=none",
           f"PYTHONPYCACHEPREFIX={data.parent / 'pyc'}", sys.executable, "-m", "termnews",
           "--data-dir", str(data), "--profile", PROFILE, "--offline"]
    session = f"tn-bench-ui-{os.getpid()}"

    def screen() -> str:
        return _tmux("capture-pane", "-p", "-t", session)

    def wait(test: Any, timeout: float = 20.0) -> float:
        started = time.perf_counter()
        while not test(screen()):
            if time.perf_counter() - started > timeout:
                raise TimeoutError(screen())
            time.sleep(0.002)
        return time.perf_counter() - started

    took: list[float] = []
    with TmuxServer():
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(SIZE[0]),
                        "-y", str(SIZE[1]), shlex.join(cmd)], check=True)
        try:
            wait(lambda text: first in text)
            time.sleep(1.0)  # the count and the other after-start work are done
            _tmux("send-keys", "-t", session, "Tab")
            time.sleep(0.3)
            for _ in range(bursts):
                if target in screen():
                    raise RuntimeError(f"row {keys} already on screen: the terminal is too tall")
                started = time.perf_counter()
                _tmux("send-keys", "-t", session, *["j"] * keys)
                wait(lambda text: target in text)
                took.append(time.perf_counter() - started)
                _tmux("send-keys", "-t", session, "g")  # back to the top
                wait(lambda text: target not in text and first in text)
                time.sleep(0.3)
        finally:
            _tmux("send-keys", "-t", session, "q")
            time.sleep(0.5)
            _tmux("kill-session", "-t", session)
    ms = sorted(t * 1000 for t in took)
    print(f"tmux: {keys} j at once → row {keys} on screen   median {statistics.median(ms):6.1f} ms"
          f" ≈ {statistics.median(ms) / keys:.1f} ms/key   (runs: "
          + ", ".join(f"{v:.0f}" for v in ms) + ")")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="reuse a seeded data dir")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--presses", type=int, default=300)
    parser.add_argument("--opens", type=int, default=40)
    parser.add_argument("--rate", type=float, default=30.0, help="key repeat rate, per second")
    parser.add_argument("--no-tmux", action="store_true", help="skip the real-terminal burst")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        if args.data_dir and (args.data_dir / "cache.db").exists():
            # A copy: opening articles saves marks, history and the last position.
            shutil.copytree(args.data_dir, data)
        else:
            print(f"seeding {args.articles} articles …", file=sys.stderr)
            seed(data, args.articles, 200, PROFILE)
        status = asyncio.run(run(data, args.presses, args.opens, args.rate))
        if status == 0 and not args.no_tmux and shutil.which("tmux"):
            tmux_burst(data)
        return status


if __name__ == "__main__":
    raise SystemExit(main())
