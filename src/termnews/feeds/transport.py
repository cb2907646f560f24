"""The HTTP client one refresh shares: connection pools per scheme and proxy, TLS context."""

from __future__ import annotations

import contextlib
import os
import ssl
from typing import Any

from termnews.config import Config
from termnews.feeds.h11pool import H11Pool
from termnews.feeds.http_types import Errors
from termnews.feeds.proxy import ProxyPool, import_httpcore

ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
          "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")


def ssl_context() -> ssl.SSLContext:
    """A verifying TLS context: SSL_CERT_FILE when set, else certifi's bundle (as httpx)."""
    import certifi

    return ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or certifi.where())


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
        # The local-address rule's name lookups, once per host and port for the client's life
        # (one refresh): origin verdicts, and the local address a target name has (or None).
        self.origin_local: dict[tuple[str, int], bool] = {}
        self.target_local: dict[tuple[str, int], str | None] = {}
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
            self._ssl = ssl_context()
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
                pool = ProxyPool(import_httpcore().AsyncHTTPProxy(proxy_url=proxy, **kw))
            else:
                pool = H11Pool(Errors, self.timeout, tls, self._keep)
            self._pools[key] = pool
        return pool
