"""Reporting periods: ``2026Q1`` … ``2026Q4`` (季度台帐) and ``2026Y`` (年度工作总结).

A period has its span (start, end) and two local dates: ``due`` (on time when first submitted
by the end of that day) and ``lock`` (no saving or submitting after that day, unless an
exception or a return). The default dates come from ``data/followup/workflow.yml``; the
organizer edits each period's dates in the store.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from .workflow import workflow

_KEY = re.compile(r"(\d{4})(?:Q([1-4])|Y)")
_QUARTER_ZH = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True)
class Period:
    """One reporting period.

    Attributes
    ----------
    key : str
        ``2026Q2`` or ``2026Y``.
    year : int
    quarter : int or None
        1–4, or None for the yearly summary.
    start, end : date
        The span the period reports on (the year for ``…Y``).
    due : date
        A first submission on or before this local date is on time.
    lock : date
        After this local date the ledger can no longer be saved or submitted.
    """

    key: str
    year: int
    quarter: int | None
    start: date
    end: date
    due: date
    lock: date

    @property
    def yearly(self) -> bool:
        """Whether this is the yearly summary (``…Y``)."""
        return self.quarter is None

    def label(self, lang: str = "zh") -> str:
        """The period's name, see :func:`period_label`."""
        return period_label(self.key, lang)

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls in the period's span."""
        return self.start <= day <= self.end


def parse_period_key(key: str) -> tuple[int, int | None]:
    """``"2026Q2"`` → ``(2026, 2)``, ``"2026Y"`` → ``(2026, None)``.

    Raises
    ------
    ValueError
        Not a period key; the message names it.
    """
    m = _KEY.fullmatch(str(key).strip()) if isinstance(key, str) else None
    if m is None:
        raise ValueError(f"not a period key: {key!r} (expected like 2026Q1 … 2026Q4 or 2026Y)")
    return int(m.group(1)), (int(m.group(2)) if m.group(2) else None)


def period_key(year: int, quarter: int | None = None) -> str:
    """``(2026, 2)`` → ``"2026Q2"``, ``(2026, None)`` → ``"2026Y"``."""
    if quarter is None:
        return f"{int(year)}Y"
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1–4, not {quarter!r}")
    return f"{int(year)}Q{quarter}"


def period_order(key: str) -> tuple[int, int]:
    """A sort key: the quarters of a year, then its yearly summary, then the next year."""
    year, quarter = parse_period_key(key)
    return year, quarter if quarter is not None else 5


def span(year: int, quarter: int | None) -> tuple[date, date]:
    """The first and last day a period reports on."""
    if quarter is None:
        return date(year, 1, 1), date(year, 12, 31)
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return date(year, first_month, 1), date(
        year, last_month, calendar.monthrange(year, last_month)[1]
    )


def _offset(end: date, rule: dict[str, Any]) -> date:
    months = int(rule.get("months_after", 1))
    index = end.year * 12 + (end.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    day = rule.get("day", "end")
    return date(year, month, last if day == "end" else min(int(day), last))


def default_period(key: str) -> Period:
    """The period ``key`` with the default due and lock dates of the workflow file.

    Raises
    ------
    ValueError
        ``key`` is not a period key.
    """
    year, quarter = parse_period_key(key)
    start, end = span(year, quarter)
    rules = workflow()["periods"]["year" if quarter is None else "quarter"]
    return Period(
        key, year, quarter, start, end, _offset(end, rules["due"]), _offset(end, rules["lock"])
    )


def default_periods(year: int) -> list[Period]:
    """The five periods of ``year`` (Q1–Q4, then Y) with the default dates.

    Q1 is due on 04-15 and locks on 04-30; the yearly summary is due on 01-15 of the next year
    and locks on 01-25 (``data/followup/workflow.yml``).
    """
    return [default_period(period_key(year, q)) for q in (1, 2, 3, 4, None)]


def previous_key(key: str) -> str | None:
    """The period before ``key`` of the same kind: 2026Q2 → 2026Q1, 2026Q1 → 2025Q4, 2026Y → 2025Y."""
    year, quarter = parse_period_key(key)
    if quarter is None:
        return period_key(year - 1)
    return period_key(year, quarter - 1) if quarter > 1 else period_key(year - 1, 4)


def period_label(key: str, lang: str = "zh") -> str:
    """The name of a period for people.

    ``"2026Q2"`` → ``"2026年第二季度"`` / ``"2026 Q2"``; ``"2026Y"`` → ``"2026年度工作总结"`` /
    ``"2026 yearly summary"``.

    Raises
    ------
    ValueError
        ``key`` is not a period key.
    """
    year, quarter = parse_period_key(key)
    if lang == "zh":
        return f"{year}年度工作总结" if quarter is None else f"{year}年第{_QUARTER_ZH[quarter]}季度"
    return f"{year} yearly summary" if quarter is None else f"{year} Q{quarter}"


def as_period(period: Period | str) -> Period:
    """``period`` itself, or the default period of a key."""
    return period if isinstance(period, Period) else default_period(period)
