"""Property-based tests (hypothesis): random bytes and random feed-shaped XML through ingest.

Whatever goes in, ``parse_feed`` either returns a clean ``ParsedFeed`` or raises
``NotAFeed``; the cleaner and the URL gate hold their promises for any input.
"""

from __future__ import annotations

import re
from urllib.parse import unquote
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hostile_support import forbidden_chars, html_problems
from termnews.feeds.clean import clean_line, clean_text, safe_http_url, sanitize_html
from termnews.feeds.parse import NotAFeed, parse_feed
from termnews.model import ParsedFeed

FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces hostile text is made of: escapes, C0/C1 controls, invisible and bidi characters,
# markup of every kind, entities, and ordinary words in several scripts.
HOSTILE_PIECES = [
    "\x1b[31m", "\x1b[0m", "\x1b[2J", "\x1b]52;c;cm0gLXJm\x07", "\x1b]8;;https://x.example\x1b\\",
    "\x1b]0;title\x07", "\x1b]2;t\x1b\\", "\x1bP+q\x1b\\", "\x9b31m", "\x9d0;x\x9c", "\x85",
    "\x00", "\x07", "\x08", "\x7f", "\r\n", "\u200b", "\u200d", "\u2060", "\ufeff", "\u202e",
    "\u202d", "\u2066", "\u2069", "\u200f", "\u061c",
    "[@click=app.quit]", "[/]", "[b]", "[/b]", "[link=file:///etc/passwd]", "$title", "${x}",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href='javascript:x'>",
    "&amp;", "&lt;", "&#27;", "&#x9b;", "&nbsp;", "&bogus;", "]]>", "<![CDATA[",
    "Погода", "été", "中文", "عربى", "👍", "news", " ", "\n", "\t",
]
hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=8)), max_size=12
).map("".join)

hostile_url = st.one_of(
    st.sampled_from([
        "https://ok.example/a", "http://ok.example/b?c=1", "javascript:alert(1)",
        "data:text/html,x", "file:///etc/passwd", "vbscript:x", "-oProxyCommand=x",
        " https://ok.example/space", "https://ok.example/\x1b[31m", "ftp://x.example/",
        "/relative/path", "//proto.example/rel", "https://user:pw@x.example/",
    ]),
    hostile_text,
)


def _xml_text(text: str, raw: bool) -> str:
    """Escaped (well-formed) most of the time, raw (ill-formed) sometimes."""
    return text if raw else escape(text)


@st.composite
def rss_documents(draw: st.DrawFn) -> bytes:
    raw = draw(st.booleans())
    items = []
    for _ in range(draw(st.integers(0, 4))):
        parts = [f"<title>{_xml_text(draw(hostile_text), raw)}</title>",
                 f"<link>{_xml_text(draw(hostile_url), raw)}</link>"]
        if draw(st.booleans()):
            parts.append(f"<guid>{_xml_text(draw(hostile_text), raw)}</guid>")
        if draw(st.booleans()):
            parts.append(f"<description>{escape(draw(hostile_text))}</description>")
        if draw(st.booleans()):
            parts.append(f"<author>{_xml_text(draw(hostile_text), raw)}</author>")
        for _ in range(draw(st.integers(0, 2))):
            parts.append(f"<category>{_xml_text(draw(hostile_text), raw)}</category>")
        if draw(st.booleans()):
            parts.append(f'<enclosure url="{escape(draw(hostile_url), {chr(34): "&quot;"})}" '
                         'type="image/jpeg"/>')
        if draw(st.booleans()):
            parts.append(f"<pubDate>{_xml_text(draw(hostile_text), raw)}</pubDate>")
        items.append("<item>" + "".join(parts) + "</item>")
    doc = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
           f"<title>{_xml_text(draw(hostile_text), raw)}</title>"
           f"<link>{_xml_text(draw(hostile_url), raw)}</link>" + "".join(items)
           + "</channel></rss>")
    return doc.encode("utf-8", "surrogatepass")


@st.composite
def atom_documents(draw: st.DrawFn) -> bytes:
    entries = []
    for n in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "html", "xhtml"]))
        body = draw(hostile_text)
        content = (f'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
                   f"{escape(body)}</div></content>" if kind == "xhtml"
                   else f'<content type="{kind}">{escape(body)}</content>')
        href = escape(draw(hostile_url), {'"': "&quot;"})
        entries.append(
            f"<entry><id>urn:fuzz:{n}:{escape(draw(hostile_text))}</id>"
            f'<title type="{draw(st.sampled_from(["text", "html"]))}">'
            f"{escape(draw(hostile_text))}</title>"
            f'<link rel="alternate" href="{href}"/>'
            f'<link rel="alternate" hreflang="{escape(draw(hostile_text), {chr(34): "&quot;"})}" '
            f'href="{escape(draw(hostile_url), {chr(34): "&quot;"})}"/>'
            f"<author><name>{escape(draw(hostile_text))}</name></author>"
            f'<category term="{escape(draw(hostile_text), {chr(34): "&quot;"})}"/>'
            f"<updated>2026-11-20T12:00:00Z</updated>{content}</entry>"
        )
    lang = escape(draw(hostile_text), {'"': "&quot;"})
    doc = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
           f'xml:lang="{lang}"><title>{escape(draw(hostile_text))}</title><id>urn:fuzz</id>'
           + "".join(entries) + "</feed>")
    return doc.encode("utf-8", "surrogatepass")


