"""Reads of the follow-up store for the yearly evaluation: one project's or every evaluated
project's ledgers, timeliness, indicator progress and risks of a year, as the pure core's
inputs (:mod:`scoring.evaluation.evidence`, :mod:`scoring.evaluation.suggestions`).

Readers of an evaluation see what the city bureaus confirmed: the ledgers' contents are the
confirmed ones; the timeliness counts every first submission.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..followup import rights as followup_rights
from ..followup.models import FollowedProject, FollowupPeriod, Ledger, RiskRecord
from ..followup.stats import _timeliness, expected_frame, progress_frame
from ..models import Panel
from .models import EvaluationPanel

PROJECT_COLUMNS = (
    "project_id",
    "name",
    "city",
    "kind",
    "provincial",
    "catalogue_year",
    "unit_name",
    "lender_bank",
    "status",
    "indicator_group",
    "plan",
    "exited_at",
    "exit_reason",
)


def evaluated(conn: Connection, panel: Any) -> tuple[int, str]:
    """The panel's evaluated year and project kind (a panel made without them evaluates the
    year before its date's year, or its round's year, and the kind of the set's name)."""
    row = conn.execute(
        sa.select(EvaluationPanel.year, EvaluationPanel.kind).where(
            EvaluationPanel.panel_id == int(panel.id)
        )
    ).first()
    if row is not None:
        return int(row.year), str(row.kind)
    kind = "region" if str(panel.criteria_set).endswith("region") else "enterprise"
    date = str(panel.date or "")
    if len(date) >= 4 and date[:4].isdigit():
        return int(date[:4]) - (1 if date[5:7] in ("01", "02", "03") else 0), kind
    from ..models import Round

    year = conn.execute(sa.select(Round.year).where(Round.id == panel.round_id)).scalar_one()
    return int(year), kind


def followed_rows(conn: Connection, project_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The followed projects among ``project_ids``: project id -> row as a dict."""
    ids = sorted({str(p) for p in project_ids})
    if not ids:
        return {}
    cols = [getattr(FollowedProject, c) for c in PROJECT_COLUMNS]
    rows = conn.execute(sa.select(*cols).where(FollowedProject.project_id.in_(ids))).all()
    return {str(r.project_id): dict(r._mapping) for r in rows}


def _everything() -> followup_rights.Scope:
    return followup_rights.Scope("evaluation", everything=True)


def ledger_rows(conn: Connection, year: int, project_ids: Iterable[str]) -> list[Any]:
    """The confirmed ledgers of the year of ``project_ids`` (``project_id, period, status,
    content, kind, city``)."""
    ids = sorted({str(p) for p in project_ids})
    if not ids:
        return []
    q = (
        sa.select(
            Ledger.project_id,
            Ledger.period,
            Ledger.status,
            Ledger.content,
            FollowedProject.kind,
            FollowedProject.city,
        )
        .join(FollowedProject, FollowedProject.project_id == Ledger.project_id)
        .join(FollowupPeriod, FollowupPeriod.key == Ledger.period)
        .where(
            FollowupPeriod.year == int(year),
            Ledger.status == "confirmed",
            Ledger.project_id.in_(ids),
        )
        .order_by(Ledger.project_id, Ledger.period)
    )
    return list(conn.execute(q).all())


def timeliness_frame(conn: Connection, year: int, project_ids: Iterable[str]) -> pd.DataFrame:
    """The timeliness rows of the year of ``project_ids`` (columns of
    :data:`scoring.store.followup.stats.TIMELINESS_COLUMNS`)."""
    ids = {str(p) for p in project_ids}
    t = _timeliness(expected_frame(conn, _everything(), int(year)))
    return t[t["project_id"].astype(str).isin(ids)].reset_index(drop=True)


def progress_rows(rows: list[Any], projects: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Indicator progress of confirmed ledger ``rows`` against the projects' plans."""
    from types import SimpleNamespace

    plist = [SimpleNamespace(**p) for p in projects.values()]
    return progress_frame(rows, plist)


def risk_rows(conn: Connection, project_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The recorded risks of ``project_ids``: project id -> records (oldest first)."""
    ids = sorted({str(p) for p in project_ids})
    out: dict[str, list[dict[str, Any]]] = {p: [] for p in ids}
    if not ids:
        return out
    q = (
        sa.select(
            RiskRecord.project_id,
            RiskRecord.kind,
            RiskRecord.description,
            RiskRecord.evidence,
            RiskRecord.created_at,
        )
        .where(RiskRecord.project_id.in_(ids))
        .order_by(RiskRecord.id)
    )
    for r in conn.execute(q):
        out[str(r.project_id)].append(dict(r._mapping))
    return out


def evaluation_panels(conn: Connection) -> list[Any]:
    """Every evaluation panel (``id, name, date, status, criteria_set, year, kind``)."""
    q = (
        sa.select(
            Panel.id,
            Panel.name,
            Panel.date,
            Panel.status,
            Panel.criteria_set,
            Panel.round_id,
            EvaluationPanel.year,
            EvaluationPanel.kind,
        )
        .join(EvaluationPanel, EvaluationPanel.panel_id == Panel.id, isouter=True)
        .where(Panel.purpose == "evaluation")
        .order_by(Panel.id)
    )
    return list(conn.execute(q).all())
