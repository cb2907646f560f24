"""``source = "server"``: a refresh reads new entries from the sync server.

One incremental pull (the sync itself) instead of a conditional GET per feed; the
articles are stored exactly as a fetch of the feeds would store them (``match``). Feeds
the server does not have (it refused them) are still fetched directly, and full texts
and images are fetched by termnews as always.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from termnews.model import FeedSource, RefreshEvent, RefreshSummary
from termnews.store import sync_state
from termnews.sync.errors import SyncError

if TYPE_CHECKING:
    from termnews.library import Library

Progress = Callable[[RefreshEvent], None] | None


def pull_from_server(library: Library, progress: Progress = None
                     ) -> tuple[RefreshSummary, list[FeedSource]]:
    """The sync that stores the server's entries (blocking); the summary so far and the
    feeds left to fetch here."""
    from termnews.sync.service import SyncService

    where = library.sync_config.url if library.sync_config else ""
    try:
        synced = SyncService(library).run(store_entries=True)
    except SyncError as exc:
        # The server is the source: a failed pull is a failed refresh of every feed.
        urls = library.subscribed_urls()
        if progress is not None:
            progress(RefreshEvent(url=where, done=1, total=1, new_articles=0, error=str(exc)))
        return RefreshSummary(feeds_failed=len(urls) or 1, errors=((where, str(exc)),)), []
    on_server = {url for url, k in sync_state.known_feeds(library.conn, library.profile).items()
                 if k.remote_id}  # not those it refused
    elsewhere = [u for u in library.subscribed_urls() if u not in on_server]
    direct = library.feed_sources(elsewhere) if elsewhere else []
    if progress is not None:  # the server's feeds came in one go
        progress(RefreshEvent(url=where, done=len(on_server), total=len(on_server) + len(direct),
                              new_articles=synced.new_articles))
    return RefreshSummary(feeds_ok=len(on_server), new_articles=synced.new_articles), direct


async def finish(library: Library, summary: RefreshSummary, direct: list[FeedSource],
                 progress: Progress, full_text: bool) -> RefreshSummary:
    """Fetch the feeds the server does not have, and full texts when asked."""
    if direct:  # feeds the server did not take: fetched here, as without a server
        from termnews.refresh import run_refresh

        done = summary.feeds_ok

        def shifted(event: RefreshEvent) -> None:
            if progress is not None:
                progress(RefreshEvent(url=event.url, done=done + event.done,
                                      total=done + event.total,
                                      new_articles=event.new_articles, error=event.error,
                                      not_modified=event.not_modified))

        extra = await run_refresh(library.paths, library.config, direct, progress=shifted,
                                  full_text=False, allow_files=library.demo)
        summary = RefreshSummary(
            feeds_ok=summary.feeds_ok + extra.feeds_ok,
            feeds_failed=summary.feeds_failed + extra.feeds_failed,
            not_modified=extra.not_modified,
            new_articles=summary.new_articles + extra.new_articles,
            errors=summary.errors + extra.errors)
    if full_text and summary.feeds_ok:
        from termnews.fulltext import fetch_missing_full_texts

        await fetch_missing_full_texts(library.paths, library.config, library.subscribed_urls(),
                                       limit=library.config.refresh.full_text_limit)
    return summary


async def refresh_from_server(library: Library, *, progress: Progress,
                              full_text: bool) -> RefreshSummary:
    """A refresh from the server, for the event loop (the TUI)."""
    import asyncio

    summary, direct = await asyncio.to_thread(pull_from_server, library, progress)
    return await finish(library, summary, direct, progress, full_text)


def refresh_blocking(library: Library, *, progress: Progress,
                     full_text: bool) -> RefreshSummary:
    """A refresh from the server without an event loop unless there is more to fetch
    (the CLI: a refresh with nothing new stays a small process)."""
    summary, direct = pull_from_server(library, progress)
    if direct or (full_text and summary.feeds_ok):
        import asyncio

        summary = asyncio.run(finish(library, summary, direct, progress, full_text))
    return summary
