"""Read and starred marks: toggled at once in the list, saved in a worker.

A mark that cannot be saved (a full disk, a damaged state.db) is shown as not done
again, with a notice that says why: the list never shows what is not stored."""

from __future__ import annotations

import logging

from textual import work

from termnews.errors import TermnewsError
from termnews.i18n import ngettext
from termnews.model import ArticleQuery
from termnews.ui.messages import MarkedAllRead, MarksSaved
from termnews.ui.screens.main_sync import SyncMixin

log = logging.getLogger(__name__)


class MarksMixin(SyncMixin):
    """Keys that mark articles read, unread or starred."""

    def _target_id(self) -> int | None:
        """The article a key acts on: the open one when reading, else the list's cursor."""
        focused = self.focused
        reading = focused is not None and (focused is self.pane or
                                           self.pane in focused.ancestors)
        if reading and self.article_id is not None:
            return self.article_id
        row = self.articles.current
        if row is not None:
            return row.id
        return self.article_id

    def _state_of(self, article_id: int) -> tuple[bool, bool]:
        i = self.articles.index_of(article_id)
        row = self.articles.row(i) if i is not None else None
        if row is not None:
            return row.read, row.starred
        if self.article is not None and self.article.id == article_id:
            return self.article.read, self.article.starred
        return False, False

    def _set_read(self, article_id: int, read: bool) -> None:
        self.articles.update_row(article_id, read=read)
        self.pane.set_marks(article_id, read=read)
        self._save_marks([article_id], read=read)

    @work(thread=True, group="marks", exit_on_error=False)
    def _save_marks(self, ids: list[int], *, read: bool | None = None,
                    starred: bool | None = None) -> None:
        try:
            if read is not None:
                self.library.mark_read(ids, read)
            if starred is not None:
                self.library.star(ids, starred)
        except Exception as exc:  # whatever failed, the list must not show what is not stored
            self.post_message(MarksSaved(ids, read, starred, self._failure(exc)))
            return
        self._post_counts()
        self.post_message(MarksSaved(ids, read, starred))

    def on_marks_saved(self, message: MarksSaved) -> None:
        if message.error is None:
            self.schedule_sync()
        else:
            self._marks_not_saved(message.ids, message.read, message.starred, message.error)

    def _failure(self, exc: Exception) -> str:
        """Why marks were not saved (a storage error names the file and the cause)."""
        if not isinstance(exc, TermnewsError):  # a bug: its trace goes to the log
            log.error("marks not saved", exc_info=exc)
        return str(exc) or type(exc).__name__

    def _marks_not_saved(self, ids: list[int], read: bool | None, starred: bool | None,
                         error: str) -> None:
        """Undo on screen what could not be saved (unless a later key changed it since)."""
        for article_id in ids:
            now_read, now_starred = self._state_of(article_id)
            back_read = not read if read is not None and now_read == read else None
            back_starred = (not starred if starred is not None and now_starred == starred
                            else None)
            self.articles.update_row(article_id, read=back_read, starred=back_starred)
            self.pane.set_marks(article_id, read=back_read, starred=back_starred)
        self.notify(error, severity="error", markup=False, timeout=10)

    def action_toggle_read(self) -> None:
        target = self._target_id()
        if target is not None:
            read, _starred = self._state_of(target)
            self._set_read(target, not read)

    def action_star(self) -> None:
        target = self._target_id()
        if target is None:
            return
        _read, starred = self._state_of(target)
        self.articles.update_row(target, starred=not starred)
        self.pane.set_marks(target, starred=not starred)
        self._save_marks([target], starred=not starred)

    def _acting_section(self) -> str:
        if self.focused is self.sections and self.sections.highlighted is not None:
            return self.sections.highlighted.key
        return self.view

    def action_mark_all(self) -> None:
        key = self._acting_section()
        if not key:
            return
        if key == self.view:
            self.articles.mark_all_read()
        self._mark_all(self.place.query(key, self.search_text))

    @work(thread=True, group="marks", exit_on_error=False)
    def _mark_all(self, q: ArticleQuery) -> None:
        try:
            n = self.library.mark_all(q, read=True)
        except Exception as exc:  # whatever failed, the list shows again what is stored
            self.post_message(MarkedAllRead(0, self._failure(exc)))
            return
        self._post_counts()
        self.post_message(MarkedAllRead(n))

    def on_marked_all_read(self, message: MarkedAllRead) -> None:
        if message.error is not None:
            self._reload()  # the list shows what is stored
            self.notify(message.error, severity="error", markup=False, timeout=10)
            return
        self.schedule_sync()
        self.notify(ngettext("{n} article marked read", "{n} articles marked read",
                             message.count).format(n=message.count), markup=False)
