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
from termnews.store.cache import _ARTICLE_COLUMNS, _FROM, CATEGORY_SEP, _where, from_epoch

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
    where, params = _where(q)
    source = _FROM
    broad = q.section is None and (q.feed_urls is None or len(q.feed_urls) > 20)
    if q.limit is not None and broad:
        # As cache.list_articles: a page of the newest walks the published index.
        source = source.replace("JOIN feeds f", "CROSS JOIN feeds f", 1)
        if q.search:
            source = source.replace("articles a", "articles a INDEXED BY articles_published", 1)
    # The same order as cache.list_articles (DESC puts undated, NULL, articles last).
    sql = (f"SELECT {_ARTICLE_COLUMNS}, {_ALTERNATES}" + source + where
           + " ORDER BY a.published DESC, a.id DESC")
    if q.limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [q.limit, q.offset]
    for r in conn.execute(sql, [profile, *params]):
        yield Article(
            id=r[0], key=r[1], feed_url=r[2], guid=r[3], url=r[4], title=r[5], outlet=r[6],
            edition=r[7], section=r[8], author=r[9], editor=r[10], published=from_epoch(r[11]),
            summary=r[12], content_html=r[13],
            categories=tuple(c for c in r[14].split(CATEGORY_SEP) if c),
            image_url=r[15], image_caption=r[16], image_credit=r[17], language=r[18],
            full_text=r[19], full_text_error=r[20], read=bool(r[21]), starred=bool(r[22]),
            alternates=_alternates(r[23]),
        )
