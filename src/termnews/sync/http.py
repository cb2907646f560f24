"""JSON over HTTP for the sync APIs (the standard library's http.client), hostile-input
safe.

A sync server is trusted with the user's account, not with our process: every answer is
bounded in time (connect, each read, and the whole request) and in size (after
decompression), and anything that is not the JSON asked for — a 5xx, an HTML login or
error page, a redirect, broken JSON — is one clear ``SyncError`` naming the server,
never a traceback. The server is the one the user configured, so unlike feeds it may be
on the local network. http.client rather than httpcore: it is in every Python and costs
half the import time, which a sync with nothing to do (two small requests) notices.
"""

from __future__ import annotations

import http.client
import json
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from termnews.sync.errors import AUTH, SERVER, UNREACHABLE, SyncError

MAX_BYTES = 64 * 1024 * 1024  # one answer, decompressed (a page of 1,000 entries is ~5 MB)
CHUNK = 256 * 1024

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


def _ssl_context() -> Any:
    """A verifying TLS context: SSL_CERT_FILE when set, else certifi's bundle."""
    import os
    import ssl

    import certifi

    return ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or certifi.where())


class JsonHttp:
    """Requests to one server over one kept-alive connection, counted (benchmarks and
    tests check the number)."""

    def __init__(self, base_url: str, *, timeout: float, user_agent: str,
                 max_bytes: int = MAX_BYTES) -> None:
        parts = urlsplit(base_url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/")
        self.base = base_url.rstrip("/")
        self.where = f"{parts.scheme}://{self.host}" + (f":{parts.port}" if parts.port else "")
        self.timeout = timeout
        self.deadline = max(120.0, timeout * 4)  # a whole answer, however it trickles
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self.requests = 0
        self._conn: http.client.HTTPConnection | None = None
        self._used = False  # the connection answered before (the server may close it)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.https:
                self._conn = http.client.HTTPSConnection(self.host, self.port,
                                                         timeout=self.timeout,
                                                         context=_ssl_context())
            else:
                self._conn = http.client.HTTPConnection(self.host, self.port,
                                                        timeout=self.timeout)
            self._used = False
        return self._conn

    def request(self, method: str, path: str, *, query: Pairs = (), body: Any = None,
                form: Pairs | None = None, headers: Pairs = ()) -> Answer:
        """One request; transport failures raise SyncError, any HTTP status returns."""
        target = self.prefix + path + (("?" + urlencode(list(query))) if query else "")
        hdrs = {"Accept": "application/json", "Accept-Encoding": "gzip",
                "User-Agent": self.user_agent, **dict(headers)}
        content: bytes | None = None
        if body is not None:
            content = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        elif form is not None:
            content = urlencode(list(form)).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        elif method in ("POST", "PUT"):
            content = b""
        self.requests += 1
        started = time.monotonic()
        for attempt in (1, 2):
            conn = self._connection()
            reused = self._used
            try:
                conn.request(method, target, body=content, headers=hdrs)
                resp = conn.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                # A kept-alive connection the server had closed: the request never got
                # there, so it goes once more on a new one.
                if reused and attempt == 1:
                    continue
                raise SyncError(f"{self.where}: the server closed the connection",
                                UNREACHABLE) from None
            except TimeoutError:
                self.close()
                raise SyncError(f"{self.where}: no answer within {self.timeout:g} s",
                                UNREACHABLE) from None
            except http.client.HTTPException:
                self.close()
                raise SyncError(f"{self.where}: not an HTTP server (broken answer)",
                                UNREACHABLE) from None
            except OSError as exc:  # refused, unreachable, name not found, TLS
                self.close()
                reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) \
                    or str(exc) or type(exc).__name__
                raise SyncError(f"cannot reach {self.where}: {reason}", UNREACHABLE) from None
            break
        answer_headers = {k.lower(): v for k, v in resp.getheaders()}
        try:
            data = self._read(resp, answer_headers, started)
        except TimeoutError:
            self.close()
            raise SyncError(f"{self.where}: no answer within {self.timeout:g} s",
                            UNREACHABLE) from None
        except (OSError, http.client.HTTPException):
            self.close()
            raise SyncError(f"{self.where}: the answer broke off", UNREACHABLE) from None
        except SyncError:
            self.close()
            raise
        self._used = True
        if resp.will_close:
            self.close()
        return Answer(resp.status, answer_headers, data)

    def _read(self, resp: http.client.HTTPResponse, headers: dict[str, str],
              started: float) -> bytes:
        gz = headers.get("content-encoding", "").lower() == "gzip"
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gz else None
        parts: list[bytes] = []
        size = 0
        while True:
            chunk = resp.read(CHUNK)
            if not chunk:
                break
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
            from termnews.feeds.clean import clean_line

            target = clean_line(answer.headers.get("location", ""))[:200]
            return SyncError(f"{self.where}: redirected (HTTP {status}) to {target}; "
                             "set the sync url to where it points")
        detail = ""
        try:
            payload = json.loads(answer.body[:4096]) if answer.body[:1] == b"{" else None
            if isinstance(payload, dict):
                from termnews.feeds.clean import clean_line

                detail = clean_line(str(payload.get("error_message") or payload.get("error")
                                        or ""))[:200]
        except ValueError:
            pass
        kind = "server error" if status >= 500 else "request refused"
        return SyncError(f"{self.where}: {kind} (HTTP {status})"
                         + (f": {detail}" if detail else ""), SERVER)
