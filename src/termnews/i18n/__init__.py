"""UI translations through gettext, with compiled catalogs shipped in the package.

``_("Sections")`` translates into the current UI language; ``set_language``
switches it live (the TUI re-renders its labels after a switch). Strings in
class-level constants must be marked with ``N_`` and translated at render time.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping

DOMAIN = "termnews"
LANGUAGES: tuple[str, ...] = ("en", "ru", "de", "fr", "pt", "es")

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def _locale_dir() -> str:
    # Beside this file (the package is installed as files): importlib.resources would
    # import tempfile and zipfile into every command for this one path.
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")


_loaded: dict[str, gettext.NullTranslations] = {}


def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of one language (English, i.e. the source text, if there is none)."""
    lang = lang if lang in LANGUAGES else "en"
    found = _loaded.get(lang)
    if found is None:
        found = gettext.translation(DOMAIN, _locale_dir(), languages=[lang], fallback=True)
        _loaded[lang] = found
    return found


def set_language(lang: str) -> str:
    """Switch the UI language; unknown languages fall back to English. Returns the one in use."""
    global _current, _language
    lang = lang if lang in LANGUAGES else "en"
    _current = translations(lang)
    _language = lang
    return lang


def resolve_language(setting: str, edition_lang: str | None = None) -> str:
    """The UI language for the ``ui.language`` setting: ``"edition"`` follows the edition
    shown (English for a language without a catalog); anything else names a language."""
    wanted = edition_lang if setting == "edition" else setting
    return wanted if wanted in LANGUAGES else "en"


# Where gettext looks for the message language, in its order of precedence.
LOCALE_VARIABLES: tuple[str, ...] = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def environment_language(environ: Mapping[str, str] | None = None) -> str:
    """The message language the locale environment asks for, as gettext reads it: the first
    variable set decides (LANGUAGE may list several, "ru:de"); "C", "POSIX" or a language
    without a catalog means English."""
    env = os.environ if environ is None else environ
    for var in LOCALE_VARIABLES:
        value = env.get(var, "")
        if not value:
            continue
        for entry in value.split(":") if var == "LANGUAGE" else [value]:
            lang = entry.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
            if lang in LANGUAGES:
                return lang
        return "en"
    return "en"


def language() -> str:
    return _language


def _(message: str) -> str:
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message
