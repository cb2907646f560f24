"""Ending in order: threads finish (or roll back) before what they use is closed, and a
signal ends a command through the same path as a normal end.

A thread cannot be stopped from outside. When a coroutine waiting for a thread is
cancelled (a quit, a signal), the thread runs on, and whatever the coroutine's ``finally``
closes — a SQLite connection — would be closed under it (that crashed the TUI with a
segfault). ``in_thread`` therefore waits for its thread even when cancelled: it first
asks the thread to stop (a ``threading.Event`` the work checks between steps), waits
for it to end, and only then lets the cancellation through.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")

# The signals that end a command in order; the exit status is 128 + the signal number.
ENDING_SIGNALS: tuple[int, ...] = tuple(
    s for s in (getattr(signal, n, None) for n in ("SIGTERM", "SIGHUP", "SIGINT"))
    if s is not None
)


class Stopped(Exception):
    """Raised inside a thread's work when it was asked to stop (its transaction rolls back)."""


class Terminated(BaseException):
    """The command was ended by a signal; ``status`` is the conventional exit status.
    A BaseException, like KeyboardInterrupt: no ``except Exception`` may swallow it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.status = 128 + signum
        super().__init__(signal.Signals(signum).name)


async def wait_to_end(fut: asyncio.Future[T]) -> T:
    """Await ``fut`` to its very end, even if the caller is cancelled meanwhile (the
    cancellation is passed on once ``fut`` is done)."""
    import asyncio

    interrupted = False
    while not fut.done():
        try:
            await asyncio.shield(fut)
        except asyncio.CancelledError:
            if not fut.done():
                interrupted = True
        except BaseException:  # fut failed: its result() raises it below
            pass
    if interrupted:
        raise asyncio.CancelledError
    return fut.result()


async def in_thread(func: Callable[..., T], *args: Any,
                    stop: threading.Event | None = None) -> T:
    """``func(*args)`` in the default thread pool; if cancelled, set ``stop`` (when given),
    wait for the thread to end, then raise the cancellation."""
    import asyncio

    loop = asyncio.get_running_loop()
    fut = loop.run_in_executor(None, func, *args)
    try:
        return await asyncio.shield(fut)
    except asyncio.CancelledError:
        if stop is not None:
            stop.set()
        with contextlib.suppress(BaseException):
            await wait_to_end(fut)
        raise


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)``, where SIGTERM, SIGHUP and SIGINT cancel ``main`` (so its
    ``finally`` blocks run: workers stopped, transactions ended, files closed) and then
    raise ``Terminated``."""
    import asyncio

    got: list[int] = []

    async def guarded() -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def on_signal(signum: int) -> None:
            if not got:
                got.append(signum)
                task.cancel()

        installed = []
        for sig in ENDING_SIGNALS:
            try:
                loop.add_signal_handler(sig, on_signal, sig)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
                pass
        try:
            return await main
        except asyncio.CancelledError:
            if got:
                raise Terminated(got[0]) from None
            raise
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)

    return asyncio.run(guarded())


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """While inside: SIGTERM and SIGHUP raise ``Terminated`` in the main thread, so a
    blocking command unwinds (its transaction rolls back, its files close) instead of
    dying where it stands. Nothing happens outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_terminated(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    previous = {}
    for sig in ENDING_SIGNALS:
        if sig == signal.SIGINT:
            continue  # Python's own KeyboardInterrupt already unwinds
        with contextlib.suppress(OSError, ValueError):
            previous[sig] = signal.signal(sig, raise_terminated)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            with contextlib.suppress(OSError, ValueError, TypeError):
                signal.signal(sig, handler)
