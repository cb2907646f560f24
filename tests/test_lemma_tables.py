"""The search's dictionary tables (src/termnews/lemmadata/, lemmas.py): in sync with simplemma's
dictionaries as terms.py folds and stems today, read in any process without making anything."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from termnews import lemmas, terms

ROOT = Path(__file__).resolve().parent.parent


@cache
def build_lemmas() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_lemmas",
                                                  ROOT / "scripts" / "build_lemmas.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lang", sorted(terms.LEMMA_LANGS))
def test_table_matches_simplemma(lang: str) -> None:
    # Every word of the dictionary read back: the forms where they change the index terms,
    # nothing where the stem gives the same. A change to folding, stemming or simplemma
    # makes this fail: run scripts/build_lemmas.py, and re-index (a cache migration).
    problems = list(build_lemmas().check(lang))
    assert not problems, f"{problems}: run scripts/build_lemmas.py"


def test_every_indexed_language_has_a_table() -> None:
    on_disk = {p.stem for p in lemmas.TABLE_DIR.glob("*.dawg")}
    assert on_disk == set(terms.LEMMA_LANGS)
    assert {p.stem for p in lemmas.TABLE_DIR.glob("*.json")} == on_disk


def test_table_gives_dictionary_forms_and_leaves_the_rest_to_stems() -> None:
    assert lemmas.lemmas("nouvelle", "fr") == ("nouveau",)
    assert lemmas.lemmas("ecole", "fr") == ("ecole",)  # "école", folded: its own form
    assert lemmas.lemmas("regioes", "pt") == ("regiao",)  # "regiões" → "região"
    # "líneas" (of "línea") and "lineas" (of "linear") fold alike: both forms
    assert lemmas.lemmas("lineas", "es") == ("linea", "linear")
    assert lemmas.lemmas("found", "en") == ("find",)
    assert lemmas.lemmas("regional", "en") == ("regional",)  # its own form: not "region"
    assert lemmas.lemmas("regions", "en") is None  # the stem "region" is the same
    assert lemmas.lemmas("zzqxv", "pt") is None
    assert terms.word_terms("regions", "en") == ("regions", "region")
    assert terms.word_terms("regional", "en") == ("regional",)


def test_a_fresh_process_indexes_alike_and_makes_nothing(tmp_path: Path) -> None:
    # What a parse worker or a CLI command does: open the tables it needs, write nothing,
    # and give the very terms this process gives.
    text = "Les nouvelles lignes de tramway ouvrent; el tranvía volvió; the regions voted"
    here = {lang: terms.index_text(text, lang) for lang in ("fr", "es", "en", "pt")}
    script = (
        "import json, sys\n"
        "from termnews import terms\n"
        f"out = {{lang: terms.index_text({text!r}, lang) for lang in ('fr', 'es', 'en', 'pt')}}\n"
        "assert 'simplemma' not in sys.modules\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                          text=True, cwd=tmp_path)
    assert json.loads(done.stdout) == here
    assert not any((tmp_path / "home").rglob("*"))  # no cache folder was made
