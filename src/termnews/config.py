"""The TOML config file, read into typed dataclasses with a default for everything.

A bad file raises ``ConfigError`` whose message names the file and the key, so
the CLI can print one clear line: a value of the wrong type, or out of its range
(``RANGES``). A key this termnews does not know is not an error — a newer version may
have added it — but a warning naming it (``Config.warnings``), and it is ignored.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from termnews import __version__

DEFAULT_USER_AGENT = f"termnews/{__version__} (+https://pypi.org/project/termnews/)"


class ConfigError(Exception):
    """The config file cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class RefreshConfig:
    concurrency: int = 16  # feeds fetched at once, overall
    per_host: int = 4  # feeds fetched at once from one host
    timeout: float = 20.0  # seconds to connect / between bytes
    deadline: float = 60.0  # seconds for one whole feed, however it trickles
    max_bytes: int = 16 * 1024 * 1024  # body cap, after decompression
    max_redirects: int = 5
    interval_minutes: int = 30  # periodic refresh in the TUI; 0 = off
    user_agent: str = DEFAULT_USER_AGENT
    full_text: bool = False  # fetch article pages of new articles on refresh
    full_text_limit: int = 50  # at most this many pages per refresh
    parse_workers: int = 2  # processes parsing feeds
    # A feed on the internet may not redirect or link into the local network (SSRF);
    # true turns that rule off, for a reader whose public feeds point at an intranet.
    allow_local_redirects: bool = False


@dataclass(frozen=True, slots=True)
class CacheConfig:
    # Both limits apply to articles that have left their feed's document; what a feed
    # still carries and starred articles are never purged.
    max_articles: int = 2000  # per feed
    keep_days: int = 180  # 0 = keep for ever


IMAGE_MODES = ("auto", "sixel", "kitty", "halfcell", "unicode")
FEED_ORDERS = ("file", "title", "unread")  # as imported or added, by title, most unread first


@dataclass(frozen=True, slots=True)
class UIConfig:
    language: str = "edition"  # "edition" follows the outlet's edition, or en/ru/de/fr/pt/es
    theme: str = "textual-dark"
    mark_read_delay: float = 0.0  # seconds an article stays open before it is marked read; <0 = off
    show_images: bool = False
    image_mode: str = "auto"  # how images are drawn: one of IMAGE_MODES
    browser: str = ""  # a terminal browser command; "" = the system's default browser
    feed_order: str = "file"  # sidebar order of folders and feeds: one of FEED_ORDERS


@dataclass(frozen=True, slots=True)
class FeedOverride:
    """Per-feed settings from a ``[feeds."URL"]`` table."""

    max_articles: int | None = None
    keep_days: int | None = None
    interval_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class UserSection:
    key: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class UserEdition:
    lang: str
    name: str
    sections: tuple[UserSection, ...]
    home: str = ""
    rtl: bool = False


@dataclass(frozen=True, slots=True)
class UserOutlet:
    key: str
    name: str
    editions: tuple[UserEdition, ...]


SYNC_SERVICES = ("miniflux", "greader")
SYNC_SOURCES = ("feeds", "server")


@dataclass(frozen=True, slots=True)
class SyncConfig:
    """A ``[sync]`` (or ``[profiles.NAME.sync]``) table: the server a profile syncs with.

    Secrets come as values or as ``*_command`` (run without a shell, its first output
    line is the secret); they are never printed or logged.
    """

    service: str = ""  # one of SYNC_SERVICES
    url: str = ""
    token: str = ""  # Miniflux API key
    token_command: str = ""
    username: str = ""  # Miniflux (instead of a token) and Google Reader servers
    password: str = ""
    password_command: str = ""
    source: str = "feeds"  # who fetches the feeds: termnews ("feeds") or the server
    timeout: float = 30.0  # seconds to connect / between bytes


@dataclass(frozen=True, slots=True)
class Config:
    refresh: RefreshConfig = field(default_factory=RefreshConfig)
    cache: CacheConfig = field(default_factory=CacheConfig)
    ui: UIConfig = field(default_factory=UIConfig)
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> key(s)
    feeds: dict[str, FeedOverride] = field(default_factory=dict)
    outlets: tuple[UserOutlet, ...] = ()
    sync: SyncConfig | None = None  # [sync]: every profile without a table of its own
    profile_sync: dict[str, SyncConfig] = field(default_factory=dict)  # [profiles.NAME.sync]
    path: Path | None = None
    warnings: tuple[str, ...] = ()  # one line each: keys this termnews does not know

    def sync_for(self, profile: str) -> SyncConfig | None:
        """The sync server of a profile, or None when it does not sync."""
        return self.profile_sync.get(profile, self.sync)

    def feed_max_articles(self, url: str) -> int:
        o = self.feeds.get(url)
        return o.max_articles if o and o.max_articles is not None else self.cache.max_articles

    def feed_keep_days(self, url: str) -> int:
        o = self.feeds.get(url)
        return o.keep_days if o and o.keep_days is not None else self.cache.keep_days


