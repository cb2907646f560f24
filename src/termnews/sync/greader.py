"""The Google Reader API, as FreshRSS, Inoreader, The Old Reader, BazQux and Miniflux
speak it. ``url`` is the API's root: the part before ``/accounts/ClientLogin`` and
``/reader/api/0`` (Miniflux: the server itself; FreshRSS: ``…/api/greader.php``).

- Auth: ``ClientLogin`` with the user name and the API password gives a token sent as
  ``Authorization: GoogleLogin auth=…``; writes (POST) also carry it, or the one from
  ``/token``, as the form field ``T``.
- Item ids: ``stream/items/ids`` gives them in decimal; everything else takes the long
  form ``tag:google.com,2005:reader/item/`` + 16 hex digits (Miniflux 2.2 reads a short
  id as hex, so only the long form is sent).
- State: the API has no change feed, so each pull asks for the complete lists of unread
  and of starred ids (ids only: a few bytes each). New items come from the reading list
  with ``ot`` (published after the newest seen, less a margin), from the whole stream of
  a feed new to us, and from any unread or starred id we do not know yet.
- The API gives no guid: entries match articles by feed URL + link (documented).
- ``edit-tag`` is sent only for items whose server state differs from the one wanted:
  Miniflux 2.2 turns "add read" on a read item into unread (and likewise stars).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from termnews.config import SyncConfig
from termnews.sync.errors import AUTH, SyncError
from termnews.sync.http import JsonHttp
from termnews.sync.remote import Pull, RemoteEntry, RemoteFeed

API = "/reader/api/0"
STATE = "user/-/state/com.google/"
READ, STARRED, READING_LIST = STATE + "read", STATE + "starred", STATE + "reading-list"
LABEL = "user/-/label/"
LONG_ID = "tag:google.com,2005:reader/item/"
IDS_PAGE = 10_000
CONTENTS_BATCH = 250
EDIT_BATCH = 1000
OT_MARGIN = 2 * 86400  # seconds: items are dated by their feeds, not by their arrival
MAX_PAGES = 1000
# Names servers give the category of feeds filed nowhere.
DEFAULT_LABELS = ("All", "Uncategorized", "Uncategorised", "Sans catégorie")


def long_id(remote_id: int) -> str:
    return LONG_ID + f"{remote_id & 0xFFFFFFFFFFFFFFFF:016x}"


def parse_id(value: Any) -> int | None:
    """An item id in either form, as a signed 64-bit number (None when it is neither)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    try:
        if value.startswith(LONG_ID):
            n = int(value[len(LONG_ID):], 16)
            return n - (1 << 64) if n >= 1 << 63 else n
        return int(value, 10)
    except ValueError:
        return None


