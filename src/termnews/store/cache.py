"""cache.db: feeds and articles as the network gave them.

Functions take an open connection (see ``store.db.connect``) so a caller
decides the transaction; writers wrap their calls in ``transaction(conn)``.
Times are stored as UTC epoch seconds and come back as aware datetimes.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from termnews.model import (
    Alternate,
    Article,
    ArticleQuery,
    ArticleRow,
    EntryIndexText,
    FeedSource,
    FeedStatus,
    FetchResult,
    ParsedEntry,
    ParsedFeed,
)
from termnews.store import placeholders
from termnews.terms import SearchQuery, fold, index_text, lang_code, parse_query

CATEGORY_SEP = "\x1f"  # unit separator: cleaned text never contains it


def to_epoch(dt: datetime | None) -> float | None:
    return dt.timestamp() if dt is not None else None


def from_epoch(ts: float | None) -> datetime | None:
    return datetime.fromtimestamp(ts, UTC) if ts is not None else None


def article_key(feed_url: str, guid: str) -> str:
    """The stable key marks are stored under: it survives a cache rebuild."""
    return f"{feed_url}\n{guid}"


# --- feeds -----------------------------------------------------------------


def ensure_feed(conn: sqlite3.Connection, src: FeedSource) -> int:
    """Register a feed (or update where it belongs) and return its id."""
    conn.execute(
        """INSERT INTO feeds(url, title, outlet, edition, section) VALUES (?,?,?,?,?)
           ON CONFLICT(url) DO UPDATE SET outlet=excluded.outlet, edition=excluded.edition,
               section=excluded.section,
               title=CASE WHEN feeds.title='' THEN excluded.title ELSE feeds.title END""",
        (src.url, src.title, src.outlet, src.edition, src.section),
    )
    return int(conn.execute("SELECT id FROM feeds WHERE url=?", (src.url,)).fetchone()[0])


def feed_titles(conn: sqlite3.Connection, urls: list[str]) -> dict[str, str]:
    """The titles feeds gave themselves (known after their first fetch), by URL."""
    if not urls:
        return {}
    marks = ",".join("?" * len(urls))
    return {u: t for u, t in conn.execute(
        f"SELECT url, title FROM feeds WHERE url IN ({marks}) AND title != ''", urls)}


def feed_errors(conn: sqlite3.Connection, urls: Sequence[str]) -> dict[str, str]:
    """The error of each of these feeds whose last fetch failed, by URL."""
    found: dict[str, str] = {}
    urls = list(urls)
    for i in range(0, len(urls), 500):
        chunk = urls[i : i + 500]
        found.update(conn.execute(
            f"SELECT url, error FROM feeds WHERE error IS NOT NULL "
            f"AND url IN ({','.join('?' * len(chunk))})", chunk).fetchall())
    return found


def feed_language(conn: sqlite3.Connection, url: str) -> str:
    """The language a feed's document declares ("" when none, or not cached)."""
    row = conn.execute("SELECT language FROM feeds WHERE url = ?", (url,)).fetchone()
    return str(row[0] or "") if row else ""


def last_article_id(conn: sqlite3.Connection) -> int:
    """The highest article id (0 in an empty cache): articles after it are new."""
    return int(conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 0)


def article_guids(conn: sqlite3.Connection, feed_urls: Iterable[str], *, after_id: int = 0
                  ) -> Iterator[tuple[str, str, str, str]]:
    """(feed URL, key, guid, page URL) of the cached articles of these feeds (with an id
    above after_id)."""
    urls = sorted(set(feed_urls))
    newer = "a.id > ? AND " if after_id else ""
    for i in range(0, len(urls), 500):
        chunk = urls[i : i + 500]
        yield from conn.execute(
            f"""SELECT f.url, a.key, a.guid, a.url FROM articles a
                JOIN feeds f ON f.id = a.feed_id
                WHERE {newer}f.url IN ({','.join('?' * len(chunk))})""",
            [after_id, *chunk] if after_id else chunk)


def set_feed_section(conn: sqlite3.Connection, url: str, section: str) -> None:
    conn.execute("UPDATE feeds SET section=? WHERE url=?", (section, url))


def feed_id(conn: sqlite3.Connection, url: str) -> int | None:
    row = conn.execute("SELECT id FROM feeds WHERE url=?", (url,)).fetchone()
    return int(row[0]) if row else None


