"""state.db's sync tables: the journal of local changes, the server's items and feeds.

The journal (``sync_journal``) is written in the same transaction as the change it
records (``Library.mark_read`` …), so a change is either both made and journaled or
neither, whatever happens to the process. A journal row is deleted only after the server
accepted it (``forget``), in the same transaction that records the server's new state.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

READ, STAR, SUBSCRIBE = "read", "star", "subscribe"  # journal kinds

# Names of the profile's sync prefs (state.prefs).
PREF_ACCOUNT = "sync.account"  # which account the tables below describe
PREF_LAST = "sync.last_sync"  # epoch seconds of the last successful sync
PREF_ERROR = "sync.error"  # the last sync's error, None when it worked
PREF_WATERMARK = "sync.watermark"  # where the next incremental pull starts (service's own)
PREF_SEEN_ARTICLE = "sync.seen_article"  # highest cache article id matched against the server


@dataclass(frozen=True, slots=True)
class Pending:
    """The latest journaled change of one (kind, key); seq is its newest row."""

    kind: str
    key: str
    value: bool
    at: float
    seq: int


@dataclass(frozen=True, slots=True)
class Item:
    """One server entry as last seen there."""

    remote_id: int
    feed_url: str
    key: str | None
    read: bool
    starred: bool


@dataclass(frozen=True, slots=True)
class KnownFeed:
    feed_url: str
    remote_id: str
    remote_url: str
    category: str


# --- the journal ----------------------------------------------------------------


def record(conn: sqlite3.Connection, profile: str, kind: str, keys: Iterable[str],
           value: bool) -> None:
    """Journal a local change (call inside the transaction that makes it)."""
    now = time.time()
    conn.executemany(
        "INSERT INTO state.sync_journal(profile, kind, key, value, at) VALUES (?,?,?,?,?)",
        [(profile, kind, k, int(value), now) for k in keys],
    )


def pending(conn: sqlite3.Connection, profile: str, kind: str | None = None) -> list[Pending]:
    """The latest change per (kind, key) still waiting for the server."""
    sql = """SELECT kind, key, value, at, seq FROM state.sync_journal j
             WHERE profile = ? AND seq = (SELECT max(seq) FROM state.sync_journal
                                         WHERE profile = j.profile AND kind = j.kind
                                         AND key = j.key)"""
    params: list[object] = [profile]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    return [Pending(r[0], r[1], bool(r[2]), r[3], r[4])
            for r in conn.execute(sql + " ORDER BY seq", params)]


def pending_count(conn: sqlite3.Connection, profile: str) -> int:
    return int(conn.execute(
        "SELECT count(*) FROM (SELECT DISTINCT kind, key FROM state.sync_journal "
        "WHERE profile = ?)", (profile,)).fetchone()[0])


def forget(conn: sqlite3.Connection, profile: str, done: Iterable[Pending]) -> None:
    """Drop the journal rows of changes the server now has (rows journaled after the
    change was read stay: they are newer)."""
    conn.executemany(
        "DELETE FROM state.sync_journal WHERE profile = ? AND kind = ? AND key = ? AND seq <= ?",
        [(profile, p.kind, p.key, p.seq) for p in done],
    )


# --- the server's entries ---------------------------------------------------------


def items(conn: sqlite3.Connection, profile: str,
          remote_ids: Sequence[int] | None = None) -> dict[int, Item]:
    """Known server entries by id (all of them, or those asked for)."""
    sql = "SELECT remote_id, feed_url, key, read, starred FROM state.sync_items WHERE profile = ?"
    if remote_ids is None:
        rows = conn.execute(sql, (profile,)).fetchall()
    else:
        rows = []
        ids = list(remote_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows += conn.execute(sql + f" AND remote_id IN ({','.join('?' * len(chunk))})",
                                 [profile, *chunk]).fetchall()
    return {r[0]: Item(r[0], r[1], r[2], bool(r[3]), bool(r[4])) for r in rows}


def item_ids(conn: sqlite3.Connection, profile: str) -> frozenset[int]:
    return frozenset(r[0] for r in conn.execute(
        "SELECT remote_id FROM state.sync_items WHERE profile = ?", (profile,)))


def items_by_key(conn: sqlite3.Connection, profile: str, keys: Sequence[str]) -> dict[str, Item]:
    result: dict[str, Item] = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        for r in conn.execute(
                f"""SELECT remote_id, feed_url, key, read, starred FROM state.sync_items
                    WHERE profile = ? AND key IN ({','.join('?' * len(chunk))})""",
                [profile, *chunk]):
            result[r[2]] = Item(r[0], r[1], r[2], bool(r[3]), bool(r[4]))
    return result


def save_items(conn: sqlite3.Connection, profile: str,
               rows: Iterable[tuple[int, str, str, str, str | None, bool, bool]]) -> None:
    """Insert or replace items: (remote_id, feed_url, hash, url, key, read, starred)."""
    conn.executemany(
        """INSERT INTO state.sync_items(profile, remote_id, feed_url, hash, url, key, read,
               starred) VALUES (?,?,?,?,?,?,?,?)
           ON CONFLICT(profile, remote_id) DO UPDATE SET
               feed_url=CASE WHEN excluded.feed_url != '' THEN excluded.feed_url
                             ELSE sync_items.feed_url END,
               hash=CASE WHEN excluded.hash != '' THEN excluded.hash ELSE sync_items.hash END,
               url=CASE WHEN excluded.url != '' THEN excluded.url ELSE sync_items.url END,
               key=COALESCE(excluded.key, sync_items.key),
               read=excluded.read, starred=excluded.starred""",
        [(profile, rid, feed, h, url, key, int(r), int(s))
         for rid, feed, h, url, key, r, s in rows],
    )


def set_item_state(conn: sqlite3.Connection, profile: str, remote_ids: Iterable[int],
                   flag: str, value: bool) -> None:
    column = "read" if flag == READ else "starred"
    conn.executemany(
        f"UPDATE state.sync_items SET {column} = ? WHERE profile = ? AND remote_id = ?",
        [(int(value), profile, rid) for rid in remote_ids],
    )


def open_items(conn: sqlite3.Connection, profile: str,
               feed_urls: Iterable[str]) -> list[tuple[int, str, str, str, bool, bool]]:
    """Server entries of these feeds not matched to a local article yet:
    (remote_id, feed_url, hash, url, read, starred)."""
    out: list[tuple[int, str, str, str, bool, bool]] = []
    for url in set(feed_urls):
        out += [(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5])) for r in conn.execute(
            """SELECT remote_id, feed_url, hash, url, read, starred FROM state.sync_items
               WHERE profile = ? AND feed_url = ? AND key IS NULL""", (profile, url))]
    return out


def open_feeds(conn: sqlite3.Connection, profile: str) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT DISTINCT feed_url FROM state.sync_items WHERE profile = ? AND key IS NULL",
        (profile,))}


def set_item_keys(conn: sqlite3.Connection, profile: str,
                  pairs: Iterable[tuple[int, str]]) -> None:
    conn.executemany("UPDATE state.sync_items SET key = ? WHERE profile = ? AND remote_id = ?",
                     [(key, profile, rid) for rid, key in pairs])


def drop_feed_items(conn: sqlite3.Connection, profile: str, feed_urls: Iterable[str]) -> None:
    conn.executemany("DELETE FROM state.sync_items WHERE profile = ? AND feed_url = ?",
                     [(profile, u) for u in feed_urls])


# --- the server's feeds --------------------------------------------------------------


def known_feeds(conn: sqlite3.Connection, profile: str) -> dict[str, KnownFeed]:
    return {r[0]: KnownFeed(r[0], r[1], r[2], r[3]) for r in conn.execute(
        "SELECT feed_url, remote_id, remote_url, category FROM state.sync_feeds "
        "WHERE profile = ?", (profile,))}


def set_known_feeds(conn: sqlite3.Connection, profile: str, feeds: Iterable[KnownFeed]) -> None:
    conn.execute("DELETE FROM state.sync_feeds WHERE profile = ?", (profile,))
    conn.executemany(
        "INSERT OR REPLACE INTO state.sync_feeds(profile, feed_url, remote_id, remote_url, "
        "category) VALUES (?,?,?,?,?)",
        [(profile, f.feed_url, f.remote_id, f.remote_url, f.category) for f in feeds],
    )


def reset_account(conn: sqlite3.Connection, profile: str) -> None:
    """Another account (service, server or user): what was known of the old one goes;
    the journal stays (its changes are the user's, they go to the new account)."""
    for table in ("sync_items", "sync_feeds"):
        conn.execute(f"DELETE FROM state.{table} WHERE profile = ?", (profile,))
    conn.execute("DELETE FROM state.prefs WHERE profile = ? AND name IN (?, ?, ?)",
                 (profile, PREF_WATERMARK, PREF_SEEN_ARTICLE, PREF_LAST))
