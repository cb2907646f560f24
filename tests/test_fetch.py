"""feeds.fetch against the real loopback server: validators, encodings, redirects, limits."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from feedserver import FeedServer, make_rss
from termnews.config import Config, RefreshConfig
from termnews.feeds.fetch import Limiter, fetch, make_client, parse_retry_after
from termnews.model import FetchResult


def cfg(**refresh: object) -> Config:
    return Config(refresh=RefreshConfig(**refresh))  # type: ignore[arg-type]


async def get(url: str, config: Config | None = None, *, etag: str | None = None,
              last_modified: str | None = None, allow_files: bool = False) -> FetchResult:
    config = config or cfg()
    async with make_client(config) as client:
        return await fetch(client, url, etag=etag, last_modified=last_modified, config=config,
                           allow_files=allow_files)


async def test_200_gzip_and_validators(feed_server: FeedServer) -> None:
    body = make_rss(1, 10)
    url = feed_server.add("/a.xml", body)
    r = await get(url)
    assert r.error is None and r.status == 200
    assert r.body == body  # decompressed
    assert r.etag and r.last_modified
    assert "rss" in r.content_type
    hit = feed_server.requests[-1]
    assert "gzip" in hit.headers["accept-encoding"]
    assert hit.headers["user-agent"] == RefreshConfig().user_agent
    assert hit.headers["user-agent"].startswith("termnews/")


async def test_etag_gives_304_and_keeps_validators(feed_server: FeedServer) -> None:
    url = feed_server.add("/a.xml", make_rss(1, 3))
    first = await get(url)
    second = await get(url, etag=first.etag, last_modified=first.last_modified)
    assert second.status == 304 and second.not_modified and second.error is None
    assert second.body == b""
    assert second.etag == first.etag
    assert feed_server.count_304() == 1


async def test_last_modified_alone_gives_304(feed_server: FeedServer) -> None:
    url = feed_server.add("/a.xml", make_rss(1, 3), etag=False)
    first = await get(url)
    assert first.etag is None and first.last_modified
    second = await get(url, last_modified=first.last_modified)
    assert second.status == 304


async def test_changed_feed_is_fetched_again(feed_server: FeedServer) -> None:
    url = feed_server.add("/a.xml", make_rss(1, 3))
    first = await get(url)
    feed_server.touch("/a.xml", make_rss(1, 4))
    second = await get(url, etag=first.etag, last_modified=first.last_modified)
    assert second.status == 200 and second.body == make_rss(1, 4)
    assert second.etag != first.etag


async def test_redirect_followed(feed_server: FeedServer) -> None:
    target = feed_server.add("/real.xml", make_rss(1, 2))
    url = feed_server.redirect("/old.xml", "/real.xml", 301)
    r = await get(url)
    assert r.status == 200 and r.error is None
    assert r.url == url and r.final_url == target


async def test_redirect_loop_and_long_chains_stop(feed_server: FeedServer) -> None:
    feed_server.redirect("/loop1", "/loop2", 302)
    loop = feed_server.redirect("/loop2", "/loop1", 302)
    r = await get(loop)
    assert r.error == "too many redirects"
    for i in range(6):  # six hops is one too many
        feed_server.redirect(f"/hop{i}", f"/hop{i + 1}", 307)
    feed_server.add("/hop6", make_rss(1, 1))
    assert (await get(feed_server.url("/hop0"))).error == "too many redirects"
    assert (await get(feed_server.url("/hop1"))).status == 200  # five hops are fine


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://files.example/x",
                                    "javascript:alert(1)", "data:text/xml,<rss/>"])
async def test_redirect_to_non_http_refused(feed_server: FeedServer, target: str) -> None:
    url = feed_server.redirect("/r", target)
    r = await get(url, allow_files=True)
    assert r.error == "redirect to a non-http URL refused"
    assert r.body == b""


@pytest.mark.parametrize("code", [500, 404, 403, 410, 502])
async def test_http_errors(feed_server: FeedServer, code: int) -> None:
    r = await get(feed_server.status("/e", code))
    assert r.status == code and r.error == f"HTTP {code}" and r.retry_after is None


async def test_429_retry_after_seconds(feed_server: FeedServer) -> None:
    r = await get(feed_server.status("/busy", 429, {"Retry-After": "120"}))
    assert r.error == "HTTP 429" and r.retry_after == 120


async def test_503_retry_after_http_date(feed_server: FeedServer) -> None:
    when = email.utils.formatdate(time.time() + 600, usegmt=True)
    r = await get(feed_server.status("/down", 503, {"Retry-After": when}))
    assert r.error == "HTTP 503"
    assert r.retry_after is not None and 500 < r.retry_after <= 600


def test_parse_retry_after() -> None:
    assert parse_retry_after("30") == 30
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after(email.utils.formatdate(time.time() - 60, usegmt=True)) == 0


async def test_size_cap(feed_server: FeedServer) -> None:
    url = feed_server.add("/big.xml", b"<rss>" + b"x" * (2 * 1024 * 1024) + b"</rss>", gzip=False)
    r = await get(url, cfg(max_bytes=1024 * 1024))
    assert r.error == "too large: over 1 MB" and r.body == b""


async def test_size_cap_counts_decompressed_bytes(feed_server: FeedServer) -> None:
    # gzip makes this 2 MB body tiny on the wire; the cap is on what it inflates to.
    url = feed_server.add("/big.xml", b"<rss>" + b" " * (2 * 1024 * 1024) + b"</rss>")
    r = await get(url, cfg(max_bytes=1024 * 1024))
    assert r.error == "too large: over 1 MB"
    assert feed_server.requests[-1].path == "/big.xml"


async def test_gzip_bomb(feed_server: FeedServer) -> None:
    url = feed_server.gzip_bomb("/bomb.xml", 64 * 1024 * 1024)
    r = await get(url)
    assert r.error == "too large: over 16 MB"


async def test_slow_feed_within_timeout(feed_server: FeedServer) -> None:
    url = feed_server.slow("/slow.xml", 0.5, make_rss(1, 2))
    r = await get(url, cfg(timeout=5.0))
    assert r.status == 200 and r.error is None


async def test_trickle_hits_the_total_deadline(feed_server: FeedServer) -> None:
    url = feed_server.trickle("/trickle.xml", interval=0.1)
    started = time.monotonic()
    r = await get(url, cfg(timeout=5.0, deadline=1.5))
    assert r.error == "timed out after 1.5 s"
    assert time.monotonic() - started < 10  # bounded: the deadline, not the trickle, decided


async def test_hang_hits_the_read_timeout(feed_server: FeedServer) -> None:
    url = feed_server.hang("/hang.xml")
    r = await get(url, cfg(timeout=0.5, deadline=30.0))
    assert r.error == "timed out after 0.5 s" and r.status is None


async def test_connection_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = await get(f"http://127.0.0.1:{port}/feed.xml")
    assert r.error == "connection refused" and r.status is None


async def test_unsupported_scheme() -> None:
    assert (await get("ftp://files.example/feed.xml")).error == "unsupported URL scheme: ftp"


async def test_file_urls_only_when_allowed(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(make_rss(1, 2))
    url = path.as_uri()
    assert (await get(url)).error == "file URLs are not allowed"
    first = await get(url, allow_files=True)
    assert first.status == 200 and first.body == make_rss(1, 2)
    again = await get(url, allow_files=True, last_modified=first.last_modified)
    assert again.status == 304
    missing = await get((tmp_path / "nope.xml").as_uri(), allow_files=True)
    assert missing.error == "file not found"


async def test_limiter_bounds_per_host(feed_server: FeedServer) -> None:
    config = cfg(concurrency=16, per_host=2)
    urls = [feed_server.slow(f"/s{i}.xml", 0.2, make_rss(i, 1)) for i in range(8)]
    limiter = Limiter(config.refresh.concurrency, config.refresh.per_host)
    async with make_client(config) as client:

        async def one(u: str) -> FetchResult:
            async with limiter.slot(u):
                return await fetch(client, u, etag=None, last_modified=None, config=config)

        results = await asyncio.gather(*(one(u) for u in urls))
    assert all(r.status == 200 for r in results)
    assert feed_server.max_in_flight == 2


@contextlib.contextmanager
def tls_server(tmp_path: Path, handler: type[BaseHTTPRequestHandler], *,
               san: bool = False) -> Iterator[tuple[int, Path]]:
    """A loopback HTTPS server with a fresh self-signed certificate: (port, certificate).

    With san, the certificate names 127.0.0.1 as its subjectAltName, so it verifies once
    trusted; without, no client may accept it.
    """
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    extra = ["-addext", "subjectAltName=IP:127.0.0.1"] if san else []
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    *extra], check=True, capture_output=True)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd.server_address[1], cert
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
async def test_https_certificates_are_verified(tmp_path: Path) -> None:
    """http and https go through different transports: https must still verify."""
    with tls_server(tmp_path, BaseHTTPRequestHandler) as (port, _cert):
        r = await get(f"https://127.0.0.1:{port}/feed.xml")
    assert r.error is not None and r.error.startswith("TLS error")
    assert "certificate" in r.error


@pytest.mark.parametrize("coding", ["gzip", "deflate", "deflate-raw", "br", "identity"])
async def test_content_encodings(feed_server: FeedServer, coding: str) -> None:
    import zlib

    import brotli

    body = make_rss(5, 20)
    encoded = {
        "gzip": lambda b: zlib.compress(b, wbits=31),
        "deflate": zlib.compress,
        "deflate-raw": lambda b: zlib.compress(b, wbits=-15),
        "br": brotli.compress,
        "identity": lambda b: b,
    }[coding](body)
    header = "deflate" if coding == "deflate-raw" else coding
    url = feed_server.raw("/enc.xml", encoded, {"Content-Type": "application/rss+xml",
                                                 "Content-Encoding": header})
    r = await get(url)
    assert r.error is None and r.body == body


async def test_brotli_bomb_is_capped(feed_server: FeedServer) -> None:
    import brotli

    bomb = brotli.compress(b"<rss>" + b" " * (40 * 1024 * 1024), quality=5)
    url = feed_server.raw("/bomb.br", bomb, {"Content-Encoding": "br"})
    r = await get(url, cfg(max_bytes=2 * 1024 * 1024))
    assert r.error == "too large: over 2 MB"


async def test_bad_compressed_data_and_unknown_codings(feed_server: FeedServer) -> None:
    bad = feed_server.raw("/bad.gz", b"\x1f\x8b\x08\x00garbage-not-gzip",
                          {"Content-Encoding": "gzip"})
    assert (await get(bad)).error == "bad compressed data"
    odd = feed_server.raw("/odd", b"x", {"Content-Encoding": "compress"})
    assert (await get(odd)).error == "unsupported content encoding: compress"


async def test_query_strings_and_non_ascii_paths(feed_server: FeedServer) -> None:
    feed_server.add("/q.xml", make_rss(1, 1))
    feed_server.add("/caf%C3%A9.xml", make_rss(2, 1))
    for path in ("/q.xml?a=1&b=ü", "/café.xml", "/q.xml#fragment"):
        r = await get(feed_server.url(path))
        assert r.status == 200 and r.error is None, path
    assert feed_server.log == [("/q.xml?a=1&b=%C3%BC", 200), ("/caf%C3%A9.xml", 200),
                               ("/q.xml", 200)]


async def test_redirect_to_an_unusable_url(feed_server: FeedServer) -> None:
    url = feed_server.redirect("/r", "http://[::1/broken")
    r = await get(url)
    assert r.error == "invalid redirect URL" and r.status == 301


async def test_a_kept_alive_connection_the_server_closed_is_replaced() -> None:
    """Servers drop idle keep-alive connections; the next request must not fail for it."""
    body = make_rss(9, 2)
    served = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal served
        await reader.readuntil(b"\r\n\r\n")
        served += 1
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                     b"Connection: keep-alive\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        # Promised keep-alive, then hang up on the next request without answering it
        # (as a server does whose idle timeout struck just as the request came).
        with contextlib.suppress(Exception):
            await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    config = cfg()
    try:
        async with make_client(config) as client:
            for _ in range(3):
                r = await fetch(client, f"http://127.0.0.1:{port}/f.xml", etag=None,
                                last_modified=None, config=config)
                assert r.error is None and r.body == body
    finally:
        server.close()
        await server.wait_closed()
    assert served == 3


async def test_proxy_from_the_environment(feed_server: FeedServer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """http_proxy is honoured: the loopback server plays the proxy (it serves absolute-form
    request targets by their path), so a made-up host name still gets the feed."""
    body = make_rss(4, 2)
    feed_server.add("/via-proxy.xml", body)
    for name in ("no_proxy", "NO_PROXY", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", feed_server.base)
    r = await get("http://feeds.invalid/via-proxy.xml")
    assert r.error is None and r.body == body
    assert feed_server.requests[-1].path == "http://feeds.invalid/via-proxy.xml"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
async def test_https_feed_with_a_trusted_certificate(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    body = make_rss(8, 3)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with tls_server(tmp_path, Handler, san=True) as (port, cert):
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust exactly this certificate
        config = cfg()
        async with make_client(config) as client:
            for _ in range(2):  # the second goes over the kept-alive TLS connection
                r = await fetch(client, f"https://127.0.0.1:{port}/f.xml",
                                etag=None, last_modified=None, config=config)
                assert r.error is None and r.body == body
