"""The article pane: the article as Markdown, then the related block.

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

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from termnews.model import RelatedItem
from termnews.terms import SearchQuery, merge_spans
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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article_id: int | None = None
        self._head = ""
        self._rest = ""
        self.image_path: Path | None = None  # the lead image drawn, if any
        # A search's words and the article's language: the words found are marked.
        self.matches: tuple[SearchQuery, str] | None = None

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
        same = article_id == self.article_id
        self.article_id = article_id
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
        if article_id != self.article_id or path == self.image_path:
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
        if article_id == self.article_id:
            self.related.set_items(article_id, items, section_title)

    def page_down(self) -> None:
        self.scroll_page_down(animate=False)
