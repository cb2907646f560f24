"""Size and build cost of termnews's search index against a plain FTS5 index.

termnews's index holds folded words and their dictionary forms or stems (terms.py).

Seeds N articles (``seed.py``: 200 feeds, synthetic English; or ``--demo-text``: the
demo outlet's articles in all six languages, repeated), then builds, over the same rows,
the index termnews had before (``unicode61 remove_diacritics 2`` over the raw text) next
to the one it has now (folded words and their terms, through ``tn_index()``), and prints:

- their sizes (pages of the FTS5 shadow tables, from ``dbstat``) and the ratio;
- the time to index the articles each way (a full 'rebuild': the same work as the bulk
  insert of new rows in ``store_entries``), per article, with the word cache cold and warm.

    python benchmarks/index_size.py [--articles 100000] [--demo-text] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import seed

from termnews import terms
from termnews.config import Config
from termnews.library import Library
from termnews.paths import resolve_paths
from termnews.store.db import connect

COLUMNS = "title, summary, full_text, categories, body_text"


def seed_demo_text(data: Path, articles: int) -> None:
    """N articles whose texts are the demo's (six languages), each row a copy of one."""
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(resolve_paths(Path(tmp)), Config(), "size", demo=True)
        lib.start()
        asyncio.run(lib.refresh())
        demo = lib.conn.execute(
            "SELECT title, summary, body_text, categories, language FROM articles").fetchall()
        lib.close()
    paths = resolve_paths(data).ensure()
    conn = connect(paths.cache_db, paths.state_db)
    rng = random.Random(5)
    langs = sorted({row[4] for row in demo})
    conn.execute("BEGIN")
    for i, lang in enumerate(langs):
        conn.execute("INSERT INTO feeds(id, url, edition, language) VALUES (?, ?, ?, ?)",
                     (i + 1, f"http://127.0.0.1:9/{lang}.xml", lang, lang))
    feed = {lang: i + 1 for i, lang in enumerate(langs)}
    rows = []
    for n in range(articles):
        title, summary, body, cats, lang = rng.choice(demo)
        rows.append((feed[lang], f"k{n}", f"g{n}", title, summary, body, cats, lang, lang))
    conn.executemany(
        "INSERT INTO articles(feed_id, key, guid, title, summary, body_text, categories, "
        "language, index_lang, fetched_at) VALUES (?,?,?,?,?,?,?,?,?,0)", rows)
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
    conn.execute("COMMIT")
    conn.close()


def fts_bytes(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(
        "SELECT sum(pgsize) FROM dbstat WHERE name LIKE ? || '\\_%' ESCAPE '\\'",
        (table,)).fetchone()[0] or 0)


def rebuild(conn: sqlite3.Connection, table: str) -> float:
    started = time.perf_counter()
    conn.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--demo-text", action="store_true")
    parser.add_argument("--data-dir", type=Path, help="a seeded data dir to measure (copied)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        if args.data_dir:
            import shutil

            shutil.copytree(args.data_dir, data)
        elif args.demo_text:
            seed_demo_text(data, args.articles)
        else:
            seed(data, args.articles, 200, "bench")
        paths = resolve_paths(data)
        conn = connect(paths.cache_db, paths.state_db)
        n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        conn.execute(f"""CREATE VIRTUAL TABLE plain_fts USING fts5({COLUMNS},
                         content='articles', content_rowid='id',
                         tokenize='unicode61 remove_diacritics 2')""")
        plain = min(rebuild(conn, "plain_fts") for _ in range(2))
        terms._INDEXED.clear()
        cold = rebuild(conn, "articles_fts")
        warm = min(rebuild(conn, "articles_fts") for _ in range(2))
        for table in ("plain_fts", "articles_fts"):
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        before, after = fts_bytes(conn, "plain_fts"), fts_bytes(conn, "articles_fts")
        text = "demo text, six languages" if args.demo_text else "seed.py, synthetic English"
        print(f"{n} articles ({text})")
        print(f"FTS index  plain (before) {before / 2**20:7.1f} MiB   terms (now) "
              f"{after / 2**20:7.1f} MiB   ratio {after / before:.2f}  (goal ≤ 1.5: "
              f"{'met' if after / before <= 1.5 else 'NOT met'})")
        print(f"indexing   plain (before) {plain / n * 1e6:7.1f} µs/article   terms (now) "
              f"{warm / n * 1e6:7.1f} µs/article (word cache warm), {cold / n * 1e6:.1f} "
              f"(cold)   ratio {warm / plain:.2f}")
        conn.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
