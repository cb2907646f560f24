"""The queries behind the related block (``termnews.related`` ranks what they return).

Each is one indexed query or a handful: point lookups by id or URL, index ranges of
``articles_feed_published``, doclist seeks into the FTS5 index, and an ``fts5vocab``
table for document frequencies. Rows come back as plain tuples; the ranking, the
stop words and the budgets live in ``related``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def _marks(n: int) -> str:
    return ",".join("?" * n)


def database_file(conn: sqlite3.Connection) -> str:
    """The cache file this connection reads (for caches kept per database)."""
    return str(conn.execute("PRAGMA database_list").fetchone()[2] or f"memory:{id(conn)}")


def _vocab(conn: sqlite3.Connection) -> str:
    """A per-connection fts5vocab table (TEMP: no schema change, nothing stored)."""
    try:
        conn.execute("SELECT 1 FROM temp.termnews_vocab LIMIT 0")
    except sqlite3.OperationalError:
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.termnews_vocab "
            "USING fts5vocab(main, articles_fts, row)"
        )
    return "temp.termnews_vocab"


def document_frequencies(conn: sqlite3.Connection, terms: Sequence[str]) -> dict[str, int]:
    """How many articles hold each term (terms not in the index are left out)."""
    return {str(t): int(d) for t, d in conn.execute(
        f"SELECT term, doc FROM {_vocab(conn)} WHERE term IN ({_marks(len(terms))})",
        list(terms),
    )}


def feed_languages(conn: sqlite3.Connection) -> int:
    """How many languages the feeds of the cache are in (cheap: feeds are few)."""
    return int(conn.execute(
        "SELECT count(DISTINCT lower(substr(COALESCE(NULLIF(language, ''), edition, ''), 1, 2)))"
        " FROM feeds").fetchone()[0])


def term_count_in_language(conn: sqlite3.Connection, term: str, code: str) -> int:
    """How many articles indexed in language ``code`` hold the term."""
    return int(conn.execute(  # CROSS JOIN: the term's doclist first, then each row
        """SELECT count(*) FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid
           WHERE articles_fts MATCH ? AND a.index_lang = ?""",
        (f'"{term}"', code),
    ).fetchone()[0])


def last_article_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT max(rowid) FROM articles").fetchone()[0] or 0)


SourceRow = tuple[int, int, str, str, str, str, str, float | None, str, str, str, str]


def source(conn: sqlite3.Connection, article_id: int, html_chars: int) -> SourceRow | None:
    """(id, feed id, url, title, summary, full text, categories, published, language,
    outlet, edition, the first html_chars of the feed's HTML) of one article."""
    row: SourceRow | None = conn.execute(
        """SELECT a.id, a.feed_id, a.url, a.title, a.summary, a.full_text, a.categories,
                  a.published, COALESCE(NULLIF(a.language, ''), f.edition), f.outlet, f.edition,
                  substr(a.content_html, 1, ?)
           FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?""",
        (html_chars, article_id),
    ).fetchone()
    return row


def ids_with_url(conn: sqlite3.Connection, url: str, limit: int = 64) -> list[int]:
    """Articles at this address (the same piece in several feeds)."""
    return [r[0] for r in conn.execute("SELECT id FROM articles WHERE url = ? LIMIT ?",
                                       (url, limit))]


# --- same story ---------------------------------------------------------------------------


def alternates_of(conn: sqlite3.Connection, article_id: int, limit: int = 64
                  ) -> list[tuple[str, str]]:
    """(lang, url) of the editions an article names as its alternates."""
    return conn.execute(
        "SELECT lang, url FROM alternates WHERE article_id = ? LIMIT ?", (article_id, limit)
    ).fetchall()


def articles_at(conn: sqlite3.Connection, urls: Sequence[str]
                ) -> list[tuple[int, str, str, str]]:
    """(id, url, title, language) of the cached articles at these addresses, oldest first."""
    if not urls:
        return []
    return conn.execute(
        f"""SELECT a.id, a.url, a.title, COALESCE(NULLIF(a.language, ''), f.edition)
            FROM articles a JOIN feeds f ON f.id = a.feed_id
            WHERE a.url IN ({_marks(len(urls))}) ORDER BY a.id""",
        list(urls),
    ).fetchall()


def articles_naming(conn: sqlite3.Connection, urls: Sequence[str], limit: int = 64
                    ) -> list[tuple[int, str, str, str]]:
    """(id, url, title, language) of articles that list one of these URLs as an alternate."""
    return conn.execute(
        f"""SELECT DISTINCT a.id, a.url, a.title, COALESCE(NULLIF(a.language, ''), f.edition)
            FROM alternates x JOIN articles a ON a.id = x.article_id
            JOIN feeds f ON f.id = a.feed_id
            WHERE x.url IN ({_marks(len(urls))}) LIMIT ?""",
        [*urls, limit],
    ).fetchall()


# --- related by content ---------------------------------------------------------------------


def rows_matching(conn: sqlite3.Connection, match: str, low: int) -> list[int]:
    """Row ids from ``low`` on whose text matches an FTS5 expression (one doclist seek)."""
    return [r[0] for r in conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid >= ?",
        (match, low),
    )]


