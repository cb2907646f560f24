"""The CLI speaks the user's language: real commands against the loopback feed server.

Human lines (summaries, confirmations, errors, help) follow ``ui.language`` or, when it
is "edition", the locale environment; ``--json`` output, the feed errors refresh records
and exit codes are the same in every language.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_support import cli, jsonl
from feedserver import FeedServer, make_rss
from termnews.i18n import LANGUAGES, environment_language, language, translations
from termnews.paths import resolve_paths

LOCALES = {"en": "en_US.UTF-8", "ru": "ru_RU.UTF-8", "de": "de_DE.UTF-8",
           "fr": "fr_FR.UTF-8", "pt": "pt_BR.UTF-8", "es": "es_ES.UTF-8"}


def speak(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """The user's locale environment (conftest unsets LANGUAGE, LC_ALL and LC_MESSAGES)."""
    monkeypatch.setenv("LANG", LOCALES[lang])


def serve(server: FeedServer) -> dict[str, str]:
    """Two healthy feeds (3 + 2 items) and one that always answers HTTP 500."""
    return {
        "a": server.add("/a.xml", make_rss(1, 3)),
        "b": server.add("/b.xml", make_rss(2, 2)),
        "broken": server.status("/broken.xml", 500),
    }


# What each language says for: 3 feeds added; the refresh of serve()'s feeds; a bad URL.
EXPECTED = {
    "en": ("added 3 feeds\n",
           "refreshed 3 feeds: 2 ok, 1 failed, 0 unchanged, 5 new articles\n",
           "termnews: not an http(s) feed URL: ftp://x\n"),
    "ru": ("добавлены 3 ленты\n",
           "обновлены 3 ленты: успешно 2, с ошибкой 1, без изменений 0, 5 новых статей\n",
           "termnews: не URL ленты по http(s): ftp://x\n"),
    "de": ("3 Feeds hinzugefügt\n",
           "3 Feeds aktualisiert: 2 ok, 1 fehlgeschlagen, 0 unverändert, 5 neue Artikel\n",
           "termnews: keine http(s)-Feed-URL: ftp://x\n"),
    "fr": ("3 flux ajoutés\n",
           "3 flux actualisés : 2 réussis, 1 en échec, 0 inchangés, 5 nouveaux articles\n",
           "termnews: pas une URL de flux http(s) : ftp://x\n"),
}


