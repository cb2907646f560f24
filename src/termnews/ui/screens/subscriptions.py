"""Subscriptions: catalog outlets → editions → sections, and plain feeds, with marks.

Space or Enter subscribes to or leaves the section, edition or outlet under the
cursor; ``a`` adds a feed by URL. The profile is changed through ``Library``
methods in thread workers, written strictly in the order of the key presses.
The screen dismisses with True when anything changed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Tree
from textual.widgets.tree import TreeNode
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from termnews.errors import TermnewsError
from termnews.i18n import _
from termnews.library import FEED_OUTLET_PREFIX, FOLDER_OUTLET_PREFIX, Library
from termnews.model import Edition, FeedStatus, Outlet, Section
from termnews.ui.screens.add_feed import AddFeedScreen

MARK_ALL, MARK_SOME, MARK_NONE = "[x]", "[~]", "[ ]"  # ASCII: no ambiguous-width glyphs


@dataclass(frozen=True, slots=True)
class SubsItem:
    """What a tree node stands for: an outlet, one of its editions, or one section."""

    outlet: Outlet
    edition: Edition | None = None
    section: Section | None = None

    @property
    def urls(self) -> tuple[str, ...]:
        if self.section is not None:
            return (self.section.feed_url,)
        editions = (self.edition,) if self.edition is not None else self.outlet.editions
        return tuple(s.feed_url for e in editions for s in e.sections)


@dataclass(frozen=True, slots=True)
class SubsChange:
    """One write: subscribe to (or leave) everything under an item."""

    item: SubsItem
    subscribe: bool
    in_catalog: bool


def mark_for(urls: tuple[str, ...], subscribed: set[str]) -> str:
    count = sum(1 for u in urls if u in subscribed)
    if urls and count == len(urls):
        return MARK_ALL
    return MARK_SOME if count else MARK_NONE


@dataclass(frozen=True, slots=True)
class LabelContext:
    """What labels show besides the catalog: the marks, and the cache's word on each feed."""

    subscribed: set[str]
    statuses: dict[str, FeedStatus] = field(default_factory=dict)
    error_style: str = "red"


def _feed_note(label: Text, url: str, ctx: LabelContext) -> None:
    status = ctx.statuses.get(url)
    if status is not None and status.error:
        label.append("  " + _("error: {error}").format(error=status.error), ctx.error_style)


def item_label(item: SubsItem, ctx: LabelContext) -> Text:
    """A node label from catalog/feed text, always plain (never markup)."""
    urls = item.urls
    mark = mark_for(urls, ctx.subscribed)
    style = "bold" if mark == MARK_ALL else ""
    if item.section is not None:
        label = Text.assemble((mark, "bold"), " ", (item.section.title, style))
        if not item.section.verified:
            label.append("  " + _("unverified"), "dim italic")
        _feed_note(label, item.section.feed_url, ctx)
        return label
    if item.edition is not None:
        name = item.edition.name or item.edition.lang or "—"
        return Text.assemble((mark, "bold"), " ", (name, style), "  ",
                             (item.edition.lang, "dim"))
    if item.outlet.key.startswith(FEED_OUTLET_PREFIX) and len(urls) == 1:
        # A feed added by URL: its own title once fetched, and the address.
        status = ctx.statuses.get(urls[0])
        title = status.title if status is not None and status.title else ""
        label = Text.assemble((mark, "bold"), " ", (title or urls[0], style))
        if title:
            label.append("  " + urls[0], "dim")
        _feed_note(label, urls[0], ctx)
        return label
    count = sum(1 for u in urls if u in ctx.subscribed)
    return Text.assemble((mark, "bold"), " ", (item.outlet.name, style), "  ",
                         (f"{count}/{len(urls)}", "dim"))


