"""Conformance: every feed of the feedparser test corpus goes through termnews's ingest.

parse (``parse_feed``: charset → parse → clean) → store (``store_entries``, one feed
per file, batched transactions) → the article pane's text (``article_markdown``).
Nothing may raise but ``NotAFeed`` (counted, and only where feedparser finds no
entry either); every entry feedparser finds is stored; stored text is clean.

The corpus lives beside the project (``../shared/corpus``); where it is absent the
test is skipped and says so.
"""

from __future__ import annotations

import codecs
import os
import re
import sqlite3
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from hostile_support import REPO_ROOT, db_text_problems, forbidden_chars, open_library
from termnews.model import FeedSource

BATCH = 200  # files stored per transaction


def _corpus_dir() -> Path | None:
    candidates = [
        os.environ.get("TERMNEWS_CORPUS", ""),
        REPO_ROOT.parent / "shared" / "corpus",
        Path.cwd() / ".." / "shared" / "corpus",
        Path("/work/shared/corpus"),
    ]
    for c in candidates:
        if c and (Path(c) / "feedparser" / "tests").is_dir():
            return Path(c) / "feedparser" / "tests"
    return None


CORPUS = _corpus_dir()
_CONTENT_TYPE = re.compile(r"^Header:\s*Content-type:\s*(.+?)\s*$", re.I | re.M)


def _header_text(body: bytes) -> str:
    """The comment header, whatever the file's encoding (UTF-16/32 files exist)."""
    head = body[:4000]
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            return head.decode(name, "ignore")
    if head[:4] in (b"\x00\x00\x00<", b"<\x00\x00\x00"):
        return head.decode("utf-32-be" if head[0] == 0 else "utf-32-le", "ignore")
    if head[:2] in (b"\x00<", b"<\x00"):
        return head.decode("utf-16-be" if head[0] == 0 else "utf-16-le", "ignore")
    return head.decode("latin-1")


def _content_type(body: bytes) -> str:
    m = _CONTENT_TYPE.search(_header_text(body))
    return m.group(1) if m else ""


@pytest.mark.skipif(CORPUS is None, reason="feed corpus not found at ../shared/corpus "
                    "(a checkout outside the team machines): conformance test skipped")
