"""What a sync server is to the sync service: its feeds, its entries and four verbs.

Each server API (``miniflux``, ``greader``) implements ``Backend``; the service never
speaks HTTP itself. Text from a server is untrusted: it is cleaned like feed text before
it is stored (``match.parsed_feed``), and only ever printed through ``one_line``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class RemoteFeed:
    remote_id: str  # the server's id ("17", or "feed/17" for Google Reader)
    url: str  # the feed URL as the server has it
    title: str
    category: str  # its category (label, folder) there


@dataclass(frozen=True, slots=True)
class RemoteEntry:
    remote_id: int
    feed_id: str  # RemoteFeed.remote_id
    hash: str  # Miniflux: SHA-256 of the item's guid (else of its link); "" when not given
    url: str
    title: str
    read: bool
    starred: bool
    changed_at: float | None  # when its state last changed there (server clock), if known
    author: str = ""
    content: str = ""  # HTML
    published: datetime | None = None
    tags: tuple[str, ...] = ()
    enclosures: tuple[tuple[str, str], ...] = ()  # (url, MIME type)


@dataclass(frozen=True, slots=True)
class Pull:
    """What changed on the server since the watermark.

    ``entries``: new entries and entries whose state changed (with their state).
    ``snapshot``: for APIs without a change feed, the complete sets of unread and of
    starred entry ids; the state of every known entry is read from them.
    ``watermark``: where the next pull starts, stored only after the sync succeeded.
    """

    entries: list[RemoteEntry]
    snapshot: tuple[frozenset[int], frozenset[int]] | None = None
    watermark: dict[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    @property
    def requests(self) -> int:
        """How many HTTP requests so far."""

    @property
    def account(self) -> str:
        """Which account this is (service, server, user): not a secret."""

    def feeds(self) -> list[RemoteFeed]: ...

    def default_category(self) -> str:
        """The category of feeds that have none here (no folder)."""

    def add_feed(self, url: str, category: str, title: str) -> RemoteFeed: ...

    def remove_feed(self, feed: RemoteFeed) -> None: ...

    def pull(self, watermark: dict[str, Any], known: Callable[[], frozenset[int]],
             feeds: Sequence[RemoteFeed], new_feeds: Sequence[RemoteFeed]) -> Pull:
        """known() gives the ids of the entries already known here (asked only by APIs
        that must tell new entries from known ones themselves)."""

    def changed_times(self, remote_ids: Sequence[int]) -> dict[int, float]:
        """When these entries last changed on the server (to settle conflicts), where the
        pull did not say."""

    def set_read(self, remote_ids: Sequence[int], read: bool) -> None:
        """Set (not toggle) the read state of entries whose server state differs."""

    def set_starred(self, remote_ids: Sequence[int], starred: bool) -> None:
        """Set the starred state of entries whose server state differs."""

    def close(self) -> None: ...
