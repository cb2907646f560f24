"""Subscribing from the reading screen (s, asking before leaving), and the subscriptions screen."""

from __future__ import annotations

from typing import NamedTuple

from textual import work

from termnews.i18n import _, ngettext
from termnews.model import Outlet, Subscription
from termnews.ui.screens.main_frame import MainFrame
from termnews.ui.views import EVERYTHING, is_own, split_key
from termnews.ui.widgets.keyhints import KeyHints


class Change(NamedTuple):
    """What s does to the row it acts on."""

    key: str
    name: str
    subscribe: bool
    urls: tuple[str, ...]  # the feeds it leaves (or, for a catalog section, subscribes)
    outlet: str
    edition: str | None = None
    section: str | None = None


class SubscriptionsMixin(MainFrame):
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

    def _update_hints(self) -> None:
        for hints in self.query(KeyHints):
            hints.refresh_hints()

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
        subs = lib.subscriptions()
        outlets = lib.outlets()
        self.app.call_from_thread(self._subscriptions_changed, subs, outlets)
        msg = (_("Subscribed to {section}") if change.subscribe else
               _("Left {section}")).format(section=change.name)
        self.app.call_from_thread(self.notify, msg, markup=False)
        if change.subscribe and not self.offline:
            self.app.call_from_thread(self.run_refresh, list(change.urls))

    def _subscriptions_changed(self, subs: list[Subscription], outlets: tuple[Outlet, ...]
                               ) -> None:
        if self._place_changed(subs, outlets):
            self._load_counts()  # the list moved on to another view: it loads itself
        else:
            self._reload()
        self.schedule_sync()

    def _place_changed(self, subs: list[Subscription], outlets: tuple[Outlet, ...]) -> bool:
        """New subscriptions and outlets (titles, keys): the sidebar again; a view that is
        gone is followed to its feed's new key, or gives way to the row that took its
        place. True when the list moved to another view."""
        old_entries = list(self.sections.entries)
        old_feeds = self.place.feeds(self.view) or ()
        self.place.subscriptions = subs
        self.place.outlets = outlets
        self.articles.section_titles = self.place.section_titles()
        view = self.place.resolve(self.view)
        gone = not self.place.exists(view) or (
            view not in ("starred", "search", EVERYTHING) and is_own(view)
            and not self.place.feeds(view))
        if gone and len(old_feeds) == 1:
            moved = next((f"{s.outlet}|{s.edition}|{s.section}" for s in subs
                          if s.feed_url == old_feeds[0]), None)
            if moved is not None and self.place.exists(moved):
                self.view = moved  # the same feed under its new key: same list
                gone = False
        self._rebuild_sections()
        self._update_list_title()
        self._update_hints()
        if gone:
            self.set_view(self._neighbour(view, old_entries))
        return gone

    def _neighbour(self, key: str, old_entries: list) -> str:  # type: ignore[type-arg]
        """The row that now stands where key's row stood (the next one, else the one
        before); Everything, or the first row, when there is none."""
        old = next((i for i, e in enumerate(old_entries) if e.key == key), None)
        entries = self.sections.entries
        keys = [e.key for e in entries if e.key]
        if old is not None:
            for e in old_entries[old + 1:] + old_entries[:old][::-1]:
                if e.key in keys and e.key not in ("starred", "search"):
                    return str(e.key)
        if EVERYTHING in keys:
            return EVERYTHING
        return keys[0] if keys else "starred"

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
