"""The parse cost of one feed document by its text: ``parse_feed`` (charset → XML →
mojibake repair → clean → map).

Times the ingest of a feed of about 143 KB in several forms, so a change to the text
pipeline (charset detection, mojibake repair, the cleaner) can be priced per feed:

* ``ascii``: the benchmark feed of refresh.py (English, plain ASCII), 250 items;
* ``mixed``: UTF-8 news text in Portuguese, French, German, Russian and Greek;
* ``mojibake``: the same text, one item in four double-encoded (UTF-8 read as Latin-1);
* ``latin1``: the Western items as undeclared ISO-8859-1 (charset decided by the bytes).

    python benchmarks/text_parse_cost.py [--runs 30] [--file FEED.xml ...]

Prints the median CPU time (of this process: steadier than wall time on a busy machine)
per document and per item. Compare two trees by running it with each one's ``src`` first
on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from feedserver import make_rss  # noqa: E402

TEXTS = (
    "Pesquisa mostra empate técnico nas simulações de 2º turno para o governo do estado. "
    "A prisão do ex-secretário foi mantida, e a população está à espera de respostas.",
    "À Besançon, le maire sortant a présenté un programme très ambitieux pour la rénovation "
    "des écoles, où les élèves étudient dans des bâtiments vétustes. Ça ne plaît pas à tous.",
    "Die Kölner Verkehrsbetriebe haben angekündigt, dass die Straßenbahnlinien im Süden der "
    "Stadt ab nächster Woche wieder regelmäßig fahren, trotz der Bauarbeiten an der Brücke.",
    "Правительство в среду представило новый план модернизации железных дорог на юге "
    "страны. По словам министра, первые работы начнутся уже в этом году.",
    "Η κυβέρνηση παρουσίασε την Τετάρτη ένα νέο σχέδιο για τον εκσυγχρονισμό των "
    "σιδηροδρόμων στο νότο της χώρας, με τις πρώτες εργασίες φέτος.",
)
WESTERN = TEXTS[:3]


def _double_encoded(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def make_feed(size: int, *, mojibake: bool = False, western_only: bool = False) -> str:
    texts = WESTERN if western_only else TEXTS
    head = ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Mixed news</title>'
            "<link>https://mixed.example/</link>\n")
    items: list[str] = []
    total = len(head)
    i = 0
    while total < size:
        text = texts[i % len(texts)]
        title = text.split(".")[0][:90]
        if mojibake and i % 4 == 0:
            text, title = _double_encoded(text), _double_encoded(title)
        item = (f"<item><title>{escape(title)}</title><link>https://mixed.example/{i}</link>"
                f"<guid>mixed-{i}</guid><pubDate>Tue, 01 Dec 2026 10:{i % 60:02d}:00 GMT"
                f"</pubDate><author>desk@mixed.example (Redação {i % 5})</author>"
                f"<category>Secção {i % 4}</category>"
                f"<description>{escape(f'<p>{text}</p><p>{text}</p>')}</description></item>\n")
        items.append(item)
        total += len(item.encode("utf-8"))
        i += 1
    return head + "".join(items) + "</channel></rss>\n"


def documents() -> dict[str, tuple[bytes, str]]:
    ascii_feed = make_rss(1, 250)
    mixed = make_feed(143_000)
    latin1 = make_feed(143_000, western_only=True)
    return {
        "ascii": (ascii_feed, "application/rss+xml; charset=utf-8"),
        "mixed": (mixed.encode("utf-8"), "application/rss+xml"),
        "mojibake": (make_feed(143_000, mojibake=True).encode("utf-8"), "application/rss+xml"),
        "latin1": (latin1.encode("latin-1"), "application/rss+xml"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--file", type=Path, action="append", default=[])
    args = ap.parse_args()
    from termnews.feeds.parse import parse_feed

    docs = documents()
    for path in args.file:
        docs[path.name] = (path.read_bytes(), "")
    print(f"termnews from {sys.modules['termnews.feeds.parse'].__file__}")
    for name, (body, ctype) in docs.items():
        url = f"https://bench.example/{name}.xml"
        items = len(parse_feed(body, url=url, content_type=ctype).entries)  # warm-up
        times = []
        for _ in range(args.runs):
            started = time.process_time()
            parse_feed(body, url=url, content_type=ctype)
            times.append(time.process_time() - started)
        med = statistics.median(times)
        print(f"{name:10} {len(body) / 1000:6.0f} KB {items:4} items  "
              f"{med * 1000:7.2f} ms/feed  {med / max(items, 1) * 1e6:6.1f} µs/item")


if __name__ == "__main__":
    main()
