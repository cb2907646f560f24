"""Searching the cache: the search box, made on first use, and its submission."""

from __future__ import annotations

from textual.widgets import Input

from termnews.i18n import _
from termnews.ui.screens.main_lists import ListsMixin


class SearchMixin(ListsMixin):
    """The / key and the search view."""

    async def action_search(self) -> None:
        # The box is made on first use (the first frame does not pay for it). A priority
        # binding's action is awaited before the App takes the next key: typed-ahead
        # letters land in the box.
        found = self.query("#search")
        if found:
            search = found.first(Input)
        else:
            search = Input(id="search", placeholder=_("Search the cache…"))
            await self.query_one("#list-col").mount(search, before=self.articles)
        if search.has_focus:  # "/" is a priority key: typed in the search box, it is text
            search.insert_text_at_cursor("/")
            return
        self.add_class("-searching")
        search.value = self.search_text
        self._focus(search)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search":
            return
        text = event.value.strip()
        self.remove_class("-searching")
        if not text:
            self.search_text = ""
            if self.view == "search":
                self.set_view("all")
            self._focus(self.articles)
            return
        self.search_text = text
        self.set_view("search")
        self._focus(self.articles)
