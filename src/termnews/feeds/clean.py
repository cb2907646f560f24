"""Cleaning hostile feed text before it is stored or shown.

Everything a feed sends is untrusted and ends up in a terminal that obeys
escape codes. ``clean_text`` removes every character a terminal could act on or
that could disguise text (control codes, escape sequences with their payloads,
zero-width and bidi-override characters); ``sanitize_html`` keeps a small safe
subset of HTML with http(s)/mailto links only; ``safe_http_url`` is the single
gate for any URL the user may open.
"""

from __future__ import annotations

import html as _html
import re
import threading
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

# Whole escape sequences with their payloads. ESC never belongs in text, so after ESC
# a sequence goes whole: CSI params+final; OSC / DCS / SOS / PM / APC strings up to BEL
# or ST (or the end of the line when a hostile feed never terminates them); other
# two-byte escapes. The 8-bit (C1) forms also come out of mojibake ("Ð\x9d" is a
# Cyrillic letter read as Latin-1), so they take text with them only when they are
# whole: a CSI with its parameters and final byte ("\x9b31m"), a control string of
# printable ASCII that is terminated. A lone C1 code goes alone, with _STRIP.
_ESCAPE_SEQ = re.compile(
    r"\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|\x9b[\x30-\x3f]+[\x20-\x2f]*[\x40-\x7e]"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|[\x90\x98\x9d\x9e\x9f][\x20-\x7e]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)

# Characters removed outright once sequences are gone.
_STRIP_RANGES = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 except tab/newline (CR handled before), DEL, C1
    "\u061c\u180e"  # Arabic letter mark, Mongolian vowel separator
    "\u200b-\u200f"  # zero-width space/joiners, LRM/RLM
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u206f"  # word joiner, invisible operators, bidi isolates, deprecated formats
    "\ufeff"  # byte order mark / zero-width no-break space
    "\ufff9-\ufffb"  # interlinear annotation controls
    "\ud800-\udfff"  # lone surrogates (from undecodable bytes)
    "\ufffe\uffff"
)
_BAD = re.compile(f"[{_STRIP_RANGES}\r\u2028\u2029]")
_STRIP = re.compile(f"[{_STRIP_RANGES}]+")


def clean_text(s: str) -> str:
    """Text safe for a terminal: no control codes, escape sequences, invisible or bidi chars.

    Tabs and newlines stay; CR/CRLF and U+2028/U+2029 become newlines.
    """
    if not s or _BAD.search(s) is None:  # the common case costs one scan
        return s
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = s.replace("\u2028", "\n").replace("\u2029", "\n")
    if "\x1b" in s or any(c in s for c in "\x90\x98\x9b\x9d\x9e\x9f"):
        s = _ESCAPE_SEQ.sub("", s)
    return _STRIP.sub("", s)


def clean_line(s: str) -> str:
    """clean_text folded to one line with single spaces: for titles, authors, names."""
    return " ".join(clean_text(s).split()) if s else s


# --- URLs --------------------------------------------------------------------

_URL_BAD = re.compile(f"[{_STRIP_RANGES}\\s\\\\\u2028\u2029]")
_URL_QUOTE = {ord('"'): "%22", ord("<"): "%3C", ord(">"): "%3E", ord("`"): "%60"}
# An absolute http(s) URL with a plain host name or IPv4 address, no user part, and only
# printable ASCII without the characters _URL_QUOTE would rewrite: taken as it is.
_PLAIN_URL = re.compile(
    r"(?i:https?)://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::(\d{1,5}))?"
    r"(?:[/?#][!#$%&'()*+,\-./0-9:;=?@A-Z\[\]^_a-z{|}~]*)?\Z"
)


# Names reserved for documentation and tests (RFC 2606, RFC 6761): no article lives
# there, so asking would only store a DNS error (the demo outlet uses meridian.example).
_RESERVED_SUFFIXES = (".example", ".invalid", ".test", ".localhost")
_RESERVED_HOSTS = ("example.com", "example.net", "example.org")


