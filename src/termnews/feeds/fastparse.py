"""The fast feed reader: lxml for well-formed RSS 2.0 and Atom 1.0 with well-known
namespaces, about ten times faster than feedparser.

It gives up (``Unusual``) at the first thing it does not fully understand, so it never
guesses differently from feedparser, which then reads the document.
"""

from __future__ import annotations

import re
from typing import Any

from termnews.feeds.dates import parse_date
from termnews.feeds.raw import MAX_ENTRIES, Raw, RawFeed, Unusual

# feedparser's e-mail pattern, with top-level domains of any length: with its two to four
# letters, "desk@news.example (Desk)" split into "desk@news.exam" and "ple (Desk".
_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,63}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)


def author_name(s: str) -> str:
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
        raise Unusual("markup inside a text element")
    return el.text or ""


def read_fast(data: bytes) -> RawFeed:
    """The document read with lxml; raises Unusual for anything left to feedparser."""
    from lxml import etree

    if b"xml:base" in data:
        raise Unusual("xml:base")  # feedparser resolves links against it
    if data.count(b"xml:lang") > 1:
        raise Unusual("xml:lang below the root")  # per-entry languages: feedparser's job
    try:
        root = etree.fromstring(data, _xml_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise Unusual(str(exc)) from None
    if root.get(XML_BASE) is not None:
        raise Unusual("xml:base")
    if root.tag == "rss" and root.get("version", "").strip() in ("2.0", "2.0.1", "0.92", "0.91"):
        channel = root.find("channel")
        if channel is None:
            raise Unusual("rss without channel")
        feed = _fast_rss(channel)
        feed.language = feed.language or root.get(XML_LANG) or channel.get(XML_LANG) or ""
        return feed
    if root.tag == NS_ATOM + "feed":
        return _fast_atom(root)
    raise Unusual(f"root {root.tag}")


def _check_ns(tag: Any) -> bool:
    """True to skip this element; raises for a namespace the fast path does not know."""
    if not isinstance(tag, str):
        return True  # comments / processing instructions
    if tag.startswith(_IGNORED_NS):
        return True
    if tag.startswith("{") and not tag.startswith((NS_ATOM, NS_DC, NS_CONTENT, NS_MEDIA)):
        raise Unusual(f"namespace of {tag}")
    return False


def _media(el: Any, raw: Raw, local: str) -> None:
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
                raise Unusual(f"{child.tag} in media:content")
    elif local == "group":
        for child in el:
            if _check_ns(child.tag):
                continue
            if not child.tag.startswith(NS_MEDIA):
                raise Unusual(f"{child.tag} in media:group")
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
        raise Unusual("media:title")  # feedparser may take it as the entry title
    elif local not in _MEDIA_IGNORED:
        raise Unusual(f"media:{local}")


def _atom_link(el: Any, raw: Raw) -> None:
    rel = (el.get("rel") or "alternate").strip()
    href = (el.get("href") or "").strip()
    if not href or len(el) or (el.text or "").strip():
        raise Unusual("link without href")
    kind = (el.get("type") or "").strip()
    if rel == "enclosure":
        raw.enclosures.append((href, kind))
    raw.links.append((rel, kind, el.get("hreflang") or "", href))


def _fast_rss(channel: Any) -> RawFeed:
    feed = RawFeed()
    for el in channel:
        tag = el.tag
        if _check_ns(tag):
            continue
        if el.get(XML_BASE) is not None:
            raise Unusual("xml:base")
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
            raise Unusual("second channel title")
    return feed


def _fast_rss_item(item: Any) -> Raw:
    raw = Raw()
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
                raise Unusual("two descriptions")
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
            raw.authors.append(author_name(_text(el)))
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
            raise Unusual(f"item element {tag}")
    raw.published = parse_date(published) or parse_date(updated)
    return raw


def _atom_text(el: Any) -> tuple[str, bool]:
    kind = (el.get("type") or "text").strip().lower()
    if kind in ("text", "text/plain"):
        return _text(el), False
    if kind in ("html", "text/html"):
        return _text(el), True
    raise Unusual(f"atom text type {kind}")


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
            raise Unusual(f"{child.tag} in a person")
    return name or email


def _fast_atom(root: Any) -> RawFeed:
    feed = RawFeed(language=root.get(XML_LANG) or "")
    feed_id = ""
    for el in root:
        tag = el.tag
        if _check_ns(tag):
            continue
        if el.get(XML_BASE) is not None:
            raise Unusual("xml:base")
        if tag == NS_ATOM + "entry":
            if len(feed.entries) < MAX_ENTRIES:
                feed.entries.append(_fast_atom_entry(el))
        elif tag == NS_ATOM + "item":
            raise Unusual("item in an Atom feed")  # feedparser takes it as an entry
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


def _fast_atom_entry(entry: Any) -> Raw:
    raw = Raw()
    if entry.get(XML_LANG) is not None:
        raise Unusual("entry xml:lang")
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
                raise Unusual("content src")
            raw.content, raw.content_html = _atom_text(el)
        elif tag == NS_DC + "creator":
            raw.authors.append(author_name(_text(el)))
        elif tag == NS_DC + "contributor":
            raw.contributors.append(_text(el).strip())
        elif tag == NS_DC + "subject":
            raw.categories.append(_text(el))
        elif not isinstance(tag, str) or tag == A_RIGHTS or tag.startswith(_IGNORED_NS):
            continue
        elif tag.startswith(NS_MEDIA):
            _media(el, raw, tag[len(NS_MEDIA):])
        else:
            raise Unusual(f"entry element {tag}")
    raw.published = parse_date(published) or parse_date(updated)
    return raw
