"""Shared fixtures. Every test works in a temporary data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from feedserver import feed_server  # noqa: F401  (the loopback feed server fixture)
from miniflux_server import MinifluxServer, ServerUnavailable, start_miniflux
from termnews.config import Config
from termnews.library import Library
from termnews.paths import Paths, resolve_paths


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real user directories."""
    monkeypatch.setenv("TERMNEWS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / ".cache"))
    monkeypatch.delenv("TERMNEWS_PROFILE", raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LANGUAGE", raising=False)  # gettext's first choice: the CLI follows it
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(tmp_path / "data").ensure()


@pytest.fixture
def library(paths: Paths) -> Iterator[Library]:
    lib = Library(paths, Config(), "tester")
    lib.start(starter=False)
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def miniflux() -> Iterator[MinifluxServer]:
    """A real Miniflux + PostgreSQL on loopback ports, shared by the session (each test
    makes its own users). It fails the tests that need it when it cannot start: the
    packages are installed by .ci/run (see there)."""
    try:
        server = start_miniflux()
    except ServerUnavailable as exc:
        pytest.fail(f"Miniflux + PostgreSQL could not start: {exc}", pytrace=False)
    yield server
    server.stop()
