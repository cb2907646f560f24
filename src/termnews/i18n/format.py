"""Locale-aware dates, relative times and numbers for the UI, through Babel.

Every helper takes a language code; without one it uses the current UI language
(``termnews.i18n.language()``), so the UI follows a live language switch.

Babel is imported inside the functions: its locale data is only loaded when a
date or number is first shown, not at start-up.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from typing import TYPE_CHECKING

from termnews.i18n import N_, language, translations

if TYPE_CHECKING:
    from babel import Locale

# Our language codes -> Babel locales. "pt" is Babel's "pt", which is CLDR's
# Brazilian Portuguese (pt_BR); the UI catalog is written in Brazilian usage too.
BABEL_LOCALES: dict[str, str] = {
    "en": "en",
    "ru": "ru",
    "de": "de",
    "fr": "fr",
    "pt": "pt",
    "es": "es",
}

# Each language's name in that language, as shown on the edition tabs.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "de": "Deutsch",
    "fr": "Français",
    "pt": "Português",
    "es": "Español",
}

# Anything closer than this counts as "just now" (Babel would say "0 seconds ago").
_JUST_NOW = timedelta(seconds=45)
JUST_NOW = N_("just now")

# CLDR puts bidi marks into some locales' patterns (Arabic, Hebrew); Textual has no bidi.
_BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
                                     "\u2066\u2067\u2068\u2069"))


def _plain(text: str) -> str:
    return text.translate(_BIDI_MARKS)


def babel_locale(lang: str | None = None) -> Locale:
    """The Babel locale for one of our codes (or any CLDR code); the UI language by default."""
    return _babel_locale(lang or language())


@cache
def _babel_locale(lang: str) -> Locale:
    from babel import Locale, UnknownLocaleError

    code = BABEL_LOCALES.get(lang, lang.replace("-", "_"))
    try:
        return Locale.parse(code or "en")
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale.parse("en")


def _local(dt: datetime, tz: tzinfo | None) -> datetime:
    """``dt`` in ``tz`` (the machine's local zone by default); naive datetimes are UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(tz) if tz is not None else dt.astimezone()


def format_datetime(dt: datetime, lang: str | None = None, *, tz: tzinfo | None = None) -> str:
    """Short date and time in local time: "11/27/26, 6:05 PM", "27.11.2026, 18:05"."""
    from babel.dates import format_datetime as babel_format

    local = _local(dt, tz)
    return _plain(babel_format(local, "short", tzinfo=local.tzinfo, locale=babel_locale(lang)))


def format_date(dt: datetime, lang: str | None = None, *, tz: tzinfo | None = None) -> str:
    """Medium date in local time: "Nov 27, 2026", "27 нояб. 2026 г.", "27.11.2026"."""
    from babel.dates import format_date as babel_format

    return _plain(babel_format(_local(dt, tz).date(), "medium", locale=babel_locale(lang)))


def format_time(dt: datetime, lang: str | None = None, *, tz: tzinfo | None = None) -> str:
    """Short time of day in local time: "6:05 PM", "18:05"."""
    from babel.dates import format_time as babel_format

    local = _local(dt, tz)
    return _plain(babel_format(local, "short", tzinfo=local.tzinfo, locale=babel_locale(lang)))


def format_compact(dt: datetime, lang: str | None = None, *, now: datetime | None = None,
                   tz: tzinfo | None = None) -> str:
    """Five cells for article lists: the 24-hour time today ("18:05"), else the day and month
    in the locale's order ("11/25", "25.11", "25/11")."""
    from babel.dates import format_skeleton

    local = _local(dt, tz)
    today = _local(now if now is not None else datetime.now(UTC), tz).date()
    skeleton = "Hm" if local.date() == today else "Md"
    text = format_skeleton(skeleton, local, tzinfo=local.tzinfo, locale=babel_locale(lang))
    return _plain(text).rstrip(".")


def relative_time(dt: datetime, lang: str | None = None, now: datetime | None = None) -> str:
    """How long ago ``dt`` was: "2 min. ago", "2 мин. назад", "vor 2 Min."."""
    from babel.dates import format_timedelta

    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    delta = dt - now  # negative for the past: Babel then says "ago"
    if abs(delta) < _JUST_NOW:
        return translations(lang or language()).gettext(JUST_NOW)
    return _plain(format_timedelta(delta, granularity="minute", add_direction=True,
                                   format="short", locale=babel_locale(lang)))


def format_number(n: float, lang: str | None = None) -> str:
    """A number with the locale's separators: "1,234", "1 234", "1.234"."""
    from babel.numbers import format_decimal

    return _plain(format_decimal(n, locale=babel_locale(lang)))


def language_name(lang: str) -> str:
    """A language's name in that language: "Русский" for ru; the code itself if unknown."""
    name = LANGUAGE_NAMES.get(lang)
    if name is not None:
        return name
    from babel import Locale, UnknownLocaleError

    try:
        display = Locale.parse(lang.replace("-", "_")).get_display_name()
    except (ValueError, TypeError, UnknownLocaleError):
        display = None
    return display[:1].upper() + display[1:] if display else lang