def test_every_corpus_feed_goes_through_ingest(tmp_path: Path) -> None:
    import feedparser

    from termnews.article_view import article_markdown
    from termnews.feeds.parse import NotAFeed, parse_feed
    from termnews.store import cache
    from termnews.store.db import transaction

    assert CORPUS is not None
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".xml", ".json"))
    assert len(files) > 2000, f"corpus incomplete: {len(files)} files"

    lib = open_library(tmp_path / "data")
    conn = lib.conn
    not_feeds: list[str] = []
    failures: list[str] = []
    lost: list[str] = []
    expected: dict[str, int] = {}  # feed URL -> distinct guids termnews parsed
    parsed_batch = []

    def flush() -> None:
        with transaction(conn):
            for url, rel, parsed in parsed_batch:
                cache.ensure_feed(conn, FeedSource(url=url, outlet="corpus", edition="",
                                                   section=rel))
                cache.store_entries(conn, url, parsed)
        parsed_batch.clear()

    for path in files:
        rel = path.relative_to(CORPUS).as_posix()
        url = f"http://corpus.test/{rel}"
        body = path.read_bytes()
        ctype = _content_type(body)
        reference = feedparser.parse(body, response_headers={"content-type": ctype}
                                     if ctype else {"content-location": url})
        try:
            parsed = parse_feed(body, url=url, content_type=ctype)
        except NotAFeed:
            not_feeds.append(rel)
            if reference.entries:
                lost.append(f"{rel}: NotAFeed but feedparser finds "
                            f"{len(reference.entries)} entries")
            continue
        except Exception as exc:
            failures.append(f"{rel}: {type(exc).__name__}: {exc}")
            continue
        guids = [e.guid for e in parsed.entries]
        ref_ids = [e.get("id") for e in reference.entries]
        # More is fine (feedparser 6 does not read JSON Feed); fewer is a lost entry.
        if len(parsed.entries) < len(reference.entries):
            lost.append(f"{rel}: {len(parsed.entries)} entries, feedparser "
                        f"{len(reference.entries)}")
        elif all(ref_ids) and len(set(ref_ids)) == len(ref_ids) and len(set(guids)) < len(guids):
            lost.append(f"{rel}: distinct ids collapsed into {len(set(guids))} guids")
        for e in parsed.entries:
            for text in (e.title, e.summary, e.author, e.guid, e.url, *e.categories):
                if forbidden_chars(text):
                    failures.append(f"{rel}: unclean text {text!r:.60}")
        expected[url] = len(set(guids))
        parsed_batch.append((url, rel, parsed))
        if len(parsed_batch) >= BATCH:
            flush()
    if parsed_batch:
        flush()

    # Stored: one row per distinct guid, for every feed.
    counts = dict(conn.execute(
        "SELECT f.url, count(a.id) FROM feeds f LEFT JOIN articles a ON a.feed_id=f.id "
        "GROUP BY f.url"))
    for url, n in expected.items():
        if counts.get(url, 0) != n:
            lost.append(f"{url}: stored {counts.get(url, 0)} of {n}")

    # The article pane's text for every stored article.
    ids = [i for (i,) in conn.execute("SELECT id FROM articles ORDER BY id")]
    for i in ids:
        art = lib.article(i)
        try:
            text = article_markdown(art) if art is not None else ""
        except Exception as exc:
            failures.append(f"article {i} ({art.feed_url if art else '?'}): pane: "
                            f"{type(exc).__name__}: {exc}")
            continue
        if forbidden_chars(text):
            failures.append(f"article {i}: unclean pane text")
    lib.close()

    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:30])
    assert not lost, f"{len(lost)} feeds lost entries:\n" + "\n".join(lost[:30])
    assert db_text_problems(lib.paths.cache_db) == []
    assert len(ids) == sum(expected.values()) > 1000
    # NotAFeed is fine (DTDs, entity files, empty <rss/> shells, about 400 files) as long
    # as feedparser finds no entry there either (checked above, in `lost`).
    assert len(not_feeds) < len(files) // 2, (len(not_feeds), not_feeds[:20])
    with sqlite3.connect(lib.paths.cache_db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- text fidelity against feedparser -------------------------------------------------

# Letters windows-1250 has and windows-1252 has not: a Western text read in the wrong
# code page shows them ("simulaçőes", "prisăo").
_CP1252 = set(bytes(range(0x80, 0x100)).decode("cp1252", "ignore"))
CP1250_ONLY = frozenset(c for c in bytes(range(0x80, 0x100)).decode("cp1250", "ignore")
                        if c.isalpha() and c not in _CP1252)
_CP1252_C1 = bytes(range(0x80, 0xA0)).decode("cp1252", "ignore")
# A UTF-8 multi-byte sequence read as Latin-1 or windows-1252: a lead byte's character,
# then continuation bytes' characters. Written here independently of termnews's repair.
_MOJIBAKE = re.compile(f"[\xc2-\xf4][\x80-\xbf{_CP1252_C1}]+")


def mojibake_count(text: str) -> int:
    """How many runs of text are UTF-8 byte sequences read in a single-byte code page."""
    n = 0
    for m in _MOJIBAKE.finditer(text):
        raw = b"".join(c.encode("cp1252") if c in _CP1252_C1 else c.encode("latin-1")
                       for c in m.group(0))
        for end in range(len(raw), 1, -1):  # the longest prefix that decodes
            try:
                decoded = raw[:end].decode("utf-8")
            except UnicodeDecodeError:
                continue
            n += any(ord(c) > 0x7F for c in decoded)
            break
    return n


class _Text(HTMLParser):
    """The text a browser shows of an HTML fragment (no script, style, head …)."""

    HIDDEN = frozenset({"script", "style", "head", "title", "iframe", "noscript", "template",
                        "object", "embed", "svg", "math", "textarea", "select"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.hidden += tag in self.HIDDEN
        self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def browser_text(value: str, kind: str) -> str:
    if kind not in ("text/html", "application/xhtml+xml", "html", "xhtml"):
        return value
    parser = _Text()
    # HTML reads "<![CDATA[" outside SVG and MathML as a bogus comment, up to the next ">".
    parser.feed(re.sub(r"<!\[CDATA\[[^>]*>?", " ", value))
    parser.close()
    return "".join(parser.parts)


def _letters(text: str) -> Counter[str]:
    return Counter(c for c in text if c.isalnum())


def _redecode(value: str, theirs: str, ours: str) -> str:
    """feedparser's text as it reads with the encoding termnews chose for the bytes.

    feedparser maps C1 codes to their windows-1252 characters after decoding; those go
    back to their bytes through windows-1252."""
    if not theirs or codecs.lookup(theirs).name == codecs.lookup(ours).name:
        return value
    raw = bytearray()
    for c in value:
        for encoding in (theirs, "cp1252"):
            try:
                raw += c.encode(encoding)
                break
            except (UnicodeError, LookupError):
                continue
    try:
        return raw.decode(ours)
    except UnicodeDecodeError:  # bytes termnews read otherwise: as windows-1252 bytes
        return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw)


def text_defects(ours: str, theirs: str) -> list[str]:
    """What termnews's text has that feedparser's (re-read in termnews's encoding) has not:
    mojibake, replacement characters, windows-1250-only letters, lost letters or digits."""
    import ftfy

    found = []
    if mojibake_count(ours) > mojibake_count(theirs):
        found.append("mojibake")
    if ours.count("\ufffd") > theirs.count("\ufffd"):
        found.append("replacement characters")
    if sum(c in CP1250_ONLY for c in ours) > sum(c in CP1250_ONLY for c in theirs):
        found.append("windows-1250 letters")
    mine = _letters(ours)
    # Lost: letters feedparser keeps and termnews has not, also once feedparser's own
    # mojibake is repaired (termnews repairs it; then its letters differ on purpose).
    if (_letters(theirs) - mine) and (_letters(ftfy.fix_encoding(theirs)) - mine):
        found.append("lost characters")
    return found


def _reference_fields(entry: Any) -> dict[str, tuple[str, str]]:
    """feedparser's title, summary and author of an entry, as (text, type)."""
    title = entry.get("title_detail") or {}
    summary = entry.get("summary_detail") or (entry.get("content") or [{}])[0] or {}
    author = entry.get("author_detail") or {}
    return {
        "title": (entry.get("title") or "", title.get("type") or "text/plain"),
        "summary": (entry.get("summary") or "", summary.get("type") or "text/html"),
        "author": (author.get("name") or author.get("email") or entry.get("author") or "",
                   "text/plain"),
    }


@pytest.mark.skipif(CORPUS is None, reason="feed corpus not found at ../shared/corpus "
                    "(a checkout outside the team machines): conformance test skipped")
def test_corpus_text_is_as_faithful_as_feedparser(tmp_path: Path) -> None:
    """For every entry, termnews's stored title, summary and author against feedparser's
    for the same bytes: no field may have mojibake, replacement characters, windows-1250
    letters or lost characters that feedparser's has not.

    feedparser's side: ``feedparser.parse`` of the same bytes and headers, its HTML as a
    browser shows it (its sanitizer is off: with it, broken markup can leave script source
    as text, which is not text a reader should show), re-read in the encoding termnews
    chose where the two chose differently (then the letters differ on purpose; the
    encoding itself is judged by the other checks).
    """
    import feedparser

    from termnews.feeds.charset import to_utf8
    from termnews.feeds.parse import MAX_SUMMARY, NotAFeed, parse_feed
    from termnews.store import cache
    from termnews.store.db import transaction

    assert CORPUS is not None
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".xml", ".json"))
    lib = open_library(tmp_path / "data")
    conn = lib.conn
    fields = 0
    defects: list[str] = []
    for path in files:
        rel = path.relative_to(CORPUS).as_posix()
        url = f"http://corpus.test/{rel}"
        body = path.read_bytes()
        ctype = _content_type(body)
        reference = feedparser.parse(body, sanitize_html=False, response_headers=(
            {"content-type": ctype} if ctype else {"content-location": url}))
        try:
            parsed = parse_feed(body, url=url, content_type=ctype)
        except NotAFeed:
            continue  # test_every_corpus_feed_goes_through_ingest checks nothing is lost
        ours_encoding = to_utf8(body, ctype)[1]
        with transaction(conn):
            cache.ensure_feed(conn, FeedSource(url=url, outlet="corpus", edition="",
                                               section=rel))
            cache.store_entries(conn, url, parsed)
        stored = {guid: (title, summary, author) for guid, title, summary, author in
                  conn.execute("""SELECT a.guid, a.title, a.summary, a.author FROM articles a
                                  JOIN feeds f ON f.id = a.feed_id WHERE f.url = ?""", (url,))}
        seen: set[str] = set()
        for i, (entry, ref) in enumerate(zip(parsed.entries, reference.entries, strict=False)):
            if entry.guid in seen:
                continue  # stored once: the first entry with this guid
            seen.add(entry.guid)
            ours = dict(zip(("title", "summary", "author"), stored[entry.guid], strict=True))
            for name, (value, kind) in _reference_fields(ref).items():
                value = _redecode(value, reference.get("encoding") or "", ours_encoding)
                theirs = " ".join(browser_text(value, kind).split())
                mine = " ".join(ours[name].split())
                if name == "summary" and mine.endswith("…") and len(ours[name]) > MAX_SUMMARY:
                    theirs = theirs[:len(mine)]  # termnews keeps the first MAX_SUMMARY
                fields += 1
                for defect in text_defects(mine, theirs):
                    defects.append(f"{rel} entry {i} {name}: {defect}: ours {mine[:70]!r}, "
                                   f"feedparser's {theirs[:70]!r}")
    lib.close()
    print(f"\ncorpus text conformance: {len(defects)} of {fields} fields worse than "
          f"feedparser's ({len(files)} files)")
    assert fields > 3000
    assert not defects, f"{len(defects)} fields:\n" + "\n".join(defects[:40])
