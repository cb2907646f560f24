"""Sanitised HTML → Markdown for the article pane (done at display time, not at ingest).

markdownify is imported lazily: it pulls in BeautifulSoup, which the TUI must
not pay for at start-up.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from termnews.feeds.clean import clean_text, safe_http_url

MAX_MARKDOWN = 200_000  # characters; a longer body is cut with a note
_BLANK_RUN = re.compile(r"\n{3,}")
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()<>#+!|~&-])")
_URL_PARENS = {ord("("): "%28", ord(")"): "%29"}


@cache
def _converter() -> Any:
    from markdownify import MarkdownConverter

    class SafeConverter(MarkdownConverter):
        """Links only to http(s); images become a caption line; nothing else from the page."""

        def convert_a(self, el: Any, text: str, parent_tags: set[str]) -> str:
            url = safe_http_url(el.get("href") or "")
            if not url or not text.strip():
                return text
            return f"[{text.strip()}]({url.translate(_URL_PARENS)})"

        def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
            alt = " ".join(str(el.attrs.get("alt") or el.attrs.get("title") or "").split())
            label = f"Image: {alt}" if alt else "Image"
            if "_inline" in parent_tags:
                return f"[{label}]"
            return f"\n\n*[{label}]*\n\n"

    return SafeConverter(heading_style="ATX", bullets="-", strip=["script", "style"],
                         escape_underscores=False, escape_misc=False)


def to_markdown(sanitised_html: str, base_url: str = "") -> str:
    """Markdown for sanitised HTML: headings, lists, quotes, http(s) links, image captions.

    base_url resolves relative links that sanitising left (it usually resolved them).
    """
    if not sanitised_html or not sanitised_html.strip():
        return ""
    html = sanitised_html
    if base_url and safe_http_url(base_url):
        # Resolve relative links left in the HTML (sanitize_html normally did it).
        html = re.sub(
            r'(href|src)="(?!https?:|mailto:)([^"]*)"',
            lambda m: f'{m.group(1)}="{safe_http_url(m.group(2), base_url) or ""}"',
            html,
        )
    try:
        text = _converter().convert(html)
    except RecursionError:
        # Absurdly nested HTML (a few hundred levels) exhausts markdownify's recursion:
        # show the plain text instead, made literal for Markdown.
        from termnews.feeds.clean import html_to_text

        text = _MD_PUNCT.sub(r"\\\1", html_to_text(html))
    text = _BLANK_RUN.sub("\n\n", clean_text(text)).strip()
    if len(text) > MAX_MARKDOWN:
        text = text[:MAX_MARKDOWN].rstrip() + "\n\n…"
    return text
