"""Timeliness of the ledgers (按期报送), counted as DHIS2 counts reporting rates.

The *first* submission of a period counts (a returned and resubmitted ledger keeps it):
``on_time`` when on or before the due date, ``late`` after it. Not submitted: ``missing`` once
the lock (or the project's exception date, if later) has passed, ``overdue`` when past due but
not yet locked, ``pending`` before the due date. Dates are local dates that include their day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from .clock import local_date

#: The statuses, in display order.
STATUSES = ("on_time", "late", "missing", "overdue", "pending")
#: The statuses that count as expected reports (the lock passed, or a report came).
EXPECTED = ("on_time", "late", "missing")

_EXPECTED_COLUMNS = ["project_id", "city", "kind", "period", "due", "lock", "exception_until"]


def _day(x: Any) -> date | None:
    """A local date from a date, a datetime / Timestamp (UTC when naive), an ISO string, or None."""
    if x is None or (not isinstance(x, str | date) and pd.isna(x)):
        return None
    if isinstance(x, pd.Timestamp):
        x = x.to_pydatetime()
    if isinstance(x, datetime):
        return local_date(x)
    if isinstance(x, date):
        return x
    s = str(x).strip()
    if not s:
        return None
    return date.fromisoformat(s) if len(s) == 10 else local_date(s)


def status_of(
    first_submitted: date | None,
    due: date,
    lock: date,
    today: date,
    exception_until: date | None = None,
) -> tuple[str, int]:
    """The status of one expected report and its days late (0 when on time or pending).

    Parameters
    ----------
    first_submitted : date or None
        The local date of the first submission.
    due, lock : date
    today : date
    exception_until : date, optional
        The organizer's exception: the report is not missing before this date passes.
    """
    if first_submitted is not None:
        late = (first_submitted - due).days
        return ("late", late) if late > 0 else ("on_time", 0)
    closes = max(lock, exception_until) if exception_until else lock
    if today > closes:
        return "missing", (today - due).days
    if today > due:
        return "overdue", (today - due).days
    return "pending", 0


def timeliness(expected: pd.DataFrame, first_submitted: pd.DataFrame, today: date) -> pd.DataFrame:
    """The status of every expected report.

    Parameters
    ----------
    expected : DataFrame
        ``project_id, city, kind, period, due, lock, exception_until`` (one row per project ×
        period; ``exception_until`` may be empty; other columns are kept).
    first_submitted : DataFrame
        ``project_id, period, first_submitted``: a local date, or a UTC timestamp (made local);
        projects × periods not listed were never submitted.
    today : date

    Returns
    -------
    DataFrame
        ``expected`` plus ``first_submitted`` (date or None), ``status`` (see :data:`STATUSES`)
        and ``days_late`` (int: after the due date; 0 for on time and pending).
    """
    exp = expected.copy()
    if "exception_until" not in exp.columns:
        exp["exception_until"] = None
    sub = first_submitted.loc[:, ["project_id", "period", "first_submitted"]].copy()
    sub["first_submitted"] = [_day(x) for x in sub["first_submitted"]]
    sub = sub.dropna(subset=["first_submitted"]).sort_values("first_submitted")
    sub = sub.drop_duplicates(["project_id", "period"], keep="first")
    exp = exp.drop(
        columns=[c for c in ("first_submitted", "status", "days_late") if c in exp.columns]
    )
    out = exp.merge(sub, on=["project_id", "period"], how="left")
    statuses, days = [], []
    for first, due, lock, exc in zip(
        out["first_submitted"], out["due"], out["lock"], out["exception_until"], strict=True
    ):
        s, d = status_of(_day(first), _day(due), _day(lock), today, _day(exc))  # type: ignore[arg-type]
        statuses.append(s)
        days.append(d)
    out["first_submitted"] = [_day(x) for x in out["first_submitted"]]
    out["status"] = statuses
    out["days_late"] = pd.Series(days, index=out.index, dtype="int64")
    return out


def rates(timeliness: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Reporting rates (DHIS2 reporting rate summary) per group.

    Parameters
    ----------
    timeliness : DataFrame
        The result of :func:`timeliness`.
    by : list of str
        Columns to group by (``["city"]``, ``["period"]``, ``["city", "period"]``); ``[]`` for
        one row over everything.

    Returns
    -------
    DataFrame
        ``by`` plus ``expected`` (reports whose lock passed or that came), ``reported``
        (on time + late), ``on_time``, ``late``, ``missing``, ``reporting_rate`` (reported /
        expected) and ``on_time_rate`` (on time / expected), rates in 0..1, NaN when nothing is
        expected yet. Groups with only pending reports are listed with ``expected`` 0.
    """
    t = timeliness
    counts = pd.DataFrame(
        {s: (t["status"] == s).astype("int64") for s in ("on_time", "late", "missing")}
    )
    for col in by:
        counts[col] = t[col].to_numpy()
    if by:
        g = (
            counts.groupby(by, sort=True, dropna=False)[["on_time", "late", "missing"]]
            .sum()
            .reset_index()
        )
    else:
        g = pd.DataFrame([counts[["on_time", "late", "missing"]].sum()]).reset_index(drop=True)
        if g.empty:
            g = pd.DataFrame({"on_time": [0], "late": [0], "missing": [0]})
    g["expected"] = g["on_time"] + g["late"] + g["missing"]
    g["reported"] = g["on_time"] + g["late"]
    exp = g["expected"].where(g["expected"] > 0)
    g["reporting_rate"] = (g["reported"] / exp).astype("float64")
    g["on_time_rate"] = (g["on_time"] / exp).astype("float64")
    cols = [
        *by,
        "expected",
        "reported",
        "on_time",
        "late",
        "missing",
        "reporting_rate",
        "on_time_rate",
    ]
    return g.loc[:, cols].astype(
        {c: "int64" for c in ("expected", "reported", "on_time", "late", "missing")}
    )
