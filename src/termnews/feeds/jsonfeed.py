"""JSON Feed (jsonfeed.org) documents as raw entries."""

from __future__ import annotations

import json

from termnews.feeds.dates import parse_date
from termnews.feeds.raw import NotAFeed, Raw, RawFeed


def read_json_feed(data: bytes) -> RawFeed:
    """A JSON Feed document's title, link, language and items; raises NotAFeed for other JSON."""
    try:
        doc = json.loads(data)
    except ValueError:
        raise NotAFeed("not a feed: invalid JSON") from None
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise NotAFeed("not a feed: JSON that is not a JSON Feed")
    feed = RawFeed(title=str(doc.get("title") or ""), link=str(doc.get("home_page_url") or ""),
                   language=str(doc.get("language") or ""))
    items = doc.get("items")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        raw = Raw(id=str(item.get("id") or ""), title=str(item.get("title") or ""))
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
    return feed
