"""A feed on the public internet must not make termnews fetch from the user's own machine or
network (server-side request forgery): redirects and article/image links to local addresses
are refused; a feed the user subscribed to at a local address may go anywhere, as before.

Every server here is on 127.0.0.1, which is local. A second server plays the "public" site:
the test-only override in ``termnews.feeds.addresses`` treats its loopback port as public
for the duration of one test. Nothing in these tests leaves 127.0.0.1: addresses elsewhere
(169.254.169.254, 10.0.0.1 …) appear only in the classifier's table, never as fetch targets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import cli, jsonl
from feedserver import FeedServer, make_rss
from hostile_support import open_library
from termnews.config import Config, RefreshConfig
from termnews.feeds import addresses
from termnews.feeds.addresses import (
    LocalAddressRefused,
    addresses_of,
    is_local_ip,
    local_address_of,
    loopback_ports_treated_as_public,
    origin_is_local,
    url_is_local,
)
from termnews.feeds.fetch import fetch, make_client
from termnews.feeds.h11pool import H11Pool
from termnews.feeds.http_types import Errors, request_target
from termnews.library import Library
from termnews.model import FetchResult

REFUSED_REDIRECT = "redirect to a local network address refused"
REFUSED_LINK = "link to a local network address refused"


@pytest.fixture
def public_server() -> Iterator[FeedServer]:
    """A second loopback server whose port counts as public while the test runs."""
    with FeedServer() as server, loopback_ports_treated_as_public({server.port}):
        yield server
    assert addresses._TEST_PUBLIC_PORTS == frozenset()


def cfg() -> Config:
    return Config(refresh=RefreshConfig(timeout=2.0, deadline=5.0))


async def get(url: str, *, origin: str | None = None) -> FetchResult:
    config = cfg()
    async with make_client(config) as client:
        return await fetch(client, url, etag=None, last_modified=None, config=config,
                           origin=origin)


# --- the classifier -----------------------------------------------------------------------

LOCAL = [
    "127.0.0.1", "127.8.9.10", "::1",  # loopback
    "10.0.0.1", "172.16.5.4", "192.168.1.1",  # RFC 1918
    "169.254.169.254", "169.254.0.1", "fe80::1", "fe80::1%eth0",  # link-local, cloud metadata
    "fc00::1", "fd12:3456:789a::1",  # unique local
    "100.64.0.1", "100.127.255.254",  # CGNAT
    "0.0.0.0", "::",  # unspecified
    "224.0.0.1", "239.255.255.250", "ff02::1",  # multicast
    "240.0.0.1", "255.255.255.255",  # reserved, broadcast
    "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254",  # IPv4-mapped
    "64:ff9b::7f00:1", "2002:c0a8:101::1",  # NAT64 and 6to4 carrying local IPv4
    "fec0::1",  # deprecated site-local
    "[::1]", "not an address", "",  # brackets are read; what cannot be read is refused
]
PUBLIC = [
    "8.8.8.8", "1.1.1.1", "93.184.215.14", "100.63.255.255", "100.128.0.1", "172.32.0.1",
    "2001:4860::8888", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808",
]


@pytest.mark.parametrize("address", LOCAL)
def test_local_addresses(address: str) -> None:
    assert is_local_ip(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses(address: str) -> None:
    assert not is_local_ip(address)


async def test_url_hosts() -> None:
    # Literal IPs are judged without resolving; localhost names without asking DNS.
    assert await url_is_local("http://127.0.0.1:8080/admin")
    assert await url_is_local("http://[::ffff:169.254.169.254]/latest/meta-data/")
    assert await url_is_local("http://LOCALHOST./x") and await url_is_local("http://a.localhost/")
    assert not await url_is_local("https://8.8.8.8/feed")
    assert not await url_is_local("http://[2001:4860::8888]:8080/feed")
    assert await url_is_local("ftp://8.8.8.8/") and await url_is_local("not a url")
    assert await local_address_of("printer.localhost", 80) == "printer.localhost"
    # A name is resolved (through the loop's getaddrinfo): localhost's addresses are loopback.
    found = await addresses_of("localhost", 80)
    assert found and all(is_local_ip(a) for a in found)
    # The origin: the user chose it, so a local one may go anywhere.
    assert await origin_is_local("http://127.0.0.1:9/feed.xml")
    assert await origin_is_local("http://localhost:9/feed.xml")
    assert await origin_is_local("file:///home/me/feed.xml")
    assert not await origin_is_local("https://8.8.8.8/feed.xml")
    assert not await origin_is_local("mailto:x@y")


def test_the_test_override_is_scoped_to_its_ports() -> None:
    assert addresses._TEST_PUBLIC_PORTS == frozenset()
    assert is_local_ip("127.0.0.1", 8080)
    with loopback_ports_treated_as_public({8080}):
        assert not is_local_ip("127.0.0.1", 8080) and not is_local_ip("::1", 8080)
        assert is_local_ip("127.0.0.1", 8081) and is_local_ip("127.0.0.1")
        assert is_local_ip("10.0.0.1", 8080)  # only loopback, never another network
    assert is_local_ip("127.0.0.1", 8080)


# --- redirects from a public feed -----------------------------------------------------------


def test_public_feed_redirected_to_local_is_refused_and_keeps_articles(
        public_server: FeedServer, feed_server: FeedServer,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = public_server.add("/feed.xml", make_rss(1, 5))
    assert cli(capsys, "--profile", "tester", "feeds", "add", "--no-check", url)[0] == 0
    assert cli(capsys, "--profile", "tester", "refresh")[0] == 0
    [rec] = jsonl(cli(capsys, "--profile", "tester", "feeds", "list", "--json")[1])
    assert rec["error"] is None and rec["articles"] == 5
    # The feed now sends termnews to a service on the user's machine (that answers a feed,
    # so following the redirect would store it).
    admin = feed_server.add("/admin", make_rss(2, 3))
    public_server.redirect("/feed.xml", admin, status=301)
    rc, out, err = cli(capsys, "--profile", "tester", "refresh")
    assert rc == 1 and "1 failed" in out  # 1: every feed failed
    assert f"{url}: {REFUSED_REDIRECT} (127.0.0.1)" in err
    [rec] = jsonl(cli(capsys, "--profile", "tester", "feeds", "list", "--json")[1])
    assert rec["error"] == f"{REFUSED_REDIRECT} (127.0.0.1)"
    assert rec["articles"] == 5  # the old articles stay
    assert feed_server.count(path="/admin") == 0  # refused before connecting
    rc, out, _ = cli(capsys, "--profile", "tester", "articles", "--json")
    assert rc == 0 and len(jsonl(out)) == 5


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = open_library(tmp_path / "data", timeout=2.0, deadline=5.0)
    yield library
    library.close()


def refresh_error(lib: Library, url: str) -> str | None:
    asyncio.run(asyncio.wait_for(lib.refresh([url]), 60))
    [status] = [s for s in lib.feed_statuses() if s.url == url]
    return status.error


@pytest.mark.parametrize(("location", "shown"), [
    ("http://127.0.0.1:{port}/admin", "127.0.0.1"),
    ("http://localhost:{port}/admin", "localhost"),
    ("http://LocalHost.:{port}/admin", "localhost."),
    ("http://[::1]:{port}/admin", "::1"),
    ("http://[::ffff:127.0.0.1]:{port}/admin", "::ffff:127.0.0.1"),
    ("http://0.0.0.0:{port}/admin", "0.0.0.0"),
    ("http://127.0.0.2:{port}/admin", "127.0.0.2"),
    ("http://2130706433:{port}/admin", "127.0.0.1"),  # numeric forms the resolver reads
    ("http://0x7f.1:{port}/admin", "127.0.0.1"),
    ("http://127.1:{port}/admin", "127.0.0.1"),
    ("http://\x1bc\x07.localhost:{port}/admin", "c.localhost"),  # escapes not shown
])
def test_every_form_of_local_target_is_refused(
        lib: Library, public_server: FeedServer, feed_server: FeedServer,
        location: str, shown: str) -> None:
    feed_server.add("/admin", make_rss(2, 3))
    url = public_server.redirect("/moved.xml", location.format(port=feed_server.port), 302)
    lib.add_feeds([url])
    assert refresh_error(lib, url) == f"{REFUSED_REDIRECT} ({shown})"
    assert feed_server.count() == 0


def test_refused_after_a_public_hop(
        lib: Library, public_server: FeedServer, feed_server: FeedServer) -> None:
    # public → public → local: the origin stays the first URL, the last hop is refused.
    admin = feed_server.add("/admin", make_rss(2, 3))
    public_server.redirect("/hop2", admin, 307)
    url = public_server.redirect("/hop1", "/hop2", 308)
    lib.add_feeds([url])
    assert refresh_error(lib, url) == f"{REFUSED_REDIRECT} (127.0.0.1)"
    assert public_server.count(path="/hop2") == 1 and feed_server.count() == 0


def test_public_redirects_between_public_sites_still_work(lib: Library,
                                                          public_server: FeedServer) -> None:
    with FeedServer() as other, loopback_ports_treated_as_public(
            {public_server.port, other.port}):
        real = other.add("/real.xml", make_rss(3, 4))
        url = public_server.redirect("/moved.xml", real, 301)
        lib.add_feeds([url])
        assert refresh_error(lib, url) is None
    assert [s.article_count for s in lib.feed_statuses() if s.url == url] == [4]


def test_local_feed_may_still_redirect_to_local(lib: Library, feed_server: FeedServer) -> None:
    with FeedServer() as other:  # two local servers: the user subscribed to a local address
        real = other.add("/real.xml", make_rss(4, 2))
        url = feed_server.redirect("/moved.xml", real.replace("127.0.0.1", "localhost"), 302)
        lib.add_feeds([url])
        assert refresh_error(lib, url) is None
        assert other.count(path="/real.xml") == 1


# --- origin=: pages and images found in a feed -----------------------------------------------


async def test_origin_public_and_url_local_is_refused(public_server: FeedServer,
                                                      feed_server: FeedServer) -> None:
    page = feed_server.add("/page.html", b"<html><p>private</p></html>", "text/html")
    feed = public_server.add("/feed.xml", make_rss(5, 1))
    r = await get(page, origin=feed)
    assert r.error == f"{REFUSED_LINK} (127.0.0.1)" and r.body == b""
    assert feed_server.count() == 0
    # The same page from a local feed, or with no origin: fetched as before.
    local_feed = feed_server.add("/feed.xml", make_rss(6, 1))
    assert (await get(page, origin=local_feed)).status == 200
    assert (await get(page)).status == 200
    # A public page of a public feed is fetched; one that redirects home is not.
    public_page = public_server.add("/story.html", b"<html><p>news</p></html>", "text/html")
    assert (await get(public_page, origin=feed)).status == 200
    sneaky = public_server.redirect("/sneaky.html", page, 302)
    r = await get(sneaky, origin=feed)
    assert r.error == f"{REFUSED_REDIRECT} (127.0.0.1)"
    assert feed_server.count(path="/page.html") == 2  # only the two allowed fetches


async def test_proxy_path_checks_the_name_before_handing_over(
        public_server: FeedServer, feed_server: FeedServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind a proxy the proxy connects: termnews checks the target name beforehand. The
    local server plays the proxy (it serves absolute-form targets by their path)."""
    for name in ("no_proxy", "NO_PROXY", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", feed_server.base)
    admin = feed_server.add("/admin", make_rss(2, 3))
    feed_server.redirect("/feed.xml", admin, 301)
    # The origin as the proxy was asked for it: a public address (never contacted itself).
    origin = public_server.url("/feed.xml")
    r = await get(origin)
    assert r.error == f"{REFUSED_REDIRECT} (127.0.0.1)"
    assert [h.path for h in feed_server.requests] == [origin]
    r = await get(admin, origin=origin)
    assert r.error == f"{REFUSED_LINK} (127.0.0.1)"
    # A local origin through the proxy is followed as before.
    assert (await get(feed_server.url("/feed.xml"))).status == 200


# --- the connection's own address (what defeats DNS tricks) ---------------------------------


async def test_pool_refuses_a_local_peer_even_when_kept_alive(
        public_server: FeedServer, feed_server: FeedServer) -> None:
    feed_server.add("/a.xml", make_rss(7, 1))
    public_server.add("/b.xml", make_rss(8, 1))
    timeout = {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": None}
    pool = H11Pool(Errors, timeout, None, 4)
    local_t = request_target(feed_server.url("/a.xml"))
    try:
        # Unchecked (a local origin's fetch): the connection is kept alive afterwards.
        async with pool.stream("GET", local_t, headers=[]) as resp:
            assert resp.status == 200 and resp.peer_local
            await resp.aread()
        assert pool.idle
        # Checked: neither the kept-alive connection nor a new one may be used.
        for _ in range(2):
            with pytest.raises(LocalAddressRefused) as info:
                async with pool.stream("GET", local_t, headers=[], refuse_local=True):
                    pass
            assert info.value.address == "127.0.0.1"
        async with pool.stream("GET", request_target(public_server.url("/b.xml")),
                               headers=[], refuse_local=True) as resp:
            assert resp.status == 200 and not resp.peer_local
            await resp.aread()
    finally:
        await pool.aclose()
    assert feed_server.count(path="/a.xml") == 1 and public_server.count(path="/b.xml") == 1


async def test_the_config_escape_hatch_allows_local_redirects(
        public_server: FeedServer, feed_server: FeedServer) -> None:
    admin = feed_server.add("/admin", make_rss(2, 3))
    url = public_server.redirect("/moved.xml", admin, 301)
    config = Config(refresh=RefreshConfig(timeout=2.0, deadline=5.0,
                                          allow_local_redirects=True))
    async with make_client(config) as client:
        r = await fetch(client, url, etag=None, last_modified=None, config=config)
        assert r.error is None and r.status == 200
        r = await fetch(client, admin, etag=None, last_modified=None, config=config,
                        origin=public_server.url("/feed.xml"))
        assert r.error is None and r.status == 200
    assert (await get(url)).error == f"{REFUSED_REDIRECT} (127.0.0.1)"  # off by default


# --- the wiring: full-text pages and lead images carry their feed as origin -------------------


def _story_feed(public_server: FeedServer, page: str, image: str) -> str:
    """A public feed whose one story links a page and a lead image on the local network."""
    body = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Public</title>'
            "<link>https://public.test/</link><item><guid>s1</guid><title>Story</title>"
            f"<link>{page}</link><description>The teaser stays.</description>"
            f'<media:content url="{image}" medium="image" type="image/png"/>'
            "</item></channel></rss>")
    return public_server.add("/story.xml", body.encode())


async def test_full_text_and_images_of_a_public_feed_never_reach_local_addresses(
        public_server: FeedServer, feed_server: FeedServer, tmp_path: Path) -> None:
    from image_support import png
    from termnews.fulltext import fetch_article_text, fetch_missing_full_texts, prefetch
    from termnews.images import cached_image

    page = feed_server.add("/admin.html", b"<html><body><p>secret</p></body></html>",
                           "text/html")
    image = feed_server.add("/cam.png", png(), "image/png")
    feed = _story_feed(public_server, page, image)
    lib = open_library(tmp_path / "d")
    try:
        lib.add_feeds([feed])
        await lib.refresh()
        (row,) = lib.articles()
        article = await fetch_article_text(lib, row.id)
        assert article.full_text == "" and article.summary == "The teaser stays."
        assert article.full_text_error == f"{REFUSED_LINK} (127.0.0.1)"
        with lib.conn:
            lib.conn.execute("UPDATE articles SET full_text_at = NULL, full_text_error = NULL")
        assert await fetch_missing_full_texts(lib.paths, lib.config, [feed], limit=5) == 0
        with lib.conn:
            lib.conn.execute("UPDATE articles SET full_text_at = NULL, full_text_error = NULL")
        assert await prefetch(lib, [row.id]) == 0
        assert (lib.article(row.id) or article).full_text_error == f"{REFUSED_LINK} (127.0.0.1)"
        assert await cached_image(lib.paths, lib.config, article.image_url,
                                  origin=article.feed_url) is None
        assert feed_server.count() == 0  # the local server never saw a request
        # Without an origin (a URL the user gave), the same image is fetched.
        assert await cached_image(lib.paths, lib.config, image) is not None
        assert feed_server.count(path="/cam.png") == 1
    finally:
        lib.close()
