"""The article pane: the article as one Markdown document, then the related block.

The Markdown comes from ``termnews.article_view`` (feed text escaped, body
sanitised); raw HTML is switched off in the parser and links are not followed
by the widget: the screen gets ``Markdown.LinkClicked`` and opens only http(s).
The Markdown widget (and its parser, Pygments …) is created with the first
article, not at start: the first frame does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from termnews.model import RelatedItem
from termnews.ui.widgets.related import RelatedList

if TYPE_CHECKING:
    from textual.widgets import Markdown


def safe_parser() -> Any:
    """CommonMark without raw HTML (feeds must not smuggle tags through), plus tables."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")


class ArticlePane(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    ArticlePane { background: $surface; padding: 0 1; }
    ArticlePane > Markdown { margin: 0; padding: 0; background: $surface; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="article-note")
        yield RelatedList(id="related")

    async def _body(self) -> Markdown:
        from textual.widgets import Markdown

        found = self.query("#article-body")
        if found:
            return found.first(Markdown)
        body = Markdown("", id="article-body", open_links=False, parser_factory=safe_parser)
        await self.mount(body, before=self.related)
        return body

    @property
    def related(self) -> RelatedList:
        return self.query_one("#related", RelatedList)

    async def show(self, article_id: int | None, markdown: str, *, keep_scroll: bool = False
                   ) -> None:
        """An article's Markdown, or (article_id None) a plain note in its place."""
        same = article_id == self.article_id
        self.article_id = article_id
        y = self.scroll_y
        note = self.query_one("#article-note", Static)
        if article_id is None:
            note.update(Content(markdown.strip()))
            note.display = True
            for body in self.query("#article-body"):
                body.display = False
        else:
            note.display = False
            body = await self._body()
            body.display = True
            await body.update(markdown)
        if not same:
            self.related.set_items(article_id, [])
        if same and keep_scroll:
            self.scroll_to(y=y, animate=False)
        else:
            self.scroll_home(animate=False)

    def set_related(self, article_id: int, items: list[RelatedItem], section_title: str) -> None:
        if article_id == self.article_id:
            self.related.set_items(article_id, items, section_title)

    def page_down(self) -> None:
        self.scroll_page_down(animate=False)
