"""Full text: article pages from the loopback server, extracted, cached, readable offline."""

from __future__ import annotations

import json
from email.utils import format_datetime
from xml.sax.saxutils import escape

import pytest

from feedserver import FeedServer
from image_support import png as make_png
from termnews.cli import main
from termnews.config import Config, RefreshConfig
from termnews.fulltext import (
    ExtractError,
    extract_page,
    fetch_article_text,
    fetch_missing_full_texts,
    prefetch,
)
from termnews.library import Library
from termnews.paths import Paths

HTML = "text/html; charset=utf-8"

# Original test stories: (slug, title, teaser, paragraphs); each page's full text holds a
# sentence the feed never carries, so the test can tell full text from feed text.
STORIES = [
    ("ferry", "Island ferry returns after winter refit",
     "The ferry is back on the island route.",
     ["The island ferry sailed again on Monday after four months in dry dock, with a new "
      "propeller and a repainted hull that the crew chose by vote.",
      "Only in the full text: the captain rang the old brass bell twice for luck."]),
    ("choir", "Miners' choir sings in the flooded gallery",
     "A choir performed underground.",
     ["The former miners' choir gave a concert in the lower gallery of the closed mine, "
      "where rainwater has formed a still lake that doubles the sound of every voice.",
      "Only in the full text: the conductor kept time with a miner's lamp."]),
    ("kiln", "Village restores its communal bread kiln",
     "Bread is baked in the square again.",
     ["Residents rebuilt the brick kiln in the village square with clay from the river "
      "bank, and the first loaves came out on Sunday morning for everyone who helped.",
      "Only in the full text: the oldest baker tested the heat with a handful of flour."]),
]


def page(slug: str, title: str, paragraphs: list[str], *, lang: str = "en",
         alternates: dict[str, str] | None = None, image: str = "") -> bytes:
    links = "".join(f'<link rel="alternate" hreflang="{code}" href="{href}">'
                    for code, href in (alternates or {}).items())
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    figure = ""
    if image:
        figure = (f'<figure><img src="{image}" alt="photo"><figcaption>A view of the {slug}. '
                  f'<span class="credit">Photo: Test Bureau</span></figcaption></figure>')
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | Test Gazette</title>"
        f'<meta name="author" content="Page Author">'
        f'<meta property="article:published_time" content="2026-11-20T10:00:00Z">'
        f'{f"<meta property=og:image content={image}>" if image else ""}{links}'
        f"<script>document.write('tracking')</script></head><body>"
        f'<nav><a href="/">Home</a> · <a href="/world">World</a></nav>'
        f"<article><h1>{escape(title)}</h1>{figure}{body}"
        f"<h2>What comes next</h2><ul><li>Plans for spring</li><li>A public meeting</li></ul>"
        f"<blockquote>We are proud of it, said a neighbour who came to watch.</blockquote>"
        f"<p>The story of the {slug} and the people around it is kept in the "
        f'<a href="/archive/{slug}">archive</a> of the local history society, whose members '
        f'<a href="javascript:evil()">collect</a> letters, photographs and old timetables.</p>'
        f"</article><footer>© Test Gazette</footer></body></html>"
    ).encode()


def rss(items: list[tuple[str, str, str]], lang: str = "en") -> bytes:
    from datetime import UTC, datetime, timedelta

    base = datetime(2026, 11, 20, 12, tzinfo=UTC)
    out = [f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
           f"<title>Gazette {lang}</title><link>http://127.0.0.1/</link>"
           f"<description>d</description><language>{lang}</language>"]
    for n, (link, title, teaser) in enumerate(items):
        when = format_datetime(base - timedelta(hours=n))
        out.append(f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
                   f"<guid>{escape(link)}</guid><pubDate>{when}</pubDate>"
                   f"<description>{escape(teaser)}</description></item>")
    out.append("</channel></rss>")
    return "".join(out).encode()


def serve_site(server: FeedServer) -> tuple[str, str]:
    """English feed of three stories (ferry with a Russian counterpart), Russian feed of one."""
    en_items = []
    for slug, title, teaser, paragraphs in STORIES:
        alts = {"ru": server.url(f"/ru/{slug}")} if slug == "ferry" else None
        url = server.add(f"/en/{slug}", page(slug, title, paragraphs, alternates=alts,
                                             image="/img/ferry.jpg" if slug == "ferry" else ""),
                         HTML)
        en_items.append((url, title, teaser))
    # The Russian page names the English one back.
    ru_url = server.add("/ru/ferry", page(
        "ferry", "Паром вернулся после зимнего ремонта",
        ["Паром снова ходит к острову после четырёх месяцев в доке, с новым винтом и "
         "свежей краской на корпусе, цвет которой выбрала команда.",
         "Только в полном тексте: капитан дважды ударил в старый колокол."],
        lang="ru", alternates={"en": server.url("/en/ferry")}), HTML)
    en_feed = server.add("/en.xml", rss(en_items))
    ru_feed = server.add("/ru.xml", rss([(ru_url, "Паром вернулся", "Паром снова ходит.")], "ru"))
    return en_feed, ru_feed


