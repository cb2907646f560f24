"""feeds.clean: hostile characters out, markup kept as literal text, only safe links."""

from __future__ import annotations

import pytest

from termnews.feeds.clean import (
    clean_line,
    clean_text,
    html_to_text,
    safe_http_url,
    sanitize_html,
)
from termnews.feeds.html import to_markdown


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("a\x1b[31mred\x1b[0m b", "ared b"),  # CSI colours
        ("x\x1b[2J\x1b[Hy", "xy"),  # clear screen, cursor home
        ("x\x1b]52;c;SGVsbG8=\x07y", "xy"),  # OSC 52 clipboard write, BEL-terminated
        ("t\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\", "tlink"),  # OSC 8 hyperlink
        ("\x1b]0;window title\x1b\\after", "after"),  # OSC 0 title, ST-terminated
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),  # DCS (sixel) with payload
        ("a\x9b31mb", "ab"),  # 8-bit CSI
        ("a\x9d0;title\x9cb", "ab"),  # 8-bit OSC … ST
        ("a\x85b\x80c\x9ad", "abcd"),  # other C1 controls
        ("nul\x00byte", "nulbyte"),
        ("bell\x07 bs\x08 del\x7f", "bell bs del"),
        ("zero\u200bwidth\u200c\u200d\u200e\u200f", "zerowidth"),
        ("bidi\u202aA\u202bB\u202cC\u202dD\u202eE", "bidiABCDE"),
        ("iso\u2066la\u2067t\u2068e\u2069", "isolate"),
        ("arabic\u061cmark", "arabicmark"),
        ("\ufeffbom", "bom"),
        ("word\u2060joiner", "wordjoiner"),
        ("line\u2028sep\u2029para", "line\nsep\npara"),
        ("cr\r\nlf\rx", "cr\nlf\nx"),
        ("tab\tkept\nnewline kept", "tab\tkept\nnewline kept"),
        ("Привет, мир — ça va? 你好", "Привет, мир — ça va? 你好"),
        ("", ""),
    ],
)
def test_clean_text_removes_every_hostile_class(dirty: str, clean: str) -> None:
    assert clean_text(dirty) == clean


def test_unterminated_osc_swallows_only_to_end_of_line() -> None:
    assert clean_text("a\x1b]0;never ends\nnext line") == "a\nnext line"


def test_lone_surrogates_from_bad_bytes_are_removed() -> None:
    text = b"ok \xff\xfe bytes".decode("utf-8", "surrogateescape")
    assert clean_text(text) == "ok  bytes"


def test_markup_stays_literal_text() -> None:
    for s in ("[@click=app.quit]Quit[/]", "[bold red]x[/bold red]", "stray [/] here", "<b>x</b>"):
        assert clean_text(s) == s
        assert clean_line(s) == s


def test_clean_line_folds_whitespace_and_controls() -> None:
    assert clean_line("  Breaking:\n\tnews \u200b from\r\n the \x1b[1mfront\x1b[0m  ") == (
        "Breaking: news from the front"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/a?b=1#c", "https://news.example/a?b=1#c"),
        ("  http://news.example/  \n", "http://news.example/"),
        ("/story/1", "https://base.example/story/1"),
        ("story/2", "https://base.example/dir/story/2"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>x</script>", None),
        ("file:///etc/passwd", None),
        ("ftp://files.example/x", None),
        ("mailto:someone@example.org", None),
        ("-http://x.example/", None),
        ("--help", None),
        ("http://a b.example/", None),
        ("http://ex.example/\x1b[31m", None),
        ("http://ex.example/\u202egnp.exe", None),
        ("https://bank.example@evil.example/", None),
        ("http:\\\\evil.example\\", None),
        ("http://", None),
        ("http://host.example:99999/", None),
        ("", None),
    ],
)
def test_safe_http_url(url: str, expected: str | None) -> None:
    assert safe_http_url(url, "https://base.example/dir/page") == expected