class GReaderBackend:
    def __init__(self, cfg: SyncConfig, *, password: str, user_agent: str) -> None:
        self.http = JsonHttp(cfg.url, timeout=cfg.timeout, user_agent=user_agent)
        self.username = cfg.username
        self.password = password
        self._auth: str | None = None
        self._post_token: str | None = None
        self._account = f"greader {self.http.base} user:{cfg.username}"

    @property
    def requests(self) -> int:
        return self.http.requests

    @property
    def account(self) -> str:
        return self._account

    def close(self) -> None:
        self.http.close()

    # --- auth --------------------------------------------------------------------

    def _headers(self) -> list[tuple[str, str]]:
        if self._auth is None:
            answer = self.http.request("POST", "/accounts/ClientLogin",
                                       form=[("Email", self.username),
                                             ("Passwd", self.password)])
            if answer.status in (400, 401, 403):
                raise SyncError(f"{self.http.where}: bad user name or password: the server "
                                f"refused them (HTTP {answer.status})", AUTH)
            if answer.status != 200:
                raise self.http.error(answer, "login refused")
            if answer.is_html:
                raise SyncError(f"{self.http.where}: not a sync API (got an HTML page "
                                "instead of a login answer)")
            text = answer.body[:8192].decode("utf-8", "replace")
            auth = next((line[5:].strip() for line in text.splitlines()
                         if line.startswith("Auth=")), "")
            if not auth or any(c.isspace() for c in auth):
                raise SyncError(f"{self.http.where}: not a Google Reader API (no Auth token "
                                "in the login answer)")
            self._auth = auth
        return [("Authorization", f"GoogleLogin auth={self._auth}")]

    def _get(self, path: str, query: Sequence[tuple[str, str]] = ()) -> Any:
        answer = self.http.call("GET", API + path, query=[*query, ("output", "json")],
                                headers=self._headers(),
                                auth_error="the server refused the login token")
        return answer.json(self.http.where)

    def _token(self) -> str:
        if self._post_token is None:
            answer = self.http.call("GET", API + "/token", headers=self._headers(),
                                    auth_error="the server refused the login token")
            token = answer.body[:1024].decode("utf-8", "replace").strip()
            self._post_token = token if token and not any(c.isspace() for c in token) \
                else (self._auth or "")
        return self._post_token

    def _post(self, path: str, form: list[tuple[str, str]], *, as_json: bool = False) -> Any:
        answer = self.http.call("POST", API + path, query=[("output", "json")] if as_json else (),
                                form=[*form, ("T", self._token())], headers=self._headers(),
                                auth_error="the server refused the login token")
        return answer.json(self.http.where) if as_json else None

    # --- feeds ---------------------------------------------------------------------

    def feeds(self) -> list[RemoteFeed]:
        raw = self._get("/subscription/list")
        subs = raw.get("subscriptions") if isinstance(raw, dict) else None
        if not isinstance(subs, list):
            raise SyncError(f"{self.http.where}: unexpected answer to subscription/list")
        feeds = []
        for s in subs:
            if not isinstance(s, dict) or not isinstance(s.get("id"), str):
                continue
            label = ""
            for c in s.get("categories") or []:
                if isinstance(c, dict):
                    label = str(c.get("label") or str(c.get("id", "")).rpartition("/")[2])
                    break
            url = s.get("url") or s["id"].removeprefix("feed/")
            feeds.append(RemoteFeed(s["id"], str(url), str(s.get("title", "")), label))
        return feeds

    def default_category(self) -> str:
        raw = self._get("/tag/list")
        tags = raw.get("tags") if isinstance(raw, dict) else None
        labels = [str(t.get("id", "")).rpartition("/label/")[2]
                  for t in tags or [] if isinstance(t, dict) and "/label/" in str(t.get("id"))]
        return next((lab for lab in labels if lab in DEFAULT_LABELS), "")

    def add_feed(self, url: str, category: str, title: str) -> RemoteFeed:
        form = [("ac", "subscribe"), ("s", "feed/" + url)]
        if category:
            form.append(("a", LABEL + category))
        if title:
            form.append(("t", title))
        self._post("/subscription/edit", form)
        for feed in self.feeds():
            if feed.url == url or feed.remote_id == "feed/" + url:
                return feed
        raise SyncError(f"{self.http.where}: the new feed is not in the subscription list")

    def remove_feed(self, feed: RemoteFeed) -> None:
        self._post("/subscription/edit", [("ac", "unsubscribe"), ("s", feed.remote_id)])

    # --- items ---------------------------------------------------------------------

    def _ids(self, stream: str, extra: Sequence[tuple[str, str]] = ()) -> set[int]:
        ids: set[int] = set()
        cont = ""
        for _page in range(MAX_PAGES):
            query = [("s", stream), ("n", str(IDS_PAGE)), *extra]
            if cont:
                query.append(("c", cont))
            raw = self._get("/stream/items/ids", query)
            refs = raw.get("itemRefs") if isinstance(raw, dict) else None
            if refs is None and isinstance(raw, dict):
                refs = []  # an empty stream may leave the list out
            if not isinstance(refs, list):
                raise SyncError(f"{self.http.where}: unexpected answer to stream/items/ids")
            for ref in refs:
                n = parse_id(ref.get("id")) if isinstance(ref, dict) else None
                if n is not None:
                    ids.add(n)
            nxt = raw.get("continuation")
            cont = str(nxt) if nxt not in (None, "", 0, "0") else ""
            if not cont or not refs:
                break
        return ids

    def _contents(self, remote_ids: Iterable[int]) -> list[RemoteEntry]:
        ids = sorted(set(remote_ids))
        out: list[RemoteEntry] = []
        for i in range(0, len(ids), CONTENTS_BATCH):
            chunk = ids[i : i + CONTENTS_BATCH]
            raw = self._post("/stream/items/contents", [("i", long_id(n)) for n in chunk],
                             as_json=True)
            items = raw.get("items") if isinstance(raw, dict) else None
            if not isinstance(items, list):
                raise SyncError(f"{self.http.where}: unexpected answer to "
                                "stream/items/contents")
            out += [e for e in (_entry(it) for it in items) if e is not None]
        return out

    def pull(self, watermark: dict[str, Any], known: Callable[[], frozenset[int]],
             feeds: Sequence[RemoteFeed], new_feeds: Sequence[RemoteFeed]) -> Pull:
        unread = frozenset(self._ids(READING_LIST, [("xt", READ)]))
        starred = frozenset(self._ids(STARRED))
        ot = watermark.get("ot")
        if isinstance(ot, (int, float)) and ot > 0:
            fresh = self._ids(READING_LIST, [("ot", str(int(ot) - OT_MARGIN))])
            for feed in new_feeds:
                fresh |= self._ids(feed.remote_id)
        else:
            fresh = self._ids(READING_LIST)
        entries = self._contents((fresh | unread | starred) - known())
        newest = max([int(ot) if isinstance(ot, (int, float)) else 0]
                     + [int(e.published.timestamp()) for e in entries if e.published])
        return Pull(entries, (unread, starred), {"ot": newest})

    def changed_times(self, remote_ids: Sequence[int]) -> dict[int, float]:
        return {e.remote_id: e.changed_at for e in self._contents(remote_ids)
                if e.changed_at is not None}

    def _edit(self, remote_ids: Sequence[int], tag: str, add: bool) -> None:
        ids = list(remote_ids)
        for i in range(0, len(ids), EDIT_BATCH):
            form = [("i", long_id(n)) for n in ids[i : i + EDIT_BATCH]]
            form.append(("a" if add else "r", tag))
            self._post("/edit-tag", form)

    def set_read(self, remote_ids: Sequence[int], read: bool) -> None:
        self._edit(remote_ids, READ, read)

    def set_starred(self, remote_ids: Sequence[int], starred: bool) -> None:
        self._edit(remote_ids, STARRED, starred)


