"""Two data directories play two machines syncing through one server account."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

from miniflux_server import MinifluxServer, MinifluxUser
from termnews.cli import main
from termnews.config import load_config
from termnews.library import Library
from termnews.model import ArticleQuery
from termnews.paths import resolve_paths

SERVICES = ("miniflux", "greader")


def sync_table(url: str, user: MinifluxUser, service: str, *, source: str = "feeds",
               token: str | None = None) -> str:
    """The [sync] table of config.toml for this user (REST with its API key; Google
    Reader with its name and password)."""
    lines = ["[sync]", f'service = "{service}"', f'url = "{url}"', f'source = "{source}"',
             "timeout = 20.0"]
    if service == "miniflux":
        lines.append(f'token = "{token if token is not None else user.token}"')
    else:
        lines += [f'username = "{user.username}"', f'password = "{user.password}"']
    return "\n".join(lines) + "\n"


class Machine:
    """One termnews installation: a data dir with its config, driven like a user would."""

    def __init__(self, root: Path, name: str, *, profile: str = "reader") -> None:
        self.dir = root / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.profile = profile
        self.extra = ""

    def configure(self, table: str, extra: str = "") -> Machine:
        self.extra = extra or self.extra
        path = self.dir / "config.toml"
        path.write_text(table + "\n" + self.extra, encoding="utf-8")
        path.chmod(0o600)
        return self

    def cli(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(["--data-dir", str(self.dir), "--profile", self.profile, *argv])
        return rc, out.getvalue(), err.getvalue()

    def ok(self, *argv: str) -> str:
        rc, out, err = self.cli(*argv)
        assert rc == 0, (argv, out, err)
        return out

    def library(self) -> Library:
        paths = resolve_paths(self.dir)
        lib = Library(paths, load_config(paths.config_file), self.profile)
        lib.start(starter=False)
        return lib

    def articles(self, **filters: Any) -> list[dict[str, Any]]:
        argv = ["articles", "--json"]
        for name, value in filters.items():
            argv += [f"--{name}"] if value is True else [f"--{name}", str(value)]
        return [json.loads(line) for line in self.ok(*argv).splitlines()]

    def marks(self) -> dict[str, tuple[bool, bool]]:
        """(feed_url, guid) of every article -> (read, starred)."""
        return {f"{a['feed_url']} {a['guid']}": (a["read"], a["starred"])
                for a in self.articles()}

    def status(self) -> dict[str, Any]:
        return dict(json.loads(self.ok("sync", "--status", "--json")))

    def sync(self) -> tuple[int, int, int]:
        """Run `termnews sync`; (up, down, conflicts) from its summary line."""
        out = self.ok("sync").strip().splitlines()[-1]
        parts = out.removeprefix("sync: ").split(", ")
        up, down, conflicts = (int(p.split()[0]) for p in parts)
        return up, down, conflicts

    def mark(self, action: str, ids: list[int]) -> None:
        for i in range(0, len(ids), 200):
            self.ok("mark", action, *map(str, ids[i : i + 200]))

    def ids(self, **filters: Any) -> list[int]:
        return [a["id"] for a in self.articles(**filters)]

    def count(self, q: ArticleQuery) -> int:
        with contextlib.closing(self.library()) as lib:
            return lib.count(q)


def server_marks(server: MinifluxServer, user: MinifluxUser) -> tuple[set[str], set[str]]:
    """URLs of the entries read and of those starred on the server."""
    entries = server.entries(user)
    return ({e["url"] for e in entries if e["status"] == "read"},
            {e["url"] for e in entries if e["starred"]})
