"""Editions of an outlet: the l and L keys, and the open article following to its counterpart."""

from __future__ import annotations

from textual import work

from termnews.i18n import _
from termnews.ui.messages import CounterpartFound
from termnews.ui.screens.main_reading import ReadingMixin
from termnews.ui.views import EVERYTHING, group_key, split_key


class EditionsMixin(ReadingMixin):
    """The l and L keys; the open article follows to its counterpart when there is one."""

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
        self.post_message(CounterpartFound(lang, self.library.counterpart(article_id, lang),
                                           outlet))

    async def on_counterpart_found(self, message: CounterpartFound) -> None:
        lang, found, outlet = message.lang, message.article_id, message.outlet
        if found is None:
            self.pane.close()
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
        from termnews.ui.screens.edition_picker import EditionPicker

        def done(lang: str | None) -> None:
            if lang and lang != self.place.edition:
                if self.article_id is not None:
                    self._find_counterpart(self.article_id, lang, self.place.outlet)
                else:
                    self.switch_edition(lang)

        self.app.push_screen(EditionPicker(outlet, self.place.edition), done)
