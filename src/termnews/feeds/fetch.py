"""Fetching one feed politely and defensively (h11 over asyncio streams).

Conditional GET (ETag / Last-Modified) so an unchanged feed costs one 304;
compressed transfer; a cap on the decompressed body (gzip bombs); a per-read
timeout and a total deadline (a server that trickles a byte a second never
finishes otherwise); redirects followed by hand, at most ``max_redirects`` and
only to http(s). Every failure becomes a ``FetchResult`` with a short, clear
``error`` — nothing here raises for a bad feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import os
import ssl
import sys
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any, NamedTuple
from urllib.parse import quote, unquote, urljoin, urlsplit

from termnews.config import Config
from termnews.model import FetchResult

ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
          "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
REDIRECTS = (301, 302, 303, 307, 308)


class DecodeError(Exception):
    """A compressed body that does not decompress."""


DECODE_STEP = 1024 * 1024  # most bytes one decompression step may produce


class BoundedDecoder:
    """Content-Encoding decoding in bounded steps.

    HTTP libraries inflate each network read in one go, so 64 KB of a gzip bomb becomes
    ~64 MB in memory before any size check can run. Here every step yields at
    most DECODE_STEP bytes, and the caller stops as soon as the cap is passed.
    """

    def __init__(self, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1:
            raise ValueError(f"unsupported content encoding: {content_encoding.strip()[:40]}")
        self.kind = codings[0] if codings else ""
        self._z: Any = None
        self._br: Any = None
        if self.kind in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.kind == "br":
            import brotli

            self._br = brotli.Decompressor()
        elif self.kind not in ("", "deflate"):
            raise ValueError(f"unsupported content encoding: {self.kind[:40]}")

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._z.decompress(data, DECODE_STEP)
            yield out
            while self._z.unconsumed_tail:
                yield self._z.decompress(self._z.unconsumed_tail, DECODE_STEP)
        except zlib.error as exc:
            raise DecodeError(str(exc)) from None

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not data:
            return
        if self.kind == "":
            yield data
            return
        if self.kind == "deflate" and self._z is None:
            # "deflate" is zlib-wrapped by the standard, raw by some servers.
            wrapped = len(data) >= 2 and (data[0] & 0x0F) == 8 and (
                (data[0] << 8) | data[1]) % 31 == 0
            self._z = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        if self._z is not None:
            yield from self._inflate(data)
            return
        try:
            yield self._br.process(data, output_buffer_limit=DECODE_STEP)
            while not self._br.can_accept_more_data():
                yield self._br.process(b"", output_buffer_limit=DECODE_STEP)
        except Exception as exc:  # brotli.error
            raise DecodeError(str(exc)) from None

    def flush(self) -> Iterator[bytes]:
        if self._z is not None:
            try:
                rest = self._z.flush()
            except zlib.error as exc:
                raise DecodeError(str(exc)) from None
            if rest:
                yield rest


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def import_httpcore() -> Any:
    """httpcore (only for proxies), without trio: httpcore imports trio when it is
    installed (~0.1 s) only to support trio event loops; termnews runs on asyncio."""
    if "httpcore" in sys.modules:
        return sys.modules["httpcore"]
    hide_trio = "trio" not in sys.modules
    if hide_trio:
        sys.modules["trio"] = None  # type: ignore[assignment]
    try:
        import httpcore
    finally:
        if hide_trio and sys.modules.get("trio", 0) is None:
            del sys.modules["trio"]
    return httpcore


def _ssl_context() -> ssl.SSLContext:
    """A verifying TLS context: SSL_CERT_FILE when set, else certifi's bundle (as httpx)."""
    cafile = os.environ.get("SSL_CERT_FILE")
    if not cafile:
        try:
            import certifi

            cafile = certifi.where()
        except ImportError:
            cafile = None
    return ssl.create_default_context(cafile=cafile)


