"""UI translations: every marked string translated in every catalog, compiled catalogs in
sync, live language switching, and locale-aware formatting."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from termnews.i18n import (
    LANGUAGES,
    _,
    catalogs,
    language,
    ngettext,
    resolve_language,
    set_language,
)
from termnews.i18n.format import (
    format_compact,
    format_date,
    format_datetime,
    format_number,
    format_time,
    language_name,
    relative_time,
)

NOW = datetime(2026, 11, 27, 18, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    set_language("en")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> list[Message]:
    """The source strings, extracted in-process into a .pot and read back."""
    pot = tmp_path_factory.mktemp("pot") / "termnews.pot"
    catalogs.write_template(pot)
    with pot.open("rb") as fh:
        return [m for m in read_po(fh) if m.id]


def test_extraction_finds_the_ui_strings(template: list[Message]) -> None:
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template}
    assert "just now" in ids  # i18n/format.py
    assert any(f.startswith("termnews/ui/") for m in template for f, _line in m.locations)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_marked_string_is_translated(lang: str, template: list[Message]) -> None:
    catalog = catalogs.load_po(lang)
    assert catalogs.po_path(lang).exists()
    problems = []
    for source in template:
        key = source.id if isinstance(source.id, str) else source.id[0]
        problems += catalogs.check_message(lang, source, catalog.get(key, source.context),
                                           catalog.num_plurals)
    assert not problems, (
        f"{len(problems)} untranslated in {lang} (python scripts/i18n.py update, translate, "
        "then compile):\n" + "\n".join(map(str, problems[:40]))
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_po(lang: str) -> None:
    path = catalogs.mo_path(lang)
    assert path.exists(), f"{path} missing: python scripts/i18n.py compile"
    compiled = catalogs.mo_messages(catalogs.compile_mo(catalogs.load_po(lang)))
    shipped = catalogs.mo_messages(path.read_bytes())
    assert shipped == compiled, f"{path.name} for {lang} is stale: python scripts/i18n.py compile"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_placeholders_survive_translation(lang: str) -> None:
    for message in catalogs.load_po(lang):
        if not message.id or not message.string:
            continue
        if isinstance(message.id, tuple):
            allowed = catalogs.placeholders(message.id[0]) | catalogs.placeholders(message.id[1])
            for form in message.string:
                assert not catalogs.placeholders(form) - allowed, (lang, message.id, form)
        else:
            assert catalogs.placeholders(message.string) == catalogs.placeholders(message.id), (
                lang, message.id, message.string)


def test_whole_check_passes() -> None:
    """What ``python scripts/i18n.py check`` runs."""
    problems = catalogs.check()
    assert not problems, "\n".join(map(str, problems[:40]))


# --- the checker itself -----------------------------------------------------------------------

def _msg(msgid: str | tuple[str, str], string: str | tuple[str, ...] = "",
         fuzzy: bool = False) -> Message:
    return Message(msgid, string, flags=["fuzzy"] if fuzzy else [])


def test_checker_flags_missing_empty_fuzzy_and_placeholders() -> None:
    src = _msg("Feed added: {url}")
    assert catalogs.check_message("de", src, None, 2)[0].what == "missing"
    assert catalogs.check_message("de", src, _msg("Feed added: {url}", "  "), 2)[0].what == (
        "untranslated")
    fuzzy = _msg("Feed added: {url}", "Feed hinzugefügt: {url}", fuzzy=True)
    assert catalogs.check_message("de", src, fuzzy, 2)[0].what == "fuzzy"
    dropped = _msg("Feed added: {url}", "Feed hinzugefügt")
    assert "placeholders" in catalogs.check_message("de", src, dropped, 2)[0].what
    renamed = _msg("Feed added: {url}", "Feed hinzugefügt: {adresse}")
    assert catalogs.check_message("de", src, renamed, 2)
    good = _msg("Feed added: {url}", "Feed hinzugefügt: {url}")
    assert catalogs.check_message("de", src, good, 2) == []


def test_checker_plural_forms() -> None:
    src = _msg(("{n} new article", "{n} new articles"))
    ok = _msg(src.id, ("{n} новая статья", "{n} новые статьи", "{n} новых статей"))
    assert catalogs.check_message("ru", src, ok, 3) == []
    short = _msg(src.id, ("{n} новая статья", "{n} новые статьи"))
    assert catalogs.check_message("ru", src, short, 3)
    unknown = _msg(src.id, ("{n} статья", "{count} статьи", "{n} статей"))
    assert catalogs.check_message("ru", src, unknown, 3)


def test_placeholders_parse_both_styles() -> None:
    assert catalogs.placeholders("{a} and %s and %(b)d, {{literal}} 100%%") == {
        "{a}": 1, "%s": 1, "%(b)d": 1}


def test_stale_compiled_catalog_is_detected() -> None:
    catalog = catalogs.load_po("de")
    message = next(m for m in catalog if m.id and m.string)
    message.string = "etwas anderes" if isinstance(message.id, str) else ("x", "y")
    assert catalogs.mo_messages(catalogs.compile_mo(catalog)) != catalogs.mo_messages(
        catalogs.mo_path("de").read_bytes())


def test_extraction_sees_all_keywords_and_fstrings(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "mod.py").write_text(
        "from termnews.i18n import _, N_, ngettext\n"
        "LABEL = N_('Marked for later')\n"
        "def f(n: int, t: str) -> str:\n"
        "    a = _('Plain call')\n"
        "    b = ngettext('{n} item', '{n} items', n)\n"
        "    return f\"{_('Inside an f-string')}: {t}\" + a + b\n",
        encoding="utf-8",
    )
    found = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogs.extract(pkg) if m.id}
    assert found == {"Marked for later", "Plain call", "{n} item", "Inside an f-string"}


# --- runtime ----------------------------------------------------------------------------------

def test_set_language_switches_translations_live() -> None:
    assert set_language("ru") == "ru" and language() == "ru"
    assert _("just now") == "только что"
    set_language("de")
    assert _("just now") == "gerade eben"
    set_language("en")
    assert _("just now") == "just now"
    assert set_language("xx") == "en"  # unknown languages fall back to English
    assert _("just now") == "just now"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalog_loads_as_gettext(lang: str) -> None:
    with catalogs.mo_path(lang).open("rb") as fh:
        translations = gettext.GNUTranslations(fh)
    assert translations.info()["language"] == lang
    set_language(lang)
    msgid = next(m.id for m in catalogs.load_po(lang) if isinstance(m.id, str) and m.id)
    assert _(msgid) == translations.gettext(msgid) != ""


def test_resolve_language() -> None:
    assert resolve_language("edition", "ru") == "ru"
    assert resolve_language("edition", "ar") == "en"  # no catalog: English
    assert resolve_language("edition", None) == "en"
    assert resolve_language("de", "ru") == "de"
    assert resolve_language("klingon", "ru") == "en"


def test_russian_plural_rule() -> None:
    with catalogs.mo_path("ru").open("rb") as fh:
        ru = gettext.GNUTranslations(fh)
    forms = {n: ru.plural(n) for n in (1, 2, 5, 11, 21, 22, 25)}  # type: ignore[attr-defined]
    assert forms == {1: 0, 2: 1, 5: 2, 11: 2, 21: 0, 22: 1, 25: 2}
    set_language("ru")
    # Untranslated plurals fall back to English with the English rule.
    assert ngettext("{n} thing nobody marked", "{n} things nobody marked", 1) == (
        "{n} thing nobody marked")
    # A real plural message takes the Russian rule's three forms.
    marked = {n: ngettext("{n} article marked read", "{n} articles marked read", n)
              for n in (1, 3, 5, 21)}
    assert marked[1] == marked[21] != marked[3] != marked[5] != marked[1]
    assert "статья" in marked[1] and "статьи" in marked[3] and "статей" in marked[5]
    set_language("en")
    assert ngettext("{n} article marked read", "{n} articles marked read", 1).format(n=1) == (
        "1 article marked read")
    # English messages whose source text is plural-only still say "1 feed", "1 article".
    assert ngettext("exported {n} feeds to {file}", "exported {n} feeds to {file}", 1).format(
        n=1, file="x.opml") == "exported 1 feed to x.opml"
    assert ngettext("{n} articles", "{n} articles", 1).format(n=1) == "1 article"
    assert ngettext("{n} articles", "{n} articles", 2).format(n=2) == "2 articles"


# --- formatting -------------------------------------------------------------------------------

def test_relative_time_in_each_language() -> None:
    two_min = NOW - timedelta(minutes=2)
    assert relative_time(two_min, "en", now=NOW) == "2 min. ago"
    assert relative_time(two_min, "ru", now=NOW) == "2 мин. назад"
    assert relative_time(two_min, "de", now=NOW) == "vor 2 Min."
    assert relative_time(NOW - timedelta(hours=5), "fr", now=NOW) == "il y a 5\xa0h"
    assert relative_time(NOW - timedelta(days=3), "es", now=NOW) == "hace 3 d"
    assert relative_time(NOW - timedelta(days=3), "pt", now=NOW) == "há 3 dias"


def test_relative_time_just_now_and_ui_language() -> None:
    assert relative_time(NOW - timedelta(seconds=10), "ru", now=NOW) == "только что"
    set_language("de")
    assert relative_time(NOW - timedelta(minutes=2), now=NOW) == "vor 2 Min."
    assert relative_time(NOW.replace(tzinfo=None) - timedelta(minutes=2), now=NOW) == "vor 2 Min."


def test_dates_follow_the_locale() -> None:
    assert format_date(NOW, "ru", tz=UTC) == "27 нояб. 2026\u202fг."
    assert format_date(NOW, "de", tz=UTC) == "27.11.2026"
    assert format_date(NOW, "en", tz=UTC) == "Nov 27, 2026"
    assert format_datetime(NOW, "de", tz=UTC) == "27.11.26, 18:05"
    assert format_datetime(NOW, "fr", tz=UTC) == "27/11/2026 18:05"
    assert format_time(NOW, "ru", tz=UTC) == "18:05"
    # Local time: the same instant three hours east.
    from datetime import timezone

    assert format_time(NOW, "ru", tz=timezone(timedelta(hours=3))) == "21:05"


def test_compact_list_time() -> None:
    assert format_compact(NOW - timedelta(hours=1), "de", now=NOW, tz=UTC) == "17:05"
    assert format_compact(NOW - timedelta(hours=1), "en", now=NOW, tz=UTC) == "17:05"
    assert format_compact(NOW - timedelta(days=2), "de", now=NOW, tz=UTC) == "25.11"
    assert format_compact(NOW - timedelta(days=2), "ru", now=NOW, tz=UTC) == "25.11"
    assert format_compact(NOW - timedelta(days=2), "en", now=NOW, tz=UTC) == "11/25"
    assert format_compact(NOW - timedelta(days=2), "fr", now=NOW, tz=UTC) == "25/11"


def test_numbers_follow_the_locale() -> None:
    assert format_number(1234567, "en") == "1,234,567"
    assert format_number(1234567, "de") == "1.234.567"
    assert format_number(1234567, "ru") == "1\xa0234\xa0567"
    assert format_number(2.5, "fr") == "2,5"


def test_language_names_in_their_own_language() -> None:
    assert [language_name(lang) for lang in LANGUAGES] == [
        "English", "Русский", "Deutsch", "Français", "Português", "Español"]
    assert language_name("uk") == "Українська"  # any CLDR language, capitalised
    assert language_name("zz-nope") == "zz-nope"


def test_formatting_output_has_no_bidi_marks() -> None:
    text = format_datetime(NOW, "ar", tz=UTC) + format_date(NOW, "he", tz=UTC)
    assert not set(text) & set("\u200e\u200f\u061c")


# --- unmarked strings -------------------------------------------------------------------------

def test_lint_finds_unmarked_ui_strings(tmp_path: Path) -> None:
    ui = tmp_path / "ui"
    ui.mkdir()
    (ui / "screen.py").write_text(
        "B = [Binding('q', 'quit', 'Quit the app'), Binding('r', 'refresh', _('Refresh'))]\n"
        "def compose(self, n):\n"
        "    self.notify(f'Fetched {n} feeds')\n"
        "    self.notify(_('Done'))\n"
        "    yield Label('Sections', id='sections-label')\n"
        "    yield Static('', id='x')\n"
        "    self.border_title = 'Article list'\n"
        "    self.sub_title = _('Fine')\n",
        encoding="utf-8",
    )
    found = {(line, text) for _file, line, text in catalogs.unmarked_strings(ui)}
    assert found == {(1, "Quit the app"), (3, "Fetched  feeds"), (5, "Sections"),
                     (7, "Article list")}


def test_ui_has_no_unmarked_strings() -> None:
    """The TUI is fully translated: user-visible literals in ui/ go through _() or N_()."""
    hits = catalogs.unmarked_strings(catalogs.PACKAGE_DIR / "ui")
    assert not hits, "wrap in _(): " + "; ".join(f"{f}:{n} {t!r}" for f, n, t in hits)


def test_update_remembers_translations_of_strings_that_come_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from babel.messages.catalog import Catalog

    monkeypatch.setattr(catalogs, "LOCALE_DIR", tmp_path / "locale")

    def template(*ids: str | tuple[str, str]) -> Catalog:
        t = Catalog(domain="termnews", fuzzy=False)
        for msgid in ids:
            t.add(msgid, None, [("termnews/ui/x.py", 1)])
        return t

    plural = ("{n} new article", "{n} new articles")
    catalogs.update(template("Refresh", "Quit", plural))
    catalogs.apply({"Refresh": {"de": "Aktualisieren"}, "Quit": {"de": "Beenden"},
                    plural[0]: {"de": ["{n} neuer Artikel", "{n} neue Artikel"]}})
    catalogs.update(template("Refresh"))  # "Quit" and the plural leave the code for a while
    de = catalogs.load_po("de")
    assert de.get("Quit") is None and "Quit" in de.obsolete
    catalogs.update(template("Refresh", "Quit", plural))  # ... and come back
    de = catalogs.load_po("de")
    assert de.get("Quit").string == "Beenden"  # type: ignore[union-attr]
    assert de.get(plural[0]).string == ("{n} neuer Artikel", "{n} neue Artikel")  # type: ignore[union-attr]
    assert not de.get("Quit").fuzzy  # type: ignore[union-attr]
    en = catalogs.load_po("en")
    assert en.get(plural[0]).string == plural  # type: ignore[union-attr]
