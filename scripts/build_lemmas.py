"""Build the search's dictionary tables, ``src/termnews/lemmadata/``, from simplemma's dictionaries.

For each language search indexes by dictionary form (``terms.LEMMA_LANGS``) the table maps a
*folded* word (``terms.fold``) to the dictionary forms of every word that folds to it, folded
too ("premiere" → "premier" from "première"). It holds only the words whose index terms it
changes: a word it lacks is indexed by its Snowball stem, so a word whose only dictionary
form is its stem ("regions" → "region") is left out, while a word that is its own dictionary
form is kept when its stem differs ("regional", whose stem "region" would join it with
"region").

Two files a language:

- ``<lang>.dawg``: a DAWG (a minimal automaton: words that end alike share their ends) from
  each folded word to the number of its *rule*, read by ``dawg_python`` (pure Python, loaded
  with one read of the file, no start-up cost);
- ``<lang>.json``: the rules, each a list of (letters to cut from the word's end, letters to
  add) per dictionary form ("nouvelles" → [[4, "au"]]: "nouveau"), and the simplemma version,
  the number of words and a SHA-256 of the table's content, which ``--check`` and
  tests/test_lemma_tables.py compare with what simplemma gives.

Usage: ``python scripts/build_lemmas.py [LANG …]`` (write) or ``--check`` (exit 1 when a
table differs from simplemma's dictionary). Needs ``pip install -e '.[lemmas]'``: simplemma
(pinned, the index is made of its dictionaries) and, to write, DAWG2.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from importlib.metadata import version
from pathlib import Path

from termnews.lemmas import TABLE_DIR, Table
from termnews.terms import LEMMA_LANGS, WORD, fold, stem

Rule = tuple[tuple[int, str], ...]


def dictionary_forms(lang: str) -> dict[str, tuple[str, ...]]:
    """Every folded word of simplemma's dictionary → its folded dictionary forms, sorted."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    dictionary = DefaultDictionaryFactory(cache_max_size=1).get_dictionary(lang)
    folded: dict[str, str] = {}  # lemmas repeat: fold each once
    forms: dict[str, set[str]] = {}
    for word, lemma in dictionary.items():
        lemma_key = folded.get(lemma)
        if lemma_key is None:
            lemma_key = folded[lemma] = fold(lemma)
        key = fold(word)
        # Single words only (search splits text into terms.WORD), never a number (indexed
        # as it is).
        if WORD.fullmatch(key) and WORD.fullmatch(lemma_key) and not key.isdigit():
            forms.setdefault(key, set()).add(lemma_key)
    return {key: tuple(sorted(lemmas)) for key, lemmas in forms.items()}


def changes_terms(word: str, lemmas: tuple[str, ...], lang: str) -> bool:
    """Whether the dictionary forms give other index terms than the stem would
    (terms.word_terms: the word, then its forms, each once)."""
    by_forms = [word, *(lemma for lemma in lemmas if lemma != word)]
    stemmed = stem(word, lang)
    return by_forms != [word, *((stemmed,) if stemmed != word else ())]


def entries(lang: str) -> list[tuple[str, tuple[str, ...]]]:
    """What the table of a language must hold: (folded word, dictionary forms), sorted."""
    return sorted((word, lemmas) for word, lemmas in dictionary_forms(lang).items()
                  if changes_terms(word, lemmas, lang))



def digest(table: Iterable[tuple[str, tuple[str, ...]]]) -> str:
    h = hashlib.sha256()
    for word, lemmas in table:
        h.update(f"{word}\t{','.join(lemmas)}\n".encode())
    return h.hexdigest()


def rule(word: str, lemmas: tuple[str, ...]) -> Rule:
    """How to make each dictionary form from the word: (letters cut from its end, added)."""
    out = []
    for lemma in lemmas:
        shared = 0
        for a, b in zip(word, lemma, strict=False):
            if a != b:
                break
            shared += 1
        out.append((len(word) - shared, lemma[shared:]))
    return tuple(out)


def write(lang: str, folder: Path) -> int:
    """Write a language's two files into ``folder``; the number of words in the table."""
    import dawg  # type: ignore[import-not-found,import-untyped,unused-ignore]  # DAWG2: writes only

    table = entries(lang)
    rules = [rule(word, lemmas) for word, lemmas in table]
    # The most used rules get the smallest numbers; ties in a fixed order.
    counts = Counter(rules)
    ordered = sorted(counts, key=lambda r: (-counts[r], r))
    number = {r: i for i, r in enumerate(ordered)}
    folder.mkdir(parents=True, exist_ok=True)
    dawg.IntDAWG((word, number[r]) for (word, _), r in zip(table, rules, strict=True)).save(
        str(folder / f"{lang}.dawg"))
    head = {"simplemma": version("simplemma"), "words": len(table), "sha256": digest(table)}
    lines = ",\n".join(json.dumps([list(step) for step in r], ensure_ascii=False)
                       for r in ordered)
    (folder / f"{lang}.json").write_text(  # a rule a line: readable diffs
        json.dumps(head)[:-1] + ', "rules": [\n' + lines + "\n]}\n", encoding="utf-8")
    return len(table)


def check(lang: str, folder: Path = TABLE_DIR) -> Iterator[str]:
    """What differs between a language's table and simplemma's dictionary (nothing: in sync)."""
    meta = json.loads((folder / f"{lang}.json").read_text(encoding="utf-8"))
    if meta["simplemma"] != version("simplemma"):
        yield f"{lang}: made from simplemma {meta['simplemma']}, installed {version('simplemma')}"
    table = Table(folder, lang)
    forms = dictionary_forms(lang)
    kept = {word for word, lemmas in forms.items() if changes_terms(word, lemmas, lang)}
    wanted = [(word, forms[word]) for word in sorted(kept)]
    if (len(wanted), digest(wanted)) != (meta["words"], meta["sha256"]):
        yield f"{lang}: simplemma's dictionary gives another table ({len(wanted)} words)"
    wrong = sum(table.get(word) != (lemmas if word in kept else None)
                for word, lemmas in forms.items())
    if wrong:
        yield f"{lang}: {wrong} words read back from the table differ from the dictionary's"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("langs", nargs="*", default=sorted(LEMMA_LANGS))
    parser.add_argument("--check", action="store_true",
                        help="compare the tables with simplemma's dictionaries")
    parser.add_argument("--out", type=Path, default=TABLE_DIR)
    args = parser.parse_args()
    if args.check:
        problems = [p for lang in args.langs for p in check(lang, args.out)]
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    for lang in args.langs:
        words = write(lang, args.out)
        size = sum((args.out / f"{lang}.{ext}").stat().st_size for ext in ("dawg", "json"))
        print(f"{lang}: {words} words, {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
