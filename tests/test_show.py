"""``termnews show`` and the article document (article_view)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from termnews.article_view import MAX_BODY, article_markdown, article_text, escape_markdown
from termnews.cli import main
from termnews.library import Library
from termnews.model import Alternate, Article, FeedSource, ParsedEntry, ParsedFeed, RelatedItem
from termnews.paths import Paths
from termnews.store import cache
from termnews.store.db import transaction

FEED = "http://127.0.0.1:9/world.xml"
WHEN = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


def article(**kw: object) -> Article:
    base: dict[str, object] = dict(
        id=1, key="k", feed_url=FEED, guid="g", url="https://news.test/a", title="Title",
        outlet="meridian", edition="en", section="world",
    )
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def seed(lib: Library) -> dict[str, int]:
    lib.add_feeds([FEED])
    with transaction(lib.conn):
        cache.ensure_feed(lib.conn, FeedSource(url=FEED, outlet="meridian", edition="en",
                                               section="world"))
        cache.store_entries(lib.conn, FEED, ParsedFeed(title="World", language="en", entries=(
            ParsedEntry(guid="one", url="https://news.test/one", title="Bridge reopens to cyclists",
                        author="Ann Writer", editor="Ed Itor", published=WHEN,
                        summary="The bridge reopened.",
                        content_html="<p>The old bridge reopened to cyclists.</p>"
                                     "<h2>Traffic</h2><p>Cars stay out.</p>",
                        categories=("Europe", "Transport"), image_url="https://news.test/i.jpg",
                        image_caption="The bridge at dusk", image_credit="Photo: Lens Co",
                        alternates=(Alternate("ru", "https://news.test/ru/one"),)),
            ParsedEntry(guid="two", url="https://news.test/two", title="Cyclists cheer bridge",
                        published=WHEN, summary="Cyclists crossed the bridge in a parade."),
        )))
    return dict(lib.conn.execute("SELECT guid, id FROM articles").fetchall())


def run(paths: Paths, *args: str) -> list[str]:
    return ["--data-dir", str(paths.data_dir), "--profile", "tester", *args]


def test_show_json_fields(library: Library, paths: Paths,
                          capsys: pytest.CaptureFixture[str]) -> None:
    ids = seed(library)
    library.star([ids["one"]])
    library.close()
    assert main(run(paths, "--offline", "show", str(ids["one"]), "--json")) == 0
    shown = json.loads(capsys.readouterr().out)
    expected = {"id": ids["one"], "outlet": "meridian", "edition": "en", "section": "world",
                "feed_url": FEED, "guid": "one", "url": "https://news.test/one",
                "title": "Bridge reopens to cyclists", "author": "Ann Writer",
                "published": "2026-11-21T09:30:00Z", "summary": "The bridge reopened.",
                "categories": ["Europe", "Transport"], "read": False, "starred": True,
                "full_text": False}
    assert {k: shown[k] for k in expected} == expected
    assert shown["body"].startswith("The old bridge reopened to cyclists.")
    assert "## Traffic" in shown["body"]
    assert shown["translations"] == [{"lang": "ru", "id": None,
                                      "url": "https://news.test/ru/one", "title": ""}]
    assert {"id": ids["two"], "title": "Cyclists cheer bridge", "reason": "related"}.items() \
        <= shown["related"][0].items()
    assert all(set(r) >= {"id", "title", "reason"} for r in shown["related"])


def test_show_text_and_errors(library: Library, paths: Paths,
                              capsys: pytest.CaptureFixture[str]) -> None:
    ids = seed(library)
    library.close()
    assert main(run(paths, "show", str(ids["one"]))) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "World » Europe"
    assert lines[2] == "Bridge reopens to cyclists"
    assert "Ann Writer · Ed Itor · " in out
    assert "[The bridge at dusk — Photo: Lens Co]" in out
    assert "Tags: Europe, Transport" in out and "Also in: ru" in out
    assert f"#{ids['two']}  Cyclists cheer bridge" in out
    assert main(run(paths, "show", "999")) == 1
    assert "no article with id 999" in capsys.readouterr().err
    assert main(run(paths, "show", "abc")) == 2


def test_markdown_escapes_feed_text() -> None:
    hostile = "# [click](javascript:alert(1)) *x* <b>y</b> `z`"
    doc = article_markdown(article(title=hostile, image_caption="[a](http://e.test)",
                                   author="**Bold**", categories=("_tag_",),
                                   summary="1. not a list\n\n- nor this\n\n> nor a quote"),
                           related=[RelatedItem(2, "[r](javascript:x)", "related")])
    lines = doc.splitlines()
    title = next(line for line in lines if line.startswith("# "))
    assert title == "# " + escape_markdown(hostile)
    for raw in ("](", "<b>", "**Bold**", "_tag_", "\n1. not", "\n- nor", "\n> nor"):
        assert raw not in doc, raw
    assert "> \\[a\\]\\(http://e.test\\)" in doc  # the caption line is a quote, its text literal
    assert "### Related" in doc and "- \\[r\\]\\(javascript:x\\)" in doc


def test_markdown_layout_and_body_choice() -> None:
    a = article(title="Bridge", author="Ann", editor="Ed", published=WHEN,
                categories=("Europe",), image_caption="Dusk", image_credit="Lens",
                content_html="<p>Feed body.</p>", summary="Teaser")
    doc = article_markdown(a, section_title="World")
    assert doc.startswith("*World » Europe*\n\n# Bridge\n\nAnn · Ed · ")
    assert "> Dusk — Lens" in doc and "Feed body." in doc and "Teaser" not in doc
    full = article_markdown(article(full_text="## From the page\n\nWhole story.",
                                    content_html="<p>Feed body.</p>"))
    assert "Whole story." in full and "Feed body." not in full
    failed = article_markdown(article(summary="Teaser only", full_text_error="HTTP 404"))
    assert "Full text unavailable: HTTP 404" in failed and "Teaser only" in failed
    huge = article_markdown(article(full_text="word " * (MAX_BODY // 2)))
    assert len(huge) < MAX_BODY + 1000 and huge.rstrip().endswith("…")


def test_plain_text_keeps_feed_text_literal() -> None:
    text = article_text(article(title="A *star* [x]", summary="1. one"))
    assert "A *star* [x]" in text and "1. one" in text and "\\" not in text
