"""Subscribing to sections from the reading screen, and the subscriptions screen."""

from __future__ import annotations

from typing import Any

from textual import work

from termnews.i18n import _
from termnews.ui.screens.main_frame import MainFrame
from termnews.ui.views import split_key


class SubscriptionsMixin(MainFrame):
    """The s and S keys, and the sidebar after subscriptions change."""

    def action_subscribe(self) -> None:
        key = self._acting_section()
        parts = split_key(key)
        section = self.place.section(key)
        if parts is None or section is None:
            self.notify(_("Choose a section to subscribe to."), markup=False)
            return
        subscribe = section.feed_url not in self.place.subscribed
        self._toggle_subscription(parts, section.feed_url, subscribe, section.title)

    @work(thread=True, group="subscriptions", exclusive=True, exit_on_error=False)
    def _toggle_subscription(self, parts: tuple[str, str, str], url: str, subscribe: bool,
                             title: str) -> None:
        lib = self.library
        if subscribe:
            lib.subscribe(*parts)
        else:
            lib.unsubscribe(*parts)
        subs = lib.subscriptions()
        outlets = lib.outlets()
        self.app.call_from_thread(self._subscriptions_changed, subs, outlets)
        msg = (_("Subscribed to {section}") if subscribe else
               _("Left {section}")).format(section=title)
        self.app.call_from_thread(self.notify, msg, markup=False)
        if subscribe and not self.offline:
            self.app.call_from_thread(self.run_refresh, [url])

    def _subscriptions_changed(self, subs: list[Any], outlets: tuple[Any, ...]) -> None:
        self.place.subscriptions = subs
        self.place.outlets = outlets
        self.articles.section_titles = self.place.section_titles()
        self._rebuild_sections()
        self._update_list_title()
        self._reload()
        self.schedule_sync()

    def action_subscriptions(self) -> None:
        try:
            from termnews.ui.screens.subscriptions import SubscriptionsScreen
        except ImportError:
            return

        def done(changed: bool | None) -> None:
            if changed:
                self._reload_place()

        self.app.push_screen(SubscriptionsScreen(self.library), done)

    @work(thread=True, group="subscriptions", exclusive=True, exit_on_error=False)
    def _reload_place(self) -> None:
        lib = self.library
        self.app.call_from_thread(self._subscriptions_changed, lib.subscriptions(),
                                  lib.outlets())
        if not self.offline:
            self.app.call_from_thread(self.run_refresh)
