"""What the reading screen shows, as plain data: views, their queries, the start state.

No Textual here: ``load_start`` runs before the App is built (so the first
frame already has articles), and everything is testable without a terminal.
A *view key* names what the article list shows: "everything" (every
subscription), "starred", "search", a group "outlet|edition|" (an outlet's
edition, an OPML folder), or a section or feed "outlet|edition|section".
"all" is an older name for the group the reader is in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from termnews.library import FEED_OUTLET_PREFIX, FOLDER_OUTLET_PREFIX, Library
from termnews.model import ArticleQuery, ArticleRow, Edition, Outlet, Section, Subscription

FIRST_PAGE = 200  # rows queried for the first frame; the rest follow in a worker
EVERYTHING = "everything"
SPECIAL_VIEWS = ("all", "starred", "search", EVERYTHING)
OWN_PREFIXES = (FEED_OUTLET_PREFIX, FOLDER_OUTLET_PREFIX)


def section_key(outlet: str, edition: str, section: str) -> str:
    return f"{outlet}|{edition}|{section}"


def group_key(outlet: str, edition: str) -> str:
    """The view of a whole group: an outlet's edition, or an OPML folder."""
    return f"{outlet}|{edition}|"


def split_key(key: str) -> tuple[str, str, str] | None:
    # From the right: a plain feed's outlet key holds its URL, which may contain "|".
    if key in SPECIAL_VIEWS:
        return None
    parts = key.rsplit("|", 2)
    if len(parts) != 3:
        return None
    return parts[0], parts[1], parts[2]


def is_own(outlet: str) -> bool:
    """A plain feed or an OPML folder (outlets of the reader's own, not of the catalog)."""
    return outlet.startswith(OWN_PREFIXES)


@dataclass
class Place:
    """Where the reader is: outlet, edition, and the catalog and subscriptions around it."""

    outlets: tuple[Outlet, ...]
    subscriptions: list[Subscription]
    outlet: str = ""
    edition: str = ""
    # The edition each catalog outlet shows in the sidebar (the one last read there).
    editions: dict[str, str] = field(default_factory=dict)
    # Catalog outlets shown although nothing of them is subscribed (the reader was there):
    # the sidebar keeps their rows so a section can be subscribed again.
    pinned: set[str] = field(default_factory=set)

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
        if parts is None or not parts[2]:
            return None
        outlet = self.outlet_obj(parts[0])
        edition = outlet.edition(parts[1]) if outlet else None
        return edition.section(parts[2]) if edition else None

    def section_titles(self) -> dict[tuple[str, str, str], str]:
        return {(o.key, e.lang, s.key): s.title
                for o in self.outlets for e in o.editions for s in e.sections}

    @property
    def sources(self) -> int:
        """How many outlets, folders and plain feeds the reader follows."""
        return len({s.outlet for s in self.subscriptions} | self.pinned)

    @property
    def multi(self) -> bool:
        """More than one source: the sidebar starts with Everything."""
        return self.sources > 1

    def resolve(self, view: str) -> str:
        """"all" as the key of the group the reader is in; a plain feed's group as the feed
        itself (its one row); other keys as they are."""
        if view == "all":
            view = group_key(self.outlet, self.edition)
        if view.startswith(FEED_OUTLET_PREFIX) and view.endswith("||"):
            outlet = self.outlet_obj(view[:-2])
            sections = [s for e in outlet.editions for s in e.sections] if outlet else []
            if len(sections) == 1:
                return section_key(view[:-2], "", sections[0].key)
        return view

    def exists(self, view: str) -> bool:
        """Whether the view can be shown: a known group, section or feed, or a special view."""
        if view in ("starred", "search", "all"):
            return True
        if view == EVERYTHING:
            return self.multi
        parts = split_key(view)
        if parts is None:
            return False
        outlet = self.outlet_obj(parts[0])
        edition = outlet.edition(parts[1]) if outlet else None
        if edition is None:
            return False
        return not parts[2] or edition.section(parts[2]) is not None

    def feeds(self, view: str) -> tuple[str, ...] | None:
        """The feed URLs a view lists (None: Starred and search, which span every feed)."""
        view = self.resolve(view)
        if view in ("starred", "search"):
            return None
        if view == EVERYTHING:
            return tuple(s.feed_url for s in self.subscriptions)
        parts = split_key(view)
        if parts is None:
            return ()
        if not parts[2]:
            return tuple(s.feed_url for s in self.subscriptions
                         if s.outlet == parts[0] and s.edition == parts[1])
        section = self.section(view)
        return (section.feed_url,) if section else ()

    def query(self, view: str, search: str = "", *, unread: bool = False) -> ArticleQuery:
        if view == "starred":
            return ArticleQuery(starred=True, unread=unread)
        if view == "search":
            return ArticleQuery(search=search or "", unread=unread)
        return ArticleQuery(feed_urls=self.feeds(view), unread=unread)

    def map_view(self, view: str, lang: str) -> str:
        """The same section in another edition of the current outlet (by key), else its
        group."""
        view = self.resolve(view)
        parts = split_key(view)
        if parts is None:
            return view
        if parts[0] != self.outlet:
            return view
        outlet = self.outlet_obj(parts[0])
        edition = outlet.edition(lang) if outlet else None
        if edition is not None and (not parts[2] or edition.section(parts[2]) is not None):
            return section_key(parts[0], lang, parts[2])
        return group_key(parts[0], lang)

    def next_edition(self, step: int = 1, outlet_key: str | None = None,
                     current: str | None = None) -> str | None:
        outlet = self.outlet_obj(outlet_key)
        if outlet is None or len(outlet.editions) < 2:
            return None
        langs = list(outlet.languages)
        current = self.edition if current is None else current
        i = langs.index(current) if current in langs else -1
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
    if not is_own(outlet.key):
        place.pinned.add(outlet.key)
    # Each other catalog outlet shows the edition last read there, else its first subscribed.
    for sub in place.subscriptions:
        if sub.outlet in place.editions or is_own(sub.outlet) or sub.outlet == outlet.key:
            continue
        other = place.outlet_obj(sub.outlet)
        if other is None:
            continue
        mine = {s.edition for s in place.subscriptions if s.outlet == sub.outlet}
        remembered = lib.pref(f"edition:{sub.outlet}")
        place.editions[sub.outlet] = remembered if remembered in mine else sub.edition
    place.editions[outlet.key] = place.edition
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
    unread_only: bool = False
    collapsed: frozenset[str] = frozenset()


def start_view(place: Place, remembered: object) -> str:
    """The view to start in: the remembered one while it exists, else Everything for a
    reader of several sources, else the group the reader is in."""
    default = EVERYTHING if place.multi else place.resolve("all")
    view = remembered if isinstance(remembered, str) and remembered != "search" else default
    view = place.resolve(view)
    if not place.exists(view):
        return default
    parts = split_key(view)
    if parts is not None and parts[0] == place.outlet and parts[1] != place.edition:
        view = place.map_view(view, place.edition)  # --edition, or another edition remembered
    elif parts is not None and parts[0] != place.outlet:
        return default
    return view


def load_start(lib: Library, *, edition: str | None = None) -> StartState:
    place = choose_place(lib, edition)
    view = start_view(place, lib.pref("section"))
    unread_only = lib.pref("unread_only") is True
    collapsed = lib.pref("collapsed")
    q = place.query(view, unread=unread_only)
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
        last_refresh=lib.last_refresh(), theme=lib.pref("theme"), unread_only=unread_only,
        collapsed=frozenset(k for k in collapsed if isinstance(k, str))
        if isinstance(collapsed, list) else frozenset(),
    )
