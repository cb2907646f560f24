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


def set_language(lang: str) -> str:
    """Switch the UI language; unknown languages fall back to English. Returns the one in use."""
    global _current, _language
    lang = lang if lang in LANGUAGES else "en"
    _current = gettext.translation(DOMAIN, _locale_dir(), languages=[lang], fallback=True)
    _language = lang
    return lang


def language() -> str:
    return _language


def _(message: str) -> str:
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message
