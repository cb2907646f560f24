"""The sync service: one profile, one server; subscriptions and marks both ways.

A sync runs in this order, so that nothing local is ever lost to a failure or a kill:

1. **Subscriptions.** The server's feeds against the local subscriptions and the feeds
   both sides had last time (``sync_feeds``): a feed added or left on one side follows on
   the other; journaled local changes go first. The very first sync takes the union.
2. **Pull.** What changed on the server since the last watermark (``Backend.pull``).
   Entries are matched to articles by feed URL + guid (``match``); with
   ``source = "server"`` new entries are stored as articles.
3. **Merge**, per entry and flag (read, starred), three ways: the server's value now, the
   value it had last time (``sync_items``), and the journaled local change. A change on
   one side only is taken by the other; when both changed to different values the newer
   change wins (a conflict). An entry seen for the first time takes the union (read or
   starred on either side stays so).
4. **Push.** Journaled changes the server lacks, in batches of up to 1,000 entries per
   request; each journal row goes only in the transaction that records the server's
   acceptance.
5. The watermark and the time of the sync are saved last: a sync killed before that is
   simply repeated by the next one (every step above is idempotent).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from termnews.config import Config, SyncConfig
from termnews.model import (
    FEED_OUTLET_PREFIX,
    FOLDER_OUTLET_PREFIX,
    FeedSource,
    FetchResult,
    Outlet,
    Subscription,
    SyncStatus,
    SyncSummary,
    slug,
)
from termnews.paths import Paths
from termnews.store import cache, state
from termnews.store import sync_state as js
from termnews.store.db import transaction
from termnews.sync.errors import BUSY, SyncError
from termnews.sync.remote import Backend, Pull, RemoteEntry, RemoteFeed

UNMATCHED_DAYS = 30  # a journaled mark whose entry never reached the server is dropped after
LOCK_WAIT = 60.0  # seconds a sync waits for another one of the same profile to end


def make_backend(cfg: SyncConfig, user_agent: str) -> Backend:
    from termnews.sync.secrets import password_of, token_of

    if cfg.service == "miniflux":
        from termnews.sync.miniflux import MinifluxBackend

        token = token_of(cfg)
        return MinifluxBackend(cfg, token=token, password="" if token else password_of(cfg),
                               user_agent=user_agent)
    from termnews.sync.greader import GReaderBackend

    return GReaderBackend(cfg, password=password_of(cfg), user_agent=user_agent)


def catalog_category(outlet_name: str, edition_name: str) -> str:
    """The server category of a catalog edition's sections: "Outlet · Edition"."""
    return f"{outlet_name} · {edition_name}"


@dataclass
class _Counts:
    up: int = 0
    down: int = 0
    conflicts: int = 0
    new_articles: int = 0
    subscriptions: int = 0
    warnings: list[str] = field(default_factory=list)
    grown: list[str] = field(default_factory=list)  # feeds that got articles (server source)


