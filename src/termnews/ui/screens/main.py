"""The reading screen: masthead, sections, article list, article pane, key hints.

This screen owns the reading state (outlet, edition, view, open article,
history). It never touches storage itself: every ``Library`` call runs in a
thread worker (each thread gets its own SQLite connection) or in the async
refresh, and results come back as messages (``ui.messages``). Feed text only
ever reaches the terminal as plain text (segments, ``Content``) or escaped
Markdown.
"""

from __future__ import annotations

import inspect
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from termnews.i18n import _, set_language
from termnews.library import Library
from termnews.model import Article, ArticleQuery, RefreshEvent
from termnews.ui import timefmt
from termnews.ui.keys import LIST_BINDINGS, SCREEN_BINDINGS, all_bindings
from termnews.ui.messages import (
    ArticleChosen,
    ArticleLoaded,
    CountsLoaded,
    EditionClicked,
    ListCounted,
    ListLoaded,
    PageLoaded,
    PageWanted,
    RefreshDone,
    RefreshProgress,
    RelatedLoaded,
    SectionChosen,
    SectionHighlighted,
)
from termnews.ui.views import FIRST_PAGE, Place, StartState, section_key, split_key
from termnews.ui.widgets.article_list import ArticleList
from termnews.ui.widgets.article_pane import ArticlePane
from termnews.ui.widgets.keyhints import KeyHints
from termnews.ui.widgets.masthead import Masthead
from termnews.ui.widgets.row_list import RowList
from termnews.ui.widgets.sections import SectionEntry, SectionList

if TYPE_CHECKING:
    from textual.widgets import Markdown

NARROW = 100  # below this many columns one pane at a time (the focused one) is shown
PREFETCH_RELATED = 2


