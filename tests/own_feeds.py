"""A reader's own feeds: 30 generated feeds of varied titles and sizes, and the feed lists a
reader brings them in (a flat OPML file, one with three folders, a newsboat ``urls`` file).

Used by the own-feeds TUI and CLI tests over the loopback server, and by hand::

    python tests/own_feeds.py /tmp/dir    # serves the feeds, writes the three lists, waits

Every title and item is made up here.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

BASE_DATE = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)

# (title, number of items): short and long titles, other scripts, wide characters.
FEEDS: tuple[tuple[str, int], ...] = (
    ("Harbour Town Gazette", 12),
    ("Orchard Notes", 4),
    ("The Quarterly Review of Northern Lighthouse Keepers and Their Families", 9),
    ("Rail & Canal", 15),
    ("Observatory Diary", 7),
    ("Вести с побережья", 6),
    ("Glacier Watch", 3),
    ("Market Square Weekly", 18),
    ("Vineyard Letters", 5),
    ("Bridge Engineering Today", 11),
    ("Archive Finds", 8),
    ("街角ニュース", 4),
    ("Small Press Reviews", 10),
    ("The Allotment", 6),
    ("Ferry Timetable Changes", 2),
    ("Night Sky Weekly", 14),
    ("Tide Tables", 5),
    ("Museum of Everyday Things", 9),
    ("Beekeeping Circular", 7),
    ("Mountain Rescue Log", 12),
    ("Chess Problem of the Day", 20),
    ("Typography Corner", 3),
    ("Old Maps Society", 6),
    ("Cycling Club Bulletin", 8),
    ("Weather Station 7", 16),
    ("Folk Song Archive", 4),
    ("Repair Café News", 5),
    ("Local Council Minutes", 13),
    ("Bird Count", 7),
    ("Sourdough Diaries", 10),
)

FOLDERS = ("Local", "Science & Sky", "Long reads")

_THINGS = ("harbour wall", "apple harvest", "signal box", "night ferry", "town clock",
           "old mill", "sea wall", "tram line", "reading room", "footbridge", "kiln",
           "bell tower", "pier", "weir", "greenhouse")
_HAPPENINGS = ("reopens after repairs", "gets a new coat of paint", "draws a record crowd",
               "is surveyed for the first time", "closes for the winter",
               "turns one hundred", "is saved by volunteers", "moves across town")


@dataclass(frozen=True, slots=True)
class OwnFeed:
    number: int
    title: str
    items: int
    path: str

    @property
    def folder(self) -> str:
        """The folder of the three-folder lists: ten feeds each, in file order."""
        return FOLDERS[self.number // 10]


def own_feeds() -> list[OwnFeed]:
    return [OwnFeed(n, title, items, f"/own/{n}.xml") for n, (title, items) in enumerate(FEEDS)]


LONG_TITLE = ("Keepers of the northern lights compare a century of logbooks and find that "
              "the winters have grown shorter by eleven days")


def item_title(feed: int, i: int) -> str:
    if (feed, i) == (2, 0):
        return LONG_TITLE
    thing = _THINGS[(feed * 7 + i) % len(_THINGS)]
    happening = _HAPPENINGS[(feed + i * 3) % len(_HAPPENINGS)]
    return f"The {thing} {happening} ({feed}.{i})"


def item_date(feed: int, i: int) -> datetime:
    """Item 0 is the newest; feeds interleave (each item 97 minutes older, feeds apart by 13)."""
    return BASE_DATE - timedelta(minutes=i * 97 + feed * 13)


def rss(feed: OwnFeed, *, site: str = "https://own.example") -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>\n'
           f"<title>{escape(feed.title)}</title>\n<link>{site}/{feed.number}/</link>\n"
           f"<description>Made-up feed {feed.number}</description>\n"]
    for i in range(feed.items):
        out.append(
            f"<item><title>{escape(item_title(feed.number, i))}</title>"
            f"<link>{site}/{feed.number}/{i}</link>"
            f'<guid isPermaLink="false">own-{feed.number}-{i}</guid>'
            f"<pubDate>{email.utils.format_datetime(item_date(feed.number, i))}</pubDate>"
            f"<description>{escape(f'<p>Item {i} of {feed.title}: a short made-up note.</p>')}"
            f"</description></item>\n")
    out.append("</channel></rss>\n")
    return "".join(out).encode("utf-8")


def serve(server: object, feeds: list[OwnFeed] | None = None) -> dict[int, str]:
    """Add the feeds to a ``FeedServer``; their URLs by number."""
    return {f.number: server.add(f.path, rss(f)) for f in feeds or own_feeds()}  # type: ignore[attr-defined]


def _outline(feed: OwnFeed, url: str, *, with_title: bool) -> str:
    text = quoteattr(feed.title if with_title else f"feed {feed.number}")
    return f'<outline type="rss" text={text} xmlUrl={quoteattr(url)}/>'


def opml_flat(urls: dict[int, str], *, with_titles: bool = True) -> bytes:
    body = "\n".join(_outline(f, urls[f.number], with_title=with_titles) for f in own_feeds()
                     if f.number in urls)
    return _opml(body)


def opml_folders(urls: dict[int, str], *, loose: int = 0) -> bytes:
    """Three folders of the feeds in file order; the last ``loose`` feeds outside any folder."""
    feeds = [f for f in own_feeds() if f.number in urls]
    inside, outside = feeds[:len(feeds) - loose], feeds[len(feeds) - loose:]
    parts = []
    for name in FOLDERS:
        members = [f for f in inside if f.folder == name]
        if members:
            parts.append(f"<outline text={quoteattr(name)}>\n"
                         + "\n".join(_outline(f, urls[f.number], with_title=True)
                                     for f in members) + "\n</outline>")
    parts += [_outline(f, urls[f.number], with_title=True) for f in outside]
    return _opml("\n".join(parts))


def _opml(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">\n'
            f"<head><title>my feeds</title></head>\n<body>\n{body}\n</body>\n</opml>\n"
            ).encode()


def newsboat_urls(urls: dict[int, str]) -> bytes:
    """newsboat's format: a tag (the folder) on most lines, no titles (they come from the
    feeds), a few lines untagged, and a comment."""
    lines = ["# my newsboat feeds"]
    for f in own_feeds():
        if f.number not in urls:
            continue
        tag = "" if f.number % 10 == 9 else f' "{f.folder}"'
        lines.append(f"{urls[f.number]}{tag}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def main() -> None:
    import sys
    import threading
    from pathlib import Path

    from feedserver import FeedServer

    where = Path(sys.argv[1])
    where.mkdir(parents=True, exist_ok=True)
    server = FeedServer().start()
    urls = serve(server)
    server.status("/own/gone.xml", 404)
    (where / "flat.opml").write_bytes(opml_flat(urls))
    (where / "folders.opml").write_bytes(opml_folders(urls))
    (where / "urls").write_bytes(newsboat_urls(urls))
    (where / "base").write_text(server.base + "\n")
    print(server.base, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
