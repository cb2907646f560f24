#!/usr/bin/env python3
"""Maintain termnews's UI translations.

    python scripts/i18n.py extract [FILE.pot]  count the marked strings (and write a template)
    python scripts/i18n.py update              merge new strings into every .po
    python scripts/i18n.py compile             compile every .po into the packaged .mo
    python scripts/i18n.py check [-v]          exit 1: a string lacks a translation / a .mo is stale
    python scripts/i18n.py todo                print strings lacking translations as JSON
    python scripts/i18n.py apply FILE.json     fill {msgid: {lang: text}} into the .po files
    python scripts/i18n.py stats               translated messages per catalog
    python scripts/i18n.py all                 update + compile + check
    python scripts/i18n.py lint [DIR]          list UI strings not wrapped in _() (heuristic)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from termnews.i18n import LANGUAGES, catalogs


def _print_written(files: list[str]) -> None:
    for f in files:
        print(f"wrote {f}")


def _check(verbose: bool = True) -> int:
    problems = catalogs.check()
    for p in problems if verbose else problems[:20]:
        print(p, file=sys.stderr)
    if len(problems) > 20 and not verbose:
        print(f"... and {len(problems) - 20} more (check -v lists all)", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s); fix the .po files, then run: "
              "python scripts/i18n.py compile", file=sys.stderr)
        return 1
    print(f"ok: {len(catalogs.extract())} strings translated in {', '.join(LANGUAGES)}")
    return 0


def _stats() -> int:
    template = catalogs.extract()
    for lang in LANGUAGES:
        catalog = catalogs.load_po(lang)
        done = sum(
            1 for m in template
            if m.id and not catalogs.check_message(
                lang, m, catalog.get(m.id if isinstance(m.id, str) else m.id[0], m.context),
                catalog.num_plurals)
        )
        print(f"{lang}: {done}/{len([m for m in template if m.id])} translated")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract")
    p.add_argument("pot", nargs="?", type=Path)
    sub.add_parser("update")
    sub.add_parser("compile")
    p = sub.add_parser("check")
    p.add_argument("-v", "--verbose", action="store_true", help="list every problem")
    sub.add_parser("todo")
    p = sub.add_parser("apply")
    p.add_argument("json", type=Path)
    sub.add_parser("stats")
    sub.add_parser("all")
    p = sub.add_parser("lint")
    p.add_argument("dir", nargs="?", type=Path, default=catalogs.PACKAGE_DIR / "ui")
    args = parser.parse_args(argv)

    if args.command == "extract":
        template = catalogs.extract()
        if args.pot:
            catalogs.write_template(args.pot, template)
            print(f"wrote {args.pot}")
        print(f"{len(template)} strings")
    elif args.command == "update":
        _print_written(catalogs.update())
    elif args.command == "compile":
        _print_written(catalogs.compile_all())
    elif args.command == "check":
        return _check(args.verbose)
    elif args.command == "todo":
        json.dump(catalogs.todo(), sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif args.command == "apply":
        _print_written(catalogs.apply(catalogs.load_translations(args.json)))
    elif args.command == "stats":
        return _stats()
    elif args.command == "lint":
        hits = catalogs.unmarked_strings(args.dir)
        for file, line, text in hits:
            print(f"{file}:{line}: {text!r}")
        return 1 if hits else 0
    elif args.command == "all":
        _print_written(catalogs.update())
        _print_written(catalogs.compile_all())
        return _check(verbose=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
