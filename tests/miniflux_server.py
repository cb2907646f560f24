"""A real Miniflux with its PostgreSQL on 127.0.0.1, started once per test session.

PostgreSQL (Debian's, /usr/lib/postgresql/N/bin) gets a throw-away cluster in a temp
dir, owned by the ``postgres`` user when the tests run as root (PostgreSQL refuses to
run as root). Miniflux (Debian's package; ``.ci/run`` installs both) runs against it
with migrations and an admin made from the environment, polling off (the tests ask it
to refresh a feed when they need it to). Each test makes its own users, so tests share
the server without seeing each other's feeds or marks.

When either cannot start, the tests that need them fail: they never skip.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ADMIN = ("admin", "admin-password-1")
START_TIMEOUT = 60.0

_counter = itertools.count(1)


class ServerUnavailable(RuntimeError):
    """PostgreSQL or Miniflux cannot be started here; the message says what to install."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if not found:
        raise ServerUnavailable("PostgreSQL server binaries not found in /usr/lib/postgresql "
                                "(apt-get install postgresql; see .ci/run)")
    return Path(found[-1]).parent


def _miniflux_bin() -> str:
    path = shutil.which("miniflux") or ("/usr/bin/miniflux" if os.path.exists("/usr/bin/miniflux")
                                         else None)
    if path is None:
        raise ServerUnavailable("miniflux not installed (Debian 13's package; see .ci/run)")
    return path


@dataclass(frozen=True)
class MinifluxUser:
    username: str
    password: str
    token: str  # a REST API key
    user_id: int


