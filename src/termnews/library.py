"""The engine's front door: one profile's view of the cache, state and catalog.

The CLI and the TUI talk to a ``Library``; neither opens the database nor
fetches anything itself. Every method is plain, blocking Python except
``refresh`` (async); the TUI calls them from workers. Each thread gets its own
SQLite connection.
"""

from __future__ import annotations

import getpass
import locale
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from termnews.catalog import all_outlets, find_outlet
from termnews.config import Config, SyncConfig
from termnews.errors import TermnewsError
from termnews.i18n import _
from termnews.model import (
    FEED_OUTLET_PREFIX,
    FOLDER_OUTLET_PREFIX,
    Article,
    ArticleQuery,
    ArticleRow,
    Edition,
    FeedSource,
    FeedStatus,
    Outlet,
    RefreshEvent,
    RefreshSummary,
    RelatedItem,
    Section,
    Subscription,
    SyncStatus,
    SyncSummary,
    Translation,
    slug,
)
from termnews.paths import Paths
from termnews.store import cache, health, state
from termnews.store import sync_state as journal
from termnews.store.db import (
    MigrationProgress,
    StateDamaged,
    StoreError,
    connect,
    transaction,
)
from termnews.store.health import Notice
from termnews.sync.errors import SyncError
from termnews.terms import SearchQuery

if TYPE_CHECKING:
    from termnews.feeds.opml import FeedList
    from termnews.prune import CacheStats, PruneResult
    from termnews.sync.service import SyncService

__all__ = [
    "FEED_OUTLET_PREFIX", "FOLDER_OUTLET_PREFIX", "CacheDamaged", "Library", "LibraryError",
    "StateDamaged", "StoreError", "SyncError", "is_feed_url", "safe_link", "slug",
]

log = logging.getLogger(__name__)

ENV_PROFILE = "TERMNEWS_PROFILE"
RETRY_ON_OPEN = 15 * 60.0  # seconds before opening an article asks its failed page again
EVERYTHING = ("*", "*")  # hidden_unread's key for the view of every subscription


class LibraryError(TermnewsError):
    """A request the library cannot carry out; the message is for the user."""


class CacheDamaged(StoreError):
    """cache.db was found damaged while in use; it is set aside at the next open (the
    CLI does that at once and runs the command again)."""

    def __init__(self, cache_db: Path, why: str) -> None:
        self.cache_db = cache_db
        super().__init__(_("{file} is {why}; it is set aside and a new one started when "
                           "termnews next opens it (read and starred marks are kept)").format(
            file=health.where(cache_db), why=why))


def default_profile() -> str:
    name = os.environ.get(ENV_PROFILE)
    if name:
        return name
    try:
        return getpass.getuser() or "default"
    except (KeyError, OSError):
        return "default"


