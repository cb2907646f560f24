"""Run a TUI in a real terminal (tmux) and time it to the first frame that shows a marker."""

from __future__ import annotations

import shlex
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FrameTiming:
    seconds: float  # from spawning the command to the marker on screen
    peak_kib: int  # peak resident memory of the process (GNU time %M)


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def time_to_marker(command: list[str], marker: str, *, size: tuple[int, int] = (120, 40),
                   timeout: float = 20.0, env: dict[str, str] | None = None,
                   quit_keys: tuple[str, ...] = ("q",)) -> FrameTiming:
    """Start command in a fresh tmux session; poll the pane until marker shows; then quit."""
    session = f"tn-bench-{time.monotonic_ns()}"
    with tempfile.TemporaryDirectory() as tmp:
        mem = Path(tmp) / "mem"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        inner = f"{exports} /usr/bin/time -f %M -o {mem} {shlex.join(command)}"
        started = time.perf_counter()
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(size[0]),
                        "-y", str(size[1]), inner], check=True)
        try:
            while True:
                screen = _tmux("capture-pane", "-p", "-t", session)
                if marker in screen:
                    elapsed = time.perf_counter() - started
                    break
                if time.perf_counter() - started > timeout:
                    raise TimeoutError(f"{marker!r} not on screen after {timeout} s:\n{screen}")
                time.sleep(0.002)
            for key in quit_keys:
                _tmux("send-keys", "-t", session, key)
            deadline = time.perf_counter() + 10
            while not mem.exists() or not mem.read_text().strip():
                if time.perf_counter() > deadline:
                    raise TimeoutError("the program did not quit")
                time.sleep(0.02)
            peak = int(mem.read_text().split()[-1])
        finally:
            _tmux("kill-session", "-t", session)
    return FrameTiming(elapsed, peak)
