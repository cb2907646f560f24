"""The command palette: the app's actions, themes, sections to jump to, article search.

The provider finds its actions on the screen the palette was opened from
(``action_refresh``, ``action_open_section("outlet|edition|section")``,
``action_open_article(id)`` …) with ``getattr``: an action the screen lacks is
simply not listed. The profile's ``Library`` is ``app.library`` (or
``screen.library``). Feed text (article titles, outlet and section names) is
shown as ``Content``, never parsed as markup; the palette parses a str help
text as markup, so help is passed as ``Content`` too.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from termnews.i18n import N_, _
from termnews.library import FEED_OUTLET_PREFIX, LibraryError
from termnews.model import ArticleQuery, ArticleRow, Outlet, Subscription
from termnews.ui.themes import set_theme, theme_names

# (screen action, label, help): labels are translated when the palette opens.
ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("refresh", N_("Refresh"), N_("Fetch new articles from the subscribed feeds")),
    ("search", N_("Search articles"), N_("Full-text search over the cached articles")),
    ("subscriptions", N_("Subscriptions"),
     N_("Subscribe to outlets, editions and sections, or add a feed by URL")),
    ("toggle_edition", N_("Next edition"), N_("Switch the outlet to its next language")),
    ("pick_edition", N_("Choose an edition"), N_("Pick the outlet's language from a list")),
    ("help", N_("Help"), N_("Show every key and what it does")),
)

# Textual's own palette entries (App.get_system_commands), translated by their English text.
SYSTEM_COMMANDS: dict[str, str] = {
    "Theme": N_("Theme"),
    "Change the current theme": N_("Change the current theme"),
    "Quit": N_("Quit"),
    "Quit the application as soon as possible": N_("Quit the application as soon as possible"),
    "Keys": N_("Keys"),
    "Show help for the focused widget and a summary of available keys":
        N_("Show help for the focused widget and a summary of available keys"),
    "Hide the keys and widget help panel": N_("Hide the keys and widget help panel"),
    "Maximize": N_("Maximize"),
    "Maximize the focused widget": N_("Maximize the focused widget"),
    "Minimize": N_("Minimize"),
    "Minimize the widget and restore to normal size":
        N_("Minimize the widget and restore to normal size"),
    "Screenshot": N_("Screenshot"),
    "Save an SVG 'screenshot' of the current screen":
        N_("Save an SVG 'screenshot' of the current screen"),
}


def translated_system_command(command: SystemCommand) -> SystemCommand:
    """One of Textual's palette entries with its title and help in the UI language (one
    Textual adds later stays as it comes)."""
    title = SYSTEM_COMMANDS.get(command.title)
    help_text = SYSTEM_COMMANDS.get(command.help)
    return command._replace(title=_(title) if title else command.title,
                            help=_(help_text) if help_text else command.help)


ARTICLE_HITS = 12  # article titles offered per query
MIN_ARTICLE_QUERY = 3  # characters typed before the cache is searched


@dataclass(frozen=True, slots=True)
class Entry:
    """One palette command: plain text to match, what to show, what to run."""

    text: str
    help: str
    run: Callable[[], Any]
    discover: bool = True  # also listed before anything is typed


def _safe(text: str) -> Content:
    return Content(text)


def highlight(matcher: Matcher, text: str) -> Content:
    """Like ``Matcher.highlight`` but the candidate is plain text, never markup."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if not score:
        return content
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def place_names(outlets: tuple[Outlet, ...]) -> dict[tuple[str, str, str], str]:
    """"Outlet · EN · Section" for every (outlet, edition, section) key of the catalog."""
    return {(o.key, e.lang, s.key): " · ".join(p for p in (o.name, e.lang.upper(), s.title) if p)
            for o in outlets for e in o.editions for s in e.sections}


def section_entries(subscriptions: list[Subscription], outlets: tuple[Outlet, ...],
                    current_outlet: str, current_edition: str) -> list[tuple[str, str, bool]]:
    """(view key "o|e|s", label, in the current edition) for every subscribed section."""
    names = {o.key: o for o in outlets}
    out: list[tuple[str, str, bool]] = []
    for sub in subscriptions:
        outlet = names.get(sub.outlet)
        outlet_name = outlet.name if outlet else sub.outlet
        edition = outlet.edition(sub.edition) if outlet else None
        section = edition.section(sub.section) if edition else None
        title = (section.title if section else "") or sub.title or sub.section
        where = outlet_name if not sub.edition else f"{outlet_name} · {sub.edition.upper()}"
        current = sub.outlet == current_outlet and sub.edition == current_edition
        # A plain feed is its own outlet: its title alone, not "title — title".
        label = title if sub.outlet.startswith(FEED_OUTLET_PREFIX) else f"{title} — {where}"
        out.append((f"{sub.outlet}|{sub.edition}|{sub.section}", label, current))
    out.sort(key=lambda e: not e[2])  # the current edition's sections first
    return out


