"""Feed bytes → a clean ``ParsedFeed``.

``parse_feed`` is a plain top-level function on picklable data so a process
pool can run it. Two readers produce the same intermediate ``Raw`` entries
(``raw``), which one mapping here turns into ``ParsedEntry`` objects:

* a fast path with lxml for the common case — well-formed RSS 2.0 or Atom 1.0
  with only well-known namespaces — about ten times faster than feedparser
  (``fastparse``);
* feedparser for everything else (RSS 0.9x/1.0, Atom 0.3, CDF, ill-formed XML,
  DTDs and entities, xml:base, XHTML content …) (``feedparser_path``).

The fast path gives up (``Unusual``) at the first thing it does not fully
understand, so it never guesses differently from feedparser. Charsets are
settled before either reader runs (``charset.to_utf8``); HTML pages, entity
bombs and oversized entry lists are dealt with first (``prepare``). JSON Feed
has its own reader (``jsonfeed``).
"""

from __future__ import annotations

import hashlib
import html as _html

from termnews.feeds.charset import to_utf8
from termnews.feeds.clean import (
    _tidy,
    clean_line,
    clean_text,
    html_to_text,
    safe_http_url,
    sanitize_html,
)
from termnews.feeds.dates import parse_date
from termnews.feeds.fastparse import read_fast
from termnews.feeds.feedparser_path import read_feedparser
from termnews.feeds.jsonfeed import read_json_feed
from termnews.feeds.mojibake import repair
from termnews.feeds.prepare import HTML_START, cap_entries, defuse_entities
from termnews.feeds.raw import MAX_ENTRIES, NotAFeed, Raw, RawFeed, Unusual
from termnews.feeds.raw import is_html as _is_html
from termnews.model import Alternate, ParsedEntry, ParsedFeed

# Names this module always had, for the modules and tests that import them from here
# (tests compare the two readers through _fast, _slow, _finish and _Unusual).
__all__ = ["MAX_ENTRIES", "NotAFeed", "parse_date", "parse_feed"]
_Unusual, _Raw, _RawFeed = Unusual, Raw, RawFeed
_fast, _slow = read_fast, read_feedparser

MAX_TITLE = 1_000
MAX_SUMMARY = 4_000
MAX_BODY_TEXT = 200_000
MAX_CONTENT_HTML = 2_000_000
MAX_GUID = 2_000


