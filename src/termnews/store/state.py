"""state.db: what each profile did — subscriptions, marks, preferences, history.

Marks are keyed by the stable article key (feed URL + guid), never by a cache
row id, so deleting or rebuilding cache.db loses none of them.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from termnews.model import Subscription

HISTORY_LIMIT = 500


def ensure_profile(conn: sqlite3.Connection, profile: str) -> bool:
    """Create the profile if it is new; True when it was."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO state.profiles(name, created_at) VALUES (?, ?)",
        (profile, time.time()),
    )
    return cur.rowcount == 1


def profiles(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM state.profiles ORDER BY name")]


# --- subscriptions ------------------------------------------------------------


def subscribe(conn: sqlite3.Connection, profile: str, subs: Iterable[Subscription]) -> int:
    """Add subscriptions (existing ones get their place updated); returns how many were new."""
    new = 0
    now = time.time()
    # New feeds go after every feed the profile has, in the order given (a file's order).
    position = conn.execute("SELECT COALESCE(max(position), 0) FROM state.subscriptions "
                            "WHERE profile=?", (profile,)).fetchone()[0]
    for s in subs:
        cur = conn.execute(
            """INSERT INTO state.subscriptions(profile, feed_url, outlet, edition, section, title,
                   folder, added_at, position) VALUES (?,?,?,?,?,?,?,?,?)
               ON CONFLICT(profile, feed_url) DO NOTHING""",
            (profile, s.feed_url, s.outlet, s.edition, s.section, s.title, s.folder, now,
             position + 1),
        )
        new += cur.rowcount
        position += cur.rowcount
    return new


def rekey(conn: sqlite3.Connection, profile: str, feed_url: str, section: str) -> None:
    """Give a subscribed feed another section key (its title became known)."""
    conn.execute("UPDATE state.subscriptions SET section=? WHERE profile=? AND feed_url=?",
                 (section, profile, feed_url))


def unsubscribe(conn: sqlite3.Connection, profile: str, feed_urls: Iterable[str]) -> int:
    removed = 0
    for url in feed_urls:
        removed += conn.execute(
            "DELETE FROM state.subscriptions WHERE profile=? AND feed_url=?", (profile, url)
        ).rowcount
    return removed


def subscriptions(conn: sqlite3.Connection, profile: str) -> list[Subscription]:
    return [
        Subscription(feed_url=r[0], outlet=r[1], edition=r[2], section=r[3], title=r[4],
                     folder=r[5])
        for r in conn.execute(
            """SELECT feed_url, outlet, edition, section, title, folder FROM state.subscriptions
               WHERE profile=? ORDER BY position, feed_url""",
            (profile,),
        )
    ]


def all_subscribed_urls(conn: sqlite3.Connection) -> list[str]:
    """Feeds any profile follows (what a cron refresh should fetch)."""
    return [r[0] for r in conn.execute("SELECT DISTINCT feed_url FROM state.subscriptions")]


# --- marks --------------------------------------------------------------------


def set_read(conn: sqlite3.Connection, profile: str, keys: Iterable[str], read: bool) -> None:
    now = time.time() if read else None
    conn.executemany(
        """INSERT INTO state.marks(profile, key, read, read_at) VALUES (?,?,?,?)
           ON CONFLICT(profile, key) DO UPDATE SET read=excluded.read, read_at=excluded.read_at""",
        [(profile, k, int(read), now) for k in keys],
    )


def set_starred(conn: sqlite3.Connection, profile: str, keys: Iterable[str], starred: bool) -> None:
    now = time.time() if starred else None
    conn.executemany(
        """INSERT INTO state.marks(profile, key, starred, starred_at) VALUES (?,?,?,?)
           ON CONFLICT(profile, key) DO UPDATE SET starred=excluded.starred,
               starred_at=excluded.starred_at""",
        [(profile, k, int(starred), now) for k in keys],
    )


def marked(conn: sqlite3.Connection, profile: str, keys: Iterable[str],
           column: str) -> set[str]:
    """The keys among these that carry the mark (column "read" or "starred")."""
    if column not in ("read", "starred"):
        raise ValueError(column)
    keys = list(keys)
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        found.update(r[0] for r in conn.execute(
            f"SELECT key FROM state.marks WHERE profile=? AND {column} != 0 "
            f"AND key IN ({','.join('?' * len(chunk))})", [profile, *chunk]))
    return found


def marks(conn: sqlite3.Connection, profile: str) -> dict[str, tuple[bool, bool]]:
    """Every mark of a profile: key -> (read, starred)."""
    return {
        k: (bool(r), bool(s))
        for k, r, s in conn.execute(
            "SELECT key, read, starred FROM state.marks WHERE profile=?", (profile,)
        )
    }


# --- preferences --------------------------------------------------------------


def get_pref(conn: sqlite3.Connection, profile: str, name: str, default: Any = None) -> Any:
    row = conn.execute(
        "SELECT value FROM state.prefs WHERE profile=? AND name=?", (profile, name)
    ).fetchone()
    return json.loads(row[0]) if row else default


def set_pref(conn: sqlite3.Connection, profile: str, name: str, value: Any) -> None:
    conn.execute(
        """INSERT INTO state.prefs(profile, name, value) VALUES (?,?,?)
           ON CONFLICT(profile, name) DO UPDATE SET value=excluded.value""",
        (profile, name, json.dumps(value, ensure_ascii=False)),
    )


# --- reading history ----------------------------------------------------------


def push_history(conn: sqlite3.Connection, profile: str, key: str) -> None:
    """Append an article to the profile's reading history (bounded)."""
    row = conn.execute(
        "SELECT max(seq) FROM state.history WHERE profile=?", (profile,)
    ).fetchone()
    seq = (row[0] or 0) + 1
    conn.execute(
        "INSERT INTO state.history(profile, seq, key, at) VALUES (?,?,?,?)",
        (profile, seq, key, time.time()),
    )
    conn.execute(
        "DELETE FROM state.history WHERE profile=? AND seq <= ?", (profile, seq - HISTORY_LIMIT)
    )


def history(conn: sqlite3.Connection, profile: str, limit: int = HISTORY_LIMIT) -> list[str]:
    """Keys of recently read articles, oldest first."""
    rows = conn.execute(
        "SELECT key FROM state.history WHERE profile=? ORDER BY seq DESC LIMIT ?",
        (profile, limit),
    ).fetchall()
    return [r[0] for r in reversed(rows)]