def cli(paths: Paths, *args: str) -> list[str]:
    return ["--data-dir", str(paths.data_dir), "--profile", "tester", *args]


def test_refresh_full_text_then_offline_show(feed_server: FeedServer, paths: Paths,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    en_feed, ru_feed = serve_site(feed_server)
    assert main(cli(paths, "feeds", "add", "--no-check", en_feed, ru_feed)) == 0
    assert main(cli(paths, "refresh", "--full-text")) == 0
    capsys.readouterr()
    feed_server.stop()  # from here on, only the cache

    assert main(cli(paths, "--offline", "articles", "--json")) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(listed) == 4
    by_url = {}
    for item in listed:
        assert main(cli(paths, "--offline", "show", str(item["id"]), "--json")) == 0
        shown = json.loads(capsys.readouterr().out)
        assert shown["full_text"] is True, shown
        assert "full text" in shown["body"].casefold() or "полном тексте" in shown["body"]
        for key in ("id", "outlet", "edition", "section", "feed_url", "guid", "url", "title",
                    "author", "published", "summary", "categories", "read", "starred",
                    "related", "translations"):
            assert key in shown
        by_url[shown["url"]] = shown
    ferry = next(v for k, v in by_url.items() if k.endswith("/en/ferry"))
    ru = next(v for k, v in by_url.items() if k.endswith("/ru/ferry"))
    # Structure kept, the page's chrome and unsafe links dropped.
    body = ferry["body"]
    assert "## What comes next" in body and "- Plans for spring" in body
    assert "> We are proud of it" in body
    assert "[archive](http://127.0.0.1:" in body and "javascript" not in body
    assert "tracking" not in body and "Home" not in body
    assert not body.startswith("Island ferry")  # the headline is not repeated in the body
    # Metadata from the page; the hreflang counterpart, both ways.
    assert ferry["author"] == "Page Author"
    assert ferry["image_caption"] == "A view of the ferry."
    assert ferry["image_credit"] == "Photo: Test Bureau"
    assert ferry["image_url"].endswith("/img/ferry.jpg")
    assert {"lang": "ru", "id": ru["id"]}.items() <= ferry["translations"][0].items()
    assert any(t["lang"] == "en" and t["id"] == ferry["id"] for t in ru["translations"])
    assert any(r["id"] == ru["id"] and r["reason"] == "same story" for r in ferry["related"])
    # Plain text show works offline too and prints the full text.
    assert main(cli(paths, "--offline", "show", str(ferry["id"]))) == 0
    text = capsys.readouterr().out
    assert "Island ferry returns after winter refit" in text
    assert "brass bell" in text and "A view of the ferry. — Photo: Test Bureau" in text


async def test_failed_page_keeps_feed_text(feed_server: FeedServer, library: Library) -> None:
    feed_server.status("/gone", 404)
    feed_server.add("/pdf", b"%PDF-1.4 not a page", "application/pdf")
    feed_server.add("/empty", b"<html><body><nav>menu</nav></body></html>", HTML)
    feed = feed_server.add("/f.xml", rss([
        (feed_server.url("/gone"), "Gone page", "Teaser of the gone page."),
        (feed_server.url("/pdf"), "A PDF", "Teaser of the PDF."),
        (feed_server.url("/empty"), "Empty page", "Teaser of the empty page."),
    ]))
    library.add_feeds([feed])
    await library.refresh()
    errors = {}
    for row in library.articles():
        article = await fetch_article_text(library, row.id)
        assert article.full_text == ""
        assert article.summary.startswith("Teaser")
        errors[article.title] = article.full_text_error
    assert errors["Gone page"] == "HTTP 404"
    assert errors["A PDF"] == "not an HTML page (application/pdf)"
    assert errors["Empty page"] == "no article text found on the page"


async def test_failure_never_erases_earlier_full_text(feed_server: FeedServer,
                                                      library: Library) -> None:
    slug, title, teaser, paragraphs = STORIES[1]
    url = feed_server.add("/choir", page(slug, title, paragraphs), HTML)
    feed = feed_server.add("/f.xml", rss([(url, title, teaser)]))
    library.add_feeds([feed])
    await library.refresh()
    aid = library.articles()[0].id
    first = await fetch_article_text(library, aid)
    assert "miner's lamp" in first.full_text
    feed_server.status("/choir", 500)
    second = await fetch_article_text(library, aid)
    assert "miner's lamp" in second.full_text  # kept
    assert second.full_text_error == "HTTP 500"


async def test_a_failed_page_is_not_asked_again_on_every_open(feed_server: FeedServer,
                                                             library: Library) -> None:
    slug, title, teaser, paragraphs = STORIES[1]
    url = feed_server.status("/broken", 503)
    feed = feed_server.add("/f.xml", rss([(url, title, teaser)]))
    library.add_feeds([feed])
    await library.refresh()
    aid = library.articles()[0].id
    first = await fetch_article_text(library, aid, retry_failed_after=900)
    assert first.full_text_error == "HTTP 503" and first.summary == teaser
    feed_server.add("/broken", page(slug, title, paragraphs), HTML)  # the site is back
    again = await fetch_article_text(library, aid, retry_failed_after=900)
    assert again.full_text == "" and feed_server.count(path="/broken") == 1  # not asked
    later = await fetch_article_text(library, aid)  # no window: asked, and now it works
    assert "miner's lamp" in later.full_text and later.full_text_error is None
    assert feed_server.count(path="/broken") == 2


async def test_offline_library_never_fetches(feed_server: FeedServer, paths: Paths) -> None:
    slug, title, teaser, paragraphs = STORIES[2]
    url = feed_server.add("/kiln", page(slug, title, paragraphs), HTML)
    feed = feed_server.add("/f.xml", rss([(url, title, teaser)]))
    online = Library(paths, Config(), "tester")
    online.start(starter=False)
    online.add_feeds([feed])
    await online.refresh()
    aid = online.articles()[0].id
    online.close()
    feed_server.clear_log()
    offline = Library(paths, Config(), "tester", offline=True)
    article = await fetch_article_text(offline, aid)
    assert article.full_text == "" and article.full_text_error is None
    assert await prefetch(offline, [aid]) == 0
    assert feed_server.requests == []
    offline.close()


async def test_ahead_of_time_is_bounded_and_polite(feed_server: FeedServer,
                                                   paths: Paths) -> None:
    items = []
    for n in range(12):
        slug, title, teaser, paragraphs = STORIES[n % 3]
        url = feed_server.add(f"/p/{n}", page(slug, f"{title} {n}", paragraphs), HTML)
        feed_server.slow(f"/p/{n}", 0.15)  # so that fetches overlap
        items.append((url, f"{title} {n}", teaser))
    feed = feed_server.add("/many.xml", rss(items))
    config = Config(refresh=RefreshConfig(per_host=2, concurrency=8))
    lib = Library(paths, config, "tester")
    lib.start(starter=False)
    lib.add_feeds([feed])
    await lib.refresh()
    feed_server.clear_log()
    stored = await fetch_missing_full_texts(paths, config, [feed], limit=5)
    assert stored == 5
    assert feed_server.count(200) == 5
    assert feed_server.max_in_flight <= 2
    # The newest five got theirs; the next call takes the next ones, never the same again.
    newest = [r.id for r in lib.articles()][:5]
    assert all(lib.article(i).full_text for i in newest)  # type: ignore[union-attr]
    assert await fetch_missing_full_texts(paths, config, [feed], limit=100) == 7
    assert await fetch_missing_full_texts(paths, config, [feed], limit=100) == 0
    # prefetch skips articles that have their full text.
    feed_server.clear_log()
    assert await prefetch(lib, newest) == 0
    assert feed_server.requests == []
    lib.close()


def test_extract_page_metadata_and_hreflang() -> None:
    url = "https://gazette.test/en/ferry"
    html = page("ferry", "Island ferry returns", STORIES[0][3], image="/img/f.jpg",
                alternates={"ru": "/ru/ferry", "de": "https://gazette.test/de/ferry",
                            "x-default": "/ferry", "en": url, "fr": "javascript:evil()"})
    got = extract_page(html, HTML, url, "Island ferry returns")
    assert [(a.lang, a.url) for a in got.alternates] == [
        ("ru", "https://gazette.test/ru/ferry"), ("de", "https://gazette.test/de/ferry")]
    assert got.author == "Page Author"
    assert got.published is not None and got.published.isoformat() == "2026-11-20T10:00:00+00:00"
    assert got.image_url == "https://gazette.test/img/f.jpg"
    assert (got.image_caption, got.image_credit) == ("A view of the ferry.", "Photo: Test Bureau")
    assert "brass bell" in got.markdown


def test_extract_page_refuses_non_html_and_decodes_charsets() -> None:
    with pytest.raises(ExtractError, match="not an HTML page"):
        extract_page(b"{}", "application/json", "https://gazette.test/x")
    cp1251 = page("kiln", "Печь", ["Жители восстановили кирпичную печь на площади деревни, "
                                   "и первые караваи вышли в воскресенье утром для всех."] * 2,
                  lang="ru").replace(b'charset="utf-8"', b"").replace(b"charset=utf-8", b"")
    body = cp1251.decode().encode("cp1251")
    got = extract_page(body, "text/html; charset=windows-1251", "https://gazette.test/ru/kiln")
    assert "кирпичную печь" in got.markdown


def test_extract_page_repairs_double_encoded_utf8() -> None:
    # A page whose UTF-8 text went through Latin-1 once too often ("Ð\x9d" is "Н").
    text = ("Жители восстановили кирпичную печь на площади деревни, и первые караваи "
            "вышли в воскресенье утром. Die Kölner Bäcker schauten zu.")
    body = page("kiln", "Печь", [text] * 2, lang="ru").decode("utf-8")
    mojibake = body.encode("utf-8").decode("latin-1").encode("utf-8")
    got = extract_page(mojibake, HTML, "https://gazette.test/ru/kiln")
    assert "кирпичную печь" in got.markdown and "Kölner Bäcker" in got.markdown
    assert "Ð" not in got.markdown and "Ã" not in got.markdown


async def test_cached_image(feed_server: FeedServer, paths: Paths) -> None:
    from termnews.images import cached_image, image_path, prune_images

    png = make_png()
    good = feed_server.add("/img/a.png", png, "image/png")
    liar = feed_server.add("/img/b.png", b"<html>not an image</html>", "image/png")
    mismatch = feed_server.add("/img/c.jpg", png, "image/jpeg")
    huge = feed_server.add("/img/d.png", png + b"\x00" * (6 * 1024 * 1024), "image/png")
    config = Config()
    got = await cached_image(paths, config, good)
    assert got is not None and got.read_bytes() == png and got.parent == paths.images_dir
    for bad in (liar, mismatch, huge, "file:///etc/passwd", "javascript:alert(1)"):
        assert await cached_image(paths, config, bad) is None, bad
    feed_server.clear_log()
    assert await cached_image(paths, config, good, offline=True) == got
    assert await cached_image(paths, config, good) == got  # from disk, no request
    assert feed_server.requests == []
    assert await cached_image(paths, config, liar, offline=True) is None
    assert prune_images(paths, 30) == 0
    import time

    assert prune_images(paths, 30, now=time.time() + 31 * 86400) == 1
    assert image_path(paths, good) is None


async def test_prefetch_fetches_what_is_missing_once(feed_server: FeedServer,
                                                     library: Library) -> None:
    items = []
    for n, (slug, title, teaser, paragraphs) in enumerate(STORIES):
        items.append((feed_server.add(f"/pre/{n}", page(slug, title, paragraphs), HTML),
                      title, teaser))
    feed_server.status("/pre/broken", 503)
    items.append((feed_server.url("/pre/broken"), "Broken", "Teaser"))
    feed = feed_server.add("/pre.xml", rss(items))
    library.add_feeds([feed])
    await library.refresh()
    ids = [r.id for r in library.articles()]
    feed_server.clear_log()
    assert await prefetch(library, ids) == 3
    assert feed_server.count() == 4
    # Done ones are skipped, and a page that just failed is not tried again at once.
    assert await prefetch(library, ids) == 0
    assert feed_server.count() == 4


async def test_reserved_hosts_are_never_asked(library: Library, paths: Paths) -> None:
    """The demo's pages live on meridian.example: no DNS error is stored for them."""
    from termnews.model import FeedSource, ParsedEntry, ParsedFeed
    from termnews.store import cache
    from termnews.store.db import transaction

    url = "http://127.0.0.1:9/reserved.xml"
    library.add_feeds([url])
    with transaction(library.conn):
        cache.ensure_feed(library.conn, FeedSource(url=url, outlet="x", edition="en",
                                                   section="world"))
        cache.store_entries(library.conn, url, ParsedFeed(title="t", language="en", entries=(
            ParsedEntry(guid="r", url="https://meridian.example/en/world/r", title="R",
                        summary="Teaser"),)))
    aid = library.articles()[0].id
    article = await fetch_article_text(library, aid)
    assert article.full_text == "" and article.full_text_error is None
    assert await fetch_missing_full_texts(paths, Config(), [url], limit=10) == 0
    assert await prefetch(library, [aid]) == 0
    assert library.article(aid).full_text_error is None  # type: ignore[union-attr]
