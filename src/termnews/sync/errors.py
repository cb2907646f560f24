"""The one error a sync raises: a kind (for scripts and the UI) and a line for people."""

from __future__ import annotations

from termnews.errors import TermnewsError

# Kinds of failure, as `termnews sync --status --json` reports them.
UNREACHABLE = "unreachable"  # no connection, timed out, TLS failed
AUTH = "auth"  # the server refused the credentials
SERVER = "server"  # the server failed (5xx) or answered what no sync server would
SECRET = "secret"  # a token or password command failed
BUSY = "busy"  # another sync of the profile is running


class SyncError(TermnewsError):
    """A sync that could not finish. Nothing local is lost: the journal keeps every change
    the server did not take. The message is one line and never holds a secret."""

    def __init__(self, message: str, kind: str = SERVER) -> None:
        super().__init__(message)
        self.kind = kind
