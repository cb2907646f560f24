"""Times as the UI shows them: short in the article list, relative in the masthead.

``now`` is the one clock the UI reads, so tests can fix it. Locale-aware forms
come from the I18N engine (``termnews.i18n.format``, Babel); Babel costs tens of
milliseconds to load, so the first frame uses plain forms and ``warm_up`` (run
in a worker right after it) switches to the locale's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from termnews.i18n import _


def _system_now() -> datetime:
    return datetime.now(UTC)


now: Callable[[], datetime] = _system_now
_locale_ready = False


def warm_up() -> bool:
    """Load the locale formats (Babel); True when they are used from now on."""
    global _locale_ready
    try:
        from termnews.i18n.format import format_compact, relative_time

        relative_time(now(), now=now())
        format_compact(now(), now=now())
    except Exception:  # no Babel data: keep the plain forms
        return False
    _locale_ready = True
    return True


def list_time(dt: datetime | None) -> str:
    """At most six cells: the local time today, else the day."""
    if dt is None:
        return ""
    if _locale_ready:
        from termnews.i18n.format import format_compact

        try:
            return format_compact(dt, now=now())[:6]
        except Exception:  # a date Babel cannot format: the plain form below
            pass
    local = dt.astimezone()
    today = now().astimezone()
    if local.date() == today.date():
        return local.strftime("%H:%M")
    return local.strftime("%m-%d")


def relative(dt: datetime | None) -> str:
    """"2 min ago", in the UI language."""
    if dt is None:
        return _("never")
    if _locale_ready:
        from termnews.i18n.format import relative_time

        return relative_time(dt, now=now())
    seconds = max(0, int((now() - dt).total_seconds()))
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        return _("{n} min ago").format(n=seconds // 60)
    if seconds < 86400:
        return _("{n} h ago").format(n=seconds // 3600)
    return _("{n} d ago").format(n=seconds // 86400)