@pytest.mark.parametrize("lang", sorted(EXPECTED))
def test_refresh_summary_and_errors_in_the_locale_language(
    lang: str, feed_server: FeedServer, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    added, summary, bad_url = EXPECTED[lang]
    feeds = serve(feed_server)
    speak(monkeypatch, lang)
    assert cli(capsys, "feeds", "add", "--no-check", *feeds.values()) == (0, added, "")
    rc, out, err = cli(capsys, "refresh")
    assert (rc, out) == (0, summary)
    # The failed feed's line: the prefix and URL, then the recorded error as stored data.
    assert err == f"termnews: {feeds['broken']}: HTTP 500\n"
    assert cli(capsys, "feeds", "add", "--no-check", "ftp://x") == (2, "", bad_url)
    broken = [f for f in jsonl(cli(capsys, "feeds", "list", "--json")[1])
              if f["url"] == feeds["broken"]]
    assert broken[0]["error"] == "HTTP 500"


def test_every_feed_failing_is_an_error_line_in_russian(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = feed_server.status("/down.xml", 500)
    speak(monkeypatch, "ru")
    assert cli(capsys, "feeds", "add", "--no-check", url)[1] == "добавлена 1 лента\n"
    rc, out, err = cli(capsys, "refresh")
    assert rc == 1
    assert out == "обновлена 1 лента: успешно 0, с ошибкой 1, без изменений 0, 0 новых статей\n"
    assert err.splitlines() == [f"termnews: {url}: HTTP 500",
                                "termnews: все ленты завершились ошибкой (1 из 1)"]
    rc, _, err = cli(capsys, "--offline", "refresh")
    assert (rc, err) == (2, "termnews: для обновления нужна сеть, а --offline её запрещает\n")


def test_json_output_is_byte_identical_in_every_language(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feeds = serve(feed_server)
    assert cli(capsys, "feeds", "add", "--no-check", *feeds.values())[0] == 0
    assert cli(capsys, "refresh")[0] == 0
    first = jsonl(cli(capsys, "articles", "--json")[1])[0]["id"]
    commands = [("feeds", "list", "--json"), ("articles", "--json"), ("outlets", "--json"),
                ("show", str(first), "--json"), ("cache", "stats", "--json")]
    outputs: dict[str, list[tuple[int, str, str]]] = {}
    for lang in LANGUAGES:
        speak(monkeypatch, lang)
        outputs[lang] = [cli(capsys, *command) for command in commands]
    english = outputs["en"]
    assert all(rc == 0 and out and not err for rc, out, err in english)
    for lang in LANGUAGES:
        assert outputs[lang] == english, lang
    # …while the human form of the same data does change.
    speak(monkeypatch, "ru")
    listing = cli(capsys, "feeds", "list")[1]
    assert "ошибка: HTTP 500" in listing and "3 статьи" in listing
    assert "\nТеги: Section " in cli(capsys, "show", str(first))[1]
    speak(monkeypatch, "en")
    assert "\nTags: Section " in cli(capsys, "show", str(first))[1]


def test_config_language_wins_over_the_locale(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feeds = serve(feed_server)
    speak(monkeypatch, "ru")
    config = resolve_paths().ensure().config_file
    config.write_text('[ui]\nlanguage = "de"\n', encoding="utf-8")
    assert cli(capsys, "feeds", "add", "--no-check", feeds["a"], feeds["b"]) == (
        0, "2 Feeds hinzugefügt\n", "")
    assert cli(capsys, "refresh")[1] == (
        "2 Feeds aktualisiert: 2 ok, 0 fehlgeschlagen, 0 unverändert, 5 neue Artikel\n")
    assert "Jeden abonnierten Feed abrufen" in cli(capsys, "refresh", "--help")[1]
    # "edition" (the default) follows the locale again.
    config.write_text('[ui]\nlanguage = "edition"\n', encoding="utf-8")
    assert cli(capsys, "feeds", "remove", feeds["a"])[1] == "удалена 1 лента\n"
    # A language without a catalog means English.
    config.write_text('[ui]\nlanguage = "it"\n', encoding="utf-8")
    assert cli(capsys, "feeds", "remove", feeds["b"])[1] == "removed 1 feed\n"


def test_russian_plural_forms_for_1_3_5(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = feed_server.add("/many.xml", make_rss(7, 9))
    speak(monkeypatch, "ru")
    assert cli(capsys, "feeds", "add", "--no-check", url)[1] == "добавлена 1 лента\n"
    assert cli(capsys, "refresh")[1].endswith(", 9 новых статей\n")
    ids = [str(a["id"]) for a in jsonl(cli(capsys, "articles", "--json")[1])]
    assert cli(capsys, "mark", "read", *ids[:1])[1] == "1 статья отмечена прочитанной\n"
    assert cli(capsys, "mark", "read", *ids[1:4])[1] == "3 статьи отмечены прочитанными\n"
    assert cli(capsys, "mark", "read", *ids[4:9])[1] == "5 статей отмечено прочитанными\n"
    added = [cli(capsys, "--profile", f"p{n}", "feeds", "add", "--no-check",
                 *(f"http://127.0.0.1:9/{n}/{i}.xml" for i in range(n)))[1] for n in (1, 3, 5)]
    assert added == ["добавлена 1 лента\n", "добавлены 3 ленты\n", "добавлено 5 лент\n"]
    # 21 takes the singular form again, 11 the "many" one.
    assert translations("ru").ngettext("{n} new article", "{n} new articles", 21) == (
        "{n} новая статья")
    assert translations("ru").ngettext("{n} new article", "{n} new articles", 11) == (
        "{n} новых статей")


def test_a_broken_config_still_speaks_the_locale_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    speak(monkeypatch, "ru")
    resolve_paths().ensure().config_file.write_text("[ui\n", encoding="utf-8")
    rc, _, err = cli(capsys, "feeds", "list")
    assert rc == 1 and err.startswith("termnews: ") and "not valid TOML" in err
    rc, out, _ = cli(capsys, "--help")
    assert rc == 0 and "Читалка новостей для терминала" in out


def test_help_and_argument_errors_are_translated(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    speak(monkeypatch, "fr")
    rc, out, _ = cli(capsys, "--help")
    assert rc == 0 and "Un lecteur d’actualités pour le terminal" in out
    assert "ne jamais accéder au réseau" in out
    rc, _, err = cli(capsys, "articles", "--limit", "x")
    assert rc == 2 and "pas un nombre : 'x'" in err
    rc, _, err = cli(capsys, "mark", "read")
    assert (rc, err) == (2, "termnews: indiquez des identifiants d’articles ou --all\n")
    speak(monkeypatch, "es")
    assert "Descargar cada feed suscrito" in cli(capsys, "refresh", "--help")[1]


def test_the_language_is_restored_after_an_in_process_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    speak(monkeypatch, "ru")
    before = language()
    assert cli(capsys, "feeds", "add", "--no-check",
               "http://127.0.0.1:9/x.xml")[1] == "добавлена 1 лента\n"
    assert language() == before


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "ru_RU.UTF-8"}, "ru"),
    ({"LANG": "de_AT"}, "de"),
    ({"LC_MESSAGES": "fr_CA.UTF-8", "LANG": "de_DE.UTF-8"}, "fr"),
    ({"LC_ALL": "es_ES.UTF-8", "LC_MESSAGES": "fr_FR", "LANG": "de_DE"}, "es"),
    ({"LANGUAGE": "pt_BR:ru", "LC_ALL": "es_ES.UTF-8"}, "pt"),
    ({"LANGUAGE": "it:ru", "LANG": "de_DE"}, "ru"),  # the first entry with a catalog
    ({"LANGUAGE": "it", "LANG": "de_DE"}, "en"),
    ({"LANGUAGE": "", "LANG": "ru_RU.UTF-8"}, "ru"),  # set but empty: skipped
    ({"LC_ALL": "C", "LANG": "ru_RU.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "POSIX"}, "en"),
    ({"LANG": "ja_JP.UTF-8"}, "en"),
    ({}, "en"),
])
def test_environment_language(environ: dict[str, str], expected: str) -> None:
    assert environment_language(environ) == expected


def test_a_real_process_follows_lang(
    feed_server: FeedServer, tmp_path: Path,
) -> None:
    url = feed_server.add("/p.xml", make_rss(3, 4))
    env = {**os.environ, "LANG": "de_DE.UTF-8", "TERMNEWS_DATA_DIR": str(tmp_path / "proc")}
    env.pop("LANGUAGE", None)

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "termnews", *argv], env=env,
                              capture_output=True, text=True, timeout=120, check=False)

    assert run("feeds", "add", "--no-check", url).stdout == "1 Feed hinzugefügt\n"
    proc = run("refresh")
    assert (proc.returncode, proc.stdout) == (
        0, "1 Feed aktualisiert: 1 ok, 0 fehlgeschlagen, 0 unverändert, 4 neue Artikel\n")
    proc = run("show", "999999")
    assert (proc.returncode, proc.stderr) == (1, "termnews: kein Artikel mit der Nummer 999999\n")
