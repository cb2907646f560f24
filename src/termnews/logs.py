"""The log file a bug report can carry: ``termnews.log`` in the state folder.

Records go to a rotating file (``logging.handlers.RotatingFileHandler``: 1 MB, three old
files kept), opened at the first record, so a start-up that logs nothing pays for
neither the file nor the handler's imports. The level is ``info`` by default (what
each command and refresh did, failures with their traces); ``--debug`` or
``[log] level = "debug"`` in the config adds the details (each feed's outcome).

Never logged: secrets (sync tokens and passwords, the config's values) and feed or
page text at info level — counts, addresses of the user's own files, and errors.
"""

from __future__ import annotations

import logging
from pathlib import Path

from termnews.config import LOG_LEVELS

MAX_BYTES = 1024 * 1024
BACKUPS = 3
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"

log = logging.getLogger("termnews")


class _RotatingWhenUsed(logging.Handler):
    """A RotatingFileHandler made at the first record (its imports cost a few ms)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._target: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._target is None:
            from logging.handlers import RotatingFileHandler

            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                target = RotatingFileHandler(self.path, maxBytes=MAX_BYTES,
                                             backupCount=BACKUPS, encoding="utf-8")
            except OSError:  # a read-only home: no log rather than no termnews
                self._target = logging.NullHandler()
                return
            target.setFormatter(logging.Formatter(FORMAT))
            self._target = target
        self._target.emit(record)

    def close(self) -> None:
        if self._target is not None:
            self._target.close()
        super().close()


def setup(path: Path, level: str = "info") -> None:
    """Send termnews's records (the ``termnews`` logger and its children) to path."""
    for old in list(log.handlers):
        if isinstance(old, _RotatingWhenUsed):
            log.removeHandler(old)
            old.close()
    log.addHandler(_RotatingWhenUsed(path))
    log.setLevel(level.upper() if level in LOG_LEVELS else logging.INFO)
    log.propagate = False  # never to the terminal: the TUI owns it, the CLI prints its own
