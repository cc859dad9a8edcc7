"""The follow-up stage's "today" and local dates (Asia/Shanghai).

Due and lock dates are local dates that include their whole day; timestamps are stored in UTC.
``$SCORING_TODAY`` (``YYYY-MM-DD``) fixes today for the demo and the tests.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

#: The environment variable that fixes :func:`today`.
TODAY_ENV = "SCORING_TODAY"


def _shanghai() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Shanghai")
    except Exception:  # no tz database: China has kept UTC+8 without DST since 1991
        return timezone(timedelta(hours=8), "Asia/Shanghai")


#: The local time zone of the programme.
LOCAL_TZ: tzinfo = _shanghai()


def today() -> date:
    """Today's local date (Asia/Shanghai), or ``$SCORING_TODAY`` when it is set.

    Raises
    ------
    ValueError
        ``$SCORING_TODAY`` is set but is not a ``YYYY-MM-DD`` date; the message names it.
    """
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if fixed:
        try:
            return date.fromisoformat(fixed)
        except ValueError:
            raise ValueError(f"{TODAY_ENV}={fixed!r} is not a YYYY-MM-DD date") from None
    return datetime.now(LOCAL_TZ).date()


def now_utc() -> datetime:
    """The current time, timezone-aware in UTC (what the store records)."""
    return datetime.now(UTC)


def local_date(timestamp: str | datetime | date) -> date:
    """The local (Asia/Shanghai) date of a timestamp.

    Parameters
    ----------
    timestamp : str, datetime or date
        An ISO 8601 timestamp (``2026-04-15T16:30:00Z``, ``…+00:00``); a naive one is UTC.
        A ``date`` (not a datetime) is returned unchanged.

    Raises
    ------
    ValueError
        The string is not an ISO 8601 timestamp.
    """
    if isinstance(timestamp, datetime):
        ts = timestamp
    elif isinstance(timestamp, date):
        return timestamp
    else:
        text = str(timestamp).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            ts = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO 8601 timestamp: {timestamp!r}") from None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(LOCAL_TZ).date()
