"""A real static web server for the benchmarks: Debian's nginx on 127.0.0.1.

The files are written first (each with its gzip twin, as a site that serves feeds
from disk keeps them), then nginx starts with a configuration of its own in a
temporary directory: ETag and Last-Modified on (nginx's defaults for static files,
so conditional requests get 304), gzip for clients that accept it (``gzip_static``
serves the twin; nothing is compressed per request), keep-alive. Every request is
logged with its status and conditional headers, so a run can say what each client
was answered.

    with StaticServer({"/feeds/0.xml": body, …}) as server:
        server.url("/feeds/0.xml")

Needs ``apt-get install nginx-light`` (or ``nginx``).
"""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

NGINX = "/usr/sbin/nginx"

_CONF = """\
worker_processes 1;
daemon off;
master_process on;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ application/rss+xml xml; application/atom+xml atom; text/x-opml opml; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types application/rss+xml application/atom+xml;
    log_format bench '$status "$request_uri" "$http_if_none_match" '
                     '"$http_if_modified_since" "$http_accept_encoding" $body_bytes_sent';
    access_log {root}/access.log bench;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 10000;
    etag on;
    gzip_static on;
    gzip on;
    gzip_vary on;
    gzip_types application/rss+xml application/atom+xml;
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        location / {{ }}
    }}
}}
"""


class Hit(NamedTuple):
    status: int
    path: str
    if_none_match: str
    if_modified_since: str
    accept_encoding: str
    bytes_sent: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StaticServer:
    """nginx serving the given files from a temporary directory until stopped."""

    def __init__(self, files: dict[str, bytes]) -> None:
        if shutil.which(NGINX) is None and shutil.which("nginx") is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
        self.files = files
        self.root = Path(tempfile.mkdtemp(prefix="termnews-nginx-"))
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self._log_offset = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def write(self, path: str, body: bytes, mtime: float | None = None) -> None:
        """(Re)write one file and its gzip twin, with the same modification time."""
        target = self.root / "www" / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        twin = target.with_name(target.name + ".gz")
        twin.write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
        when = time.time() if mtime is None else mtime
        for f in (target, twin):
            os.utime(f, (when, when))

    def start(self) -> StaticServer:
        # The worker runs as an unprivileged user when nginx starts as root: it must be
        # able to read the files.
        self.root.chmod(0o755)
        (self.root / "tmp").mkdir()
        # Validators a second in the past, so a rewrite in the same second still changes
        # Last-Modified.
        past = time.time() - 60
        for path, body in self.files.items():
            self.write(path, body, past)
        for d in [self.root / "www", *(self.root / "www").rglob("*")]:
            if d.is_dir():
                d.chmod(0o755)
        conf = self.root / "nginx.conf"
        conf.write_text(_CONF.format(root=self.root, port=self.port))
        exe = shutil.which(NGINX) or shutil.which("nginx") or NGINX
        self.proc = subprocess.Popen([exe, "-p", str(self.root), "-c", str(conf),
                                      "-e", str(self.root / "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    err = (self.proc.stderr.read().decode(errors="replace")
                           if self.proc.stderr else "")
                    self.stop()
                    raise RuntimeError(f"nginx did not start: {err.strip()[:500]}") from None
                time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()  # SIGTERM: nginx's fast shutdown, master and worker
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> StaticServer:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    # --- the request log ------------------------------------------------------------

    def _log_path(self) -> Path:
        return self.root / "access.log"

    def clear_log(self) -> None:
        path = self._log_path()
        self._log_offset = path.stat().st_size if path.exists() else 0

    def hits(self) -> list[Hit]:
        """Requests logged since the last clear_log()."""
        path = self._log_path()
        if not path.exists():
            return []
        with path.open("rb") as f:
            f.seek(self._log_offset)
            lines = f.read().decode(errors="replace").splitlines()
        out = []
        for line in lines:
            status, rest = line.split(" ", 1)
            fields = rest.rsplit(" ", 1)
            quoted = [q for i, q in enumerate(fields[0].split('"')) if i % 2 == 1]
            quoted = [("" if q == "-" else q) for q in quoted]
            out.append(Hit(int(status), quoted[0], quoted[1], quoted[2], quoted[3],
                           int(fields[1])))
        return out

    def count(self, status: int) -> int:
        return sum(1 for h in self.hits() if h.status == status)
