"""Full-content feeds for the benchmarks: items the size of a real news site's feed.

Each item carries a one-sentence teaser in ``<description>`` and the whole story in
``<content:encoded>`` (entity-escaped, as most sites send it): about 300 words of text
in HTML paragraphs with the inline markup and blocks real articles have (links,
emphasis, a sub-heading, a quote, a list, a figure with a caption), ≈ 2.9 KB of XML
per item, ≈ 143 KiB for 50 items.
The words are drawn from a fixed vocabulary with a seeded generator, so every run
serves the same bytes.
"""

from __future__ import annotations

import email.utils
import random
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

_WORDS = (
    "the council agreed on a new budget for the harbour after a long debate about rail "
    "bridges drought and the price of grain while engineers inspected the old pier and "
    "students from the university measured the water level near the ferry terminal "
    "residents asked why the subway line was closed again during the festival season "
    "officials said the repairs would take until spring and promised a public meeting "
    "farmers in the valley reported a smaller wheat harvest than last year because of "
    "the storm in august and the late frost that damaged the orchards along the river "
    "the museum will open a new wing with fossils found by volunteers in the quarry "
    "researchers at the observatory tracked a comet that passed close to the planet "
    "teachers welcomed the decision to extend the library hours for the exam period"
).split()
_NAMES = ("Mira Santos", "Jon Okafor", "Lena Brandt", "Ivo Petrov", "Ana Ruiz", "Tom Weller")
_SECTIONS = ("World", "Society", "Science", "Business", "Sport", "Opinion")
_BASE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _para(rng: random.Random, words: int, site: str) -> str:
    """A paragraph of about this many words, with some inline markup."""
    parts: list[str] = []
    left = words
    while left > 0:
        n = max(min(left, rng.randint(9, 18)), 4)
        s = _sentence(rng, n)
        roll = rng.random()
        if roll < 0.15:
            w = s.split()
            k = rng.randrange(1, len(w))
            w[k] = f'<a href="{site}/topic/{w[k].strip(".")}">{w[k]}</a>'
            s = " ".join(w)
        elif roll < 0.25:
            w = s.split()
            k = rng.randrange(0, len(w))
            w[k] = f"<em>{w[k]}</em>"
            s = " ".join(w)
        elif roll < 0.3:
            s = f"<strong>{s}</strong>"
        parts.append(s)
        left -= n
    return "<p>" + " ".join(parts) + "</p>"


def story_html(rng: random.Random, site: str, feed_no: int, i: int) -> str:
    """≈ 300 words of article body in HTML."""
    blocks = [_para(rng, 45, site), _para(rng, 50, site)]
    blocks.append(f"<h2>{_sentence(rng, 5)[:-1]}</h2>")
    blocks.append(_para(rng, 45, site))
    blocks.append(f"<blockquote><p>&ldquo;{_sentence(rng, 16)}&rdquo;</p></blockquote>")
    blocks.append(f'<figure><img src="{site}/img/{feed_no}-{i}.jpg" alt="{_sentence(rng, 5)}">'
                  f"<figcaption>{_sentence(rng, 7)} Photo: {rng.choice(_NAMES)}</figcaption>"
                  "</figure>")
    blocks.append(_para(rng, 50, site))
    blocks.append("<ul>" + "".join(f"<li>{_sentence(rng, 6)}</li>" for _ in range(3)) + "</ul>")
    blocks.append(_para(rng, 40, site))
    return "".join(blocks)


def make_full_rss(feed_no: int, items: int, *, site: str = "https://news.example") -> bytes:
    """An RSS 2.0 feed of full-content items (item 0 newest)."""
    rng = random.Random(feed_no)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:media="http://search.yahoo.com/mrss/">\n<channel>\n'
        f"<title>Full-content feed {feed_no}</title>\n<link>{site}/{feed_no}/</link>\n"
        f"<description>Generated full-content feed {feed_no}</description>\n"
        "<language>en</language>\n"
    ]
    for i in range(items):
        link = f"{site}/{feed_no}/article-{i}"
        date = email.utils.format_datetime(_BASE - timedelta(hours=i, minutes=feed_no % 60))
        title = _sentence(rng, 9)[:-1]
        teaser = _sentence(rng, 24)
        out.append(
            f"<item>\n<title>{escape(title)}</title>\n<link>{link}</link>\n"
            f'<guid isPermaLink="true">{link}</guid>\n<pubDate>{date}</pubDate>\n'
            f"<dc:creator>{rng.choice(_NAMES)}</dc:creator>\n"
            f"<category>{rng.choice(_SECTIONS)}</category>\n"
            f"<description>{escape(teaser)}</description>\n"
            f"<content:encoded>{escape(story_html(rng, site, feed_no, i))}</content:encoded>\n"
            f'<media:content url="{site}/img/{feed_no}-{i}.jpg" medium="image"/>\n'
            "</item>\n"
        )
    out.append("</channel>\n</rss>\n")
    return "".join(out).encode("utf-8")


if __name__ == "__main__":
    body = make_full_rss(0, 50)
    print(f"{len(body)} bytes, {len(body) / 50:.0f} per item")