def _key(value: object) -> str:
    """An outlet or edition attribute of the screen as its key ("demo", "en")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(getattr(value, "key", None) or getattr(value, "lang", None) or "")


class TermnewsCommands(Provider):
    """Actions, themes, sections and articles for the command palette."""

    def _library(self) -> Any:
        return getattr(self.app, "library", None) or getattr(self.screen, "library", None)

    async def startup(self) -> None:
        # Sections come from the profile's subscriptions: the screen's ``place`` holds them
        # (outlets, subscriptions, outlet, edition); else they are read once, off the loop.
        self._sections: list[tuple[str, str, bool]] = []
        self._places: dict[tuple[str, str, str], str] = {}
        place = getattr(self.screen, "place", None)
        outlet = _key(getattr(place, "outlet", None) or getattr(self.screen, "outlet", None))
        edition = _key(getattr(place, "edition", None) or getattr(self.screen, "edition", None))
        subs = getattr(place, "subscriptions", None)
        outlets = getattr(place, "outlets", None)
        if subs is None or outlets is None:
            library = self._library()
            if library is None:
                return

            def read() -> tuple[list[Subscription], tuple[Outlet, ...]]:
                return library.subscriptions(), library.outlets()

            subs, outlets = await asyncio.to_thread(read)
        self._places = place_names(tuple(outlets))
        self._sections = section_entries(list(subs), tuple(outlets), outlet, edition)

    def entries(self) -> Iterator[Entry]:
        screen = self.screen
        for action, label, help_text in ACTIONS:
            method = getattr(screen, f"action_{action}", None)
            if callable(method):
                yield Entry(_(label), _(help_text), method)
        jump = getattr(screen, "action_open_section", None)
        if callable(jump):
            place = getattr(screen, "place", None)
            if getattr(place, "multi", False):
                yield Entry(_("Go to Everything"), _("Every article of every subscription"),
                            partial(jump, "everything"))
            yield Entry(_("Go to All articles"), _("Every article of the current edition"),
                        partial(jump, "all"))
            yield Entry(_("Go to Starred"), _("The articles you starred"),
                        partial(jump, "starred"))
            for key, label, current in getattr(self, "_sections", []):
                yield Entry(_("Go to {section}").format(section=label),
                            _("Show this section's articles"), partial(jump, key),
                            discover=current)
        for name in theme_names(self.app):
            yield Entry(_("Theme: {name}").format(name=name), _("Use this colour theme"),
                        partial(set_theme, self.app, name), discover=False)

    async def discover(self) -> Hits:
        for entry in self.entries():
            if entry.discover:
                yield DiscoveryHit(_safe(entry.text), entry.run, text=entry.text,
                                   help=_safe(entry.help))  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self.entries():
            score = matcher.match(entry.text)
            if score > 0:
                yield Hit(score, highlight(matcher, entry.text), entry.run, text=entry.text,
                          help=_safe(entry.help))  # type: ignore[arg-type]
        async for hit in self._article_hits(query):
            yield hit

    async def _article_hits(self, query: str) -> Hits:
        library = self._library()
        opener = getattr(self.screen, "action_open_article", None)
        if library is None or not callable(opener) or len(query.strip()) < MIN_ARTICLE_QUERY:
            return

        def find() -> list[ArticleRow]:
            return library.articles(ArticleQuery(search=query.strip(), limit=ARTICLE_HITS))

        try:
            rows = await asyncio.to_thread(find)
        except (sqlite3.Error, LibraryError):  # e.g. a locked database: no article hits
            return
        places = getattr(self, "_places", {})
        for rank, row in enumerate(rows):
            # Below the commands, in the order the search ranked them.
            score = 0.5 * (1 - rank / (2 * ARTICLE_HITS))
            where = places.get((row.outlet, row.edition, row.section)) or " · ".join(
                p for p in (row.outlet, row.edition.upper(), row.section) if p)
            yield Hit(score, _safe(row.title), partial(opener, row.id), text=row.title,
                      help=_safe(_("Article · {where}").format(where=where)))  # type: ignore[arg-type]
