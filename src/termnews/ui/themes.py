"""Textual's themes, chosen by the user and remembered per profile.

The choice is the profile preference ``theme`` (the config's ``[ui] theme`` is
the default). ``apply_saved_theme`` also listens to the App's theme signal, so
a theme picked anywhere (our palette entries or Textual's own "Theme" command)
is saved.
"""

from __future__ import annotations

from typing import Any, Protocol

from textual.app import App
from textual.signal import SignalError
from textual.theme import Theme

THEME_PREF = "theme"


class PrefStore(Protocol):
    """The part of ``Library`` this module needs."""

    def pref(self, name: str, default: object = None) -> object: ...

    def set_pref(self, name: str, value: object) -> None: ...


def theme_names(app: App[object]) -> list[str]:
    """Names of the themes the app can use, sorted."""
    return sorted(app.available_themes)


def saved_theme(library: PrefStore, default: str = "textual-dark") -> str:
    value = library.pref(THEME_PREF, None)
    return value if isinstance(value, str) and value else default


def set_theme(app: App[object], name: str) -> bool:
    """Switch to a theme by name; False for an unknown one."""
    if name not in app.available_themes:
        return False
    app.theme = name
    return True


def save_theme(app: App[object], library: PrefStore, name: str) -> None:
    """Store the choice from a thread worker (a database write)."""
    app.run_worker(lambda: library.set_pref(THEME_PREF, name), thread=True, group="prefs",
                   exit_on_error=False)


def apply_saved_theme(app: App[Any], library: PrefStore, default: str | None = None) -> str:
    """Set the profile's theme and save later changes; call it from the App's on_mount.

    Returns the theme in use (the saved one when it still exists).
    """
    if default is None:
        config = getattr(library, "config", None)
        default = getattr(getattr(config, "ui", None), "theme", "") or "textual-dark"
    name = saved_theme(library, default)
    if not set_theme(app, name):
        set_theme(app, default)
    applied = app.theme

    last = [applied]  # what the store holds: saves only real changes, no read per change

    def remember(theme: Theme) -> None:
        if theme.name != last[0]:
            last[0] = theme.name
            save_theme(app, library, theme.name)

    try:
        app.theme_changed_signal.subscribe(app, remember)
    except SignalError:  # the app is not running yet: nothing to listen to
        pass
    return applied
