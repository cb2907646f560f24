"""The engine's front door: one profile's view of the cache, state and catalog.

The CLI and the TUI talk to a ``Library``; neither opens the database nor
fetches anything itself. Every method is plain, blocking Python except
``refresh`` (async); the TUI calls them from workers. Each thread gets its own
SQLite connection.
"""

from __future__ import annotations

import getpass
import locale
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from termnews.catalog import all_outlets, find_outlet
from termnews.config import Config, SyncConfig
from termnews.model import (
    Article,
    ArticleQuery,
    ArticleRow,
    Edition,
    FeedSource,
    FeedStatus,
    Outlet,
    RefreshEvent,
    RefreshSummary,
    Section,
    Subscription,
    SyncStatus,
    SyncSummary,
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
from termnews.terms import SearchQuery

ENV_PROFILE = "TERMNEWS_PROFILE"
EVERYTHING = ("*", "*")  # hidden_unread's key for the view of every subscription
FEED_OUTLET_PREFIX = "feed:"  # a plain feed added by URL is an outlet of its own
FOLDER_OUTLET_PREFIX = "folder:"  # an OPML folder is an outlet; its feeds are sections


class LibraryError(Exception):
    """A request the library cannot carry out; the message is for the user."""


class CacheDamaged(StoreError):
    """cache.db was found damaged while in use; it is set aside at the next open (the
    CLI does that at once and runs the command again)."""

    def __init__(self, cache_db: Path, why: str) -> None:
        self.cache_db = cache_db
        super().__init__(f"{health.where(cache_db)} is {why}; it is set aside and a new "
                         f"one started when termnews next opens it (read and starred marks "
                         f"are kept)")


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


def slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.casefold()).strip("-") or "feed"


def unique_key(key: str, taken: set[str]) -> str:
    """key, or key-2, key-3 … whichever is not taken."""
    n, candidate = 1, key
    while candidate in taken:
        n += 1
        candidate = f"{key}-{n}"
    return candidate


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
        return StoreError(f"cannot save to {health.where(file)}: "
                          f"{health.cause(exc, file.parent)}")
    return StoreError(f"cannot use the data in {paths.data_dir}: "
                      f"{health.cause(exc, paths.data_dir)}")


@dataclass(frozen=True, slots=True)
class SectionRef:
    """Where a section sits: the outlet, edition and section keys."""

    outlet: str
    edition: str
    section: str


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
            return back_up_if_due(self.paths.state_db)
        except BackupError as exc:
            problem = health.check_file(self.paths.state_db)
            if problem is not None:
                raise StateDamaged(self.paths.state_db, problem) from None
            raise StoreError(str(exc)) from None

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
            raise LibraryError(f"no outlet '{outlet}' in the catalog (see: termnews outlets)")
        if edition is None:
            lang = locale_language()
            editions = [found.edition(lang) or found.edition("en") or found.editions[0]]
        else:
            ed = found.edition(edition)
            if ed is None:
                raise LibraryError(f"{found.name} has no edition '{edition}' "
                                   f"(editions: {', '.join(found.languages)})")
            editions = [ed]
        subs = []
        for ed in editions:
            for sec in ed.sections:
                if section is None or sec.key == section:
                    subs.append(Subscription(feed_url=sec.feed_url, outlet=found.key,
                                             edition=ed.lang, section=sec.key, title=sec.title))
        if not subs:
            raise LibraryError(f"{found.name} ({editions[0].lang}) has no section '{section}'")
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

    def section_of(self, article: Article | ArticleRow) -> SectionRef:
        return SectionRef(article.outlet, article.edition, article.section)

    # --- marks ----------------------------------------------------------------------

    def _keys(self, ids: Iterable[int]) -> list[str]:
        """Keys of the articles and of every copy of their stories in other feeds (a
        mark applies to the story, so the section views agree)."""
        ids = list(ids)
        keys = cache.article_keys(self.conn, ids)
        missing = [i for i in ids if i not in keys]
        if missing:
            raise LibraryError(f"no article with id {missing[0]}")
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
        keys = self._keys(ids)
        changed = self._changed(ids, "read", read)
        with self._saving(), transaction(self.conn):
            state.set_read(self.conn, self.profile, keys, read)
            self._journal(journal.READ, keys, read)
        return changed

    def star(self, ids: Iterable[int], starred: bool = True) -> int:
        """Star or unstar articles; returns how many of them changed."""
        ids = list(ids)
        keys = self._keys(ids)
        changed = self._changed(ids, "starred", starred)
        with self._saving(), transaction(self.conn):
            state.set_starred(self.conn, self.profile, keys, starred)
            self._journal(journal.STAR, keys, starred)
        return changed

    def mark_all(self, q: ArticleQuery, *, read: bool = True) -> int:
        """Mark every article matching q; returns how many changed."""
        ids = [r.id for r in self.articles(q) if r.read != read]
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

    def sync(self) -> SyncSummary:
        """Push local changes to the sync server and pull its changes (blocking; the TUI
        calls it from a thread worker). Raises SyncError."""
        from termnews.sync.service import SyncService

        return SyncService(self).run()

    def sync_status(self) -> SyncStatus | None:
        if self.sync_config is None:
            return None
        from termnews.sync.service import SyncService

        return SyncService(self).status()

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
            from termnews.sync.source import refresh_from_server

            return await refresh_from_server(self, progress=progress, full_text=(
                self.config.refresh.full_text if full_text is None else full_text))
        from termnews.refresh import run_refresh

        sources = self.feed_sources(urls)
        summary = await run_refresh(
            self.paths, self.config, sources, progress=progress,
            full_text=self.config.refresh.full_text if full_text is None else full_text,
            allow_files=self.demo,
        )
        self._key_by_titles(s.url for s in sources)
        return summary
