"""Editions of an outlet: switching place and edition, and the UI language that follows it."""

from __future__ import annotations

from textual import work
from textual.widgets import Input

from termnews.i18n import _, set_language
from termnews.ui.screens.main_frame import MainFrame
from termnews.ui.views import EVERYTHING, group_key, split_key
from termnews.ui.widgets.keyhints import KeyHints


class EditionsMixin(MainFrame):
    """The l and L keys; the open article follows to its counterpart when there is one."""

    def _switch_place(self, outlet: str, edition: str) -> None:
        self.place.outlet = outlet
        self.place.edition = edition
        if edition:  # a catalog outlet: the sidebar shows this edition of it from now on
            self.place.editions[outlet] = edition
            self._save_prefs(outlet=outlet, **{f"edition:{outlet}": edition})
        else:
            self._save_prefs(outlet=outlet)
        if self.config.ui.language == "edition" and edition:
            set_language(edition)
            self.call_later(self.relabel)
        else:
            self.call_later(self._update_masthead)

    async def relabel(self) -> None:
        """After a UI language switch: every label again, in the new language."""
        self._rebuild_sections()
        self._update_list_title()
        self.query_one(KeyHints).refresh_hints()
        for search in self.query("#search").results(Input):
            search.placeholder = _("Search the cache…")
        await self._update_masthead()
        self.pane.related.relabel()
        self.articles.refresh()
        if self.article_id is not None:
            self._load_article(self.article_id, push=False, keep_scroll=True)
        else:
            await self._show_welcome()

    def switch_edition(self, lang: str, open_id: int | None = None,
                       outlet: str | None = None) -> None:
        """Show another edition of an outlet (the current one unless given): the list goes
        to the same section there (a search or Everything stays), open_id opens."""
        outlet = outlet or self.place.outlet
        if lang == self.place.edition and outlet == self.place.outlet and open_id is None:
            return
        if outlet == self.place.outlet or split_key(self.view) is None:
            new_view = self.place.map_view(self.view, lang)
        else:  # an article of another outlet (from history, related): that edition's list
            new_view = group_key(outlet, lang)
        self._switch_place(outlet, lang)
        self.set_view(new_view)
        if open_id is not None:
            self.open_article(open_id, focus=self.pane.has_focus_within)

    def _edition_target(self) -> tuple[str, str] | None:
        """The outlet and edition l acts on: the open article's (from a search, Everything or
        Starred it may be another outlet's), else where the reader is."""
        article = self.article
        if self.article_id is not None and article is not None and article.id == self.article_id:
            return article.outlet, article.edition
        if self.view == EVERYTHING:
            return None
        return self.place.outlet, self.place.edition

    def action_toggle_edition(self) -> None:
        target = self._edition_target()
        if target is None:
            self.notify(_("Choose an outlet (or open an article) to switch its edition."),
                        markup=False)
            return
        lang = self.place.next_edition(outlet_key=target[0], current=target[1])
        if lang is None:
            self.notify(_("This outlet has one edition only."), markup=False)
            return
        if self.article_id is not None:
            self._find_counterpart(self.article_id, lang, target[0])
        else:
            self.switch_edition(lang)

    @work(thread=True, group="counterpart", exclusive=True, exit_on_error=False)
    def _find_counterpart(self, article_id: int, lang: str, outlet: str | None = None) -> None:
        found: int | None = None
        try:
            from termnews.related import counterpart

            found = counterpart(self.library, article_id, lang)
        except ImportError:
            pass
        self.app.call_from_thread(self._counterpart_found, lang, found, outlet)

    async def _counterpart_found(self, lang: str, found: int | None,
                                 outlet: str | None = None) -> None:
        if found is None:
            self.article_id = None
            self.article = None
            await self._show_welcome()
            self.switch_edition(lang, outlet=outlet)
            if self.pane.has_focus_within:
                self._focus(self.articles)
            self._apply_layout()
        else:
            self.switch_edition(lang, open_id=found, outlet=outlet)

    def action_pick_edition(self) -> None:
        outlet = self.place.outlet_obj()
        if outlet is None:
            return
        try:
            from termnews.ui.screens.edition_picker import EditionPicker
        except ImportError:
            return

        def done(lang: str | None) -> None:
            if lang and lang != self.place.edition:
                if self.article_id is not None:
                    self._find_counterpart(self.article_id, lang, self.place.outlet)
                else:
                    self.switch_edition(lang)

        self.app.push_screen(EditionPicker(outlet, self.place.edition), done)
