"""The follow-up summary report gathered from the store's follow-up services.

:func:`summary_from_store` reads the tables :func:`scoring.reports.followup.summary_data` needs
through ``wb.followup_stats``, ``wb.followed``, ``wb.ledgers`` and ``wb.exits``, as the actor may
see them (a city bureau its city, the organizer everything).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..followup.periods import parse_period_key
from ..store.errors import AccessDenied
from .followup import FollowupSummary, summary_data

__all__ = ["summary_from_store"]


def _call(obj: Any, name: str, *args: Any, **kwargs: Any) -> pd.DataFrame | None:
    fn = getattr(obj, name, None)
    if fn is None:
        return None
    out = fn(*args, **kwargs)
    return out if isinstance(out, pd.DataFrame) else None


def summary_from_store(
    wb: Any, actor: Any, *, year: int | None = None, period: str | None = None
) -> FollowupSummary:
    """The summary of a period or a year from the store's follow-up services, as ``actor``
    may see it (a city bureau its city, the organizer everything).

    Reads ``wb.followup_stats.timeliness`` and ``.progress``, the ledger rows
    (``wb.followup_stats.ledger_rows`` when the store has it, else built from
    ``wb.ledgers.matrix`` and ``wb.ledgers.ledger`` of the confirmed and submitted ledgers),
    ``wb.exits.candidates`` and ``wb.followed.projects``.
    """
    the_year = year if year is not None else parse_period_key(str(period))[0]
    stats = wb.followup_stats
    timeliness = stats.timeliness(actor, year=the_year)
    progress = _call(stats, "progress", actor, year=the_year)
    projects = _call(wb.followed, "projects", actor)
    rows = _call(stats, "ledger_rows", actor, year=the_year)
    if rows is None:
        rows = _ledger_rows(wb, actor, the_year, projects)
    try:
        exits = _call(wb.exits, "candidates", actor)
    except AccessDenied:  # exit candidates are the organizer's: a city's report goes without
        exits = None
    return summary_data(
        timeliness=timeliness,
        progress=progress,
        ledger_rows=rows,
        exits=exits,
        projects=projects,
        period=period,
        year=None if period is not None else the_year,
    )


def _ledger_rows(wb: Any, actor: Any, year: int, projects: pd.DataFrame | None) -> pd.DataFrame:
    from ..followup.statistics import ledger_rows

    states = _call(wb.ledgers, "matrix", actor, year=year)
    if states is None or states.empty:
        return pd.DataFrame()
    if "period" not in states.columns:  # a wide matrix: project × period
        states = states.stack().rename("state").reset_index()
    info = (
        projects.set_index("project_id")
        if projects is not None and "project_id" in projects
        else None
    )
    frames = []
    state_col = "state" if "state" in states.columns else "status"
    for rec in states.to_dict("records"):
        if str(rec.get(state_col)) not in ("submitted", "confirmed"):
            continue
        pid, key = str(rec["project_id"]), str(rec["period"])
        kind = str(info.at[pid, "kind"]) if info is not None and pid in info.index else "enterprise"
        city = str(info.at[pid, "city"]) if info is not None and pid in info.index else ""
        content = wb.ledgers.ledger(actor, pid, key).get("content") or {}
        frames.append(ledger_rows(content, kind, project_id=pid, period=key, city=city))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
