"""Reading on several machines: two data dirs sync through a real Miniflux (REST and its
Google Reader API), started on loopback by the ``miniflux`` fixture."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from feedserver import FeedServer, make_rss
from miniflux_server import MinifluxServer, MinifluxUser
from sync_gate import Canned, Gate
from sync_support import SERVICES, Machine, server_marks, sync_table


def two_machines(tmp_path: Path, miniflux: MinifluxServer, service: str,
                 extra: str = "") -> tuple[Machine, Machine, MinifluxUser]:
    user = miniflux.new_user(service)
    table = sync_table(miniflux.url, user, service)
    a = Machine(tmp_path, "a").configure(table, extra)
    b = Machine(tmp_path, "b").configure(table, extra)
    return a, b, user


@pytest.mark.parametrize("service", SERVICES)
def test_subscribe_on_a_appears_on_b(tmp_path: Path, miniflux: MinifluxServer,
                                     feed_server: FeedServer, service: str) -> None:
    plain = feed_server.add("/plain.xml", make_rss(1, 5))
    filed = feed_server.add("/filed.xml", make_rss(2, 5))
    section = feed_server.add("/loop/world.xml", make_rss(3, 5))
    outlet = f"""
[[outlets]]
key = "loop"
name = "Loop News"
[[outlets.editions]]
lang = "en"
name = "English"
sections = [ {{ key = "world", title = "World", url = "{section}" }} ]
"""
    a, b, user = two_machines(tmp_path, miniflux, service, outlet)
    a.ok("feeds", "add", "--no-check", plain)
    opml = tmp_path / "f.opml"
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>'
                    f'<outline text="Science"><outline type="rss" text="Filed" '
                    f'xmlUrl="{filed}"/></outline></body></opml>')
    a.ok("import", str(opml))
    a.ok("subscribe", "loop", "en")
    assert a.status()["pending"] == 3
    up, down, conflicts = a.sync()
    assert (up, down, conflicts) == (3, 0, 0)
    assert a.status()["pending"] == 0
    on_server = {f["feed_url"]: f["category"]["title"] for f in miniflux.feeds(user)}
    assert on_server[plain] in ("All",)
    assert on_server[filed] == "Science"
    assert on_server[section] == "Loop News · English"

    up, down, conflicts = b.sync()
    assert (up, down) == (0, 3)
    feeds = {f["url"]: f for f in (b.library().subscriptions() and [
        {"url": s.feed_url, "outlet": s.outlet, "folder": s.folder, "edition": s.edition}
        for s in b.library().subscriptions()])}
    assert set(feeds) == {plain, filed, section}
    assert feeds[filed]["folder"] == "Science"
    assert feeds[section]["outlet"] == "loop" and feeds[section]["edition"] == "en"
    assert feeds[plain]["folder"] == ""

    # Leaving on B follows on A (through the server), and nothing comes back.
    b.ok("feeds", "remove", plain)
    assert b.sync()[0] == 1
    assert plain not in {f["feed_url"] for f in miniflux.feeds(user)}
    assert a.sync() == (0, 1, 0)
    assert plain not in {s.feed_url for s in a.library().subscriptions()}
    assert a.sync() == (0, 0, 0)
    assert b.sync() == (0, 0, 0)


def machines_with_feed(tmp_path: Path, miniflux: MinifluxServer, feed_server: FeedServer,
                       service: str, items: int = 120
                       ) -> tuple[Machine, Machine, MinifluxUser, str]:
    """A and B both subscribed (through the server) to one feed, fetched by each."""
    url = feed_server.add("/news.xml", make_rss(7, items))
    a, b, user = two_machines(tmp_path, miniflux, service)
    a.ok("feeds", "add", "--no-check", url)
    a.ok("refresh")  # fetches the feed, then syncs (the server takes the feed)
    b.ok("refresh")  # syncs: gets the subscription; the next refresh fetches it
    b.ok("refresh")
    assert len(a.articles()) == len(b.articles()) == items
    return a, b, user, url


@pytest.mark.parametrize("service", SERVICES)
def test_marks_both_ways(tmp_path: Path, miniflux: MinifluxServer, feed_server: FeedServer,
                         service: str) -> None:
    a, b, user, _url = machines_with_feed(tmp_path, miniflux, feed_server, service)
    ids_a = a.ids()
    a.mark("read", ids_a[:100])
    b.mark("star", b.ids()[-5:])
    assert a.status()["pending"] == 100 and b.status()["pending"] == 5
    up, down, conflicts = a.sync()
    assert (up, down, conflicts) == (100, 0, 0)
    up, down, conflicts = b.sync()
    assert (up, down, conflicts) == (5, 100, 0)
    assert a.sync() == (0, 5, 0)
    for m in (a, b):
        assert m.status()["pending"] == 0
        marks = m.marks()
        assert sum(r for r, _s in marks.values()) == 100
        assert sum(s for _r, s in marks.values()) == 5
    assert a.marks() == b.marks()
    read, starred = server_marks(miniflux, user)
    assert len(read) == 100 and len(starred) == 5
    # Nothing left to do on either side.
    assert a.sync() == (0, 0, 0) and b.sync() == (0, 0, 0)


@pytest.mark.parametrize("service", SERVICES)
def test_a_conflicting_mark_the_newer_wins(tmp_path: Path, miniflux: MinifluxServer,
                                           feed_server: FeedServer, service: str) -> None:
    a, b, _user, _url = machines_with_feed(tmp_path, miniflux, feed_server, service, items=10)
    x, y = a.ids()[:2]
    assert b.ids()[:2] == [x, y] or len(b.ids()) == 10
    key_x, key_y = (next(art["guid"] for art in a.articles() if art["id"] == i) for i in (x, y))
    bx, by = (next(art["id"] for art in b.articles() if art["guid"] == k)
              for k in (key_x, key_y))
    # X: A reads it and syncs; later B reads it, then marks it unread again (its newer
    # change). Y: B does that first, A reads it later. Servers keep times to the second.
    b.mark("read", [by])
    b.mark("unread", [by])
    time.sleep(1.2)
    a.mark("read", [x, y])
    assert a.sync()[0] == 2
    time.sleep(1.2)
    b.mark("read", [bx])
    b.mark("unread", [bx])
    up, down, conflicts = b.sync()
    assert conflicts == 2
    assert (up, down) == (1, 1)  # X: B's unread goes up; Y: A's read comes down
    a.sync()
    for m, (ix, iy) in ((a, (x, y)), (b, (bx, by))):
        state = {art["id"]: art["read"] for art in m.articles()}
        assert state[ix] is False, m.dir  # B's newer "unread"
        assert state[iy] is True, m.dir  # A's newer "read"
    assert a.sync() == (0, 0, 0) and b.sync() == (0, 0, 0)


@pytest.mark.parametrize("service", SERVICES)
def test_offline_marks_go_up_when_back(tmp_path: Path, miniflux: MinifluxServer,
                                       feed_server: FeedServer, service: str) -> None:
    a, b, user, _url = machines_with_feed(tmp_path, miniflux, feed_server, service, items=60)
    good = (a.dir / "config.toml").read_text()
    with socket.socket() as s:  # a port nobody listens on: the server is away
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    (a.dir / "config.toml").write_text(good.replace(miniflux.url, dead))
    a.mark("read", a.ids()[:50])
    rc, out, err = a.cli("sync")
    assert rc == 1 and out == ""
    assert err.count("\n") == 1 and "cannot reach" in err and dead in err, err
    rc, out, err = a.cli("refresh")  # the feeds refresh; the sync after them fails
    assert rc == 1 and "refreshed 1 feed" in out and "cannot reach" in err
    status = a.status()
    assert status["pending"] == 50 and "cannot reach" in status["error"]
    (a.dir / "config.toml").write_text(good)
    assert a.sync() == (50, 0, 0)
    status = a.status()
    assert status["pending"] == 0 and status["error"] is None
    assert status["last_sync"].endswith("Z")
    assert len(server_marks(miniflux, user)[0]) == 50
    assert b.sync()[1] == 50
    assert sum(r for r, _s in b.marks().values()) == 50


def _hold_push(service: str) -> Callable[[str, str], bool]:
    if service == "miniflux":
        return lambda method, path: method == "PUT" and path.startswith("/v1/entries")
    return lambda method, path: method == "POST" and "/edit-tag" in path


def _hold_pull(service: str) -> Callable[[str, str], bool]:
    if service == "miniflux":
        return lambda method, path: method == "GET" and path.startswith("/v1/entries")
    return lambda method, path: "/stream/items/ids" in path


def _sync_process(m: Machine) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "termnews", "--data-dir", str(m.dir),
                             "--profile", m.profile, "sync"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.parametrize("service", SERVICES)
def test_kill_9_during_a_sync_loses_no_journaled_change(
        tmp_path: Path, miniflux: MinifluxServer, feed_server: FeedServer,
        service: str) -> None:
    a, b, user, _url = machines_with_feed(tmp_path, miniflux, feed_server, service, items=1200)
    good = (a.dir / "config.toml").read_text()
    ids = a.ids()
    a.mark("read", ids[:1100])
    a.mark("star", ids[:3])
    assert a.status()["pending"] == 1103
    for hold in (_hold_pull(service), _hold_push(service)):
        gate = Gate(miniflux.url, hold)
        try:
            (a.dir / "config.toml").write_text(good.replace(miniflux.url, gate.url))
            proc = _sync_process(a)
            assert gate.holding.wait(60), proc.communicate(timeout=5)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(30)
        finally:
            gate.stop()
        # The journal still holds every change (the server may have taken some of them).
        assert a.status()["pending"] == 1103
    # Killed at arbitrary moments too.
    (a.dir / "config.toml").write_text(good)
    for delay in (0.1, 0.3, 0.6, 1.0):
        proc = _sync_process(a)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        assert a.status()["pending"] in range(0, 1104)
    a.sync()
    assert a.status()["pending"] == 0
    read, starred = server_marks(miniflux, user)
    assert len(read) == 1100 and len(starred) == 3
    b.sync()
    marks = b.marks()
    assert sum(r for r, _s in marks.values()) == 1100
    assert sum(s for _r, s in marks.values()) == 3
    assert a.marks() == marks


@pytest.mark.parametrize("service", SERVICES)
def test_bad_token_and_bad_servers_are_one_line(tmp_path: Path, miniflux: MinifluxServer,
                                                 feed_server: FeedServer, service: str) -> None:
    user = miniflux.new_user(service)
    m = Machine(tmp_path, "m")
    url = feed_server.add("/f.xml", make_rss(1, 3))
    bad = MinifluxUser(user.username, "not-the-password", "not-the-token", user.user_id)
    m.configure(sync_table(miniflux.url, bad, service))
    m.ok("feeds", "add", "--no-check", url)
    rc, out, err = m.cli("sync")
    assert rc == 1 and out == "" and err.count("\n") == 1
    assert ("bad API token" if service == "miniflux" else "bad user name or password") in err
    assert "not-the-token" not in err and "not-the-password" not in err
    assert m.status()["error"] and m.status()["pending"] == 1
    for status, body, ctype, words in (
            (500, b'{"error_message":"database is down"}', "application/json",
             "server error (HTTP 500): database is down"),
            (502, b"<html><body>Bad gateway</body></html>", "text/html", "server error (HTTP 502)"),
            (200, b"<!DOCTYPE html><html><title>Log in</title></html>", "text/html",
             "not a sync API (got an HTML page instead of "),
            (200, b'{"truncated": ', "application/json",
             "not valid JSON" if service == "miniflux" else "no Auth token")):
        canned = Canned(status, body, ctype)
        try:
            m.configure(sync_table(canned.url, user, service))
            rc, out, err = m.cli("sync")
        finally:
            canned.stop()
        assert rc == 1 and out == "" and err.count("\n") == 1, err
        assert words in err, err
        assert err.startswith("termnews: sync failed: ") and canned.url in err
        assert m.status()["pending"] == 1  # nothing lost
    hang = Canned(200, b"{}", delay=30)
    try:
        m.configure(sync_table(hang.url, user, service).replace("timeout = 20.0",
                                                                "timeout = 1.0"))
        started = time.monotonic()
        rc, out, err = m.cli("sync")
        assert time.monotonic() - started < 15
    finally:
        hang.stop()
    assert rc == 1 and "no answer within 1 s" in err and err.count("\n") == 1
    m.configure(sync_table(miniflux.url, user, service))
    assert m.sync() == (1, 0, 0)
    assert m.status() | {"last_sync": None} == {
        "service": service, "url": miniflux.url, "source": "feeds", "last_sync": None,
        "pending": 0, "error": None}


@pytest.mark.parametrize("service", SERVICES)
def test_a_feed_the_server_refuses(tmp_path: Path, miniflux: MinifluxServer,
                                   feed_server: FeedServer, service: str) -> None:
    good = feed_server.add("/good.xml", make_rss(1, 4))
    broken = feed_server.status("/gone.xml", 404)
    user = miniflux.new_user(service)
    m = Machine(tmp_path, "m").configure(sync_table(miniflux.url, user, service,
                                                    source="server"))
    m.ok("feeds", "add", "--no-check", good, broken)
    rc, out, err = m.cli("sync")
    assert rc == 0 and out.strip() == "sync: 1 up, 0 down, 0 conflicts"
    assert err.count("\n") == 1 and f"the server did not take {broken}" in err
    assert m.status()["pending"] == 0
    assert [f["feed_url"] for f in miniflux.feeds(user)] == [good]
    feed_server.clear_log()
    rc, out, err = m.cli("sync")  # not offered again until subscribed again
    assert (rc, err) == (0, "") and feed_server.requests == []
    # With the server as the source, that feed is still fetched here.
    out = m.ok("refresh")
    assert "refreshed 2 feeds: 1 ok, 1 failed" in out
    assert [h.path for h in feed_server.requests] == ["/gone.xml"]
    # The user subscribes again (it works now): it goes to the server.
    m.ok("feeds", "remove", broken)
    feed_server.add("/gone.xml", make_rss(2, 3))
    m.ok("feeds", "add", "--no-check", broken)
    assert m.sync()[0] == 1
    assert sorted(f["feed_url"] for f in miniflux.feeds(user)) == sorted([good, broken])
