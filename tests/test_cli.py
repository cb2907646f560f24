"""The CLI contract, in-process through ``termnews.cli.main`` (no network needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cli_support import CONTRACT, cli, jsonl
from termnews.config import Config
from termnews.feeds.opml import parse_opml
from termnews.library import Library
from termnews.model import FetchResult, ParsedEntry, ParsedFeed
from termnews.paths import resolve_paths
from termnews.store import cache
from termnews.store.db import transaction

FEED_A = "http://127.0.0.1:9/a.xml"
FEED_B = "http://127.0.0.1:9/b.xml"
T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)


def store(profile: str, feed_url: str, entries: list[ParsedEntry], folder: str = "",
          title: str = "") -> None:
    """Put articles in the cache as a refresh would (the CLI under test only reads them)."""
    lib = Library(resolve_paths(), Config(), profile)
    lib.start(starter=False)
    lib.add_feeds([feed_url], folder=folder)
    lib.feed_sources()
    with transaction(lib.conn):
        cache.store_entries(lib.conn, feed_url, ParsedFeed("Feed", "en", tuple(entries)))
        if title:  # the title the feed gives itself
            cache.record_fetch(lib.conn, feed_url, FetchResult(feed_url, 200), error=None,
                               title=title)
    lib.close()


def entry(i: int, title: str = "", **kw: object) -> ParsedEntry:
    return ParsedEntry(guid=f"g{i}", url=f"https://news.example/{i}", title=title or f"Story {i}",
                       published=T0 - timedelta(hours=i), summary=f"Summary {i} about glaciers",
                       categories=("World",), author=f"Author {i}", **kw)  # type: ignore[arg-type]


@pytest.fixture
def stocked() -> None:
    """Profile "tester": 5 articles in FEED_A (folder "Mine"), 3 in FEED_B."""
    store("tester", FEED_A, [entry(i) for i in range(5)], folder="Mine", title="Feed A")
    store("tester", FEED_B, [entry(10 + i, f"Orchard {i}") for i in range(3)]
          + [ParsedEntry(guid="undated", url="https://news.example/u", title="Undated")])


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = cli(capsys, "--help")
    assert rc == 0
    for command in ("refresh", "feeds", "import", "export", "outlets", "subscribe",
                    "unsubscribe", "articles", "mark"):
        assert command in out
    assert cli(capsys, "--version")[1].startswith("termnews ")
    assert cli(capsys, "refresh", "--help")[1].count("exit status") == 1
    assert cli(capsys, "articles", "--nope")[0] == 2


def test_feeds_add_list_remove(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = cli(capsys, "--profile", "tester", "feeds", "add", "--no-check",
                       FEED_A, FEED_B, FEED_A)
    assert (rc, out) == (0, "added 2 feeds\n")
    rc, out, _ = cli(capsys, "--profile", "tester", "feeds", "list", "--json")
    feeds = jsonl(out)
    assert rc == 0 and {f["url"] for f in feeds} == {FEED_A, FEED_B}
    for f in feeds:
        assert f["error"] is None and f["fetched_at"] is None and f["articles"] == 0
    # A file path or a non-http URL is bad usage, and nothing is added.
    for bad in ("/etc/passwd", "file:///etc/passwd", "javascript:x"):
        rc, _, err = cli(capsys, "--profile", "tester", "feeds", "add", "--no-check", bad)
        assert rc == 2 and err.startswith("termnews: not an http(s) feed URL")
    # Removing one unknown URL removes nothing at all.
    rc, _, err = cli(capsys, "--profile", "tester", "feeds", "remove", FEED_A,
                     "http://127.0.0.1:9/none")
    assert rc == 1 and "not subscribed" in err
    assert len(jsonl(cli(capsys, "--profile", "tester", "feeds", "list", "--json")[1])) == 2
    assert cli(capsys, "--profile", "tester", "feeds", "remove", FEED_A)[0] == 0
    rc, out, _ = cli(capsys, "--profile", "tester", "feeds", "list")
    assert FEED_B in out and FEED_A not in out and "never fetched" in out
    # A catalog feed's URL subscribes its catalog section.
    world = "https://www.pravda.ru/world/export.xml"
    assert cli(capsys, "--profile", "tester", "feeds", "add", "--no-check", world)[0] == 0
    rec = next(f for f in jsonl(cli(capsys, "--profile", "tester", "feeds", "list", "--json")[1])
               if f["url"] == world)
    assert (rec["outlet"], rec["edition"], rec["section"]) == ("pravda", "ru", "world")


def test_import_newsboat_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    urls = tmp_path / "urls"
    urls.write_text(f'{FEED_A} "Tech" "~Feed A"\n# comment\nquery:all:unread = "yes"\n'
                    f"{FEED_B}\nhttps://www.pravdareport.com/world/export.xml\n")
    rc, out, err = cli(capsys, "--profile", "tester", "import", str(urls))
    assert rc == 0 and "imported 3 feeds" in out and "(newsboat)" in out
    assert "line 3: skipped query feed" in err
    feeds = {f["url"]: f for f in jsonl(cli(capsys, "--profile", "tester", "feeds", "list",
                                             "--json")[1])}
    assert feeds[FEED_A]["title"] == "Feed A" and feeds[FEED_A]["folder"] == "Tech"
    assert feeds[FEED_B]["folder"] == ""
    # A catalog URL becomes that catalog section, not a loose feed.
    world = feeds["https://www.pravdareport.com/world/export.xml"]
    assert (world["outlet"], world["edition"], world["section"]) == ("pravda", "en", "world")
    # The profile was created empty: no starter subscriptions besides the import.
    assert len(feeds) == 3

    rc, out, _ = cli(capsys, "--profile", "tester", "export")
    doc = parse_opml(out.encode())
    assert rc == 0 and {f.url for f in doc.feeds} == set(feeds)
    assert {f.url: f.folder for f in doc.feeds}[world["url"]] == "Pravda.ru/English"
    target = tmp_path / "out.opml"
    assert cli(capsys, "--profile", "tester", "export", str(target))[0] == 0
    assert {f.url for f in parse_opml(target.read_bytes()).feeds} == set(feeds)
    # Importing the export again into another profile gives the same feeds and folders.
    assert cli(capsys, "--profile", "other", "import", str(target))[0] == 0
    again = jsonl(cli(capsys, "--profile", "other", "feeds", "list", "--json")[1])
    assert {(f["url"], f["folder"], f["outlet"]) for f in again} == {
        (f["url"], f["folder"], f["outlet"]) for f in feeds.values()}


def test_malformed_opml_imports_nothing(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_bytes(b'<?xml version="1.0"?><opml version="2.0"><body>'
                    b'<outline xmlUrl="https://a.example/1"/>'
                    b'<outline xmlUrl="https://a.example/2">'
                    b"</body></opml>")
    rc, out, err = cli(capsys, "--profile", "tester", "import", str(bad))
    assert rc == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "malformed OPML" in err
    assert "a.example" not in cli(capsys, "--profile", "tester", "feeds", "list", "--json")[1]
    rc, _, err = cli(capsys, "--profile", "tester", "import", str(tmp_path / "missing.opml"))
    assert rc == 1 and "cannot read" in err
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing here\n")
    rc, _, err = cli(capsys, "--profile", "tester", "import", str(empty))
    assert rc == 1 and "no feeds found" in err


def test_outlets_subscribe_unsubscribe(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = cli(capsys, "--profile", "tester", "outlets", "--json")
    outlets = {o["key"]: o for o in json.loads(out)}
    pravda = outlets["pravda"]
    homes = " ".join(e["home"] for e in pravda["editions"])
    for site in ("www.pravda.ru", "pravdareport.com", "port.pravda.ru", "pravdafrance.com"):
        assert site in homes
    for e in pravda["editions"]:
        assert e["lang"] and e["name"] and e["sections"]
        assert set(e["sections"][0]) >= {"key", "title", "feed_url", "subscribed", "verified"}

    def ru_world() -> dict:  # type: ignore[type-arg]
        data = json.loads(cli(capsys, "--profile", "fresh", "outlets", "--json")[1])
        ed = next(e for o in data if o["key"] == "pravda" for e in o["editions"]
                  if e["lang"] == "ru")
        return next(s for s in ed["sections"] if s["key"] == "world")

    rc, out, _ = cli(capsys, "--profile", "fresh", "subscribe", "pravda", "ru", "world")
    assert rc == 0 and out == "subscribed to 1 feed of pravda ru world\n"
    assert ru_world()["subscribed"] is True
    rc, out, _ = cli(capsys, "--profile", "fresh", "outlets")
    assert rc == 0 and "✓ world" in out and "Русский" in out
    assert cli(capsys, "--profile", "fresh", "unsubscribe", "pravda", "ru", "world")[0] == 0
    assert ru_world()["subscribed"] is False
    rc, _, err = cli(capsys, "--profile", "fresh", "unsubscribe", "pravda", "ru", "world")
    assert rc == 1 and "not subscribed" in err
    rc, _, err = cli(capsys, "--profile", "fresh", "subscribe", "nosuch")
    assert rc == 1 and err.startswith("termnews: no outlet 'nosuch'")
    rc, _, err = cli(capsys, "--profile", "fresh", "subscribe", "pravda", "xx")
    assert rc == 1 and "no edition 'xx'" in err


@pytest.mark.usefixtures("stocked")
def test_articles_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = cli(capsys, "--profile", "tester", "articles")
    lines = out.splitlines()
    assert rc == 0 and len(lines) == 9
    # A feed of one's own is named by its title (not "[main]", not its URL).
    assert lines[0].endswith("[Feed A] Story 0") and "2026-11-20 12:00" in lines[0]
    assert lines[-1].endswith("Undated") and "----------------" in lines[-1]

    rc, out, _ = cli(capsys, "--profile", "tester", "articles", "--json")
    records = jsonl(out)
    assert rc == 0 and len(records) == 9
    for r in records:
        assert CONTRACT <= set(r)
    dated = [r["published"] for r in records if r["published"]]
    assert dated == sorted(dated, reverse=True) and records[-1]["published"] is None
    first = records[0]
    assert first["published"] == "2026-11-20T12:00:00Z"
    assert first["title"] == "Story 0" and first["author"] == "Author 0"
    assert first["categories"] == ["World"] and first["feed_url"] == FEED_A
    assert first["read"] is False and first["starred"] is False
    assert first["outlet"] == "folder:Mine" and first["guid"] == "g0"
    ids_text = [int(line.split()[0]) for line in
                cli(capsys, "--profile", "tester", "articles")[1].splitlines()]
    assert ids_text == [r["id"] for r in records]

    out = cli(capsys, "--profile", "tester", "articles", "--json", "--limit", "2")[1]
    assert [r["id"] for r in jsonl(out)] == ids_text[:2]
    assert cli(capsys, "--profile", "tester", "articles", "--limit", "0")[1] == ""
    assert cli(capsys, "--profile", "tester", "articles", "--limit", "-1")[0] == 2
    out = cli(capsys, "--profile", "tester", "articles", "--search", "orchard")[1]
    assert [line.split("] ")[1] for line in out.splitlines()] == ["Orchard 0", "Orchard 1",
                                                                  "Orchard 2"]
    out = cli(capsys, "--profile", "tester", "articles", "--json", "--search", "glacier",
              "--limit", "4")[1]
    assert len(jsonl(out)) == 4
    assert cli(capsys, "--profile", "tester", "articles", "--search", "zebra")[1] == ""
    out = cli(capsys, "--profile", "tester", "articles", "--outlet", "folder:Mine")[1]
    assert len(out.splitlines()) == 5
    out = cli(capsys, "--profile", "tester", "articles", "--section", "main")[1]
    assert len(out.splitlines()) == 4  # FEED_B is a plain feed: its section is "main"
    assert cli(capsys, "--profile", "tester", "articles", "--edition", "ru")[1] == ""
    # Another profile subscribed to nothing sees nothing.
    assert cli(capsys, "--profile", "nobody", "subscribe", "pravda", "ru", "world")[0] == 0
    assert cli(capsys, "--profile", "nobody", "articles")[1] == ""


def test_articles_never_print_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    # The store trusts its callers to clean text; the CLI still never prints raw controls.
    store("tester", FEED_A, [entry(0, "Evil \x1b]0;pwned\x07 title\u202e\u200b\x9b2J")])
    out = cli(capsys, "--profile", "tester", "articles")[1]
    assert out.endswith("Evil ]0;pwned title2J\n")
    assert not any(ord(c) < 32 and c != "\n" for c in out)
    raw = cli(capsys, "--profile", "tester", "articles", "--json")[1]
    assert "\x1b" not in raw and "\\u001b" in raw


@pytest.mark.usefixtures("stocked")
def test_mark_by_id_and_all(capsys: pytest.CaptureFixture[str]) -> None:
    records = jsonl(cli(capsys, "--profile", "tester", "articles", "--json")[1])
    a, b = records[0]["id"], records[1]["id"]
    rc, out, _ = cli(capsys, "--profile", "tester", "mark", "read", str(a), str(b))
    assert (rc, out) == (0, "marked 2 articles read\n")
    assert cli(capsys, "--profile", "tester", "mark", "star", str(b))[0] == 0
    unread = jsonl(cli(capsys, "--profile", "tester", "articles", "--json", "--unread")[1])
    assert {r["id"] for r in unread} == {r["id"] for r in records} - {a, b}
    starred = jsonl(cli(capsys, "--profile", "tester", "articles", "--json", "--starred")[1])
    assert [(r["id"], r["read"], r["starred"]) for r in starred] == [(b, True, True)]
    # Another profile's marks are its own.
    store("bob", FEED_A, [])
    bob = jsonl(cli(capsys, "--profile", "bob", "articles", "--json")[1])
    assert all(not r["read"] and not r["starred"] for r in bob)

    # An unknown id is an error and marks nothing, not even the known ids beside it.
    c = records[2]["id"]
    rc, _, err = cli(capsys, "--profile", "tester", "mark", "read", str(c), "999999")
    assert rc == 1 and err == "termnews: no article with id 999999\n"
    assert len(jsonl(cli(capsys, "--profile", "tester", "articles", "--json", "--unread")[1])) \
        == len(records) - 2
    assert cli(capsys, "--profile", "tester", "mark", "read", "x")[0] == 2
    assert cli(capsys, "--profile", "tester", "mark", "read")[0] == 2
    assert cli(capsys, "--profile", "tester", "mark", "read", str(a), "--all")[0] == 2
    assert cli(capsys, "--profile", "tester", "mark", "read", str(a), "--search", "x")[0] == 2

    rc, out, _ = cli(capsys, "--profile", "tester", "mark", "read", "--all", "--search", "orchard")
    assert (rc, out) == (0, "marked 3 articles read\n")
    assert cli(capsys, "--profile", "tester", "mark", "unstar", str(b))[0] == 0
    assert cli(capsys, "--profile", "tester", "articles", "--starred")[1] == ""
    assert cli(capsys, "--profile", "tester", "mark", "unread", "--all")[0] == 0
    assert len(cli(capsys, "--profile", "tester", "articles", "--unread")[1].splitlines()) == 9


def test_refresh_refuses_offline_and_bad_config(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = cli(capsys, "--offline", "--profile", "tester", "refresh")
    assert rc == 2 and out == "" and err == (
        "termnews: refresh needs the network, which --offline forbids\n")
    config = resolve_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[refresh]\nconcurrency = 'many'\n")
    rc, out, err = cli(capsys, "--profile", "tester", "articles")
    assert rc == 1 and len(err.splitlines()) == 1 and "refresh.concurrency" in err
    config.write_text('[ui]\nshow_images = true\nimage_mode = "ascii-art"\n')
    rc, out, err = cli(capsys, "--profile", "tester", "articles")
    assert rc == 1 and len(err.splitlines()) == 1
    assert "ui.image_mode" in err and "halfcell" in err and str(config) in err


def test_cli_never_imports_textual(tmp_path: Path) -> None:
    code = ("import sys\n"
            "from termnews.cli import main\n"
            f"for argv in (['articles'], ['feeds', 'list', '--json'], ['outlets', '--json'],\n"
            f"             ['export'], ['mark', 'read', '--all'], ['--help']):\n"
            f"    try:\n"
            f"        main(['--data-dir', {str(tmp_path / 'd')!r}, '--profile', 'p', *argv])\n"
            f"    except SystemExit:\n"
            f"        pass\n"
            "assert 'textual' not in sys.modules, 'textual was imported'\n"
            "print('clean')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.endswith("clean\n")


def test_exit_codes_of_a_real_process(tmp_path: Path) -> None:
    env = {**os.environ, "TERMNEWS_DATA_DIR": str(tmp_path / "d"), "TERMNEWS_PROFILE": "p"}

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "termnews", *argv], capture_output=True,
                              text=True, env=env, timeout=120)

    ok = run("feeds", "add", "--no-check", FEED_A)
    assert ok.returncode == 0 and ok.stdout == "added 1 feed\n"
    usage = run("feeds", "frobnicate")
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
    failure = run("mark", "star", "12345")
    assert failure.returncode == 1 and failure.stderr == "termnews: no article with id 12345\n"
    # import - reads the list from stdin.
    proc = subprocess.run([sys.executable, "-m", "termnews", "import", "-"], input=f"{FEED_B}\n",
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0 and "imported 1 feed from - (newsboat): 1 new" in proc.stdout
    bad = subprocess.run([sys.executable, "-m", "termnews", "import", "-"],
                         input="<opml><body><outline", capture_output=True, text=True, env=env,
                         timeout=120)
    assert bad.returncode == 1 and bad.stderr.startswith("termnews: -: malformed OPML")
    assert bad.stderr.count("\n") == 1


@pytest.mark.usefixtures("stocked")
def test_a_searched_page_walks_the_published_index() -> None:
    """`articles --search x --limit N` must not sort every match (100k: 40 ms → 12 ms)."""
    from termnews.model import ArticleQuery
    from termnews.store.export import iter_articles

    lib = Library(resolve_paths(), Config(), "tester")
    statements: list[str] = []
    lib.conn.set_trace_callback(statements.append)
    urls = (*(f"http://127.0.0.1:9/{n}.xml" for n in range(30)), FEED_A, FEED_B)
    q = ArticleQuery(feed_urls=urls, search="orchard", limit=2)
    assert [r.title for r in lib.articles(q)] == ["Orchard 0", "Orchard 1"]
    assert [a.title for a in iter_articles(lib.conn, q, "tester")] == ["Orchard 0", "Orchard 1"]
    lib.conn.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().startswith("SELECT") and "MATCH" in s
               and "FROM articles a" in s]  # not the look-up of the word in the index
    assert len(selects) == 2
    for sql in selects:
        plan = " | ".join(r[3] for r in lib.conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert "USING INDEX articles_published" in plan and "TEMP B-TREE" not in plan, plan
    lib.close()
