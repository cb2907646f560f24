"""Related-article navigation: same story, related, more in this section, latest.

Everything here is a handful of indexed queries, so it stays fast on a large
cache (the goal is p95 ≤ 50 ms with 100,000 articles):

- *same story*: the ``alternates`` table in both directions (article A lists B's
  URL as an hreflang alternate, or B lists A's), via ``alternates_url`` and
  ``articles_url``;
- *related*: the article's salient terms (rare in the cache, frequent in the
  article, title terms and names counted up) as an FTS5 OR query ranked by bm25
  with the title column weighted up; document frequencies come from an
  ``fts5vocab`` table so very common words are dropped and the number of rows
  FTS5 has to rank stays bounded; the best candidates are re-ranked by the
  weight of the salient terms they share (more where they share them in their
  title), shared categories, title overlap and recency, and near-duplicates
  folded. A *name* is a word the article writes with a capital inside its
  sentences and never in lower case ("Lesnogradsk"): stories tied by a place or
  a person share little else, while a word of the section ("school", "club")
  ties articles of different stories;
- *section*: the newest of the article's feed (``articles_feed_published``);
- *latest*: the newest of the outlet's edition, a per-feed top-N merge so each
  step is an index range, never a sort of the whole table.
"""

from __future__ import annotations

import heapq
import math
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from termnews.library import Library
from termnews.model import RelatedItem, Translation
from termnews.store.cache import CATEGORY_SEP
from termnews.terms import WORD, fold, lang_code, stems, word_term, words

SAME_STORY = "same story"
RELATED = "related"
SECTION = "section"
LATEST = "latest"

# FTS5 column weights for bm25(): title, summary, full_text, categories, body_text.
_BM25_WEIGHTS = (6.0, 2.0, 1.0, 3.0, 1.0)
_MAX_QUERY_TERMS = 12
_CANDIDATE_TERMS = 48  # looked up in the vocabulary, the most frequent in the article first
_ROW_BUDGET = 6_000  # sum of document frequencies allowed in one OR query
_ENOUGH_RARE = 3  # rare words needed before the common ones are left out
_WINDOW_TERMS = 5  # words searched in the newest part of the cache when all are common
_MIN_WINDOW = 1_500  # rows: the newest part searched is never smaller
_WINDOW_BUDGET = 3_000  # sum of document frequencies ranked in that newest part
_FEEDS_PER_FEED_QUERY = 16  # "latest" of more feeds than this walks the published index
_CANDIDATES = 30  # FTS hits re-ranked in Python
_TEXT_CHARS = 6000  # how much of the body feeds the term selection
_CHECK_CHARS = 600  # how much of a candidate's texts is checked for shared words
_MAX_SAME_STORY = 12
_RECENCY_HALF_LIFE_DAYS = 14.0

# Function words of the editions' languages (folded as the index folds them). On a
# large cache document frequency alone finds them; on a small one it cannot.
STOPWORDS: frozenset[str] = frozenset(fold(w) for w in """
the and for are but not you all any can had her was one our out has him his how man new now
old see two way who did its let say she too use that with have this will your from they been
were said each which their there what about would make like into than them then these some
could other more very after also when where while over only just most such here those since
being upon under again against because before through during without between within should
year years week day days today yesterday tomorrow people time first last next says told
gets get got takes took make made give gave still many much well back around
monday tuesday wednesday thursday friday saturday sunday three four five six seven eight
nine ten hundred hundreds thousand thousands million millions
des les une est pas que qui dans pour sur par plus avec son ses aux elle ils été sont mais
comme tout tous cette ces leur leurs nous vous fait être avoir entre après avant selon
der die das und ist nicht ein eine einer eines einem den dem des mit von auf für sich auch
als wie bei nach aus noch nur wird werden wurde sind hat haben war oder aber sein seine ihre
zum zur über unter vor seit bis durch gegen ohne
los las del una por con para como más pero sus le lo al este esta estos estas fue ser han
son hay muy sin sobre entre desde hasta también ese esa
dos das uma com não por para mais mas seu sua seus suas foi ser são pelo pela nos nas
ao aos este esta isso como entre desde até também
что это как так его она они оно был была было были быть для или при уже ещё еще все всё
его ему них их этот эта эти того том тем чем где когда если только может также после
которые который которая которое год года году лет
""".split())


@dataclass(frozen=True, slots=True)
class _Source:
    id: int
    feed_id: int
    url: str
    title: str
    text: str
    categories: tuple[str, ...]
    published: float | None
    lang: str
    outlet: str
    edition: str


# --- helpers -----------------------------------------------------------------------


def tokens(text: str, lang: str = "") -> list[str]:
    """The index term of each telling word (folded and stemmed in ``lang`` exactly as the
    search index does it, terms.py); short words, numbers and function words dropped."""
    out = []
    for w in words(text):
        folded = fold(w)
        if len(folded) >= 3 and not folded.isdigit() and folded not in STOPWORDS:
            out.append(word_term(w, lang))
    return out


def normalized_title(title: str) -> str:
    """The key near-duplicates share: folded words of the title."""
    return " ".join(fold(w) for w in words(title))


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


# Document frequencies change slowly and the common words (the costly ones to
# count: long doclists) come up for every article, so they are remembered a while.
_DF_CACHE: dict[str, tuple[float, dict[str, int]]] = {}
_DF_TTL = 600.0
_DF_MAX = 200_000
_DF_REMEMBER = 200


def _document_frequencies(conn: sqlite3.Connection, terms: Sequence[str]) -> dict[str, int]:
    db = conn.execute("PRAGMA database_list").fetchone()[2] or f"memory:{id(conn)}"
    now = time.monotonic()
    born, known = _DF_CACHE.get(db, (now, {}))
    if now - born > _DF_TTL or len(known) > _DF_MAX:
        born, known = now, {}
    _DF_CACHE[db] = (born, known)
    missing = [t for t in terms if t not in known]
    if missing:
        found = dict(conn.execute(
            f"SELECT term, doc FROM {_vocab(conn)} "
            f"WHERE term IN ({','.join('?' * len(missing))})",
            missing,
        ).fetchall())
        for t, d in found.items():
            if d >= _DF_REMEMBER:  # rare words are cheap to count and change fast
                known[t] = d
        return {t: known.get(t, found.get(t, 0)) for t in terms}
    return {t: known[t] for t in terms}


_LANG_COUNT_ROWS = 3_000  # doclist rows walked, per article, to count in its language only


def _languages(conn: sqlite3.Connection) -> int:
    """How many languages the feeds of the cache are in (cheap: feeds are few)."""
    return int(conn.execute(
        "SELECT count(DISTINCT lower(substr(COALESCE(NULLIF(language, ''), edition, ''), 1, 2)))"
        " FROM feeds").fetchone()[0])


def _in_language(conn: sqlite3.Connection, df: dict[str, int], lang: str) -> dict[str, int]:
    """Document frequencies within the article's language, where that differs.

    A place name is in every edition of an outlet, so over the whole cache it looks
    six times as common as it is in the reader's language, and a word of the section
    ("Verkehr", "école") outranks it. Counted for the rarer words (those a related
    query is made of) while the rows walked stay within ``_LANG_COUNT_ROWS``."""
    code = lang_code(lang)
    if not code or _languages(conn) < 2:
        return df
    out = dict(df)
    rows = 0
    for term, d in sorted(df.items(), key=lambda kv: kv[1]):
        if d <= 1 or rows + d > _LANG_COUNT_ROWS:
            continue
        rows += d
        out[term] = conn.execute(  # CROSS JOIN: the term's doclist first, then each row
            """SELECT count(*) FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid
               WHERE articles_fts MATCH ? AND a.index_lang = ?""",
            (f'"{term}"', code),
        ).fetchone()[0]
    return out


def _source(conn: sqlite3.Connection, article_id: int) -> _Source | None:
    r = conn.execute(
        """SELECT a.id, a.feed_id, a.url, a.title, a.summary, a.full_text, a.categories,
                  a.published, COALESCE(NULLIF(a.language, ''), f.edition), f.outlet, f.edition,
                  substr(a.content_html, 1, ?)
           FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?""",
        (_TEXT_CHARS * 2, article_id),
    ).fetchone()
    if r is None:
        return None
    body = r[5] or _strip_tags(r[11] or "")
    return _Source(
        id=r[0], feed_id=r[1], url=r[2], title=r[3], text=f"{r[4]}\n{body[:_TEXT_CHARS]}",
        categories=tuple(c for c in r[6].split(CATEGORY_SEP) if c), published=r[7],
        lang=(r[8] or "").lower(), outlet=r[9], edition=r[10],
    )


_TAG = re.compile(r"<[^>]*>")


def _strip_tags(html: str) -> str:
    return _TAG.sub(" ", html)


def _lang_of(value: str) -> str:
    return value.split("-")[0].split("_")[0].lower()


# --- same story ----------------------------------------------------------------------


def _same_story(conn: sqlite3.Connection, src: _Source) -> list[tuple[str, str, int | None, str]]:
    """(lang, url, id or None, title) of the story in other editions, both directions."""
    found: dict[str, tuple[str, str, int | None, str]] = {}
    own_lang = _lang_of(src.lang)

    def add(lang: str, url: str, aid: int | None, title: str) -> None:
        lang = _lang_of(lang)
        if not url or url == src.url or aid == src.id or lang in ("", "x"):
            return
        prev = found.get(url)
        if prev is None or (prev[2] is None and aid is not None):
            found[url] = (lang, url, aid, title)

    # A lists B: A's alternates, resolved to cached articles by URL.
    alts = conn.execute(
        "SELECT lang, url FROM alternates WHERE article_id = ? LIMIT 64", (src.id,)
    ).fetchall()
    urls = [u for _, u in alts]
    cached: dict[str, tuple[int, str, str]] = {}
    if urls:
        for aid, url, title, lang in conn.execute(
            f"""SELECT a.id, a.url, a.title, COALESCE(NULLIF(a.language, ''), f.edition)
                FROM articles a JOIN feeds f ON f.id = a.feed_id
                WHERE a.url IN ({','.join('?' * len(urls))}) ORDER BY a.id""",
            urls,
        ):
            cached.setdefault(url, (aid, title, lang))
    for lang, url in alts:
        hit = cached.get(url)
        add(lang, url, hit[0] if hit else None, hit[1] if hit else "")
    # B lists A: articles whose alternates name A's URL (or one of A's alternates:
    # a third edition that links the same set).
    if src.url:
        names = [src.url, *urls][:64]
        for aid, url, title, lang in conn.execute(
            f"""SELECT DISTINCT a.id, a.url, a.title, COALESCE(NULLIF(a.language, ''), f.edition)
                FROM alternates x JOIN articles a ON a.id = x.article_id
                JOIN feeds f ON f.id = a.feed_id
                WHERE x.url IN ({','.join('?' * len(names))}) LIMIT 64""",
            names,
        ):
            add(lang, url, aid, title)
    items = [v for v in found.values() if v[0] != own_lang or v[2] is not None]
    items.sort(key=lambda v: (v[0], v[2] is None, v[1]))
    return items[:_MAX_SAME_STORY]


def translations(lib: Library, article_id: int) -> list[Translation]:
    """The same story in other editions (cached or not), one per language first."""
    conn = lib.conn
    src = _source(conn, article_id)
    if src is None:
        return []
    own = _lang_of(src.lang)
    return [
        Translation(lang=lang, url=url, id=aid, title=title)
        for lang, url, aid, title in _same_story(conn, src)
        if lang != own
    ]


def counterpart(lib: Library, article_id: int, lang: str) -> int | None:
    """The cached article telling the same story in edition ``lang``, if any."""
    want = _lang_of(lang)
    for t in translations(lib, article_id):
        if t.lang == want and t.id is not None:
            return t.id
    return None


# --- related by content ------------------------------------------------------------------


# Capitals mark names where a text writes other words in lower case; where more than this
# share of the words inside sentences is capitalised (German writes every noun so), they do
# not, and a name is known by being written alike in the other languages' articles.
_CAPITALISED_TEXT = 0.2
_SENTENCE_BREAK = frozenset(".!?…:\n")


def _capitals(text: str) -> tuple[set[str], set[str], int, int]:
    """The words a text writes with a capital inside its sentences, the words it writes in
    lower case (folded), and how many words are inside sentences and how many of them
    capitalised."""
    capital: set[str] = set()
    lower: set[str] = set()
    inside = capitalised = 0
    end = 0
    for m in WORD.finditer(text):
        gap, end = text[end:m.start()], m.end()
        word = m.group()
        if word[0].islower():
            lower.add(fold(word))
        if not word[0].isalpha() or m.start() == 0 or not _SENTENCE_BREAK.isdisjoint(gap):
            continue  # a sentence, heading or quotation begins: any word may be capitalised
        inside += 1
        if word[0].isupper():
            capitalised += 1
            capital.add(word)
    return capital, lower, inside, capitalised


def _names(title: str, text: str, lang: str) -> tuple[set[str], bool]:
    """The terms of the words an article writes with a capital inside its sentences and
    never in lower case ("Lesnogradsk", "Saltmere"), and whether its text capitalises so
    many words inside sentences that capitals do not tell names (German's nouns).

    A title in title case ("Port Workers Walk Out") tells nothing: its capitals are
    left out, its words in lower case still count."""
    capital, lower, inside, capitalised = _capitals(text)
    title_capital, title_lower, title_inside, title_capitalised = _capitals(title)
    lower |= title_lower
    if 2 * title_capitalised <= title_inside:
        capital |= title_capital
    if not inside:  # no text: the title alone
        inside, capitalised = title_inside, title_capitalised
    names = {word_term(w, lang) for w in capital if fold(w) not in lower}
    return names, capitalised > _CAPITALISED_TEXT * inside


@dataclass(frozen=True, slots=True)
class _Telling:
    """The article's most telling terms, best first: (term, document frequency), and each
    one's weight (frequent in the article, rare in its language, a name counted up)."""

    terms: list[tuple[str, int]]
    weight: dict[str, float]
    names: frozenset[str]


_NAME_WEIGHT = 2.0  # a name shared says more about the story than a word of the section
_TITLE_AGREES = 2.0  # a shared term in the candidate's title counts twice
# Re-ranking: bm25's order (the first look) weighs a quarter of the shared terms' weights
# (the second): bm25 scores each word by its rarity in the whole cache, where a place
# named in every edition looks common and a word of the section rare
# (benchmarks/search_quality.py: related recall@3 0.85-0.90 → 0.98-1.00 in de, fr, es).
_FIRST_LOOK = 0.25
_SECOND_LOOK = 1.0


def _telling(conn: sqlite3.Connection, src: _Source) -> _Telling:
    title_terms = tokens(src.title, src.lang)
    weight: Counter[str] = Counter()
    for t in tokens(src.text, src.lang):
        weight[t] += 1
    for t in title_terms:
        weight[t] += 3  # title words say most about what the story is
    # Categories are compared when re-ranking, not searched: a section name such as
    # "Sport" in every article of a feed says nothing about the story.
    if not weight:
        return _Telling([], {}, frozenset())
    candidates = [t for t, _ in weight.most_common(_CANDIDATE_TERMS)]
    df = _document_frequencies(conn, candidates)
    own = _in_language(conn, df, src.lang)
    names, capitalised = _names(src.title, src.text, src.lang)
    if capitalised:  # only names written alike in other languages' articles
        names = {t for t in names if df.get(t, 0) > own.get(t, 0)}
    total = conn.execute("SELECT max(rowid) FROM articles").fetchone()[0] or 1
    total = max(total, max(df.values(), default=1))
    scored = []
    for t in candidates:
        d = df.get(t, 0)
        if own.get(t, 0) <= 1:  # no other article of this language has it
            continue
        idf = math.log((total - own[t] + 0.5) / (own[t] + 0.5) + 1.0)
        boost = _NAME_WEIGHT if t in names else 1.0
        scored.append((weight[t] ** 0.5 * idf * boost, t, d))  # d: the rows a query ranks
    scored.sort(reverse=True)
    return _Telling([(t, d) for _, t, d in scored], {t: w for w, t, _ in scored},
                    frozenset(names) & {t for _, t, _ in scored})


def _salient_terms(conn: sqlite3.Connection, src: _Source) -> list[tuple[str, int]]:
    """(term, document frequency) of the article's most telling words, best first."""
    return _telling(conn, src).terms


@dataclass(frozen=True, slots=True)
class _Plan:
    """FTS5 queries for the related block: (match expression, lowest rowid searched)."""

    rare: str  # an OR query of rare words, over the whole cache ("" when none)
    common: tuple[tuple[str, int], ...]  # (word, df) searched in the newest part only
    low: int  # the lowest rowid of that newest part
    terms: tuple[str, ...]


def _or(terms: Iterable[str]) -> str:
    return " OR ".join(f'"{t}"' for t in terms)


def _plan(terms: Sequence[tuple[str, int]], last_id: int) -> _Plan:
    """Queries whose rows FTS5 must rank stay within budget, however common the words.

    Rare telling words are searched over the whole cache. When fewer than
    ``_ENOUGH_RARE`` of them exist (a cache whose words are all common), the best
    words are also searched in the newest part of the cache only, a rowid range
    FTS5 seeks to directly, sized so the rows ranked stay within the budget.
    """
    rare: list[str] = []
    rows = 0
    for term, d in terms:
        if len(rare) >= _MAX_QUERY_TERMS:
            break
        if rows + d <= _ROW_BUDGET:
            rare.append(term)
            rows += d
    used = list(rare)
    best: list[tuple[str, int]] = []
    low = 0
    if len(rare) < _ENOUGH_RARE:
        best = [(t, d) for t, d in terms[:_WINDOW_TERMS]]
        common_rows = sum(d for _, d in best) or 1
        window = max(_MIN_WINDOW, int(last_id * _WINDOW_BUDGET / common_rows))
        low = max(0, last_id - window)
        used.extend(t for t, _ in best if t not in used)
    return _Plan(_or(rare), tuple(best), low, tuple(used))


def _window_hits(conn: sqlite3.Connection, words: Sequence[tuple[str, int]], low: int,
                 total: int, take: int) -> list[tuple[int, float]]:
    """Rows from ``low`` on scored by the idf of the words they share (title counted twice).

    bm25() would count every word's documents over the whole cache first (its idf), which
    for common words is the expensive part; here the idf comes from the vocabulary and
    each word costs one seek into its doclist.
    """
    scores: dict[int, float] = {}
    for word, d in words:
        idf = math.log((total - d + 0.5) / (d + 0.5) + 1.0)
        for match in (f'"{word}"', f'title : "{word}"'):
            for (rid,) in conn.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid >= ?",
                (match, low),
            ):
                scores[rid] = scores.get(rid, 0.0) + idf
    return heapq.nlargest(take, scores.items(), key=lambda kv: (kv[1], kv[0]))


def _related(
    conn: sqlite3.Connection, src: _Source, exclude: set[int], limit: int
) -> list[tuple[int, str]]:
    last_id = conn.execute("SELECT max(rowid) FROM articles").fetchone()[0] or 0
    telling = _telling(conn, src)
    plan = _plan(telling.terms, last_id)
    query_terms = plan.terms
    if not query_terms:
        return []
    weights = ", ".join(str(w) for w in _BM25_WEIGHTS)
    take = _CANDIDATES + len(exclude) + 1
    ranked_lists: list[list[tuple[int, float]]] = []
    if plan.rare:
        # In a cache of several languages only the article's own are ranked: names are
        # the same in every edition, and the other editions' articles would fill the list.
        code = lang_code(src.lang)
        own = "" if not code or _languages(conn) < 2 else (
            "AND rowid IN (SELECT id FROM articles WHERE id = articles_fts.rowid "
            "AND index_lang = ?)")
        ranked_lists.append([(rid, -score) for rid, score in conn.execute(
            f"""SELECT rowid, bm25(articles_fts, {weights}) AS score FROM articles_fts
                WHERE articles_fts MATCH ? {own} ORDER BY score LIMIT ?""",
            (plan.rare, *((code,) if own else ()), take),
        )])
    if plan.common:
        ranked_lists.append(_window_hits(conn, plan.common, plan.low, last_id, take))
    found: dict[int, float] = {}
    for rows in ranked_lists:  # two lists' scores compare only relative to their best
        top = max((score for _, score in rows), default=1.0) or 1.0
        for rid, score in rows:
            if rid != src.id and rid not in exclude:
                found[rid] = max(found.get(rid, 0.0), score / top)
    hits = list(found.items())
    if not hits:
        return []
    ids = [rid for rid, _ in hits]
    meta = {
        r[0]: r[1:]
        for r in conn.execute(
            f"""SELECT a.id, a.title, a.categories, a.published, a.url,
                       COALESCE(NULLIF(a.language, ''), f.edition),
                       substr(a.summary, 1, ?) || ' ' || substr(a.full_text, 1, ?) || ' '
                       || substr(a.content_html, 1, ?)
                FROM articles a JOIN feeds f ON f.id = a.feed_id
                WHERE a.id IN ({','.join('?' * len(ids))})""",
            [_CHECK_CHARS, _CHECK_CHARS, _CHECK_CHARS, *ids],
        )
    }
    best = max(s for _, s in hits) or 1.0
    own_cats = {c.casefold() for c in src.categories}
    own_title = set(tokens(src.title, src.lang))
    own_lang = _lang_of(src.lang)
    now = src.published or time.time()
    # A candidate must share at least two of the query's words (one when the query has
    # only one), or a name: a single common word ("second", "port") is not a relation.
    wanted = set(query_terms)
    need = min(2, len(query_terms))
    scored = []
    for rid, score in hits:
        m = meta.get(rid)
        if m is None:
            continue
        title, cats, published, url, lang, text = m
        lang = _lang_of(lang or "")
        # The reader reads this edition: names match across languages, but the other
        # editions' articles are offered as "same story", not as reading in this one.
        if own_lang and lang not in ("", own_lang):
            continue
        theirs = set(stems(f"{title} {cats} {text}", lang))
        if len(wanted & theirs) < need and telling.names.isdisjoint(theirs):
            continue
        their_title = set(tokens(title, lang))
        # The second look: every telling word the candidate shares, by its weight, twice
        # where it is in the candidate's title too.
        agree = sum(w * (_TITLE_AGREES if t in their_title else 1.0)
                    for t, w in telling.weight.items() if t in theirs)
        cats_set = {c.casefold() for c in cats.split(CATEGORY_SEP) if c}
        shared = len(own_cats & cats_set) / max(1, len(own_cats | cats_set))
        overlap = len(own_title & their_title) / max(1, len(own_title | their_title))
        age_days = abs(now - published) / 86400 if published else 365.0
        recency = 0.5 ** (age_days / _RECENCY_HALF_LIFE_DAYS)
        scored.append((score / best, agree, 0.25 * shared + 0.35 * overlap + 0.15 * recency,
                       rid, title, url))
    most = max((s[1] for s in scored), default=1.0) or 1.0
    ranked = [(_FIRST_LOOK * first + _SECOND_LOOK * agree / most + rest, rid, title, url)
              for first, agree, rest, rid, title, url in scored]
    ranked.sort(key=lambda r: (-r[0], -r[1]))
    out: list[tuple[int, str]] = []
    seen_titles = {normalized_title(src.title)}
    seen_urls = {src.url} if src.url else set()
    for _, rid, title, url in ranked:
        key = normalized_title(title)
        if key in seen_titles or (url and url in seen_urls):
            continue  # the same piece again (another feed, a re-post): fold it
        seen_titles.add(key)
        if url:
            seen_urls.add(url)
        out.append((rid, title))
        if len(out) >= limit:
            break
    return out


# --- section and latest -----------------------------------------------------------------------


def _newest(
    conn: sqlite3.Connection, feed_ids: Iterable[int], exclude: set[int], limit: int
) -> list[tuple[int, str, float | None]]:
    """The newest articles of some feeds.

    A few feeds: an index range per feed, merged here. Many (a big outlet or folder):
    one walk down the global published index, skipping other feeds' rows (the ``+``
    keeps SQLite from sorting all of these feeds' articles instead).
    """
    rows: list[tuple[int, str, float | None]] = []
    take = limit + len(exclude) + 1
    feed_ids = list(feed_ids)
    if len(feed_ids) > _FEEDS_PER_FEED_QUERY:
        rows = conn.execute(
            f"""SELECT id, title, published FROM articles
                WHERE +feed_id IN ({','.join('?' * len(feed_ids))})
                ORDER BY published DESC, id DESC LIMIT ?""",
            (*feed_ids, take),
        ).fetchall()
    for fid in feed_ids if len(feed_ids) <= _FEEDS_PER_FEED_QUERY else ():
        rows.extend(conn.execute(
            """SELECT id, title, published FROM articles WHERE feed_id = ?
               ORDER BY published DESC, id DESC LIMIT ?""",
            (fid, take),
        ).fetchall())
    rows = [r for r in rows if r[0] not in exclude]
    rows.sort(key=lambda r: (r[2] is not None, r[2] or 0.0, r[0]), reverse=True)
    out = []
    titles: set[str] = set()
    for r in rows:
        key = normalized_title(r[1])
        if key in titles:
            continue
        titles.add(key)
        out.append(r)
        if len(out) >= limit:
            break
    return out


def _outlet_feeds(conn: sqlite3.Connection, src: _Source) -> list[int]:
    if not src.outlet:
        return [src.feed_id]
    return [r[0] for r in conn.execute(
        "SELECT id FROM feeds WHERE outlet = ? AND edition = ? LIMIT 200",
        (src.outlet, src.edition),
    )] or [src.feed_id]


# --- the whole block -----------------------------------------------------------------------


def related_articles(lib: Library, article_id: int, *, limit: int = 5) -> list[RelatedItem]:
    """What to read next, each with its reason, in display order.

    Reasons: "same story" (every cached edition of the story), then up to
    ``limit`` each of "related", "section" and "latest". An article appears once,
    under its first reason; never the article itself.
    """
    conn = lib.conn
    src = _source(conn, article_id)
    if src is None:
        return []
    items: list[RelatedItem] = []
    used: set[int] = {src.id}
    if src.url:  # the same article in another feed (a section and an "all news" feed)
        used.update(r[0] for r in conn.execute(
            "SELECT id FROM articles WHERE url = ? LIMIT 64", (src.url,)))
    for lang, _url, aid, title in _same_story(conn, src):
        if aid is not None and aid not in used:
            used.add(aid)
            items.append(RelatedItem(id=aid, title=title, reason=SAME_STORY, lang=lang))
    if limit <= 0:
        return items
    for rid, title in _related(conn, src, used, limit):
        used.add(rid)
        items.append(RelatedItem(id=rid, title=title, reason=RELATED, lang=src.lang))
    for rid, title, _ in _newest(conn, [src.feed_id], used, limit):
        used.add(rid)
        items.append(RelatedItem(id=rid, title=title, reason=SECTION, lang=src.lang))
    for rid, title, _ in _newest(conn, _outlet_feeds(conn, src), used, limit):
        used.add(rid)
        items.append(RelatedItem(id=rid, title=title, reason=LATEST, lang=src.lang))
    return items