def locale_language() -> str:
    """The user's language from the environment, e.g. "ru" for ru_RU.UTF-8."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value.split(":")[0].split("_")[0].split(".")[0].lower()
    try:
        loc = locale.getlocale()[0]
    except ValueError:
        loc = None
    return (loc or "en").split("_")[0].lower()


def unique_key(key: str, taken: set[str]) -> str:
    """key, or key-2, key-3 … whichever is not taken."""
    n, candidate = 1, key
    while candidate in taken:
        n += 1
        candidate = f"{key}-{n}"
    return candidate


def _log_refresh(summary: RefreshSummary) -> None:
    log.info("refresh: %d feeds ok (%d unchanged), %d failed, %d new articles",
             summary.feeds_ok, summary.not_modified, summary.feeds_failed,
             summary.new_articles)
    for url, error in summary.errors:  # addresses may carry a private token: debug only
        log.debug("refresh: %s: %s", url, error)


def is_feed_url(url: str) -> bool:
    """An http(s) URL with a host: the only kind of address subscribed to by URL."""
    from termnews.feeds.opml import is_feed_url

    return is_feed_url(url)


def safe_link(url: str | None, base: str | None = None) -> str | None:
    """A link from feed or page text as an absolute http(s) URL, or None when it is not
    one a browser may be sent to."""
    from termnews.feeds.clean import safe_http_url

    return safe_http_url(url, base)


def store_failure(paths: Paths, exc: BaseException, file: Path | None = None) -> StoreError:
    """The user's one line for a storage error: the file and the cause ("disk is full" …).

    Damage is traced to its file (a full check, so only on the way to a message): a
    damaged state.db gives StateDamaged (backup and restore command named); a damaged
    cache.db is marked to be set aside at the next open (CacheDamaged)."""
    if isinstance(exc, StoreError):
        return exc
    if health.is_damage(exc):
        problem = health.check_file(paths.state_db)
        if problem is not None:
            return StateDamaged(paths.state_db, problem)
        why = health.check_file(paths.cache_db) or f"damaged ({exc})"
        health.mark_damaged(paths.cache_db, why)
        return CacheDamaged(paths.cache_db, why)
    if file is not None:
        return StoreError(_("cannot save to {file}: {cause}").format(
            file=health.where(file), cause=health.cause(exc, file.parent)))
    return StoreError(_("cannot use the data in {folder}: {cause}").format(
        folder=paths.data_dir, cause=health.cause(exc, paths.data_dir)))


_T = TypeVar("_T")
_CO_GENERATOR = 0x20  # inspect's flags, without importing inspect at start-up
_CO_COROUTINE = 0x80
# Public methods whose errors are not the store's: they pass through as they are.
_UNWRAPPED = frozenset({"close", "failure", "take_notices"})


def _storage_errors_wrapped(cls: type[_T]) -> type[_T]:
    """The front door's promise: what comes out of a public method is a TermnewsError (or
    a bug). A raw ``sqlite3.Error`` or ``OSError`` becomes the StoreError that names the
    file and the cause (``store_failure``; the damage check it may run is kept off the
    event loop for the async methods)."""

    def wrap(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        flags = func.__code__.co_flags
        if flags & _CO_COROUTINE:
            async def coroutine(self: Library, *args: Any, **kwargs: Any) -> Any:
                try:
                    return await func(self, *args, **kwargs)
                except (sqlite3.Error, OSError) as exc:
                    import asyncio

                    raise await asyncio.to_thread(self.failure, exc) from None
            wrapped: Callable[..., Any] = coroutine
        elif flags & _CO_GENERATOR:
            def generator(self: Library, *args: Any, **kwargs: Any) -> Any:
                try:
                    return (yield from func(self, *args, **kwargs))
                except (sqlite3.Error, OSError) as exc:
                    raise self.failure(exc) from None
            wrapped = generator
        else:
            def plain(self: Library, *args: Any, **kwargs: Any) -> Any:
                try:
                    return func(self, *args, **kwargs)
                except (sqlite3.Error, OSError) as exc:
                    raise self.failure(exc) from None
            wrapped = plain
        wrapped.__name__ = wrapped.__qualname__ = name
        wrapped.__doc__ = func.__doc__
        wrapped.__wrapped__ = func  # type: ignore[attr-defined]
        return wrapped

    for name, member in list(vars(cls).items()):
        if callable(member) and not name.startswith("_") and name not in _UNWRAPPED \
                and hasattr(member, "__code__"):
            setattr(cls, name, wrap(name, member))
    return cls


@_storage_errors_wrapped
class Library:
    """One profile's termnews: catalog, subscriptions, articles, marks, refresh."""

    def __init__(self, paths: Paths, config: Config, profile: str | None = None, *,
                 demo: bool = False, offline: bool = False) -> None:
        self.paths = paths
        self.config = config
        self.profile = profile or default_profile()
        self.demo = demo
        self.offline = offline
        self._local = threading.local()
        self._conns: list[tuple[sqlite3.Connection, threading.Thread]] = []
        self._lock = threading.Lock()
        self.notices: list[Notice] = []  # what opening the files did (a healed cache)
        # Hears how far an upgrade that re-indexes the cache has come (the CLI on a TTY).
        self.on_migrate: MigrationProgress | None = None

    # --- plumbing ---------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections are not shared across threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                self.paths.ensure()
            except OSError as exc:  # read-only, not a directory, no space …
                where = Path(exc.filename) if exc.filename else self.paths.data_dir
                raise StoreError(f"cannot use the data directory {exc.filename or ''}: "
                                 f"{health.cause(exc, where)}") from None
            with self._lock:
                first = not self._conns
            # Only the first connection may set a damaged cache aside: later ones run
            # beside threads still using the file.
            conn = connect(self.paths.cache_db, self.paths.state_db, self.on_migrate,
                           heal=first, notices=self.notices)
            self._local.conn = conn
            with self._lock:
                self._conns.append((conn, threading.current_thread()))
        return conn

    def close(self) -> None:
        """Close the connections of this thread and of threads that have ended.

        A connection of a thread still running is never closed from here: that thread
        may be inside a transaction on it (closing it under the thread crashed the
        process). It is only let go, and closes when its thread drops it."""
        me = threading.current_thread()
        with self._lock:
            conns, self._conns = self._conns, []
            self._local = threading.local()
        for conn, owner in conns:
            if owner is me or not owner.is_alive():
                try:
                    conn.close()
                except sqlite3.Error:
                    pass

    def take_notices(self) -> list[Notice]:
        with self._lock:
            notices, self.notices[:] = list(self.notices), []
        for notice in notices:
            log.warning("%s", notice.text)
        return notices

    def failure(self, exc: BaseException, file: Path | None = None) -> StoreError:
        """The user's one line for an error out of a Library call (see ``store_failure``);
        ``file``: the file being written."""
        return store_failure(self.paths, exc, file)

    @contextmanager
    def _saving(self) -> Iterator[None]:
        """Around a write to state.db: a failure names the file and its cause."""
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise self.failure(exc, self.paths.state_db) from None

    def back_up_state_if_due(self) -> Path | None:
        """The daily backup of state.db (SQLite's online backup); None when not due.
        Raises StateDamaged when state.db fails its check (a bad copy is never made)."""
        from termnews.store.backup import BackupError, back_up_if_due

        try:
            made = back_up_if_due(self.paths.state_db)
        except BackupError as exc:
            problem = health.check_file(self.paths.state_db)
            if problem is not None:
                raise StateDamaged(self.paths.state_db, problem) from None
            raise StoreError(str(exc)) from None
        if made is not None:
            log.info("state.db backed up to %s", made)
        return made

    # --- state.db by hand: backups, restore, reset (files only: no connection) ----------

    def back_up_state(self) -> Path:
        """A backup of state.db now; returns the file made."""
        from termnews.store.backup import back_up

        with self._state_file_errors():
            return back_up(self.paths.state_db)

    def restore_state(self, backup: Path | None = None) -> tuple[Path, Path | None]:
        """Put a backup (the newest good one by default) in place of state.db; returns the
        backup used and where the previous state.db was moved (None: there was none)."""
        from termnews.store.backup import restore

        with self._state_file_errors():
            return restore(self.paths.state_db, backup)

    def reset_state(self) -> Path | None:
        """Move state.db aside (a new empty one starts); returns where, None when none."""
        from termnews.store.health import set_aside

        with self._state_file_errors():
            return set_aside(self.paths.state_db)

    def state_backups(self) -> list[Path]:
        """The backups of state.db, newest first."""
        from termnews.store.backup import backups

        with self._state_file_errors():
            return backups(self.paths.state_db)

    @contextmanager
    def _state_file_errors(self) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            state_db = self.paths.state_db
            raise StoreError(f"{state_db}: {health.cause(exc, state_db.parent)}") from None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, *, starter: bool = True) -> bool:
        """Create the profile if needed; a new one gets its starter subscriptions.

        ``starter=False`` (import, feeds add, subscribe) creates the profile empty:
        a user whose first act is to bring their own feeds gets only those.
        Returns True when the profile was new.
        """
        # A profile that syncs gets its subscriptions from the server, not the starter set.
        starter = starter and self.sync_config is None
        with transaction(self.conn):
            created = state.ensure_profile(self.conn, self.profile)
            if created and starter:
                self._subscribe_starter()
            elif self.demo and not state.subscriptions(self.conn, self.profile):
                self._subscribe_starter()
        return created

    def _subscribe_starter(self) -> None:
        outlets = self.catalog()
        if self.demo:
            outlet = outlets[0]
            editions: Sequence[Edition] = outlet.editions
        else:
            outlet = find_outlet(outlets, "pravda")  # type: ignore[assignment]
            if outlet is None:
                return
            lang = locale_language()
            editions = [outlet.edition(lang) or outlet.edition("en") or outlet.editions[0]]
        state.subscribe(self.conn, self.profile, [
            Subscription(feed_url=s.feed_url, outlet=outlet.key, edition=e.lang, section=s.key,
                         title=s.title)
            for e in editions for s in e.sections
        ])

    # --- catalog and subscriptions ---------------------------------------------------

    def catalog(self) -> tuple[Outlet, ...]:
        """Catalog outlets (built-in and from the config; the demo outlet in demo mode)."""
        return all_outlets(self.config, demo=self.demo)

    def outlets(self) -> tuple[Outlet, ...]:
        """Catalog outlets plus the user's plain feeds and OPML folders as outlets."""
        catalog = self.catalog()
        known = {o.key for o in catalog}
        groups: dict[str, list[Subscription]] = {}
        for sub in self.subscriptions():
            if sub.outlet not in known:
                groups.setdefault(sub.outlet, []).append(sub)
        extra = []
        # A feed added by its URL alone is named by the title it gives itself, once fetched.
        untitled = [s.feed_url for subs in groups.values() for s in subs if not s.title]
        own = cache.feed_titles(self.conn, untitled[:500])

        def title(s: Subscription) -> str:
            return s.title or own.get(s.feed_url) or s.feed_url

        for key, subs in groups.items():
            if key.startswith(FOLDER_OUTLET_PREFIX):
                name = key[len(FOLDER_OUTLET_PREFIX):]
            else:
                name = title(subs[0])
            by_lang: dict[str, list[Section]] = {}
            for s in subs:
                by_lang.setdefault(s.edition, []).append(
                    Section(key=s.section, title=title(s), feed_url=s.feed_url))
            extra.append(Outlet(
                key=key, name=name, user=True,
                editions=tuple(Edition(lang=lang, name=lang or "—", sections=tuple(secs))
                               for lang, secs in by_lang.items()),
            ))
        return catalog + tuple(extra)

    def outlet(self, key: str) -> Outlet | None:
        return next((o for o in self.outlets() if o.key == key), None)

    def subscriptions(self) -> list[Subscription]:
        return state.subscriptions(self.conn, self.profile)

    def subscribed_urls(self) -> list[str]:
        return [s.feed_url for s in self.subscriptions()]

    def _catalog_sections(self, outlet: str, edition: str | None,
                          section: str | None) -> list[Subscription]:
        found = find_outlet(self.catalog(), outlet)
        if found is None:
            raise LibraryError(_("no outlet '{outlet}' in the catalog (see: termnews outlets)")
                               .format(outlet=outlet))
        if edition is None:
            lang = locale_language()
            editions = [found.edition(lang) or found.edition("en") or found.editions[0]]
        else:
            ed = found.edition(edition)
            if ed is None:
                raise LibraryError(_("{outlet} has no edition '{edition}' (editions: "
                                     "{editions})").format(outlet=found.name, edition=edition,
                                                           editions=", ".join(found.languages)))
            editions = [ed]
        subs = []
        for ed in editions:
            for sec in ed.sections:
                if section is None or sec.key == section:
                    subs.append(Subscription(feed_url=sec.feed_url, outlet=found.key,
                                             edition=ed.lang, section=sec.key, title=sec.title))
        if not subs:
            raise LibraryError(_("{outlet} ({edition}) has no section '{section}'").format(
                outlet=found.name, edition=editions[0].lang, section=section))
        return subs

    def subscribe(self, outlet: str, edition: str | None = None,
                  section: str | None = None) -> int:
        subs = self._catalog_sections(outlet, edition, section)
        with transaction(self.conn):
            self._journal(journal.SUBSCRIBE, [s.feed_url for s in subs], True)
            return state.subscribe(self.conn, self.profile, subs)

    def unsubscribe(self, outlet: str, edition: str | None = None,
                    section: str | None = None) -> int:
        found = find_outlet(self.catalog(), outlet)
        key = found.key if found else outlet
        urls = [s.feed_url for s in self.subscriptions()
                if s.outlet == key and (edition is None or s.edition == edition)
                and (section is None or s.section == section)]
        with transaction(self.conn):
            self._journal(journal.SUBSCRIBE, urls, False)
            return state.unsubscribe(self.conn, self.profile, urls)

    def add_feeds(self, urls: Iterable[str], *, folder: str = "",
                  titles: dict[str, str] | None = None) -> int:
        """Subscribe to plain feeds; a folder groups them as one outlet.

        A feed in a folder is keyed by its title (unique within the folder); one
        that comes without a title (a newsboat urls file) gets its key from the
        title it gives itself at its first fetch (``refresh``).
        """
        subs = []
        outlet = FOLDER_OUTLET_PREFIX + folder
        current = self.subscriptions()
        subscribed = {s.feed_url for s in current}
        taken = {s.section for s in current if s.outlet == outlet}
        for url in dict.fromkeys(urls):
            title = (titles or {}).get(url, "")
            if folder:
                section = "" if url in subscribed else unique_key(slug(title or url), taken)
                taken.add(section)
                subs.append(Subscription(feed_url=url, outlet=outlet, edition="",
                                         section=section, title=title, folder=folder))
            else:
                subs.append(Subscription(feed_url=url, outlet=FEED_OUTLET_PREFIX + url,
                                         edition="", section="main", title=title))
        with transaction(self.conn):
            self._journal(journal.SUBSCRIBE, [s.feed_url for s in subs], True)
            return state.subscribe(self.conn, self.profile, subs)

    def _key_by_titles(self, urls: Iterable[str]) -> None:
        """Feeds of a folder that came without a title are keyed by their URL until they
        are fetched; once the feed's own title is known, their key is made from it."""
        wanted = set(urls)
        subs = self.subscriptions()
        keyless = [s for s in subs if s.feed_url in wanted and not s.title and s.folder
                   and s.section.startswith(slug(s.feed_url))]
        if not keyless:
            return
        titles = cache.feed_titles(self.conn, [s.feed_url for s in keyless])
        with transaction(self.conn):
            for sub in keyless:
                title = titles.get(sub.feed_url)
                if not title:
                    continue
                taken = {s.section for s in subs if s.outlet == sub.outlet
                         and s.feed_url != sub.feed_url}
                key = unique_key(slug(title), taken)
                subs = [replace(s, section=key) if s.feed_url == sub.feed_url else s
                        for s in subs]
                state.rekey(self.conn, self.profile, sub.feed_url, key)
                cache.set_feed_section(self.conn, sub.feed_url, key)

    def remove_feeds(self, urls: Iterable[str]) -> int:
        urls = list(urls)
        with transaction(self.conn):
            self._journal(journal.SUBSCRIBE, urls, False)
            return state.unsubscribe(self.conn, self.profile, urls)

    def catalog_places(self) -> dict[str, tuple[str, str, str]]:
        """Catalog feed URL -> (outlet, edition, section): such a feed is subscribed to as
        its section."""
        return {s.feed_url: (o.key, e.lang, s.key)
                for o in self.catalog() for e in o.editions for s in e.sections}

    def add_feed_urls(self, urls: Iterable[str], *, folder: str = "",
                      titles: dict[str, str] | None = None) -> int:
        """Subscribe to feeds by URL: a catalog section's feed as that section, any other
        as a feed of its own (in ``folder``). Returns how many are new."""
        urls = list(dict.fromkeys(urls))
        places = self.catalog_places()
        new = sum(self.subscribe(*places[u]) for u in urls if u in places)
        own = [u for u in urls if u not in places]
        if own:
            new += self.add_feeds(own, folder=folder,
                                  titles={u: t for u, t in (titles or {}).items() if u in own})
        return new

    # --- feed lists (OPML, newsboat) --------------------------------------------------------

    @staticmethod
    def read_feed_list(data: bytes) -> FeedList:
        """A feed list (OPML 2.0 or a newsboat urls file, told by content), read whole;
        FeedListError says why it cannot be."""
        from termnews.feeds.opml import parse_feed_list

        return parse_feed_list(data)

    def import_feed_list(self, feed_list: FeedList) -> int:
        """Subscribe to the feeds of a list, each in its folder; returns how many are new."""
        places = self.catalog_places()
        new = 0
        folders: dict[str, list[tuple[str, str]]] = {}
        for feed in feed_list.feeds:
            place = places.get(feed.url)
            if place is not None:
                new += self.subscribe(*place)
            else:
                folders.setdefault(feed.folder, []).append((feed.url, feed.title))
        for folder, feeds in folders.items():
            new += self.add_feeds([u for u, _ in feeds], folder=folder,
                                  titles={u: t for u, t in feeds if t})
        return new

    def export_opml(self) -> bytes:
        """The profile's subscriptions as OPML 2.0: catalog sections grouped by outlet and
        edition, folders as outlines."""
        from termnews.feeds.opml import ExportFeed, build_opml

        outlets = {o.key: o for o in self.catalog()}
        titles = {s.url: s.title for s in self.feed_statuses()}
        feeds = []
        for sub in self.subscriptions():
            title = sub.title or titles.get(sub.feed_url, "")
            outlet = outlets.get(sub.outlet)
            if outlet is not None:
                edition = outlet.edition(sub.edition)
                path: tuple[str, ...] = (outlet.name, edition.name if edition else sub.edition)
            elif sub.folder:
                path = tuple(p for p in sub.folder.split("/") if p)
            elif sub.outlet.startswith(FOLDER_OUTLET_PREFIX):
                path = (sub.outlet[len(FOLDER_OUTLET_PREFIX):],)
            elif sub.outlet.startswith(FEED_OUTLET_PREFIX):
                path = ()
            else:  # an outlet from the config file, or one no longer in the catalog
                path = (sub.outlet,)
            feeds.append(ExportFeed(url=sub.feed_url, title=title, path=path))
        return build_opml(feeds, title=f"termnews subscriptions of {self.profile}")

    def feed_sources(self, urls: Iterable[str] | None = None) -> list[FeedSource]:
        """The profile's feeds with their place, registered in the cache."""
        wanted = set(urls) if urls is not None else None
        sources = [
            FeedSource(url=s.feed_url, outlet=s.outlet, edition=s.edition, section=s.section,
                       title=s.title)
            for s in self.subscriptions() if wanted is None or s.feed_url in wanted
        ]
        with transaction(self.conn):
            for src in sources:
                cache.ensure_feed(self.conn, src)
        return sources

    def feed_statuses(self) -> list[FeedStatus]:
        return cache.feed_statuses(self.conn, self.subscribed_urls())

    def feed_errors(self) -> dict[str, str]:
        """The error of each subscribed feed whose last fetch failed, by URL."""
        return cache.feed_errors(self.conn, self.subscribed_urls())

    def last_refresh(self) -> Any:
        return cache.last_fetch_time(self.conn)

    # --- articles -----------------------------------------------------------------

    def _scoped(self, q: ArticleQuery) -> ArticleQuery:
        """Limit a query to the profile's subscriptions unless it names feeds itself."""
        if q.feed_urls is not None:
            return q
        return replace(q, feed_urls=tuple(self.subscribed_urls()))

    def search_query(self, q: ArticleQuery) -> SearchQuery:
        """q's search as the words it matches, stemmed in the languages of the feeds it
        shows (for highlighting them)."""
        return cache.search_query(self.conn, self._scoped(q))

    def articles(self, q: ArticleQuery | None = None) -> list[ArticleRow]:
        return cache.list_articles(self.conn, self._scoped(q or ArticleQuery()), self.profile)

    def count(self, q: ArticleQuery | None = None) -> int:
        return cache.count_articles(self.conn, self._scoped(q or ArticleQuery()), self.profile)

    def article(self, article_id: int) -> Article | None:
        return cache.get_article(self.conn, article_id, self.profile)

    def iter_articles(self, q: ArticleQuery) -> Iterator[Article]:
        """Whole articles matching q, newest first, streamed (``articles --json``)."""
        from termnews.store.export import iter_articles

        yield from iter_articles(self.conn, self._scoped(q), self.profile)

    def unread_counts(self) -> dict[str, int]:
        """Unread articles per subscribed feed URL."""
        return cache.unread_counts(self.conn, self.subscribed_urls(), self.profile)

    def hidden_unread(self) -> dict[tuple[str, str], int]:
        """Per (outlet, edition): unread articles its All view leaves out as later copies
        of a story it shows from another section. The All count is the sum of the
        sections' unread counts minus this. EVERYTHING is the view of every feed."""
        groups: dict[tuple[str, str], list[str]] = {}
        for s in self.subscriptions():
            groups.setdefault((s.outlet, s.edition), []).append(s.feed_url)
            groups.setdefault(EVERYTHING, []).append(s.feed_url)
        return {
            place: n for place, urls in groups.items()
            if len(urls) > 1 and (n := cache.hidden_copies(
                self.conn, ArticleQuery(feed_urls=tuple(urls), unread=True), self.profile))
        }

    # --- around an article: related, full text, lead image ----------------------------

    def related(self, article_id: int, *, limit: int = 5) -> list[RelatedItem]:
        """What to read next: the same story in other editions, related, more in this
        section, latest (``termnews.related``)."""
        from termnews.related import related_articles

        return related_articles(self.conn, article_id, limit=limit)

    def translations(self, article_id: int) -> list[Translation]:
        """The same story in other editions (cached or not)."""
        from termnews.related import translations

        return translations(self.conn, article_id)

    def counterpart(self, article_id: int, lang: str) -> int | None:
        """The cached article telling the same story in edition ``lang``, if any."""
        from termnews.related import counterpart

        return counterpart(self.conn, article_id, lang)

    async def fetch_full_text(self, article_id: int, *,
                              retry_failed_after: float = 0.0) -> Article:
        """Fetch, extract and store an article's page (``termnews.fulltext``); the article
        comes back with it. Offline and in the demo nothing is fetched; on failure the
        feed text stays and ``full_text_error`` says why. With ``retry_failed_after``, a
        page that failed less than that many seconds ago is not asked again."""
        article = self.article(article_id)
        if article is None:
            raise LibraryError(_("no article with id {id}").format(id=article_id))
        if self.offline or self.demo:
            return article
        from termnews.fulltext import fetch_article_text

        if await fetch_article_text(self.conn, self.config, article_id,
                                    retry_failed_after=retry_failed_after):
            return self.article(article_id) or article
        return article

    async def prefetch(self, ids: Iterable[int]) -> int:
        """Fetch the full text of these articles ahead of the reader (the next one, the
        top related); those that have it or failed lately are skipped. Returns how many
        were stored."""
        wanted = list(dict.fromkeys(ids))
        if self.offline or self.demo or not wanted:
            return 0
        from termnews.fulltext import prefetch

        return await prefetch(self.conn, self.config, wanted)

    async def lead_image(self, url: str, *, origin: str | None = None) -> Path | None:
        """The lead image at url as a file on disk, fetched now unless offline; None when
        there is none to draw. origin: the article's feed (a public feed's image at a
        local address is refused)."""
        if not url:
            return None
        from termnews.images import cached_image

        return await cached_image(self.paths, self.config, url, offline=self.offline,
                                  origin=origin)

    # --- marks ----------------------------------------------------------------------

    def _keys(self, ids: Iterable[int]) -> list[str]:
        """Keys of the articles and of every copy of their stories in other feeds (a
        mark applies to the story, so the section views agree)."""
        ids = list(ids)
        keys = cache.article_keys(self.conn, ids)
        missing = [i for i in ids if i not in keys]
        if missing:
            raise LibraryError(_("no article with id {id}").format(id=missing[0]))
        copies = [i for i in cache.copies_of(self.conn, ids) if i not in keys]
        keys.update(cache.article_keys(self.conn, copies))
        return [keys[i] for i in dict.fromkeys([*ids, *copies]) if i in keys]

    def _changed(self, ids: list[int], column: str, value: bool) -> int:
        """How many of these articles do not carry the mark value yet."""
        keys = cache.article_keys(self.conn, ids)
        have = state.marked(self.conn, self.profile, keys.values(), column)
        return sum(1 for i in dict.fromkeys(ids) if i in keys and (keys[i] in have) != value)

    def mark_read(self, ids: Iterable[int], read: bool = True) -> int:
        """Mark articles (and every copy of their stories) read or unread; returns how many
        of the given articles changed."""
        ids = list(ids)
        with self._saving():  # a failure, reading or writing, names state.db
            keys = self._keys(ids)
            changed = self._changed(ids, "read", read)
            with transaction(self.conn):
                state.set_read(self.conn, self.profile, keys, read)
                self._journal(journal.READ, keys, read)
        return changed

    def star(self, ids: Iterable[int], starred: bool = True) -> int:
        """Star or unstar articles; returns how many of them changed."""
        ids = list(ids)
        with self._saving():
            keys = self._keys(ids)
            changed = self._changed(ids, "starred", starred)
            with transaction(self.conn):
                state.set_starred(self.conn, self.profile, keys, starred)
                self._journal(journal.STAR, keys, starred)
        return changed

    def mark_all(self, q: ArticleQuery, *, read: bool = True) -> int:
        """Mark every article matching q; returns how many changed."""
        with self._saving():
            rows = cache.list_articles(self.conn, self._scoped(q), self.profile)
            ids = [r.id for r in rows if r.read != read]
            if ids:
                self.mark_read(ids, read)
        return len(ids)

    # --- preferences and history -----------------------------------------------------

    def pref(self, name: str, default: Any = None) -> Any:
        return state.get_pref(self.conn, self.profile, name, default)

    def set_pref(self, name: str, value: Any) -> None:
        with self._saving(), transaction(self.conn):
            state.set_pref(self.conn, self.profile, name, value)

    def push_history(self, article_id: int) -> None:
        keys = cache.article_keys(self.conn, [article_id])
        if article_id in keys:
            with transaction(self.conn):
                state.push_history(self.conn, self.profile, keys[article_id])

    def history(self) -> list[int]:
        """Article ids of the reading history, oldest first (gone articles skipped)."""
        keys = state.history(self.conn, self.profile)
        ids = cache.ids_for_keys(self.conn, keys)
        return [ids[k] for k in keys if k in ids]

    # --- cache upkeep ----------------------------------------------------------------------

    def prune(self, urls: Iterable[str] | None = None) -> PruneResult:
        """Apply the per-feed limits (``max_articles``, ``keep_days``) to articles that
        have left their feed; starred ones are kept (``termnews.prune``)."""
        from termnews.prune import prune

        return prune(self.conn, self.config, urls)

    def prune_images(self) -> int:
        """Delete cached images unused for ``keep_days``; returns how many."""
        from termnews.images import prune_images

        return prune_images(self.paths, self.config.cache.keep_days)

    def cache_stats(self) -> CacheStats:
        from termnews.prune import cache_stats

        return cache_stats(self.conn, self.paths)

    def compact(self) -> None:
        """Merge the search index and give freed pages back to the file system."""
        from termnews.store.upkeep import compact

        compact(self.conn)

    # --- sync -------------------------------------------------------------------------

    @property
    def sync_config(self) -> SyncConfig | None:
        """The profile's sync server, or None when it does not sync."""
        return self.config.sync_for(self.profile)

    def _journal(self, kind: str, keys: Iterable[str], value: bool) -> None:
        """Journal a change for the sync server, in the caller's transaction (none when
        the profile does not sync)."""
        if self.sync_config is not None:
            journal.record(self.conn, self.profile, kind, keys, value)

    def _sync_service(self) -> SyncService:
        """The profile's sync, on this thread's connection. Raises SyncError without a
        [sync] table for the profile."""
        from termnews.sync.service import SyncService

        return SyncService(self.conn, self.paths, self.config, self.profile,
                           catalog=self.catalog)

    def sync(self) -> SyncSummary:
        """Push local changes to the sync server and pull its changes (blocking; the TUI
        calls it from a thread worker). Raises SyncError."""
        summary = self._sync_service().run()
        log.info("sync: %d up, %d down, %d conflicts, %d new articles, %d requests",
                 summary.up, summary.down, summary.conflicts, summary.new_articles,
                 summary.requests)
        return summary

    def sync_status(self) -> SyncStatus | None:
        if self.sync_config is None:
            return None
        return self._sync_service().status()

    def sync_warnings(self) -> list[str]:
        """What the user should know about the sync settings: a config file others can
        read while it holds a password or token."""
        from termnews.sync.secrets import exposure_warning

        warning = exposure_warning(self.config)
        return [warning] if warning else []

    # --- refresh ----------------------------------------------------------------------

    async def refresh(
        self,
        urls: Iterable[str] | None = None,
        *,
        progress: Callable[[RefreshEvent], None] | None = None,
        full_text: bool | None = None,
        server: bool = True,
    ) -> RefreshSummary:
        """Fetch the profile's feeds (or the given ones) into the cache; with a sync
        server as the source (``source = "server"``), read them from the server (which
        is a sync); server=False fetches the feeds themselves all the same."""
        cfg = self.sync_config
        if cfg is not None and cfg.source == "server" and server and urls is None \
                and not self.demo:
            import asyncio

            from termnews.sync.source import finish

            summary, direct = await asyncio.to_thread(self._pull_from_server, progress)
            summary = await finish(self.paths, self.config, summary, direct,
                                   self.subscribed_urls(), progress=progress,
                                   full_text=self._full_text(full_text))
            _log_refresh(summary)
            return summary
        from termnews.refresh import run_refresh

        sources = self.feed_sources(urls)
        summary = await run_refresh(
            self.paths, self.config, sources, progress=progress,
            full_text=self._full_text(full_text), allow_files=self.demo,
        )
        self._key_by_titles(s.url for s in sources)
        _log_refresh(summary)
        return summary

    def refresh_from_server(self, *, progress: Callable[[RefreshEvent], None] | None = None,
                            full_text: bool | None = None) -> RefreshSummary:
        """A refresh with the sync server as the source, blocking, without an event loop
        unless there is more to fetch (the CLI: a refresh with nothing new stays a small
        process)."""
        summary, direct = self._pull_from_server(progress)
        full = self._full_text(full_text)
        if direct or (full and summary.feeds_ok):
            import asyncio

            from termnews.sync.source import finish

            summary = asyncio.run(finish(self.paths, self.config, summary, direct,
                                         self.subscribed_urls(), progress=progress,
                                         full_text=full))
        _log_refresh(summary)
        return summary

    def _pull_from_server(self, progress: Callable[[RefreshEvent], None] | None
                          ) -> tuple[RefreshSummary, list[FeedSource]]:
        """The sync that stores the server's entries; the feeds left to fetch here."""
        from termnews.sync.source import pull_from_server

        summary, elsewhere = pull_from_server(self._sync_service(), self.subscribed_urls(),
                                              progress)
        return summary, self.feed_sources(elsewhere) if elsewhere else []

    def _full_text(self, asked: bool | None) -> bool:
        return self.config.refresh.full_text if asked is None else asked
