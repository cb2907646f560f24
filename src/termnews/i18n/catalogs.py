"""Maintenance of the gettext catalogs: extract, update, compile and check.

Used by ``scripts/i18n.py`` and by the tests; never imported by the app itself
(Babel's message tools are slow to import and only needed at development time).

Layout: ``locale/<lang>/LC_MESSAGES/termnews.po`` is the source, ``.mo`` next to
it the compiled file shipped in the package. English is the source language; its
catalog is kept filled with the English text itself so that all six languages
ship a compiled catalog.
"""

from __future__ import annotations

import ast
import copy
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from termnews.i18n import DOMAIN, LANGUAGES

I18N_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = I18N_DIR.parent  # src/termnews: what gets extracted
LOCALE_DIR = I18N_DIR / "locale"
SOURCE_LANGUAGE = "en"
TRANSLATED: tuple[str, ...] = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)
KEYWORDS: dict[str, Any] = {"_": None, "N_": None, "ngettext": (1, 2)}
COMMENT_TAGS = ("TRANSLATORS:",)
PROJECT = "termnews"

MsgKey = tuple[str, str | None]  # (msgid, context)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _babel_cfg() -> Path | None:
    cfg = PACKAGE_DIR.parent.parent / "babel.cfg"  # the repository root, in a source checkout
    return cfg if cfg.is_file() else None


def _method_map() -> tuple[list[tuple[str, str]], dict[str, dict[str, Any]]]:
    cfg = _babel_cfg()
    if cfg is None:
        return [("**.py", "python")], {}
    from babel.messages.frontend import parse_mapping_cfg

    with cfg.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(cfg))  # type: ignore[no-untyped-call]
    return method_map, options_map


def _key(message: Message) -> MsgKey:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return msgid, message.context


def extract(source_dir: Path = PACKAGE_DIR) -> Catalog:
    """Every string marked with ``_``, ``N_`` or ``ngettext`` under ``source_dir``: a template."""
    method_map, options_map = _method_map()
    template = Catalog(project=PROJECT, domain=DOMAIN, charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        source_dir, method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    ):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        where = (Path(source_dir).name + "/" + filename.replace("\\", "/"), lineno)
        template.add(message, None, [where], auto_comments=comments, context=context)
    _add_from_fstrings(Path(source_dir), template)
    return template


def _add_from_fstrings(source_dir: Path, template: Catalog) -> None:
    """Marked strings inside f-strings (``f"{_('Tags')}: …"``), which Babel's tokenizer
    does not see before Python 3.12: found by walking each module's syntax tree."""
    for path in sorted(source_dir.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except (SyntaxError, UnicodeDecodeError):
            continue
        where = (source_dir.name + "/" + path.relative_to(source_dir).as_posix(), 0)
        for fstring in (n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)):
            for call in (n for n in ast.walk(fstring) if isinstance(n, ast.Call)):
                name = call.func.id if isinstance(call.func, ast.Name) else None
                args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str)
                        else None for a in call.args]
                if name in ("_", "N_") and args and args[0]:
                    message: str | tuple[str, str] = args[0]
                elif name == "ngettext" and len(args) >= 2 and args[0] and args[1]:
                    message = (args[0], args[1])
                else:
                    continue
                key = message if isinstance(message, str) else message[0]
                if template.get(key) is None:
                    template.add(message, None, [(where[0], call.lineno)])


