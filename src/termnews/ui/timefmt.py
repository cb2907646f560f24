"""Times as the UI shows them: short in the article list, relative in the masthead.

``now`` is the one clock the UI reads, so tests can fix it. Relative times come
from the I18N engine (``termnews.i18n.format.relative_time``) when it is there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from termnews.i18n import _


def _system_now() -> datetime:
    return datetime.now(UTC)


now: Callable[[], datetime] = _system_now


def list_time(dt: datetime | None) -> str:
    """Five cells: the local time today, else month-day."""
    if dt is None:
        return ""
    local = dt.astimezone()
    today = now().astimezone()
    if local.date() == today.date():
        return local.strftime("%H:%M")
    return local.strftime("%m-%d")


def relative(dt: datetime | None) -> str:
    """"2 min ago", in the UI language."""
    if dt is None:
        return _("never")
    try:
        from termnews.i18n.format import relative_time
    except ImportError:
        relative_time = None
    if relative_time is not None:
        try:
            return str(relative_time(dt, now=now()))
        except TypeError:
            return str(relative_time(dt))
    seconds = max(0, int((now() - dt).total_seconds()))
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        return _("{n} min ago").format(n=seconds // 60)
    if seconds < 86400:
        return _("{n} h ago").format(n=seconds // 3600)
    return _("{n} d ago").format(n=seconds // 86400)