def record_fetch(
    conn: sqlite3.Connection,
    url: str,
    result: FetchResult,
    *,
    error: str | None,
    next_fetch_at: float | None = None,
    title: str | None = None,
    language: str | None = None,
) -> None:
    """Write a feed's outcome. A failure keeps the old validators and articles."""
    now = time.time()
    if error is None:
        conn.execute(
            """UPDATE feeds SET fetched_at=?, http_status=?, error=NULL, fail_count=0,
                   next_fetch_at=?,
                   etag=CASE WHEN ? THEN etag ELSE ? END,
                   last_modified=CASE WHEN ? THEN last_modified ELSE ? END,
                   title=COALESCE(NULLIF(?, ''), title),
                   language=COALESCE(NULLIF(?, ''), language)
               WHERE url=?""",
            (now, result.status, next_fetch_at, result.not_modified, result.etag,
             result.not_modified, result.last_modified, title or "", language or "", url),
        )
    else:
        conn.execute(
            """UPDATE feeds SET fetched_at=?, http_status=?, error=?, fail_count=fail_count+1,
                   next_fetch_at=? WHERE url=?""",
            (now, result.status, error, next_fetch_at, url),
        )


def fetch_record(conn: sqlite3.Connection, url: str
                 ) -> tuple[str | None, str | None, float | None, int | None, int | None,
                            str | None, int] | None:
    """What a feed's last fetches left: (etag, last_modified, next_fetch_at, fail_count,
    http_status, error, whether it has articles); a point query on the url index."""
    row: tuple[str | None, str | None, float | None, int | None, int | None, str | None,
               int] | None = conn.execute(
        """SELECT etag, last_modified, next_fetch_at, fail_count, http_status, error,
                  EXISTS(SELECT 1 FROM articles a WHERE a.feed_id = feeds.id)
           FROM feeds WHERE url = ?""",
        (url,),
    ).fetchone()
    return row


def fail_count(conn: sqlite3.Connection, url: str) -> int:
    row = conn.execute("SELECT fail_count FROM feeds WHERE url=?", (url,)).fetchone()
    return int(row[0]) if row else 0


def feed_statuses(conn: sqlite3.Connection, urls: Iterable[str] | None = None) -> list[FeedStatus]:
    sql = """SELECT f.id, f.url, f.title, f.outlet, f.edition, f.section, f.fetched_at,
                    f.http_status, f.error, f.next_fetch_at, f.article_count
             FROM feeds f"""
    params: list[str] = []
    if urls is not None:
        params = list(urls)
        if not params:
            return []
        sql += f" WHERE f.url IN ({','.join('?' * len(params))})"
    sql += " ORDER BY f.outlet, f.edition, f.section, f.url"
    return [
        FeedStatus(id=r[0], url=r[1], title=r[2], outlet=r[3], edition=r[4], section=r[5],
                   fetched_at=from_epoch(r[6]), http_status=r[7], error=r[8],
                   next_fetch_at=from_epoch(r[9]), article_count=r[10])
        for r in conn.execute(sql, params)
    ]


def last_fetch_time(conn: sqlite3.Connection) -> datetime | None:
    return from_epoch(conn.execute("SELECT max(fetched_at) FROM feeds").fetchone()[0])


# --- storing articles -------------------------------------------------------


_INSERT_ARTICLE = """INSERT INTO articles(feed_id, key, guid, fetched_at, url, title, author,
        editor, published, summary, content_html, categories, image_url, image_caption,
        image_credit, language, body_text, index_lang, in_feed)
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
    ON CONFLICT(key) DO NOTHING"""
# Only rewrite a row whose content changed: keeps FTS churn low.
_UPDATE_ARTICLE = """UPDATE articles SET url=?, title=?, author=?, editor=?,
        published=COALESCE(?, published), summary=?, content_html=?, categories=?,
        image_url=?, image_caption=?, image_credit=?, language=?, body_text=?, index_lang=?
    WHERE key=? AND NOT (url IS ? AND title IS ? AND author IS ? AND editor IS ?
        AND published IS COALESCE(?, published) AND summary IS ? AND content_html IS ?
        AND categories IS ? AND image_url IS ? AND image_caption IS ? AND image_credit IS ?
        AND language IS ? AND body_text IS ? AND index_lang IS ?)"""


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[tuple[list[str], str]]:
    """Slices of items with the matching ``?,?,…`` for an IN list."""
    for i in range(0, len(items), size):
        chunk = list(items[i : i + size])
        yield chunk, ",".join("?" * len(chunk))


