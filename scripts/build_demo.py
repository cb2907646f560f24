"""Build the bundled demo outlet "Meridian (demo)" from its story files.

Reads ``src/termnews/catalog/demo/stories/<lang>.toml`` and writes
``feeds/<lang>/<section>.xml`` (Atom 1.0, see the team's demo feed format) and
``outlet.toml`` next to them. The output is deterministic, so a test can check
that the committed feeds match the stories byte for byte.

A story that appears in several editions carries the same ``id`` in each
language file; every entry then links the other editions' copies with
``<link rel="alternate" hreflang=…>``.

Usage: ``python scripts/build_demo.py`` (write) or ``--check`` (exit 1 when stale).
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent.parent / "src" / "termnews" / "catalog" / "demo"
SITE = "https://meridian.example"
ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "http://search.yahoo.com/mrss/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

SECTION_KEYS = ("world", "russia", "society", "opinion", "science", "sport", "incidents",
                "business")

# Editions in toggle order: language, own-language name, section titles by key.
EDITIONS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("en", "English", {
        "world": "World", "russia": "Russia", "society": "Society", "opinion": "Opinion",
        "science": "Science", "sport": "Sport", "incidents": "Incidents",
        "business": "Business"}),
    ("ru", "Русский", {
        "world": "Мир", "russia": "Россия", "society": "Общество", "opinion": "Мнения",
        "science": "Наука", "sport": "Спорт", "incidents": "Происшествия",
        "business": "Экономика"}),
    ("de", "Deutsch", {
        "world": "Welt", "russia": "Russland", "society": "Gesellschaft",
        "opinion": "Meinung", "science": "Wissenschaft", "sport": "Sport",
        "incidents": "Vorfälle", "business": "Wirtschaft"}),
    ("fr", "Français", {
        "world": "Monde", "russia": "Russie", "society": "Société", "opinion": "Opinion",
        "science": "Science", "sport": "Sport", "incidents": "Faits divers",
        "business": "Économie"}),
    ("pt", "Português", {
        "world": "Mundo", "russia": "Rússia", "society": "Sociedade", "opinion": "Opinião",
        "science": "Ciência", "sport": "Desporto", "incidents": "Incidentes",
        "business": "Economia"}),
    ("es", "Español", {
        "world": "Mundo", "russia": "Rusia", "society": "Sociedad", "opinion": "Opinión",
        "science": "Ciencia", "sport": "Deporte", "incidents": "Sucesos",
        "business": "Economía"}),
)
LANGS = tuple(lang for lang, _, _ in EDITIONS)
FIELDS = ("id", "section", "title", "teaser", "body", "author", "editor", "published",
          "categories", "caption", "credit")
ALLOWED_TAGS = {"p", "h2", "em", "strong"}
ID_RE = re.compile(r"^[a-z]+-(?:[a-z]{2}-)?\d+$")


@dataclass(frozen=True)
class Story:
    lang: str
    id: str
    section: str
    title: str
    teaser: str
    body: str
    author: str
    editor: str
    published: str
    categories: tuple[str, ...]
    caption: str
    credit: str

    @property
    def url(self) -> str:
        return f"{SITE}/{self.lang}/{self.section}/{self.id}"


class _BodyCheck(HTMLParser):
    """Rejects tags outside the small set the demo bodies use, and unbalanced ones."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS or attrs:
            self.errors.append(f"tag <{tag}> not allowed")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")


def _check_body(where: str, body: str) -> None:
    check = _BodyCheck()
    check.feed(body)
    check.close()
    if check.stack:
        check.errors.append(f"unclosed <{check.stack[-1]}>")
    if not body.startswith("<p>"):
        check.errors.append("body must start with <p>")
    if check.errors:
        raise ValueError(f"{where}: {'; '.join(check.errors)}")


