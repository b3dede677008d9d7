"""Moments as agents read them in the console: the journal's time zone, the page's language."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime

from idp.i18n import current_locale
from idp.services import journal


def when(timestamp: int | None) -> str:
    """ "5 déc. 2026, 14:03 +0100"; empty for no moment."""
    if timestamp is None:
        return ""
    moment = datetime.fromtimestamp(timestamp, journal.TIMEZONE)
    return format_datetime(moment, "d MMM y, HH:mm Z", locale=current_locale())
