"""The key bindings of termnews, each with an id the user can remap in ``[keys]``.

Descriptions are marked with ``N_`` and stay English in the ``Binding``
objects (class-level ``BINDINGS`` are built at import); the footer and the help
screen translate them with ``_`` when they draw, so a live language switch
changes every label.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding

from termnews.i18n import N_


def _b(keys: str, action: str, description: str, binding_id: str, *, show: bool = True,
       key_display: str | None = None, priority: bool = True) -> Binding:
    return Binding(keys, action, description, show=show, key_display=key_display,
                   priority=priority, id=binding_id)


# All keys of the reading screen are priority bindings of the screen: the App runs each
# one, in the order typed, before it hands the next key on. Keys typed ahead (tmux, a
# paste, a fast typist) thus act in order even when one of them moves the focus; the
# screen passes a move on to the focused list or pane, and lets keys through to the
# search box as text while it has focus.

# Moving in the focused list (sections, articles, related) or scrolling the article.
LIST_BINDINGS: list[Binding] = [
    _b("j,down", "cursor_down", N_("down"), "down", show=False),
    _b("k,up", "cursor_up", N_("up"), "up", show=False),
    _b("pagedown", "page_down", N_("page down"), "page_down", show=False),
    _b("pageup", "page_up", N_("page up"), "page_up", show=False),
    _b("home,g", "first", N_("first"), "first", show=False),
    _b("end,G", "last", N_("last"), "last", show=False),
]

# The reading screen.
SCREEN_BINDINGS: list[Binding] = [
    _b("tab", "cycle_pane(1)", N_("next pane"), "next_pane", show=False),
    _b("shift+tab", "cycle_pane(-1)", N_("previous pane"), "prev_pane", show=False),
    _b("enter", "open_focused", N_("open"), "open", show=False, key_display="⏎"),
    _b("space", "page_article", N_("page the article"), "page_article", show=False),
    _b("n", "next_unread", N_("next unread"), "next_unread", show=False),
    _b("p", "prev_unread", N_("previous unread"), "prev_unread", show=False),
    _b("m", "toggle_read", N_("toggle read"), "toggle_read", show=False),
    _b("f", "star", N_("star"), "star", show=False),
    _b("s", "subscribe", N_("subscribe or unsubscribe"), "subscribe", show=False),
    _b("u", "toggle_unread_only", N_("unread articles only, or all"), "unread_only",
       show=False),
    _b("right", "expand", N_("open a folder in the sidebar"), "expand", show=False),
    _b("left", "collapse", N_("close a folder in the sidebar"), "collapse", show=False),
    _b("a", "mark_all", N_("mark section read"), "mark_all", show=False),
    _b("r", "refresh", N_("refresh"), "refresh", show=False),
    _b("slash", "search", N_("search"), "search", show=False, key_display="/", priority=True),
    _b("o", "open_browser", N_("open in browser"), "open_browser", show=False),
    _b("left_square_bracket", "prev_article", N_("previous article"), "prev_article",
       show=False, key_display="["),
    _b("right_square_bracket", "next_article", N_("next article"), "next_article",
       show=False, key_display="]"),
    _b("backspace,alt+left", "back", N_("back"), "back", show=False),
    _b("alt+right", "forward", N_("forward"), "forward", show=False),
    _b("l", "toggle_edition", N_("language"), "next_edition", show=False),
    _b("L", "pick_edition", N_("pick edition"), "pick_edition", show=False),
    _b("S", "subscriptions", N_("subscriptions"), "subscriptions", show=False),
    _b("escape", "close_article", N_("close article"), "close_article", show=False),
    _b("question_mark", "help", N_("help"), "help", show=False, key_display="?"),
]

# The App: quitting works on every screen.
APP_BINDINGS: list[Binding] = [
    _b("q", "quit", N_("quit"), "quit", show=False, priority=False),
]

# What the footer shows, in order: binding ids joined by "/" and the label.
FOOTER_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("down", "up"), N_("move")),
    (("open",), N_("open")),
    (("next_edition",), N_("language")),
    (("refresh",), N_("refresh")),
    (("search",), N_("search")),
    (("subscribe",), N_("subscribe")),
    (("star",), N_("star")),
    (("help",), N_("help")),
    (("quit",), N_("quit")),
)


def all_bindings() -> list[Binding]:
    """Every remappable binding, for the help screen."""
    return [*LIST_BINDINGS, *SCREEN_BINDINGS, *APP_BINDINGS]


def binding_ids() -> set[str]:
    return {b.id for b in all_bindings() if b.id}


def user_keymap(keys: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The config's ``[keys]`` table as a Textual keymap, and the ids it names that don't exist.

    Users write keys as they see them ("/", "?", "[", "]"); Textual normalises
    those names itself.
    """
    known = binding_ids()
    keymap = {k: v for k, v in keys.items() if k in known}
    unknown = sorted(k for k in keys if k not in known)
    return keymap, unknown
