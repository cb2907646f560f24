"""termnews.log: what a bug report carries, where it is, and what it never holds."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from cli_support import cli
from feedserver import FeedServer, make_rss
from termnews import logs
from termnews.paths import resolve_paths

TOKEN = "tok-3f9a-never-in-a-log"


def _log(data: Path) -> str:
    for handler in logging.getLogger("termnews").handlers:
        handler.flush()
    path = data / "termnews.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_the_help_names_the_log_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _err = cli(capsys, "--help")
    assert rc == 0
    assert str(tmp_path / "data" / "termnews.log") in out.replace("\n", "")
    assert "--debug" in out


def test_default_place_is_the_state_folder(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.delenv("TERMNEWS_DATA_DIR")
    paths = resolve_paths()
    assert paths.log_file == tmp_path / "home" / ".local" / "state" / "termnews" / "termnews.log"
    assert resolve_paths(tmp_path / "d").log_file == tmp_path / "d" / "termnews.log"


def test_commands_refreshes_and_failures_are_logged_without_secrets_or_text(
        tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.toml").write_text(
        f'[sync]\nservice = "miniflux"\nurl = "http://127.0.0.1:9/"\ntoken = "{TOKEN}"\n')
    (data / "config.toml").chmod(0o600)
    ok = feed_server.add("/ok.xml", make_rss(1, 3))
    broken = feed_server.status("/broken.xml", 500)
    assert cli(capsys, "feeds", "add", "--no-check", ok, broken)[0] == 0
    assert cli(capsys, "refresh", "--no-sync")[0] == 0
    text = _log(data)
    assert "termnews.cli: termnews" in text and ": refresh" in text
    assert "refresh: 1 feeds ok (0 unchanged), 1 failed, 3 new articles" in text
    assert broken not in text  # feed addresses (they may hold a token) only with --debug
    # A failure the user saw is in the log too.
    assert cli(capsys, "show", "999")[0] == 1
    assert "no article with id 999" in _log(data)
    # --debug: each failing feed with its error; still no secret, no article text.
    assert cli(capsys, "--debug", "refresh", "--no-sync")[0] == 0
    text = _log(data)
    assert f"refresh: {broken}: HTTP 500" in text
    assert TOKEN not in text
    assert "Story" not in text  # make_rss's titles


def test_config_level_and_bad_level(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.toml").write_text('[log]\nlevel = "warning"\n')
    assert cli(capsys, "outlets")[0] == 0
    assert "termnews.cli: termnews" not in _log(data)  # info records are not kept
    (data / "config.toml").write_text('[log]\nlevel = "loud"\n')
    rc, _out, err = cli(capsys, "outlets")
    assert rc == 1 and "'log.level' must be one of debug, info, warning, error" in err


def test_the_file_rotates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    path = tmp_path / "state" / "termnews.log"
    logs.setup(path, "info")
    log = logging.getLogger("termnews.test")
    for i in range(200):
        log.info("record %d of a long session", i)
    assert path.exists() and (tmp_path / "state" / "termnews.log.1").exists()
    assert not (tmp_path / "state" / "termnews.log.4").exists()  # three old files kept
    assert path.stat().st_size <= 2000


def test_an_unwritable_folder_is_no_log_not_a_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    logs.setup(blocker / "termnews.log", "info")
    logging.getLogger("termnews.test").error("nowhere to go")  # no exception
