"""Helpers shared by the security and reliability tests (test_hostile_*, corpus, fuzz, crash …).

The checks here are written independently of ``termnews.feeds.clean`` on purpose: a
test that reused the cleaner's own regular expression could not catch a gap in it.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from termnews.config import CacheConfig, Config, RefreshConfig
from termnews.library import Library
from termnews.paths import Paths, resolve_paths

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
REPO_ROOT = Path(__file__).resolve().parents[1]

# Characters that must never reach storage: C0 controls but tab and newline, DEL, C1,
# zero-width characters, bidi marks, embeddings, overrides and isolates, BOM, lone surrogates.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f"
    "\u061c\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069"
    "\ufeff\ud800-\udfff]"
)

# Text columns of cache.db that hold feed-supplied text.
ARTICLE_TEXT_COLUMNS = ("guid", "url", "title", "author", "editor", "summary", "content_html",
                        "categories", "image_url", "image_caption", "image_credit", "language",
                        "full_text")
NOT_TEXT_COLUMNS = {"id", "feed_id", "key", "published", "fetched_at", "full_text_at"}
CATEGORY_SEP = "\x1f"  # cache.py joins categories with it; the only control char allowed there


def forbidden_chars(text: str) -> list[str]:
    """The forbidden characters in text, as escapes (empty when clean)."""
    return [f"U+{ord(c):04X}" for c in FORBIDDEN.findall(text)]


def db_text_problems(cache_db: Path, feed_urls: Iterable[str] | None = None) -> list[str]:
    """Every stored text value holding a forbidden character, described."""
    conn = sqlite3.connect(f"file:{cache_db}?mode=ro", uri=True)
    try:
        problems: list[str] = []
        # Every text column the schema has (migrations add some), feed-supplied or not.
        present = {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
        columns = [c for c in ARTICLE_TEXT_COLUMNS if c in present] + sorted(
            present - set(ARTICLE_TEXT_COLUMNS) - NOT_TEXT_COLUMNS)
        cols = ", ".join(f"a.{c}" for c in columns)
        sql = f"SELECT f.url, a.id, {cols} FROM articles a JOIN feeds f ON f.id = a.feed_id"
        params: list[str] = []
        if feed_urls is not None:
            params = list(feed_urls)
            sql += f" WHERE f.url IN ({','.join('?' * len(params))})"
        for row in conn.execute(sql, params):
            for name, value in zip(columns, row[2:], strict=True):
                if not isinstance(value, str):
                    continue
                if name == "categories":
                    value = value.replace(CATEGORY_SEP, " ")
                bad = forbidden_chars(value)
                if bad:
                    problems.append(f"{row[0]} article {row[1]} {name}: {bad[:5]} in {value!r:.80}")
        for url, title, error, lang in conn.execute(
                "SELECT url, title, coalesce(error, ''), language FROM feeds"):
            for name, value in (("feed title", title), ("feed error", error),
                                ("feed language", lang)):
                bad = forbidden_chars(value)
                if bad:
                    problems.append(f"{url} {name}: {bad[:5]} in {value!r:.80}")
        for article_id, lang, url in conn.execute("SELECT article_id, lang, url FROM alternates"):
            bad = forbidden_chars(lang + url)
            if bad:
                problems.append(f"article {article_id} alternate: {bad[:5]} in {lang!r} {url!r}")
        return problems
    finally:
        conn.close()


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.append((tag, name))
            self.values.append(value or "")
            if name in ("href", "src", "action", "data", "formaction", "poster", "background",
                        "srcset", "xlink:href"):
                self.links.append((tag, name, value or ""))


def html_problems(html: str) -> list[str]:
    """Unsafe things left in sanitised HTML: scripts, handlers, frames, non-http(s) links."""
    parser = _LinkCollector()
    parser.feed(html)
    parser.close()
    problems = []
    for tag in parser.tags:
        if tag in ("script", "style", "iframe", "object", "embed", "form", "svg", "meta", "base",
                   "link", "frame", "frameset", "applet", "math"):
            problems.append(f"<{tag}> kept")
    for tag, name in parser.attrs:
        if name.startswith("on") or name in ("style", "formaction", "srcdoc"):
            problems.append(f"{tag}[{name}] kept")
    for tag, name, value in parser.links:
        scheme = urlsplit(value.strip()).scheme.lower() if ":" in value else ""
        if scheme not in ("http", "https"):
            problems.append(f"{tag}[{name}]={value!r} is not an http(s) link")
    # Text may say "javascript:" (it is only text), and so may an http(s) URL's path;
    # no attribute value may start with it, whatever whitespace hides it.
    for value in parser.values:
        squeezed = "".join(value.split()).lower()
        for word in ("javascript:", "vbscript:", "data:", "file:"):
            if squeezed.startswith(word):
                problems.append(f"{word!r} left in an attribute: {value!r:.60}")
    return problems


def config(max_articles: int = 10_000, **refresh: object) -> Config:
    """A config with small, fast limits for tests (overridable per test)."""
    base = RefreshConfig(timeout=2.0, deadline=4.0, max_bytes=4 * 1024 * 1024, parse_workers=1)
    return Config(refresh=replace(base, **refresh),  # type: ignore[arg-type]
                  cache=CacheConfig(max_articles=max_articles, keep_days=0))


def write_config(paths: Paths, max_articles: int = 10_000, **refresh: object) -> None:
    """The same small limits, as a config.toml the CLI reads."""
    values = {"timeout": 2.0, "deadline": 4.0, "max_bytes": 4 * 1024 * 1024, **refresh}
    lines = ["[refresh]"]
    for key, value in values.items():
        lines.append(f"{key} = {value!r}" if not isinstance(value, str) else f'{key} = "{value}"')
    lines += ["[cache]", f"max_articles = {max_articles}", "keep_days = 0"]
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def open_library(data_dir: Path, profile: str = "tester", **refresh: object) -> Library:
    paths = resolve_paths(data_dir).ensure()
    lib = Library(paths, config(**refresh), profile)  # type: ignore[arg-type]
    lib.start(starter=False)
    return lib


def run_cli(args: Sequence[str], data_dir: Path, *, timeout: float = 120,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m termnews --data-dir D ARGS`` in a subprocess, output captured."""
    full_env = {**os.environ, "TERMNEWS_DATA_DIR": str(data_dir), "COLUMNS": "120",
                **(env or {})}
    full_env.pop("TERMNEWS_PROFILE", None)
    return subprocess.run(
        [sys.executable, "-m", "termnews", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=timeout, env=full_env,
    )


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()
