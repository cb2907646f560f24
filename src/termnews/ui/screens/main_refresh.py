"""Refreshing feeds from the reading screen: the async refresh, its progress and its outcome."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime

from textual import work

from termnews.i18n import _, ngettext
from termnews.model import RefreshEvent, RefreshSummary
from termnews.ui.messages import RefreshDone, RefreshProgress
from termnews.ui.screens.main_frame import MainFrame


def outcome_text(summary: RefreshSummary) -> str:
    """"12 new · 2 failed", or that nothing is new."""
    parts = []
    if summary.new_articles:
        parts.append(ngettext("{n} new article", "{n} new articles",
                              summary.new_articles).format(n=summary.new_articles))
    if summary.feeds_failed:
        parts.append(ngettext("{n} feed failed", "{n} feeds failed",
                              summary.feeds_failed).format(n=summary.feeds_failed))
    return " · ".join(parts) or _("No new articles.")


class RefreshMixin(MainFrame):
    """The r key, the refresh worker and the status it shows."""

    _asked_refresh = False  # the running refresh was asked for with r: say how it went

    def action_refresh(self) -> None:
        if self.offline:
            self.notify(_("Offline: nothing is fetched (started with --offline)."),
                        markup=False)
            return
        urls = None
        if self.library.demo:
            # The demo outlet is read from files in the package: nothing new can come.
            demo = {s.feed_url for o in self.place.outlets if o.demo
                    for e in o.editions for s in e.sections}
            urls = [s.feed_url for s in self.place.subscriptions if s.feed_url not in demo]
            self.notify(_("The demo outlet is bundled with termnews and offline: "
                          "its articles do not change."), markup=False)
            if not urls:
                return
        self._asked_refresh = True
        self.run_refresh(urls)

    @work(group="refresh", exclusive=True, exit_on_error=False)
    async def run_refresh(self, urls: list[str] | None = None) -> None:
        if self.offline:
            return
        self.refreshing = RefreshEvent(url="", done=0, total=0, new_articles=0)
        self._update_status()

        def progress(event: RefreshEvent) -> None:
            self.post_message(RefreshProgress(event))

        try:
            summary = await self.library.refresh(urls, progress=progress)
        except Exception as exc:  # a refresh failure must never end the reading
            error: BaseException = exc
            if isinstance(exc, (sqlite3.Error, OSError)):  # name the file and the cause
                error = await asyncio.to_thread(self.library.failure, exc)
            self.post_message(RefreshDone(None, str(error) or type(error).__name__, None))
            return
        self.post_message(RefreshDone(summary, None, datetime.now(UTC)))

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        self.refreshing = message.event
        self._update_status()

    def on_refresh_done(self, message: RefreshDone) -> None:
        self.refreshing = None
        asked, self._asked_refresh = self._asked_refresh, False
        summary = message.summary
        if summary is None:
            self.net_down = True
            self.notify(_("Error: {error}").format(error=message.error),
                        severity="error", markup=False)
        else:
            ok = summary.feeds_ok + summary.not_modified
            self.net_down = ok == 0 and summary.feeds_failed > 0
            if not self.net_down:
                self.last_refresh = message.when
            if asked or summary.new_articles or summary.feeds_failed:
                self.notify(outcome_text(summary), markup=False,
                            severity="warning" if summary.feeds_failed else "information")
            if summary.new_articles:
                row = self.articles.current
                self._load_list(keep_id=row.id if row else None, reload=True)
            # Feed titles and failures are news too: the sidebar reads them again.
            self._load_counts(place=True)
        self._update_status()
        self.after_refresh()
