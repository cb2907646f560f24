"""Dictionary forms (lemmas) of words, for search: tables shipped with termnews.

Search matches a word through its dictionary form where the dictionary knows the word
("nouvelle" → "nouveau", "vuelve" → "volver", "regions" → "region" but "regional" stays
"regional"), and through its Snowball stem where it does not (terms.py).

The dictionaries are simplemma's, turned by ``scripts/build_lemmas.py`` into one small
table a language in ``lemmadata/`` (a DAWG from the folded word to a rule that makes its
dictionary forms, 0.3-0.7 MB) and checked against simplemma by a test. Keyed by the
*folded* word (terms.fold) so a word typed without its accents finds what the accented
one finds: "premiere" gives the dictionary forms of every word that folds to it
("première" → "premier"). A table holds only the words whose index terms it changes:
a word it lacks is indexed by its stem.

Shipped rather than made on the first run: making a language's table from simplemma takes
seconds (its dictionary loads in 0.1-1.8 s and takes up to ≈ 130 MB), and the index may not
wait for it, nor be made without it (the same text must get the same terms whenever it is
indexed). Opening a table is one read of its files (a few ms, the file's size in memory),
so every process that indexes or searches (the TUI, a CLI command, a parse worker) opens
its own, and only for the languages it meets; a look-up is a walk of the word's letters.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

TABLE_DIR = Path(__file__).resolve().with_name("lemmadata")


class Table:
    """One language's table, read into memory; look-ups from any thread (read only)."""

    def __init__(self, folder: Path, lang: str) -> None:
        import dawg_python

        self._words: Any = dawg_python.IntDAWG().load(str(folder / f"{lang}.dawg"))
        meta = json.loads((folder / f"{lang}.json").read_text(encoding="utf-8"))
        self._rules: list[tuple[tuple[int, str], ...]] = [
            tuple((int(cut), str(add)) for cut, add in rule) for rule in meta["rules"]]

    def get(self, word: str) -> tuple[str, ...] | None:
        """The dictionary forms of a folded word, sorted, or None when the table lacks it."""
        number = self._words.get(word)
        if number is None:
            return None
        return tuple(word[:len(word) - cut] + add for cut, add in self._rules[number])


_OPEN: dict[str, Table] = {}
_OPENING = threading.Lock()


def _after_fork() -> None:
    """A forked process (a parse worker of the refresh) keeps the tables read so far, in
    memory shared with its parent, but not a lock another thread of the parent held."""
    global _OPENING
    _OPENING = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def _table(lang: str) -> Table:
    found = _OPEN.get(lang)
    if found is None:
        with _OPENING:
            found = _OPEN.get(lang)
            if found is None:
                found = _OPEN[lang] = Table(TABLE_DIR, lang)
    return found


def lemmas(word: str, lang: str) -> tuple[str, ...] | None:
    """The dictionary forms of a folded word in a language with a table (the word itself
    when it is one), or None when the word is to be indexed by its stem."""
    return _table(lang).get(word)
