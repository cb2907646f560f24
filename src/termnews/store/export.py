"""Whole articles in bulk, for ``articles --json`` and other exports.

``cache.get_article`` costs two queries per article; exporting 100,000 that way
would be 200,000 queries. ``iter_articles`` streams every matching article with
one query (alternates folded in by a correlated subquery on their primary key),
so memory stays flat however many articles match.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from termnews.model import Alternate, Article, ArticleQuery
from termnews.store.cache import _ARTICLE_COLUMNS, article_from_row, listing_sql, with_match

_ALT_SEP = "\x1e"  # record separator between alternates; \x1f between lang and url

_ALTERNATES = """(SELECT group_concat(lang || char(31) || url, char(30))
                  FROM alternates WHERE article_id = a.id)"""


def _alternates(packed: str | None) -> tuple[Alternate, ...]:
    if not packed:
        return ()
    alts = []
    for item in packed.split(_ALT_SEP):
        lang, _, url = item.partition("\x1f")
        alts.append(Alternate(lang=lang, url=url))
    return tuple(sorted(alts, key=lambda a: (a.lang, a.url)))


def iter_articles(conn: sqlite3.Connection, q: ArticleQuery, profile: str) -> Iterator[Article]:
    """Whole articles matching q, newest first (undated last), as one streamed query."""
    sql, params = listing_sql(f"{_ARTICLE_COLUMNS}, {_ALTERNATES}", with_match(conn, q))
    for r in conn.execute(sql, [profile, *params]):
        yield article_from_row(r, _alternates(r[23]))
