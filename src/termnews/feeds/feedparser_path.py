"""The feedparser reader, for everything the fast path leaves (RSS 0.9x/1.0, Atom 0.3,
CDF, ill-formed XML, DTDs and entities, xml:base, XHTML content …)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from termnews.feeds.clean import clean_line
from termnews.feeds.dates import from_struct
from termnews.feeds.fastparse import author_name
from termnews.feeds.raw import MAX_ENTRIES, NotAFeed, Raw, RawFeed, is_html


def _reason(exc: object) -> str:
    text = clean_line(str(exc) or type(exc).__name__)
    return text[:200] or "unreadable"


# feedparser turns every C1 code (U+0080-U+009F) in text into the windows-1252 character of
# that byte ("\x9b31m" into "›31m"). The fast path leaves them to the mojibake repair and
# the cleaner ("Ð\x9d" is a double-encoded "Н"; an 8-bit escape goes whole), so they
# travel through feedparser as private-use characters of plane 16 and come back after.
_C1_BYTES = re.compile(rb"\xc2([\x80-\x9f])")
_C1_REF = re.compile(rb"&#(?:[xX]0*(8[0-9a-fA-F]|9[0-9a-fA-F])|0*(12[89]|1[3-5][0-9]));")
_PARKED = 0x10FF00  # U+10FF80-U+10FF9F stand for U+0080-U+009F
_UNPARK = {_PARKED + c: c for c in range(0x80, 0xA0)}


def _park_c1(data: bytes) -> bytes:
    if b"\xc2" in data:
        data = _C1_BYTES.sub(lambda m: chr(_PARKED + m.group(1)[0]).encode("utf-8"), data)
    if b"&#" in data:
        data = _C1_REF.sub(lambda m: b"&#x%x;" % (_PARKED + (
            int(m.group(1), 16) if m.group(1) else int(m.group(2)))), data)
    return data


def _unpark(value: Any) -> Any:
    if isinstance(value, str):
        return value.translate(_UNPARK)
    if isinstance(value, list):
        return [_unpark(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_unpark(v) for v in value)
    return value


def _unpark_raw(obj: Any) -> None:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, str | list | tuple):
            setattr(obj, f.name, _unpark(value))


def read_feedparser(data: bytes, url: str) -> RawFeed:
    """The document as feedparser reads it; raises NotAFeed when it finds no feed."""
    parked = _park_c1(data)
    feed = _read(parked, url)
    if parked is not data:
        _unpark_raw(feed)
        for entry in feed.entries:
            _unpark_raw(entry)
    return feed


def _read(data: bytes, url: str) -> RawFeed:
    import feedparser

    # No base URL on purpose: ids stay as written; links are resolved in parse._finish.
    d = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False,
                         response_headers={"content-type": "application/xml; charset=utf-8"})
    fd = d.get("feed", {})
    title_detail = fd.get("title_detail") or {}
    if not d.entries and not fd.get("title") and not d.get("version"):
        if d.get("bozo"):
            raise NotAFeed(f"not a feed: {_reason(d.get('bozo_exception'))}")
        raise NotAFeed("not a feed: unknown format")
    feed = RawFeed(
        title=fd.get("title", "") or "",
        title_html=is_html(title_detail.get("type")),
        link=fd.get("link", "") or "",
        language=fd.get("language", "") or "",
    )
    for e in d.entries[:MAX_ENTRIES]:
        feed.entries.append(_from_feedparser(e))
    return feed


def _from_feedparser(e: Any) -> Raw:
    raw = Raw()
    raw.id = e.get("id", "") or ""
    raw.title = e.get("title", "") or ""
    raw.title_html = is_html((e.get("title_detail") or {}).get("type"))
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
    elif len(raw.authors) == 1 and "@" in (e.get("author") or ""):
        # One "jo@example.org (Jo)" string: split it as the fast path does (feedparser's
        # own split cuts top-level domains longer than four letters).
        raw.authors = [author_name(e["author"])]
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: FeedParserDict.get would map a missing key to another with a warning
        raw.published = from_struct(dict.get(e, key))
        if raw.published:
            break
    raw.categories = [t.get("term") or "" for t in e.get("tags", []) or []]
    sd = e.get("summary_detail")
    if sd is not None:
        raw.summary, raw.summary_html = sd.get("value", "") or "", is_html(sd.get("type"))
    content = e.get("content") or []
    if content:
        raw.content = content[0].get("value", "") or ""
        raw.content_html = is_html(content[0].get("type"))
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