def ranked(conn: sqlite3.Connection, match: str, weights: Sequence[float], take: int, *,
           lang_code: str | None = None) -> list[tuple[int, float]]:
    """(row id, bm25 score: lower is better) of the best matches of an FTS5 expression,
    with per-column weights; with lang_code, only articles indexed in that language."""
    own = ("AND rowid IN (SELECT id FROM articles WHERE id = articles_fts.rowid "
           "AND index_lang = ?)") if lang_code else ""
    return conn.execute(
        f"""SELECT rowid, bm25(articles_fts, {', '.join(str(w) for w in weights)}) AS score
            FROM articles_fts WHERE articles_fts MATCH ? {own} ORDER BY score LIMIT ?""",
        (match, *((lang_code,) if lang_code else ()), take),
    ).fetchall()


CandidateRow = tuple[str, str, float | None, str, str, str]


def candidates(conn: sqlite3.Connection, ids: Sequence[int], chars: int
               ) -> dict[int, CandidateRow]:
    """By id: (title, categories, published, url, language, the first chars of summary,
    full text and feed HTML) of candidate articles."""
    return {
        r[0]: r[1:]
        for r in conn.execute(
            f"""SELECT a.id, a.title, a.categories, a.published, a.url,
                       COALESCE(NULLIF(a.language, ''), f.edition),
                       substr(a.summary, 1, ?) || ' ' || substr(a.full_text, 1, ?) || ' '
                       || substr(a.content_html, 1, ?)
                FROM articles a JOIN feeds f ON f.id = a.feed_id
                WHERE a.id IN ({_marks(len(ids))})""",
            [chars, chars, chars, *ids],
        )
    }


# --- section and latest -----------------------------------------------------------------------


def newest_of_feed(conn: sqlite3.Connection, feed_id: int, take: int
                   ) -> list[tuple[int, str, float | None]]:
    """(id, title, published) of a feed's newest articles: one index range."""
    return conn.execute(
        """SELECT id, title, published FROM articles WHERE feed_id = ?
           ORDER BY published DESC, id DESC LIMIT ?""",
        (feed_id, take),
    ).fetchall()


def newest_of_feeds(conn: sqlite3.Connection, feed_ids: Sequence[int], take: int
                    ) -> list[tuple[int, str, float | None]]:
    """The same for many feeds: one walk down the global published index, skipping other
    feeds' rows (the ``+`` keeps SQLite from sorting all of these feeds' articles)."""
    return conn.execute(
        f"""SELECT id, title, published FROM articles
            WHERE +feed_id IN ({_marks(len(feed_ids))})
            ORDER BY published DESC, id DESC LIMIT ?""",
        (*feed_ids, take),
    ).fetchall()


def edition_feed_ids(conn: sqlite3.Connection, outlet: str, edition: str, limit: int = 200
                     ) -> list[int]:
    return [r[0] for r in conn.execute(
        "SELECT id FROM feeds WHERE outlet = ? AND edition = ? LIMIT ?",
        (outlet, edition, limit),
    )]

