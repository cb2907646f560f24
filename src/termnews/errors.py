"""The one base of termnews's own errors: its message is for the user.

Every error termnews raises on purpose derives from ``TermnewsError``: the store's
(``StoreError`` and its kinds), the library's (``LibraryError``), the config's
(``ConfigError``), a feed or page that cannot be read (``NotAFeed``, ``ExtractError``,
``FeedListError``), a sync (``SyncError``), a backup (``BackupError``) and the CLI's
(``CliError``). The message is one line a person can act on, in their language where
it is shown at once (the CLI, the TUI); errors stored with a feed ("HTTP 500", "not a
feed: …") are data and stay as they were recorded.

``Library`` is where the rest is caught: a raw ``sqlite3.Error`` or ``OSError`` out of
the store becomes a ``StoreError`` naming the file and the cause, so the TUI and the CLI
catch ``TermnewsError`` alone. Anything else that reaches them is a bug: it is logged
with its trace (``termnews.log``) and shown as one line.
"""

from __future__ import annotations


class TermnewsError(Exception):
    """An error whose message is for the user (one line, never a trace)."""
