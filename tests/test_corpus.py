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
from pathlib import Path

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
