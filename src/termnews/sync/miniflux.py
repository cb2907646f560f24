"""Miniflux's REST API (``/v1``), as Miniflux 2.2 serves it.

- Auth: an API key (``X-Auth-Token``) or basic auth with the user's name and password.
- An entry carries ``hash``: SHA-256 of its guid (else of its link) — with the feed URL,
  exactly termnews's article key, so entries match articles without guessing.
- Changes: ``GET /v1/entries?changed_after=T`` lists entries created or re-marked since
  T (``changed_at`` is set on both), paged by id (``after_entry_id``): ids never move,
  so a page boundary skips nothing while marks change under the pull.
- Read state is set in batches (``PUT /v1/entries`` with ``entry_ids``); the star has only
  a per-entry *toggle* (``PUT /v1/entries/ID/bookmark``), sent only for entries whose
  server state differs from the one wanted.
"""

from __future__ import annotations

import hashlib
from base64 import b64encode
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from termnews.config import SyncConfig
from termnews.sync.errors import SyncError
from termnews.sync.http import JsonHttp
from termnews.sync.remote import Pull, RemoteEntry, RemoteFeed

PAGE = 1000  # entries per page of a pull
MAX_PAGES = 2000  # a server that never stops paging is cut off (2 million entries)
BATCH = 1000  # entry ids per status update
# A pull asks for changes since the last pull's start (the server's Date) minus this
# margin: a server transaction that began before that start (its changed_at is its start)
# may commit after it, and the clocks of the server and of its database may differ a
# little. Entries changed within the margin come twice; applying them again changes
# nothing.
MARGIN = 10


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None if dt.year < 1971 else dt


