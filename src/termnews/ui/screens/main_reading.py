"""Opening an article: the pane loads it; the screen keeps the history, the read mark
and what to fetch ahead, and opens links."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from termnews.i18n import _
from termnews.ui.messages import ArticleUrl
from termnews.ui.screens.main_marks import MarksMixin
from termnews.ui.widgets.article_pane import ArticlePane

if TYPE_CHECKING:
    from textual.widgets import Markdown

PREFETCH_RELATED = 2


class ReadingMixin(MarksMixin):
    """Opening articles, marking them read, fetching ahead, and links."""

    def open_article(self, article_id: int, *, push: bool = True, focus: bool = True,
                     select: bool = True) -> None:
        if select:
            self.articles.select_id(article_id)
        if push:
            self.history.visit(article_id)
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        self.pane.open(article_id, remember=push)
        if self.config.ui.mark_read_delay == 0:
            # Read as it opens, not when its text arrives: holding n moves on before that.
            i = self.articles.index_of(article_id)
            row = self.articles.row(i) if i is not None else None
            if row is not None and not row.read:
                self._set_read(article_id, True)
        if focus:
            self._focus(self.pane)
        else:
            self._apply_layout()

    def on_article_pane_opened(self, message: ArticlePane.Opened) -> None:
        """An article is shown: read now, or after ``mark_read_delay`` seconds open."""
        article = message.article
        if article.id != self.article_id:
            return
        i = self.articles.index_of(article.id)
        listed = self.articles.row(i) if i is not None else None
        if not article.read and not (listed is not None and listed.read):
            delay = self.config.ui.mark_read_delay
            if delay == 0:
                self._set_read(article.id, True)
            elif delay > 0:
                self._read_timer = self.set_timer(delay, lambda: self._read_later(article.id))

    def _read_later(self, article_id: int) -> None:
        self._read_timer = None
        if self.article_id == article_id:
            self._set_read(article_id, True)

    def on_article_pane_related_shown(self, message: ArticlePane.RelatedShown) -> None:
        """Fetch ahead of the reader: the open article's page, then the next one's and the
        top related ones'."""
        if self.offline:
            return
        ahead = [i.id for i in message.items[:PREFETCH_RELATED]]
        i = self.articles.index_of(message.article_id)
        following = self.articles.row(i + 1) if i is not None else None
        if following is not None:
            ahead.insert(0, following.id)
        self.pane.fetch_full_text(ahead)

    # --- links and the browser ----------------------------------------------------------

    def action_open_browser(self) -> None:
        target = self._target_id()
        if target is None:
            return
        if self.article is not None and self.article.id == target:
            self._open_url(self.article.url)
        else:
            self._open_row_url(target)

    @work(thread=True, group="browser-lookup", exclusive=True, exit_on_error=False)
    def _open_row_url(self, article_id: int) -> None:
        article = self.library.article(article_id)
        if article is not None:
            self.post_message(ArticleUrl(article.url))

    def on_article_url(self, message: ArticleUrl) -> None:
        self._open_url(message.url)

    def _open_url(self, url: str, base: str | None = None) -> None:
        from termnews.ui.browser import open_url

        open_url(self.app, url, self.config.ui.browser, base=base,
                 on_failure=self._no_browser)

    def _no_browser(self, url: str) -> None:
        """No browser could be started (over SSH, say): show the link and copy it (OSC 52,
        which most terminals pass to the clipboard of the machine in front of the reader)."""
        self.app.copy_to_clipboard(url)
        self.notify(_("No browser could be started. The link is copied to the clipboard:")
                    + "\n" + url, severity="warning", markup=False, timeout=12)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        event.prevent_default()
        base = self.article.url if self.article is not None else None
        self._open_url(event.href, base)
