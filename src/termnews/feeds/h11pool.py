"""Direct HTTP/1.1 connections: h11 for the protocol, asyncio streams for the sockets,
kept alive per host and port for one refresh.

A request made with ``refuse_local`` (a fetch from a public origin) checks the address the
socket is actually connected to, not the name: a name that resolved to a public address for
the fetcher's check and to 127.0.0.1 for the connection (DNS rebinding) is still refused,
before a single byte of the request is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from typing import Any

from termnews.feeds.addresses import LocalAddressRefused, is_local_ip
from termnews.feeds.http_types import Target


class H11Response:
    """A response read with h11 off an asyncio stream (the interface httpcore's has)."""

    def __init__(self, conn: H11Connection, status: int,
                 headers: list[tuple[bytes, bytes]]) -> None:
        self.conn = conn
        self.status = status
        self.headers = headers
        self.complete = False
        self.peer = conn.peer  # the server's address, for the fetcher's origin check

    @property
    def peer_local(self) -> bool | None:
        """Whether the server's address is local; None when the socket does not say."""
        return self.conn.peer_is_local() if self.conn.peer else None

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


class H11Connection:
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
        # The address actually connected to ("" when the socket does not say: then local).
        peer = writer.get_extra_info("peername")
        self.peer = str(peer[0]) if isinstance(peer, tuple) and peer else ""
        self.peer_port = int(peer[1]) if isinstance(peer, tuple) and len(peer) > 1 else None
        self._peer_local: bool | None = None

    def peer_is_local(self) -> bool:
        """Whether the peer is a local address (judged once, and only when asked)."""
        if self._peer_local is None:
            self._peer_local = not self.peer or is_local_ip(self.peer, self.peer_port)
        return self._peer_local

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


class H11Pool:
    """Direct connections for one scheme, kept alive per host and port."""

    def __init__(self, hc: Any, timeout: dict[str, Any], tls: ssl.SSLContext | None,
                 keep: int) -> None:
        self.hc = hc
        self.timeout = timeout
        self.tls = tls
        self.keep = max(keep, 1)
        self.idle: dict[tuple[str, int], list[H11Connection]] = {}

    async def _open(self, host: str, port: int) -> H11Connection:
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
        return H11Connection(hc, reader, writer, self.timeout["read"])

    @contextlib.asynccontextmanager
    async def stream(self, method: str, url: Target, *, headers: list[tuple[bytes, bytes]],
                     extensions: dict[str, Any] | None = None,
                     refuse_local: bool = False) -> AsyncIterator[H11Response]:
        """One request and its response; with refuse_local, LocalAddressRefused instead
        when the connection (new or kept alive) goes to a local address."""
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
            if refuse_local and conn.peer_is_local():
                conn.close()
                raise LocalAddressRefused(conn.peer or host)
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
            response = H11Response(conn, event.status_code, list(event.headers))
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
