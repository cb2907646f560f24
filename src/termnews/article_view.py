"""An article as a document: Markdown for the article pane, plain text for ``show``.

Layout, after a news site's article page: breadcrumb (Section » first
category), title, byline (author · editor · date), lead image caption — credit,
the body (full text when cached, else the feed's content), tags, and an
optional Related block.

Feed text is hostile. It is clean already (no control or bidi characters), but
in Markdown a title like ``# [click](javascript:…)`` could still add structure
or links, so every piece of feed text placed into the document is escaped; the
body is Markdown we produced ourselves from sanitised HTML (``feeds.html``),
whose links are http(s) only. The body is capped so a giant page cannot stall
the renderer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from termnews.i18n import N_, _
from termnews.model import Article, RelatedItem, Translation

MAX_BODY = 100_000  # characters of body shown; the rest is cut with a note

REASON_LABELS: dict[str, str] = {
    "same story": N_("Same story"),
    "related": N_("Related"),
    "section": N_("More in this section"),
    "latest": N_("Latest"),
}

# Backslash-escapable ASCII punctuation that can start structure, links or emphasis.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")
_LINE_START = re.compile(r"^(\s*)(-|=|\d+)([.)]?)", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Feed text made literal in Markdown: no headings, lists, links, emphasis or HTML."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_line_start, text)


def _escape_line_start(m: re.Match[str]) -> str:
    lead, mark, after = m.groups()
    if mark[0].isdigit():  # "1." starts an ordered list: escape the dot, not the digit
        return f"{lead}{mark}\\{after}" if after else m.group()
    return f"{lead}\\{mark}{after}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _date(dt: datetime | None) -> str:
    if dt is None:
        return ""
    try:
        from termnews.i18n import language
        from termnews.i18n.format import format_datetime

        return format_datetime(dt, language())
    except Exception:  # formatting must never cost the reader the article
        return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _section_label(article: Article, section_title: str | None) -> str:
    if section_title:
        return section_title
    key = article.section
    if not key or key == "main":
        return ""
    return key.replace("-", " ").replace("_", " ").capitalize()


def breadcrumb(article: Article, section_title: str | None = None) -> str:
    parts = [_section_label(article, section_title)]
    # The first category is the sub-section ("World » Europe"), unless it only repeats the section.
    if article.categories and article.categories[0].casefold() != parts[0].casefold():
        parts.append(article.categories[0])
    return " » ".join(_one_line(p) for p in parts if p and p.strip())


def byline(article: Article) -> str:
    parts = [article.author, article.editor, _date(article.published)]
    return " · ".join(_one_line(p) for p in parts if p and p.strip())


def image_line(article: Article) -> str:
    parts = [article.image_caption, article.image_credit]
    return " — ".join(_one_line(p) for p in parts if p and p.strip())


def body_markdown(article: Article, *, escape: bool = True) -> str:
    """The body as safe Markdown: full text when cached, else the feed's content or summary.

    ``escape=False`` leaves a plain-text summary as it is (for plain-text output).
    """
    if article.full_text.strip():
        text = article.full_text.strip()
    elif article.content_html.strip():
        from termnews.feeds.html import to_markdown

        text = to_markdown(article.content_html, article.url)
    else:
        paragraphs = (p.strip() for p in article.summary.split("\n\n") if p.strip())
        text = "\n\n".join(escape_markdown(p) if escape else p for p in paragraphs)
    if len(text) > MAX_BODY:
        text = text[:MAX_BODY].rstrip() + "\n\n…"
    return text


def has_full_text(article: Article) -> bool:
    return bool(article.full_text.strip())


def _grouped(related: Sequence[RelatedItem]) -> list[tuple[str, list[RelatedItem]]]:
    groups: dict[str, list[RelatedItem]] = {}
    for item in related:
        groups.setdefault(item.reason, []).append(item)
    order = list(REASON_LABELS) + [r for r in groups if r not in REASON_LABELS]
    return [(r, groups[r]) for r in order if r in groups]


def article_markdown(
    article: Article,
    *,
    related: list[RelatedItem] | None = None,
    translations: Sequence[Translation] | None = None,
    section_title: str | None = None,
) -> str:
    """The article as one Markdown document (see the module doc for the layout)."""
    head, rest = article_markdown_parts(article, related=related, translations=translations,
                                        section_title=section_title)
    return head + "\n\n" + rest


def article_markdown_parts(
    article: Article,
    *,
    related: list[RelatedItem] | None = None,
    translations: Sequence[Translation] | None = None,
    section_title: str | None = None,
) -> tuple[str, str]:
    """The document in two: the head (breadcrumb, title, byline), and the rest from the
    image caption on; the pane draws the lead image between them."""
    head: list[str] = []
    crumb = breadcrumb(article, section_title)
    if crumb:
        head.append(f"*{escape_markdown(crumb)}*")
    head.append("# " + (escape_markdown(_one_line(article.title)) or _("(untitled)")))
    line = byline(article)
    if line:
        head.append(escape_markdown(line))
    out: list[str] = []
    image = image_line(article)
    if image:
        out.append(f"> {escape_markdown(image)}")
    if article.full_text_error and not has_full_text(article):
        out.append("*" + escape_markdown(
            _("Full text unavailable: {error}").format(error=_one_line(article.full_text_error))
        ) + "*")
    body = body_markdown(article)
    if body:
        out.append(body)
    if article.categories:
        tags = " · ".join(f"*{escape_markdown(_one_line(c))}*" for c in article.categories)
        out.append(f"{_('Tags')}: {tags}")
    if translations:
        langs = ", ".join(escape_markdown(t.lang.upper()) for t in translations)
        out.append(f"{_('Also in')}: {langs}")
    if related:
        out.append("---")
        for reason, items in _grouped(related):
            out.append(f"### {_(REASON_LABELS.get(reason, reason))}")
            out.append("\n".join(
                f"- {escape_markdown(_one_line(i.title)) or _('(untitled)')}"
                + (f" ({escape_markdown(i.lang.upper())})" if reason == "same story" and i.lang
                   else "")
                for i in items
            ))
    return "\n\n".join(head), "\n\n".join(out) + "\n"


def article_text(
    article: Article,
    *,
    related: list[RelatedItem] | None = None,
    translations: Sequence[Translation] | None = None,
    section_title: str | None = None,
) -> str:
    """The article as plain text for a terminal (``termnews show``): no escapes, ids shown."""
    out: list[str] = []
    crumb = breadcrumb(article, section_title)
    if crumb:
        out.append(crumb)
    title = _one_line(article.title) or _("(untitled)")
    out.append(f"{title}\n{'=' * min(len(title), 78)}")
    meta = [x for x in (byline(article), article.url) if x]
    if meta:
        out.append("\n".join(meta))
    image = image_line(article)
    if image:
        out.append(f"[{image}]")
    if article.full_text_error and not has_full_text(article):
        out.append(_("Full text unavailable: {error}").format(
            error=_one_line(article.full_text_error)))
    body = body_markdown(article, escape=False)
    if body:
        out.append(body)
    if article.categories:
        out.append(f"{_('Tags')}: " + ", ".join(_one_line(c) for c in article.categories))
    if translations:
        out.append(f"{_('Also in')}: " + ", ".join(
            f"{t.lang}" + (f" (#{t.id})" if t.id is not None else "") for t in translations))
    if related:
        lines = []
        for reason, items in _grouped(related):
            lines.append(f"{_(REASON_LABELS.get(reason, reason))}:")
            lines.extend(f"  #{i.id}  {_one_line(i.title)}" for i in items)
        out.append("\n".join(lines))
    from termnews.feeds.clean import clean_text

    return clean_text("\n\n".join(out) + "\n")  # whatever a field held: no control codes