class _Errors:
    """Transport errors, named and nested as httpcore's (whose are mapped onto these when a
    proxy is used): the direct path never imports httpcore."""

    class TransportError(Exception):
        pass

    class TimeoutException(TransportError):
        pass

    class ConnectTimeout(TimeoutException):
        pass

    class ReadTimeout(TimeoutException):
        pass

    class WriteTimeout(TimeoutException):
        pass

    class PoolTimeout(TimeoutException):
        pass

    class NetworkError(TransportError):
        pass

    class ConnectError(NetworkError):
        pass

    class ReadError(NetworkError):
        pass

    class WriteError(NetworkError):
        pass

    class ProtocolError(TransportError):
        pass

    class RemoteProtocolError(ProtocolError):
        pass

    class LocalProtocolError(ProtocolError):
        pass

    class ProxyError(TransportError):
        pass

    class UnsupportedProtocol(TransportError):
        pass


class _Target(NamedTuple):
    """What a request goes to: ASCII host (IDNA), port or None, and the request target."""

    scheme: str
    host: bytes
    port: int | None
    target: bytes


class _ProxyPool:
    """httpcore's proxy pool behind the interface of _H11Pool, its errors as _Errors."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    @contextlib.asynccontextmanager
    async def stream(self, method: str, url: _Target, *, headers: list[tuple[bytes, bytes]],
                     extensions: dict[str, Any] | None = None) -> AsyncIterator[Any]:
        import httpcore

        target = httpcore.URL(scheme=url.scheme.encode(), host=url.host, port=url.port,
                              target=url.target)
        try:
            async with self.pool.stream(method, target, headers=headers,
                                        extensions=extensions or {}) as resp:
                yield _ProxyResponse(resp)
        except httpcore.ConnectError as exc:  # the names match, the classes do not
            raise _Errors.ConnectError(str(exc)) from exc
        except Exception as exc:
            mapped = getattr(_Errors, type(exc).__name__, None)
            if isinstance(mapped, type) and issubclass(mapped, _Errors.TransportError):
                raise mapped(str(exc)) from exc
            raise

    async def aclose(self) -> None:
        await self.pool.aclose()


class _ProxyResponse:
    def __init__(self, resp: Any) -> None:
        self.resp = resp
        self.status = resp.status
        self.headers = resp.headers

    async def aiter_stream(self) -> AsyncIterator[bytes]:
        import httpcore

        try:
            async for chunk in self.resp.aiter_stream():
                yield chunk
        except httpcore.ReadTimeout as exc:
            raise _Errors.ReadTimeout(str(exc)) from exc
        except httpcore.RemoteProtocolError as exc:
            raise _Errors.RemoteProtocolError(str(exc)) from exc
        except httpcore.NetworkError as exc:
            raise _Errors.ReadError(str(exc)) from exc

    async def aread(self) -> bytes:
        return b"".join([chunk async for chunk in self.aiter_stream()])


class _H11Response:
    """A response read with h11 off an asyncio stream (the interface httpcore's has)."""

    def __init__(self, conn: _H11Connection, status: int,
                 headers: list[tuple[bytes, bytes]]) -> None:
        self.conn = conn
        self.status = status
        self.headers = headers
        self.complete = False

    async def aiter_stream(self) -> AsyncIterator[bytes]:
        h11 = self.conn.h11
        while True:
            event = await self.conn.next_event()
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self.complete = True
                return
            else:  # ConnectionClosed mid-body
                raise self.conn.hc.RemoteProtocolError("server closed the connection")

    async def aread(self) -> bytes:
        return b"".join([chunk async for chunk in self.aiter_stream()])


class _H11Connection:
    """One keep-alive HTTP/1.1 connection: h11 for the protocol, asyncio for the socket."""

    def __init__(self, hc: Any, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 read_timeout: float) -> None:
        import h11

        self.h11 = h11
        self.hc = hc
        self.reader = reader
        self.writer = writer
        self.read_timeout = read_timeout
        self.state = h11.Connection(h11.CLIENT)
        self.used = False

    def reusable(self) -> bool:
        return (self.state.our_state is self.h11.IDLE and not self.reader.at_eof()
                and not self.writer.is_closing())

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()

    async def next_event(self) -> Any:
        while True:
            try:
                event = self.state.next_event()
            except self.h11.RemoteProtocolError as exc:
                raise self.hc.RemoteProtocolError(str(exc)) from exc
            if event is not self.h11.NEED_DATA:
                return event
            try:
                async with asyncio.timeout(self.read_timeout):
                    data = await self.reader.read(65536)
            except TimeoutError:
                raise self.hc.ReadTimeout("read timed out") from None
            except OSError as exc:
                raise self.hc.ReadError(str(exc)) from exc
            self.state.receive_data(data)  # b"" tells h11 the peer closed


class _H11Pool:
    """Direct connections for one scheme, kept alive per host and port."""

    def __init__(self, hc: Any, timeout: dict[str, Any], tls: ssl.SSLContext | None,
                 keep: int) -> None:
        self.hc = hc
        self.timeout = timeout
        self.tls = tls
        self.keep = max(keep, 1)
        self.idle: dict[tuple[str, int], list[_H11Connection]] = {}

    async def _open(self, host: str, port: int) -> _H11Connection:
        hc = self.hc
        try:
            async with asyncio.timeout(self.timeout["connect"]):
                # happy eyeballs: a dead IPv6 route must not cost the whole connect timeout
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=self.tls, server_hostname=host if self.tls else None,
                    limit=1 << 20, happy_eyeballs_delay=0.25)
        except TimeoutError:
            raise hc.ConnectTimeout("connect timed out") from None
        except OSError as exc:  # refused, DNS, TLS verification …
            raise hc.ConnectError(str(exc)) from exc
        return _H11Connection(hc, reader, writer, self.timeout["read"])

    @contextlib.asynccontextmanager
    async def stream(self, method: str, url: Any, *, headers: list[tuple[bytes, bytes]],
                     extensions: dict[str, Any] | None = None) -> AsyncIterator[_H11Response]:
        host = url.host.decode("ascii")
        port = url.port or (443 if self.tls else 80)
        key = (host, port)
        netloc = f"[{host}]" if ":" in host else host
        if url.port is not None:
            netloc += f":{url.port}"
        request_headers = [(b"Host", netloc.encode("ascii")), *headers]
        for attempt in range(2):
            pool = self.idle.get(key, [])
            conn = None
            while pool and conn is None:
                candidate = pool.pop()
                if candidate.reusable():
                    conn = candidate
                else:
                    candidate.close()
            reused = conn is not None
            if conn is None:
                conn = await self._open(host, port)
            h11 = conn.h11
            try:
                data = conn.state.send(h11.Request(method=method, target=url.target,
                                                   headers=request_headers))
                data += conn.state.send(h11.EndOfMessage())
                conn.writer.write(data)
                async with asyncio.timeout(self.timeout["write"]):
                    await conn.writer.drain()
                while True:
                    event = await conn.next_event()
                    if isinstance(event, h11.InformationalResponse):
                        continue
                    if isinstance(event, h11.ConnectionClosed):
                        raise self.hc.RemoteProtocolError("server closed the connection")
                    break
            except (self.hc.ReadError, self.hc.RemoteProtocolError, OSError, TimeoutError) as exc:
                conn.close()
                # A kept-alive connection the server had already closed: once more, fresh.
                if reused and attempt == 0 and not isinstance(exc, TimeoutError):
                    continue
                if isinstance(exc, TimeoutError):
                    raise self.hc.WriteTimeout("write timed out") from None
                if isinstance(exc, OSError):
                    raise self.hc.WriteError(str(exc)) from exc
                raise
            except h11.LocalProtocolError as exc:
                conn.close()
                raise self.hc.LocalProtocolError(str(exc)) from exc
            if not isinstance(event, h11.Response):
                conn.close()
                raise self.hc.RemoteProtocolError("server closed the connection")
            response = _H11Response(conn, event.status_code, list(event.headers))
            try:
                yield response
            finally:
                if (response.complete and conn.state.our_state is h11.DONE
                        and conn.state.their_state is h11.DONE):
                    conn.state.start_next_cycle()
                    idle = self.idle.setdefault(key, [])
                    if len(idle) < self.keep:
                        idle.append(conn)
                    else:
                        conn.close()
                else:
                    conn.close()
            return

    async def aclose(self) -> None:
        for conns in self.idle.values():
            for conn in conns:
                conn.close()
        self.idle.clear()