def with_index_texts(parsed: ParsedFeed, edition: str) -> ParsedFeed:
    """``parsed`` with the search index's text of each entry (``index_texts``): what the
    index's view (``articles_fts_text``) gives for the row ``store_entries`` makes of it in
    a feed of this edition, so the index stays equal to its view ('rebuild' and the
    integrity check agree). A parse worker calls it: wording the text (``terms``) costs
    more than parsing does, and the writer then only inserts it.

    """
    feed_lang = lang_code(parsed.language or edition)
    texts: list[EntryIndexText] = []
    for e in parsed.entries:
        lang = lang_code(e.language) if e.language else feed_lang
        texts.append((lang, index_text(e.title, lang), index_text(e.summary, lang),
                      index_text(CATEGORY_SEP.join(e.categories), lang),
                      index_text(e.body_text, lang)))
    return replace(parsed, index_texts=tuple(texts))


def store_entries(conn: sqlite3.Connection, feed_url: str, parsed: ParsedFeed, *,
                  whole_document: bool = True) -> int:
    """Insert new entries, update changed ones; returns how many were new.

    Entries are deduplicated by (feed, guid); the parser already falls back to
    the link, then to a hash of title and date, when a feed gives no guid.
    Full text fetched earlier is kept. Call it inside a transaction (the one writer):
    the document's rows are looked up and written a feed at a time, not row by row.
    The feed's rows are marked as in its current document or not (``in_feed``): the
    cache limits never remove the ones that are. whole_document=False: parsed holds
    some entries only (a sync server's new ones), which says nothing of what the feed
    carries: no row's mark changes, and new rows are subject to the limits, as rows the
    feed has dropped are.
    """
    row = conn.execute("SELECT id, edition FROM feeds WHERE url=?", (feed_url,)).fetchone()
    if row is None:
        raise KeyError(feed_url)
    fid, edition = row
    now = time.time()
    entries: dict[str, ParsedEntry] = {}
    # The search index's text of each entry, when the parse worker made it (with_index_texts)
    index_texts: dict[str, EntryIndexText] = {}
    worded_by_parser = len(parsed.index_texts) == len(parsed.entries)
    for n, e in enumerate(parsed.entries):
        key = article_key(feed_url, e.guid)
        if key not in entries:  # the same guid twice in one document: first wins
            entries[key] = e
            if worded_by_parser:
                index_texts[key] = parsed.index_texts[n]
    feed_lang = lang_code(parsed.language or edition)
    if placeholders.in_feed(conn, feed_url):  # rows a sync server stored: adopted first
        for e in entries.values():
            placeholders.adopt(conn, feed_url, e.guid, e.url)
    keys = list(entries)
    known: dict[str, tuple[int, str]] = {}  # key -> (id, url) of rows already stored
    for chunk, marks in _chunks(keys):
        known.update((k, (i, u)) for k, i, u in conn.execute(
            f"SELECT key, id, url FROM articles WHERE key IN ({marks})", chunk))
    inserts: list[tuple[object, ...]] = []
    new_keys: list[str] = []
    updates: list[tuple[object, ...]] = []
    moved: set[str] = set()
    worded_texts: dict[str, EntryIndexText] = {}
    for key, e in entries.items():
        index_lang = lang_code(e.language) if e.language else feed_lang
        values = (
            e.url, e.title, e.author, e.editor, to_epoch(e.published), e.summary,
            e.content_html, CATEGORY_SEP.join(e.categories), e.image_url, e.image_caption,
            e.image_credit, e.language or parsed.language, e.body_text, index_lang,
        )
        old = known.get(key)
        if old is None:
            inserts.append((fid, key, e.guid, now, *values, int(whole_document)))
            new_keys.append(key)
            text = index_texts.get(key)
            # Made for the language the row is stored with (else the view words it).
            if text is not None and text[0] == index_lang:
                worded_texts[key] = text
        else:
            updates.append((*values, key, *values))
            if old[1] != e.url:  # the link moved: copies of either link are looked up again
                moved.update((old[1], e.url))
    new_ids: list[int] = []
    worded: list[tuple[int, str, str, str, str]] = []  # new rows' index text, made already
    if inserts:
        conn.executemany(_INSERT_ARTICLE, inserts)
        ids = ids_for_keys(conn, new_keys)
        for k, i in ids.items():
            text = worded_texts.get(k)
            if text is not None:
                worded.append((i, text[1], text[2], text[3], text[4]))
            else:
                new_ids.append(i)
        new_ids.sort()
        worded.sort()
        known.update((k, (i, "")) for k, i in ids.items())
    if updates:
        conn.executemany(_UPDATE_ARTICLE, updates)
    alternates = [(known[k][0], a.lang, a.url) for k, e in entries.items()
                  if e.alternates and k in known for a in e.alternates]
    if alternates:
        conn.executemany(
            "INSERT OR IGNORE INTO alternates(article_id, lang, url) VALUES (?,?,?)", alternates)
    if whole_document:
        _mark_in_feed(conn, fid, set(keys))
    _index_new(conn, new_ids)
    if worded:
        conn.executemany(_INDEX_WORDED, worded)
        new_ids = sorted(new_ids + [w[0] for w in worded])
    copies = _mark_copies(conn, new_ids)
    if copies:
        inherit_marks(conn, copies)
    if moved:
        relink_copies(conn, moved)
    return len(new_ids)