class MainScreen(Screen[None]):
    """The screen people live in."""

    BINDINGS = [*LIST_BINDINGS, *SCREEN_BINDINGS]  # type: ignore[assignment]

    def __init__(self, library: Library, start: StartState, *, offline: bool = False) -> None:
        super().__init__()
        self.library = library
        self.config = library.config
        self.place: Place = start.place
        self.view = start.view
        self.search_text = ""
        self.offline = offline
        self.net_down = False
        self.refreshing: RefreshEvent | None = None
        self.last_refresh = start.last_refresh
        self.article: Article | None = None
        self.article_id: int | None = None
        self.history: list[int] = []
        self.history_pos = -1
        self.unread: dict[str, int] = {}
        self.starred_count = 0
        self._start = start
        self._generation = 0
        self._complete_generation = -1
        self._read_timer: Any = None
        self._shown_welcome = ""

    # --- the interface the command palette uses ------------------------------------

    @property
    def outlet(self) -> str:
        return self.place.outlet

    @property
    def edition(self) -> str:
        return self.place.edition

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Masthead()
        with Horizontal(id="body"):
            yield SectionList(id="sections")
            with Vertical(id="list-col"):
                yield Static(Content(""), id="list-title")
                yield ArticleList(id="articles")
            yield ArticlePane(id="pane")
        yield KeyHints()

    @property
    def articles(self) -> ArticleList:
        return self.query_one("#articles", ArticleList)

    @property
    def sections(self) -> SectionList:
        return self.query_one("#sections", SectionList)

    @property
    def pane(self) -> ArticlePane:
        return self.query_one("#pane", ArticlePane)

    @property
    def masthead(self) -> Masthead:
        return self.query_one(Masthead)

    async def on_mount(self) -> None:
        start = self._start
        self.articles.section_titles = self.place.section_titles()
        self.articles.show_section = self.view in ("all", "starred", "search")
        self._generation += 1
        complete = len(start.rows) < FIRST_PAGE
        self.articles.set_rows(list(start.rows), total=len(start.rows) if complete else None)
        if complete:
            self._complete_generation = self._generation
        self._rebuild_sections()
        await self._update_masthead()
        self._update_list_title()
        await self._show_welcome()
        self.sections.follow = self._follow_section
        self._focus(self.sections)
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        """The network and the long queries come after the cached first frame."""
        import gc

        if not gc.isenabled():  # run_tui held collections off until now
            gc.freeze()  # start-up objects live as long as the app: keep them out of scans
            gc.enable()
        keep = self._start.article_id
        if len(self._start.rows) >= FIRST_PAGE:
            self._count_list(self.view, self.place.query(self.view), self._generation)
        self._load_counts()
        self._load_history()
        self._warm_up_formats()
        if keep is not None:
            self.open_article(keep, push=False, focus=False, select=True)
        if not self.offline:
            self.run_refresh()
            minutes = self.config.refresh.interval_minutes
            if minutes > 0:
                self.set_interval(minutes * 60, self.run_refresh)
        self.set_interval(30, self._update_status)

    def on_resize(self, event: Resize) -> None:
        self._apply_layout()

    def _apply_layout(self, target: Widget | None = None) -> None:
        """Wide: three panes. Narrow: the sidebar with the list, the list, or the article."""
        narrow = self.size.width < NARROW
        self.set_class(narrow, "-narrow")
        focused = target or self.focused
        in_pane = focused is not None and (focused is self.pane or self.pane in focused.ancestors)
        self.set_class(narrow and in_pane, "-reading")
        self.set_class(narrow and focused is self.sections, "-show-sections")

    def on_descendant_focus(self) -> None:
        self._apply_layout()

    def _focus(self, widget: Widget) -> None:
        # Synchronously: keys typed ahead (a paste, tmux send-keys) must go to the new pane.
        self._apply_layout(widget)
        self.set_focus(widget)

    # --- text ----------------------------------------------------------------------

    async def _show_welcome(self) -> None:
        if self.article_id is None:
            self._shown_welcome = self._welcome()
            await self.pane.show(None, self._shown_welcome)

    def _welcome(self) -> str:
        if self.articles.row_count:
            return _("Select an article and press Enter to read it.") + "\n"
        return _("No articles yet. Press r to refresh, or S to choose subscriptions.") + "\n"

    def _view_label(self, key: str | None = None) -> str:
        key = self.view if key is None else key
        if key == "all":
            return _("All")
        if key == "starred":
            return _("Starred")
        if key == "search":
            return _("Search: {query}").format(query=self.search_text)
        section = self.place.section(key)
        if section is not None:
            return section.title
        parts = split_key(key)
        return parts[2] if parts else key

    def _update_list_title(self) -> None:
        label = self._view_label()
        count = self.articles.row_count
        parts: list[Content | str] = [Content.styled(label, "bold")]
        if self._complete_generation == self._generation:
            parts.append(Content(" · " + str(count)))
        section = self.place.section(self.view)
        if section is not None and section.feed_url not in self.place.subscribed:
            parts.append(Content.styled(" · " + _("not subscribed: press s to subscribe"),
                                        "$text-warning"))
        self.query_one("#list-title", Static).update(Content.assemble(*parts))
        if count == 0:
            if self.view == "search":
                self.articles.empty_text = _("Nothing found.")
            elif self.view == "starred":
                self.articles.empty_text = _("No starred articles. Press f to star one.")
            else:
                self.articles.empty_text = _("No articles here yet.")
        self.articles.refresh()

    def _status_text(self) -> tuple[str, bool]:
        if self.offline:
            return _("offline"), True
        if self.refreshing is not None:
            ev = self.refreshing
            return _("refreshing {done}/{total}").format(done=ev.done, total=ev.total), False
        when = timefmt.relative(self.last_refresh) if self.last_refresh else _("not refreshed yet")
        if self.net_down:
            return _("offline") + " · " + when, True
        return "⟳ " + when, False

    def _update_status(self) -> None:
        text, offline = self._status_text()
        self.masthead.set_status(text, offline=offline)

    async def _update_masthead(self) -> None:
        outlet = self.place.outlet_obj()
        self.masthead.set_brand(outlet.name if outlet else "")
        editions = [(e.lang, e.lang.upper() or "—", e.name) for e in outlet.editions] \
            if outlet else []
        self.masthead.set_editions(editions, self.place.edition)
        self._update_status()

    def _rebuild_sections(self) -> None:
        place = self.place
        subscribed = place.subscribed
        entries: list[SectionEntry] = []
        edition = place.edition_obj()
        total = 0
        section_entries = []
        if edition is not None:
            for sec in edition.sections:
                is_sub = sec.feed_url in subscribed
                count = self.unread.get(sec.feed_url, 0) if is_sub else None
                total += count or 0
                section_entries.append(SectionEntry(
                    section_key(place.outlet, edition.lang, sec.key), sec.title, count, is_sub))
        entries.append(SectionEntry("all", _("All"), total, icon="◆"))
        entries.extend(section_entries)
        entries.append(SectionEntry("starred", _("Starred"), self.starred_count, icon="★"))
        if self.search_text:
            entries.append(SectionEntry("search", _("Search: {query}").format(
                query=self.search_text), icon="⌕"))
        for outlet in place.outlets:
            if outlet.key == place.outlet:
                continue
            subs = [s for s in place.subscriptions if s.outlet == outlet.key]
            if not subs:
                continue
            entries.append(SectionEntry("", outlet.name, header=True))
            langs = {s.edition for s in subs}
            for sub in subs:
                ed = outlet.edition(sub.edition)
                sec = ed.section(sub.section) if ed else None
                title = sec.title if sec else (sub.title or sub.section)
                if len(langs) > 1 and sub.edition:
                    title = f"{title} ({sub.edition.upper()})"
                entries.append(SectionEntry(section_key(outlet.key, sub.edition, sub.section),
                                            title, self.unread.get(sub.feed_url, 0)))
        self.sections.set_entries(entries, self.view)

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

    # --- views ------------------------------------------------------------------------

    def set_view(self, key: str, *, keep_id: int | None = None) -> None:
        """Show another view. Synchronous, so keys typed ahead act on the new list:
        the list holds them until its rows arrive."""
        parts = split_key(key)
        if parts is not None and (parts[0], parts[1]) != (self.place.outlet, self.place.edition):
            self._switch_place(parts[0], parts[1])
        self.view = key
        self.articles.show_section = key in ("all", "starred", "search")
        self.articles.begin_loading()
        self._generation += 1
        self._rebuild_sections()
        self._update_list_title()
        self._load_list(keep_id=keep_id)

    def _switch_place(self, outlet: str, edition: str) -> None:
        self.place.outlet = outlet
        self.place.edition = edition
        self._save_prefs(outlet=outlet, **{f"edition:{outlet}": edition})
        if self.config.ui.language == "edition" and edition:
            set_language(edition)
            self.call_later(self.relabel)
        else:
            self.call_later(self._update_masthead)

    def _reload(self) -> None:
        """The same view again (new articles, marks): the selection stays put."""
        row = self.articles.current
        self._load_list(keep_id=row.id if row else None, reload=True)
        self._load_counts()

    def _load_list(self, *, keep_id: int | None = None, reload: bool = False) -> None:
        self._query_list(self.view, self.place.query(self.view, self.search_text), keep_id,
                         self._generation, self.articles.cursor if reload else None,
                         self.articles.total)

    @work(thread=True, group="list", exclusive=True, exit_on_error=False)
    def _query_list(self, view: str, q: ArticleQuery, keep_id: int | None, generation: int,
                    old_index: int | None, old_total: int) -> None:
        """The first page at once, then the count; a reload places the kept row by count."""
        lib = self.library
        first = lib.articles(replace(q, limit=FIRST_PAGE))
        if len(first) < FIRST_PAGE:
            self.post_message(ListLoaded(view, first, keep_id, len(first), generation))
        elif old_index is None:
            self.post_message(ListLoaded(view, first, keep_id, None, generation))
            self.post_message(ListCounted(view, lib.count(q), generation))
        else:
            total = lib.count(q)
            keep_index = old_index + max(0, total - old_total)
            self.post_message(ListLoaded(view, first, keep_id, total, generation, keep_index))
        self._remember_view(view)

    @work(thread=True, group="list-count", exclusive=True, exit_on_error=False)
    def _count_list(self, view: str, q: ArticleQuery, generation: int) -> None:
        self.post_message(ListCounted(view, self.library.count(q), generation))

    def on_page_wanted(self, message: PageWanted) -> None:
        self._load_page(self.view, self.place.query(self.view, self.search_text), message.page,
                        self._generation)

    @work(thread=True, group="list-pages", exit_on_error=False)
    def _load_page(self, view: str, q: ArticleQuery, page: int, generation: int) -> None:
        rows = self.library.articles(replace(q, limit=FIRST_PAGE, offset=page * FIRST_PAGE))
        self.post_message(PageLoaded(view, page, rows, generation))

    def on_page_loaded(self, message: PageLoaded) -> None:
        if message.generation == self._generation and message.view == self.view:
            self.articles.set_page(message.page, message.rows)

    def on_list_counted(self, message: ListCounted) -> None:
        if message.generation == self._generation and message.view == self.view:
            self.articles.set_total(message.total)
            self._complete_generation = message.generation
            self._update_list_title()

    def _remember_view(self, view: str) -> None:
        if view != "search":
            self.library.set_pref("section", view)

    def on_list_loaded(self, message: ListLoaded) -> None:
        if message.generation != self._generation or message.view != self.view:
            return
        self.articles.set_rows(message.rows, total=message.total, keep_id=message.keep_id,
                               keep_index=message.keep_index)
        if message.total is not None:
            self._complete_generation = message.generation
        self._update_list_title()
        if self.article_id is None and self._welcome() != self._shown_welcome:
            self.call_later(self._show_welcome)

    @work(thread=True, group="counts", exclusive=True, exit_on_error=False)
    def _load_counts(self) -> None:
        self._post_counts()

    def _post_counts(self) -> None:
        lib = self.library
        unread = lib.unread_counts()
        starred = lib.count(ArticleQuery(starred=True))
        self.post_message(CountsLoaded(unread, starred, 0))

    def on_counts_loaded(self, message: CountsLoaded) -> None:
        self.unread = message.unread
        self.starred_count = message.starred
        self._rebuild_sections()

    @work(thread=True, group="formats", exit_on_error=False)
    def _warm_up_formats(self) -> None:
        if timefmt.warm_up():
            self.app.call_from_thread(self._formats_ready)

    def _formats_ready(self) -> None:
        self._update_status()
        self.articles.refresh()  # drops the drawn-line cache too

    @work(thread=True, group="history", exit_on_error=False)
    def _load_history(self) -> None:
        ids = self.library.history()
        self.app.call_from_thread(self._set_history, ids)

    def _set_history(self, ids: list[int]) -> None:
        if not self.history:
            self.history = ids
            self.history_pos = len(ids) - 1

    @work(thread=True, group="prefs", exit_on_error=False)
    def _save_prefs(self, **prefs: Any) -> None:
        for name, value in prefs.items():
            self.library.set_pref(name, value)

    # --- opening articles ----------------------------------------------------------------

    def open_article(self, article_id: int, *, push: bool = True, focus: bool = True,
                     select: bool = True) -> None:
        if select:
            self.articles.select_id(article_id)
        if push and (not self.history or self.history[self.history_pos] != article_id):
            del self.history[self.history_pos + 1:]
            self.history.append(article_id)
            self.history_pos = len(self.history) - 1
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        self.article_id = article_id
        self._load_article(article_id, push=push)
        if focus:
            self._focus(self.pane)

    def _section_title(self, article: Article) -> str:
        return self.place.section_titles().get(
            (article.outlet, article.edition, article.section), "")

    @work(thread=True, group="article", exclusive=True, exit_on_error=False)
    def _load_article(self, article_id: int, *, push: bool = True,
                      keep_scroll: bool = False) -> None:
        lib = self.library
        article = lib.article(article_id)
        if article is None:
            return
        markdown = self._markdown(article)
        self.post_message(ArticleLoaded(article, markdown, keep_scroll))
        if push:
            lib.push_history(article_id)
        lib.set_pref("article", article_id)
        try:
            from termnews.related import related_articles
        except ImportError:
            return
        items = related_articles(lib, article_id)
        self.post_message(RelatedLoaded(article_id, items))

    def _markdown(self, article: Article) -> str:
        from termnews.article_view import article_markdown

        return article_markdown(article, section_title=self._section_title(article) or None)

    async def on_article_loaded(self, message: ArticleLoaded) -> None:
        article = message.article
        if article.id != self.article_id:
            return
        first_show = self.article is None or self.article.id != article.id
        self.article = article
        await self.pane.show(article.id, message.markdown, keep_scroll=message.full)
        if first_show and not article.read:
            delay = self.config.ui.mark_read_delay
            if delay == 0:
                self._set_read(article.id, True)
            elif delay > 0:
                self._read_timer = self.set_timer(delay, lambda: self._read_later(article.id))

    def _read_later(self, article_id: int) -> None:
        self._read_timer = None
        if self.article_id == article_id:
            self._set_read(article_id, True)

    def on_related_loaded(self, message: RelatedLoaded) -> None:
        if message.article_id != self.article_id or self.article is None:
            return
        self.pane.set_related(message.article_id, message.items,
                              self._section_title(self.article))
        if not self.offline:
            ahead = [i.id for i in message.items[:PREFETCH_RELATED]]
            i = self.articles.index_of(message.article_id)
            following = self.articles.row(i + 1) if i is not None else None
            if following is not None:
                ahead.insert(0, following.id)
            self._fetch_full_text(message.article_id, ahead)

    @work(thread=True, group="fulltext", exclusive=True, exit_on_error=False)
    def _fetch_full_text(self, article_id: int, prefetch: list[int]) -> None:
        try:
            from termnews import fulltext
        except ImportError:
            return
        lib = self.library
        article = lib.article(article_id)
        if article is None:
            return
        if not article.full_text:
            result = fulltext.fetch_article_text(lib, article_id)
            if inspect.isawaitable(result):
                import asyncio

                asyncio.run(result)  # type: ignore[arg-type]
            fresh = lib.article(article_id)
            if fresh is not None and (fresh.full_text or fresh.full_text_error):
                self.post_message(ArticleLoaded(fresh, self._markdown(fresh), True))
        prefetch_fn = getattr(fulltext, "prefetch", None)
        if prefetch_fn is not None and prefetch:
            result = prefetch_fn(lib, prefetch)
            if inspect.isawaitable(result):
                import asyncio

                asyncio.run(result)  # type: ignore[arg-type]

    # --- marks ---------------------------------------------------------------------------

    def _target_id(self) -> int | None:
        """The article a key acts on: the open one when reading, else the list's cursor."""
        focused = self.focused
        reading = focused is not None and (focused is self.pane or
                                           self.pane in focused.ancestors)
        if reading and self.article_id is not None:
            return self.article_id
        row = self.articles.current
        if row is not None:
            return row.id
        return self.article_id

    def _state_of(self, article_id: int) -> tuple[bool, bool]:
        i = self.articles.index_of(article_id)
        row = self.articles.row(i) if i is not None else None
        if row is not None:
            return row.read, row.starred
        if self.article is not None and self.article.id == article_id:
            return self.article.read, self.article.starred
        return False, False

    def _set_read(self, article_id: int, read: bool) -> None:
        self.articles.update_row(article_id, read=read)
        if self.article is not None and self.article.id == article_id:
            self.article = replace(self.article, read=read)
        self._save_marks([article_id], read=read)

    @work(thread=True, group="marks", exit_on_error=False)
    def _save_marks(self, ids: list[int], *, read: bool | None = None,
                    starred: bool | None = None) -> None:
        if read is not None:
            self.library.mark_read(ids, read)
        if starred is not None:
            self.library.star(ids, starred)
        self._post_counts()

    def action_toggle_read(self) -> None:
        target = self._target_id()
        if target is not None:
            read, _starred = self._state_of(target)
            self._set_read(target, not read)

    def action_star(self) -> None:
        target = self._target_id()
        if target is None:
            return
        _read, starred = self._state_of(target)
        self.articles.update_row(target, starred=not starred)
        if self.article is not None and self.article.id == target:
            self.article = replace(self.article, starred=not starred)
        self._save_marks([target], starred=not starred)

    def _acting_section(self) -> str:
        if self.focused is self.sections and self.sections.highlighted is not None:
            return self.sections.highlighted.key
        return self.view

    def action_mark_all(self) -> None:
        key = self._acting_section()
        if not key:
            return
        if key == self.view:
            self.articles.mark_all_read()
        self._mark_all(self.place.query(key, self.search_text))

    @work(thread=True, group="marks", exit_on_error=False)
    def _mark_all(self, q: ArticleQuery) -> None:
        n = self.library.mark_all(q, read=True)
        self._post_counts()
        self.app.call_from_thread(self.notify, _("{n} articles marked read").format(n=n),
                                  markup=False)

    # --- subscriptions -----------------------------------------------------------------

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

    # --- refresh -------------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self.offline:
            self.notify(_("Offline: nothing is fetched (started with --offline)."),
                        markup=False)
            return
        self.run_refresh()

    @work(group="refresh", exclusive=True, exit_on_error=False)
    async def run_refresh(self, urls: list[str] | None = None) -> None:
        if self.offline:
            return
        self.refreshing = RefreshEvent(url="", done=0, total=0, new_articles=0)
        self._update_status()

        def progress(event: RefreshEvent) -> None:
            self.post_message(RefreshProgress(event))

        try:
            summary = await self.library.refresh(urls, progress=progress)
        except Exception as exc:  # a refresh failure must never end the reading
            self.post_message(RefreshDone(None, str(exc) or type(exc).__name__, None))
            return
        self.post_message(RefreshDone(summary, None, datetime.now(UTC)))

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        self.refreshing = message.event
        self._update_status()

    def on_refresh_done(self, message: RefreshDone) -> None:
        self.refreshing = None
        summary = message.summary
        if summary is None:
            self.net_down = True
            self.notify(_("Error: {error}").format(error=message.error),
                        severity="error", markup=False)
        else:
            ok = summary.feeds_ok + summary.not_modified
            self.net_down = ok == 0 and summary.feeds_failed > 0
            if not self.net_down:
                self.last_refresh = message.when
            if summary.new_articles:
                self._reload()
            else:
                self._load_counts()
        self._update_status()

    # --- search ---------------------------------------------------------------------------

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

    # --- navigation ---------------------------------------------------------------------

    def on_article_chosen(self, message: ArticleChosen) -> None:
        self.open_article(message.article_id)

    def on_section_chosen(self, message: SectionChosen) -> None:
        self._choose_section(message.key)

    def _choose_section(self, key: str) -> None:
        if key != self.view:
            self.set_view(key)
        self._focus(self.articles)

    def on_section_highlighted(self, message: SectionHighlighted) -> None:
        self._follow_section(message.key)

    def _follow_section(self, key: str) -> None:
        if key != self.view:
            self.set_view(key)

    def on_edition_clicked(self, message: EditionClicked) -> None:
        self.switch_edition(message.lang)

    def _panes(self) -> list[Widget]:
        panes: list[Widget] = [self.sections, self.articles]
        if self.article_id is not None:
            panes.append(self.pane)
            if self.pane.related.lines:
                panes.append(self.pane.related)
        return panes

    def action_cycle_pane(self, step: int) -> None:
        panes = self._panes()
        focused = self.focused
        current = panes.index(focused) if focused in panes else 1
        self._focus(panes[(current + step) % len(panes)])

    # --- keys: all are priority bindings, passed on to the focused widget ------------------

    # While the search box has focus only these act; other keys are typed into it.
    # (Enter goes to the box too: it submits after the letters typed before it.)
    _SEARCH_BOX_ACTIONS = frozenset({"cycle_pane", "close_article"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if isinstance(self.focused, Input) and action not in self._SEARCH_BOX_ACTIONS:
            return False
        return True

    def _move(self, action: str) -> None:
        focused = self.focused
        if isinstance(focused, RowList):
            getattr(focused, f"action_{action}")()
        elif focused is self.pane:
            pane = self.pane
            {"cursor_down": pane.scroll_down, "cursor_up": pane.scroll_up,
             "page_down": pane.scroll_page_down, "page_up": pane.scroll_page_up,
             "first": pane.scroll_home, "last": pane.scroll_end}[action](animate=False)

    def action_cursor_down(self) -> None:
        self._move("cursor_down")

    def action_cursor_up(self) -> None:
        self._move("cursor_up")

    def action_page_down(self) -> None:
        self._move("page_down")

    def action_page_up(self) -> None:
        self._move("page_up")

    def action_first(self) -> None:
        self._move("first")

    def action_last(self) -> None:
        self._move("last")

    def action_open_focused(self) -> None:
        """Enter: open what the focused list points at, at once (not by message), so the
        keys typed after it already go to the pane it focuses."""
        focused = self.focused
        if focused is self.sections:
            entry = self.sections.highlighted
            if entry is not None and not entry.header:
                self._choose_section(entry.key)
        elif focused is self.articles:
            if self.articles.awaiting_rows:
                self.articles.action_select()  # held, replayed when the rows arrive
            elif self.articles.current is not None:
                self.open_article(self.articles.current.id)
        elif focused is self.pane.related:
            item = self.pane.related.current
            if item is not None:
                self.open_article(item.id)

    def action_close_article(self) -> None:
        if self.has_class("-searching"):
            self.remove_class("-searching")
        self._focus(self.articles)

    def action_page_article(self) -> None:
        if self.article_id is None:
            row = self.articles.current
            if row is not None:
                self.open_article(row.id, focus=False)
            return
        self.pane.page_down()

    def _open_at(self, index: int) -> None:
        row = self.articles.row(index) if 0 <= index < self.articles.row_count else None
        if row is not None:
            self.articles.move_to(index)
            self.open_article(row.id, focus=False)

    def action_next_article(self) -> None:
        self._open_at(self._anchor() + 1)

    def action_prev_article(self) -> None:
        self._open_at(self._anchor() - 1)

    def _anchor(self) -> int:
        if self.article_id is not None:
            i = self.articles.index_of(self.article_id)
            if i is not None:
                return i
        return self.articles.cursor

    def _unread(self, step: int) -> None:
        articles = self.articles
        i = self._anchor() + step
        while 0 <= i < articles.row_count:
            row = articles.row(i)
            if row is None:  # not loaded yet: ask for it, the reader presses again
                articles.want(i)
                self.notify(_("Loading more articles…"), markup=False)
                return
            if not row.read:
                self._open_at(i)
                return
            i += step
        self.notify(_("No more unread articles here."), markup=False)

    def action_next_unread(self) -> None:
        self._unread(1)

    def action_prev_unread(self) -> None:
        self._unread(-1)

    def action_back(self) -> None:
        if self.history_pos > 0:
            self.history_pos -= 1
            self.open_article(self.history[self.history_pos], push=False)
        elif self.history and self.article_id is None:
            self.open_article(self.history[self.history_pos], push=False)

    def action_forward(self) -> None:
        if self.history_pos + 1 < len(self.history):
            self.history_pos += 1
            self.open_article(self.history[self.history_pos], push=False)

    def action_open_browser(self) -> None:
        target = self._target_id()
        if target is None:
            return
        if self.article is not None and self.article.id == target:
            self._open_url(self.article.url)
        else:
            self._open_row_url(target)

    @work(thread=True, group="browser-lookup", exclusive=True, exit_on_error=False)
    def _open_row_url(self, article_id: int) -> None:
        article = self.library.article(article_id)
        if article is not None:
            self.app.call_from_thread(self._open_url, article.url)

    def _open_url(self, url: str, base: str | None = None) -> None:
        from termnews.ui.browser import open_url

        open_url(self.app, url, self.config.ui.browser, base=base)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        event.prevent_default()
        base = self.article.url if self.article is not None else None
        self._open_url(event.href, base)

    # --- editions --------------------------------------------------------------------------

    def switch_edition(self, lang: str, open_id: int | None = None) -> None:
        if lang == self.place.edition and open_id is None:
            return
        new_view = self.place.map_view(self.view, lang)
        self._switch_place(self.place.outlet, lang)
        self.set_view(new_view)
        if open_id is not None:
            self.open_article(open_id, focus=self.pane.has_focus_within)

    def action_toggle_edition(self) -> None:
        lang = self.place.next_edition()
        if lang is None:
            self.notify(_("This outlet has one edition only."), markup=False)
            return
        if self.article_id is not None:
            self._find_counterpart(self.article_id, lang)
        else:
            self.switch_edition(lang)

    @work(thread=True, group="counterpart", exclusive=True, exit_on_error=False)
    def _find_counterpart(self, article_id: int, lang: str) -> None:
        found: int | None = None
        try:
            from termnews.related import counterpart

            found = counterpart(self.library, article_id, lang)
        except ImportError:
            pass
        self.app.call_from_thread(self._counterpart_found, lang, found)

    async def _counterpart_found(self, lang: str, found: int | None) -> None:
        if found is None:
            self.article_id = None
            self.article = None
            await self._show_welcome()
            self.switch_edition(lang)
            if self.pane.has_focus_within:
                self._focus(self.articles)
        else:
            self.switch_edition(lang, open_id=found)

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
                    self._find_counterpart(self.article_id, lang)
                else:
                    self.switch_edition(lang)

        self.app.push_screen(EditionPicker(outlet, self.place.edition), done)

    # --- for the command palette ------------------------------------------------------------

    def action_open_section(self, key: str) -> None:
        self.set_view(str(key))
        self._focus(self.articles)

    def action_open_article(self, article_id: int) -> None:
        self.open_article(int(article_id))

    def action_help(self) -> None:
        try:
            from termnews.ui.screens.help import HelpScreen
        except ImportError:
            return
        self.app.push_screen(HelpScreen(self.help_rows()))

    def help_rows(self) -> list[tuple[str, str]]:
        keymap: dict[str, str] = getattr(self.app, "user_keymap", {})
        rows = []
        for binding in all_bindings():
            keys = keymap.get(binding.id or "", binding.key)
            shown = []
            for key in keys.split(","):
                key = key.strip()
                display = binding.key_display if key == binding.key and binding.key_display \
                    else None
                shown.append(self.app.get_key_display(binding.with_key(key, display)))
            rows.append((", ".join(shown), _(binding.description)))
        return rows

    # --- workers -----------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(_("Error: {error}").format(error=error), severity="error",
                        markup=False)

