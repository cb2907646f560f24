"""Feed bytes → a clean ``ParsedFeed``.

``parse_feed`` is a plain top-level function on picklable data so a process
pool can run it. Two readers produce the same intermediate ``_Raw`` entries,
which one mapping turns into ``ParsedEntry`` objects:

* a fast path with lxml for the common case — well-formed RSS 2.0 or Atom 1.0
  with only well-known namespaces — about ten times faster than feedparser;
* feedparser for everything else (RSS 0.9x/1.0, Atom 0.3, CDF, ill-formed XML,
  DTDs and entities, xml:base, XHTML content …).

The fast path gives up (``_Unusual``) at the first thing it does not fully
understand, so it never guesses differently from feedparser. Charsets are
settled before either reader runs (``charset.to_utf8``).
"""

from __future__ import annotations

import hashlib
import html as _html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_tz
from typing import Any

from termnews.feeds.charset import to_utf8
from termnews.feeds.clean import (
    _tidy,
    clean_line,
    clean_text,
    html_to_text,
    safe_http_url,
    sanitize_html,
)
from termnews.model import Alternate, ParsedEntry, ParsedFeed

MAX_TITLE = 1_000
MAX_SUMMARY = 4_000
MAX_BODY_TEXT = 200_000
MAX_CONTENT_HTML = 2_000_000
MAX_GUID = 2_000
# Entries kept from one document (feeds list the newest first). 16 MB of tiny items is
# ~180,000 entries and ~420 MB of parser objects; no real feed needs more than this.
MAX_ENTRIES = 10_000


class NotAFeed(ValueError):
    """The body is not a feed; the message is for the user ("not a feed: HTML page")."""


class _Unusual(Exception):
    """The fast path met something it leaves to feedparser."""


@dataclass
class _Raw:
    """One entry as either reader saw it, before cleaning."""

    id: str = ""
    title: str = ""
    title_html: bool = False
    links: list[tuple[str, str, str, str]] = field(default_factory=list)  # rel, type, lang, href
    permalink: str = ""  # an RSS guid that is a permalink: the link when there is none
    authors: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    published: datetime | None = None
    categories: list[str] = field(default_factory=list)
    summary: str | None = None
    summary_html: bool = False
    content: str | None = None
    content_html: bool = False
    media: list[tuple[str, str, str]] = field(default_factory=list)  # url, medium, type
    thumbnails: list[str] = field(default_factory=list)
    enclosures: list[tuple[str, str]] = field(default_factory=list)  # url, type
    caption: str = ""
    credit: str = ""


@dataclass
class _RawFeed:
    title: str = ""
    title_html: bool = False
    link: str = ""
    language: str = ""
    entries: list[_Raw] = field(default_factory=list)


# --- entry point ------------------------------------------------------------------

_HTML_START = re.compile(
    rb"^(?:\s|<\?xml[^>]*>|<!--.*?-->)*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])",
    re.I | re.S,
)


# feedparser expands simple internal entities itself (its own guard only stops nested
# ones): a 4 KB entity used 10,000 times makes 40 MB per field, and a 16 MB feed could
# make terabytes. Past this much expansion the declarations go and references stay literal.
MAX_ENTITY_EXPANSION = 1_000_000
MAX_ENTITY_DECLS = 256
_ENTITY_DECL = re.compile(rb"<!ENTITY\s+([^\s%>]+)\s+(?:\"([^\"]*)\"|'([^']*)')\s*>")


def _defuse_entities(data: bytes) -> bytes:
    """data without its internal entity declarations when they would expand too far."""
    if b"<!ENTITY" not in data:
        return data
    decls = _ENTITY_DECL.findall(data, 0, 1_000_000)
    if len(decls) > MAX_ENTITY_DECLS:
        return _ENTITY_DECL.sub(b"", data)
    total = 0
    for name, dq, sq in decls:
        total += len(dq or sq) * data.count(b"&" + name + b";")
        if total > MAX_ENTITY_EXPANSION:
            return _ENTITY_DECL.sub(b"", data)
    return data


