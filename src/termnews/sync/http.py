"""JSON over HTTP for the sync APIs (httpcore's blocking pool), hostile-input safe.

A sync server is trusted with the user's account, not with our process: every answer is
bounded in time (connect, each read, and the whole request) and in size (after
decompression), and anything that is not the JSON asked for — a 5xx, an HTML login or
error page, a redirect, broken JSON — is one clear ``SyncError`` naming the server,
never a traceback. The server is the one the user configured, so unlike feeds it may be
on the local network.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from termnews.sync.errors import AUTH, SERVER, UNREACHABLE, SyncError

MAX_BYTES = 64 * 1024 * 1024  # one answer, decompressed (a page of 1,000 entries is ~5 MB)

Pairs = Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def is_html(self) -> bool:
        """An HTML page (a login form, a proxy's error page) where data was expected."""
        ctype = self.headers.get("content-type", "")
        return "html" in ctype or self.body[:512].lstrip()[:1] == b"<"

    def json(self, where: str) -> Any:
        if self.is_html:
            raise SyncError(f"{where}: not a sync API (got an HTML page instead of JSON)")
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            raise SyncError(f"{where}: not a sync API (the answer is not valid JSON)") from None


class JsonHttp:
    """Requests to one server, counted (benchmarks and tests check the number)."""

    def __init__(self, base_url: str, *, timeout: float, user_agent: str,
                 max_bytes: int = MAX_BYTES) -> None:
        from termnews.feeds.proxy import import_httpcore
        from termnews.feeds.transport import ssl_context

        self.httpcore = import_httpcore()
        parts = urlsplit(base_url)
        self.base = base_url.rstrip("/")
        self.where = f"{parts.scheme}://{parts.hostname or ''}" + (
            f":{parts.port}" if parts.port else "")
        self.timeout = timeout
        self.deadline = max(120.0, timeout * 4)  # a whole answer, however it trickles
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self.requests = 0
        self.pool = self.httpcore.ConnectionPool(
            ssl_context=ssl_context() if parts.scheme == "https" else None,
            max_connections=4, keepalive_expiry=30.0)

    def close(self) -> None:
        self.pool.close()

    def request(self, method: str, path: str, *, query: Pairs = (), body: Any = None,
                form: Pairs | None = None, headers: Pairs = ()) -> Answer:
        """One request; transport failures raise SyncError, any HTTP status returns."""
        url = self.base + path + (("?" + urlencode(list(query))) if query else "")
        hdrs = [("Accept", "application/json"), ("Accept-Encoding", "gzip"),
                ("User-Agent", self.user_agent), *headers]
        content = b""
        if body is not None:
            content = json.dumps(body).encode()
            hdrs.append(("Content-Type", "application/json"))
        elif form is not None:
            content = urlencode(list(form)).encode()
            hdrs.append(("Content-Type", "application/x-www-form-urlencoded"))
        if method in ("POST", "PUT"):
            hdrs.append(("Content-Length", str(len(content))))
        t = self.timeout
        ext = {"timeout": {"connect": t, "read": t, "write": t, "pool": t}}
        hc = self.httpcore
        self.requests += 1
        started = time.monotonic()
        try:
            with self.pool.stream(method, url, headers=hdrs, content=content or None,
                                  extensions=ext) as resp:
                answer_headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                                  for k, v in resp.headers}
                body_bytes = self._read(resp, answer_headers, started)
        except hc.TimeoutException:
            raise SyncError(f"{self.where}: no answer within {t:g} s", UNREACHABLE) from None
        except (hc.ConnectError, hc.NetworkError) as exc:
            reason = str(exc).split("]")[-1].strip() or type(exc).__name__
            raise SyncError(f"cannot reach {self.where}: {reason}", UNREACHABLE) from None
        except hc.ProtocolError:
            raise SyncError(f"{self.where}: not an HTTP server (broken answer)",
                            UNREACHABLE) from None
        except OSError as exc:  # TLS and name resolution errors not wrapped above
            raise SyncError(f"cannot reach {self.where}: {exc.strerror or exc}",
                            UNREACHABLE) from None
        return Answer(resp.status, answer_headers, body_bytes)

    def _read(self, resp: Any, headers: dict[str, str], started: float) -> bytes:
        gz = headers.get("content-encoding", "").lower() == "gzip"
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gz else None
        parts: list[bytes] = []
        size = 0
        for chunk in resp.iter_stream():
            if time.monotonic() - started > self.deadline:
                raise SyncError(f"{self.where}: the answer took over {self.deadline:g} s",
                                UNREACHABLE)
            if inflate is not None:
                try:
                    chunk = inflate.decompress(chunk, self.max_bytes + 1 - size)
                except zlib.error:
                    raise SyncError(f"{self.where}: broken gzip answer") from None
            size += len(chunk)
            if size > self.max_bytes:
                raise SyncError(f"{self.where}: answer larger than "
                                f"{self.max_bytes // (1024 * 1024)} MB")
            parts.append(chunk)
        return b"".join(parts)

    def call(self, method: str, path: str, *, ok: Sequence[int] = (200, 201, 204),
             auth_error: str = "the server refused the credentials", **kw: Any) -> Answer:
        """A request that must succeed: any other status becomes a SyncError."""
        answer = self.request(method, path, **kw)
        if answer.status in ok:
            return answer
        raise self.error(answer, auth_error)

    def error(self, answer: Answer, auth_error: str) -> SyncError:
        status = answer.status
        if status in (401, 403):
            return SyncError(f"{self.where}: {auth_error} (HTTP {status})", AUTH)
        if 300 <= status < 400:
            target = answer.headers.get("location", "")[:200]
            return SyncError(f"{self.where}: redirected (HTTP {status}) to {target}; "
                             "set the sync url to where it points")
        detail = ""
        try:
            payload = json.loads(answer.body[:4096]) if answer.body[:1] == b"{" else None
            if isinstance(payload, dict):
                detail = str(payload.get("error_message") or payload.get("error") or "")[:200]
        except ValueError:
            pass
        kind = "server error" if status >= 500 else "request refused"
        return SyncError(f"{self.where}: {kind} (HTTP {status})"
                         + (f": {detail}" if detail else ""), SERVER)
