"""Feed lists in and out: OPML 2.0 and newsboat's ``urls`` file.

Reading is all-or-nothing: a list is parsed whole into a ``FeedList`` before the
caller subscribes to anything, so a malformed file imports nothing. OPML is
parsed with expat directly and any DTD or entity declaration is refused (no
entity expansion, no external entities: an OPML file needs neither).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NoReturn
from urllib.parse import urlsplit
from xml.parsers import expat

from termnews.errors import TermnewsError

FOLDER_SEP = "/"  # nested OPML folders become one folder name "Outer/Inner"
NEWSBOAT_SKIPPED = ("query:", "exec:", "filter:")


class FeedListError(TermnewsError, ValueError):
    """The file is not a feed list termnews can read; the message says why."""


@dataclass(frozen=True, slots=True)
class ImportedFeed:
    """One feed from a feed list, with its title and folder ("" when none)."""

    url: str
    title: str = ""
    folder: str = ""


@dataclass(frozen=True, slots=True)
class FeedList:
    format: str  # "opml" or "newsboat"
    feeds: tuple[ImportedFeed, ...]
    notes: tuple[str, ...] = ()  # what was skipped, and why


@dataclass(frozen=True, slots=True)
class ExportFeed:
    """A feed to write into OPML under a path of folders (outer first)."""

    url: str
    title: str
    path: tuple[str, ...] = ()


def is_feed_url(url: str) -> bool:
    """An http(s) URL with a host; the only kind termnews subscribes to from a list."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname)
            and not any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url))


def parse_feed_list(data: bytes) -> FeedList:
    """An OPML document or a newsboat urls file, told apart by content."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<", b"\xff\xfe", b"\xfe\xff")):
        return parse_opml(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FeedListError("neither OPML nor a newsboat urls file (not UTF-8 text)") from None
    return parse_newsboat(text)


# --- OPML ---------------------------------------------------------------------------


class _Refused(Exception):
    pass


def _refuse(*_: object) -> NoReturn:
    raise _Refused


def parse_opml(data: bytes) -> FeedList:
    """Feeds of an OPML document; folders (outlines without xmlUrl) name their feeds' folder."""
    parser = expat.ParserCreate()
    # No DTD, hence no entities of any kind: refuse them outright instead of expanding.
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    stack: list[str] = []  # element names
    folders: list[str | None] = []  # per open <outline>: its folder name, or None for a feed
    feeds: list[ImportedFeed] = []
    notes: list[str] = []
    seen: set[str] = set()
    state = {"root": "", "body": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        if not stack:
            state["root"] = name
            if name != "opml":
                raise FeedListError(f"not an OPML document (root element <{name[:40]}>)")
        stack.append(name)
        if name == "body" and len(stack) == 2:
            state["body"] = True
        if name != "outline":
            return
        low = {k.lower(): v for k, v in attrs.items()}
        url = low.get("xmlurl", "").strip()
        title = _clean(low.get("title") or low.get("text") or "")
        if not url:
            folders.append(title)
            return
        folders.append(None)
        folder = FOLDER_SEP.join(f for f in folders if f)
        if not is_feed_url(url):
            notes.append(f"skipped {_clean(url)[:200]!r}: not an http(s) URL")
        elif url not in seen:
            seen.add(url)
            feeds.append(ImportedFeed(url=url, title=title, folder=folder))

    def end(name: str) -> None:
        stack.pop()
        if name == "outline":
            folders.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Refused:
        raise FeedListError("OPML with a DTD or entity declarations is refused") from None
    except expat.ExpatError as exc:
        raise FeedListError(f"malformed OPML: {expat.ErrorString(exc.code)} "
                            f"(line {exc.lineno}, column {exc.offset + 1})") from None
    if not state["body"]:
        raise FeedListError("not an OPML document (no <body>)")
    return FeedList(format="opml", feeds=tuple(feeds), notes=tuple(notes))


# --- newsboat urls file ---------------------------------------------------------------


def _tokens(line: str) -> list[str]:
    """newsboat's tokenizer: whitespace-separated, "quoted" with \\ escapes, # comments."""
    tokens: list[str] = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c.isspace():
            i += 1
        elif c == "#":
            break
        elif c == '"':
            i += 1
            buf = []
            while i < n and line[i] != '"':
                if line[i] == "\\" and i + 1 < n:
                    i += 1
                buf.append(line[i])
                i += 1
            i += 1  # the closing quote (a missing one ends the token at the line's end)
            tokens.append("".join(buf))
        else:
            j = i
            while j < n and not line[j].isspace():
                j += 1
            tokens.append(line[i:j])
            i = j
    return tokens


def parse_newsboat(text: str) -> FeedList:
    """newsboat's urls format: ``URL ["tag" …] ["~Title"]``, one feed a line.

    The first plain tag becomes the folder; ``~Title`` sets the title; ``!``
    (hidden-feed) tags, query feeds and exec:/filter: lines are skipped with a note.
    """
    feeds: list[ImportedFeed] = []
    notes: list[str] = []
    seen: set[str] = set()
    for lineno, raw in enumerate(text.splitlines(), 1):
        tokens = _tokens(raw)
        if not tokens:
            continue
        url, tags = tokens[0], tokens[1:]
        kind = next((p for p in NEWSBOAT_SKIPPED if url.startswith(p)), None)
        if kind is not None:
            notes.append(f"line {lineno}: skipped {kind[:-1]} feed (not supported)")
            continue
        if not is_feed_url(url):
            if lineno == 1 and not feeds and ("<" in raw or "{" in raw):
                raise FeedListError("neither OPML nor a newsboat urls file")
            notes.append(f"line {lineno}: skipped {_clean(url)[:200]!r}: not an http(s) URL")
            continue
        title, folder = "", ""
        for tag in tags:
            if tag.startswith("~"):
                title = title or _clean(tag[1:])
            elif tag.startswith("!"):
                notes.append(f"line {lineno}: ignored hidden-feed tag {_clean(tag)[:60]!r}")
            elif not folder and _clean(tag):
                folder = _clean(tag)
        if url not in seen:
            seen.add(url)
            feeds.append(ImportedFeed(url=url, title=title, folder=folder))
    return FeedList(format="newsboat", feeds=tuple(feeds), notes=tuple(notes))


# --- export ---------------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all, plus the format ones we never keep in text.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\u200b-\u200f"
                      "\u202a-\u202e\u2066-\u2069\ufeff]")


def _clean(text: str) -> str:
    return " ".join(_XML_BAD.sub("", text).split())


def build_opml(feeds: Iterable[ExportFeed], *, title: str = "termnews subscriptions",
               now: datetime | None = None) -> bytes:
    """An OPML 2.0 document: folders as nested outlines, feeds as ``type="rss"`` outlines."""
    # Here, not at the top: every CLI command imports this module (~10 ms for these two).
    import email.utils
    import xml.etree.ElementTree as ET

    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _clean(title)
    ET.SubElement(head, "dateCreated").text = email.utils.format_datetime(
        (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0), usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}

    def folder(path: Sequence[str]) -> ET.Element:
        key = tuple(path)
        if key not in folders:
            parent = folder(key[:-1])
            name = _clean(key[-1])
            folders[key] = ET.SubElement(parent, "outline", text=name, title=name)
        return folders[key]

    for feed in feeds:
        name = _clean(feed.title) or _clean(feed.url)
        ET.SubElement(folder(feed.path), "outline", type="rss", text=name, title=name,
                      xmlUrl=_clean(feed.url))
    ET.indent(root, space="  ")
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"
