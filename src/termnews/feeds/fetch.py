"""Fetching one feed politely and defensively.

Conditional GET (ETag / Last-Modified) so an unchanged feed costs one 304;
compressed transfer; a cap on the decompressed body (gzip bombs); a per-read
timeout and a total deadline (a server that trickles a byte a second never
finishes otherwise); redirects followed by hand, at most ``max_redirects`` and
only to http(s). Every failure becomes a ``FetchResult`` with a short, clear
``error`` — nothing here raises for a bad feed.

Server-side request forgery: a fetch that starts at a public origin never reaches a local
address (``addresses``: loopback, private, link-local …). A redirect there is refused before
connecting (a literal IP, a localhost name, or a name any of whose addresses is local), and
the connection's actual peer address is checked again (DNS rebinding). A fetch whose origin
is itself local (the user subscribed to ``http://127.0.0.1/…``) may go anywhere, as the
user chose. The origin is the URL itself, or ``origin=`` (an article page or image found in
feed X gives X).

The transport lives in ``transport`` (the client), ``h11pool`` (direct connections)
and ``proxy``; body decoding and the size cap in ``body``.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import os
import time
from collections.abc import AsyncIterator
from urllib.parse import unquote, urljoin, urlsplit

from termnews.config import Config
from termnews.feeds.addresses import (
    LocalAddressRefused,
    local_address_of,
    origin_is_local,
    url_host_port,
)
from termnews.feeds.body import (
    DECODE_STEP,
    BoundedDecoder,
    DecodeError,
    TooLarge,
    mb,
    read_body,
)
from termnews.feeds.http_types import Errors, Target, request_target
from termnews.feeds.proxy import import_httpcore
from termnews.feeds.transport import ACCEPT, Client, ssl_context
from termnews.model import FetchResult

# Names this module always had, for the modules and tests that import them from here.
__all__ = [
    "ACCEPT", "DECODE_STEP", "REDIRECTS", "BoundedDecoder", "Client", "DecodeError", "Errors",
    "Limiter", "Target", "fetch", "import_httpcore", "make_client", "parse_retry_after",
    "read_file_url", "request_target", "ssl_context",
]

REDIRECTS = (301, 302, 303, 307, 308)


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
    origin: str | None = None,
) -> FetchResult:
    """Fetch one feed (or page, or image); never raises for network or server trouble.

    origin: the URL the user chose that led to this one, for the local-address rule: an
    article page or image URL found in feed X is fetched with ``origin=X``, and refused
    when X is public and the URL local. None: url itself is the origin.
    """
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
            return await _fetch_http(client, url, etag, last_modified, config, origin)
    except TimeoutError:
        return _error(url, f"timed out after {deadline:g} s")
    except ValueError as exc:  # a request that cannot even be built: one feed's error, not all
        return _error(url, f"bad request: {type(exc).__name__}")



def _header_safe(value: str) -> bool:
    return value.isascii() and value.isprintable()


def _refused(hop: int, address: str) -> str:
    what = "redirect" if hop else "link"
    shown = "".join(c for c in address[:80] if c.isascii() and c.isprintable())  # a URL's host
    return f"{what} to a local network address refused ({shown})"


async def _origin_local(client: Client, url: str) -> bool:
    """origin_is_local, looked up once per host and port for the client's life."""
    key = url_host_port(url)
    if key is None:
        return await origin_is_local(url)  # file: (the demo) or no host: no lookup
    found = client.origin_local.get(key)
    if found is None:
        found = client.origin_local[key] = await origin_is_local(url)
    return found


async def _answered_from_local(client: Client, resp: object, url: str) -> bool:
    """Whether the response to url, the fetch's origin, came from a local address: its
    connection's peer when known (direct), else url's name resolved (a proxy's answer)."""
    local = getattr(resp, "peer_local", None)
    return bool(local) if local is not None else await _origin_local(client, url)


async def _local_target(client: Client, host: str, port: int) -> str | None:
    """local_address_of, looked up once per host and port for the client's life (a direct
    connection's peer is checked again, so a later answer cannot sneak past)."""
    key = (host.lower(), port)
    if key not in client.target_local:
        client.target_local[key] = await local_address_of(host, port)
    return client.target_local[key]


async def _fetch_http(client: Client, url: str, etag: str | None,
                      last_modified: str | None, config: Config,
                      origin: str | None) -> FetchResult:
    hc = Errors
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
    # Refuse local addresses? True: the origin is public. None: not known yet (the URL is
    # its own origin; settled at the first redirect by where its answer came from).
    refuse: bool | None = None
    if r.allow_local_redirects:  # the user's escape hatch
        refuse = False
    elif origin is not None and origin != url:
        refuse = not await _origin_local(client, origin)
    for hop in range(r.max_redirects + 1):
        try:
            target = request_target(current)
        except ValueError:
            if current != url:
                return _error(url, "invalid redirect URL", final_url=current)
            return _error(url, "invalid URL")
        host = target.host.decode("ascii")
        if refuse:  # before any connection: a local IP, localhost, a name resolving local
            port = target.port or (443 if target.scheme == "https" else 80)
            local = await _local_target(client, host, port)
            if local is not None:
                return _error(url, _refused(hop, local), final_url=current)
        try:
            async with client.pool(target.scheme, host).stream(
                    "GET", target, headers=headers, extensions={"timeout": client.timeout},
                    refuse_local=bool(refuse)) as resp:
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
                    if refuse is None:
                        refuse = not await _answered_from_local(client, resp, current)
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
                    return _error(url, f"too large: over {mb(r.max_bytes)}", status,
                                  final_url=current)
                try:
                    decoder = BoundedDecoder(h.get("content-encoding", ""))
                except ValueError as exc:
                    return _error(url, str(exc), status, final_url=current)
                try:
                    body = await read_body(resp.aiter_stream(), decoder, r.max_bytes)
                except TooLarge:
                    return _error(url, f"too large: over {mb(r.max_bytes)}", status,
                                  final_url=current)
                except DecodeError:
                    return _error(url, "bad compressed data", status, final_url=current)
                return FetchResult(
                    url=url, status=status, body=body,
                    content_type=h.get("content-type", ""),
                    etag=h.get("etag"),
                    last_modified=h.get("last-modified"),
                    final_url=current,
                )
        except LocalAddressRefused as exc:  # the connection's peer (h11pool)
            return _error(url, _refused(hop, exc.address), final_url=current)
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
            return _error(url, f"too large: over {mb(max_bytes)}")
        with open(path, "rb") as fh:
            body = fh.read(max_bytes + 1)
    except FileNotFoundError:
        return _error(url, "file not found")
    except OSError as exc:
        return _error(url, f"cannot read file: {exc.strerror or exc}")
    if len(body) > max_bytes:
        return _error(url, f"too large: over {mb(max_bytes)}")
    return FetchResult(url=url, status=200, body=body, last_modified=stamp, final_url=url,
                       content_type="application/atom+xml")
