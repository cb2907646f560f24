"""Opening an article: its text, the read-mark timer, related articles, full text, links."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import work

from termnews.i18n import _
from termnews.model import Article
from termnews.ui.messages import ArticleLoaded, LeadImageLoaded, RelatedLoaded
from termnews.ui.screens.main_frame import MainFrame

if TYPE_CHECKING:
    from textual.widgets import Markdown

PREFETCH_RELATED = 2


class ReadingMixin(MainFrame):
    """The article pane's content and what is fetched around it."""

    def open_article(self, article_id: int, *, push: bool = True, focus: bool = True,
                     select: bool = True) -> None:
        if select:
            self.articles.select_id(article_id)
        if push and (not self.history or self.history[self.history_pos] != article_id):
            del self.history[self.history_pos + 1:]
            self.history.append(article_id)
            self.history_pos = len(self.history) - 1
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        self.article_id = article_id
        if self.config.ui.mark_read_delay == 0:
            # Read as it opens, not when its text arrives: holding n moves on before that.
            i = self.articles.index_of(article_id)
            row = self.articles.row(i) if i is not None else None
            if row is not None and not row.read:
                self._set_read(article_id, True)
        self._load_article(article_id, push=push)
        if focus:
            self._focus(self.pane)
        else:
            self._apply_layout()

    def _section_title(self, article: Article) -> str:
        return self.place.section_titles().get(
            (article.outlet, article.edition, article.section), "")

    @work(thread=True, group="article", exclusive=True, exit_on_error=False)
    def _load_article(self, article_id: int, *, push: bool = True,
                      keep_scroll: bool = False) -> None:
        lib = self.library
        article = lib.article(article_id)
        if article is None:
            return
        self.post_message(ArticleLoaded(article, *self._markdown(article), keep_scroll))
        if push:
            lib.push_history(article_id)
        lib.set_pref("article", article_id)
        try:
            from termnews.related import related_articles
        except ImportError:
            return
        items = related_articles(lib, article_id)
        self.post_message(RelatedLoaded(article_id, items))

    def _markdown(self, article: Article) -> tuple[str, str]:
        from termnews.article_view import article_markdown_parts

        return article_markdown_parts(article,
                                      section_title=self._section_title(article) or None)

    async def on_article_loaded(self, message: ArticleLoaded) -> None:
        article = message.article
        if article.id != self.article_id:
            return
        first_show = self.article is None or self.article.id != article.id
        self.article = article
        matches = self.search_matches if self.view == "search" else None
        self.pane.matches = (matches, article.language or article.edition) if matches else None
        await self.pane.show(article.id, message.head, message.rest, keep_scroll=message.full)
        if self.config.ui.show_images and (first_show or message.full):
            self._load_image(article.id, article.image_url, article.feed_url)
        i = self.articles.index_of(article.id)
        listed = self.articles.row(i) if i is not None else None
        if first_show and not article.read and not (listed is not None and listed.read):
            delay = self.config.ui.mark_read_delay
            if delay == 0:
                self._set_read(article.id, True)
            elif delay > 0:
                self._read_timer = self.set_timer(delay, lambda: self._read_later(article.id))

    def _read_later(self, article_id: int) -> None:
        self._read_timer = None
        if self.article_id == article_id:
            self._set_read(article_id, True)

    def on_related_loaded(self, message: RelatedLoaded) -> None:
        if message.article_id != self.article_id or self.article is None:
            return
        self.pane.set_related(message.article_id, message.items,
                              self._section_title(self.article))
        if not self.offline:
            ahead = [i.id for i in message.items[:PREFETCH_RELATED]]
            i = self.articles.index_of(message.article_id)
            following = self.articles.row(i + 1) if i is not None else None
            if following is not None:
                ahead.insert(0, following.id)
            self._fetch_full_text(message.article_id, ahead)

    @work(thread=True, group="fulltext", exclusive=True, exit_on_error=False)
    def _fetch_full_text(self, article_id: int, prefetch: list[int]) -> None:
        from termnews import fulltext

        lib = self.library
        article = lib.article(article_id)
        if article is None:
            return
        if not article.full_text:
            asyncio.run(fulltext.fetch_article_text(
                lib, article_id, retry_failed_after=fulltext.RETRY_ON_OPEN))
            fresh = lib.article(article_id)
            if fresh is not None and (fresh.full_text, fresh.full_text_error) != (
                    article.full_text, article.full_text_error):
                self.post_message(ArticleLoaded(fresh, *self._markdown(fresh), True))
        if prefetch:
            asyncio.run(fulltext.prefetch(lib, prefetch))

    @work(thread=True, group="image", exclusive=True, exit_on_error=False)
    def _load_image(self, article_id: int, url: str, feed_url: str) -> None:
        """The lead image from disk, else fetched now (not offline); None when there is none."""
        from termnews.images import cached_image

        path = asyncio.run(cached_image(self.library.paths, self.config, url,
                                        offline=self.offline, origin=feed_url or None)
                           ) if url else None
        self.post_message(LeadImageLoaded(article_id, path))

    async def on_lead_image_loaded(self, message: LeadImageLoaded) -> None:
        await self.pane.set_image(message.article_id, message.path, self.config.ui.image_mode)

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
            self.app.call_from_thread(self._open_url, article.url)

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
