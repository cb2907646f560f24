"""Hostile XML and HTTP: entity bombs, external entities, decompression bombs, huge feeds,
trickling servers, bad redirects, error statuses, Retry-After, non-feeds, wrong charsets.

Everything goes through a real refresh against the loopback server with small limits
(deadline, max_bytes) so the suite stays quick. One bad feed must never stop the others.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedserver import RSS_TYPE, FeedServer, make_rss
from hostile_support import FIXTURES, config, db_text_problems, open_library
from image_support import png
from termnews.library import Library
from termnews.model import FeedStatus, RefreshSummary
from termnews.paths import resolve_paths

MB = 1024 * 1024
HANG_GUARD = 90.0  # seconds: only stops a broken refresh from hanging the suite


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = open_library(tmp_path / "data", timeout=1.0, deadline=2.0,
                           max_bytes=2 * 1024 * 1024)
    yield library
    library.close()


def refresh(lib: Library, urls: list[str] | None = None) -> RefreshSummary:
    async def go() -> RefreshSummary:
        return await asyncio.wait_for(lib.refresh(urls), HANG_GUARD)

    return asyncio.run(go())


def status(lib: Library, url: str) -> FeedStatus:
    found = [s for s in lib.feed_statuses() if s.url == url]
    assert found, f"{url} not subscribed"
    return found[0]


def stored(lib: Library, url: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(lib.paths.cache_db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(
            "SELECT a.* FROM articles a JOIN feeds f ON f.id=a.feed_id WHERE f.url=? "
            "ORDER BY a.guid", (url,)).fetchall()
    finally:
        conn.close()


def good_feed(server: FeedServer, n: int = 900, items: int = 5) -> str:
    return server.add(f"/good-{n}.xml", make_rss(n, items))


def assert_good_stored(lib: Library, url: str, items: int = 5) -> None:
    st = status(lib, url)
    assert st.error is None, st.error
    assert len(stored(lib, url)) == items


# --- XML attacks ----------------------------------------------------------------------


def test_billion_laughs_does_not_expand(lib: Library, feed_server: FeedServer) -> None:
    url = feed_server.add("/laughs.rss", (FIXTURES / "billion_laughs.rss").read_bytes())
    good = good_feed(feed_server)
    lib.add_feeds([url, good])
    refresh(lib)
    assert_good_stored(lib, good)
    for row in stored(lib, url):
        assert len(row["title"]) < 10_000 and len(row["summary"]) < 10_000
        assert "lollollollollol" not in row["title"] + row["summary"]
    assert len(status(lib, url).title) < 10_000


def test_quadratic_entity_blowup_does_not_expand(lib: Library, feed_server: FeedServer) -> None:
    """One 4 KB internal entity used 10,000 times: 80 MB if a parser expands it."""
    url = feed_server.add("/quadratic.rss", (FIXTURES / "quadratic_blowup.rss").read_bytes())
    good = good_feed(feed_server)
    lib.add_feeds([url, good])
    refresh(lib)
    assert_good_stored(lib, good)
    rows = stored(lib, url)
    assert rows, "the feed itself is readable once its entities are defused"
    for row in rows:
        # One expansion is 4096 "A"s: not even one may appear (fields are capped after
        # parsing, so only the content of the text proves nothing was expanded).
        for column in ("title", "summary", "content_html"):
            assert "A" * 4096 not in row[column], f"internal entity expanded into {column}"


def test_external_entities_are_never_read(
    lib: Library, feed_server: FeedServer, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER-7f3a", encoding="utf-8")
    feed_server.add("/evil.dtd", b'<!ENTITY leak "REMOTE-DTD-MARKER-91c2">', "application/xml-dtd")
    doc = (FIXTURES / "xxe.rss").read_text(encoding="utf-8")
    doc = doc.replace("@SECRET_PATH@", str(secret)).replace(
        "@REMOTE_DTD@", feed_server.url("/evil.dtd"))
    url = feed_server.add("/xxe.rss", doc.encode("utf-8"))
    lib.add_feeds([url])
    refresh(lib)
    assert feed_server.count(path="/evil.dtd") == 0, "the parser fetched an external DTD"
    dump = cache_dump(lib)
    assert "TOP-SECRET-MARKER" not in dump
    assert "REMOTE-DTD-MARKER" not in dump


# --- size and time limits ----------------------------------------------------------------


def test_gzip_bomb_is_capped(lib: Library, feed_server: FeedServer) -> None:
    url = feed_server.gzip_bomb("/bomb.rss", size=64 * 1024 * 1024)
    good = good_feed(feed_server)
    lib.add_feeds([url, good])
    refresh(lib)
    assert_good_stored(lib, good)
    err = status(lib, url).error
    assert err is not None
    assert re.search(r"large|big|exceed|limit|size|bytes|MB", err, re.I), err
    assert stored(lib, url) == []


def test_body_over_max_bytes_is_refused(lib: Library, feed_server: FeedServer) -> None:
    big = make_rss(1, 6000)  # about 4 MB, over the 2 MB limit of this test
    assert len(big) > 2 * 1024 * 1024
    url = feed_server.add("/huge.rss", big, gzip=False)
    gz_url = feed_server.add("/huge-gz.rss", big, gzip=True)  # small on the wire, big inflated
    lib.add_feeds([url, gz_url])
    refresh(lib)
    for u in (url, gz_url):
        err = status(lib, u).error
        assert err is not None and re.search(r"large|big|exceed|limit|size|bytes|MB", err, re.I)
        assert stored(lib, u) == []


def test_multi_megabyte_feed_within_limit_is_stored(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    body = make_rss(2, 2500)  # about 1.7 MB of XML
    assert len(body) > 1024 * 1024
    url = feed_server.add("/big.rss", body)
    with open_library(tmp_path / "big", max_bytes=8 * 1024 * 1024, deadline=30.0) as lib:
        lib.add_feeds([url])
        refresh(lib)
        assert_good_stored(lib, url, 2500)


def test_five_thousand_items(tmp_path: Path, feed_server: FeedServer) -> None:
    lines = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
             "<title>Five thousand</title><link>https://many.example/</link>"]
    lines += [f"<item><title>Short item {i}</title><link>https://many.example/{i}</link>"
              f"<guid>many-{i}</guid></item>" for i in range(5000)]
    lines.append("</channel></rss>")
    url = feed_server.add("/many.rss", "\n".join(lines).encode())
    with open_library(tmp_path / "many", deadline=30.0) as lib:
        lib.add_feeds([url])
        summary = refresh(lib)
        assert summary.new_articles == 5000
        rows = stored(lib, url)
        assert len({r["guid"] for r in rows}) == 5000


@pytest.mark.parametrize("doctype", ["", "<!DOCTYPE rss>"])  # lxml path, feedparser path
def test_a_flood_of_tiny_items_is_capped(tmp_path: Path, feed_server: FeedServer,
                                          doctype: str) -> None:
    """Tens of thousands of tiny entries: the newest (first) ones are kept, not all."""
    items = "".join(f"<item><title>Tiny {i}</title><guid>tiny-{i}</guid></item>"
                    for i in range(30_000))
    url = feed_server.add("/tiny.rss", (f'<?xml version="1.0"?>{doctype}<rss version="2.0">'
                                        f"<channel><title>Tiny</title>{items}</channel></rss>"
                                        ).encode())
    with open_library(tmp_path / "tiny", deadline=60.0) as lib:
        lib.add_feeds([url])
        refresh(lib)
        assert status(lib, url).error is None
        guids = {r["guid"] for r in stored(lib, url)}
        assert 5000 <= len(guids) <= 10_000
        assert "tiny-0" in guids and "tiny-29999" not in guids


def test_trickling_server_hits_the_total_deadline(lib: Library, feed_server: FeedServer) -> None:
    """A byte every 0.2 s never trips the 1 s read timeout: only a total deadline ends it."""
    url = feed_server.trickle("/trickle.rss", interval=0.2)
    hang = feed_server.hang("/hang.rss")
    good = good_feed(feed_server)
    lib.add_feeds([url, hang, good])
    summary = refresh(lib)
    assert summary.feeds_failed == 2
    assert_good_stored(lib, good)
    for u in (url, hang):
        err = status(lib, u).error
        assert err is not None and re.search(r"time|deadline|slow", err, re.I), err


# --- redirects --------------------------------------------------------------------------


def test_redirect_loop_fails_cleanly(lib: Library, feed_server: FeedServer) -> None:
    a = feed_server.redirect("/loop-a", feed_server.url("/loop-b"))
    feed_server.redirect("/loop-b", feed_server.url("/loop-a"), status=302)
    self_loop = feed_server.redirect("/loop-self", "/loop-self", status=307)
    lib.add_feeds([a, self_loop])
    refresh(lib)
    for u in (a, self_loop):
        err = status(lib, u).error
        assert err is not None and re.search(r"redirect", err, re.I), err
    assert feed_server.count(path="/loop-a") <= 10  # bounded by max_redirects, not a spin


@pytest.mark.parametrize("target", [
    "file:///etc/passwd",
    "ftp://127.0.0.1/feed.xml",
    "javascript:alert(1)",
    "data:application/rss+xml,<rss/>",
])
def test_redirect_to_non_http_scheme_is_refused(
    lib: Library, feed_server: FeedServer, target: str
) -> None:
    url = feed_server.redirect("/to-elsewhere", target, status=302)
    lib.add_feeds([url])
    refresh(lib)
    err = status(lib, url).error
    assert err is not None
    assert stored(lib, url) == []
    dump = cache_dump(lib)
    assert "root:x:0:0" not in dump


def test_redirect_to_a_feed_is_followed(lib: Library, feed_server: FeedServer) -> None:
    real = good_feed(feed_server, 901)
    moved = feed_server.redirect("/moved.xml", real, status=301)
    lib.add_feeds([moved])
    refresh(lib)
    assert_good_stored(lib, moved)


# --- statuses ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", [400, 401, 403, 404, 410, 500, 502, 503])
def test_error_status_is_a_clear_error(lib: Library, feed_server: FeedServer, code: int) -> None:
    url = feed_server.status(f"/status-{code}", code, body=b"<html>oops</html>",
                             content_type="text/html")
    good = good_feed(feed_server)
    lib.add_feeds([url, good])
    refresh(lib)
    err = status(lib, url).error
    assert err is not None and str(code) in err, err
    assert_good_stored(lib, good)


def test_failure_keeps_old_articles(lib: Library, feed_server: FeedServer) -> None:
    url = feed_server.add("/flaky.xml", make_rss(3, 4))
    lib.add_feeds([url])
    refresh(lib)
    assert len(stored(lib, url)) == 4
    feed_server.status("/flaky.xml", 500)
    refresh(lib)
    assert status(lib, url).error is not None
    assert len(stored(lib, url)) == 4


def test_429_retry_after_is_honoured(lib: Library, feed_server: FeedServer) -> None:
    url = feed_server.status("/busy.xml", 429, headers={"Retry-After": "3600"})
    good = good_feed(feed_server)
    lib.add_feeds([url, good])
    before = time.time()
    refresh(lib)
    st = status(lib, url)
    assert st.error is not None and "429" in st.error
    assert st.next_fetch_at is not None
    assert st.next_fetch_at.timestamp() >= before + 3000  # backed off about an hour
    hits = feed_server.count(path="/busy.xml")
    assert hits == 1
    refresh(lib)
    assert feed_server.count(path="/busy.xml") == hits, "a backed-off feed was fetched again"
    assert feed_server.count(path="/good-900.xml") >= 2  # the healthy feed was not skipped


def test_retry_after_as_http_date(lib: Library, feed_server: FeedServer) -> None:
    import email.utils

    when = email.utils.formatdate(time.time() + 7200, usegmt=True)
    url = feed_server.status("/busy-date.xml", 503, headers={"Retry-After": when})
    lib.add_feeds([url])
    before = time.time()
    refresh(lib)
    st = status(lib, url)
    assert st.error is not None and "503" in st.error
    assert st.next_fetch_at is not None and st.next_fetch_at.timestamp() >= before + 6000


# --- not feeds --------------------------------------------------------------------------


def test_html_page_and_empty_body_are_not_feeds(lib: Library, feed_server: FeedServer) -> None:
    page = feed_server.add("/home.html", (FIXTURES / "not_a_feed.html").read_bytes(),
                           "text/html; charset=utf-8")
    page_as_rss = feed_server.add("/lying.rss", (FIXTURES / "not_a_feed.html").read_bytes())
    empty = feed_server.raw("/empty.xml", b"", {"Content-Type": RSS_TYPE})
    blank = feed_server.raw("/blank.xml", b"  \n\t\n", {"Content-Type": RSS_TYPE})
    garbage = feed_server.raw("/garbage.xml", bytes(range(256)) * 8, {"Content-Type": RSS_TYPE})
    json_text = feed_server.raw("/plain.json", b'{"hello": "world"}',
                                {"Content-Type": "application/json"})
    urls = [page, page_as_rss, empty, blank, garbage, json_text]
    good = good_feed(feed_server)
    lib.add_feeds([*urls, good])
    refresh(lib)
    assert_good_stored(lib, good)
    for u in urls:
        err = status(lib, u).error
        clear = "empty response" if u in (empty, blank) else "not a feed"
        assert err is not None and clear in err.lower(), (u, err)
        assert stored(lib, u) == []


# --- charsets ---------------------------------------------------------------------------

RU_TITLES = {"Погода в городе: морозы отступают, на дорогах гололёд",
             "Библиотека открывает читальный зал после ремонта"}
LATIN_TITLES = {"Fête de la mer : les bénévoles préparent déjà l'édition d'été",
                "Große Überraschung: Bäckerei öffnet früher"}


@pytest.mark.parametrize(("name", "content_type"), [
    ("koi8r_undeclared.rss", "application/rss+xml"),
    ("cp1251_undeclared.rss", "application/rss+xml"),
    ("cp1251_declared_utf8.rss", "application/rss+xml; charset=utf-8"),
    ("koi8r_undeclared.rss", "text/xml; charset=koi8-r"),
    ("cp1251_undeclared.rss", "application/xml; charset=windows-1251"),
])
def test_russian_legacy_charsets(
    lib: Library, feed_server: FeedServer, name: str, content_type: str
) -> None:
    url = feed_server.add(f"/{name}", (FIXTURES / name).read_bytes(), content_type)
    lib.add_feeds([url])
    refresh(lib)
    assert status(lib, url).error is None
    rows = stored(lib, url)
    assert {r["title"] for r in rows} == RU_TITLES
    assert all("Синоптики" in r["summary"] or "Читатели" in r["summary"] for r in rows)
    assert status(lib, url).title == "Городские новости"


def test_latin1_undeclared(lib: Library, feed_server: FeedServer) -> None:
    url = feed_server.add("/latin1.rss", (FIXTURES / "latin1_undeclared.rss").read_bytes(),
                          "application/rss+xml")
    lib.add_feeds([url])
    refresh(lib)
    rows = stored(lib, url)
    assert {r["title"] for r in rows} == LATIN_TITLES
    assert status(lib, url).title == "Gazette du littoral"


def test_invalid_utf8_is_stored_clean(lib: Library, feed_server: FeedServer) -> None:
    url = feed_server.add("/bytes.rss", (FIXTURES / "invalid_utf8.rss").read_bytes())
    lib.add_feeds([url])
    refresh(lib)
    rows = stored(lib, url)
    assert len(rows) == 1
    assert "lone bytes" in rows[0]["title"] and "overlong" in rows[0]["title"]
    assert rows[0]["summary"] == "Plain ending text"
    assert db_text_problems(lib.paths.cache_db) == []


# --- everything at once -------------------------------------------------------------------


def test_one_refresh_of_every_attack_at_once(lib: Library, feed_server: FeedServer) -> None:
    """All the attacks in one refresh: each bad feed gets its own error, good ones store."""
    urls = {
        "laughs": feed_server.add("/a/laughs.rss",
                                  (FIXTURES / "billion_laughs.rss").read_bytes()),
        "bomb": feed_server.gzip_bomb("/a/bomb.rss", size=32 * 1024 * 1024),
        "trickle": feed_server.trickle("/a/trickle.rss", interval=0.2),
        "loop": feed_server.redirect("/a/loop", "/a/loop"),
        "file": feed_server.redirect("/a/file", "file:///etc/passwd"),
        "500": feed_server.status("/a/500", 500),
        "html": feed_server.add("/a/home.html", (FIXTURES / "not_a_feed.html").read_bytes(),
                                "text/html"),
        "escapes": feed_server.add("/a/escapes.rss", (FIXTURES / "escapes.rss").read_bytes()),
        "markup": feed_server.add("/a/markup.atom", (FIXTURES / "markup.atom").read_bytes()),
        "koi8": feed_server.add("/a/koi8.rss", (FIXTURES / "koi8r_undeclared.rss").read_bytes()),
    }
    goods = [good_feed(feed_server, 910 + i) for i in range(5)]
    lib.add_feeds([*urls.values(), *goods])
    summary = refresh(lib)
    for g in goods:
        assert_good_stored(lib, g)
    for name in ("bomb", "trickle", "loop", "file", "500", "html"):
        assert status(lib, urls[name]).error, name
    for name in ("escapes", "markup", "koi8"):
        assert status(lib, urls[name]).error is None, name
    assert summary.feeds_failed >= 6
    assert db_text_problems(lib.paths.cache_db) == []


# --- malformed HTTP from a raw socket ------------------------------------------------------


class RawHTTP:
    """A socket server answering each path with exact bytes: malformed HTTP on purpose."""

    def __init__(self) -> None:
        import socket
        import threading

        self.answers: dict[str, bytes] = {}
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str, answer: bytes) -> str:
        self.answers[path] = answer
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}{path}"

    def _serve(self) -> None:
        import threading

        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: object) -> None:
        import socket

        assert isinstance(conn, socket.socket)
        with conn:
            conn.settimeout(5)
            try:
                request = conn.recv(65536).decode("latin-1")
                path = request.split(" ", 2)[1] if " " in request else "/"
                conn.sendall(self.answers.get(path, b"HTTP/1.1 404 Not Found\r\n\r\n"))
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        self._thread.join(timeout=5)


@pytest.fixture
def raw_http() -> Iterator[RawHTTP]:
    server = RawHTTP()
    yield server
    server.close()


def _response(head: bytes, body: bytes, length: int | None = None) -> bytes:
    n = len(body) if length is None else length
    return (head + b"Content-Length: " + str(n).encode() + b"\r\nConnection: close\r\n\r\n"
            + body)


def test_hostile_validators_do_not_break_later_refreshes(lib: Library, raw_http: RawHTTP) -> None:
    """Non-ASCII and control bytes in ETag / Last-Modified are echoed back on the next
    request; that must not make the request (or the whole refresh) fail."""
    body = make_rss(5, 3)
    url = raw_http.url("/validators.xml", _response(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
        b'ETag: "caf\xe9\x80\x9b"\r\nLast-Modified: Mon, 03 Apr 2023 01:02:03 GMT\xff\r\n', body))
    lib.add_feeds([url])
    for _ in range(2):
        summary = refresh(lib)
        assert summary.feeds_failed == 0, summary.errors
    assert len(stored(lib, url)) == 3


def test_malformed_http_responses(lib: Library, raw_http: RawHTTP,
                                  feed_server: FeedServer) -> None:
    body = make_rss(6, 3)
    ok_head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
    bad = {
        "escape-reason": b"HTTP/1.1 500 \x1b]0;owned\x07\x1b[2J\r\nContent-Length: 0\r\n\r\n",
        "bad-status-line": b"HTTP/1.1 2\x1b[31m00 OK\r\nContent-Length: 0\r\n\r\n",
        "escape-header": ok_head.replace(b"rss+xml", b"rss+xml\x1b[31m") + b"X: \x00\r\n\r\n",
        "not-http": b"\x1b]52;c;b3duZWQ=\x07 hello, this is not HTTP at all\r\n\r\n",
        "short-body": _response(ok_head, body[:200], length=len(body)),
        "bad-gzip": _response(ok_head + b"Content-Encoding: gzip\r\n", b"\x1f\x8b\x08garbage!"),
        "bad-chunks": ok_head + b"Transfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n",
        "huge-headers": b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 200_000 + b"\r\n\r\n",
        "nothing": b"",
    }
    urls = {name: raw_http.url(f"/{name}", answer) for name, answer in bad.items()}
    good = good_feed(feed_server)
    lib.add_feeds([*urls.values(), good])
    summary = refresh(lib)
    assert_good_stored(lib, good)
    for name, u in urls.items():
        st = status(lib, u)
        if name == "escape-header":  # harmless header noise: the feed itself is fine
            continue
        assert st.error, name
        assert len(st.error) < 300 and "\n" not in st.error, (name, st.error)
    assert summary.feeds_failed >= len(bad) - 1
    # Error texts reach the CLI and the TUI: no escapes may ride along.
    assert db_text_problems(lib.paths.cache_db) == []


# --- lead images ---------------------------------------------------------------------------

PNG = png()


def test_hostile_images_are_refused_or_stored_by_hash(tmp_path: Path,
                                                      feed_server: FeedServer) -> None:
    images = pytest.importorskip("termnews.images")
    paths = resolve_paths(tmp_path / "img").ensure()
    cfg = config()
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
           b"<script>alert(2)</script></svg>")
    refused = {
        "svg": feed_server.add("/i/a.svg", svg, "image/svg+xml"),
        "html-as-png": feed_server.add("/i/b.png", b"<html><script>x</script></html>",
                                       "image/png"),
        "png-as-html": feed_server.add("/i/c.html", PNG, "text/html"),
        "bomb": feed_server.gzip_bomb("/i/d.png", size=64 * MB),
        # A few hundred bytes whose header claims 100,000 × 100,000 pixels.
        "pixel-bomb": feed_server.add("/i/e.png", png(claimed=(100_000, 100_000)), "image/png"),
        "forged-png": feed_server.add("/i/f.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
                                      "image/png"),
        "truncated": feed_server.add("/i/g.png", PNG[:-20], "image/png"),
        "javascript": "javascript:alert(1)",
        "file": "file:///etc/passwd",
        "option": "-oProxyCommand=x",
    }
    for name, url in refused.items():
        got = asyncio.run(images.cached_image(paths, cfg, url))
        assert got is None, name
    traversal = feed_server.add("/i/x.png", PNG, "image/png")
    for url in (traversal, feed_server.url("/i/../i/x.png"),
                feed_server.url("/i/%2e%2e/%2e%2e/x.png")):
        got = asyncio.run(images.cached_image(paths, cfg, url))
        if got is not None:
            assert got.parent == paths.images_dir
            assert re.fullmatch(r"[0-9a-f]{40}\.png", got.name), got.name
    assert asyncio.run(images.cached_image(paths, cfg, traversal)) is not None
    for p in paths.images_dir.rglob("*"):
        assert p.parent == paths.images_dir and re.fullmatch(r"[0-9a-f]{40}\.\w+", p.name)


# --- politeness ----------------------------------------------------------------------------


def test_refresh_is_polite_to_one_host(tmp_path: Path, feed_server: FeedServer) -> None:
    """Many feeds on one host: at most per_host requests at once, a real User-Agent."""
    urls = [feed_server.slow(f"/polite/{n}.xml", 0.3, make_rss(n, 2)) for n in range(12)]
    with open_library(tmp_path / "polite", per_host=2, concurrency=16, deadline=30.0) as lib:
        lib.add_feeds(urls)
        summary = refresh(lib)
        assert summary.feeds_ok == 12
    assert 1 <= feed_server.max_in_flight <= 2
    agents = {h.headers.get("user-agent", "") for h in feed_server.requests}
    assert agents and all(a.startswith("termnews/") for a in agents), agents


def cache_dump(lib: Library) -> str:
    """cache.db as SQL text (its search index reads through termnews's SQL functions)."""
    from termnews.store.db import register_functions

    conn = sqlite3.connect(lib.paths.cache_db)
    register_functions(conn)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()
