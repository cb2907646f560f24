"""The [sync] config: tables per profile, secrets from commands, a warning when a secret
sits in a file others can read, and one clear line for every mistake."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from feedserver import FeedServer, make_rss
from miniflux_server import MinifluxServer
from sync_support import Machine, sync_table
from termnews.config import ConfigError, SyncConfig, load_config
from termnews.sync.errors import SyncError
from termnews.sync.secrets import run_secret_command


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_config(path)


def test_sync_tables_per_profile(tmp_path: Path) -> None:
    cfg = _load(tmp_path, """
[sync]
service = "miniflux"
url = "https://rss.example.org"
token_command = "pass show miniflux"

[profiles.bob.sync]
service = "greader"
url = "https://fresh.example.org/api/greader.php"
username = "bob"
password_command = "pass show fresh"
source = "server"
""")
    assert cfg.sync_for("alice") == SyncConfig(  # type: ignore[attr-defined]
        service="miniflux", url="https://rss.example.org", token_command="pass show miniflux")
    bob = cfg.sync_for("bob")  # type: ignore[attr-defined]
    assert bob.service == "greader" and bob.source == "server" and bob.username == "bob"
    assert load_config(tmp_path / "none.toml").sync_for("alice") is None


@pytest.mark.parametrize(("table", "words"), [
    ('service = "tt-rss"\nurl = "https://x.org"\ntoken = "t"', "'sync.service' must be one of"),
    ('service = "miniflux"\nurl = "ftp://x.org"\ntoken = "t"', "'sync.url' must be an http(s)"),
    ('service = "miniflux"\nurl = "https://x.org"', "needs 'token'"),
    ('service = "greader"\nurl = "https://x.org"\nusername = "u"', "needs 'username' and"),
    ('service = "miniflux"\nurl = "https://x.org"\ntoken = "t"\nsource = "both"',
     "'sync.source' must be one of"),
    ('service = "miniflux"\nurl = "https://x.org"\ntoken = 5', "'sync.token' must be str"),
    ('service = "miniflux"\nurl = "https://x.org"\ntoken = "t"\ntimeout = 0',
     "'sync.timeout' must be between 0.1 and 3600"),
])
def test_config_mistakes_are_one_line(tmp_path: Path, table: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, "[sync]\n" + table + "\n")
    assert words in str(err.value) and str(tmp_path) in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_sync_keys_are_warnings(tmp_path: Path) -> None:
    """As everywhere in the config: a key a newer termnews may have added is named in a
    warning and otherwise ignored."""
    cfg = _load(tmp_path, '[sync]\nservice = "miniflux"\nurl = "https://x.org"\ntoken = "t"\n'
                          'tokn = "t"\n[profiles.bob]\ntheme = "x"\n')
    assert cfg.sync is not None and cfg.sync.token == "t"  # type: ignore[attr-defined]
    assert [w.split(": ", 1)[1] for w in cfg.warnings] == [  # type: ignore[attr-defined]
        "unknown key 'sync.tokn' ignored (a newer termnews may know it)",
        "unknown key 'profiles.bob.theme' ignored (a newer termnews may know it)"]


def test_secret_commands_run_without_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    py = shlex.quote(sys.executable)
    assert run_secret_command(f"{py} -c 'print(\"s3cret\"); print(\"second line\")'",
                              "token_command") == "s3cret"
    # No shell: metacharacters are plain arguments, never a second command.
    out = run_secret_command(f"{py} -c 'import sys; print(sys.argv[1:])' ; touch {marker}",
                             "token_command")
    assert "touch" in out and not marker.exists()
    for command, words in ((f"{py} -c 'print(\"leaked\"); raise SystemExit(3)'",
                            "the command failed (exit status 3)"),
                           ("no-such-program-here", "program not found"),
                           (f"{py} -c 'pass'", "printed nothing"),
                           ("'unclosed", "cannot split")):
        with pytest.raises(SyncError) as err:
            run_secret_command(command, "password_command")
        assert words in str(err.value) and "leaked" not in str(err.value)
        assert str(err.value).startswith("password_command")


def test_token_command_against_the_server_and_the_exposure_warning(
        tmp_path: Path, miniflux: MinifluxServer, feed_server: FeedServer) -> None:
    user = miniflux.new_user("cmd")
    url = feed_server.add("/c.xml", make_rss(1, 3))
    token_file = tmp_path / "token"
    token_file.write_text(user.token + "\n")
    command = f"{shlex.quote(sys.executable)} -c 'import sys; print(open(sys.argv[1]).read())' " \
              f"{shlex.quote(str(token_file))}"
    m = Machine(tmp_path, "m").configure(
        sync_table(miniflux.url, user, "miniflux").replace(
            f'token = "{user.token}"', f"token_command = {json.dumps(command)}"))
    text = (m.dir / "config.toml").read_text()
    assert "token_command" in text and user.token not in text
    m.ok("feeds", "add", "--no-check", url)
    rc, out, err = m.cli("sync")
    assert rc == 0 and out.strip() == "sync: 1 up, 0 down, 0 conflicts" and err == ""
    # A token in the file itself: fine while only its owner can read it.
    m.configure(sync_table(miniflux.url, user, "miniflux"))
    rc, out, err = m.cli("sync")
    assert rc == 0 and err == ""
    (m.dir / "config.toml").chmod(0o644)
    rc, out, err = m.cli("sync")
    assert rc == 0 and err.count("\n") == 1
    assert "holds a sync secret and others can read it: chmod 600" in err
    assert user.token not in err + out


def test_a_new_profile_that_syncs_starts_without_the_starter_set(
        tmp_path: Path, miniflux: MinifluxServer) -> None:
    user = miniflux.new_user("fresh")
    m = Machine(tmp_path, "m").configure(sync_table(miniflux.url, user, "miniflux"))
    assert m.ok("feeds", "list") == ""
    status = m.status()
    assert status == {"service": "miniflux", "url": miniflux.url, "source": "feeds",
                      "last_sync": None, "pending": 0, "error": None}
    assert m.sync() == (0, 0, 0)
    rc, _out, err = m.cli("sync", "--json")
    assert rc == 2 and "--json goes with --status" in err
    plain = m.ok("sync", "--status")
    assert "service: miniflux" in plain and "pending: 0" in plain and "error: -" in plain


def test_no_sync_table_is_one_line(tmp_path: Path) -> None:
    m = Machine(tmp_path, "m")
    rc, out, err = m.cli("sync")
    assert rc == 1 and out == "" and "no sync server: add a [sync] table" in err