def _href(value: Any) -> str:
    if isinstance(value, list):
        for v in value:
            if isinstance(v, dict) and isinstance(v.get("href"), str) and v["href"]:
                return str(v["href"])
    return ""


def _entry(it: Any) -> RemoteEntry | None:
    if not isinstance(it, dict):
        return None
    rid = parse_id(it.get("id"))
    origin = it.get("origin")
    feed_id = origin.get("streamId") if isinstance(origin, dict) else None
    if rid is None or not isinstance(feed_id, str):
        return None
    cats = [c for c in it.get("categories") or [] if isinstance(c, str)]
    published = it.get("published")
    when = None
    if isinstance(published, (int, float)) and 0 < published < 32503680000:
        when = datetime.fromtimestamp(published, UTC)
    updated = it.get("updated")
    content = it.get("content") if isinstance(it.get("content"), dict) else it.get("summary")
    body = str(content.get("content", "")) if isinstance(content, dict) else ""
    enclosures = tuple(
        (str(x.get("href") or x.get("url") or ""), str(x.get("type", "")))
        for x in it.get("enclosure") or [] if isinstance(x, dict))
    return RemoteEntry(
        remote_id=rid, feed_id=feed_id, hash="",
        url=_href(it.get("canonical")) or _href(it.get("alternate")),
        title=str(it.get("title", "")),
        read=any(c.endswith("/state/com.google/read") for c in cats),
        starred=any(c.endswith("/state/com.google/starred") for c in cats),
        changed_at=float(updated) if isinstance(updated, (int, float)) else None,
        author=str(it.get("author", "")), content=body, published=when,
        enclosures=enclosures,
    )
