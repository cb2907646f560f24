"""``source = "server"``: a refresh reads new entries from the sync server.

One incremental pull (the sync itself) instead of a conditional GET per feed; the
articles are stored exactly as a fetch of the feeds would store them (``match``). Feeds
the server does not have (it refused them) are still fetched directly, and full texts
and images are fetched by termnews as always. ``Library.refresh`` puts the two steps
together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from termnews.config import Config
from termnews.model import FeedSource, RefreshEvent, RefreshSummary
from termnews.paths import Paths
from termnews.store import sync_state
from termnews.sync.errors import SyncError
from termnews.sync.service import SyncService

Progress = Callable[[RefreshEvent], None] | None


def pull_from_server(service: SyncService, subscribed: Sequence[str], progress: Progress = None
                     ) -> tuple[RefreshSummary, list[str]]:
    """The sync that stores the server's entries (blocking); the summary so far and the
    subscribed feeds left to fetch here (those the server does not have)."""
    where = service.cfg.url
    try:
        synced = service.run(store_entries=True)
    except SyncError as exc:
        # The server is the source: a failed pull is a failed refresh of every feed.
        if progress is not None:
            progress(RefreshEvent(url=where, done=1, total=1, new_articles=0, error=str(exc)))
        return RefreshSummary(feeds_failed=len(subscribed) or 1,
                              errors=((where, str(exc)),)), []
    on_server = {url for url, k in sync_state.known_feeds(service.conn, service.profile).items()
                 if k.remote_id}  # not those it refused
    elsewhere = [u for u in subscribed if u not in on_server]
    if progress is not None:  # the server's feeds came in one go
        progress(RefreshEvent(url=where, done=len(on_server),
                              total=len(on_server) + len(elsewhere),
                              new_articles=synced.new_articles))
    return RefreshSummary(feeds_ok=len(on_server), new_articles=synced.new_articles), elsewhere


async def finish(paths: Paths, config: Config, summary: RefreshSummary,
                 direct: list[FeedSource], subscribed: Sequence[str], *, progress: Progress,
                 full_text: bool, allow_files: bool = False) -> RefreshSummary:
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

        extra = await run_refresh(paths, config, direct, progress=shifted,
                                  full_text=False, allow_files=allow_files)
        summary = RefreshSummary(
            feeds_ok=summary.feeds_ok + extra.feeds_ok,
            feeds_failed=summary.feeds_failed + extra.feeds_failed,
            not_modified=extra.not_modified,
            new_articles=summary.new_articles + extra.new_articles,
            errors=summary.errors + extra.errors)
    if full_text and summary.feeds_ok:
        from termnews.fulltext import fetch_missing_full_texts

        await fetch_missing_full_texts(paths, config, subscribed,
                                       limit=config.refresh.full_text_limit)
    return summary