def apply_change(library: Library, change: SubsChange) -> None:
    """Carry one change out on the profile (blocking: call it from a thread)."""
    item = change.item
    outlet = item.outlet
    if not change.in_catalog:  # plain feeds and OPML folders: subscribed by URL
        if change.subscribe:
            folder = (outlet.key[len(FOLDER_OUTLET_PREFIX):]
                      if outlet.key.startswith(FOLDER_OUTLET_PREFIX) else "")
            titles = {s.feed_url: s.title for e in outlet.editions for s in e.sections
                      if s.title and s.title != s.feed_url}
            library.add_feeds(item.urls, folder=folder, titles=titles)
        else:
            library.remove_feeds(item.urls)
        return
    editions = [item.edition] if item.edition is not None else list(outlet.editions)
    section = item.section.key if item.section is not None else None
    for edition in editions:
        if change.subscribe:
            library.subscribe(outlet.key, edition.lang, section)
        else:
            library.unsubscribe(outlet.key, edition.lang, section)


class SubsTree(Tree[SubsItem]):
    """The outlet tree: Space and Enter select (toggle a subscription), arrows fold."""

    BINDINGS = [
        Binding("space", "select_cursor", show=False),
        Binding("right,l", "expand", show=False),
        Binding("left,h", "collapse", show=False),
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
    ]

    def process_label(self, label: str | Text) -> Text:
        # Labels are feed or catalog text: a str must never be parsed as markup.
        text = label if isinstance(label, Text) else Text(label)
        return text.split()[0] if text.plain else text

    def action_expand(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()

    def action_collapse(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.allow_expand:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)


class SubscriptionsScreen(ModalScreen[bool]):
    """Browse the catalog and change the profile's subscriptions."""

    DEFAULT_CSS = """
    SubscriptionsScreen {
        align: center middle;
    }
    SubscriptionsScreen > #subs-box {
        width: 90%;
        max-width: 100;
        height: 90%;
        border: round $primary;
        background: $surface;
    }
    SubscriptionsScreen SubsTree {
        height: 1fr;
        background: $surface;
    }
    SubscriptionsScreen #subs-hint {
        color: $text-muted;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("escape,q", "close", show=False, id="subs.close"),
        Binding("a", "add_feed", show=False, id="subs.add_feed"),
    ]

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.subscribed: set[str] = set()
        self.statuses: dict[str, FeedStatus] = {}
        self.catalog_keys: set[str] = set()
        self.changed = False
        self._writes: list[Worker[None]] = []
        self._last_done: threading.Event | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="subs-box") as box:
            box.border_title = _("Subscriptions")
            tree: SubsTree = SubsTree(_("Outlets"), id="subs-tree")
            tree.show_root = False
            tree.auto_expand = False
            yield tree
            yield Label(_("Space/Enter subscribe or leave · a add a feed by URL · Esc close"),
                        id="subs-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(SubsTree).loading = True
        self._load()

    # --- loading ---------------------------------------------------------------------

    @work(thread=True, group="subs", exit_on_error=False)
    def _load(self, select_url: str | None = None) -> None:
        pending = self._last_done
        if pending is not None:
            pending.wait()  # read what the queued writes leave, not what they find
        outlets = self.library.outlets()
        catalog_keys = {o.key for o in self.library.catalog()}
        subscribed = set(self.library.subscribed_urls())
        statuses = {s.url: s for s in self.library.feed_statuses()}
        self.app.call_from_thread(self._populate, outlets, catalog_keys, subscribed, statuses,
                                  select_url)

    def _populate(self, outlets: tuple[Outlet, ...], catalog_keys: set[str],
                  subscribed: set[str], statuses: dict[str, FeedStatus],
                  select_url: str | None) -> None:
        if not self.is_attached:  # closed while the worker read
            return
        self.catalog_keys = catalog_keys
        self.subscribed = subscribed
        self.statuses = statuses
        tree = self.query_one(SubsTree)
        tree.clear()
        ctx = self._label_context()
        select: TreeNode[SubsItem] | None = None
        for outlet in outlets:
            item = SubsItem(outlet)
            if outlet.key.startswith(FEED_OUTLET_PREFIX):  # one plain feed: a leaf
                onode = tree.root.add_leaf(item_label(item, ctx), data=item)
                if select_url is not None and select_url in item.urls:
                    select = onode
                continue
            onode = tree.root.add(item_label(item, ctx), data=item,
                                  expand=any(u in subscribed for u in item.urls))
            for edition in outlet.editions:
                eitem = SubsItem(outlet, edition)
                if not self._is_catalog(outlet) and len(outlet.editions) == 1:
                    enode = onode  # a plain feed or folder: no edition level
                else:
                    enode = onode.add(item_label(eitem, ctx), data=eitem,
                                      expand=any(u in subscribed for u in eitem.urls))
                for section in edition.sections:
                    sitem = SubsItem(outlet, edition, section)
                    snode = enode.add_leaf(item_label(sitem, ctx), data=sitem)
                    if select_url is not None and section.feed_url == select_url:
                        select = snode
        tree.loading = False
        tree.focus()
        if select is not None:
            parent = select.parent
            while parent is not None:
                parent.expand()
                parent = parent.parent
            tree.last_line  # noqa: B018  (rebuilds the lines, so the node knows its line)
            tree.move_cursor(select)

    def _is_catalog(self, outlet: Outlet) -> bool:
        return outlet.key in self.catalog_keys and not outlet.key.startswith(
            (FEED_OUTLET_PREFIX, FOLDER_OUTLET_PREFIX))

    def _label_context(self) -> LabelContext:
        return LabelContext(self.subscribed, self.statuses,
                            self.app.current_theme.error or "red")

    def _relabel(self) -> None:
        tree = self.query_one(SubsTree)
        ctx = self._label_context()
        stack = list(tree.root.children)
        while stack:
            node = stack.pop()
            if node.data is not None:
                node.set_label(item_label(node.data, ctx))
            stack.extend(node.children)

    # --- toggling ----------------------------------------------------------------------

    def on_tree_node_selected(self, event: Tree.NodeSelected[SubsItem]) -> None:
        event.stop()
        if event.node.data is not None:
            self.toggle(event.node.data)

    def toggle(self, item: SubsItem) -> None:
        """Subscribe to everything under item, or leave it when all is subscribed."""
        urls = item.urls
        if not urls:
            return
        subscribe = not all(u in self.subscribed for u in urls)
        if subscribe:
            self.subscribed.update(urls)
        else:
            self.subscribed.difference_update(urls)
        self.changed = True
        self._relabel()
        self._enqueue(SubsChange(item, subscribe, self._is_catalog(item.outlet)))

    def _enqueue(self, change: SubsChange | str) -> None:
        """Queue a write (a change, or a feed URL to add) behind the ones before it."""
        previous, done = self._last_done, threading.Event()
        self._last_done = done
        self._writes.append(self._write(change, previous, done))

    # Unlike the reading screen's workers, these hand their results over synchronously
    # (call_from_thread): closing the screen waits for the writes, and with them for what
    # they show (a notice, the tree read again) before the screen goes.
    @work(thread=True, group="subs", exit_on_error=False)
    def _write(self, change: SubsChange | str, previous: threading.Event | None,
               done: threading.Event) -> None:
        try:
            if previous is not None:
                previous.wait()  # writes go in key-press order
            if isinstance(change, str):
                self.library.add_feeds([change])
                self.app.call_from_thread(self._feed_added, change)
            else:
                apply_change(self.library, change)
        except TermnewsError as exc:  # e.g. a full disk: said, and the tree reloaded
            self.app.call_from_thread(self._write_failed, str(exc))
        finally:
            done.set()

    def _write_failed(self, message: str) -> None:
        self.app.notify(message, severity="error", markup=False)
        if self.is_attached:
            self._load()  # show what the profile really holds

    # --- adding a feed ------------------------------------------------------------------

    def action_add_feed(self) -> None:
        self.app.push_screen(AddFeedScreen(), self._feed_entered)

    def _feed_entered(self, url: str | None) -> None:
        if url:
            self.changed = True
            self._enqueue(url)

    def _feed_added(self, url: str) -> None:
        self.app.notify(_("Feed added: {url}").format(url=url), markup=False)
        if self.is_attached:
            self._load(url)

    # --- closing ----------------------------------------------------------------------

    async def action_close(self) -> None:
        # Let the writes land first, so the caller reloads what the profile now holds.
        for worker in self._writes:
            if not worker.is_finished:
                try:
                    await worker.wait()
                except (WorkerCancelled, WorkerFailed):
                    pass  # reported already; the caller reloads what is stored
        self.dismiss(self.changed)
