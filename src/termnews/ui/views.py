"""What the reading screen shows, as plain data: views, their queries, the start state.

No Textual here: ``load_start`` runs before the App is built (so the first
frame already has articles), and everything is testable without a terminal.
A *view key* names what the article list shows: "all" (the current edition),
"starred", "search", or a section "outlet|edition|section".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from termnews.library import Library
from termnews.model import ArticleQuery, ArticleRow, Edition, Outlet, Section, Subscription

FIRST_PAGE = 200  # rows queried for the first frame; the rest follow in a worker
SPECIAL_VIEWS = ("all", "starred", "search")


def section_key(outlet: str, edition: str, section: str) -> str:
    return f"{outlet}|{edition}|{section}"


def split_key(key: str) -> tuple[str, str, str] | None:
    parts = key.split("|")
    if len(parts) != 3:
        return None
    return parts[0], parts[1], parts[2]


@dataclass
class Place:
    """Where the reader is: outlet, edition, and the catalog and subscriptions around it."""

    outlets: tuple[Outlet, ...]
    subscriptions: list[Subscription]
    outlet: str = ""
    edition: str = ""

    @property
    def subscribed(self) -> set[str]:
        return {s.feed_url for s in self.subscriptions}

    def outlet_obj(self, key: str | None = None) -> Outlet | None:
        key = self.outlet if key is None else key
        return next((o for o in self.outlets if o.key == key), None)

    def edition_obj(self) -> Edition | None:
        outlet = self.outlet_obj()
        return outlet.edition(self.edition) if outlet else None

    def section(self, key: str) -> Section | None:
        parts = split_key(key)
        if parts is None:
            return None
        outlet = self.outlet_obj(parts[0])
        edition = outlet.edition(parts[1]) if outlet else None
        return edition.section(parts[2]) if edition else None

    def section_titles(self) -> dict[tuple[str, str, str], str]:
        return {(o.key, e.lang, s.key): s.title
                for o in self.outlets for e in o.editions for s in e.sections}

    def query(self, view: str, search: str = "") -> ArticleQuery:
        if view == "starred":
            return ArticleQuery(starred=True)
        if view == "search":
            return ArticleQuery(search=search or "")
        if view == "all":
            urls = tuple(s.feed_url for s in self.subscriptions
                         if s.outlet == self.outlet and s.edition == self.edition)
            return ArticleQuery(feed_urls=urls)
        section = self.section(view)
        return ArticleQuery(feed_urls=(section.feed_url,) if section else ())

    def map_view(self, view: str, lang: str) -> str:
        """The same section in another edition of the current outlet (by key), else All."""
        parts = split_key(view)
        if parts is None:
            return view if view in ("starred", "search") else "all"
        outlet = self.outlet_obj(parts[0])
        edition = outlet.edition(lang) if outlet else None
        if edition is not None and edition.section(parts[2]) is not None:
            return section_key(parts[0], lang, parts[2])
        return "all"

    def next_edition(self, step: int = 1) -> str | None:
        outlet = self.outlet_obj()
        if outlet is None or len(outlet.editions) < 2:
            return None
        langs = list(outlet.languages)
        i = langs.index(self.edition) if self.edition in langs else -1
        return langs[(i + step) % len(langs)]


def choose_place(lib: Library, edition: str | None = None) -> Place:
    """The outlet and edition to start in: the remembered one, else the first subscribed."""
    place = Place(outlets=lib.outlets(), subscriptions=lib.subscriptions())
    keys = [o.key for o in place.outlets]
    subscribed_outlets = [s.outlet for s in place.subscriptions]
    remembered = lib.pref("outlet")
    if remembered in keys and remembered in subscribed_outlets:
        place.outlet = remembered
    elif subscribed_outlets:
        place.outlet = next((k for k in keys if k in subscribed_outlets), subscribed_outlets[0])
    elif keys:
        place.outlet = keys[0]
    outlet = place.outlet_obj()
    if outlet is None:
        return place
    langs = outlet.languages
    from termnews.library import locale_language

    wanted = [edition, lib.pref(f"edition:{outlet.key}"), locale_language()]
    wanted += [s.edition for s in place.subscriptions if s.outlet == outlet.key]
    subscribed_langs = {s.edition for s in place.subscriptions if s.outlet == outlet.key}
    place.edition = next((w for w in wanted if w in langs and (w in subscribed_langs or w == edition
                                                              or not subscribed_langs)),
                         langs[0] if langs else "")
    return place


@dataclass
class StartState:
    """Everything the first frame needs, read in a few fast queries."""

    place: Place
    view: str
    rows: list[ArticleRow] = field(default_factory=list)
    article_id: int | None = None
    last_refresh: datetime | None = None
    theme: str | None = None


def load_start(lib: Library, *, edition: str | None = None) -> StartState:
    place = choose_place(lib, edition)
    view = lib.pref("section") or "all"
    if view == "search" or not isinstance(view, str):
        view = "all"
    parts = split_key(view)
    if parts is not None:
        if parts[0] != place.outlet or place.section(view) is None:
            view = "all"
        elif parts[1] != place.edition:
            view = place.map_view(view, place.edition)
    if view not in SPECIAL_VIEWS and split_key(view) is None:
        view = "all"
    q = place.query(view)
    rows = lib.articles(replace(q, limit=FIRST_PAGE))
    article_id = lib.pref("article")
    if isinstance(article_id, int):
        # The last article only when it belongs where we start (--edition may differ).
        last = lib.article(article_id)
        if last is None or (last.outlet == place.outlet and last.edition != place.edition):
            article_id = None
    return StartState(
        place=place, view=view, rows=rows,
        article_id=article_id if isinstance(article_id, int) else None,
        last_refresh=lib.last_refresh(), theme=lib.pref("theme"),
    )
