"""Dictionary forms (lemmas) of words, for search: simplemma's dictionaries, kept on disk.

Search matches a word through its dictionary form where the dictionary knows the word
("nouvelle" → "nouveau", "vuelve" → "volver", "regions" → "region" but "regional" stays
"regional"), and through its Snowball stem where it does not (terms.py).

simplemma holds a language's dictionary in memory: 20-90 MB and 0.1-1 s to load for each
language in each process (measured, benchmarks/README.md), where search needs a handful
of look-ups per new word. So each language's dictionary is turned once, in a child
process, into a small SQLite file keyed by the *folded* word (terms.fold) in the user's
cache folder, and read from there: nothing in memory, a few µs a look-up, nothing at
start-up. Keyed by the folded word so a word typed without its accents finds what the
accented one finds: the file maps "premiere" to the dictionary forms of every word that
folds to it ("première" → "premier").

The dictionaries are pinned with simplemma's version (pyproject.toml): the search index
is made from these lemmas, and another dictionary would need the index made again.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

# subprocess and tempfile are imported where a file is made: few processes ever make one.

ENV_DIR = "TERMNEWS_LEMMA_DIR"
_FORMAT = 1  # of the files made here: a change makes new files


def lemma_dir() -> Path:
    """Where the lemma files are kept: ``TERMNEWS_LEMMA_DIR``, else the user's cache."""
    chosen = os.environ.get(ENV_DIR)
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("termnews")) / "lemmas"


def _version() -> str:
    from importlib.metadata import version

    return version("simplemma")


def _file_name(lang: str) -> str:
    return f"{lang}-simplemma-{_version()}-{_FORMAT}.sqlite"


# --- making a language's file (in a child process) -----------------------------------------


def build(lang: str, path: Path) -> None:
    """Write ``path``: folded word → its dictionary forms (folded, comma-separated; ""
    when the only one is the word itself). Written beside it, then renamed into place,
    so a reader never sees half a file."""
    import tempfile

    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    from termnews.terms import WORD, fold

    dictionary = DefaultDictionaryFactory(cache_max_size=1).get_dictionary(lang)
    folded: dict[str, str] = {}  # lemmas repeat: fold each once

    def pairs() -> Iterator[tuple[str, str]]:
        for form, lemma in dictionary.items():
            lemma_key = folded.get(lemma)
            if lemma_key is None:
                lemma_key = folded[lemma] = fold(lemma)
            key = fold(form)
            # Only single words: search splits text into words (terms.WORD).
            if WORD.fullmatch(key) and WORD.fullmatch(lemma_key):
                yield key, lemma_key

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{lang}-", suffix=".sqlite", dir=path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        conn.executescript("""
            PRAGMA journal_mode = OFF;
            PRAGMA temp_store = FILE;
            CREATE TEMP TABLE pairs (word TEXT, lemma TEXT);
            CREATE TABLE lemmas (word TEXT PRIMARY KEY, lemmas TEXT NOT NULL) WITHOUT ROWID;
        """)
        conn.executemany("INSERT INTO pairs VALUES (?, ?)", pairs())
        conn.execute("""
            INSERT INTO lemmas
            SELECT word, CASE WHEN count(DISTINCT lemma) = 1 AND max(lemma) = word THEN ''
                              ELSE group_concat(DISTINCT lemma) END
            FROM pairs GROUP BY word ORDER BY word""")
        conn.commit()
        conn.close()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _build_in_child(lang: str, path: Path) -> None:
    """Build in another process: simplemma's dictionary takes up to ~400 MB while the
    file is made, and the work would hold this process's GIL for seconds."""
    import subprocess

    subprocess.run([sys.executable, "-m", "termnews.lemmas", lang, str(path)], check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


# --- reading -------------------------------------------------------------------------------


class _Lemmas:
    """One language's file, opened read-only; look-ups from any thread."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True,
                                     check_same_thread=False)
        self._lock = threading.Lock()

    def get(self, word: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT lemmas FROM lemmas WHERE word = ?",
                                     (word,)).fetchone()
        return None if row is None else str(row[0])


_OPEN: dict[str, _Lemmas] = {}
_OPENING = threading.Lock()


def _forget_after_fork() -> None:
    """A forked process (a parse worker) opens the files itself: a connection shared with
    its parent would share the file offset of its reads, and a lock another thread held."""
    global _OPENING
    _OPEN.clear()
    _OPENING = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def _open(lang: str) -> _Lemmas:
    with _OPENING:
        found = _OPEN.get(lang)
        if found is None:
            name = _file_name(lang)
            path = lemma_dir() / name
            if not path.exists():
                import subprocess
                import tempfile

                try:
                    _build_in_child(lang, path)
                except (OSError, subprocess.CalledProcessError):
                    # The cache folder cannot be written: a private copy for this
                    # process (the same dictionary, so the same index terms).
                    path = Path(tempfile.mkdtemp(prefix="termnews-lemmas-")) / name
                    build(lang, path)
            found = _OPEN[lang] = _Lemmas(path)
        return found


def ready(lang: str) -> bool:
    """Whether the language's dictionary can be read now, without being made first (a
    parse worker words the index only then: making one takes seconds)."""
    return lang in _OPEN or (lemma_dir() / _file_name(lang)).exists()


def lemmas(word: str, lang: str) -> tuple[str, ...] | None:
    """The dictionary forms of a folded word in a language simplemma knows (the word itself
    when it is one), or None when the dictionary does not know it."""
    found = _open(lang).get(word)
    if found is None:
        return None
    return tuple(sorted(found.split(","))) if found else (word,)


if __name__ == "__main__":
    build(sys.argv[1], Path(sys.argv[2]))
