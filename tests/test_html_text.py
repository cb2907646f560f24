"""html_to_text made faster must say the same: the new whitespace tidy against the
regex passes it replaced, on real-world shapes of feed HTML and on random text."""

from __future__ import annotations

import html as _html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from termnews.feeds.clean import _tidy, clean_text, html_to_text

# --- the implementation before the speed work, kept as the reference ----------------------

_DROP_BLOCKS = re.compile(
    r"<(script|style|iframe|noscript|template|svg|math|head|title)\b.*?(?:</\1\s*>|\Z)"
    r"|<!--.*?(?:-->|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_BREAKS = re.compile(
    r"<(?:br|hr)\b[^>]*>|</?(?:p|div|li|ul|ol|h[1-6]|blockquote|pre|tr|table|figure|"
    r"figcaption|section|article|header|footer|dl|dt|dd)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[/!?a-zA-Z][^>]*(?:>|\Z)")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_SPACES = re.compile(r"[ \t\xa0]+")
_BLANKS = re.compile(r"\n\s*\n\s*")
_LINE_EDGES = re.compile(r" ?\n ?")


def reference_tidy(s: str) -> str:
    s = _LINE_EDGES.sub("\n", _SPACES.sub(" ", s))
    return _BLANKS.sub("\n\n", s).strip()


def reference_html_to_text(html: str) -> str:
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return reference_tidy(clean_text(html))
    s = _CDATA.sub(r"\1", html) if "<![" in html else html
    s = _DROP_BLOCKS.sub(" ", s)
    s = _BREAKS.sub("\n", s)
    s = _TAG.sub("", s)
    s = _html.unescape(s)
    return reference_tidy(clean_text(s))


# --- real-world shapes --------------------------------------------------------------------

SHAPES = [
    "<p>First paragraph.</p><p>Second paragraph.</p>",
    "<p>One</p>\n\n  <p>  Two  </p>\n",
    "Line one<br>Line two<br/>Line three<br />",
    "<ul><li>apples</li><li>pears</li></ul><ol><li>first</li>\n<li>second</li></ol>",
    "<h2>Sub-heading</h2><p>Text &amp; more &mdash; &ldquo;quoted&rdquo; &#8212; &#x2014;</p>",
    "Caf&eacute; &nbsp;&nbsp; au&nbsp;lait &copy; 2026 &unknown; &amp;amp;",
    "<![CDATA[<p>wrapped <b>twice</b></p>]]> after",
    "<p>Some <b>bold <i>and italic <a href='x'>link</a></i></b> text.</p>",
    "<script>alert('x')</script><style>p{}</style><p>kept</p><noscript>no</noscript>",
    "<p>unclosed <b>bold <p>next para<div>div text",
    "a < b and c > d, x<y, 3 <= 4",
    "<p>tab\there\tand\xa0nbsp\xa0\xa0runs</p>",
    "<!-- a comment --><p>after comment</p><!-- unterminated",
    "<blockquote><p>Quoted</p></blockquote><pre>  code\n    indented</pre>",
    "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
    "<figure><img src='p.jpg' alt='A harbour'><figcaption>The harbour at dawn</figcaption>"
    "</figure>",
    "<p>\u3000ideographic\u3000space\u2003em space</p>\n\u3000\n<p>next</p>",
    "<P CLASS=x>Upper case</P><BR><DIV>block</DIV>",
    "<p>x&#27;[31m\x1b[31my\u202ez&#x202e;w</p>",
    "plain text with  double  spaces\n\n\n\nand blank lines   \n  indented",
    "<p>Привет, <em>мир</em> — ça va? 你好</p>",
    "<dl><dt>term</dt><dd>definition</dd></dl><hr><section>s</section><article>a</article>",
    "<header>Head</header>Body<footer>Foot</footer>",
    "<p title=\"a>b\">attribute with a bracket</p>",
    "   \n\t \xa0 ",
    "<a href=\"https://news.example/a?b=1&amp;c=2\">a link</a>",
    "\r\nWindows\r\nlines\rold Mac\u2028sep\u2029para",
    "<p>" + "word " * 500 + "</p>" * 3,
]


@pytest.mark.parametrize("html", SHAPES)
def test_html_to_text_matches_the_reference(html: str) -> None:
    assert html_to_text(html) == reference_html_to_text(html)


def test_the_shapes_come_out_readable() -> None:
    """What the shared conversion gives for the common shapes (not just "the same")."""
    assert html_to_text(SHAPES[0]) == "First paragraph.\n\nSecond paragraph."
    assert html_to_text(SHAPES[2]) == "Line one\nLine two\nLine three"
    assert html_to_text(SHAPES[3]) == "apples\n\npears\n\nfirst\n\nsecond"
    assert html_to_text(SHAPES[6]) == "wrapped twice\nafter"
    assert html_to_text(SHAPES[8]) == "kept"
    assert html_to_text(SHAPES[11]) == "tab here and nbsp runs"


_WS = st.sampled_from([" ", "  ", "\t", "\xa0", "\n", "\n\n", " \n ", "\u3000", "\u2003", "\r"])
_WORDS = st.sampled_from(["a", "word", "<p>", "</p>", "<br>", "&amp;", "&nbsp;", "<b>", "x"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_WS, _WORDS), max_size=40))
def test_tidy_matches_the_reference_on_random_text(parts: list[str]) -> None:
    text = clean_text("".join(parts))
    assert _tidy(text) == reference_tidy(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_WS, _WORDS, st.text(max_size=6)), max_size=40))
def test_html_to_text_matches_the_reference_on_random_html(parts: list[str]) -> None:
    html = "".join(parts)
    assert html_to_text(html) == reference_html_to_text(html)