def _mark_in_feed(conn: sqlite3.Connection, fid: int, keys: set[str]) -> None:
    """Make the feed's ``in_feed`` rows exactly the keys of its current document.

    Only rows whose mark changes are written (the partial index lists the marked ones),
    and only that column, so the search index is not touched.
    """
    marked = {k for (k,) in conn.execute(
        "SELECT key FROM articles WHERE feed_id = ? AND in_feed = 1", (fid,))}
    for value, changed in ((0, list(marked - keys)), (1, list(keys - marked))):
        for chunk, marks in _chunks(changed):
            conn.execute(f"UPDATE articles SET in_feed = ? WHERE key IN ({marks})",
                         [value, *chunk])


# A new row's index text as the parse worker made it (with_index_texts): the view gives
# the same ('' for the full text, which a new row does not have).
_INDEX_WORDED = """INSERT INTO articles_fts(rowid, title, summary, full_text, categories, body_text)
    VALUES (?, ?, ?, '', ?, ?)"""


def _index_new(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """Add new rows to the FTS index in bulk (schema migration 4 dropped the per-row
    insert trigger: indexing row by row cost three times as much), as the index's view
    words them: folded and stemmed in the article's language (migration 7)."""
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        conn.execute(
            f"""INSERT INTO articles_fts(rowid, title, summary, full_text, categories, body_text)
                SELECT id, title, summary, full_text, categories, body_text
                FROM articles_fts_text WHERE id IN ({','.join('?' * len(chunk))})""",
            chunk,
        )


# --- one story in several feeds ------------------------------------------------

# The first earlier row with the same link in another feed, and its feed (schema
# migration 5): a seek on articles_url (url = ? AND rowid < ?) per row.
# A copy has the same link AND the same title: feeds that link every item to one home page
# (or reuse a link for several stories) must not have their stories folded together.
_FIRST_COPY = """(SELECT d.id, d.feed_id FROM articles d
                  WHERE d.url = a.url AND d.title = a.title AND d.feed_id != a.feed_id
                  AND d.id < a.id ORDER BY d.id LIMIT 1)"""
_HAS_COPY = """EXISTS (SELECT 1 FROM articles d
                      WHERE d.url = a.url AND d.title = a.title AND d.feed_id != a.feed_id
                      AND d.id < a.id)"""


def _mark_copies(conn: sqlite3.Connection, ids: Sequence[int]) -> list[int]:
    """Point new rows that repeat an earlier article of another feed at it; their ids."""
    copies: list[int] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        copies.extend(r[0] for r in conn.execute(
            f"""UPDATE articles AS a SET (dup_of, dup_feed) = {_FIRST_COPY}
                WHERE a.id IN ({','.join('?' * len(chunk))}) AND a.url != '' AND {_HAS_COPY}
                RETURNING id""",
            chunk,
        ).fetchall())
    return copies


def relink_copies(conn: sqlite3.Connection, urls: Iterable[str]) -> None:
    """Recompute ``dup_of`` for every row with one of these links (a link changed)."""
    urls = [u for u in urls if u]
    for i in range(0, len(urls), 500):
        chunk = urls[i : i + 500]
        marks = ",".join("?" * len(chunk))
        conn.execute(
            f"""UPDATE articles AS a SET (dup_of, dup_feed) = {_FIRST_COPY}
                WHERE a.url IN ({marks}) AND {_HAS_COPY}""", chunk)
        conn.execute(
            f"""UPDATE articles AS a SET dup_of = NULL, dup_feed = NULL
                WHERE a.url IN ({marks}) AND a.dup_of IS NOT NULL AND NOT {_HAS_COPY}""", chunk)


def inherit_marks(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """A copy that arrives after its story was read or starred gets the same marks, for
    every profile (a profile's own mark on the copy's key, e.g. after a cache rebuild,
    stays)."""
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        conn.execute(
            f"""INSERT INTO state.marks(profile, key, read, starred, read_at, starred_at)
                SELECT m.profile, a.key, m.read, m.starred, m.read_at, m.starred_at
                FROM articles a JOIN articles d ON d.id = a.dup_of
                CROSS JOIN state.profiles p
                JOIN state.marks m ON m.profile = p.name AND m.key = d.key
                WHERE a.id IN ({','.join('?' * len(chunk))})
                ON CONFLICT(profile, key) DO NOTHING""",
            chunk,
        )


def copies_of(conn: sqlite3.Connection, ids: Iterable[int]) -> list[int]:
    """The ids and every copy of their stories: rows with the same link and title in other
    feeds."""
    ids = list(dict.fromkeys(ids))
    found = dict.fromkeys(ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        found.update(dict.fromkeys(r[0] for r in conn.execute(
            f"""SELECT d.id FROM articles a JOIN articles d ON d.url = a.url
                WHERE a.id IN ({','.join('?' * len(chunk))}) AND a.url != ''
                AND d.title = a.title AND d.feed_id != a.feed_id""",
            chunk,
        )))
    return list(found)


def set_alternates(conn: sqlite3.Connection, article_id: int, alts: Sequence[Alternate]) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO alternates(article_id, lang, url) VALUES (?,?,?)",
        [(article_id, a.lang, a.url) for a in alts],
    )


def set_full_text(
    conn: sqlite3.Connection,
    article_id: int,
    *,
    text: str = "",
    error: str | None = None,
    author: str = "",
    published: datetime | None = None,
    image_url: str = "",
    image_caption: str = "",
    image_credit: str = "",
    alternates: Sequence[Alternate] = (),
) -> None:
    """Store the extracted article page (Markdown), or why it could not be had.

    A failure never erases full text fetched before.
    """
    if error is not None:
        conn.execute(
            "UPDATE articles SET full_text_error=?, full_text_at=? WHERE id=?",
            (error, time.time(), article_id),
        )
        return
    conn.execute(
        """UPDATE articles SET full_text=?, full_text_error=NULL, full_text_at=?,
               author=CASE WHEN author='' THEN ? ELSE author END,
               published=COALESCE(published, ?),
               image_url=CASE WHEN image_url='' THEN ? ELSE image_url END,
               image_caption=CASE WHEN image_caption='' THEN ? ELSE image_caption END,
               image_credit=CASE WHEN image_credit='' THEN ? ELSE image_credit END
           WHERE id=?""",
        (text, time.time(), author, to_epoch(published), image_url, image_caption,
         image_credit, article_id),
    )
    if alternates:
        set_alternates(conn, article_id, alternates)


def full_text_failed_since(conn: sqlite3.Connection, article_id: int, since: float) -> bool:
    """The article's page was tried after ``since`` (epoch seconds) and failed."""
    row = conn.execute(
        "SELECT full_text_at FROM articles WHERE id = ? AND full_text_error IS NOT NULL",
        (article_id,)).fetchone()
    return bool(row and row[0] is not None and row[0] > since)


def article_page(conn: sqlite3.Connection, article_id: int) -> tuple[str, str, str] | None:
    """(page URL, title, feed URL) of an article."""
    row: tuple[str, str, str] | None = conn.execute(
        """SELECT a.url, a.title, f.url FROM articles a JOIN feeds f ON f.id = a.feed_id
           WHERE a.id = ?""", (article_id,)).fetchone()
    return row


def full_text_missing(conn: sqlite3.Connection, article_id: int, tried_before: float
                      ) -> tuple[str, str, str] | None:
    """(page URL, title, feed URL) of an article without full text whose page was never
    tried, or last tried before ``tried_before`` (epoch seconds)."""
    row: tuple[str, str, str] | None = conn.execute(
        """SELECT a.url, a.title, f.url FROM articles a JOIN feeds f ON f.id = a.feed_id
           WHERE a.id = ? AND a.full_text = ''
           AND (a.full_text_at IS NULL OR a.full_text_at < ?)""",
        (article_id, tried_before),
    ).fetchone()
    return row


def never_tried_for_full_text(conn: sqlite3.Connection, feed_id: int, limit: int
                              ) -> list[tuple[float | None, int, str, str]]:
    """(published or fetched time, id, page URL, title) of a feed's articles whose page was
    never tried, newest first (an index range)."""
    return conn.execute(
        """SELECT COALESCE(published, fetched_at), id, url, title FROM articles
           WHERE feed_id = ? AND full_text_at IS NULL AND url != ''
           ORDER BY published DESC, id DESC LIMIT ?""",
        (feed_id, limit),
    ).fetchall()


# --- reading articles -------------------------------------------------------

_ROW_COLUMNS = """a.id, a.title, a.published, f.outlet, f.edition, f.section,
                  COALESCE(m.read, 0), COALESCE(m.starred, 0)"""


def fts_query(text: str, langs: Iterable[str] = ()) -> str:
    """Turn what a user typed into a safe FTS5 query: every word folded and stemmed in
    the languages (terms.py), the last one also as a prefix."""
    return parse_query(text, langs).expression()


def search_languages(conn: sqlite3.Connection, q: ArticleQuery) -> list[str]:
    """The languages of the feeds q shows: a search stems its words in each."""
    clauses, params = _feed_where(q)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    langs: set[str] = set()
    for language, edition in conn.execute(
            f"SELECT DISTINCT f.language, f.edition FROM feeds f{where}", params):
        langs.update((lang_code(language), lang_code(edition)))
    return sorted(langs - {""})


def is_indexed_word(conn: sqlite3.Connection, word: str) -> bool:
    """Whether a folded word (or stem) is a term of the search index: then a query
    takes it as typed in full."""
    word = fold(word)
    if not word or '"' in word:
        return False
    return conn.execute("SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1",
                        (f'"{word}"',)).fetchone() is not None


def search_query(conn: sqlite3.Connection, q: ArticleQuery) -> SearchQuery:
    """q's search text as FTS5 terms, in the languages of the feeds it shows."""
    return parse_query(q.search or "", search_languages(conn, q),
                       lambda w: is_indexed_word(conn, w))


def with_match(conn: sqlite3.Connection, q: ArticleQuery) -> ArticleQuery:
    """q with its search resolved into the FTS5 expression (once per query)."""
    if q.search and q.match is None:
        return replace(q, match=search_query(conn, q).expression())
    return q


def _feed_where(q: ArticleQuery, f: str = "f") -> tuple[list[str], list[object]]:
    """The feed filters of q (which feeds it shows) as clauses on the feed alias."""
    clauses: list[str] = []
    params: list[object] = []
    if q.feed_urls is not None:
        if not q.feed_urls:
            clauses.append("0")
        else:
            clauses.append(f"{f}.url IN ({','.join('?' * len(q.feed_urls))})")
            params.extend(q.feed_urls)
    for column, value in (("outlet", q.outlet), ("edition", q.edition), ("section", q.section)):
        if value is not None:
            clauses.append(f"{f}.{column} = ?")
            params.append(value)
    return clauses, params


def _where(q: ArticleQuery) -> tuple[list[str], list[object]]:
    """The filters of q as clauses on articles a, feeds f and marks m, and parameters."""
    clauses, params = _feed_where(q)
    if q.unread:
        clauses.append("COALESCE(m.read, 0) = 0")
    if q.starred:
        clauses.append("m.starred = 1")
    if q.search:
        match = q.match if q.match is not None else fts_query(q.search)
        if not match:
            clauses.append("0")
        else:
            clauses.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(match)
    return clauses, params


def _spans_feeds(q: ArticleQuery) -> bool:
    """Whether q can show more than one feed (then a story in two feeds shows once)."""
    return q.feed_urls is None or len(q.feed_urls) > 1


def _earlier_copy_shown(q: ArticleQuery) -> tuple[str, list[object]]:
    """EXISTS: an earlier copy of row a's story in another feed that q shows.

    Only rows with ``dup_of`` set have one (callers test that first, so this runs for
    copies only). "Shows" is by feed (q's feeds, outlet, edition, section): marks are
    the same on every copy (``Library.mark_read``/``star``, ``inherit_marks``), and the
    story is listed once, as its first copy in the view.
    """
    clauses, params = _feed_where(q, "df")
    sql = ("""EXISTS (SELECT 1 FROM articles d JOIN feeds df ON df.id = d.feed_id
              WHERE d.url = a.url AND d.id < a.id AND d.feed_id != a.feed_id"""
           + "".join(f" AND {c}" for c in clauses) + ")")
    return sql, params


def _filters(q: ArticleQuery) -> tuple[str, list[object]]:
    """WHERE … for a listing: q's filters, and a story already shown from another feed
    left out when q spans feeds."""
    clauses, params = _where(q)
    if _spans_feeds(q):
        shown, shown_params = _shown_feeds(q)
        exists, more = _earlier_copy_shown(q)
        # Most copies are settled by their first copy's feed (no seek); the rest by EXISTS.
        clauses.append(f"(a.dup_of IS NULL OR NOT (a.dup_feed IN ({shown}) OR {exists}))")
        params += shown_params + more
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _shown_feeds(q: ArticleQuery) -> tuple[str, list[object]]:
    """SELECT the ids of the feeds q shows (evaluated once per statement)."""
    feeds, params = _feed_where(q, "vf")
    return ("SELECT vf.id FROM feeds vf" + (" WHERE " + " AND ".join(feeds) if feeds else ""),
            params)


_FROM = """ FROM articles a JOIN feeds f ON f.id = a.feed_id
           LEFT JOIN state.marks m ON m.profile = ? AND m.key = a.key"""


def listing_sql(columns: str, q: ArticleQuery) -> tuple[str, list[object]]:
    """SELECT columns of the articles matching q, newest first, and its parameters
    (the profile comes first, for the marks join)."""
    where, params = _filters(q)
    source = _FROM
    broad = q.section is None and (q.feed_urls is None or len(q.feed_urls) > 20)
    if q.limit is not None and broad:
        # A page of the newest: walk the published index and stop at the limit,
        # instead of collecting every row of the chosen feeds and sorting them.
        source = source.replace("JOIN feeds f", "CROSS JOIN feeds f", 1)
        if q.search:
            # With a search, the planner would rather fetch every match and sort it
            # (40 ms for a common word in 100k articles); walking the index and
            # probing the match set stops after the first page (≈ 5 ms, ≤ 10 ms worst).
            source = source.replace("articles a", "articles a INDEXED BY articles_published", 1)
    # DESC puts undated (NULL) articles last.
    sql = f"SELECT {columns}" + source + where + " ORDER BY a.published DESC, a.id DESC"
    if q.limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [q.limit, q.offset]
    return sql, params


def list_articles(conn: sqlite3.Connection, q: ArticleQuery, profile: str) -> list[ArticleRow]:
    """Articles matching q, newest first (undated last)."""
    q = with_match(conn, q)
    sql, params = listing_sql(_ROW_COLUMNS, q)
    return [
        ArticleRow(id=r[0], title=r[1], published=from_epoch(r[2]), outlet=r[3], edition=r[4],
                   section=r[5], read=bool(r[6]), starred=bool(r[7]))
        for r in conn.execute(sql, [profile, *params])
    ]


def count_articles(conn: sqlite3.Connection, q: ArticleQuery, profile: str) -> int:
    q = with_match(conn, q)
    if q.search or q.starred:
        clauses, params = _where(q)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        if q.unread or q.starred:
            total = int(conn.execute("SELECT count(*)" + _FROM + where, [profile, *params])
                        .fetchone()[0])
        else:  # no mark in the filter: no look-up of the marks either
            total = int(conn.execute("SELECT count(*) FROM articles a JOIN feeds f "
                                     "ON f.id = a.feed_id" + where, params).fetchone()[0])
    else:
        # The feeds' own article counts (schema migration 8), minus the profile's read
        # marks on their articles for unread: no walk over every article of the view
        # (1,000,000 articles: 33 ms -> well under 1 ms).
        clauses, params = _feed_where(q)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        total = int(conn.execute("SELECT COALESCE(sum(f.article_count), 0) FROM feeds f"
                                 + where, params).fetchone()[0])
        if q.unread:
            total -= int(conn.execute(
                """SELECT count(*) FROM state.marks m JOIN articles a ON a.key = m.key
                   JOIN feeds f ON f.id = a.feed_id
                   WHERE m.profile = ? AND m.read != 0""" + "".join(f" AND {c}" for c in clauses),
                [profile, *params]).fetchone()[0])
    return total - hidden_copies(conn, q, profile)


def hidden_copies(conn: sqlite3.Connection, q: ArticleQuery, profile: str) -> int:
    """How many rows matching q's filters a listing of q leaves out as later copies of a
    story it shows from another feed.

    Walks the copies only (partial index ``articles_dups``, which carries their key for
    the marks), so it costs nothing on a cache without any. Most copies are settled by
    the index alone (their first copy's feed, ``dup_feed``, is in the view); the others
    by the EXISTS.
    """
    q = with_match(conn, q)
    clauses, params = _where(q)
    if not _spans_feeds(q) or "0" in clauses:  # one feed, or nothing matches (no words)
        return 0
    shown, feed_params = _shown_feeds(q)
    exists, more = _earlier_copy_shown(q)
    if q.starred:
        # Few stars: start from them, not from every copy.
        source = """FROM state.marks m JOIN articles a ON a.key = m.key
                    JOIN feeds f ON f.id = a.feed_id"""
        clauses = ["m.profile = ?", *clauses]
        params = [profile, *params]
    else:
        source = "FROM feeds f JOIN articles a INDEXED BY articles_dups ON a.feed_id = f.id"
        if q.unread:
            source += " LEFT JOIN state.marks m ON m.profile = ? AND m.key = a.key"
            params = [profile, *params]
    sql = (f"SELECT count(*) {source} WHERE a.dup_of IS NOT NULL"
           + "".join(f" AND {c}" for c in clauses)
           + f" AND (a.dup_feed IN ({shown}) OR {exists})")
    return int(conn.execute(sql, [*params, *feed_params, *more]).fetchone()[0])


def unread_counts(
    conn: sqlite3.Connection, feed_urls: Sequence[str], profile: str
) -> dict[str, int]:
    """Unread articles per feed URL (feeds with none left out).

    All articles per feed (the feeds' own counts, schema migration 8) minus the
    profile's read ones (from its marks): no probe of the marks for every cached
    article, and no walk over them (1,000,000 articles: 78 ms -> well under 1 ms).
    """
    if not feed_urls:
        return {}
    marks = ",".join("?" * len(feed_urls))
    totals = dict(conn.execute(
        f"SELECT url, article_count FROM feeds WHERE url IN ({marks})", list(feed_urls),
    ).fetchall())
    read = dict(conn.execute(
        f"""SELECT f.url, count(*) FROM state.marks m JOIN articles a ON a.key = m.key
            JOIN feeds f ON f.id = a.feed_id
            WHERE m.profile = ? AND m.read != 0 AND f.url IN ({marks}) GROUP BY f.url""",
        [profile, *feed_urls],
    ).fetchall())
    unread = {url: n - read.get(url, 0) for url, n in totals.items()}
    return {url: n for url, n in unread.items() if n > 0}


_ARTICLE_COLUMNS = """a.id, a.key, f.url, a.guid, a.url, a.title, f.outlet, f.edition, f.section,
    a.author, a.editor, a.published, a.summary, a.content_html, a.categories, a.image_url,
    a.image_caption, a.image_credit, a.language, a.full_text, a.full_text_error,
    COALESCE(m.read, 0), COALESCE(m.starred, 0)"""


def article_from_row(r: Sequence, alternates: tuple[Alternate, ...]) -> Article:  # type: ignore[type-arg]
    """An Article from a row of _ARTICLE_COLUMNS."""
    return Article(
        id=r[0], key=r[1], feed_url=r[2], guid=r[3], url=r[4], title=r[5], outlet=r[6],
        edition=r[7], section=r[8], author=r[9], editor=r[10], published=from_epoch(r[11]),
        summary=r[12], content_html=r[13],
        categories=tuple(c for c in r[14].split(CATEGORY_SEP) if c),
        image_url=r[15], image_caption=r[16], image_credit=r[17], language=r[18],
        full_text=r[19], full_text_error=r[20], read=bool(r[21]), starred=bool(r[22]),
        alternates=alternates,
    )


def _article(conn: sqlite3.Connection, r: Sequence) -> Article:  # type: ignore[type-arg]
    alts = tuple(
        Alternate(lang=lang, url=url)
        for lang, url in conn.execute(
            "SELECT lang, url FROM alternates WHERE article_id=? ORDER BY lang", (r[0],)
        )
    )
    return article_from_row(r, alts)


def get_article(conn: sqlite3.Connection, article_id: int, profile: str) -> Article | None:
    r = conn.execute(
        f"SELECT {_ARTICLE_COLUMNS}" + _FROM + " WHERE a.id = ?", (profile, article_id)
    ).fetchone()
    return _article(conn, r) if r else None


def article_keys(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, str]:
    ids = list(ids)
    result: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        result.update(conn.execute(
            f"SELECT id, key FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall())
    return result


def ids_for_keys(conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, int]:
    keys = list(keys)
    result: dict[str, int] = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        result.update((k, v) for v, k in conn.execute(
            f"SELECT id, key FROM articles WHERE key IN ({','.join('?' * len(chunk))})", chunk
        ))
    return result