def _cap_entries(data: bytes) -> bytes:
    """data without the entries after the first MAX_ENTRIES, before any parser sees them.

    The cut runs from the end of entry MAX_ENTRIES to the end of the last entry, so the
    document's tail (closing tags) stays and sibling entries leave it well-formed; both
    parsers then build objects for the kept entries only.
    """
    for close in (b"</item>", b"</entry>"):
        if data.count(close) <= MAX_ENTRIES:
            continue
        end = -1
        for _ in range(MAX_ENTRIES):
            end = data.find(close, end + 1)
        end += len(close)
        last = data.rfind(close) + len(close)
        return data[:end] + data[last:]
    return data


def parse_feed(body: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Parse, clean and map a feed document; raises NotAFeed for anything else."""
    if not body or not body.strip():
        raise NotAFeed("empty response")
    data, _encoding = to_utf8(body, content_type)
    head = data[:2048].lstrip()
    if _HTML_START.match(data[:4096]):
        raise NotAFeed("not a feed: HTML page")
    if head.startswith((b"{", b"[")):
        return _parse_json_feed(data, url)
    data = _cap_entries(data)
    raw: _RawFeed | None = None
    if b"<!DOCTYPE" not in data[:8192] and b"<!ENTITY" not in data:
        try:
            raw = _fast(data)
        except _Unusual:
            raw = None
        except (RecursionError, MemoryError):
            raise
        except Exception:  # anything the fast path trips on is feedparser's to judge
            raw = None
    if raw is None:
        raw = _slow(_defuse_entities(data), url)
    return _finish(raw, url)


# --- the mapping both readers share ------------------------------------------------

_HTML_TYPES = ("html", "text/html", "application/xhtml+xml", "xhtml")


def _is_html(kind: str | None) -> bool:
    return (kind or "").lower() in _HTML_TYPES


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


def _finish(raw: _RawFeed, url: str) -> ParsedFeed:
    feed_lang = _lang(raw.language)
    base = safe_http_url(raw.link, url) or safe_http_url(url) or ""
    entries = [_entry(r, feed_lang, base) for r in raw.entries[:MAX_ENTRIES]]
    return ParsedFeed(
        title=_title_text(raw.title, raw.title_html),
        language=feed_lang,
        entries=tuple(entries),
        link=safe_http_url(raw.link, url) or "",
    )


def _entry(r: _Raw, feed_lang: str, base: str) -> ParsedEntry:
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

    summary = ""
    if r.summary is not None:
        summary = _plain(r.summary, r.summary_html)
    if not summary and r.content is not None:
        summary = _plain(r.content, r.content_html)
    if len(summary) > MAX_SUMMARY:
        summary = summary[:MAX_SUMMARY].rstrip() + "…"
    body_text = ""
    if r.content is not None and r.content.strip():
        content_html = _as_html(r.content, r.content_html, url or base)
        # The body's words must be searchable even when the summary is a teaser.
        plain = _plain(r.content, r.content_html)
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


# --- dates ---------------------------------------------------------------------------

_RFC822 = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+"
    r"(?:[+-]\d{4}|GMT|UTC|UT|Z)$"
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$")


def parse_date(text: str | None) -> datetime | None:
    """A feed date as an aware UTC datetime (whole seconds), None when unreadable."""
    if not text:
        return None
    s = text.strip()
    try:
        if _RFC822.match(s):
            t = parsedate_tz(s)
            if t is not None:
                dt = datetime(*t[:6], tzinfo=UTC)
                return datetime.fromtimestamp(dt.timestamp() - (t[9] or 0), UTC)
        elif _ISO.match(s):
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
            return dt.astimezone(UTC).replace(microsecond=0)
    except (ValueError, OverflowError, OSError):
        pass
    from feedparser.datetimes import _parse_date

    return _from_struct(_parse_date(s))


def _from_struct(t: Any) -> datetime | None:
    if not t:
        return None
    try:
        return datetime(*t[:6], tzinfo=UTC)
    except (ValueError, TypeError, OverflowError):
        return None


# --- authors -------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)


def _author_name(s: str) -> str:
    """The name in "jo@example.org (Jo)" style author strings (feedparser's rule)."""
    m = _EMAIL.search(s)
    if not m:
        return s.strip()
    email = m.group(0)
    name = s.replace(email, "").replace("()", "").replace("<>", "").replace("&lt;&gt;", "").strip()
    if name.startswith("("):
        name = name[1:]
    if name.endswith(")"):
        name = name[:-1]
    return name.strip() or email


# --- the fast path (lxml) --------------------------------------------------------------

NS_ATOM = "{http://www.w3.org/2005/Atom}"
NS_DC = "{http://purl.org/dc/elements/1.1/}"
NS_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
NS_MEDIA = "{http://search.yahoo.com/mrss/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
A_ID, A_TITLE, A_LINK = NS_ATOM + "id", NS_ATOM + "title", NS_ATOM + "link"
A_PUBLISHED, A_UPDATED, A_AUTHOR = NS_ATOM + "published", NS_ATOM + "updated", NS_ATOM + "author"
A_CONTRIBUTOR, A_CATEGORY = NS_ATOM + "contributor", NS_ATOM + "category"
A_SUMMARY, A_CONTENT, A_RIGHTS = NS_ATOM + "summary", NS_ATOM + "content", NS_ATOM + "rights"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
# Namespaces whose elements never touch the fields termnews keeps.
_IGNORED_NS = (
    "{http://wellformedweb.org/CommentAPI/}",
    "{http://purl.org/rss/1.0/modules/slash/}",
    "{http://purl.org/rss/1.0/modules/syndication/}",
    "{http://rssnamespace.org/feedburner/ext/1.0}",
    "{http://www.georss.org/georss}",
    "{http://www.w3.org/2003/01/geo/wgs84_pos#}",
)
_RSS_ITEM_IGNORED = frozenset({"comments", "source"})
_MEDIA_IGNORED = frozenset({
    "rating", "keywords", "player", "hash", "copyright", "text", "restriction", "license",
    "community", "embed", "status", "price", "peerLink", "location", "scenes", "subTitle",
})
_CLOSE_OR_ENTITY = re.compile(r"</\w+>|&#?\w+;")
_parser: Any = None


def _xml_parser() -> Any:
    global _parser
    if _parser is None:
        from lxml import etree

        _parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                  huge_tree=False, remove_comments=True, remove_pis=True,
                                  strip_cdata=True)
    return _parser


def _text(el: Any) -> str:
    if len(el):
        raise _Unusual("markup inside a text element")
    return el.text or ""


def _fast(data: bytes) -> _RawFeed:
    from lxml import etree

    if b"xml:base" in data:
        raise _Unusual("xml:base")  # feedparser resolves links against it
    if data.count(b"xml:lang") > 1:
        raise _Unusual("xml:lang below the root")  # per-entry languages: feedparser's job
    try:
        root = etree.fromstring(data, _xml_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise _Unusual(str(exc)) from None
    if root.get(XML_BASE) is not None:
        raise _Unusual("xml:base")
    if root.tag == "rss" and root.get("version", "").strip() in ("2.0", "2.0.1", "0.92", "0.91"):
        channel = root.find("channel")
        if channel is None:
            raise _Unusual("rss without channel")
        feed = _fast_rss(channel)
        feed.language = feed.language or root.get(XML_LANG) or channel.get(XML_LANG) or ""
        return feed
    if root.tag == NS_ATOM + "feed":
        return _fast_atom(root)
    raise _Unusual(f"root {root.tag}")


def _check_ns(tag: Any) -> bool:
    """True to skip this element; raises for a namespace the fast path does not know."""
    if not isinstance(tag, str):
        return True  # comments / processing instructions
    if tag.startswith(_IGNORED_NS):
        return True
    if tag.startswith("{") and not tag.startswith((NS_ATOM, NS_DC, NS_CONTENT, NS_MEDIA)):
        raise _Unusual(f"namespace of {tag}")
    return False


def _media(el: Any, raw: _Raw, local: str) -> None:
    if local == "content":
        url = (el.get("url") or "").strip()
        if url:
            raw.media.append((url, el.get("medium") or "", el.get("type") or ""))
        for child in el:
            if _check_ns(child.tag):
                continue
            if child.tag.startswith(NS_MEDIA):
                _media(child, raw, child.tag[len(NS_MEDIA):])
            else:
                raise _Unusual(f"{child.tag} in media:content")
    elif local == "group":
        for child in el:
            if _check_ns(child.tag):
                continue
            if not child.tag.startswith(NS_MEDIA):
                raise _Unusual(f"{child.tag} in media:group")
            _media(child, raw, child.tag[len(NS_MEDIA):])
    elif local == "thumbnail":
        url = (el.get("url") or "").strip()
        if url:
            raw.thumbnails.append(url)
    elif local == "description":
        raw.caption = raw.caption or (el.text or "")
    elif local == "credit":
        raw.credit = raw.credit or (el.text or "")
    elif local == "category":
        # feedparser turns media:category into a tag, as we do
        raw.categories.append(el.text or "")
    elif local == "title":
        raise _Unusual("media:title")  # feedparser may take it as the entry title
    elif local not in _MEDIA_IGNORED:
        raise _Unusual(f"media:{local}")


def _atom_link(el: Any, raw: _Raw) -> None:
    rel = (el.get("rel") or "alternate").strip()
    href = (el.get("href") or "").strip()
    if not href or len(el) or (el.text or "").strip():
        raise _Unusual("link without href")
    kind = (el.get("type") or "").strip()
    if rel == "enclosure":
        raw.enclosures.append((href, kind))
    raw.links.append((rel, kind, el.get("hreflang") or "", href))


def _fast_rss(channel: Any) -> _RawFeed:
    feed = _RawFeed()
    for el in channel:
        tag = el.tag
        if _check_ns(tag):
            continue
        if el.get(XML_BASE) is not None:
            raise _Unusual("xml:base")
        if tag == "item":
            if len(feed.entries) < MAX_ENTRIES:
                feed.entries.append(_fast_rss_item(el))
        elif tag == "title":
            feed.title = _text(el).strip()
            feed.title_html = bool(_CLOSE_OR_ENTITY.search(feed.title))
        elif tag == "link":
            feed.link = feed.link or _text(el).strip()
        elif tag == "language":
            feed.language = _text(el).strip()
        elif tag == NS_DC + "language":
            feed.language = feed.language or _text(el).strip()
        elif tag in (NS_DC + "title", NS_ATOM + "title"):
            raise _Unusual("second channel title")
    return feed


def _fast_rss_item(item: Any) -> _Raw:
    raw = _Raw()
    published = updated = None
    for el in item:
        tag = el.tag  # the common plain tags first: this loop runs for every element
        if tag == "title":
            raw.title = _text(el).strip()
            raw.title_html = bool(_CLOSE_OR_ENTITY.search(raw.title))
        elif tag == "link":
            raw.links.append(("alternate", "", "", _text(el).strip()))
        elif tag == "guid":
            raw.id = _text(el).strip()
            if (el.get("isPermaLink") or "true").strip() == "true":
                raw.permalink = raw.id
        elif tag == "description":
            if raw.summary is not None:
                raise _Unusual("two descriptions")
            raw.summary, raw.summary_html = _text(el), True
        elif tag == NS_CONTENT + "encoded":
            raw.content, raw.content_html = _text(el), True
        elif tag == "pubDate":
            published = _text(el)
        elif tag in (NS_DC + "date", NS_ATOM + "updated"):
            updated = _text(el)
        elif tag == NS_ATOM + "published":
            published = _text(el)
        elif tag in ("author", NS_DC + "creator"):
            raw.authors.append(_author_name(_text(el)))
        elif tag == NS_DC + "contributor":
            raw.contributors.append(_text(el).strip())
        elif tag in ("category", NS_DC + "subject"):
            raw.categories.append(_text(el))
        elif tag == "enclosure":
            raw.enclosures.append(((el.get("url") or "").strip(), el.get("type") or ""))
        elif tag == NS_ATOM + "link":
            _atom_link(el, raw)
        elif not isinstance(tag, str) or tag in _RSS_ITEM_IGNORED or tag.startswith(_IGNORED_NS):
            continue
        elif tag.startswith(NS_MEDIA):
            _media(el, raw, tag[len(NS_MEDIA):])
        else:
            raise _Unusual(f"item element {tag}")
    raw.published = parse_date(published) or parse_date(updated)
    return raw


def _atom_text(el: Any) -> tuple[str, bool]:
    kind = (el.get("type") or "text").strip().lower()
    if kind in ("text", "text/plain"):
        return _text(el), False
    if kind in ("html", "text/html"):
        return _text(el), True
    raise _Unusual(f"atom text type {kind}")


def _person(el: Any) -> str:
    name = email = ""
    for child in el:
        if _check_ns(child.tag):
            continue
        if child.tag == NS_ATOM + "name":
            name = _text(child).strip()
        elif child.tag == NS_ATOM + "email":
            email = _text(child).strip()
        elif child.tag != NS_ATOM + "uri":
            raise _Unusual(f"{child.tag} in a person")
    return name or email


def _fast_atom(root: Any) -> _RawFeed:
    feed = _RawFeed(language=root.get(XML_LANG) or "")
    feed_id = ""
    for el in root:
        tag = el.tag
        if _check_ns(tag):
            continue
        if el.get(XML_BASE) is not None:
            raise _Unusual("xml:base")
        if tag == NS_ATOM + "entry":
            if len(feed.entries) < MAX_ENTRIES:
                feed.entries.append(_fast_atom_entry(el))
        elif tag == NS_ATOM + "item":
            raise _Unusual("item in an Atom feed")  # feedparser takes it as an entry
        elif tag == NS_ATOM + "title":
            feed.title, feed.title_html = _atom_text(el)
            feed.title = feed.title.strip()
        elif tag == NS_ATOM + "link":
            rel = (el.get("rel") or "alternate").strip()
            if rel == "alternate" and not feed.link:
                feed.link = (el.get("href") or "").strip()
        elif tag == NS_ATOM + "id":
            feed_id = _text(el).strip()
    # feedparser takes the feed's id as its link when there is none; so do we.
    feed.link = feed.link or feed_id
    return feed


def _fast_atom_entry(entry: Any) -> _Raw:
    raw = _Raw()
    if entry.get(XML_LANG) is not None:
        raise _Unusual("entry xml:lang")
    published = updated = None
    for el in entry:  # xml:base and nested xml:lang were ruled out for the whole document
        tag = el.tag
        if tag == A_ID:
            raw.id = raw.permalink = _text(el).strip()
        elif tag == A_TITLE:
            raw.title, raw.title_html = _atom_text(el)
            raw.title = raw.title.strip()
        elif tag == A_LINK:
            _atom_link(el, raw)
        elif tag == A_PUBLISHED:
            published = _text(el)
        elif tag == A_UPDATED:
            updated = _text(el)
        elif tag == A_AUTHOR:
            raw.authors.append(_person(el))
        elif tag == A_CONTRIBUTOR:
            raw.contributors.append(_person(el))
        elif tag == A_CATEGORY:
            raw.categories.append(el.get("term") or "")
        elif tag == A_SUMMARY:
            raw.summary, raw.summary_html = _atom_text(el)
        elif tag == A_CONTENT:
            if el.get("src") is not None:
                raise _Unusual("content src")
            raw.content, raw.content_html = _atom_text(el)
        elif tag == NS_DC + "creator":
            raw.authors.append(_author_name(_text(el)))
        elif tag == NS_DC + "contributor":
            raw.contributors.append(_text(el).strip())
        elif tag == NS_DC + "subject":
            raw.categories.append(_text(el))
        elif not isinstance(tag, str) or tag == A_RIGHTS or tag.startswith(_IGNORED_NS):
            continue
        elif tag.startswith(NS_MEDIA):
            _media(el, raw, tag[len(NS_MEDIA):])
        else:
            raise _Unusual(f"entry element {tag}")
    raw.published = parse_date(published) or parse_date(updated)
    return raw


# --- feedparser, for everything else ---------------------------------------------------


def _reason(exc: object) -> str:
    text = clean_line(str(exc) or type(exc).__name__)
    return text[:200] or "unreadable"


def _slow(data: bytes, url: str) -> _RawFeed:
    import feedparser

    # No base URL on purpose: ids stay as written; links are resolved in _finish.
    d = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False,
                         response_headers={"content-type": "application/xml; charset=utf-8"})
    fd = d.get("feed", {})
    title_detail = fd.get("title_detail") or {}
    if not d.entries and not fd.get("title") and not d.get("version"):
        if d.get("bozo"):
            raise NotAFeed(f"not a feed: {_reason(d.get('bozo_exception'))}")
        raise NotAFeed("not a feed: unknown format")
    feed = _RawFeed(
        title=fd.get("title", "") or "",
        title_html=_is_html(title_detail.get("type")),
        link=fd.get("link", "") or "",
        language=fd.get("language", "") or "",
    )
    for e in d.entries[:MAX_ENTRIES]:
        feed.entries.append(_from_feedparser(e))
    return feed


def _from_feedparser(e: Any) -> _Raw:
    raw = _Raw()
    raw.id = e.get("id", "") or ""
    raw.title = e.get("title", "") or ""
    raw.title_html = _is_html((e.get("title_detail") or {}).get("type"))
    for link in e.get("links", []) or []:
        href = (link.get("href") or "").strip()
        rel = link.get("rel") or "alternate"
        kind = link.get("type") or ""
        if rel == "enclosure":
            raw.enclosures.append((href, kind))
        raw.links.append((rel, kind, link.get("hreflang") or "", href))
    if e.get("guidislink"):
        raw.permalink = e.get("id", "") or ""
    for key in ("authors", "contributors"):
        names = []
        for person in e.get(key, []) or []:
            name = person.get("name") or person.get("email") or ""
            if name:
                names.append(name)
        setattr(raw, key, names)
    if not raw.authors and e.get("author"):
        raw.authors = [e["author"]]
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: FeedParserDict.get would map a missing key to another with a warning
        raw.published = _from_struct(dict.get(e, key))
        if raw.published:
            break
    raw.categories = [t.get("term") or "" for t in e.get("tags", []) or []]
    sd = e.get("summary_detail")
    if sd is not None:
        raw.summary, raw.summary_html = sd.get("value", "") or "", _is_html(sd.get("type"))
    content = e.get("content") or []
    if content:
        raw.content = content[0].get("value", "") or ""
        raw.content_html = _is_html(content[0].get("type"))
    for m in e.get("media_content", []) or []:
        if m.get("url"):
            raw.media.append((m["url"], m.get("medium", "") or "", m.get("type", "") or ""))
    raw.thumbnails = [t["url"] for t in e.get("media_thumbnail", []) or [] if t.get("url")]
    credits = [c.get("content", "") for c in e.get("media_credit", []) or [] if c.get("content")]
    raw.credit = credits[0] if credits else ""
    for enc in e.get("enclosures", []) or []:
        pair = ((enc.get("href") or "").strip(), enc.get("type") or "")
        if pair not in raw.enclosures:
            raw.enclosures.append(pair)
    return raw


# --- JSON Feed -------------------------------------------------------------------------


def _parse_json_feed(data: bytes, url: str) -> ParsedFeed:
    import json

    try:
        doc = json.loads(data)
    except ValueError:
        raise NotAFeed("not a feed: invalid JSON") from None
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise NotAFeed("not a feed: JSON that is not a JSON Feed")
    feed = _RawFeed(title=str(doc.get("title") or ""), link=str(doc.get("home_page_url") or ""),
                    language=str(doc.get("language") or ""))
    items = doc.get("items")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        raw = _Raw(id=str(item.get("id") or ""), title=str(item.get("title") or ""))
        if item.get("url"):
            raw.links.append(("alternate", "", "", str(item["url"])))
        if isinstance(item.get("content_html"), str):
            raw.content, raw.content_html = item["content_html"], True
        elif isinstance(item.get("content_text"), str):
            raw.content = item["content_text"]
        if isinstance(item.get("summary"), str):
            raw.summary = item["summary"]
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        raw.authors = [str(a.get("name") or "") for a in authors if isinstance(a, dict)]
        raw.published = parse_date(str(item.get("date_published") or "")) or parse_date(
            str(item.get("date_modified") or ""))
        tags = item.get("tags")
        raw.categories = [str(t) for t in tags] if isinstance(tags, list) else []
        if item.get("image"):
            raw.media.append((str(item["image"]), "image", ""))
        feed.entries.append(raw)
    return _finish(feed, url)
