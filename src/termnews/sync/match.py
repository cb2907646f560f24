"""Server entries ↔ local articles: the same key, feed URL + guid.

Miniflux identifies an entry by its feed and a SHA-256 of the item's guid (else of its
link): computed here from each article's guid, the pair matches exactly. The Google
Reader API gives no guid; its entries match by feed URL + link. An entry stored from the
server takes the guid a direct fetch would give when it can be known (the link, when the
hash says the guid is the link), else a stand-in (``store.placeholders``) that the real
entry adopts when the feed itself is fetched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from termnews.feeds.raw import Raw, RawFeed
from termnews.model import ParsedFeed
from termnews.store import cache
from termnews.store.placeholders import HASHED, LINKED, guid_hash
from termnews.sync.remote import RemoteEntry


class LocalIndex:
    """The cached articles of some feeds, by (feed URL, guid hash) and (feed URL, link)."""

    def __init__(self) -> None:
        self.by_hash: dict[tuple[str, str], str] = {}
        self.by_link: dict[tuple[str, str], str | None] = {}  # None: the link is not unique

    def add(self, feed_url: str, key: str, guid: str, url: str) -> None:
        if guid.startswith(HASHED):
            self.by_hash[(feed_url, guid[len(HASHED):])] = key
        elif not guid.startswith(LINKED):
            self.by_hash[(feed_url, guid_hash(guid))] = key
        if url:
            pair = (feed_url, url)
            self.by_link[pair] = key if pair not in self.by_link else None

    @classmethod
    def of_feeds(cls, conn: sqlite3.Connection, feed_urls: Iterable[str]) -> LocalIndex:
        index = cls()
        for feed, key, guid, url in cache.article_guids(conn, feed_urls):
            index.add(feed, key, guid, url)
        return index

    def match(self, feed_url: str, entry_hash: str, url: str) -> str | None:
        """The key of the article this server entry is, or None."""
        if entry_hash:
            found = self.by_hash.get((feed_url, entry_hash))
            if found is not None:
                return found
            # Miniflux hashes the link when an item has no guid, and so does termnews.
            return None
        return self.by_link.get((feed_url, url)) if url else None


def new_articles(conn: sqlite3.Connection, after_id: int,
                 feed_urls: Sequence[str]) -> tuple[LocalIndex, int]:
    """Articles cached since after_id in these feeds, indexed; and the highest id now."""
    top = cache.last_article_id(conn)
    index = LocalIndex()
    if top <= after_id or not feed_urls:
        return index, top
    for feed, key, guid, url in cache.article_guids(conn, feed_urls, after_id=after_id):
        index.add(feed, key, guid, url)
    return index, top


def guid_for(entry: RemoteEntry) -> str:
    """The guid to store a server entry under: its real one when that can be known."""
    if entry.hash:
        if entry.url and guid_hash(entry.url) == entry.hash:
            return entry.url
        return HASHED + entry.hash
    return LINKED + entry.url


def parsed_feed(feed_url: str, entries: Sequence[tuple[str, RemoteEntry]],
                language: str) -> ParsedFeed:
    """Server entries (with the guids to store them under) as a parsed feed, through the
    same cleaning and mapping a fetched feed goes through (``feeds.parse``)."""
    from termnews.feeds.parse import _finish

    raw = RawFeed(language=language, entries=[
        Raw(id=guid, title=e.title, links=[("alternate", "", "", e.url)] if e.url else [],
            authors=[e.author] if e.author else [], published=e.published,
            categories=list(e.tags), content=e.content or None, content_html=True,
            enclosures=[(u, t) for u, t in e.enclosures if u])
        for guid, e in entries
    ])
    return _finish(raw, feed_url)
