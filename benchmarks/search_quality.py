"""Search and related-article quality over the demo outlet's six editions.

For every hand-checked word of ``search_words.py`` and every form of it typed as the
query, in its edition's view: recall (an article is relevant when its title, teaser,
text or categories contain any form of the word), wrong hits (results that contain no
form of it) per query, and the share of queries that find every relevant article.
Then the spelling variants (each must return what the spelling in the text returns),
and related recall@3: for each article of a related-topic group, how many of the other
articles of its group the first three "related" items name (out of at most three).

    python benchmarks/search_quality.py [--everything] [--misses] [--lemma-langs en,fr,…]

``--everything`` also runs every query in the view of all six editions (terms of all
six languages); ``--misses`` lists what each missed or wrongly found; ``--lemma-langs``
picks the languages indexed by dictionary form (lemmas.py) instead of termnews's choice,
to compare: ``--lemma-langs ''`` is Snowball stems everywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_words import GROUPS, VARIANTS, WORDS

from termnews.config import Config
from termnews.library import Library
from termnews.model import ArticleQuery
from termnews.paths import resolve_paths
from termnews.related import RELATED, related_articles

LANGS = ("en", "ru", "de", "fr", "pt", "es")
_WORD = re.compile(r"[^\W_]+")  # the oracle's own split: no folding, no stemming


def variant(kind: str, word: str) -> str:
    """A word as a reader may type it, by the kind's rule."""
    if kind.startswith("ё"):
        return word.replace("ё", "е").replace("Ё", "Е")
    if kind.startswith("ß"):
        return word.replace("ß", "ss")
    if "ae/oe/ue" in kind:
        for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"),
                     ("Ü", "Ue")):
            word = word.replace(a, b)
        return word
    if "a/o/u" in kind:
        return word.translate(str.maketrans("äöüÄÖÜ", "aouAOU"))
    if kind.startswith("œ"):
        return word.replace("œ", "oe")
    if kind.startswith("accents"):
        return "".join(c for c in unicodedata.normalize("NFD", word)
                       if not unicodedata.combining(c))
    raise ValueError(kind)


def use_lemma_langs(langs: str, tmp: Path) -> None:
    """Index and search these languages lemma-first (the others by their stems). A language
    termnews ships no table for gets one made here (scripts/build_lemmas.py: needs
    ``pip install -e '.[lemmas]'``)."""
    import shutil

    from termnews import lemmas, terms

    terms.LEMMA_LANGS = frozenset(code for code in langs.split(",") if code)
    missing = [c for c in terms.LEMMA_LANGS if not (lemmas.TABLE_DIR / f"{c}.dawg").exists()]
    if missing:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
        import build_lemmas

        tables = shutil.copytree(lemmas.TABLE_DIR, tmp / "lemmadata")
        for code in missing:
            build_lemmas.write(code, tables)
        lemmas.TABLE_DIR = tables


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--everything", action="store_true")
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--lemma-langs", metavar="en,fr,…",
                        help="languages indexed lemma-first (default: terms.LEMMA_LANGS; "
                             "'' for Snowball stems in all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as tables:
        if args.lemma_langs is not None:
            use_lemma_langs(args.lemma_langs, Path(tables))
        lib = Library(resolve_paths(Path(tmp)), Config(), "quality", demo=True)
        lib.start()
        asyncio.run(lib.refresh())
        by_lang: dict[str, tuple[str, ...]] = {}
        for s in lib.subscriptions():
            by_lang[s.edition] = (*by_lang.get(s.edition, ()), s.feed_url)
        texts: dict[int, set[str]] = {}
        story: dict[tuple[str, str], int] = {}
        for aid, lang, guid, *cols in lib.conn.execute(
                """SELECT id, language, guid, title, summary, body_text, full_text, categories
                   FROM articles"""):
            texts[aid] = {w.casefold() for w in _WORD.findall(" ".join(cols))}
            story[(lang, guid.rsplit(":", 1)[-1])] = aid
        views = [("edition", None)] + ([("everything", tuple(u for us in by_lang.values()
                                                            for u in us))] if args.everything
                                      else [])
        print(f"{'lang':4} {'view':10} {'words':>5} {'queries':>7} {'recall':>7} "
              f"{'all found':>9} {'wrong/query':>11}")
        for view, all_urls in views:
            for lang in LANGS:
                urls = all_urls or by_lang[lang]
                own = {story[k] for k in story if k[0] == lang}
                recalls, wrongs, complete = [], [], 0
                for lemma, forms in WORDS[lang]:
                    wanted = {f.casefold() for f in forms}
                    relevant = {a for a in own if texts[a] & wanted}
                    for form in forms:
                        found = {r.id for r in lib.articles(ArticleQuery(search=form,
                                                                         feed_urls=urls))}
                        if view == "everything":
                            found &= own  # other editions' articles are not judged here
                        hit = found & relevant
                        wrong = found - relevant
                        recalls.append(len(hit) / len(relevant) if relevant else 1.0)
                        wrongs.append(len(wrong))
                        complete += hit == relevant
                        if args.misses and (hit != relevant or wrong):
                            print(f"  {lang} {form!r} ({lemma}): found {len(hit)}/{len(relevant)}"
                                  f", wrong {len(wrong)}"
                                  + "".join(f"\n      wrong: {lib.article(a).title}"  # type: ignore[union-attr]
                                            for a in sorted(wrong)))
                print(f"{lang:4} {view:10} {len(WORDS[lang]):5} {len(recalls):7} "
                      f"{statistics.mean(recalls):7.3f} {complete / len(recalls):9.0%} "
                      f"{statistics.mean(wrongs):11.3f}")

        print("\nspelling variants (the variant must return what the text's spelling returns)")
        for kind, lang, spelled in VARIANTS:
            same, empty = 0, []
            for word in spelled:
                q = ArticleQuery(search=word, feed_urls=by_lang[lang])
                original = {r.id for r in lib.articles(q)}
                typed = {r.id for r in lib.articles(ArticleQuery(search=variant(kind, word),
                                                                 feed_urls=by_lang[lang]))}
                same += typed == original
                if not original:
                    empty.append(word)
                if args.misses and typed != original:
                    print(f"  {kind} {word!r} → {variant(kind, word)!r}: "
                          f"{len(original)} vs {len(typed)}")
            note = f"  (found nothing: {', '.join(empty)})" if empty else ""
            print(f"{lang:4} {kind:26} {same:3}/{len(spelled):<3}{note}")

        print("\nrelated recall@3 (articles of a related-topic group among the first three)")
        for lang in LANGS:
            scores = []
            for group in GROUPS[lang]:
                ids = [story[(lang, sid)] for sid in group]
                for aid in ids:
                    others = set(ids) - {aid}
                    top = [r.id for r in related_articles(lib, aid) if r.reason == RELATED][:3]
                    scores.append(len(set(top) & others) / min(3, len(others)))
                    if args.misses and len(set(top) & others) < min(3, len(others)):
                        title = lib.article(aid).title  # type: ignore[union-attr]
                        print(f"  {lang} {title!r}: {len(set(top) & others)} of "
                              f"{min(3, len(others))}")
            print(f"{lang:4} {len(scores):3} articles   recall@3 {statistics.mean(scores):.3f}")
        lib.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
