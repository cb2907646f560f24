"""Issue 2's acceptance, end to end through the CLI against a loopback feed server.

200 feeds × 50 items imported from OPML and refreshed → exactly 10,000 articles;
a second refresh costs 200 answers of 304 and changes nothing; export lists the
same feeds; marks are per profile and survive deleting cache.db; a feed that
answers 500, HTML, an empty body or never finishes gets a clear error and the
rest of the refresh completes. Run in-process (``termnews.cli.main``), plus real
``python -m termnews`` processes for the exit codes.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cli_support import CONTRACT, cli, jsonl
from feedserver import FeedServer, make_opml, make_rss
from termnews.feeds.opml import parse_opml
from termnews.paths import resolve_paths

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def cache_rows(data_dir: Path) -> list[tuple]:  # type: ignore[type-arg]
    conn = sqlite3.connect(data_dir / "cache.db")
    try:
        return conn.execute("SELECT id, key, url, title, summary, published, fetched_at "
                            "FROM articles ORDER BY id").fetchall()
    finally:
        conn.close()


def test_200_feeds_import_refresh_304_export_and_marks(
    feed_server: FeedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = resolve_paths().data_dir
    urls = feed_server.add_feeds(200, 50)
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(make_opml(urls, folder="Load test"))
    for profile in ("alice", "bob"):
        rc, out, _ = cli(capsys, "--profile", profile, "import", str(opml))
        assert rc == 0 and out.startswith("imported 200 feeds"), out

    # Cold refresh: every feed fetched once, exactly 10,000 articles stored.
    rc, out, err = cli(capsys, "--profile", "alice", "refresh")
    assert (rc, err) == (0, ""), err
    assert out == "refreshed 200 feeds: 200 ok, 0 failed, 0 unchanged, 10000 new articles\n"
    assert feed_server.count(200) == 200
    assert len(cache_rows(data_dir)) == 10_000

    # articles --json: all of them, newest first, every contract field.
    rc, out, _ = cli(capsys, "--profile", "alice", "articles", "--json")
    records = jsonl(out)
    assert rc == 0 and len(records) == 10_000
    assert len({r["id"] for r in records}) == 10_000
    for r in records:
        assert CONTRACT <= set(r), sorted(CONTRACT - set(r))
        assert ISO_UTC.match(r["published"]), r["published"]
        assert r["read"] is False and r["starred"] is False
    stamps = [r["published"] for r in records]
    assert stamps == sorted(stamps, reverse=True)
    keys = [(r["published"], r["id"]) for r in records]
    assert keys == sorted(keys, reverse=True)  # ties (same minute) by id, newest first
    assert records[0]["published"] == "2026-11-20T12:00:00Z"
    newest = next(r for r in records if r["guid"] == "feed-0-item-0")
    assert newest["feed_url"] == urls[0] and newest["published"] == "2026-11-20T12:00:00Z"
    assert newest["title"] == "Feed 0 item 0: the harbour reopens"
    assert newest["author"] == "Reporter 0" and newest["categories"] == ["Section 0"]
    assert newest["url"] == "https://news.example/0/story-0"
    assert "Local volunteers met at the harbour" in newest["summary"]
    assert "<p>" not in newest["summary"]

    # A second refresh: 200 answers of 304 and nothing changes.
    before = cache_rows(data_dir)
    feed_server.clear_log()
    rc, out, err = cli(capsys, "--profile", "alice", "refresh")
    assert (rc, err) == (0, "")
    assert out == "refreshed 200 feeds: 200 ok, 0 failed, 200 unchanged, 0 new articles\n"
    assert feed_server.count(304) == 200 and len(feed_server.requests) == 200
    assert cache_rows(data_dir) == before
    assert jsonl(cli(capsys, "--profile", "alice", "articles", "--json")[1]) == records

    # export lists the same 200 feeds.
    rc, out, _ = cli(capsys, "--profile", "alice", "export")
    exported = parse_opml(out.encode())
    assert rc == 0 and sorted(f.url for f in exported.feeds) == sorted(urls)
    assert {f.folder for f in exported.feeds} == {"Load test"}

    # alice's read mark is hers alone; bob (same OPML, same cache) still sees it unread.
    target = records[123]
    rc, out, _ = cli(capsys, "--profile", "alice", "mark", "read", str(target["id"]))
    assert (rc, out) == (0, "marked 1 article read\n")
    assert cli(capsys, "--profile", "alice", "mark", "star", str(records[7]["id"]))[0] == 0

    def state_of(profile: str, feed_url: str, guid: str) -> dict:  # type: ignore[type-arg]
        rows = jsonl(cli(capsys, "--profile", profile, "articles", "--json")[1])
        return next(r for r in rows if r["feed_url"] == feed_url and r["guid"] == guid)

    assert state_of("alice", target["feed_url"], target["guid"])["read"] is True
    assert state_of("bob", target["feed_url"], target["guid"])["read"] is False
    unread = jsonl(cli(capsys, "--profile", "alice", "articles", "--json", "--unread")[1])
    assert len(unread) == 9_999

    # Delete cache.db (and its WAL files), refresh again: alice's marks are still there.
    for suffix in ("", "-wal", "-shm"):
        (data_dir / f"cache.db{suffix}").unlink(missing_ok=True)
    assert not (data_dir / "cache.db").exists()
    rc, out, _ = cli(capsys, "--profile", "alice", "refresh")
    assert rc == 0 and out.endswith(", 10000 new articles\n")
    assert state_of("alice", target["feed_url"], target["guid"])["read"] is True
    assert state_of("bob", target["feed_url"], target["guid"])["read"] is False
    starred = jsonl(cli(capsys, "--profile", "alice", "articles", "--json", "--starred")[1])
    assert [(r["feed_url"], r["guid"]) for r in starred] == [
        (records[7]["feed_url"], records[7]["guid"])]
    assert len(jsonl(cli(capsys, "--profile", "alice", "articles", "--json", "--unread")[1])) \
        == 9_999


def _failing_server(server: FeedServer) -> dict[str, str]:
    """Five healthy feeds and four broken ones; returns name -> URL."""
    feeds = {f"good{n}": server.add(f"/good/{n}.xml", make_rss(n, 10)) for n in range(5)}
    feeds["500"] = server.status("/broken/500.xml", 500, body=b"oops")
    feeds["html"] = server.add("/broken/page.xml",
                               b"<!DOCTYPE html><html><head><title>Home</title></head>"
                               b"<body><p>Welcome to our site</p></body></html>",
                               "text/html; charset=utf-8")
    feeds["empty"] = server.add("/broken/empty.xml", b"")
    feeds["hang"] = server.hang("/broken/hang.xml")
    feeds["trickle"] = server.trickle("/broken/trickle.xml", interval=0.2)
    return feeds


def _short_deadline() -> None:
    paths = resolve_paths().ensure()
    paths.config_file.write_text("[refresh]\ndeadline = 2\ntimeout = 10\n", encoding="utf-8")


def test_broken_feeds_get_clear_errors_and_the_rest_completes(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    _short_deadline()
    feeds = _failing_server(feed_server)
    rc, _, _ = cli(capsys, "--profile", "alice", "feeds", "add", "--no-check", *feeds.values())
    assert rc == 0

    rc, out, err = cli(capsys, "--profile", "alice", "refresh")
    assert rc == 0
    assert out == "refreshed 10 feeds: 5 ok, 5 failed, 0 unchanged, 50 new articles\n"
    failed_lines = err.splitlines()
    assert len(failed_lines) == 5
    for name in ("500", "html", "empty", "hang", "trickle"):
        assert sum(feeds[name] in line for line in failed_lines) == 1, name

    listing = {f["url"]: f for f in jsonl(cli(capsys, "--profile", "alice", "feeds", "list",
                                               "--json")[1])}
    assert len(listing) == 10
    for n in range(5):
        good = listing[feeds[f"good{n}"]]
        assert good["error"] is None and good["articles"] == 10 and good["http_status"] == 200
        assert ISO_UTC.match(good["fetched_at"])
    errors = {name: listing[feeds[name]]["error"] for name in ("500", "html", "empty", "hang",
                                                               "trickle")}
    assert errors == {"500": "HTTP 500", "html": "not a feed: HTML page",
                      "empty": "empty response", "hang": "timed out after 2 s",
                      "trickle": "timed out after 2 s"}
    assert listing[feeds["500"]]["http_status"] == 500
    for name, message in errors.items():
        assert ISO_UTC.match(listing[feeds[name]]["fetched_at"]), name
        assert "\n" not in message and len(message) < 200, (name, message)
    # Text form marks the broken ones.
    text = cli(capsys, "--profile", "alice", "feeds", "list")[1]
    assert text.count("✗") == 5 and text.count("✓") == 5
    assert len(jsonl(cli(capsys, "--profile", "alice", "articles", "--json")[1])) == 50


def test_refresh_exit_codes_as_processes(feed_server: FeedServer, tmp_path: Path) -> None:
    data_dir = tmp_path / "proc"
    env = {**os.environ, "TERMNEWS_DATA_DIR": str(data_dir)}
    env.pop("TERMNEWS_PROFILE", None)

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "termnews", *argv], capture_output=True,
                              text=True, env=env, timeout=120)

    good = feed_server.add("/p/good.xml", make_rss(1, 3))
    bad = feed_server.status("/p/bad.xml", 500)
    # Only a failing feed: nothing could be fetched → 1, the feed named on stderr.
    assert run("--profile", "solo", "feeds", "add", "--no-check", bad).returncode == 0
    proc = run("--profile", "solo", "refresh")
    assert proc.returncode == 1
    assert proc.stdout == "refreshed 1 feed: 0 ok, 1 failed, 0 unchanged, 0 new articles\n"
    lines = proc.stderr.splitlines()
    assert len(lines) == 2 and bad in lines[0] and "HTTP 500" in lines[0]
    assert lines[1].startswith("termnews: every feed failed")
    # One good feed beside it: the refresh ran → 0, the failure still reported.
    assert run("--profile", "solo", "feeds", "add", "--no-check", good).returncode == 0
    proc = run("--profile", "solo", "refresh")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "refreshed 2 feeds: 1 ok, 1 failed, 0 unchanged, 3 new articles\n"
    assert proc.stderr.count("\n") == 1 and bad in proc.stderr
    # --offline refuses the network: bad usage.
    proc = run("--offline", "--profile", "solo", "refresh")
    assert proc.returncode == 2 and "offline" in proc.stderr and proc.stdout == ""


def test_refresh_on_a_terminal_draws_progress_on_stderr(feed_server: FeedServer,
                                                        tmp_path: Path) -> None:
    import pty
    import select

    urls = feed_server.add_feeds(3, 5, prefix="/tty/")
    env = {**os.environ, "TERMNEWS_DATA_DIR": str(tmp_path / "tty"), "TERMNEWS_PROFILE": "t",
           "TERM": "xterm-256color", "COLUMNS": "100"}
    add = subprocess.run([sys.executable, "-m", "termnews", "feeds", "add", "--no-check", *urls],
                         capture_output=True, text=True, env=env, timeout=60)
    assert add.returncode == 0, add.stderr
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "termnews", "refresh"], env=env,
                                stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
        os.close(slave)
        drawn = b""
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
        out, _ = proc.communicate(timeout=60)
    finally:
        os.close(master)
    assert proc.returncode == 0
    assert out.decode() == "refreshed 3 feeds: 3 ok, 0 failed, 0 unchanged, 15 new articles\n"
    assert b"refreshing" in drawn and b"\x1b[" in drawn  # a live bar, on the terminal only


def test_refresh_full_text_fetches_article_pages(feed_server: FeedServer,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    site = feed_server.base
    feed = feed_server.add("/ft/feed.xml", make_rss(7, 2, site=site))
    for i in range(2):
        paragraphs = "".join(
            f"<p>Paragraph {p} of story {i}: the harbour master counted the boats again and "
            f"wrote the numbers into the ledger kept since the old lighthouse was built.</p>"
            for p in range(8))
        feed_server.add(f"/7/story-{i}",
                        (f"<!DOCTYPE html><html lang='en'><head><title>Story {i}</title></head>"
                         f"<body><article><h1>Story {i}</h1>{paragraphs}</article></body></html>"
                         ).encode(), "text/html; charset=utf-8")
    assert cli(capsys, "--profile", "ft", "feeds", "add", "--no-check", feed)[0] == 0
    rc, out, err = cli(capsys, "--profile", "ft", "refresh", "--full-text")
    assert (rc, err) == (0, "") and out.endswith(", 2 new articles\n")
    records = jsonl(cli(capsys, "--profile", "ft", "articles", "--json")[1])
    assert [r["full_text"] for r in records] == [True, True]
    assert feed_server.count(200, "/7/story-0") == 1
    # Without the flag (and full_text off in the config) no page is fetched.
    feed_server.touch("/ft/feed.xml", make_rss(7, 3, site=site))
    feed_server.add("/7/story-2", b"<html><body><p>x</p></body></html>", "text/html")
    assert cli(capsys, "--profile", "ft", "refresh")[0] == 0
    assert feed_server.count(path="/7/story-2") == 0