def reserved_host(url: str) -> bool:
    """The URL's host is a name kept for documentation and tests: nothing to fetch there."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.endswith(_RESERVED_SUFFIXES) or host in _RESERVED_HOSTS or any(
        host.endswith("." + h) for h in _RESERVED_HOSTS)


def safe_http_url(url: str | None, base: str | None = None) -> str | None:
    """The URL if it is a plain http(s) URL a user may open, else None.

    Relative URLs are resolved against base (itself only when http(s)).
    Refused: other schemes (javascript:, data:, file: …), whitespace or control
    characters inside, backslashes, user:password@ parts (a spoofing trick),
    a leading '-' (could be taken for an option by a browser command), no host.
    """
    if not url:
        return None
    m = _PLAIN_URL.match(url)
    if m is not None and (m.group(1) is None or int(m.group(1)) <= 65535):
        return url  # the common case, settled by one match: plain ASCII http(s) URL
    url = url.strip(" \t\r\n\f\v")
    if not url or url.startswith("-") or _URL_BAD.search(url):
        return None
    try:
        parts = urlsplit(url)
        if not parts.scheme:
            if base is None or safe_http_url(base) is None:
                return None
            url = urljoin(base, url)
            parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            return None
        if not parts.hostname or "@" in parts.netloc:
            return None
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return None
    if url.startswith("-"):
        return None
    return url.translate(_URL_QUOTE)


# --- HTML --------------------------------------------------------------------

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "abbr": {"title"},
    "time": {"datetime"},
}
_CONTENT_DROPPED = {"script", "style", "iframe", "object", "embed", "noscript", "template",
                    "svg", "math", "textarea", "select", "button", "form", "frameset", "frame",
                    "applet", "title", "head"}


_local = threading.local()  # the base URL of the sanitize_html call running on this thread


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    """Every link and image source through safe_http_url, resolved against the base.

    nh3 has already refused schemes outside http/https/mailto by the time this runs.
    """
    if attribute == "href" or attribute == "src":
        if element == "a" and attribute == "href" and value.strip().lower().startswith("mailto:"):
            return value.strip()
        return safe_http_url(value, getattr(_local, "base", None))
    if attribute == "cite":
        return None
    return value


@cache
def _cleaner() -> Any:
    import nh3

    # One cleaner for every call (building one costs several times a clean); relative
    # URLs are resolved by _attribute_filter against the per-call base.
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=_CONTENT_DROPPED,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https", "mailto"},
        url_relative="pass_through",
        link_rel="noopener noreferrer nofollow",
    )


def sanitize_html(html: str, base_url: str = "") -> str:
    """A safe subset of HTML: no scripts, styles, frames, event handlers or unsafe links.

    Links keep only http, https and mailto targets; images only http(s). Relative
    URLs are resolved against base_url when it is an http(s) URL, dropped otherwise.
    """
    if not html:
        return ""
    _local.base = safe_http_url(base_url) if base_url else None
    try:
        out = _cleaner().clean(clean_text(html))
    finally:
        _local.base = None
    return clean_text(out)


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
# A tag cut off by the end of the text goes (a truncated summary); an unclosed "<!" stays
# literal (feeds write "<!DOCTYPE" as text).
_TAG = re.compile(r"<[/?a-zA-Z][^>]*(?:>|\Z)|<![^>]*>")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_SPACE_RUN = re.compile("  +")
_BLANKS = re.compile(r"\n\s*\n\s*")


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, paragraphs kept.

    Markup-looking text ("[b]", "<not a tag") stays literal. The result is clean.
    """
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return _tidy(clean_text(html))
    s = _CDATA.sub(r"\1", html) if "<![" in html else html
    s = _DROP_BLOCKS.sub(" ", s)
    s = _BREAKS.sub("\n", s)
    s = _TAG.sub("", s)
    s = _html.unescape(s)
    return _tidy(clean_text(s))


def _tidy(s: str) -> str:
    """Runs of spaces, tabs and no-break spaces as one space, no space at either edge of a
    line, runs of blank lines as one, no blank edges.

    Each step first asks whether it has work (``in`` is a C scan): a regex scanning for a
    character class tries every position in Python's engine, and these passes used to
    be two thirds of the cost of parsing a full-content feed.
    """
    if "\t" in s:
        s = s.replace("\t", " ")
    if "\xa0" in s:
        s = s.replace("\xa0", " ")
    if "  " in s:
        s = _SPACE_RUN.sub(" ", s)  # starts with a literal: the engine skips to each match
    if "\n" in s:
        s = s.replace(" \n", "\n").replace("\n ", "\n")
        s = _BLANKS.sub("\n\n", s)
    return s.strip()
