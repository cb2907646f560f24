"""Running the CLI in-process, shared by the CLI and acceptance tests."""

from __future__ import annotations

import json

import pytest

from termnews.cli import main

# The article fields the CLI contract promises in `articles --json`.
CONTRACT = {"id", "outlet", "edition", "section", "feed_url", "guid", "url", "title", "author",
            "published", "summary", "categories", "read", "starred"}


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `termnews argv…` in this process: (exit status, stdout, stderr)."""
    capsys.readouterr()
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def jsonl(text: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in text.splitlines()]