def load_stories(demo_dir: Path = DEMO_DIR) -> dict[str, list[Story]]:
    """All stories by language, validated."""
    stories: dict[str, list[Story]] = {}
    for lang in LANGS:
        path = demo_dir / "stories" / f"{lang}.toml"
        raw = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        items: list[Story] = []
        seen_ids: set[str] = set()
        seen_times: set[str] = set()
        for n, data in enumerate(raw.get("stories", []), 1):
            where = f"{path.name} story #{n} ({data.get('id', '?')})"
            missing = [f for f in FIELDS if not data.get(f)]
            extra = sorted(set(data) - set(FIELDS))
            if missing or extra:
                raise ValueError(f"{where}: missing {missing}, unknown {extra}")
            if not ID_RE.match(data["id"]) or data["id"] in seen_ids:
                raise ValueError(f"{where}: bad or duplicate id")
            if data["section"] not in SECTION_KEYS:
                raise ValueError(f"{where}: unknown section {data['section']!r}")
            if not data["id"].startswith(data["section"] + "-"):
                raise ValueError(f"{where}: id must start with its section")
            if data["published"] in seen_times:
                raise ValueError(f"{where}: published time used twice in {lang}")
            datetime.strptime(data["published"], "%Y-%m-%dT%H:%M:%SZ")  # UTC, Z suffix
            if not 1 <= len(data["categories"]) <= 3:
                raise ValueError(f"{where}: 1-3 categories")
            body = " ".join(data["body"].split())
            _check_body(where, body)
            seen_ids.add(data["id"])
            seen_times.add(data["published"])
            items.append(Story(
                lang=lang, id=data["id"], section=data["section"],
                title=" ".join(data["title"].split()), teaser=" ".join(data["teaser"].split()),
                body=body.replace("> <", "><"), author=data["author"], editor=data["editor"],
                published=data["published"], categories=tuple(data["categories"]),
                caption=" ".join(data["caption"].split()), credit=data["credit"],
            ))
        stories[lang] = items
    return stories


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def render_feed(lang: str, section: str, title: str, stories: list[Story],
                editions_of: dict[str, list[Story]]) -> bytes:
    """One section feed of one edition as Atom bytes."""
    ET.register_namespace("", ATOM)
    ET.register_namespace("media", MEDIA)
    a = f"{{{ATOM}}}"
    m = f"{{{MEDIA}}}"
    entries = sorted((s for s in stories if s.section == section),
                     key=lambda s: s.published, reverse=True)
    feed = ET.Element(f"{a}feed", {XML_LANG: lang})
    _sub(feed, f"{a}id", f"urn:meridian:{lang}:section:{section}")
    _sub(feed, f"{a}title", f"Meridian — {title}")
    _sub(feed, f"{a}subtitle", f"Meridian (demo), {lang}")
    _sub(feed, f"{a}link", rel="alternate", type="text/html", href=f"{SITE}/{lang}/{section}/")
    _sub(feed, f"{a}updated", entries[0].published if entries else "2026-11-17T00:00:00Z")
    _sub(feed, f"{a}generator", "termnews scripts/build_demo.py")
    for s in entries:
        entry = _sub(feed, f"{a}entry")
        _sub(entry, f"{a}id", f"urn:meridian:{lang}:{s.id}")
        _sub(entry, f"{a}title", s.title, type="text")
        _sub(entry, f"{a}link", rel="alternate", type="text/html", href=s.url)
        for other in editions_of[s.id]:
            if other.lang != lang:
                _sub(entry, f"{a}link", rel="alternate", type="text/html",
                     hreflang=other.lang, href=other.url)
        _sub(entry, f"{a}published", s.published)
        _sub(entry, f"{a}updated", s.published)
        _sub(_sub(entry, f"{a}author"), f"{a}name", s.author)
        _sub(_sub(entry, f"{a}contributor"), f"{a}name", s.editor)
        for term in s.categories:
            _sub(entry, f"{a}category", term=term)
        _sub(entry, f"{a}summary", s.teaser, type="text")
        _sub(entry, f"{a}content", s.body, type="html")
        image = f"{SITE}/img/{s.id}.jpg"
        _sub(entry, f"{a}link", rel="enclosure", type="image/jpeg", href=image)
        media = _sub(entry, f"{m}content", url=image, medium="image", type="image/jpeg")
        _sub(media, f"{m}description", s.caption)
        _sub(media, f"{m}credit", s.credit)
    ET.indent(feed, space="  ")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_outlet() -> bytes:
    lines = [
        "# Generated by scripts/build_demo.py from stories/*.toml: do not edit by hand.",
        "# The bundled offline demo outlet; feed URLs are files relative to this folder.",
        'key = "demo"',
        'name = "Meridian (demo)"',
    ]
    for lang, name, titles in EDITIONS:
        lines += ["", "[[editions]]", f'lang = "{lang}"', f"name = {_toml_str(name)}",
                  f'home = "{SITE}/{lang}/"', "sections = ["]
        for key in SECTION_KEYS:
            lines.append(f'  {{ key = "{key}", title = {_toml_str(titles[key])}, '
                         f'url = "feeds/{lang}/{key}.xml" }},')
        lines.append("]")
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_all(demo_dir: Path = DEMO_DIR) -> dict[str, bytes]:
    """Every generated file, by path relative to the demo folder."""
    stories = load_stories(demo_dir)
    editions_of: dict[str, list[Story]] = {}
    for lang in LANGS:
        for s in stories[lang]:
            editions_of.setdefault(s.id, []).append(s)
    for sid, copies in editions_of.items():
        if len({c.section for c in copies}) != 1:
            raise ValueError(f"story {sid} is in different sections across editions")
    out = {"outlet.toml": render_outlet()}
    for lang, _, titles in EDITIONS:
        for key in SECTION_KEYS:
            out[f"feeds/{lang}/{key}.xml"] = render_feed(lang, key, titles[key], stories[lang],
                                                         editions_of)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the files are current")
    args = parser.parse_args(argv)
    stale = []
    for rel, data in render_all().items():
        path = DEMO_DIR / rel
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(rel)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    if args.check and stale:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"{'stale' if args.check else 'written'}: {len(stale)} file(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
