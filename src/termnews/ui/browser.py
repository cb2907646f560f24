"""Open article links in a browser, safely.

Links come from feeds, which are hostile input: only clean http(s) URLs are
opened (``feeds.clean.safe_http_url``). ``webbrowser.open`` runs in a thread
worker because a console browser picked by ``$BROWSER`` can block; a terminal
browser set in the config runs in the suspended terminal, without a shell.
"""

from __future__ import annotations

import shlex
import subprocess
import webbrowser
from collections.abc import Callable

from textual.app import App, SuspendNotSupported

from termnews.i18n import _


def checked_url(url: str | None, base: str | None = None) -> str | None:
    """The URL if it may be opened, else None (javascript:, file:, data:, '-…' are refused)."""
    from termnews.feeds.clean import safe_http_url

    safe = safe_http_url(url, base)
    # Belt and braces: a URL a browser could read as an option never leaves here.
    if safe is None or safe.startswith("-") or not safe.lower().startswith(("http://", "https://")):
        return None
    return safe


def browser_argv(browser_cmd: str, url: str) -> list[str]:
    """The argument vector for a terminal browser command ("w3m", "lynx -nocolor")."""
    return [*shlex.split(browser_cmd), url]


def open_url(app: App[object], url: str | None, browser_cmd: str = "", *,
             base: str | None = None,
             on_failure: Callable[[str], None] | None = None) -> bool:
    """Open url in the user's browser; False (and a notice) when refused or impossible.

    on_failure(url) is called (on the UI thread) when no default browser could be started.
    """
    safe = checked_url(url, base)
    if safe is None:
        app.notify(_("This link cannot be opened: only http(s) links are allowed."),
                   severity="warning", markup=False)
        return False
    if not browser_cmd.strip():
        def run() -> None:
            if not _open_default(safe) and on_failure is not None:
                app.call_from_thread(on_failure, safe)

        app.run_worker(run, thread=True, group="browser", exit_on_error=False)
        return True
    argv = browser_argv(browser_cmd, safe)
    try:
        with app.suspend():
            subprocess.run(argv, check=False)
    except SuspendNotSupported:
        app.notify(_("A terminal browser cannot run here."), severity="error", markup=False)
        return False
    except OSError as exc:
        app.notify(_("Cannot start the browser: {error}").format(error=exc),
                   severity="error", markup=False)
        return False
    return True


def _open_default(url: str) -> bool:
    try:
        return webbrowser.open(url, new=2)
    except webbrowser.Error:  # no runnable browser at all
        return False
