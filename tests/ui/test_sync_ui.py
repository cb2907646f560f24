"""The TUI syncs after a refresh and a few seconds after marks, with its state in the
masthead (against the real Miniflux of the ``miniflux`` fixture)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from feedserver import FeedServer, make_rss
from miniflux_server import MinifluxServer
from sync_support import Machine, server_marks, sync_table
from termnews.ui.app import TermnewsApp
from termnews.ui.screens import main_sync
from termnews.ui.views import section_key
from termnews.ui.widgets.masthead import Masthead
from tui_support import settle


def _status(app: TermnewsApp) -> str:
    return str(app.screen.query_one(Masthead).query_one("#status").render())


async def _until(app: TermnewsApp, pilot: object, check: object, seconds: float = 30) -> None:
    for _ in range(int(seconds * 20)):
        if check():  # type: ignore[operator]
            return
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
    raise AssertionError(f"not reached in {seconds} s: {_status(app)}")


@pytest.mark.parametrize("service", ["miniflux", "greader"])
async def test_tui_syncs_after_refresh_and_after_marks(
        tmp_path: Path, miniflux: MinifluxServer, feed_server: FeedServer, service: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(main_sync, "SYNC_AFTER_MARKS", 0.3)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    url = feed_server.add("/ui.xml", make_rss(4, 12))
    user = miniflux.new_user("ui" + service)
    other = Machine(tmp_path, "other").configure(sync_table(miniflux.url, user, service))
    other.ok("feeds", "add", "--no-check", url)
    await asyncio.to_thread(other.ok, "refresh")  # the CLI runs its own event loop
    other.mark("read", other.ids()[:2])
    other.ok("sync")
    me = Machine(tmp_path, "me").configure(sync_table(miniflux.url, user, service))
    lib = me.library()
    app = TermnewsApp(lib)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            # The first refresh brought the feed (from the server's subscription list on
            # the sync after it), the next one its articles and the other machine's marks.
            await _until(app, pilot, lambda: "synced" in _status(app))
            screen = app.screen
            screen.run_refresh()
            await _until(app, pilot, lambda: len(me.articles(unread=True)) == 10)
            assert "⇅" in _status(app) and "synced" in _status(app)
            # The feed the server brought is in the sidebar: open it.
            assert any(sub.feed_url == url for sub in screen.place.subscriptions)
            screen.set_view(section_key("feed:" + url, "", "main"))
            await _until(app, pilot, lambda: screen.articles.row_count == 12)
            # A mark here goes to the server a moment later, by itself.
            screen._focus(screen.articles)
            assert screen.articles.current is not None and screen.articles.current.read
            await pilot.press("j", "j")  # past the two the other machine read
            row = screen.articles.current
            assert row is not None and not row.read
            await pilot.press("m")
            await _until(app, pilot, lambda: len(server_marks(miniflux, user)[0]) == 3)
            await _until(app, pilot, lambda: "synced" in _status(app))
            # A server that fails shows in the masthead; nothing is lost.
            await pilot.press("m")  # unread again: pending until the server is back
            (me.dir / "config.toml").write_text(sync_table(
                "http://127.0.0.1:9", user, service))
            lib.config = me.library().config
            await _until(app, pilot, lambda: "sync failed" in _status(app))
            assert me.status()["pending"] == 1
    finally:
        lib.close()