def assert_clean(feed: ParsedFeed) -> None:
    assert not forbidden_chars(feed.title)
    assert feed.language == "" or (feed.language.isascii() and feed.language.isalnum())
    assert feed.link == "" or safe_http_url(feed.link) == feed.link
    guids = set()
    for e in feed.entries:
        for text in (e.title, e.summary, e.author, e.editor, e.guid, e.image_caption,
                     e.image_credit, e.content_html, *e.categories):
            assert not forbidden_chars(text), repr(text)
        assert "\n" not in e.title
        assert e.url == "" or safe_http_url(e.url) == e.url, e.url
        assert e.image_url == "" or safe_http_url(e.image_url) == e.image_url, e.image_url
        assert all(safe_http_url(a.url) == a.url for a in e.alternates)
        assert all(a.lang.isascii() and a.lang.isalnum() for a in e.alternates)
        assert html_problems(e.content_html) == [], e.content_html
        assert e.guid
        guids.add(e.guid)


def ingest(body: bytes) -> None:
    try:
        feed = parse_feed(body, url="https://fuzz.example/feed.xml",
                          content_type="application/rss+xml")
    except NotAFeed as exc:
        assert str(exc)  # a message for the user
        return
    assert_clean(feed)


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(body: bytes) -> None:
    ingest(body)


@FUZZ
@given(st.binary(max_size=512))
def test_random_bytes_after_a_feed_prefix(tail: bytes) -> None:
    ingest(b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>'
           + tail)


@FUZZ
@given(rss_documents())
@example(  # a channel link that is not a URL becomes the base: images resolve inside it
    body=b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title></title>'
    b"<link>[link=file:///etc/passwd]</link><item><title></title><link>javascript:alert(1)"
    b"</link><description>&lt;img src=x onerror=alert(1)&gt;</description></item><item>"
    b"<title></title><link>https://ok.example/a</link></item></channel></rss>",
)
def test_random_rss(body: bytes) -> None:
    ingest(body)


@FUZZ
@given(atom_documents())
def test_random_atom(body: bytes) -> None:
    ingest(body)


@FUZZ
@given(st.text(max_size=300) | hostile_text)
def test_clean_text_properties(text: str) -> None:
    out = clean_text(text)
    assert not forbidden_chars(out)
    assert clean_text(out) == out  # idempotent
    line = clean_line(text)
    assert "\n" not in line and "\t" not in line and not forbidden_chars(line)


@FUZZ
@given(hostile_url, st.sampled_from([None, "https://base.example/a/", "javascript:x"]))
def test_safe_http_url_properties(url: str, base: str | None) -> None:
    out = safe_http_url(url, base)
    if out is not None:
        assert out.lower().startswith(("http://", "https://"))
        assert not forbidden_chars(out) and not any(c.isspace() for c in out)
        assert safe_http_url(out) == out  # what passes once passes again


HTML_PIECES = [
    *HOSTILE_PIECES, "<p>", "</p>", '<a href="', '">', "</a>", "<iframe src=x>", "<style>",
    "</style>", "<svg onload=x>", "<object data=x>", "<form action=javascript:x>", '<img src="',
    ' onmouseover="x"', "<base href=x>", "<meta http-equiv=refresh>", "<!--", "-->",
]


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(HTML_PIECES), st.text(max_size=6)),
                max_size=30).map("".join))
def test_sanitize_html_properties(html: str) -> None:
    out = sanitize_html(html, "https://base.example/story")
    assert html_problems(out) == [], out
    assert not forbidden_chars(out)


# --- the article pane's Markdown ---------------------------------------------------------------


def _md_tokens(text: str) -> list:  # type: ignore[type-arg]
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
    out, todo = [], list(parser.parse(text))
    while todo:
        tok = todo.pop()
        out.append(tok)
        todo.extend(tok.children or [])
    return out


@FUZZ
@given(st.fixed_dictionaries({
    "title": hostile_text, "author": hostile_text, "summary": hostile_text,
    "caption": hostile_text, "credit": hostile_text,
    "categories": st.lists(hostile_text, max_size=3),
    "html": st.lists(st.one_of(st.sampled_from(HTML_PIECES), st.text(max_size=6)),
                     max_size=20).map("".join),
}))
def test_article_markdown_makes_no_links_from_text(fields: dict) -> None:  # type: ignore[type-arg]
    """Feed text never becomes Markdown structure: the only links in the pane's document
    are the http(s) links of the sanitised body."""
    from termnews.article_view import article_markdown
    from termnews.model import Article

    content = sanitize_html(fields["html"], "https://base.example/story")
    article = Article(
        id=1, key="k", feed_url="https://feed.example/", guid="g",
        url="https://base.example/story", title=clean_line(fields["title"]),
        outlet="o", edition="en", section="world", author=clean_line(fields["author"]),
        summary=clean_text(fields["summary"]), content_html=content,
        categories=tuple(c for c in map(clean_line, fields["categories"]) if c),
        image_caption=clean_line(fields["caption"]), image_credit=clean_line(fields["credit"]),
    )
    text = article_markdown(article)
    assert not forbidden_chars(text)
    allowed = {safe_http_url(h) for h in re.findall(r'href="([^"]*)"', content)}
    for tok in _md_tokens(text):
        assert tok.type not in ("html_inline", "html_block"), tok
        if tok.type == "link_open":
            href = str(tok.attrs.get("href", ""))
            assert href.lower().startswith(("http://", "https://")), href
            # markdown-it percent-encodes what a link's text form leaves raw ("›", "(").
            assert unquote(href) in {unquote(a) for a in allowed if a}, (href, allowed)
        if tok.type == "image":
            raise AssertionError(f"an image from feed text: {tok.attrs}")
