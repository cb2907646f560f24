"""Tools for working on termnews (not installed with it). Each runs as a script
(``python scripts/build_demo.py``); the tests import what they share with them as
``scripts.build_demo``, ``scripts.screenshots`` and ``scripts.build_lemmas`` (the
project root is on the tests' path: ``pythonpath`` in pyproject.toml)."""