def test_safe_http_url_needs_an_http_base_for_relative_links() -> None:
    assert safe_http_url("/x") is None
    assert safe_http_url("/x", "file:///tmp/feed.xml") is None


def test_sanitize_html_removes_scripts_handlers_and_bad_links() -> None:
    dirty = (
        '<p onclick="steal()" style="color:red">Hello <b onmouseover="x()">world</b></p>'
        "<script>alert('x')</script><style>body{display:none}</style>"
        '<iframe src="https://evil.example/"></iframe>'
        '<a href="javascript:alert(1)">js</a> <a href="data:text/html,x">data</a> '
        '<a href="file:///etc/passwd">file</a> <a href="/rel">rel</a> '
        '<a href="mailto:ed@example.org">mail</a> '
        '<img src="data:image/png;base64,AAAA"><img src="file:///x.png">'
        '<img src="javascript:x()"><img src="/pic.jpg" onerror="x()">'
        '<form action="https://evil.example"><input name="p"></form>'
        '<svg><script>1</script></svg><object data="x.swf"></object>'
    )
    out = sanitize_html(dirty, "https://site.example/news/")
    low = out.lower()
    for bad in ("<script", "alert", "<style", "<iframe", "onclick", "onmouseover", "onerror",
                "javascript:", "data:", "file:", "<form", "<input", "<svg", "<object",
                "style="):
        assert bad not in low, bad
    assert '<a href="https://site.example/rel"' in out
    assert 'href="mailto:ed@example.org"' in out
    assert '<img src="https://site.example/pic.jpg">' in out
    assert "Hello <b>world</b>" in out


def test_sanitize_html_with_a_file_base_drops_relative_links() -> None:
    out = sanitize_html('<a href="other.xml">x</a><img src="pic.png">', "file:///tmp/feed.xml")
    assert "file:" not in out and "other.xml" not in out and "pic.png" not in out


def test_sanitize_html_strips_escape_codes_in_text() -> None:
    assert "\x1b" not in sanitize_html("<p>a\x1b[31mb\x1b]52;c;x\x07</p>")


def test_html_to_text_keeps_paragraphs_and_literal_markup() -> None:
    html = (
        "<p>First &amp; <b>bold</b></p><p>Second<br>line</p>"
        "<script>hidden()</script><!-- comment --> a &lt; b [b]x[/b] &lt;tag&gt;"
    )
    assert html_to_text(html) == "First & bold\n\nSecond\nline\na < b [b]x[/b] <tag>"


def test_html_to_text_cleans_hostile_characters() -> None:
    out = html_to_text("<p>x&#27;[31m\x1b[31my\u202ez&#x202e;w</p>")
    assert "\x1b" not in out and "\u202e" not in out
    assert out.endswith("yzw")


def test_to_markdown_keeps_structure_and_only_http_links() -> None:
    html = sanitize_html(
        "<h2>Sub-heading</h2><p>Text with <a href='https://ok.example/a'>a link</a> and "
        "<a href='javascript:x()'>a bad one</a>.</p><ul><li>one</li><li>two</li></ul>"
        "<blockquote><p>Quoted</p></blockquote>"
        "<figure><img src='https://ok.example/p.jpg' alt='Harbour at dawn'></figure>"
        "<p>[@click=app.quit]literal[/]</p>",
        "https://ok.example/",
    )
    md = to_markdown(html)
    assert "## Sub-heading" in md
    assert "[a link](https://ok.example/a)" in md
    assert "a bad one" in md and "javascript" not in md
    assert "- one" in md and "- two" in md
    assert "> Quoted" in md
    assert "Image: Harbour at dawn" in md
    assert "[@click=app.quit]literal[/]" in md
    assert clean_text(md) == md


def test_to_markdown_is_capped() -> None:
    md = to_markdown("<p>" + "word " * 100_000 + "</p>")
    assert 190_000 < len(md) <= 200_010