def parse_feed(body: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Parse, clean and map a feed document; raises NotAFeed for anything else."""
    if not body or not body.strip():
        raise NotAFeed("empty response")
    data, _encoding = to_utf8(body, content_type)
    head = data[:2048].lstrip()
    if HTML_START.match(data[:4096]):
        raise NotAFeed("not a feed: HTML page")
    if head.startswith((b"{", b"[")):
        return _finish(read_json_feed(data), url)
    data = cap_entries(data)
    raw: RawFeed | None = None
    if b"<!DOCTYPE" not in data[:8192] and b"<!ENTITY" not in data:
        try:
            raw = read_fast(data)
        except Unusual:
            raw = None
        except (RecursionError, MemoryError):
            raise
        except Exception:  # anything the fast path trips on is feedparser's to judge
            raw = None
    if raw is None:
        raw = read_feedparser(defuse_entities(data), url)
    return _finish(raw, url)


# --- the mapping both readers share ------------------------------------------------


def _lang(tag: str | None) -> str:
    # The primary subtag only, and only letters and digits: a language code is shown
    # ("Same story: RU · FR") and keys editions, so no escape or invisible may ride in it.
    code = clean_line(tag or "").replace("_", "-").split("-")[0].lower()[:8]
    return code if code.isascii() and code.isalnum() else ""


def _title_text(value: str, is_html: bool) -> str:
    text = html_to_text(value) if is_html else value
    return clean_line(text)[:MAX_TITLE]


def _plain(value: str, is_html: bool) -> str:
    return html_to_text(value) if is_html else _tidy(clean_text(value))


def _as_html(value: str, is_html: bool, base: str) -> str:
    if is_html:
        return sanitize_html(value[:MAX_CONTENT_HTML], base)
    paras = [p.strip() for p in clean_text(value).split("\n\n") if p.strip()]
    return "".join(f"<p>{_html.escape(p)}</p>" for p in paras)


def _is_image(url: str, medium: str, kind: str) -> bool:
    if medium:
        return medium.lower() == "image"
    if kind:
        return kind.lower().startswith("image/")
    return url.lower().split("?")[0].endswith((".jpg", ".jpeg", ".png", ".gif", ".webp"))


def _repair(r: Raw) -> Raw:
    """r with double-encoded UTF-8 decoded in every text field, before any cleaning (the
    cleaner would drop the C1 codes such text is partly made of: "Ð\x9d" is "Н")."""
    r.title = repair(r.title)
    r.summary = repair(r.summary) if r.summary is not None else None
    r.content = repair(r.content) if r.content is not None else None
    r.authors = [repair(a) for a in r.authors]
    r.contributors = [repair(a) for a in r.contributors]
    r.categories = [repair(c) for c in r.categories]
    r.caption, r.credit = repair(r.caption), repair(r.credit)
    return r


def _finish(raw: RawFeed, url: str) -> ParsedFeed:
    raw.title = repair(raw.title)
    feed_lang = _lang(raw.language)
    base = safe_http_url(raw.link, url) or safe_http_url(url) or ""
    entries = [_entry(_repair(r), feed_lang, base) for r in raw.entries[:MAX_ENTRIES]]
    return ParsedFeed(
        title=_title_text(raw.title, raw.title_html),
        language=feed_lang,
        entries=tuple(entries),
        link=safe_http_url(raw.link, url) or "",
    )


def _entry(r: Raw, feed_lang: str, base: str) -> ParsedEntry:
    title = _title_text(r.title, r.title_html)
    # The article link: the first alternate in the feed's own language (or with none).
    url = ""
    alternates: list[Alternate] = []
    seen_alt: set[tuple[str, str]] = set()
    first_alt = ""
    for rel, kind, hreflang, href in r.links:
        if (rel or "alternate") != "alternate" or (kind and not _is_html(kind)):
            continue
        lang = _lang(hreflang)
        safe = safe_http_url(href, base)
        if not safe:
            continue
        first_alt = first_alt or safe
        if not lang or lang == feed_lang:
            url = url or safe
        elif (lang, safe) not in seen_alt:
            seen_alt.add((lang, safe))
            alternates.append(Alternate(lang=lang, url=safe))
    url = url or first_alt or (safe_http_url(r.permalink, base) or "")

    # The content's plain text serves twice: the summary when the feed gives none, and
    # the searchable body. It is worked out once.
    plain = _plain(r.content, r.content_html) if r.content is not None else ""
    summary = ""
    if r.summary is not None:
        summary = _plain(r.summary, r.summary_html)
    if not summary:
        summary = plain
    if len(summary) > MAX_SUMMARY:
        summary = summary[:MAX_SUMMARY].rstrip() + "…"
    body_text = ""
    if r.content is not None and r.content.strip():
        content_html = _as_html(r.content, r.content_html, url or base)
        # The body's words must be searchable even when the summary is a teaser.
        if plain != summary:
            body_text = plain[:MAX_BODY_TEXT]
    elif r.summary is not None:
        content_html = _as_html(r.summary, r.summary_html, url or base)
    else:
        content_html = ""

    image_url = ""
    for m_url, medium, kind in r.media:
        if _is_image(m_url, medium, kind):
            image_url = safe_http_url(m_url, base) or ""
            if image_url:
                break
    if not image_url:
        image_url = next((u for u in (safe_http_url(t, base) for t in r.thumbnails) if u), "")
    if not image_url:
        for e_url, kind in r.enclosures:
            if kind.lower().startswith("image/") and (u := safe_http_url(e_url, base)):
                image_url = u
                break

    guid = clean_line(r.id)[:MAX_GUID]
    if not guid:
        guid = clean_line(r.permalink or next(
            (h for rel, _, _, h in r.links if h and (rel or "alternate") == "alternate"), ""))
        guid = guid[:MAX_GUID]
    if not guid:
        date = r.published.isoformat() if r.published else ""
        seed = f"{title}\n{date}" if (title or date) else f"{summary}\n{content_html[:2000]}"
        guid = "sha1:" + hashlib.sha1(seed.encode("utf-8", "replace")).hexdigest()

    categories: list[str] = []
    for c in r.categories:
        c = clean_line(c)[:200]
        if c and c not in categories:
            categories.append(c)

    return ParsedEntry(
        guid=guid,
        url=url,
        title=title,
        author=clean_line(", ".join(a for a in r.authors if a.strip()))[:500],
        editor=clean_line(", ".join(a for a in r.contributors if a.strip()))[:500],
        published=r.published,
        summary=summary,
        content_html=content_html,
        categories=tuple(categories),
        image_url=image_url,
        image_caption=clean_line(html_to_text(r.caption))[:1000] if r.caption else "",
        image_credit=clean_line(html_to_text(r.credit))[:500] if r.credit else "",
        language="",
        alternates=tuple(alternates),
        body_text=body_text,
    )
