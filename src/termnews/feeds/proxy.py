"""Requests through an HTTP(S) proxy: httpcore's proxy pool behind H11Pool's interface.

Behind a proxy the proxy resolves the name and connects, so termnews never sees the
address a request reaches. A fetch from a public origin therefore checks the target's name
itself before handing the request over (``fetch`` resolves it: any local address, and it is
refused); a name that resolves differently for the proxy (DNS rebinding, or a proxy with
its own view of the network) is beyond what the client can check.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from typing import Any

from termnews.feeds.http_types import Errors, Target


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


class ProxyPool:
    """httpcore's proxy pool behind the interface of H11Pool, its errors as Errors."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    @contextlib.asynccontextmanager
    async def stream(self, method: str, url: Target, *, headers: list[tuple[bytes, bytes]],
                     extensions: dict[str, Any] | None = None,
                     refuse_local: bool = False) -> AsyncIterator[Any]:
        # refuse_local: nothing to check here (the proxy connects); fetch checked the name.
        import httpcore

        target = httpcore.URL(scheme=url.scheme.encode(), host=url.host, port=url.port,
                              target=url.target)
        try:
            async with self.pool.stream(method, target, headers=headers,
                                        extensions=extensions or {}) as resp:
                yield ProxyResponse(resp)
        except httpcore.ConnectError as exc:  # the names match, the classes do not
            raise Errors.ConnectError(str(exc)) from exc
        except Exception as exc:
            mapped = getattr(Errors, type(exc).__name__, None)
            if isinstance(mapped, type) and issubclass(mapped, Errors.TransportError):
                raise mapped(str(exc)) from exc
            raise

    async def aclose(self) -> None:
        await self.pool.aclose()


class ProxyResponse:
    def __init__(self, resp: Any) -> None:
        self.resp = resp
        self.status = resp.status
        self.headers = resp.headers
        self.peer = ""  # the proxy's business: unknown here
        self.peer_local: bool | None = None

    async def aiter_stream(self) -> AsyncIterator[bytes]:
        import httpcore

        try:
            async for chunk in self.resp.aiter_stream():
                yield chunk
        except httpcore.ReadTimeout as exc:
            raise Errors.ReadTimeout(str(exc)) from exc
        except httpcore.RemoteProtocolError as exc:
            raise Errors.RemoteProtocolError(str(exc)) from exc
        except httpcore.NetworkError as exc:
            raise Errors.ReadError(str(exc)) from exc

    async def aread(self) -> bytes:
        return b"".join([chunk async for chunk in self.aiter_stream()])

