"""The CLI for scripts, with a reader's own feeds: filters that name nothing are usage errors,
`feeds add` fetches once, plain feeds and folders are shown by their titles, marks count what
changed. Feeds come from the loopback server."""

from __future__ import annotations

from pathlib import Path

import pytest

import own_feeds
from cli_support import cli, jsonl
from feedserver import FeedServer
from termnews.library import slug

FeedUrls = dict[int, str]


@pytest.fixture
def served(feed_server: FeedServer) -> FeedUrls:
    return own_feeds.serve(feed_server, own_feeds.own_feeds()[:6])


@pytest.fixture
def imported(served: FeedUrls, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> FeedUrls:
    """The six feeds from a newsboat urls file (folder tags, no titles), refreshed."""
    urls = tmp_path / "urls"
    urls.write_bytes(own_feeds.newsboat_urls(served))
    assert cli(capsys, "import", str(urls))[0] == 0
    assert cli(capsys, "refresh")[0] == 0
    return served


# --- unknown filters: one line, exit 2 --------------------------------------------------------


@pytest.mark.usefixtures("imported")
@pytest.mark.parametrize("argv, message", [
    (("--outlet", "nosuch"), "termnews: no outlet 'nosuch' (see: termnews outlets)\n"),
    (("--edition", "xx"), "termnews: no edition 'xx' (see: termnews outlets)\n"),
    (("--section", "nosuch"), "termnews: no section 'nosuch' (see: termnews outlets)\n"),
    (("--outlet", "Local", "--section", "world"),
     "termnews: no section 'world' (see: termnews outlets)\n"),
])
def test_an_unknown_filter_is_bad_usage(argv: tuple[str, ...], message: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "articles", *argv) == (2, "", message)
    assert cli(capsys, "articles", "--json", *argv) == (2, "", message)
    # mark --all with such a filter marks nothing (it said "marked 0" before)
    assert cli(capsys, "mark", "read", "--all", *argv) == (2, "", message)
    assert all(not r["read"] for r in jsonl(cli(capsys, "articles", "--json")[1]))


def test_a_catalog_outlet_with_an_edition_it_lacks_names_its_editions(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "subscribe", "pravda", "en")[0] == 0
    rc, out, err = cli(capsys, "articles", "--outlet", "pravda", "--edition", "xx")
    assert (rc, out) == (2, "")
    assert err.startswith("termnews: Pravda.ru has no edition 'xx' (editions: ")


def test_known_filters_by_key_name_or_title(imported: FeedUrls,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    feeds = own_feeds.own_feeds()
    by_folder = jsonl(cli(capsys, "articles", "--json", "--outlet", "local")[1])
    assert len(by_folder) == sum(f.items for f in feeds[:6])
    title = feeds[3].title  # "Rail & Canal"
    by_title = jsonl(cli(capsys, "articles", "--json", "--outlet", "Local",
                         "--section", title)[1])
    by_key = jsonl(cli(capsys, "articles", "--json", "--section", slug(title))[1])
    assert by_title == by_key and len(by_key) == feeds[3].items
    assert {r["feed_url"] for r in by_key} == {imported[3]}


# --- feeds add: fetched once, title or error ------------------------------------------------


def test_feeds_add_fetches_once_and_reports_the_title(
        served: FeedUrls, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = cli(capsys, "feeds", "add", served[0])
    assert (rc, err) == (0, "")
    assert out == f"added Harbour Town Gazette ({served[0]})\n"
    assert feed_server.count_200() == 1
    listed = jsonl(cli(capsys, "articles", "--json")[1])
    assert len(listed) == own_feeds.FEEDS[0][1]  # its articles are there already


def test_feeds_add_reports_a_failure_and_keeps_nothing_of_it(
        served: FeedUrls, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    gone = feed_server.url("/own/gone.xml")
    refused = "http://127.0.0.1:9/nothing.xml"
    rc, out, err = cli(capsys, "feeds", "add", served[1], gone, refused)
    assert rc == 1
    assert out == f"added Orchard Notes ({served[1]})\n"
    lines = err.splitlines()
    assert lines[0] == f"termnews: {gone}: HTTP 404 (not added)"
    assert lines[1].startswith(f"termnews: {refused}: ") and lines[1].endswith("(not added)")
    subscribed = [f["url"] for f in jsonl(cli(capsys, "feeds", "list", "--json")[1])]
    assert subscribed == [served[1]]
    # Already subscribed: said so, nothing fetched again.
    feed_server.clear_log()
    rc, out, _ = cli(capsys, "feeds", "add", served[1])
    assert (rc, out) == (0, "1 feed already subscribed\n") and feed_server.count_200() == 0


def test_feeds_add_no_check_subscribes_without_fetching(
        feed_server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    gone = feed_server.url("/own/gone.xml")
    assert cli(capsys, "feeds", "add", "--no-check", gone) == (0, "added 1 feed\n", "")
    assert feed_server.log == []
    assert [f["url"] for f in jsonl(cli(capsys, "feeds", "list", "--json")[1])] == [gone]
    # --offline cannot fetch: it subscribes as --no-check does
    other = feed_server.url("/own/other.xml")
    assert cli(capsys, "--offline", "feeds", "add", other)[0] == 0
    assert feed_server.log == []


# --- text output: plain feeds and folders as the reader knows them ----------------------------


def test_articles_name_plain_feeds_by_title_and_urls_feeds_are_keyed_by_title(
        imported: FeedUrls, capsys: pytest.CaptureFixture[str]) -> None:
    feeds = own_feeds.own_feeds()
    records = jsonl(cli(capsys, "articles", "--json")[1])
    sections = {r["feed_url"]: r["section"] for r in records}
    for n in range(6):  # a urls file has no titles: the keys come from the feeds' own
        assert sections[imported[n]] == slug(feeds[n].title)
        assert "127-0-0-1" not in sections[imported[n]]
    text = cli(capsys, "articles")[1].splitlines()
    assert not any("[main]" in line for line in text)
    newest = next(r for r in records if r["feed_url"] == imported[0])
    line = next(ln for ln in text if ln.startswith(f"{newest['id']} "))
    assert f"[{feeds[0].title}] {newest['title']}" in line


def test_outlets_lists_folders_and_plain_feeds_readably(
        served: FeedUrls, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(own_feeds.opml_folders(served, loose=2))  # four in "Local", two loose
    assert cli(capsys, "import", str(opml))[0] == 0
    out = cli(capsys, "outlets")[1]
    assert "folder:" not in out and "feed:" not in out and "  —  —" not in out
    lines = out.splitlines()
    start = lines.index("folder Local")
    feeds = own_feeds.own_feeds()
    for n in range(4):
        assert feeds[n].title in lines[start + 1 + n] and served[n] in lines[start + 1 + n]
        assert lines[start + 1 + n].lstrip().startswith("✓ " + slug(feeds[n].title))
    plain = [ln for ln in lines if ln.startswith("feed ")]
    assert [ln.split()[1] for ln in plain] == ["Observatory", "Вести"]
    assert served[4] in plain[0] and served[5] in plain[1]


# --- marks count what changed -----------------------------------------------------------------


@pytest.mark.usefixtures("imported")
def test_marked_counts_only_articles_whose_mark_changed(
        capsys: pytest.CaptureFixture[str]) -> None:
    ids = [str(r["id"]) for r in jsonl(cli(capsys, "articles", "--json")[1])]
    assert cli(capsys, "mark", "read", ids[0])[1] == "marked 1 article read\n"
    # Four asked for, one of them read already: three changed.
    assert cli(capsys, "mark", "read", *ids[:4])[1] == "marked 3 articles read\n"
    assert cli(capsys, "mark", "read", *ids[:4])[1] == "marked 0 articles read\n"
    total = len(ids)
    assert cli(capsys, "mark", "read", "--all")[1] == f"marked {total - 4} articles read\n"
    assert cli(capsys, "mark", "star", ids[0])[1] == "marked 1 article starred\n"
    assert cli(capsys, "mark", "star", ids[0], ids[1])[1] == "marked 1 article starred\n"
    assert cli(capsys, "mark", "unread", "--all", "--starred")[1] == \
        "marked 2 articles unread\n"
