"""``source = "server"``: refresh reads the server's entries instead of fetching feeds, and
stores the same articles a fetch of the feeds would; marks survive switching modes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from feedserver import ATOM_TYPE, FeedServer, make_atom, make_rss
from miniflux_server import MinifluxServer
from sync_gate import FakeMiniflux
from sync_support import SERVICES, Machine, sync_table

# What must be the same whoever fetched (besides ids, which are per cache). The feed's
# language is not in either API: a plain feed read from the server has none (a catalog
# section has its edition's) until termnews fetches the feed itself. Nor is an item's
# summary when it also has content: the server keeps the content alone, and the
# summary is then the content's text (which the feed's teaser begins). Miniflux's Google
# Reader API gives neither an item's own categories nor its enclosures (the lead image).
SAME = ("feed_url", "url", "title", "author", "published")
REST_ONLY = ("categories", "image_url")


def _permalink_rss(n: int, items: int) -> bytes:
    """RSS whose items have no guid: the link is the guid, for Miniflux and termnews."""
    body = make_rss(n, items).decode()
    lines = [ln for ln in body.splitlines() if "<guid" not in ln]
    with_images = []
    for ln in lines:
        with_images.append(ln)
        if ln.startswith("<pubDate>"):
            with_images.append(f'<enclosure url="https://img.example/{n}/{len(with_images)}.jpg" '
                               'length="100" type="image/jpeg"/>')
    return "\n".join(with_images).encode()


def _feeds(feed_server: FeedServer) -> list[str]:
    return [
        feed_server.add("/guids.xml", make_rss(1, 30)),  # guids that are not links
        feed_server.add("/links.xml", _permalink_rss(2, 20)),  # no guids: the links
        feed_server.add("/atom.xml", make_atom(3, 15), ATOM_TYPE),
    ]


def _by_url(articles: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {a["url"]: a for a in articles}


@pytest.mark.parametrize("service", SERVICES)
def test_server_source_stores_what_fetching_would(tmp_path: Path, miniflux: MinifluxServer,
                                                  feed_server: FeedServer,
                                                  service: str) -> None:
    urls = _feeds(feed_server)
    user = miniflux.new_user(service)
    for url in urls:
        miniflux.add_feed(user, url)
    direct = Machine(tmp_path, "direct")
    direct.ok("feeds", "add", "--no-check", *urls)
    direct.ok("refresh")
    server = Machine(tmp_path, "server").configure(
        sync_table(miniflux.url, user, service, source="server"))
    feed_server.clear_log()
    out = server.ok("refresh")
    assert "refreshed 3 feeds: 3 ok, 0 failed" in out and "65 new articles" in out, out
    assert feed_server.requests == []  # the feeds themselves were not fetched
    got, want = _by_url(server.articles()), _by_url(direct.articles())
    assert set(got) == set(want) and len(got) == 65
    for url, w in want.items():
        g = got[url]
        assert {k: g[k] for k in SAME} == {k: w[k] for k in SAME}, url
        for k in REST_ONLY:
            assert g[k] == (w[k] if service == "miniflux" else type(w[k])()), (url, k)
        assert g["language"] in ("", w["language"])
        if "/3/" in url:  # Atom with a teaser and content
            assert g["summary"].startswith(w["summary"]) and len(g["summary"]) > 150
        else:
            assert g["summary"] == w["summary"]
        if "/2/" in url and service == "miniflux":  # the guid is the link: the same key
            assert g["guid"] == w["guid"] == url
        else:  # the server does not give the guid: a stand-in until the feed is fetched
            assert g["guid"].startswith("sync:")
    assert any(a["image_url"] for a in got.values()) == (service == "miniflux")
    # Nothing new: one incremental pull, nothing stored.
    out = server.ok("refresh")
    assert "0 new articles" in out and feed_server.requests == []


@pytest.mark.parametrize("service", SERVICES)
def test_marks_survive_switching_modes(tmp_path: Path, miniflux: MinifluxServer,
                                       feed_server: FeedServer, service: str) -> None:
    urls = _feeds(feed_server)
    user = miniflux.new_user(service)
    feeds_mode = sync_table(miniflux.url, user, service)
    server_mode = sync_table(miniflux.url, user, service, source="server")
    m = Machine(tmp_path, "m").configure(server_mode)
    m.ok("feeds", "add", "--no-check", *urls)
    m.ok("sync")  # the server takes the feeds (and fetches them)
    m.ok("refresh")
    before = _by_url(m.articles())
    assert len(before) == 65
    read = [a["id"] for a in before.values()][::3]
    starred = [a["id"] for a in before.values()][1::7]
    m.mark("read", read)
    m.mark("star", starred)
    m.ok("refresh")  # pushes the marks
    before = _by_url(m.articles())
    # Switch: termnews fetches the feeds itself; the stand-ins become the real entries.
    m.configure(feeds_mode)
    m.ok("refresh")
    after = _by_url(m.articles())
    assert set(after) == set(before) and len(m.articles()) == 65  # no second copies
    for url, a in after.items():
        assert a["id"] == before[url]["id"]
        assert (a["read"], a["starred"]) == (before[url]["read"], before[url]["starred"])
        assert not a["guid"].startswith("sync:")
    assert sum(a["read"] for a in after.values()) == len(read)
    assert sum(a["starred"] for a in after.values()) == len(starred)
    assert m.sync() == (0, 0, 0)
    # And back to the server as the source: the fetched articles are its entries.
    m.mark("unread", read[:4])
    m.configure(server_mode)
    m.ok("refresh")
    again = _by_url(m.articles())
    assert len(m.articles()) == 65
    assert {u: (a["id"], a["read"], a["starred"]) for u, a in again.items()} == {
        u: (a["id"], a["read"] and a["id"] not in read[:4], a["starred"])
        for u, a in after.items()}
    # A second machine that fetches its feeds sees the same marks.
    other = Machine(tmp_path, "other").configure(feeds_mode)
    other.ok("sync")
    other.ok("refresh")
    theirs = _by_url(other.articles())
    assert {u: (a["read"], a["starred"]) for u, a in theirs.items()} == {
        u: (a["read"], a["starred"]) for u, a in again.items()}


def test_a_hostile_server_is_cleaned_like_a_feed(tmp_path: Path) -> None:
    """Text from a sync server reaches the cache as feed text does: no terminal escapes,
    no bidi tricks, no scripts; Textual markup stays plain text."""
    feed_url = "https://hostile.example/feed.xml"
    evil = "\x1b]52;c;cGF5bG9hZA==\x07\u202eTitle [@click=app.quit]x[/]\x1b[2J"
    entry = {
        "id": 7, "feed_id": 3, "status": "unread", "starred": True,
        "hash": "ab" * 32, "url": "javascript:alert(1)", "title": evil,
        "author": "A\x1b[31muthor", "content": "<p>Hi<script>alert(1)</script>\x1b[5m</p>"
                                             '<img src="http://x/a.png" onerror="x()">',
        "published_at": "2026-11-20T10:00:00Z", "changed_at": "2026-11-20T10:00:00Z",
        "tags": ["\x1b[1mTag"], "enclosures": [{"url": "javascript:x", "mime_type": "image/png"}],
    }
    fake = FakeMiniflux({
        "GET /v1/feeds": [{"id": 3, "feed_url": feed_url, "title": "Feed\x1b[8m " + evil,
                           "category": {"id": 9, "title": "Cat\u202e\x1b[1m"}}],
        "GET /v1/categories": [{"id": 1, "title": "All"}, {"id": 9, "title": "Cat"}],
        "GET /v1/entries": {"total": 1, "entries": [entry]},
    })
    try:
        m = Machine(tmp_path, "m").configure(
            f'[sync]\nservice = "miniflux"\nurl = "{fake.url}"\ntoken = "t"\n'
            'source = "server"\n')
        out = m.ok("refresh")
        assert "1 new article" in out
    finally:
        fake.stop()
    (article,) = m.articles()
    bad = ("\x1b", "\x07", "\u202e")
    for field in ("title", "author", "summary", "url", "image_url", "guid"):
        assert not any(c in str(article[field]) for c in bad), (field, article[field])
    assert article["categories"] == ["Tag"] and article["starred"] is True
    assert article["url"] == "" and article["image_url"] == ""  # only http(s) links
    assert "[@click=app.quit]" in article["title"]  # kept as text, never as markup
    shown = m.ok("show", str(article["id"]), "--json")
    assert "<script" not in shown and "onerror" not in shown and "\\u001b" not in shown
    (sub,) = m.library().subscriptions()
    assert not any(c in sub.title + sub.folder for c in bad) and sub.folder == "Cat"