class Client:
    """HTTP/1.1 for feeds: h11 over asyncio streams for direct connections, httpcore
    through a proxy.

    termnews follows redirects, decodes bodies and enforces its caps itself, so a full
    client library on top only cost CPU: httpx's request/response model and
    httpcore/anyio's layers took about as much CPU as everything else in a warm refresh.
    Connections are kept alive per host for the refresh; the https pool and its CA
    bundle are only built when an https URL comes up. Proxies come from the environment
    (http(s)_proxy, no_proxy).
    """

    def __init__(self, config: Config) -> None:
        r = config.refresh
        self._pool_kw: dict[str, Any] = {
            "max_connections": max(r.concurrency, 1) + 4,
            "max_keepalive_connections": max(r.concurrency, 1),
        }
        self._keep = max(r.per_host, 1)
        self.timeout = {"connect": r.timeout, "read": r.timeout, "write": r.timeout,
                        "pool": None}
        agent = r.user_agent.encode("ascii", "replace") if r.user_agent else b"termnews"
        self.headers: list[tuple[bytes, bytes]] = [
            (b"User-Agent", agent),
            (b"Accept", ACCEPT.encode()),
            (b"Accept-Encoding", b"gzip, deflate, br"),  # what BoundedDecoder reads
        ]
        self._pools: dict[str, Any] = {}
        self._proxies: dict[str, str] | None = None
        self._ssl: ssl.SSLContext | None = None

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            with contextlib.suppress(Exception):
                await pool.aclose()

    def _tls(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = _ssl_context()
        return self._ssl

    def pool(self, scheme: str, host: str) -> Any:
        """The connection pool for a URL: direct, or through the environment's proxy."""
        if self._proxies is None:
            if any(k.lower() in ("http_proxy", "https_proxy") for k in os.environ):
                import urllib.request

                self._proxies = {k: v for k, v in urllib.request.getproxies().items()
                                 if k in ("http", "https") and v.lower().startswith("http")}
            else:  # no proxy set: skip importing urllib.request (~6 ms of every refresh)
                self._proxies = {}
        proxy = self._proxies.get(scheme)
        if proxy:
            import urllib.request

            if urllib.request.proxy_bypass(host):
                proxy = None
        key = f"{scheme} {proxy or ''}"
        pool = self._pools.get(key)
        if pool is None:
            tls = self._tls() if scheme == "https" else None
            if proxy:
                kw = dict(self._pool_kw)
                if tls is not None:
                    kw["ssl_context"] = tls
                pool = _ProxyPool(import_httpcore().AsyncHTTPProxy(proxy_url=proxy, **kw))
            else:
                pool = _H11Pool(_Errors, self.timeout, tls, self._keep)
            self._pools[key] = pool
        return pool


def make_client(config: Config) -> Client:
    """One client per refresh: keep-alive connections shared by all feeds."""
    return Client(config)


class Limiter:
    """Bounded concurrency: at most `overall` fetches at once, `per_host` per host."""

    def __init__(self, overall: int, per_host: int) -> None:
        self._overall = asyncio.Semaphore(max(overall, 1))
        self._per_host = max(per_host, 1)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    @contextlib.asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        host = (urlsplit(url).hostname or "").lower()
        sem = self._hosts.setdefault(host, asyncio.Semaphore(self._per_host))
        async with sem, self._overall:
            yield


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), 7 * 24 * 3600))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, min(when.timestamp() - time.time(), 7 * 24 * 3600.0))


