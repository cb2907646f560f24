"""The article pane: the article as one Markdown document, then the related block.

The Markdown comes from ``termnews.article_view`` (feed text escaped, body
sanitised); raw HTML is switched off in the parser and links are not followed
by the widget: the screen gets ``Markdown.LinkClicked`` and opens only http(s).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from termnews.model import RelatedItem
from termnews.ui.widgets.related import RelatedList


def safe_parser() -> MarkdownIt:
    """CommonMark without raw HTML (feeds must not smuggle tags through), plus tables."""
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
        yield Markdown("", id="article-body", open_links=False, parser_factory=safe_parser)
        yield RelatedList(id="related")

    @property
    def body(self) -> Markdown:
        return self.query_one("#article-body", Markdown)

    @property
    def related(self) -> RelatedList:
        return self.query_one("#related", RelatedList)

    async def show(self, article_id: int | None, markdown: str, *, keep_scroll: bool = False
                   ) -> None:
        same = article_id == self.article_id
        self.article_id = article_id
        y = self.scroll_y
        await self.body.update(markdown)
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
