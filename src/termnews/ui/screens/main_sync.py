"""Syncing with the sync server from the reading screen: after a refresh, and a few
seconds after marks (so a run of j/m/j/m makes one sync), in a thread worker; its state
sits in the masthead."""

from __future__ import annotations

import logging

from textual import work

from termnews.errors import TermnewsError
from termnews.i18n import _, ngettext
from termnews.model import SyncStatus, SyncSummary
from termnews.ui.messages import Notice, SyncDone
from termnews.ui.screens.main_lists import ListsMixin

SYNC_AFTER_MARKS = 4.0  # seconds of quiet after a mark before it goes to the server

log = logging.getLogger(__name__)


class SyncMixin(ListsMixin):
    """The sync worker, its timer and the masthead's sync label."""

    @property
    def sync_enabled(self) -> bool:
        return self.library.sync_config is not None and not self.offline

    def schedule_sync(self, delay: float | None = None) -> None:
        """Sync after delay seconds (SYNC_AFTER_MARKS) without another change."""
        if not self.sync_enabled:
            return
        if self._sync_timer is not None:
            self._sync_timer.stop()
        wait = SYNC_AFTER_MARKS if delay is None else delay
        self._sync_timer = self.set_timer(wait, self.run_sync)
        self._load_sync_status()  # "⇅ 1 to sync" until then

    def after_refresh(self) -> None:
        """A refresh ended: with termnews fetching, sync now (the new articles meet the
        server's marks); with the server as the source the refresh was the sync."""
        if not self.sync_enabled:
            return
        cfg = self.library.sync_config
        if cfg is not None and cfg.source == "server":
            self._load_sync_status()
        else:
            self.run_sync()

    def run_sync(self) -> None:
        if not self.sync_enabled:
            return
        if self._sync_timer is not None:
            self._sync_timer.stop()
            self._sync_timer = None
        if self.syncing:
            self._sync_again = True  # one more after this one: it may miss the latest marks
            return
        self.syncing = True
        self._sync_worker()

    @work(thread=True, group="sync", exit_on_error=False, name="sync")
    def _sync_worker(self) -> None:
        summary: SyncSummary | None = None
        error: str | None = None
        try:
            summary = self.library.sync()
        except TermnewsError as exc:
            error = str(exc)
        except Exception as exc:  # a sync must never end the reading
            log.error("sync failed", exc_info=exc)
            error = str(exc) or type(exc).__name__
        try:
            status = self.library.sync_status()
        except Exception as exc:  # no status to show, but the masthead must leave "syncing"
            if not isinstance(exc, TermnewsError):
                log.error("sync status", exc_info=exc)
            status = None
        self.post_message(SyncDone(summary, error, status))

    @work(thread=True, group="sync-status", exclusive=True, exit_on_error=False)
    def _load_sync_status(self) -> None:
        if not self._sync_checked_config:
            self._sync_checked_config = True
            for warning in self.library.sync_warnings():
                self.post_message(Notice(warning, "warning", timeout=10))
        self.post_message(SyncDone(None, None, self.library.sync_status()))

    def on_sync_done(self, message: SyncDone) -> None:
        ran = message.summary is not None or message.error is not None
        if ran:
            self.syncing = False
        if message.error is not None and message.error != self._sync_shown_error:
            self.notify(_("Sync failed: {error}").format(error=message.error),
                        severity="warning", markup=False)
        self._sync_shown_error = message.error if ran else self._sync_shown_error
        self._set_sync_label(message.status, message.error if ran else None)
        summary = message.summary
        if summary is not None and summary.subscriptions:
            self._reload_place()  # new feeds: shown, and (fetching them here) refreshed
        elif summary is not None and (summary.down or summary.new_articles):
            self._reload()
        if ran and self._sync_again:
            self._sync_again = False
            self.run_sync()

    def _set_sync_label(self, status: SyncStatus | None, error: str | None) -> None:
        if status is None:
            self.sync_label, self.sync_failed = "", False
        elif error is not None or status.error:
            self.sync_label, self.sync_failed = "⇅ " + _("sync failed"), True
        elif status.pending:
            self.sync_label = "⇅ " + ngettext("{n} to sync", "{n} to sync",
                                              status.pending).format(n=status.pending)
            self.sync_failed = False
        elif status.last_sync is None:
            self.sync_label, self.sync_failed = "⇅ " + _("not synced yet"), False
        else:
            self.sync_label, self.sync_failed = "⇅ " + _("synced"), False
