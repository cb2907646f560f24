"""Articles stored from a sync server that did not give the item's guid.

termnews keys an article by feed URL + guid. Miniflux gives only a SHA-256 of the guid
(and the link), the Google Reader API only the link; when the guid cannot be recovered
(it is the link itself most of the time, and then it can), an article read from the
server is stored under a stand-in guid: ``sync:sha256:<hash>`` or ``sync:link:<link>``.
When the feed itself is fetched later (the user switched ``source`` back to "feeds"),
the real entry adopts that row — the article keeps its id, its full text, and every
profile's marks, history and sync state move to the real key — instead of arriving as a
second copy.
"""

from __future__ import annotations

import hashlib
import sqlite3

PREFIX = "sync:"
HASHED = PREFIX + "sha256:"
LINKED = PREFIX + "link:"


def guid_hash(guid: str) -> str:
    """Miniflux's entry hash of a guid (its SHA-256, hex)."""
    return hashlib.sha256(guid.encode("utf-8")).hexdigest()


def in_feed(conn: sqlite3.Connection, feed_url: str) -> bool:
    """Whether a feed has stand-in rows (a range seek on the unique key index)."""
    lo = f"{feed_url}\n{PREFIX}"
    hi = lo[:-1] + chr(ord(PREFIX[-1]) + 1)
    return conn.execute("SELECT 1 FROM articles WHERE key >= ? AND key < ? LIMIT 1",
                        (lo, hi)).fetchone() is not None


def adopt(conn: sqlite3.Connection, feed_url: str, guid: str, url: str) -> bool:
    """Give the stand-in row of this entry (if any) its real guid and key."""
    if guid.startswith(PREFIX):
        return False
    new_key = f"{feed_url}\n{guid}"
    for stand_in in (HASHED + guid_hash(guid), LINKED + url if url else None):
        if stand_in is None:
            continue
        old_key = f"{feed_url}\n{stand_in}"
        row = conn.execute("SELECT id FROM articles WHERE key = ?", (old_key,)).fetchone()
        if row is None:
            continue
        if conn.execute("SELECT 1 FROM articles WHERE key = ?", (new_key,)).fetchone():
            return False  # the real row is here already: leave both as they are
        conn.execute("UPDATE articles SET key = ?, guid = ? WHERE id = ?", (new_key, guid, row[0]))
        rekey_state(conn, old_key, new_key)
        return True
    return False


def rekey_state(conn: sqlite3.Connection, old_key: str, new_key: str) -> None:
    """Every profile's marks, history and sync rows under old_key move to new_key
    (a mark already under new_key wins)."""
    conn.execute("UPDATE OR IGNORE state.marks SET key = ? WHERE key = ?", (new_key, old_key))
    conn.execute("DELETE FROM state.marks WHERE key = ?", (old_key,))
    conn.execute("UPDATE state.history SET key = ? WHERE key = ?", (new_key, old_key))
    conn.execute("UPDATE state.sync_items SET key = ? WHERE key = ?", (new_key, old_key))
    conn.execute("UPDATE state.sync_journal SET key = ? WHERE key = ? AND kind != 'subscribe'",
                 (new_key, old_key))