def _chain(exc: BaseException) -> list[BaseException]:
    """exc and every exception behind it (causes, contexts, groups)."""
    seen: list[BaseException] = []
    stack: list[BaseException | None] = [exc]
    while stack and len(seen) < 20:
        x = stack.pop()
        if x is None or any(x is s for s in seen):
            continue
        seen.append(x)
        stack += [x.__cause__, x.__context__, *getattr(x, "exceptions", ())]
    return seen


def _connect_error(exc: Exception, url: str) -> str:
    chain = _chain(exc)
    text = str(exc)
    low = " ".join(str(x) for x in chain).lower()
    host = urlsplit(url).hostname or url
    if any(isinstance(x, ConnectionRefusedError) for x in chain) or "refused" in low:
        return "connection refused"
    if any(s in low for s in ("name or service not known", "nodename nor servname",
                              "temporary failure in name resolution", "getaddrinfo",
                              "no address associated", "name resolution")):
        return f"DNS lookup failed: {host}"
    if "ssl" in low or "certificate" in low:
        return f"TLS error: {text[:120]}"
    if "unreachable" in low:
        return "network unreachable"
    return f"connection failed: {text[:120]}" if text else "connection failed"


def _error(url: str, message: str, status: int | None = None,
           retry_after: float | None = None, final_url: str = "") -> FetchResult:
    return FetchResult(url=url, status=status, error=message, retry_after=retry_after,
                       final_url=final_url or url)


