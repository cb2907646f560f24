"""What the HTTP transports share: the request target and the transport errors."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import quote, urlsplit


class Errors:
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


class Target(NamedTuple):
    """What a request goes to: ASCII host (IDNA), port or None, and the request target."""

    scheme: str
    host: bytes
    port: int | None
    target: bytes


_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


def request_target(url: str) -> Target:
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
    return Target(scheme, host_bytes, port, target.encode("ascii"))