def _serialize(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    # No line numbers and sorted output: catalogs change only when the strings do.
    write_po(buf, catalog, width=100, sort_output=True, include_lineno=False)
    return buf.getvalue()


def write_template(path: Path, template: Catalog | None = None) -> None:
    path.write_bytes(_serialize(template if template is not None else extract()))


def load_po(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project=PROJECT, charset="utf-8", fuzzy=False)
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def save_po(lang: str, catalog: Catalog) -> bool:
    """Write the catalog if its text changed; True when the file was written."""
    data = _serialize(catalog)
    path = po_path(lang)
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _fill_source_language(catalog: Catalog) -> None:
    """The English catalog translates each message into itself."""
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            forms = list(message.string) if isinstance(message.string, tuple) else []
            if not all(forms) or len(forms) != 2 or message.fuzzy:
                message.string = (message.id[0], message.id[1])
        elif not message.string or message.fuzzy:
            message.string = message.id
        message.flags.discard("fuzzy")


def update(template: Catalog | None = None) -> list[str]:
    """Bring every .po file in line with the source strings; returns the files written."""
    template = template if template is not None else extract()
    written = []
    for lang in LANGUAGES:
        catalog = load_po(lang)
        # Translations memory: strings that leave the code for a while (a file being
        # rewritten) keep their translation as an obsolete entry and get it back.
        memory = {_key(m): (m.id, m.string) for m in [*catalog, *catalog.obsolete.values()]
                  if m.id and any(_forms(m)) and not m.fuzzy}
        # A copy: Catalog.update shares the template's Message objects with the catalog.
        catalog.update(copy.deepcopy(template), update_creation_date=False,
                       no_fuzzy_matching=lang == SOURCE_LANGUAGE)
        for message in catalog:
            remembered = memory.get(_key(message)) if message.id else None
            if (remembered and type(remembered[0]) is type(message.id)
                    and (message.fuzzy or not any(_forms(message)))):
                message.string = remembered[1]
                message.flags.discard("fuzzy")
        for key, (msgid, string) in memory.items():
            if catalog.get(*key) is None and key[0] not in catalog.obsolete:
                catalog.obsolete[key[0]] = Message(msgid, string, context=key[1])
        if lang == SOURCE_LANGUAGE:
            _fill_source_language(catalog)
        if save_po(lang, catalog):
            written.append(str(po_path(lang)))
    return written


def compile_mo(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def compile_all() -> list[str]:
    """Compile each .po into its .mo (only when the result changed); returns the files written."""
    written = []
    for lang in LANGUAGES:
        data = compile_mo(load_po(lang))
        path = mo_path(lang)
        if path.exists() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(str(path))
    return written


def mo_messages(data: bytes) -> dict[MsgKey, Any]:
    """The translations held in compiled catalog bytes (header excluded)."""
    catalog = read_mo(io.BytesIO(data))
    return {_key(m): m.string for m in catalog if m.id}


# --- checks ---------------------------------------------------------------------------------

_BRACE = re.compile(r"\{\{|\}\}|\{[^{}]*\}")
_PERCENT = re.compile(r"%%|%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")


def placeholders(text: str) -> Counter[str]:
    """``{name}`` and ``%s`` / ``%(name)s`` placeholders of a message (escapes excluded)."""
    found = [p for p in _BRACE.findall(text) if p not in ("{{", "}}")]
    found += [p for p in _PERCENT.findall(text) if p != "%%"]
    return Counter(found)


@dataclass(frozen=True, slots=True)
class Problem:
    lang: str
    msgid: str
    what: str

    def __str__(self) -> str:
        return f"{self.lang}: {self.what}" + (f": {self.msgid!r}" if self.msgid else "")


def _forms(message: Message) -> list[str]:
    if isinstance(message.string, tuple | list):
        return list(message.string)
    return [message.string or ""]


def check_message(lang: str, source: Message, message: Message | None,
                  num_plurals: int) -> list[Problem]:
    """What is wrong with one translation of one source message."""
    msgid = _key(source)[0]
    if message is None:
        return [Problem(lang, msgid, "missing")]
    if message.fuzzy:
        return [Problem(lang, msgid, "fuzzy")]
    forms = _forms(message)
    plural = isinstance(source.id, tuple)
    if plural and len(forms) != num_plurals:
        return [Problem(lang, msgid, f"has {len(forms)} plural forms, needs {num_plurals}")]
    if not all(f.strip() for f in forms):
        return [Problem(lang, msgid, "untranslated")]
    problems = []
    if plural:
        allowed = placeholders(source.id[0]) | placeholders(source.id[1])
        for i, form in enumerate(forms):
            extra = placeholders(form) - allowed
            if extra:
                problems.append(Problem(lang, msgid, f"form {i} has unknown {sorted(extra)}"))
            if i > 0 and placeholders(source.id[1]) - placeholders(form):
                problems.append(Problem(lang, msgid, f"form {i} drops a placeholder"))
    elif placeholders(forms[0]) != placeholders(msgid):
        problems.append(Problem(
            lang, msgid,
            f"placeholders {sorted(placeholders(forms[0]))} != {sorted(placeholders(msgid))}",
        ))
    return problems


def check(template: Catalog | None = None, languages: Iterable[str] = LANGUAGES) -> list[Problem]:
    """Every marked string translated (non-empty, not fuzzy, placeholders kept) and .mo current."""
    template = template if template is not None else extract()
    problems: list[Problem] = []
    for lang in languages:
        if not po_path(lang).exists():
            problems.append(Problem(lang, "", f"no catalog at {po_path(lang)}"))
            continue
        catalog = load_po(lang)
        by_key = {_key(m): m for m in catalog if m.id}
        for source in template:
            if source.id:
                problems.extend(
                    check_message(lang, source, by_key.get(_key(source)), catalog.num_plurals)
                )
        path = mo_path(lang)
        if not path.exists():
            problems.append(Problem(lang, "", f"no compiled catalog at {path}"))
        elif mo_messages(path.read_bytes()) != mo_messages(compile_mo(catalog)):
            problems.append(Problem(lang, "", f"{path.name} is stale: run scripts/i18n.py compile"))
    return problems


# --- translation exchange (for translators working on all languages at once) ----------------

def todo(template: Catalog | None = None) -> dict[str, Any]:
    """Messages lacking a good translation somewhere: ``{msgid: {where, missing, plural?}}``."""
    template = template if template is not None else extract()
    table: dict[str, Any] = {}
    for lang in TRANSLATED:
        catalog = load_po(lang)
        by_key = {_key(m): m for m in catalog if m.id}
        for source in template:
            if not source.id or not check_message(
                lang, source, by_key.get(_key(source)), catalog.num_plurals
            ):
                continue
            entry = table.setdefault(_key(source)[0], {
                "where": sorted({f for f, _line in source.locations}), "missing": [],
            })
            if isinstance(source.id, tuple):
                entry["plural"] = source.id[1]
            if source.auto_comments:
                entry["note"] = " ".join(source.auto_comments)
            entry["missing"].append(lang)
    return table


def apply(translations: dict[str, dict[str, Any]]) -> list[str]:
    """Fill translations from ``{msgid: {lang: text or [plural forms]}}`` into the .po files."""
    written = []
    for lang in TRANSLATED:
        catalog = load_po(lang)
        changed = False
        for msgid, entry in translations.items():
            value = entry.get(lang)
            if not value:
                continue
            message = next((m for m in catalog if m.id and _key(m)[0] == msgid), None)
            if message is None:
                continue
            if isinstance(message.id, tuple):
                forms = [value] if isinstance(value, str) else list(value)
                forms += [forms[-1]] * (catalog.num_plurals - len(forms))
                message.string = tuple(forms[: catalog.num_plurals])
            else:
                message.string = value if isinstance(value, str) else value[0]
            message.flags.discard("fuzzy")
            changed = True
        if changed and save_po(lang, catalog):
            written.append(str(po_path(lang)))
    return written


def load_translations(path: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object of msgid -> {{lang: text}}")
    return data


# --- unmarked UI strings (a heuristic lint for reviewers) ------------------------------------

_MARKERS = {"_", "N_", "ngettext"}
# Widgets and calls whose string arguments are shown to the user.
_SHOWN_ALL_ARGS = {"Static", "Label", "Button", "Option", "Tab", "TabPane", "Checkbox",
                   "RadioButton", "ListItem", "Collapsible", "Link", "Placeholder"}
_SHOWN_FIRST_ARG = {"notify", "Text", "Content", "append", "update", "write", "set_title",
                    "Markdown", "Hit", "DiscoveryHit", "Entry", "from_markup"}
_SHOWN_KEYWORDS = {"title", "sub_title", "description", "placeholder", "tooltip", "label",
                   "prompt", "message", "help", "text", "border_title", "border_subtitle"}
_SHOWN_ATTRIBUTES = {"title", "sub_title", "border_title", "border_subtitle", "tooltip",
                     "placeholder", "TITLE", "SUB_TITLE"}
_NOT_WORDS = re.compile(r"^[\W\d_]*$|^[a-z0-9_.+#:$/-]+$")  # ids, keys, actions, CSS, symbols


def _shown_text(node: ast.AST) -> str | None:
    """The literal text of a string or f-string node if it reads as words, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
    else:
        return None
    text = text.strip()
    return None if not text or _NOT_WORDS.match(text) else text


def unmarked_strings(source_dir: Path) -> list[tuple[str, int, str]]:
    """String literals a user would see that are not wrapped in ``_()``/``N_()``: heuristic,
    for review; returns (file, line, text)."""
    found: list[tuple[str, int, str]] = []
    for path in sorted(source_dir.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except (SyntaxError, UnicodeDecodeError):
            continue
        rel = path.relative_to(source_dir.parent).as_posix()

        def report(node: ast.AST, rel: str = rel) -> None:
            text = _shown_text(node)
            if text is not None:
                found.append((rel, getattr(node, "lineno", 0), text))

        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else (
                    func.attr if isinstance(func, ast.Attribute) else "")
                if name in _MARKERS:
                    continue
                if name == "Binding" and len(node.args) >= 3:
                    report(node.args[2])
                elif name in _SHOWN_ALL_ARGS:
                    for arg in node.args:
                        report(arg)
                elif name in _SHOWN_FIRST_ARG and node.args:
                    report(node.args[0])
                for kw in node.keywords:
                    if kw.arg in _SHOWN_KEYWORDS:
                        report(kw.value)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    attr = target.attr if isinstance(target, ast.Attribute) else (
                        target.id if isinstance(target, ast.Name) else "")
                    if attr in _SHOWN_ATTRIBUTES and node.value is not None:
                        report(node.value)
    return found
