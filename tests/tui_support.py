"""Waiting for the TUI in Pilot tests, shared by the UI, hostile-content and concurrency tests."""

from __future__ import annotations

from typing import Any


async def settle(app: Any, pilot: Any, *, rounds: int = 3) -> Any:
    """Wait until the reading screen's background work has begun (it starts just after the
    first frame, on a timer) and its workers are done; return the current screen."""
    for _ in range(500):  # at most about 5 s
        if getattr(app.screen, "background_started", True):
            break
        await pilot.pause(0.01)
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen
