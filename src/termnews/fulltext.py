"""Full text: fetch an article's page, extract the main text, keep it for offline reading.

The page is fetched with the feed fetcher (``feeds.fetch``: the same timeouts,
size cap, redirects and http(s)-only rule as feeds), the main text extracted
with trafilatura as HTML, which then goes through the same sanitiser and
Markdown converter as feed content (``feeds.clean.sanitize_html`` →
``feeds.html.to_markdown``): structure kept (paragraphs, sub-headings, lists,
quotes, http(s) links), nothing else from the page. Metadata (author, date,
lead image with caption and credit, ``<link rel="alternate" hreflang>``
alternates) comes from the page's head and figures via lxml.

A page that fails keeps the feed text; the reason is stored and shown. trafilatura
and lxml are imported lazily: the TUI must not pay for them at start-up.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from termnews.config import Config
from termnews.errors import TermnewsError
from termnews.feeds.clean import clean_line, clean_text, reserved_host, safe_http_url, sanitize_html
from termnews.feeds.mojibake import repair
from termnews.model import Alternate
from termnews.paths import Paths
from termnews.store import cache
from termnews.store.db import connect, transaction

MIN_TEXT = 80  # characters; less than this is not an article body
RETRY_FAILED_AFTER = 6 * 3600.0  # seconds before prefetch tries a failed page again
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml", "")


@dataclass(frozen=True, slots=True)
class PageText:
    """What an article page gave: Markdown body and metadata (all clean)."""

    markdown: str
    author: str = ""
    published: datetime | None = None
    image_url: str = ""
    image_caption: str = ""
    image_credit: str = ""
    alternates: tuple[Alternate, ...] = ()


class ExtractError(TermnewsError):
    """The page has no article text; the message says why, for the user."""


# --- extraction (pure: bytes in, PageText out) ---------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)


def decode_html(body: bytes, content_type: str = "") -> str:
    """The page as text: BOM, HTTP charset, <meta charset>, UTF-8, then windows-1252."""
    import codecs

    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            return body[len(bom):].decode(enc, "replace")
    declared: list[str] = []
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type or "", re.I)
    if m:
        declared.append(m.group(1))
    m2 = _META_CHARSET.search(body[:4096])
    if m2:
        declared.append(m2.group(1).decode("ascii", "replace"))
    for enc in declared:
        try:
            codecs.lookup(enc)
            return body.decode(enc, "replace")
        except LookupError:
            continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", "replace")


def _parse_date(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = datetime.strptime(value[:10], "%Y-%m-%d")
        except ValueError:
            return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _text_of(el: Any) -> str:
    return clean_line(" ".join(el.itertext())) if el is not None else ""


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _meta(doc: Any, *names: str) -> str:
    """The first non-empty <meta> content of these names (property, name or itemprop)."""
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = doc.xpath(f"//meta[@{attr}=$n]/@content", n=name)
            if found and str(found[0]).strip():
                return clean_line(str(found[0]))
    return ""


def _metadata(doc: Any, url: str) -> dict[str, Any]:
    """Author, date, lead image (URL, caption, credit) and hreflang alternates from the page."""
    info: dict[str, Any] = {
        "author": _meta(doc, "author", "article:author", "dc.creator", "byl").removeprefix("By "),
        "published": _parse_date(_meta(doc, "article:published_time", "datePublished",
                                       "dc.date", "date", "pubdate")),
        "alternates": _alternates(doc, url),
    }
    image, caption, credit = _lead_image(doc, url)
    info.update(image_url=image, image_caption=caption[:500], image_credit=credit[:200])
    return info


def _alternates(doc: Any, url: str) -> tuple[Alternate, ...]:
    """The page's <link rel="alternate" hreflang> editions (its own address left out)."""
    own = url.rstrip("/")
    alternates: list[Alternate] = []
    seen: set[str] = set()
    for link in doc.xpath("//link[@hreflang][@href]"):
        rel = str(link.get("rel") or "").lower().split()
        lang = clean_line(str(link.get("hreflang") or "")).lower()
        href = safe_http_url(str(link.get("href") or ""), url)
        if "alternate" not in rel or not href or not lang or lang == "x-default":
            continue
        if href.rstrip("/") == own or href in seen or len(lang) > 16:
            continue
        seen.add(href)
        alternates.append(Alternate(lang=lang, url=href))
    return tuple(alternates[:32])


def _lead_image(doc: Any, url: str) -> tuple[str, str, str]:
    """(URL, caption, credit) of the lead image: og:image, else the first figure's image;
    caption and credit from its figure."""
    image = safe_http_url(_meta(doc, "og:image", "twitter:image", "image") or "", url) or ""
    figure = None
    figures = doc.xpath("//figure[.//img]")
    if image:
        path = urlsplit(image).path
        for fig in figures:
            srcs = [safe_http_url(str(s), url) or "" for s in fig.xpath(".//img/@src")]
            if any(s == image or (path and urlsplit(s).path == path) for s in srcs):
                figure = fig
                break
    elif figures:
        figure = figures[0]
        src = figure.xpath(".//img/@src")
        image = (safe_http_url(str(src[0]), url) or "") if src else ""
    if figure is None:
        return image, "", ""
    credit_els = figure.xpath(
        ".//*[contains(translate(@class, 'CREDIT', 'credit'), 'credit') or "
        "contains(translate(@class, 'COPYRIGHT', 'copyright'), 'copyright') or "
        "contains(translate(@class, 'SOURCE', 'source'), 'source')]"
    )
    credit = _text_of(credit_els[0]) if credit_els else ""
    caps = figure.xpath(".//figcaption")
    caption = _text_of(caps[0]) if caps else ""
    if credit and caption.endswith(credit):
        caption = caption[: -len(credit)].rstrip(" —–-|·")
    if not caption:
        alts = figure.xpath(".//img/@alt")
        caption = clean_line(str(alts[0])) if alts else ""
    return image, caption, credit


def extract_page(body: bytes, content_type: str, url: str, title: str = "") -> PageText:
    """The article in a fetched page, as safe Markdown and metadata; ExtractError if none."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in _HTML_TYPES:
        raise ExtractError(f"not an HTML page ({media})")
    # Escape sequences go with their payloads now: the HTML parser would drop only the
    # ESC byte and leave an OSC string's payload (a link, a clipboard blob) as page text.
    # Double-encoded UTF-8 is repaired first (its C1 codes are part of the letters).
    html = clean_text(repair(decode_html(body, content_type)))
    if not html.strip():
        raise ExtractError("the page is empty")
    import lxml.html
    import trafilatura
    from lxml.etree import ParserError

    try:
        doc = lxml.html.document_fromstring(html)
    except (ParserError, ValueError) as exc:
        raise ExtractError(f"cannot read the page: {exc}") from None
    info = _metadata(doc, url)
    main = trafilatura.extract(
        html, url=url or None, output_format="html", include_links=True,
        include_formatting=True, include_tables=True, include_images=False,
        include_comments=False, deduplicate=False, favor_recall=True,
    )
    if not main:
        raise ExtractError("no article text found on the page")
    main = _drop_leading_title(main, title or _text_of(doc.find(".//title")))
    from termnews.feeds.html import to_markdown

    markdown = to_markdown(sanitize_html(main, url), url)
    if len(markdown) < MIN_TEXT:
        raise ExtractError("no article text found on the page")
    if not info["author"]:
        meta_doc = trafilatura.extract_metadata(html, default_url=url or None)
        if meta_doc is not None and meta_doc.author:
            info["author"] = clean_line(meta_doc.author)
        if info["published"] is None and meta_doc is not None and meta_doc.date:
            info["published"] = _parse_date(meta_doc.date)
    return PageText(markdown=clean_text(markdown), **info)


_LEADING_H1 = re.compile(r"^(\s*(?:<html>\s*)?(?:<body>\s*)?)<h1[^>]*>(.*?)</h1>", re.S | re.I)


def _drop_leading_title(html: str, title: str) -> str:
    """The page repeats the headline as its first heading; the pane shows it already."""
    m = _LEADING_H1.match(html)
    if m is None:
        return html
    heading = _norm(re.sub(r"<[^>]+>", " ", m.group(2)))
    wanted = _norm(title)
    if heading and wanted and (heading in wanted or wanted in heading):
        return m.group(1) + html[m.end():]
    return html


# --- fetching -----------------------------------------------------------------------------

PAGE_MAX_BYTES = 5 * 1024 * 1024  # an article page larger than this is not an article


def _page_config(config: Config) -> Config:
    refresh = replace(config.refresh, max_bytes=min(config.refresh.max_bytes, PAGE_MAX_BYTES))
    return replace(config, refresh=refresh)


def _fetchable(url: str, allow_files: bool) -> bool:
    if allow_files and url.lower().startswith("file:"):
        return True
    return bool(safe_http_url(url)) and not reserved_host(url)


async def _fetch_page(client: Any, url: str, title: str, config: Config, *,
                      allow_files: bool, origin: str | None = None) -> PageText:
    """Download and extract one page; ExtractError with the reason on failure."""
    from termnews.feeds.fetch import fetch

    if not _fetchable(url, allow_files):
        raise ExtractError("the article has no http(s) address")
    # origin: the feed the link came from; a public feed's link to a local address is refused.
    result = await fetch(client, url, etag=None, last_modified=None, config=config,
                         allow_files=allow_files, origin=origin)
    if result.error:
        raise ExtractError(result.error)
    if result.status is not None and not 200 <= result.status < 300:
        raise ExtractError(f"HTTP {result.status}")
    is_file = url.lower().startswith("file:")
    ctype = "" if is_file else result.content_type
    # trafilatura is CPU work: keep the event loop (the TUI's) free meanwhile.
    return await asyncio.to_thread(extract_page, result.body, ctype,
                                   "" if is_file else (result.final_url or url), title)


def _store(conn: sqlite3.Connection, article_id: int, page: PageText | None,
           error: str | None) -> None:
    with transaction(conn):
        if page is None:
            cache.set_full_text(conn, article_id, error=error or "failed")
        else:
            cache.set_full_text(
                conn, article_id, text=page.markdown, author=page.author,
                published=page.published, image_url=page.image_url,
                image_caption=page.image_caption, image_credit=page.image_credit,
                alternates=page.alternates,
            )


async def _fetch_and_store(client: Any, conn: sqlite3.Connection, article_id: int, url: str,
                           title: str, feed_url: str, config: Config, *,
                           allow_files: bool) -> bool:
    try:
        page = await _fetch_page(client, url, title, config, allow_files=allow_files,
                                 origin=feed_url or None)
    except ExtractError as exc:
        _store(conn, article_id, None, clean_line(str(exc))[:300] or "failed")
        return False
    except Exception as exc:  # a hostile page must not take the caller down with it
        _store(conn, article_id, None, clean_line(f"{type(exc).__name__}: {exc}")[:300])
        return False
    _store(conn, article_id, page, None)
    return True


async def fetch_article_text(conn: sqlite3.Connection, config: Config, article_id: int, *,
                             allow_files: bool = False, retry_failed_after: float = 0.0) -> bool:
    """Fetch, extract and store one article's page; True when it was asked for.

    Nothing is fetched for an article without an address or at a reserved host such as
    ``*.example`` (its pages are not on the network). On failure the feed text stays and
    ``full_text_error`` says why; with ``retry_failed_after``, a page that failed less
    than that many seconds ago is not asked again (the reader opening an article twice
    must not hammer a broken site).
    """
    target = cache.article_page(conn, article_id)
    if target is None:
        raise KeyError(article_id)
    url, title, feed_url = target
    if not url or reserved_host(url):
        return False
    if retry_failed_after > 0 and cache.full_text_failed_since(
            conn, article_id, time.time() - retry_failed_after):
        return False
    await _fetch_many(conn, [(article_id, url, title, feed_url)], config,
                      allow_files=allow_files)
    return True


# --- ahead of time --------------------------------------------------------------------------


async def _fetch_many(conn: sqlite3.Connection, todo: Sequence[tuple[int, str, str, str]],
                      config: Config, *, allow_files: bool) -> int:
    """Fetch and store pages, at most ``refresh.per_host`` at once from one host."""
    import contextlib

    from termnews.feeds.fetch import Limiter, make_client

    config = _page_config(config)
    limiter = Limiter(config.refresh.concurrency, config.refresh.per_host)
    needs_http = any(not url.lower().startswith("file:") for _, url, _, _ in todo)
    client_cm: Any = make_client(config) if needs_http else contextlib.nullcontext(None)

    async def one(client: Any, aid: int, url: str, title: str, feed_url: str) -> bool:
        async with limiter.slot(url):
            return await _fetch_and_store(client, conn, aid, url, title, feed_url, config,
                                          allow_files=allow_files)

    async with client_cm as client:
        results = await asyncio.gather(*(one(client, *t) for t in todo))
    return sum(1 for ok in results if ok)


def _pending(conn: sqlite3.Connection, feed_urls: Iterable[str], limit: int,
             *, allow_files: bool) -> list[tuple[int, str, str, str]]:
    """Articles of these feeds never tried for full text, newest first (index ranges only),
    as (id, page URL, title, feed URL)."""
    rows: list[tuple[float | None, int, str, str, str]] = []
    for feed_url in dict.fromkeys(feed_urls):
        fid = cache.feed_id(conn, feed_url)
        if fid is None:
            continue
        rows.extend((*r, feed_url) for r in cache.never_tried_for_full_text(conn, fid, limit))
    rows.sort(key=lambda r: (r[0] or 0.0, r[1]), reverse=True)
    todo = []
    for _, aid, url, title, feed_url in rows:
        if _fetchable(url, allow_files):
            todo.append((aid, url, title, feed_url))
        if len(todo) >= limit:
            break
    return todo


async def fetch_missing_full_texts(paths: Paths, config: Config, feed_urls: Iterable[str], *,
                                   limit: int, allow_files: bool = False) -> int:
    """Fetch the pages of new articles of these feeds (never tried before); returns how many
    were stored. Bounded (``limit`` pages) and polite (``refresh.per_host`` at once a host)."""
    if limit <= 0:
        return 0
    conn = connect(paths.cache_db, paths.state_db)
    try:
        todo = _pending(conn, feed_urls, limit, allow_files=allow_files)
        if not todo:
            return 0
        return await _fetch_many(conn, todo, config, allow_files=allow_files)
    finally:
        conn.close()


async def prefetch(conn: sqlite3.Connection, config: Config, ids: Iterable[int], *,
                   allow_files: bool = False) -> int:
    """Fetch the full text of these articles ahead of the reader (next one, top related).

    Skips articles that have it, and ones that failed recently. Returns how many were stored.
    """
    stale = time.time() - RETRY_FAILED_AFTER
    todo = []
    for aid in dict.fromkeys(ids):
        row = cache.full_text_missing(conn, aid, stale)
        if row and _fetchable(row[0], allow_files):
            todo.append((aid, *row))
    if not todo:
        return 0
    return await _fetch_many(conn, todo, config, allow_files=allow_files)
