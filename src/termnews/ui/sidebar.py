"""The rows of the sidebar, as plain data: what is listed, in which order, with which counts.

Top to bottom: Everything (when the reader follows more than one source), the
catalog outlets with their sections, the folders with their feeds, the plain
feeds, Starred and the last search. The order comes from the subscriptions
(the order of the imported file, by default) or from the ``ui.feed_order``
setting; it never depends on where the cursor is, so moving through the list
never reorders it. No Textual here: the widget (``widgets.sections``) draws
these rows, the tests check them without a terminal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from termnews.i18n import _
from termnews.library import EVERYTHING as EVERYTHING_HIDDEN
from termnews.library import FEED_OUTLET_PREFIX, FOLDER_OUTLET_PREFIX
from termnews.model import Outlet, Subscription
from termnews.ui.views import EVERYTHING, Place, group_key, is_own, section_key


@dataclass(frozen=True, slots=True)
class SectionEntry:
    """One line of the sidebar; key is the view key it shows ("" for none)."""

    key: str
    label: str
    count: int | None = None
    subscribed: bool = True
    icon: str = " "
    depth: int = 0  # 1 for a section or feed under a group row
    expanded: bool | None = None  # a group row: shown open or closed; None otherwise
    failed: bool = False  # the last fetch of its feed (of one of its feeds) failed
    feeds: tuple[str, ...] = field(default=(), compare=False)  # what its list shows
    group: str = ""  # a member row: the key of its group row

    @property
    def is_group(self) -> bool:
        return self.expanded is not None


# NamedTuples, not dataclasses: this module is imported before the first frame, and
# generating a dataclass costs a millisecond or two each.
class Counts(NamedTuple):
    """What the counts worker found: unread per feed URL, copies to leave out of a group's
    count, failing feeds, starred articles."""

    unread: Mapping[str, int] = {}
    hidden: Mapping[tuple[str, str], int] = {}
    errors: Mapping[str, str] = {}
    starred: int = 0


class _Member(NamedTuple):
    key: str
    title: str
    url: str
    subscribed: bool
    position: int


class _Group(NamedTuple):
    key: str  # the group's view key
    outlet: str
    title: str
    members: tuple[_Member, ...]
    position: int
    catalog: bool


def _title_key(text: str) -> str:
    return text.casefold()


def _order(items: list[_Member], order: str, unread: Mapping[str, int]) -> list[_Member]:
    if order == "title":
        return sorted(items, key=lambda m: (_title_key(m.title), m.position))
    if order == "unread":
        return sorted(items, key=lambda m: (-unread.get(m.url, 0), m.position))
    return sorted(items, key=lambda m: m.position)


def _groups(place: Place) -> tuple[list[_Group], list[_Member]]:
    """Catalog outlets and folders (groups) and plain feeds, each in file order."""
    position = {s.feed_url: i for i, s in enumerate(place.subscriptions)}
    subscribed = place.subscribed
    mine = {s.outlet for s in place.subscriptions}
    groups: list[_Group] = []
    feeds: list[_Member] = []
    for outlet in place.outlets:
        if outlet.key not in mine and outlet.key not in place.pinned:
            continue
        if outlet.key.startswith(FEED_OUTLET_PREFIX):
            for e in outlet.editions:
                for s in e.sections:
                    feeds.append(_Member(section_key(outlet.key, e.lang, s.key), s.title,
                                         s.feed_url, s.feed_url in subscribed,
                                         position.get(s.feed_url, len(position))))
            continue
        lang = place.edition if outlet.key == place.outlet else place.editions.get(outlet.key)
        edition = outlet.edition(lang or "") or (
            next((e for e in outlet.editions
                  if any(s.feed_url in subscribed for s in e.sections)), None)
            or (outlet.editions[0] if outlet.editions else None))
        if edition is None:
            continue
        members = tuple(
            _Member(section_key(outlet.key, edition.lang, s.key), s.title, s.feed_url,
                    s.feed_url in subscribed, position.get(s.feed_url, len(position)))
            for s in edition.sections)
        catalog = not is_own(outlet.key)
        first = min((m.position for m in members if m.subscribed), default=len(position))
        groups.append(_Group(group_key(outlet.key, edition.lang), outlet.key,
                             _group_title(outlet, edition.lang), members, first, catalog))
    return groups, feeds


def _group_title(outlet: Outlet, lang: str) -> str:
    if outlet.key.startswith(FOLDER_OUTLET_PREFIX):
        return outlet.name
    if len(outlet.editions) > 1 and lang:
        return f"{outlet.name} · {lang.upper()}"
    return outlet.name


def build_sidebar(place: Place, counts: Counts, *, search_text: str = "",
                  collapsed: frozenset[str] | set[str] = frozenset(), order: str = "file",
                  order_counts: Mapping[str, int] | None = None) -> list[SectionEntry]:
    """The sidebar's rows. order_counts are the unread counts the "unread" order sorts by
    (a snapshot the screen takes at start and after a refresh, so reading does not move
    the rows under the cursor)."""
    unread = counts.unread
    ranking = order_counts if order_counts is not None else unread
    groups, feeds = _groups(place)
    catalog = [g for g in groups if g.catalog]
    folders = [g for g in groups if not g.catalog]
    if order == "title":
        folders.sort(key=lambda g: (_title_key(g.title), g.position))
    elif order == "unread":
        folders.sort(key=lambda g: (-sum(ranking.get(m.url, 0) for m in g.members), g.position))
    else:
        folders.sort(key=lambda g: g.position)
    multi = place.multi
    entries: list[SectionEntry] = []
    if multi:
        every = tuple(s.feed_url for s in place.subscriptions)
        total = sum(unread.get(u, 0) for u in every) - counts.hidden.get(EVERYTHING_HIDDEN, 0)
        entries.append(SectionEntry(EVERYTHING, _("Everything"), max(0, total), icon="◆",
                                    feeds=every))
    for group in catalog + folders:
        members = group.members if group.catalog else tuple(
            _order([m for m in group.members if m.subscribed], order, ranking))
        urls = tuple(m.url for m in members if m.subscribed)
        parts = group.key.split("|")
        total = sum(unread.get(u, 0) for u in urls) - counts.hidden.get(
            (group.outlet, parts[-2]), 0)
        failed = [u for u in urls if u in counts.errors]
        # One catalog outlet alone keeps the familiar look: "All" and its sections.
        alone = group.catalog and not multi
        is_open = alone or group.key not in collapsed
        entries.append(SectionEntry(
            group.key, _("All") if alone else group.title, max(0, total),
            subscribed=bool(urls) or not group.catalog,
            icon="◆" if alone else ("▾" if is_open else "▸"),
            expanded=None if alone else is_open,
            failed=bool(failed) and not is_open, feeds=urls))
        if not is_open:
            continue
        for m in members:
            entries.append(SectionEntry(
                m.key, m.title, unread.get(m.url, 0) if m.subscribed else None,
                subscribed=m.subscribed, depth=0 if alone else 1,
                failed=m.url in counts.errors, feeds=(m.url,) if m.subscribed else (),
                group=group.key))
    for m in _order(feeds, order, ranking):
        entries.append(SectionEntry(m.key, m.title, unread.get(m.url, 0),
                                    subscribed=m.subscribed, failed=m.url in counts.errors,
                                    feeds=(m.url,)))
    entries.append(SectionEntry("starred", _("Starred"), counts.starred, icon="★"))
    if search_text:
        entries.append(SectionEntry("search", _("Search: {query}").format(query=search_text),
                                    icon="⌕"))
    return entries


def member_groups(subscriptions: list[Subscription]) -> dict[str, str]:
    """feed URL -> the key of the group row it sits under (catalog outlets and folders)."""
    return {s.feed_url: group_key(s.outlet, s.edition) for s in subscriptions
            if not s.outlet.startswith(FEED_OUTLET_PREFIX)}
