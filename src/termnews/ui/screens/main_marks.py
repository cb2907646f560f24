"""Read and starred marks: toggled at once in the list, saved in a worker."""

from __future__ import annotations

from dataclasses import replace

from textual import work

from termnews.i18n import ngettext
from termnews.model import ArticleQuery
from termnews.ui.screens.main_frame import MainFrame


class MarksMixin(MainFrame):
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
        if self.article is not None and self.article.id == article_id:
            self.article = replace(self.article, read=read)
        self._save_marks([article_id], read=read)

    @work(thread=True, group="marks", exit_on_error=False)
    def _save_marks(self, ids: list[int], *, read: bool | None = None,
                    starred: bool | None = None) -> None:
        if read is not None:
            self.library.mark_read(ids, read)
        if starred is not None:
            self.library.star(ids, starred)
        self._post_counts()
        self.app.call_from_thread(self.schedule_sync)

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
        if self.article is not None and self.article.id == target:
            self.article = replace(self.article, starred=not starred)
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
        n = self.library.mark_all(q, read=True)
        self._post_counts()
        self.app.call_from_thread(self.schedule_sync)
        text = ngettext("{n} article marked read", "{n} articles marked read", n).format(n=n)
        self.app.call_from_thread(self.notify, text, markup=False)