async def fetch(
    client: Client,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    config: Config,
    allow_files: bool = False,
) -> FetchResult:
    """Fetch one feed; never raises for network or server trouble."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "file":
        if not allow_files:
            return _error(url, "file URLs are not allowed")
        return await asyncio.to_thread(read_file_url, url, last_modified, config.refresh.max_bytes)
    if scheme not in ("http", "https"):
        return _error(url, f"unsupported URL scheme: {scheme or 'none'}")
    deadline = config.refresh.deadline
    try:
        async with asyncio.timeout(deadline):
            return await _fetch_http(client, url, etag, last_modified, config)
    except TimeoutError:
        return _error(url, f"timed out after {deadline:g} s")
    except ValueError as exc:  # a request that cannot even be built: one feed's error, not all
        return _error(url, f"bad request: {type(exc).__name__}")


def _header_safe(value: str) -> bool:
    return value.isascii() and value.isprintable()


_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


def _target(url: str) -> _Target:
    """Where to send a request for url: IDNA host, percent-encoded path and query (the
    fragment stays home); raises ValueError for a URL that cannot be requested."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname
    if scheme not in ("http", "https") or not host:
        raise ValueError(f"not an http(s) URL: {url[:80]}")
    try:
        host_bytes = host.encode("ascii") if host.isascii() else host.encode("idna")
    except UnicodeError:
        raise ValueError(f"bad host name: {host[:80]}") from None
    if any(c in host_bytes for c in b" /\\?#@") or not host_bytes.strip(b"."):
        raise ValueError(f"bad host name: {host[:80]}")
    port = parts.port  # ValueError when out of range
    target = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_QUERY_SAFE)
    return _Target(scheme, host_bytes, port, target.encode("ascii"))


