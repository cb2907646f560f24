"""Refreshing feeds from the reading screen: the async refresh and its progress."""

from __future__ import annotations

from datetime import UTC, datetime

from textual import work

from termnews.i18n import _
from termnews.model import RefreshEvent
from termnews.ui.messages import RefreshDone, RefreshProgress
from termnews.ui.screens.main_frame import MainFrame


class RefreshMixin(MainFrame):
    """The r key, the refresh worker and the status it shows."""

    def action_refresh(self) -> None:
        if self.offline:
            self.notify(_("Offline: nothing is fetched (started with --offline)."),
                        markup=False)
            return
        self.run_refresh()

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
            self.post_message(RefreshDone(None, str(exc) or type(exc).__name__, None))
            return
        self.post_message(RefreshDone(summary, None, datetime.now(UTC)))

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        self.refreshing = message.event
        self._update_status()

    def on_refresh_done(self, message: RefreshDone) -> None:
        self.refreshing = None
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
            if summary.new_articles:
                self._reload()
            else:
                self._load_counts()
        self._update_status()
        self.after_refresh()
