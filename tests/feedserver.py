"""A real HTTP feed server on 127.0.0.1 for tests and benchmarks.

No mocks: termnews talks to this server over loopback exactly as it would talk
to a news site. Usable from pytest (the ``feed_server`` fixture) and from plain
scripts::

    server = FeedServer().start()
    server.add("/a.xml", make_rss(1, 50))
    url = server.url("/a.xml")
    ...
    server.stop()

Routes answer with ETag / Last-Modified and 304 on a matching conditional
request, gzip when the client accepts it, and can instead redirect, fail with
a status, answer slowly, trickle a byte a second for ever, or hang. Every
request is logged (path, status, request headers).
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import pytest

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


class Hit(NamedTuple):
    """One request the server answered."""

    path: str
    status: int
    headers: dict[str, str]


@dataclass
class Route:
    kind: str = "body"  # body | redirect | status | trickle | hang | raw
    body: bytes = b""
    content_type: str = RSS_TYPE
    etag: bool = True
    last_modified: bool = True
    gzip: bool = True
    mtime: float = 0.0
    version: int = 0
    delay: float = 0.0
    status: int = 200
    location: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    interval: float = 1.0

    @property
    def etag_value(self) -> str:
        digest = hashlib.sha1(self.body + str(self.version).encode()).hexdigest()[:16]
        return f'"{digest}"'

    @property
    def last_modified_value(self) -> str:
        return email.utils.formatdate(self.mtime, usegmt=True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for trickling/hanging handlers
    request_queue_size = 256
    owner: FeedServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else header and body writes stall on delayed ACKs

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, *, head: bool) -> None:
        owner = self.server.owner
        path = self.path
        route = owner._route(path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        owner._enter()
        try:
            self._answer(owner, route, path, headers, head)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            pass
        finally:
            owner._leave()

    def _send(self, status: int, headers: dict[str, str], body: bytes, head: bool) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if not head and body:
            # One write for headers and body: no small-packet round trip in between.
            self._headers_buffer.append(b"\r\n")
            self.wfile.write(b"".join(self._headers_buffer) + body)
            self._headers_buffer = []
        else:
            self.end_headers()

    def _answer(self, owner: FeedServer, route: Route | None, path: str,
                req: dict[str, str], head: bool) -> None:
        if route is None:
            owner._log(path, 404, req)
            self._send(404, {"Content-Type": "text/plain"}, b"not found\n", head)
            return
        if route.delay:
            owner._stopping.wait(route.delay)
        if route.kind == "redirect":
            owner._log(path, route.status, req)
            self._send(route.status, {"Location": route.location}, b"", head)
            return
        if route.kind == "status":
            owner._log(path, route.status, req)
            hdrs = {"Content-Type": route.content_type, **route.headers}
            self._send(route.status, hdrs, route.body, head)
            return
        if route.kind == "hang":
            owner._log(path, 0, req)
            owner._stopping.wait()
            self.close_connection = True
            return
        if route.kind == "trickle":
            owner._log(path, 200, req)
            self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            self.wfile.write(b'<?xml version="1.0"?>\n<rss version="2.0"><channel>')
            self.wfile.flush()
            while not owner._stopping.wait(route.interval):
                self.wfile.write(b" ")
                self.wfile.flush()
            return
        if route.kind == "raw":
            owner._log(path, route.status, req)
            self._send(route.status, dict(route.headers), route.body, head)
            return
        # An ordinary document, with validators.
        hdrs: dict[str, str] = {"Content-Type": route.content_type}
        if route.etag:
            hdrs["ETag"] = route.etag_value
        if route.last_modified:
            hdrs["Last-Modified"] = route.last_modified_value
        if _not_modified(route, req):
            owner._log(path, 304, req)
            self.send_response(304)
            for k, v in hdrs.items():
                if k != "Content-Type":
                    self.send_header(k, v)
            self.end_headers()
            return
        body = route.body
        accept = req.get("accept-encoding", "")
        if route.gzip and "gzip" in accept and body:
            body = owner._gzipped(route)
            hdrs["Content-Encoding"] = "gzip"
            hdrs["Vary"] = "Accept-Encoding"
        hdrs.update(route.headers)
        owner._log(path, 200, req)
        self._send(200, hdrs, body, head)


def _not_modified(route: Route, req: dict[str, str]) -> bool:
    inm = req.get("if-none-match")
    if inm is not None:
        if not route.etag:
            return False
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return route.etag_value in tags or "*" in tags
    ims = req.get("if-modified-since")
    if ims is not None and route.last_modified:
        try:
            since = email.utils.parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False
        return int(route.mtime) <= since
    return False


class FeedServer:
    """A loopback HTTP server with programmable routes and a request log."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._routes: dict[str, Route] = {}
        self._gz: dict[tuple[str, int], bytes] = {}
        self._lock = threading.Lock()
        self._hits: list[Hit] = []
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._in_flight = 0
        self.max_in_flight = 0  # most requests handled at once, for concurrency tests
        self._clock = 0.0

    # --- lifecycle -------------------------------------------------------------

    def start(self) -> FeedServer:
        httpd = _Server((self.host, 0), _Handler)
        httpd.owner = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                         name="feed-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases trickling and hanging handlers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + (path if path.startswith("/") else "/" + path)

    # --- routes ----------------------------------------------------------------

    def _now(self) -> float:
        # Strictly increasing whole seconds: Last-Modified has one-second granularity,
        # so two versions of a document must never share one.
        with self._lock:
            self._clock = max(float(int(time.time())) - 3600, self._clock + 1)
            return self._clock

    def add(self, path: str, body: bytes, content_type: str = RSS_TYPE, *, etag: bool = True,
            last_modified: bool = True, gzip: bool = True,
            headers: dict[str, str] | None = None) -> str:
        """Serve body at path with validators; returns the full URL."""
        self._routes[path] = Route(body=body, content_type=content_type, etag=etag,
                                   last_modified=last_modified, gzip=gzip, mtime=self._now(),
                                   headers=dict(headers or {}))
        return self.url(path)

    def add_feeds(self, count: int, items: int, *, prefix: str = "/feeds/",
                  atom: bool = False, lang: str = "en") -> list[str]:
        """count generated feeds of items entries each; returns their URLs."""
        make = make_atom if atom else make_rss
        ctype = ATOM_TYPE if atom else RSS_TYPE
        return [self.add(f"{prefix}{n}.xml", make(n, items, lang=lang), ctype)
                for n in range(count)]

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        self._routes[path] = Route(kind="redirect", location=to, status=status)
        return self.url(path)

    def status(self, path: str, code: int, headers: dict[str, str] | None = None,
               body: bytes = b"", content_type: str = "text/plain") -> str:
        """Always answer code (e.g. 500, 404, 429 with {"Retry-After": "120"})."""
        self._routes[path] = Route(kind="status", status=code, headers=dict(headers or {}),
                                   body=body, content_type=content_type)
        return self.url(path)

    def raw(self, path: str, body: bytes, headers: dict[str, str], status: int = 200) -> str:
        """Send body and headers exactly as given (no validators, no encoding)."""
        self._routes[path] = Route(kind="raw", status=status, body=body, headers=dict(headers))
        return self.url(path)

    def gzip_bomb(self, path: str, size: int = 64 * 1024 * 1024) -> str:
        """A small gzip body that inflates to size bytes of XML-ish filler."""
        comp = zlib.compressobj(9, zlib.DEFLATED, 31)
        chunk = b"<rss><channel>" + b" " * (1024 * 1024 - 14)
        parts = [comp.compress(chunk)]
        zeros = b" " * (1024 * 1024)
        for _ in range(size // len(zeros) - 1):
            parts.append(comp.compress(zeros))
        parts.append(comp.flush())
        return self.raw(path, b"".join(parts),
                        {"Content-Type": RSS_TYPE, "Content-Encoding": "gzip"})

    def slow(self, path: str, delay: float, body: bytes | None = None,
             content_type: str = RSS_TYPE) -> str:
        """Answer path after delay seconds (adds the route when body is given)."""
        if body is not None:
            self.add(path, body, content_type)
        self._routes[path].delay = delay
        return self.url(path)

    def trickle(self, path: str, interval: float = 1.0) -> str:
        """Send headers, then one byte every interval seconds until the server stops."""
        self._routes[path] = Route(kind="trickle", interval=interval)
        return self.url(path)

    def hang(self, path: str) -> str:
        """Accept the request and never answer (until the server stops)."""
        self._routes[path] = Route(kind="hang")
        return self.url(path)

    def remove(self, path: str) -> None:
        self._routes.pop(path, None)

    def touch(self, path: str, body: bytes | None = None) -> None:
        """A new version of a document: new ETag and Last-Modified (and body if given)."""
        route = self._routes[path]
        if body is not None:
            route.body = body
        route.version += 1
        route.mtime = self._now()

    def touch_all(self) -> None:
        for path, route in list(self._routes.items()):
            if route.kind == "body":
                self.touch(path)

    def _route(self, path: str) -> Route | None:
        route = self._routes.get(path)
        if route is None:
            route = self._routes.get(urlsplit(path).path)
        return route

    def _gzipped(self, route: Route) -> bytes:
        key = (route.etag_value, len(route.body))
        with self._lock:
            data = self._gz.get(key)
        if data is None:
            data = gzip.compress(route.body, compresslevel=5, mtime=0)
            with self._lock:
                self._gz[key] = data
        return data

    # --- request log -------------------------------------------------------------

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _log(self, path: str, status: int, headers: dict[str, str]) -> None:
        with self._lock:
            self._hits.append(Hit(path, status, headers))

    @property
    def requests(self) -> list[Hit]:
        """Every request so far: path, status (0 for a hang), request headers."""
        with self._lock:
            return list(self._hits)

    @property
    def log(self) -> list[tuple[str, int]]:
        return [(h.path, h.status) for h in self.requests]

    def count(self, status: int | None = None, path: str | None = None) -> int:
        return sum(1 for h in self.requests
                   if (status is None or h.status == status) and (path is None or h.path == path))

    def count_200(self) -> int:
        return self.count(200)

    def count_304(self) -> int:
        return self.count(304)

    def clear_log(self) -> None:
        with self._lock:
            self._hits.clear()
            self.max_in_flight = 0


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()


# --- generated feeds (original test text) -------------------------------------------

_TOPICS = ("harbour", "orchard", "observatory", "railway", "library", "glacier", "market",
           "bridge", "vineyard", "lighthouse", "archive", "canal")
_VERBS = ("reopens", "expands", "reports record season", "trials new schedule",
          "welcomes visitors", "restores its roof", "publishes survey", "plans open day")
_BASE_DATE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def item_title(feed_no: int, i: int) -> str:
    return (f"Feed {feed_no} item {i}: the {_TOPICS[(feed_no + i) % len(_TOPICS)]} "
            f"{_VERBS[(feed_no * 3 + i) % len(_VERBS)]}")


def item_date(feed_no: int, i: int) -> datetime:
    """Item 0 is the newest; each item an hour older, feeds offset by minutes."""
    return _BASE_DATE - timedelta(hours=i, minutes=feed_no % 60)


def _paragraph(feed_no: int, i: int) -> str:
    topic = _TOPICS[(feed_no + i) % len(_TOPICS)]
    return (f"Local volunteers met at the {topic} on a grey morning to count what the "
            f"season had left behind. Story {i} of feed {feed_no} follows their notes, "
            f"their arguments about the budget and the small repairs nobody had planned.")


def make_rss(feed_no: int, items: int, *, lang: str = "en",
             site: str = "https://news.example") -> bytes:
    """An RSS 2.0 feed of items distinct, dated entries (item 0 newest)."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:media="http://search.yahoo.com/mrss/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
        f"<title>Test feed {feed_no}</title>\n<link>{site}/{feed_no}/</link>\n"
        f"<description>Generated feed number {feed_no} for termnews tests</description>\n"
        f"<language>{lang}</language>\n"
    ]
    for i in range(items):
        link = f"{site}/{feed_no}/story-{i}"
        date = email.utils.format_datetime(item_date(feed_no, i))
        para = _paragraph(feed_no, i)
        out.append(
            f"<item>\n<title>{escape(item_title(feed_no, i))}</title>\n<link>{link}</link>\n"
            f'<guid isPermaLink="false">feed-{feed_no}-item-{i}</guid>\n'
            f"<pubDate>{date}</pubDate>\n"
            f"<dc:creator>Reporter {i % 7}</dc:creator>\n"
            f"<category>Section {i % 5}</category>\n"
            f"<description>{escape(f'<p>{para}</p><p>Second paragraph {i}.</p>')}"
            f"</description>\n</item>\n"
        )
    out.append("</channel>\n</rss>\n")
    return "".join(out).encode("utf-8")


def make_atom(feed_no: int, items: int, *, lang: str = "en",
              site: str = "https://news.example") -> bytes:
    """An Atom 1.0 feed of items distinct, dated entries (item 0 newest)."""
    updated = item_date(feed_no, 0).isoformat().replace("+00:00", "Z")
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">\n'
        f"<title>Atom test feed {feed_no}</title>\n<id>urn:test:feed:{feed_no}</id>\n"
        f'<link rel="alternate" href="{site}/{feed_no}/"/>\n<updated>{updated}</updated>\n'
    ]
    for i in range(items):
        when = item_date(feed_no, i).isoformat().replace("+00:00", "Z")
        para = _paragraph(feed_no, i)
        out.append(
            f"<entry>\n<id>urn:test:feed:{feed_no}:entry:{i}</id>\n"
            f"<title>{escape(item_title(feed_no, i))}</title>\n"
            f'<link rel="alternate" type="text/html" href="{site}/{feed_no}/entry-{i}"/>\n'
            f"<published>{when}</published>\n<updated>{when}</updated>\n"
            f"<author><name>Writer {i % 4}</name></author>\n"
            f'<category term="Topic {i % 3}"/>\n'
            f'<summary type="text">{escape(para[:90])}</summary>\n'
            f'<content type="html">{escape(f"<p>{para}</p><h2>More</h2><p>End {i}.</p>")}'
            f"</content>\n</entry>\n"
        )
    out.append("</feed>\n")
    return "".join(out).encode("utf-8")


def make_opml(urls: list[str], *, folder: str | None = None) -> bytes:
    """An OPML 2.0 document listing urls (optionally inside one folder)."""
    lines = [f'<outline type="rss" text="Feed {n}" xmlUrl="{escape(u, {chr(34): "&quot;"})}"/>'
             for n, u in enumerate(urls)]
    body = "\n".join(lines)
    if folder is not None:
        body = f'<outline text="{escape(folder)}">\n{body}\n</outline>'
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">\n'
            f"<head><title>test feeds</title></head>\n<body>\n{body}\n</body>\n</opml>\n"
            ).encode()


def main(argv: list[str] | None = None) -> None:
    """Serve generated feeds from a separate process (benchmarks: keeps the server's
    threads off the measured process's GIL). Prints one feed URL per line, then
    "ready", and serves until killed."""
    import argparse
    import sys

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--atom", action="store_true")
    args = ap.parse_args(argv)
    server = FeedServer().start()
    for url in server.add_feeds(args.feeds, args.items, atom=args.atom):
        print(url)
    print("ready", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