async def _fetch_http(client: Client, url: str, etag: str | None,
                      last_modified: str | None, config: Config) -> FetchResult:
    hc = _Errors
    r = config.refresh
    extra: list[tuple[bytes, bytes]] = []
    # Validators are echoed back as headers: a server that sent non-ASCII or control
    # bytes in them would make every later request fail to encode, so those are dropped.
    if etag and _header_safe(etag):
        extra.append((b"If-None-Match", etag.encode("ascii")))
    if last_modified and _header_safe(last_modified):
        extra.append((b"If-Modified-Since", last_modified.encode("ascii")))
    headers = client.headers + extra
    current = url
    for _hop in range(r.max_redirects + 1):
        try:
            target = _target(current)
        except ValueError:
            if current != url:
                return _error(url, "invalid redirect URL", final_url=current)
            return _error(url, "invalid URL")
        try:
            async with client.pool(target.scheme, target.host.decode("ascii")).stream(
                    "GET", target, headers=headers,
                    extensions={"timeout": client.timeout}) as resp:
                status = resp.status
                h = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in resp.headers}
                if status in REDIRECTS and "location" in h:
                    await resp.aread()  # a small body; the connection goes back to the pool
                    try:
                        target_url = urljoin(current, h["location"].strip())
                        scheme_to = urlsplit(target_url).scheme.lower()
                    except ValueError:
                        return _error(url, "invalid redirect URL", status, final_url=current)
                    if scheme_to not in ("http", "https"):
                        return _error(url, "redirect to a non-http URL refused", status,
                                      final_url=current)
                    current = target_url
                    continue
                if status == 304:
                    # Read the (empty) body so the connection goes back to the pool:
                    # an unread response closes it, and the next feed would reconnect.
                    await resp.aread()
                    return FetchResult(
                        url=url, status=304, etag=h.get("etag") or etag,
                        last_modified=h.get("last-modified") or last_modified,
                        final_url=current,
                    )
                if status >= 400 or status < 200:
                    retry = (parse_retry_after(h.get("retry-after"))
                             if status in (429, 503) else None)
                    return _error(url, f"HTTP {status}", status, retry, current)
                length = h.get("content-length", "").strip()
                if length.isdigit() and int(length) > r.max_bytes:
                    return _error(url, f"too large: over {_mb(r.max_bytes)}", status,
                                  final_url=current)
                try:
                    decoder = BoundedDecoder(h.get("content-encoding", ""))
                except ValueError as exc:
                    return _error(url, str(exc), status, final_url=current)
                chunks: list[bytes] = []
                size = 0
                try:
                    async for raw in resp.aiter_stream():
                        for chunk in decoder.decode(raw):
                            size += len(chunk)
                            if size > r.max_bytes:
                                return _error(url, f"too large: over {_mb(r.max_bytes)}",
                                              status, final_url=current)
                            chunks.append(chunk)
                    for chunk in decoder.flush():
                        size += len(chunk)
                        if size > r.max_bytes:
                            return _error(url, f"too large: over {_mb(r.max_bytes)}", status,
                                          final_url=current)
                        chunks.append(chunk)
                except DecodeError:
                    return _error(url, "bad compressed data", status, final_url=current)
                return FetchResult(
                    url=url, status=status, body=b"".join(chunks),
                    content_type=h.get("content-type", ""),
                    etag=h.get("etag"),
                    last_modified=h.get("last-modified"),
                    final_url=current,
                )
        except hc.ConnectTimeout:
            return _error(url, f"connection timed out after {r.timeout:g} s")
        except hc.TimeoutException:
            return _error(url, f"timed out after {r.timeout:g} s")
        except hc.ConnectError as exc:
            return _error(url, _connect_error(exc, current))
        except hc.RemoteProtocolError as exc:
            text = str(exc).lower()
            if "without sending" in text or "disconnected" in text or "closed" in text:
                return _error(url, "server closed the connection")
            return _error(url, f"protocol error: {str(exc)[:120]}")
        except hc.ProxyError as exc:
            return _error(url, f"proxy error: {str(exc)[:120]}")
        except (hc.UnsupportedProtocol, hc.LocalProtocolError):
            return _error(url, "invalid URL")
        except hc.NetworkError as exc:
            return _error(url, f"network error: {str(exc)[:120] or type(exc).__name__}")
        except OSError as exc:
            return _error(url, _connect_error(exc, current))
    return _error(url, "too many redirects", final_url=current)


def read_file_url(url: str, last_modified: str | None, max_bytes: int) -> FetchResult:
    """A feed from a file:// URL (the demo outlet); mtime stands in for Last-Modified."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    try:
        st = os.stat(path)
        stamp = email.utils.formatdate(st.st_mtime, usegmt=True) + f" {st.st_size}"
        if last_modified and last_modified == stamp:
            return FetchResult(url=url, status=304, last_modified=stamp, final_url=url)
        if st.st_size > max_bytes:
            return _error(url, f"too large: over {_mb(max_bytes)}")
        with open(path, "rb") as fh:
            body = fh.read(max_bytes + 1)
    except FileNotFoundError:
        return _error(url, "file not found")
    except OSError as exc:
        return _error(url, f"cannot read file: {exc.strerror or exc}")
    if len(body) > max_bytes:
        return _error(url, f"too large: over {_mb(max_bytes)}")
    return FetchResult(url=url, status=200, body=body, last_modified=stamp, final_url=url,
                       content_type="application/atom+xml")