class SyncService:
    """Sync one profile with the server its config names.

    ``conn`` is a connection of the thread that runs the sync (``store.db.connect``);
    ``catalog`` gives the catalog's outlets, asked only when subscriptions change."""

    def __init__(self, conn: sqlite3.Connection, paths: Paths, config: Config, profile: str,
                 *, catalog: Callable[[], Sequence[Outlet]],
                 backend: Backend | None = None) -> None:
        cfg = config.sync_for(profile)
        if cfg is None:
            raise SyncError("no [sync] table in the config for this profile", "config")
        self.conn = conn
        self.paths = paths
        self.config = config
        self.cfg = cfg
        self.profile = profile
        self._catalog = catalog
        self._backend = backend

    # --- status --------------------------------------------------------------------

    def status(self) -> SyncStatus:
        conn = self.conn
        last = state.get_pref(conn, self.profile, js.PREF_LAST)
        return SyncStatus(
            service=self.cfg.service, url=self.cfg.url, source=self.cfg.source,
            last_sync=datetime.fromtimestamp(last, UTC) if isinstance(last, (int, float))
            else None,
            pending=js.pending_count(conn, self.profile),
            error=state.get_pref(conn, self.profile, js.PREF_ERROR),
        )

    # --- a sync ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One sync per profile and data directory at a time (the TUI and a cron job)."""
        path = self.paths.state_db.with_name(f".sync-{_safe(self.profile)}.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + LOCK_WAIT
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SyncError("another sync of this profile is still running",
                                        BUSY) from None
                    time.sleep(0.1)
            yield
        finally:
            os.close(fd)

    def run(self, *, store_entries: bool | None = None) -> SyncSummary:
        """Push local changes and pull the server's; raises SyncError (recorded for
        ``status``) when the server cannot be used. store_entries: keep the server's
        entries as articles (default: when ``source = "server"``)."""
        store = self.cfg.source == "server" if store_entries is None else store_entries
        with self._lock():
            backend = self._backend
            try:
                if backend is None:
                    backend = make_backend(self.cfg, self.config.refresh.user_agent)
                counts = self._run(backend, store)
            except SyncError as exc:
                if exc.kind != BUSY:
                    self._set_prefs({js.PREF_ERROR: str(exc)})
                raise
            finally:
                requests = backend.requests if backend is not None else 0
                if backend is not None and self._backend is None:
                    backend.close()
        if counts.grown:
            from termnews.prune import prune_paths

            prune_paths(self.paths, self.config, counts.grown)
        return SyncSummary(up=counts.up, down=counts.down, conflicts=counts.conflicts,
                           new_articles=counts.new_articles,
                           subscriptions=counts.subscriptions, requests=requests,
                           warnings=tuple(counts.warnings))

    def _set_prefs(self, values: dict[str, Any]) -> None:
        conn = self.conn
        with transaction(conn):
            for name, value in values.items():
                state.set_pref(conn, self.profile, name, value)

    def _run(self, backend: Backend, store: bool) -> _Counts:
        conn = self.conn
        counts = _Counts()
        remote_feeds = backend.feeds()  # first: a server that does not answer changes nothing
        if state.get_pref(conn, self.profile, js.PREF_ACCOUNT) != backend.account:
            with transaction(conn):
                js.reset_account(conn, self.profile)
                state.set_pref(conn, self.profile, js.PREF_ACCOUNT, backend.account)
        watermark = state.get_pref(conn, self.profile, js.PREF_WATERMARK) or {}
        feeds, by_remote, new_feeds = self._sync_feeds(backend, remote_feeds, counts)
        if not store:
            self._match_new_articles(counts)
        pull = backend.pull(watermark if isinstance(watermark, dict) else {},
                            lambda: js.item_ids(conn, self.profile), feeds, new_feeds)
        self._merge(backend, pull, by_remote, store, counts)
        self._push(backend, counts)
        self._set_prefs({js.PREF_WATERMARK: pull.watermark, js.PREF_LAST: time.time(),
                         js.PREF_ERROR: None})
        return counts

    # --- 1. subscriptions ------------------------------------------------------------------

    def _catalog_places(self) -> dict[str, tuple[Subscription, str]]:
        """Catalog section feeds: url -> (their subscription, their server category)."""
        places: dict[str, tuple[Subscription, str]] = {}
        for outlet in self._catalog():
            for ed in outlet.editions:
                for sec in ed.sections:
                    places.setdefault(sec.feed_url, (
                        Subscription(feed_url=sec.feed_url, outlet=outlet.key, edition=ed.lang,
                                     section=sec.key, title=sec.title),
                        catalog_category(outlet.name, ed.name)))
        return places

    def _sync_feeds(self, backend: Backend, remote_list: list[RemoteFeed], counts: _Counts
                    ) -> tuple[list[RemoteFeed], dict[str, str], list[RemoteFeed]]:
        """Settle subscriptions; returns the server's feeds, a map from their ids to local
        feed URLs, and the feeds new to this side since the last sync."""
        conn = self.conn
        profile = self.profile
        local = {s.feed_url: s for s in state.subscriptions(conn, profile)}
        base = js.known_feeds(conn, profile)
        first = not base and state.get_pref(conn, profile, js.PREF_LAST) is None
        # Feeds the server refused (it could not fetch them) are remembered with no id, and
        # not offered again until the user subscribes to them again.
        refused = {url for url, k in base.items() if not k.remote_id}
        remote = _by_local_url(remote_list, base)
        journal = {p.key: p for p in js.pending(conn, profile, js.SUBSCRIBE)}
        catalog: dict[str, tuple[Subscription, str]] = {}

        def places() -> dict[str, tuple[Subscription, str]]:
            if not catalog:  # only a change needs the catalog
                catalog.update(self._catalog_places())
            return catalog

        def offer(url: str) -> None:
            """A local feed goes to the server (or is remembered as refused there)."""
            made = self._add_remote(backend, local[url], places(), counts)
            if made is None:
                refused.add(url)
            else:
                remote[url] = made

        add_local: list[tuple[str, RemoteFeed]] = []
        remove_local: list[str] = []
        done: list[js.Pending] = []
        for url in sorted(set(local) | set(remote) | set(base) | set(journal)):
            rf = remote.get(url)
            p = journal.get(url)
            if p is not None:
                refused.discard(url)
                if p.value and rf is None and url in local:
                    offer(url)
                elif not p.value and rf is not None:
                    backend.remove_feed(rf)
                    counts.up += 1
                    remote.pop(url)
                done.append(p)
                continue
            if url in local and rf is None:
                if url in refused:
                    continue
                if url in base and not first:
                    remove_local.append(url)  # left on the server
                else:
                    offer(url)
            elif rf is not None and url not in local:
                # New on the server, or (first sync) there only: take it. A feed left here
                # without a journal row (sync was off) comes back rather than being removed
                # from the server: the server loses nothing it was not told to drop.
                add_local.append((url, rf))
        new_feeds = [rf for url, rf in remote.items() if url not in base]
        known = {url: js.KnownFeed(url, rf.remote_id, rf.url, rf.category)
                 for url, rf in remote.items()}
        known.update({url: js.KnownFeed(url, "", "", "") for url in refused
                      if url in local and url not in remote})
        if add_local or remove_local or done or known != base:
            subs = [self._local_subscription(url, rf, places(), backend)
                    for url, rf in add_local]
            with transaction(conn):
                state.subscribe(conn, profile, subs)
                state.unsubscribe(conn, profile, remove_local)
                js.drop_feed_items(conn, profile, remove_local)
                js.forget(conn, profile, done)
                js.set_known_feeds(conn, profile, known.values())
            counts.down += len(subs) + len(remove_local)
            counts.subscriptions += len(subs) + len(remove_local)
        by_remote = {rf.remote_id: url for url, rf in remote.items()}
        return list(remote.values()), by_remote, new_feeds

    def _add_remote(self, backend: Backend, sub: Subscription,
                    places: dict[str, tuple[Subscription, str]], counts: _Counts
                    ) -> RemoteFeed | None:
        if sub.feed_url in places:
            category = places[sub.feed_url][1]
        else:
            category = sub.folder
        try:
            made = backend.add_feed(sub.feed_url, category, sub.title)
        except SyncError as exc:
            if exc.kind != "server":
                raise
            counts.warnings.append(f"the server did not take {sub.feed_url}: {exc}")
            return None
        counts.up += 1
        return made

    def _local_subscription(self, url: str, rf: RemoteFeed,
                            places: dict[str, tuple[Subscription, str]],
                            backend: Backend) -> Subscription:
        from termnews.feeds.clean import clean_line

        if url in places:
            return places[url][0]
        folder = rf.category
        if folder and folder == self._default_category(backend):
            folder = ""
        # Names from the server are shown in the sidebar: cleaned like feed text.
        folder = clean_line(folder)[:200]
        rf = RemoteFeed(rf.remote_id, rf.url, clean_line(rf.title)[:500], folder)
        if folder:
            return Subscription(feed_url=url, outlet=FOLDER_OUTLET_PREFIX + folder, edition="",
                                section=slug(rf.title or url), title=rf.title, folder=folder)
        return Subscription(feed_url=url, outlet=FEED_OUTLET_PREFIX + url, edition="",
                            section="main", title=rf.title)

    def _default_category(self, backend: Backend) -> str:
        found = getattr(self, "_default_cat", None)
        if found is None:
            found = backend.default_category()
            self._default_cat = found
        return found

    # --- 2. matching articles that arrived by fetching --------------------------------------

    def _match_new_articles(self, counts: _Counts) -> None:
        """Server entries whose article was not here yet: match the articles cached since
        the last sync, and give them the server's marks."""
        conn = self.conn
        profile = self.profile
        seen = state.get_pref(conn, profile, js.PREF_SEEN_ARTICLE) or 0
        top = cache.last_article_id(conn)
        if top == seen:
            return  # nothing cached since the last sync
        if top < seen:
            seen = 0  # the cache was rebuilt
        from termnews.sync.match import new_articles

        feeds = sorted(js.open_feeds(conn, profile))
        index, top = new_articles(conn, int(seen), feeds)
        found: list[tuple[int, str, bool, bool]] = []
        for rid, feed, h, url, read, starred in js.open_items(conn, profile, feeds) \
                if index.by_hash or index.by_link else []:
            key = index.match(feed, h, url)
            if key is not None:
                found.append((rid, key, read, starred))
        with transaction(conn):
            js.set_item_keys(conn, profile, [(rid, key) for rid, key, _r, _s in found])
            marks = state.marks_of(conn, profile, [k for _rid, k, _r, _s in found])
            journal = {(p.kind, p.key) for p in js.pending(conn, profile)}
            for _rid, key, read, starred in found:
                local = marks.get(key, (False, False))
                # First contact: the union, as on a first sync (journaled changes are
                # settled by the merge).
                for kind, there, here in ((js.READ, read, local[0]),
                                          (js.STAR, starred, local[1])):
                    if (kind, key) in journal or there == here:
                        continue
                    if there:
                        if kind == js.READ:
                            state.set_read(conn, profile, [key], True)
                        else:
                            state.set_starred(conn, profile, [key], True)
                        counts.down += 1
                    else:
                        js.record(conn, profile, kind, [key], True)
            state.set_pref(conn, profile, js.PREF_SEEN_ARTICLE, top)

    # --- 3. merge ----------------------------------------------------------------------------

    def _merge(self, backend: Backend, pull: Pull, by_remote: dict[str, str], store: bool,
               counts: _Counts) -> None:
        conn = self.conn
        profile = self.profile
        # What the server said last time: of every entry when the pull is a snapshot of
        # the server's state, else of the entries the pull brought.
        known = js.items(conn, profile, None if pull.snapshot is not None
                         else [e.remote_id for e in pull.entries])
        remote, entries = _server_state(pull, by_remote, known)
        keys = self._keys_for(entries, known, by_remote, store, counts)
        journal = {(p.kind, p.key): p for p in js.pending(conn, profile)
                   if p.kind != js.SUBSCRIBE}
        # Conflicts need the server's time of change; snapshot APIs are asked for it.
        untimed = [rid for rid, (r, s, t) in remote.items() if t is None and
                   (key := keys.get(rid) or (known[rid].key if rid in known else None))
                   and any((kind, key) in journal for kind in (js.READ, js.STAR))]
        times = backend.changed_times(untimed) if untimed else {}
        marks = state.marks_of(conn, profile, [k for k in (keys.get(rid) or (
            known[rid].key if rid in known else None) for rid in remote) if k])
        rows: list[tuple[int, str, str, str, str | None, bool, bool]] = []
        apply: dict[tuple[str, bool], list[str]] = {}  # (flag, value) -> keys to set so
        settled: list[js.Pending] = []  # journaled changes the server has now
        for rid, (r_read, r_star, r_time) in remote.items():
            item = known.get(rid)
            key = keys.get(rid) or (item.key if item else None)
            e = entries.get(rid)
            feed_url = by_remote.get(e.feed_id, "") if e else (item.feed_url if item else "")
            if key is None:  # not here (yet): the server's state waits for the article
                if item is None or (item.read, item.starred) != (r_read, r_star):
                    rows.append((rid, feed_url, e.hash if e else "", e.url if e else "", None,
                                 r_read, r_star))
                continue
            new_base = _three_way(
                key, (r_read, r_star), (item.read, item.starred) if item else None,
                marks.get(key, (False, False)), r_time if r_time is not None else times.get(rid),
                journal, apply, settled, counts)
            if item is None or (item.key, item.read, item.starred) != (key, *new_base):
                rows.append((rid, feed_url, e.hash if e else "", e.url if e else "", key,
                             new_base[0], new_base[1]))
        if not (rows or apply or settled):
            return  # nothing changed (an empty pull, or the echo of our own changes)
        with transaction(conn):
            js.save_items(conn, profile, rows)
            for (kind, value), ks in apply.items():
                if kind == js.READ:
                    state.set_read(conn, profile, ks, value)
                else:
                    state.set_starred(conn, profile, ks, value)
            js.forget(conn, profile, settled)
        # First contact the other way: a local mark the server's entry lacks goes up.
        self._journal_union(known, remote, keys, marks)

    def _journal_union(self, known: dict[int, js.Item],
                       remote: dict[int, tuple[bool, bool, float | None]],
                       keys: dict[int, str], marks: dict[str, tuple[bool, bool]]) -> None:
        conn = self.conn
        ups: dict[str, list[str]] = {js.READ: [], js.STAR: []}
        for rid, (r_read, r_star, _t) in remote.items():
            key = keys.get(rid)
            if rid in known or key is None:
                continue
            local = marks.get(key, (False, False))
            if local[0] and not r_read:
                ups[js.READ].append(key)
            if local[1] and not r_star:
                ups[js.STAR].append(key)
        if ups[js.READ] or ups[js.STAR]:
            with transaction(conn):
                for kind, ks in ups.items():
                    js.record(conn, self.profile, kind, ks, True)

    def _keys_for(self, entries: dict[int, RemoteEntry], known: dict[int, js.Item],
                  by_remote: dict[str, str], store: bool, counts: _Counts) -> dict[int, str]:
        """Local article keys of pulled entries: known, matched, or (server source) stored."""
        conn = self.conn
        keys: dict[int, str] = {}
        open_: list[RemoteEntry] = []
        for rid, e in entries.items():
            item = known.get(rid)
            if item is not None and item.key is not None:
                keys[rid] = item.key
            else:
                open_.append(e)
        if not open_:
            return keys
        from termnews.sync.match import LocalIndex, guid_for

        index = LocalIndex.of_feeds(conn, {by_remote[e.feed_id] for e in open_})
        unmatched: dict[str, list[tuple[str, RemoteEntry]]] = {}
        for e in open_:
            feed_url = by_remote[e.feed_id]
            key = index.match(feed_url, e.hash, e.url)
            if key is not None:
                keys[e.remote_id] = key
            elif store:
                unmatched.setdefault(feed_url, []).append((guid_for(e), e))
        if unmatched:
            keys.update(self._store(unmatched, counts))
        return keys

    def _store(self, by_feed: dict[str, list[tuple[str, RemoteEntry]]],
               counts: _Counts) -> dict[int, str]:
        """Store server entries as articles of their feeds (source = "server")."""
        from termnews.sync.match import parsed_feed

        conn = self.conn
        subs = {s.feed_url: s for s in state.subscriptions(conn, self.profile)}
        keys: dict[int, str] = {}
        with transaction(conn):
            for feed_url, pairs in by_feed.items():
                sub = subs.get(feed_url)
                if sub is None:
                    continue
                cache.ensure_feed(conn, FeedSource(url=feed_url, outlet=sub.outlet,
                                                   edition=sub.edition, section=sub.section,
                                                   title=sub.title))
                parsed = parsed_feed(feed_url, pairs,
                                     cache.feed_language(conn, feed_url) or sub.edition)
                new = cache.store_entries(conn, feed_url, parsed, whole_document=False)
                if new:
                    counts.new_articles += new
                    counts.grown.append(feed_url)
                cache.record_fetch(conn, feed_url, FetchResult(url=feed_url, status=200),
                                   error=None)
                for guid, e in pairs:
                    keys[e.remote_id] = cache.article_key(feed_url, guid)
        return keys

    # --- 4. push --------------------------------------------------------------------------

    def _push(self, backend: Backend, counts: _Counts) -> None:
        conn = self.conn
        profile = self.profile
        pend = [p for p in js.pending(conn, profile) if p.kind != js.SUBSCRIBE]
        if not pend:
            return
        items = js.items_by_key(conn, profile, sorted({p.key for p in pend}))
        groups: dict[tuple[str, bool], list[tuple[int, js.Pending]]] = {}
        already: list[js.Pending] = []
        stale: list[js.Pending] = []
        old = time.time() - UNMATCHED_DAYS * 86400
        for p in pend:
            item = items.get(p.key)
            if item is None:
                if p.at < old:
                    stale.append(p)
                continue
            server = item.read if p.kind == js.READ else item.starred
            if server == p.value:
                already.append(p)
            else:
                groups.setdefault((p.kind, p.value), []).append((item.remote_id, p))
        if already or stale:
            with transaction(conn):
                js.forget(conn, profile, already + stale)
        for (kind, value), pairs in groups.items():
            for i in range(0, len(pairs), 1000):
                chunk = pairs[i : i + 1000]
                ids = [rid for rid, _p in chunk]
                if kind == js.READ:
                    backend.set_read(ids, value)
                else:
                    backend.set_starred(ids, value)
                with transaction(conn):
                    js.set_item_state(conn, profile, ids, kind, value)
                    js.forget(conn, profile, [p for _rid, p in chunk])
                counts.up += len(chunk)


def _by_local_url(remote_list: list[RemoteFeed], base: dict[str, js.KnownFeed]
                  ) -> dict[str, RemoteFeed]:
    """The server's feeds by the local feed URL they stand for: the server may list a
    feed under the address it was redirected to (known from the last sync)."""
    alias = {k.remote_url: k.feed_url for k in base.values() if k.remote_id}
    alias_id = {k.remote_id: k.feed_url for k in base.values() if k.remote_id}
    return {alias.get(rf.url) or alias_id.get(rf.remote_id) or rf.url: rf for rf in remote_list}


def _server_state(pull: Pull, by_remote: dict[str, str], known: dict[int, js.Item]
                  ) -> tuple[dict[int, tuple[bool, bool, float | None]], dict[int, RemoteEntry]]:
    """The server's state now, (read, starred, time of change) by entry id, for the pulled
    entries of feeds here and (snapshot APIs) every known one that changed; and the
    pulled entries by id."""
    remote: dict[int, tuple[bool, bool, float | None]] = {}
    entries: dict[int, RemoteEntry] = {}
    for pulled in pull.entries:
        if pulled.feed_id in by_remote:
            entries[pulled.remote_id] = pulled
            remote[pulled.remote_id] = (pulled.read, pulled.starred, pulled.changed_at)
    if pull.snapshot is not None:
        unread, starred_ids = pull.snapshot
        for rid, seen in known.items():
            if rid not in remote:
                now = (rid not in unread, rid in starred_ids)
                if now != (seen.read, seen.starred):
                    remote[rid] = (now[0], now[1], None)
    return remote, entries


def _three_way(key: str, server: tuple[bool, bool], was: tuple[bool, bool] | None,
               local: tuple[bool, bool], when: float | None,
               journal: dict[tuple[str, str], js.Pending],
               apply: dict[tuple[str, bool], list[str]], settled: list[js.Pending],
               counts: _Counts) -> list[bool]:
    """Read and starred of one entry, three ways: the server now, the server last time
    (was; None at first contact) and the journaled local change. What to set here goes
    to apply, journal rows the server has to settled; returns the server state to
    remember."""
    new_base = []
    for i, kind in enumerate((js.READ, js.STAR)):
        value = server[i]
        before = was[i] if was is not None else None
        p = journal.get((kind, key))
        if p is not None:
            if value == p.value:
                settled.append(p)  # the server has it already
            elif before is not None and value != before:  # both changed: the newer wins
                counts.conflicts += 1
                if when is not None and when > p.at:
                    settled.append(p)
                    apply.setdefault((kind, value), []).append(key)
                    counts.down += 1
        elif before is None:
            if value and not local[i]:  # first contact: the union
                apply.setdefault((kind, True), []).append(key)
                counts.down += 1
        elif value != before and value != local[i]:
            apply.setdefault((kind, value), []).append(key)
            counts.down += 1
        new_base.append(value)
    return new_base


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:64] or "profile"

