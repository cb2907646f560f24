"""The article pane: the article as Markdown, then the related block.

The pane owns the open article and loads what goes with it, each in a thread worker
that reports back with a message: the article (``open``), what to read next, the page's
full text when the feed gave only a summary (``fetch_full_text``), and the lead image.
It tells the screen when an article is first shown (``Opened``: the screen decides
when it is read) and when its related block is (``RelatedShown``: the screen, which
knows the list, says what to fetch ahead).

With ``ui.show_images`` and a lead image on disk, the document is drawn in two
Markdown widgets with the image between them (below the byline, above the
caption), as a news site lays out its article page.

The Markdown comes from ``termnews.article_view`` (feed text escaped, body
sanitised); raw HTML is switched off in the parser and links are not followed
by the widget: the screen gets ``Markdown.LinkClicked`` and opens only http(s).
The Markdown widget (and its parser, Pygments …) is created with the first
article, not at start: the first frame does not pay for it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from termnews.library import RETRY_ON_OPEN, Library
from termnews.model import Article, RelatedItem
from termnews.terms import SearchQuery, merge_spans
from termnews.ui.messages import ArticleLoaded, LeadImageLoaded, RelatedLoaded
from termnews.ui.widgets.related import RelatedList

if TYPE_CHECKING:
    from textual.widget import Widget
    from textual.widgets import Markdown


def safe_parser() -> Any:
    """CommonMark without raw HTML (feeds must not smuggle tags through), plus tables."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")


