"""Reading on several machines: two data dirs sync through a real Miniflux (REST and its
Google Reader API), started on loopback by the ``miniflux`` fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedserver import FeedServer, make_rss
from miniflux_server import MinifluxServer, MinifluxUser
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
    a.ok("feeds", "add", plain)
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
