"""Subscribing from the reading screen (s, asking before leaving), and the subscriptions screen."""

from __future__ import annotations

from typing import NamedTuple

from textual import work

from termnews.i18n import _, ngettext
from termnews.model import Outlet, Subscription
from termnews.ui.messages import SubscriptionsChanged
from termnews.ui.screens.main_marks import MarksMixin
from termnews.ui.screens.main_refresh import RefreshMixin
from termnews.ui.views import is_own, split_key


class Change(NamedTuple):
    """What s does to the row it acts on."""

    key: str
    name: str
    subscribe: bool
    urls: tuple[str, ...]  # the feeds it leaves (or, for a catalog section, subscribes)
    outlet: str
    edition: str | None = None
    section: str | None = None


class SubscriptionsMixin(RefreshMixin, MarksMixin):
    """The s and S keys, and the sidebar after subscriptions change."""

    def _change_for(self, key: str) -> Change | None:
        """What s would do on a sidebar row: None where it does nothing (Everything …)."""
        key = self.place.resolve(key)
        parts = split_key(key)
        if parts is None:
            return None
        outlet, edition, section_key = parts
        subscribed = self.place.subscribed
        if section_key:
            section = self.place.section(key)
            if section is None:
                return None
            return Change(key, section.title, section.feed_url not in subscribed,
                          (section.feed_url,), outlet, edition, section_key)
        urls = self.place.feeds(key) or ()
        found = self.place.outlet_obj(outlet)
        name = found.name if found is not None else outlet
        if edition and found is not None and len(found.editions) > 1:
            name = f"{name} ({edition.upper()})"
        return Change(key, name, not urls, urls, outlet, edition)

    def hint_label(self, binding_id: str) -> str | None:
        """The footer label of a key whose meaning depends on the row (KeyHints asks)."""
        if binding_id != "subscribe":
            return None
        change = self._change_for(self._acting_section())
        if change is not None and not change.subscribe:
            return _("unsubscribe")
        return _("subscribe")

    def action_subscribe(self) -> None:
        change = self._change_for(self._acting_section())
        if change is None:
            self.notify(_("Choose a section or a feed to subscribe to or leave."),
                        markup=False)
            return
        if change.subscribe:
            if is_own(change.outlet):  # a feed of one's own is added in S, by its URL
                return
            self._apply_change(change)
            return
        from termnews.ui.screens.confirm import ConfirmScreen

        if len(change.urls) > 1:
            question = ngettext("Leave {name} and its {n} feed?",
                                "Leave {name} and its {n} feeds?",
                                len(change.urls)).format(name=change.name, n=len(change.urls))
        else:
            question = _("Unsubscribe from {name}?").format(name=change.name)
        question += "\n" + _("Read and starred marks are kept if you subscribe again.")

        def answered(yes: bool | None) -> None:
            if yes:
                self._apply_change(change)

        self.app.push_screen(ConfirmScreen(question, _("unsubscribe")), answered)

    def _apply_change(self, change: Change) -> None:
        if not is_own(change.outlet):
            self.place.pinned.add(change.outlet)  # its rows stay, to subscribe again
        self._toggle_subscription(change)

    @work(thread=True, group="subscriptions", exclusive=True, exit_on_error=False)
    def _toggle_subscription(self, change: Change) -> None:
        lib = self.library
        if change.subscribe:
            lib.subscribe(change.outlet, change.edition or None, change.section)
        elif is_own(change.outlet):
            lib.remove_feeds(change.urls)
        else:
            lib.unsubscribe(change.outlet, change.edition, change.section)
        notice = (_("Subscribed to {section}") if change.subscribe else
                  _("Left {section}")).format(section=change.name)
        self.post_message(SubscriptionsChanged(
            lib.subscriptions(), lib.outlets(), notice,
            refresh=change.urls if change.subscribe and not self.offline else ()))

    def on_subscriptions_changed(self, message: SubscriptionsChanged) -> None:
        self._subscriptions_changed(message.subscriptions, message.outlets)
        if message.notice:
            self.notify(message.notice, markup=False)
        if message.refresh_all:
            self.run_refresh()
        elif message.refresh:
            self.run_refresh(list(message.refresh))

    def _subscriptions_changed(self, subs: list[Subscription], outlets: tuple[Outlet, ...]
                               ) -> None:
        if self._place_changed(subs, outlets):
            self._load_counts()  # the list moved on to another view: it loads itself
        else:
            self._reload()
        self.schedule_sync()

    def action_subscriptions(self) -> None:
        from termnews.ui.screens.subscriptions import SubscriptionsScreen

        def done(changed: bool | None) -> None:
            if changed:
                self._reload_place()

        self.app.push_screen(SubscriptionsScreen(self.library), done)
