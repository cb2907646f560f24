"""``termnews show ID [--json]``: one article with its body, related articles and translations.

``show`` never fetches: the full text comes from the cache (``refresh --full-text``
puts it there), so it works the same with ``--offline``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from termnews.cli.context import CliError, Context
from termnews.i18n import N_, _
from termnews.library import Library
from termnews.model import Article

HELP = N_("""\
Print one article: breadcrumb, title, byline, image caption, the body (the
article page's full text when it is cached, else the feed's text), tags, and
what to read next (same story in other editions, related, more in this section,
latest). --json prints one JSON object: the fields of `termnews articles --json`
plus body (Markdown), full_text (bool), related ([{id, title, reason}], reason
one of "same story", "related", "section", "latest") and translations
([{lang, id, url}], id null when that edition's article is not cached).
show never touches the network.""")


def _article_id(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not an article id: {text}").format(text=repr(text))) from None
    if n <= 0:
        raise argparse.ArgumentTypeError(_("not an article id: {text}").format(text=repr(text)))
    return n


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("show", help=_("print one article (full text when cached)"),
                       description=_(HELP), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("id", type=_article_id, metavar="ID",
                   help=_("the article id (see: articles)"))
    p.add_argument("--json", action="store_true", help=_("one JSON object"))
    p.add_argument("--related", type=int, default=5, metavar="N",
                   help=_("related articles per kind (default 5; 0 = only the same story)"))
    p.set_defaults(handler=run)


def section_title(lib: Library, article: Article) -> str | None:
    """The section's display title from the catalog ("World"), if the outlet is known."""
    try:
        outlet = lib.outlet(article.outlet)
    except Exception:  # a broken catalog entry must not stop show
        return None
    edition = outlet.edition(article.edition) if outlet else None
    section = edition.section(article.section) if edition else None
    return section.title if section else None


def show_record(lib: Library, article: Article, related_limit: int = 5) -> dict[str, Any]:
    """The ``show --json`` object for an article."""
    from termnews.article_view import body_markdown, has_full_text
    from termnews.cli.articles_cmd import article_record

    record = article_record(article)
    record["body"] = body_markdown(article, escape=False)
    record["full_text"] = has_full_text(article)
    record["full_text_error"] = article.full_text_error
    record["related"] = [
        {"id": r.id, "title": r.title, "reason": r.reason, "lang": r.lang}
        for r in lib.related(article.id, limit=related_limit)
    ]
    record["translations"] = [
        {"lang": t.lang, "id": t.id, "url": t.url, "title": t.title}
        for t in lib.translations(article.id)
    ]
    return record


def run(args: argparse.Namespace, ctx: Context) -> int:
    lib = ctx.library()
    article = lib.article(args.id)
    if article is None:
        raise CliError(_("no article with id {id}").format(id=args.id))
    limit = max(0, args.related)
    if args.json:
        sys.stdout.write(json.dumps(show_record(lib, article, limit), ensure_ascii=False) + "\n")
    else:
        from termnews.article_view import article_text

        text = article_text(
            article,
            related=lib.related(article.id, limit=limit),
            translations=lib.translations(article.id),
            section_title=section_title(lib, article),
        )
        sys.stdout.write(text)
    sys.stdout.flush()
    return 0
