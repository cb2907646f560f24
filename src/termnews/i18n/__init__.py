"""UI translations through gettext, with compiled catalogs shipped in the package.

``_("Sections")`` translates into the current UI language; ``set_language``
switches it live (the TUI re-renders its labels after a switch). Strings in
class-level constants must be marked with ``N_`` and translated at render time.
"""

from __future__ import annotations

import gettext
from importlib import resources

DOMAIN = "termnews"
LANGUAGES: tuple[str, ...] = ("en", "ru", "de", "fr", "pt", "es")

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def _locale_dir() -> str:
    return str(resources.files(__package__) / "locale")


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


def language() -> str:
    return _language


def _(message: str) -> str:
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message
