"""Config values out of range are one-line errors naming key and range; unknown keys are
warnings naming them and are otherwise ignored (an older termnews runs on a newer config)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile_support import run_cli
from termnews.config import ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text,message", [
    ("[refresh]\nconcurrency = 0", "'refresh.concurrency' must be between 1 and 512, not 0"),
    ("[refresh]\nper_host = -1", "'refresh.per_host' must be between 1 and 64, not -1"),
    ("[refresh]\ntimeout = 0", "'refresh.timeout' must be between 0.1 and 3600, not 0.0"),
    ("[refresh]\nmax_redirects = 50", "'refresh.max_redirects' must be between 0 and 20, not 50"),
    ("[refresh]\ninterval_minutes = -30", "'refresh.interval_minutes' must be 0 or more, not -30"),
    ("[refresh]\nparse_workers = -2", "'refresh.parse_workers' must be between 0 and 64, not -2"),
    ("[cache]\nmax_articles = -5", "'cache.max_articles' must be 0 or more, not -5"),
    ("[cache]\nkeep_days = -1", "'cache.keep_days' must be 0 or more, not -1"),
    ('[feeds."https://a.example/f.xml"]\nmax_articles = -1',
     "'feeds.\"https://a.example/f.xml\".max_articles' must be 0 or more, not -1"),
    ("[refresh]\nconcurrency = true", "'refresh.concurrency' must be int, not bool"),
])
def test_out_of_range_is_one_line_naming_key_and_range(tmp_path: Path, text: str,
                                                       message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value) == f"{path}: {message}"


def test_limits_themselves_are_allowed(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[refresh]\nconcurrency = 1\nper_host = 64\n"
                                         "parse_workers = 0\ninterval_minutes = 0\n"
                                         "[cache]\nmax_articles = 0\nkeep_days = 0\n"))
    assert (config.refresh.concurrency, config.refresh.per_host) == (1, 64)
    assert config.cache.max_articles == 0 and config.warnings == ()


def test_unknown_keys_are_warnings_and_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "[refresh]\nconcurrency = 8\nprefetch_images = true\n"
                           "[ui]\nsidebar_width = 30\n[plugins]\nenabled = ['x']\n"
                           "[sync]\nservice = 'miniflux'\nurl = 'https://x.example'\n"
                           "token = 't'\nretries = 3\n"
                           "[profiles.bob.sync]\nservice = 'miniflux'\n"
                           "url = 'https://y.example'\ntoken = 'u'\n[profiles.bob.colors]\n")
    config = load_config(path)
    assert config.refresh.concurrency == 8
    assert config.sync is not None and config.sync.url == "https://x.example"
    assert config.sync_for("bob") is not None
    assert list(config.warnings) == [
        f"{path}: unknown key '{key}' ignored (a newer termnews may know it)"
        for key in ("refresh.prefetch_images", "ui.sidebar_width", "plugins", "sync.retries",
                    "profiles.bob.colors")
    ]


def test_cli_runs_on_a_newer_config_and_says_what_it_ignored(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.toml").write_text("[refresh]\nsome_future_key = 3\n", encoding="utf-8")
    proc = run_cli(["outlets"], data)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == (f"termnews: {data / 'config.toml'}: unknown key "
                           "'refresh.some_future_key' ignored (a newer termnews may know it)\n")
    assert "Pravda" in proc.stdout
    (data / "config.toml").write_text("[refresh]\nconcurrency = 0\n", encoding="utf-8")
    proc = run_cli(["outlets"], data)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == (f"termnews: {data / 'config.toml'}: 'refresh.concurrency' must be "
                           "between 1 and 512, not 0\n")