class MinifluxBackend:
    def __init__(self, cfg: SyncConfig, *, token: str, password: str, user_agent: str) -> None:
        self.http = JsonHttp(cfg.url, timeout=cfg.timeout, user_agent=user_agent)
        if token:
            self.auth = [("X-Auth-Token", token)]
            who = "key:" + hashlib.sha256(token.encode()).hexdigest()[:16]
            self.auth_error = "bad API token: the server refused it"
        else:
            basic = b64encode(f"{cfg.username}:{password}".encode()).decode()
            self.auth = [("Authorization", "Basic " + basic)]
            who = "user:" + cfg.username
            self.auth_error = "bad user name or password: the server refused them"
        self._account = f"miniflux {self.http.base} {who}"
        self._categories: dict[str, int] | None = None
        self._default: int | None = None

    @property
    def requests(self) -> int:
        return self.http.requests

    @property
    def account(self) -> str:
        return self._account

    def close(self) -> None:
        self.http.close()

    def _json(self, method: str, path: str, **kw: Any) -> Any:
        answer = self.http.call(method, path, headers=self.auth, auth_error=self.auth_error,
                                **kw)
        if answer.status == 204 or not answer.body:
            return None
        return answer.json(self.http.where)

    # --- feeds and categories ------------------------------------------------------

    def _load_categories(self) -> dict[str, int]:
        if self._categories is None:
            cats = self._json("GET", "/v1/categories")
            if not isinstance(cats, list):
                raise SyncError(f"{self.http.where}: unexpected answer to /v1/categories")
            found = {}
            for c in cats:
                if isinstance(c, dict) and isinstance(c.get("id"), int):
                    found[str(c.get("title", ""))] = c["id"]
            self._categories = found
            # New feeds without a category go to the user's first one ("All").
            self._default = min(found.values()) if found else None
        return self._categories

    def feeds(self) -> list[RemoteFeed]:
        raw = self._json("GET", "/v1/feeds")
        if not isinstance(raw, list):
            raise SyncError(f"{self.http.where}: unexpected answer to /v1/feeds")
        feeds = []
        for f in raw:
            if not isinstance(f, dict) or not isinstance(f.get("id"), int):
                continue
            cat = f.get("category")
            title = str(cat.get("title", "")) if isinstance(cat, dict) else ""
            feeds.append(RemoteFeed(str(f["id"]), str(f.get("feed_url", "")),
                                    str(f.get("title", "")), title))
        return feeds

    def default_category(self) -> str:
        """The category new feeds go to when none is named: the user's first ("All")."""
        cats = self._load_categories()
        return next((t for t, i in cats.items() if i == self._default), "")

    def _category_id(self, title: str) -> int:
        cats = self._load_categories()
        if not title:
            if self._default is None:
                raise SyncError(f"{self.http.where}: the account has no category")
            return self._default
        if title not in cats:
            made = self._json("POST", "/v1/categories", body={"title": title})
            if not isinstance(made, dict) or not isinstance(made.get("id"), int):
                raise SyncError(f"{self.http.where}: could not create category")
            cats[title] = made["id"]
        return cats[title]

    def add_feed(self, url: str, category: str, title: str) -> RemoteFeed:
        made = self._json("POST", "/v1/feeds",
                          body={"feed_url": url, "category_id": self._category_id(category)})
        if not isinstance(made, dict) or not isinstance(made.get("feed_id"), int):
            raise SyncError(f"{self.http.where}: unexpected answer to a new feed")
        # The server keeps the URL it ended at after redirects: ask for it.
        feed = self._json("GET", f"/v1/feeds/{made['feed_id']}")
        got = str(feed.get("feed_url", url)) if isinstance(feed, dict) else url
        return RemoteFeed(str(made["feed_id"]), got, title, category)

    def remove_feed(self, feed: RemoteFeed) -> None:
        answer = self.http.request("DELETE", f"/v1/feeds/{int(feed.remote_id)}",
                                   headers=self.auth)
        if answer.status not in (200, 204, 404):  # gone already is what we wanted
            raise self.http.error(answer, self.auth_error)

    # --- entries ---------------------------------------------------------------------

    def pull(self, watermark: dict[str, Any], known: Callable[[], frozenset[int]],
             feeds: Sequence[RemoteFeed], new_feeds: Sequence[RemoteFeed]) -> Pull:
        since = watermark.get("changed_after")
        since = int(since) - MARGIN if isinstance(since, (int, float)) and since > 0 else 0
        entries: list[RemoteEntry] = []
        after = 0
        server_now: float | None = None
        for _page in range(MAX_PAGES):
            query = [("status", "unread"), ("status", "read"), ("order", "id"),
                     ("direction", "asc"), ("limit", str(PAGE)), ("after_entry_id", str(after))]
            if since > 0:
                query.append(("changed_after", str(since)))
            answer = self.http.call("GET", "/v1/entries", query=query, headers=self.auth,
                                    auth_error=self.auth_error)
            if server_now is None:
                server_now = _date_header(answer.headers.get("date", ""))
            page = answer.json(self.http.where)
            raw = page.get("entries") if isinstance(page, dict) else None
            if not isinstance(raw, list):
                raise SyncError(f"{self.http.where}: unexpected answer to /v1/entries")
            last = after
            for e in raw:
                entry = _entry(e)
                if entry is not None:
                    entries.append(entry)
                    last = max(last, entry.remote_id)
            if len(raw) < PAGE or last == after:
                break
            after = last
        mark = server_now if server_now is not None else watermark.get("changed_after", 0)
        return Pull(entries, None, {"changed_after": int(mark or 0)})

    def changed_times(self, remote_ids: Sequence[int]) -> dict[int, float]:
        return {}  # every pulled entry carries its changed_at

    def set_read(self, remote_ids: Sequence[int], read: bool) -> None:
        ids = list(remote_ids)
        for i in range(0, len(ids), BATCH):
            self._json("PUT", "/v1/entries",
                       body={"entry_ids": ids[i : i + BATCH],
                             "status": "read" if read else "unread"})

    def set_starred(self, remote_ids: Sequence[int], starred: bool) -> None:
        # Toggles: the service sends only entries whose server state is the other one.
        for rid in remote_ids:
            self._json("PUT", f"/v1/entries/{int(rid)}/bookmark")


def _date_header(value: str) -> float | None:
    import email.utils

    try:
        return email.utils.parsedate_to_datetime(value).timestamp() if value else None
    except (TypeError, ValueError, IndexError):
        return None


def _entry(e: Any) -> RemoteEntry | None:
    if not isinstance(e, dict) or not isinstance(e.get("id"), int) \
            or not isinstance(e.get("feed_id"), int):
        return None
    status = e.get("status")
    if status not in ("read", "unread"):
        return None
    changed = _time(e.get("changed_at"))
    enclosures = tuple(
        (str(x.get("url", "")), str(x.get("mime_type", "")))
        for x in (e.get("enclosures") or []) if isinstance(x, dict)
    ) if isinstance(e.get("enclosures"), list) else ()
    tags = tuple(str(t) for t in e.get("tags") or [] if isinstance(t, str)) \
        if isinstance(e.get("tags"), list) else ()
    return RemoteEntry(
        remote_id=e["id"], feed_id=str(e["feed_id"]), hash=str(e.get("hash", "")),
        url=str(e.get("url", "")), title=str(e.get("title", "")), read=status == "read",
        starred=bool(e.get("starred")), changed_at=changed.timestamp() if changed else None,
        author=str(e.get("author", "")), content=str(e.get("content", "")),
        published=_time(e.get("published_at")), tags=tags, enclosures=enclosures,
    )