EXAMPLE = """\
# termnews configuration. Every key is optional; the values shown are the defaults.

[refresh]
# concurrency = 16          # feeds fetched at once
# per_host = 4              # feeds fetched at once from one host (be polite)
# timeout = 20.0            # seconds to connect or between two bytes
# deadline = 60.0           # seconds for a whole feed
# max_bytes = 16777216      # largest feed body accepted (after decompression)
# interval_minutes = 30     # periodic refresh in the TUI (0 = off)
# full_text = false         # also fetch the article pages of new articles
# allow_local_redirects = false  # let public feeds redirect or link into the local network

[cache]
# max_articles = 2000       # per feed: what the feed still carries and starred stay
# keep_days = 180           # for articles that left their feed; 0 = keep for ever

[ui]
# language = "edition"      # follow the edition, or one of en ru de fr pt es
# theme = "textual-dark"
# mark_read_delay = 0.0     # seconds before an opened article counts as read; -1 = never
# show_images = false       # draw lead images where the terminal can
# image_mode = "auto"       # auto (ask the terminal), sixel, kitty, halfcell or unicode
# browser = ""              # e.g. "w3m" to open links in a terminal browser
# feed_order = "file"       # folders and feeds in the sidebar: file, title or unread

[keys]
# Remap any binding by its id, e.g.:
# next_unread = "n"
# refresh = "r,f5"

# [feeds."https://example.org/feed.xml"]
# max_articles = 200
# keep_days = 30

# [sync]                    # read on several machines (see README)
# service = "miniflux"      # or "greader" (Google Reader API: FreshRSS, Miniflux …)
# url = "https://miniflux.example.org"
# token_command = "pass show miniflux"   # or token = "…" (keep this file private)
# source = "feeds"          # who fetches: "feeds" (termnews) or "server"
# [profiles.bob.sync]       # a profile with an account of its own

# [[outlets]]
# key = "example"
# name = "Example News"
# [[outlets.editions]]
# lang = "en"
# name = "English"
# sections = [ { key = "world", title = "World", url = "https://example.org/world.xml" } ]
"""


# Allowed values of the numeric keys, by table (a feed override's keys as in [cache] /
# [refresh]): (lowest, highest or None for no upper bound).
_COUNTS: dict[str, tuple[float, float | None]] = {
    "concurrency": (1, 512),
    "per_host": (1, 64),
    "timeout": (0.1, 3600),
    "deadline": (0.1, 3600),
    "max_bytes": (1024, 2**31),
    "max_redirects": (0, 20),
    "interval_minutes": (0, None),
    "full_text_limit": (0, None),
    "parse_workers": (0, 64),
    "max_articles": (0, None),  # 0 = no limit
    "keep_days": (0, None),  # 0 = keep for ever
}
RANGES: dict[type, dict[str, tuple[float, float | None]]] = {
    RefreshConfig: {k: v for k, v in _COUNTS.items() if k in RefreshConfig.__dataclass_fields__},
    CacheConfig: {k: v for k, v in _COUNTS.items() if k in CacheConfig.__dataclass_fields__},
    FeedOverride: {k: v for k, v in _COUNTS.items() if k in FeedOverride.__dataclass_fields__},
    SyncConfig: {"timeout": _COUNTS["timeout"]},
}


def _range_text(low: float, high: float | None) -> str:
    def num(x: float) -> str:
        return f"{x:g}"

    return f"between {num(low)} and {num(high)}" if high is not None else \
        f"{num(low)} or more"


def _check_range(cls: type, key: str, value: Any, where: str, path: Path) -> None:
    bounds = RANGES.get(cls, {}).get(key)
    if bounds is None or not isinstance(value, (int, float)) or isinstance(value, bool):
        return
    low, high = bounds
    if value < low or (high is not None and value > high):
        raise ConfigError(f"{path}: '{where}.{key}' must be {_range_text(low, high)}, "
                          f"not {value!r}")