class ArticlePane(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    ArticlePane { background: $surface; padding: 0 1; }
    ArticlePane > Markdown { margin: 0; padding: 0; background: $surface; }
    ArticlePane > #lead-image { margin: 0; }
    """

    @dataclass
    class Opened(Message):
        """An article is shown for the first time (not again with its full text)."""

        article: Article

    @dataclass
    class RelatedShown(Message):
        """The open article's related block is shown: what to read next."""

        article_id: int
        items: list[RelatedItem]

    def __init__(self, library: Library, *, offline: bool = False,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library
        self.offline = offline
        self.article_id: int | None = None  # the article open, or being opened
        self.article: Article | None = None  # … once it has been read
        # Section titles by (outlet, edition, section), for the breadcrumb and the
        # related block; the screen keeps them as its place changes.
        self.section_titles: dict[tuple[str, str, str], str] = {}
        self.search: SearchQuery | None = None  # a search's words: marked where found
        self._shown: int | None = None  # the article drawn
        self._head = ""
        self._rest = ""
        self.image_path: Path | None = None  # the lead image drawn, if any
        # A search's words and the article's language: the words found are marked.
        self.matches: tuple[SearchQuery, str] | None = None

    # --- the open article and its loads --------------------------------------------------

    def open(self, article_id: int, *, remember: bool = True, keep_scroll: bool = False
             ) -> None:
        """Open an article: read in a worker, then shown (``remember``: it goes into the
        stored history)."""
        self.article_id = article_id
        self._load_article(article_id, remember=remember, keep_scroll=keep_scroll)

    def reload(self) -> None:
        """The open article again, where it was scrolled to (the language changed)."""
        if self.article_id is not None:
            self.open(self.article_id, remember=False, keep_scroll=True)

    def close(self) -> None:
        """No article open any more (the screen shows its note in its place)."""
        self.article_id = None
        self.article = None

    def set_marks(self, article_id: int, *, read: bool | None = None,
                  starred: bool | None = None) -> None:
        """The open article's marks changed (a key, or a save undone)."""
        article = self.article
        if article is None or article.id != article_id:
            return
        self.article = replace(article, read=article.read if read is None else read,
                               starred=article.starred if starred is None else starred)

    def _section_title(self, article: Article) -> str:
        return self.section_titles.get((article.outlet, article.edition, article.section), "")

    def _markdown_of(self, article: Article) -> tuple[str, str]:
        from termnews.article_view import article_markdown_parts

        return article_markdown_parts(article,
                                      section_title=self._section_title(article) or None)

    @work(thread=True, group="article", exclusive=True, exit_on_error=False)
    def _load_article(self, article_id: int, *, remember: bool, keep_scroll: bool) -> None:
        lib = self.library
        article = lib.article(article_id)
        if article is None:
            return
        self.post_message(ArticleLoaded(article, *self._markdown_of(article), keep_scroll))
        if remember:
            lib.push_history(article_id)
        lib.set_pref("article", article_id)
        self.post_message(RelatedLoaded(article_id, lib.related(article_id)))

    async def on_article_loaded(self, message: ArticleLoaded) -> None:
        article = message.article
        if article.id != self.article_id:
            return
        first_show = self.article is None or self.article.id != article.id
        self.article = article
        self.matches = (self.search, article.language or article.edition) \
            if self.search else None
        await self.show(article.id, message.head, message.rest, keep_scroll=message.full)
        if self.library.config.ui.show_images and (first_show or message.full):
            self._load_image(article.id, article.image_url, article.feed_url)
        if first_show:
            self.post_message(self.Opened(article))

    def on_related_loaded(self, message: RelatedLoaded) -> None:
        if message.article_id != self.article_id or self.article is None:
            return
        self.set_related(message.article_id, message.items, self._section_title(self.article))
        self.post_message(self.RelatedShown(message.article_id, message.items))

    def fetch_full_text(self, ahead: list[int]) -> None:
        """The open article's page when the feed gave only a summary, then the pages of
        the articles ahead (the next one, the top related)."""
        if self.article_id is not None and not self.offline:
            self._fetch_full_text(self.article_id, ahead)

    @work(thread=True, group="fulltext", exclusive=True, exit_on_error=False)
    def _fetch_full_text(self, article_id: int, ahead: list[int]) -> None:
        lib = self.library
        article = lib.article(article_id)
        if article is None:
            return
        if not article.full_text:
            fresh = asyncio.run(lib.fetch_full_text(article_id,
                                                    retry_failed_after=RETRY_ON_OPEN))
            if (fresh.full_text, fresh.full_text_error) != (
                    article.full_text, article.full_text_error):
                self.post_message(ArticleLoaded(fresh, *self._markdown_of(fresh), True))
        if ahead:
            asyncio.run(lib.prefetch(ahead))

    @work(thread=True, group="image", exclusive=True, exit_on_error=False)
    def _load_image(self, article_id: int, url: str, feed_url: str) -> None:
        """The lead image from disk, else fetched now (not offline); None when there is none."""
        path = asyncio.run(self.library.lead_image(url, origin=feed_url or None))
        self.post_message(LeadImageLoaded(article_id, path))

    async def on_lead_image_loaded(self, message: LeadImageLoaded) -> None:
        await self.set_image(message.article_id, message.path,
                             self.library.config.ui.image_mode)

    # --- drawing -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="article-note")
        yield RelatedList(id="related")

    async def _markdown(self, id: str, before: Widget) -> Markdown:
        from textual.widgets import Markdown

        found = self.query(f"#{id}")
        if found:
            return found.first(Markdown)
        widget = Markdown("", id=id, open_links=False, parser_factory=safe_parser)
        await self.mount(widget, before=before)
        return widget

    async def _body(self) -> Markdown:
        return await self._markdown("article-body", self.related)

    @property
    def related(self) -> RelatedList:
        return self.query_one("#related", RelatedList)

    async def show(self, article_id: int | None, head: str, rest: str = "", *,
                   keep_scroll: bool = False) -> None:
        """An article's Markdown (head: breadcrumb to byline; rest: from the image
        caption on), or (article_id None) a plain note in its place."""
        same = article_id == self._shown
        self._shown = article_id
        y = self.scroll_y
        note = self.query_one("#article-note", Static)
        if article_id is None:
            note.update(Content(head.strip()))
            note.display = True
            await self._drop_image()
            for widget in self.query("#article-body, #article-head"):
                widget.display = False
        else:
            note.display = False
            if not same:
                await self._drop_image()
            self._head, self._rest = head, rest
            await self._fill()
        if not same:
            self.related.set_items(article_id, [])
        if same and keep_scroll:
            self.scroll_to(y=y, animate=False)
        else:
            self.scroll_home(animate=False)

    async def _fill(self) -> None:
        """The Markdown in one piece, or split around the lead image when one is drawn."""
        body = await self._body()
        body.display = True
        if self.image_path is None:
            for head in self.query("#article-head"):
                head.display = False
            await body.update(self._head + "\n\n" + self._rest)
        else:
            image = self.query_one("#lead-image")
            head = await self._markdown("article-head", image)
            head.display = True
            await head.update(self._head)
            await body.update(self._rest)
        self._mark_matches()

    def _mark_matches(self) -> None:
        """Style the words the search matched in every block of the rendered article
        (Content spans over the text the Markdown made: feed text never becomes markup)."""
        if self.matches is None:
            return
        from textual.style import Style
        from textual.widgets.markdown import MarkdownBlock

        query, lang = self.matches
        style = Style(bold=True, reverse=True)
        for block in self.query(MarkdownBlock):
            content = block.content
            if not isinstance(content, Content) or not content.plain:
                continue
            spans = merge_spans(query.spans(content.plain, lang))
            for start, end in spans:
                content = content.stylize(style, start, end)
            if spans:
                block.set_content(content)

    async def set_image(self, article_id: int, path: Path | None, mode: str) -> None:
        """Draw the article's lead image (path None: none) between its head and body."""
        if article_id != self._shown or path == self.image_path:
            return
        await self._drop_image()
        if path is not None:
            from termnews.ui.widgets.lead_image import image_widget

            await self.mount(image_widget(path, mode), before=await self._body())
            self.image_path = path
        await self._fill()

    async def _drop_image(self) -> None:
        self.image_path = None
        await self.query("#lead-image").remove()

    def set_related(self, article_id: int, items: list[RelatedItem], section_title: str) -> None:
        if article_id == self._shown:
            self.related.set_items(article_id, items, section_title)

    def page_down(self) -> None:
        self.scroll_page_down(animate=False)