class MinifluxServer:
    """PostgreSQL + Miniflux on loopback ports, with helpers to make users and keys."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="termnews-miniflux-"))
        self.pg_port = _free_port()
        self.port = _free_port()
        self.pg_bin = _pg_bin()
        self.miniflux = _miniflux_bin()
        self._as_postgres = os.geteuid() == 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._pg_started = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- lifecycle -------------------------------------------------------------

    def _pg(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.pg_bin / argv[0]), *argv[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> MinifluxServer:
        data = self.root / "pg"
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
        os.chmod(self.root, 0o700)
        try:
            self._pg("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                     "--no-sync")
            opts = (f"-p {self.pg_port} -k {self.root} -h 127.0.0.1 -c fsync=off "
                    "-c full_page_writes=off -c synchronous_commit=off")
            self._pg("pg_ctl", "-D", str(data), "-o", opts, "-l", str(self.root / "pg.log"),
                     "-w", "-t", "60", "start")
            self._pg_started = True
            self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres",
                     "miniflux")
        except subprocess.CalledProcessError as exc:
            raise ServerUnavailable(f"PostgreSQL did not start: {exc.stderr.strip()}") from None
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/miniflux"
                            "?sslmode=disable",
            "RUN_MIGRATIONS": "1",
            "CREATE_ADMIN": "1",
            "ADMIN_USERNAME": ADMIN[0],
            "ADMIN_PASSWORD": ADMIN[1],
            "LISTEN_ADDR": f"127.0.0.1:{self.port}",
            "POLLING_FREQUENCY": "1440",  # minutes: tests refresh feeds themselves
            "BATCH_SIZE": "1",
            "MEDIA_PROXY_MODE": "none",  # keep image URLs as the feeds give them
            "LOG_LEVEL": "warning",
            "BASE_URL": self.url,
        }
        with open(self.root / "miniflux.log", "wb") as log:  # the child keeps its own copy
            self._proc = subprocess.Popen([self.miniflux], env=env, stdout=log, stderr=log,
                                          stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise ServerUnavailable("miniflux exited: " + self.log_tail())
            with contextlib.suppress(OSError):
                if self.api("GET", "/healthcheck", raw=True) == b"OK":
                    return self
            time.sleep(0.1)
        raise ServerUnavailable("miniflux did not answer within 60 s: " + self.log_tail())

    def log_tail(self) -> str:
        try:
            return (self.root / "miniflux.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._pg_started:
            self._pg("pg_ctl", "-D", str(self.root / "pg"), "-m", "immediate", "stop",
                     check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    # --- talking to it -----------------------------------------------------------

    def api(self, method: str, path: str, body: Any = None, *,
            auth: tuple[str, str] | None = None, token: str | None = None,
            raw: bool = False) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if token is not None:
            req.add_header("X-Auth-Token", token)
        elif auth is not None:
            req.add_header("Authorization",
                           "Basic " + b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=60) as resp:
            payload = resp.read()
        if raw:
            return payload
        return json.loads(payload) if payload else None

    def sql(self, statement: str) -> str:
        """Run one SQL statement in Miniflux's database (psql); its output, tuples only."""
        cmd = [str(self.pg_bin / "psql"), "-h", "127.0.0.1", "-p", str(self.pg_port),
               "-U", "postgres", "-d", "miniflux", "-At", "-v", "ON_ERROR_STOP=1",
               "-c", statement]
        if not os.path.exists(cmd[0]):
            cmd[0] = "psql"
        return subprocess.run(cmd, capture_output=True, text=True, check=True,
                              timeout=60).stdout.strip()

    def new_user(self, prefix: str = "reader", *, google_reader: bool = True) -> MinifluxUser:
        """A fresh user with a REST API key and (by default) the Google Reader API on,
        with the same user name and password."""
        name = f"{prefix}{next(_counter)}x{os.getpid()}"
        password = f"pw-{name}-secret"
        user = self.api("POST", "/v1/users", {"username": name, "password": password},
                        auth=ADMIN)
        token = f"token-{name}-" + os.urandom(8).hex()
        uid = int(user["id"])
        # Miniflux makes API keys only in its settings page: insert one as that page would.
        self.sql(f"INSERT INTO api_keys(user_id, token, description) "
                 f"VALUES ({uid}, '{token}', 'termnews tests')")
        if google_reader:
            # The integration keeps a bcrypt hash of its password: the account's own hash.
            self.sql(f"UPDATE integrations SET googlereader_enabled = true, "
                     f"googlereader_username = '{name}', "
                     f"googlereader_password = (SELECT password FROM users WHERE id = {uid}) "
                     f"WHERE user_id = {uid}")
        return MinifluxUser(name, password, token, uid)

    # --- what a test needs to look at or change on the server ------------------------

    def feeds(self, user: MinifluxUser) -> list[dict[str, Any]]:
        return list(self.api("GET", "/v1/feeds", token=user.token))

    def add_feed(self, user: MinifluxUser, url: str, category: str | None = None) -> int:
        body: dict[str, Any] = {"feed_url": url}
        if category is not None:
            cats = self.api("GET", "/v1/categories", token=user.token)
            found = next((c for c in cats if c["title"] == category), None)
            if found is None:
                found = self.api("POST", "/v1/categories", {"title": category},
                                 token=user.token)
            body["category_id"] = found["id"]
        return int(self.api("POST", "/v1/feeds", body, token=user.token)["feed_id"])

    def refresh_feed(self, user: MinifluxUser, feed_id: int) -> None:
        self.api("PUT", f"/v1/feeds/{feed_id}/refresh", token=user.token)

    def entries(self, user: MinifluxUser, **params: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        after = 0
        while True:
            query = "&".join([f"{k}={v}" for k, v in params.items()]
                             + ["order=id", "direction=asc", "limit=500",
                                f"after_entry_id={after}"])
            page = self.api("GET", "/v1/entries?" + query, token=user.token)["entries"]
            out.extend(page)
            if len(page) < 500:
                return out
            after = page[-1]["id"]

    def set_status(self, user: MinifluxUser, ids: list[int], status: str) -> None:
        self.api("PUT", "/v1/entries", {"entry_ids": ids, "status": status}, token=user.token)

    def toggle_star(self, user: MinifluxUser, entry_id: int) -> None:
        self.api("PUT", f"/v1/entries/{entry_id}/bookmark", token=user.token)


def start_miniflux() -> MinifluxServer:
    server = MinifluxServer()
    try:
        return server.start()
    except BaseException:
        server.stop()
        raise