def _coerce(cls: type, table: Any, where: str, path: Path,
            warnings: list[str] | None = None) -> Any:
    """Build a flat dataclass from a TOML table, checking each value's type and range;
    a key it does not know is a warning (in ``warnings``) and is left out."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{where}] must be a table")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        f = known.get(key)
        if f is None:
            if warnings is not None:
                warnings.append(_unknown(path, f"{where}.{key}"))
            continue
        default = getattr(cls(), key)
        want = type(default) if default is not None else None
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if want is not None and (
            not isinstance(value, want) or (want is int and isinstance(value, bool))
        ):
            raise ConfigError(
                f"{path}: '{where}.{key}' must be {want.__name__}, not {type(value).__name__}"
            )
        if want is None and value is not None and (not isinstance(value, int)
                                                   or isinstance(value, bool)):
            raise ConfigError(f"{path}: '{where}.{key}' must be int")
        _check_range(cls, key, value, where, path)
        values[key] = value
    return cls(**values)


def _unknown(path: Path, key: str) -> str:
    return f"{path}: unknown key '{key}' ignored (a newer termnews may know it)"


def _outlets(raw: Any, path: Path) -> tuple[UserOutlet, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: 'outlets' must be an array of tables ([[outlets]])")
    result = []
    for i, o in enumerate(raw):
        where = f"outlets[{i}]"
        try:
            editions = tuple(
                UserEdition(
                    lang=str(e["lang"]),
                    name=str(e.get("name", e["lang"])),
                    home=str(e.get("home", "")),
                    rtl=bool(e.get("rtl", False)),
                    sections=tuple(
                        UserSection(key=str(s["key"]), title=str(s.get("title", s["key"])),
                                    url=str(s["url"]))
                        for s in e.get("sections", [])
                    ),
                )
                for e in o.get("editions", [])
            )
            result.append(UserOutlet(key=str(o["key"]), name=str(o.get("name", o["key"])),
                                     editions=editions))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"{path}: '{where}' is missing or has a bad key: {exc}") from None
    return tuple(result)


def _sync(table: Any, where: str, path: Path,
          warnings: list[str] | None = None) -> SyncConfig:
    cfg: SyncConfig = _coerce(SyncConfig, table, where, path, warnings)
    if cfg.service not in SYNC_SERVICES:
        raise ConfigError(f"{path}: '{where}.service' must be one of "
                          f"{', '.join(SYNC_SERVICES)}, not {cfg.service!r}")
    if not cfg.url.lower().startswith(("http://", "https://")):
        raise ConfigError(f"{path}: '{where}.url' must be an http(s) URL")
    if cfg.source not in SYNC_SOURCES:
        raise ConfigError(f"{path}: '{where}.source' must be one of "
                          f"{', '.join(SYNC_SOURCES)}, not {cfg.source!r}")
    has_password = bool(cfg.password or cfg.password_command)
    if cfg.service == "greader" and not (cfg.username and has_password):
        raise ConfigError(f"{path}: [{where}] needs 'username' and 'password' "
                          "(or 'password_command') for a Google Reader server")
    if cfg.service == "miniflux" and not (cfg.token or cfg.token_command
                                          or (cfg.username and has_password)):
        raise ConfigError(f"{path}: [{where}] needs 'token' (or 'token_command'), or "
                          "'username' and 'password'")
    return cfg


def _profiles(raw: Any, path: Path, warnings: list[str]) -> dict[str, SyncConfig]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [profiles] must be a table of profile names")
    result = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [profiles.{name}] must be a table")
        for key, value in table.items():
            if key != "sync":
                warnings.append(_unknown(path, f"profiles.{name}.{key}"))
                continue
            result[name] = _sync(value, f"profiles.{name}.sync", path, warnings)
    return result


def load_config(path: Path) -> Config:
    """Read the config file; a missing file gives the defaults."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config(path=path)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    cfg = Config(path=path)
    warnings: list[str] = []
    for key, value in raw.items():
        if key == "refresh":
            cfg = replace(cfg, refresh=_coerce(RefreshConfig, value, key, path, warnings))
        elif key == "cache":
            cfg = replace(cfg, cache=_coerce(CacheConfig, value, key, path, warnings))
        elif key == "ui":
            cfg = replace(cfg, ui=_coerce(UIConfig, value, key, path, warnings))
            if cfg.ui.image_mode not in IMAGE_MODES:
                raise ConfigError(f"{path}: 'ui.image_mode' must be one of "
                                  f"{', '.join(IMAGE_MODES)}, not {cfg.ui.image_mode!r}")
            if cfg.ui.feed_order not in FEED_ORDERS:
                raise ConfigError(f"{path}: 'ui.feed_order' must be one of "
                                  f"{', '.join(FEED_ORDERS)}, not {cfg.ui.feed_order!r}")
        elif key == "keys":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ConfigError(f"{path}: [keys] must map binding ids to key strings")
            cfg = replace(cfg, keys=dict(value))
        elif key == "feeds":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: [feeds] must be a table of feed URLs")
            cfg = replace(
                cfg,
                feeds={url: _coerce(FeedOverride, t, f'feeds."{url}"', path, warnings)
                       for url, t in value.items()},
            )
        elif key == "outlets":
            cfg = replace(cfg, outlets=_outlets(value, path))
        elif key == "sync":
            cfg = replace(cfg, sync=_sync(value, key, path, warnings))
        elif key == "profiles":
            cfg = replace(cfg, profile_sync=_profiles(value, path, warnings))
        else:
            warnings.append(_unknown(path, key))
    return replace(cfg, warnings=tuple(warnings))
