"""The evidence card of the yearly evaluation: a followed project's year in one value.

What an expert reads beside each score (docs/EVALUATION-DESIGN.md §2): the four quarters'
timeliness and ledger states, the measures of the latest ledger (done, ongoing, late), the
indicators against baseline and target with the change, the financing by kind, the yearly
summary per point, the recorded risks, and the suggestions of the measurable points
(:mod:`scoring.evaluation.suggestions`). Pure: the store gathers the frames, this module
shapes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from .suggestions import Suggestion

#: Ledger states that count as reported (submitted or confirmed).
REPORTED = ("submitted", "confirmed")


@dataclass(frozen=True)
class Evidence:
    """One project's evidence for the evaluation of ``year``.

    Attributes
    ----------
    project : dict
        ``project_id, name, city, kind, catalogue_year, unit_name, lender_bank, status``.
    quarters : list of dict
        Per period of the year (Q1–Q4, then the yearly summary): ``period, ledger_status,
        timeliness, days_late, first_submitted``.
    measures : list of dict
        The measures of the latest reported quarterly ledger: ``goal, measure, deadline,
        progress, late`` (``late``: not done and its deadline month has passed by the
        ledger's period end).
    indicators : list of dict
        The latest confirmed value of each indicator: ``indicator, label, unit, baseline,
        target, annualised, change, change_pct, status``.
    financing : dict
        Kind -> amount (万元, year to date, from the latest reported ledger) plus ``total``.
    summary : dict
        Criterion key -> the yearly summary's text (empty before it is reported).
    risks : list of dict
        ``kind, description, evidence, created_at``.
    suggestions : dict
        Criterion key -> :class:`~scoring.evaluation.suggestions.Suggestion`.
    """

    year: int
    project: dict[str, Any]
    quarters: list[dict[str, Any]] = field(default_factory=list)
    measures: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    financing: dict[str, float] = field(default_factory=dict)
    summary: dict[str, str] = field(default_factory=dict)
    risks: list[dict[str, Any]] = field(default_factory=list)
    suggestions: dict[str, Suggestion] = field(default_factory=dict)

    @property
    def late_measures(self) -> int:
        """How many measures are late."""
        return sum(bool(m["late"]) for m in self.measures)


def _month_passed(deadline: Any, end: date) -> bool:
    text = str(deadline or "")
    if len(text) < 7 or text[4] != "-":
        return False
    try:
        y, m = int(text[:4]), int(text[5:7])
    except ValueError:
        return False
    return (y, m) < (end.year, end.month)


def quarter_rows(year: int, timeliness: pd.DataFrame) -> list[dict[str, Any]]:
    """The year's periods of one project (``YYYYQ1`` … ``YYYYY``) with their states."""
    from ..followup.periods import period_key

    by = {}
    if timeliness is not None and not timeliness.empty:
        by = {str(r["period"]): r for r in timeliness.to_dict("records")}
    out = []
    for q in (1, 2, 3, 4, None):
        key = period_key(year, q)
        r = by.get(key, {})
        out.append(
            {
                "period": key,
                "ledger_status": _clean(r.get("ledger_status")),
                "timeliness": _clean(r.get("status")),
                "days_late": int(r.get("days_late") or 0),
                "first_submitted": _clean(r.get("first_submitted")),
            }
        )
    return out


def _clean(v: Any) -> Any:
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def latest_quarter(ledgers: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The latest reported quarterly ledger (``period, status, content``), or None."""
    from ..followup.periods import period_order

    quarterly = [
        lg for lg in ledgers if lg["status"] in REPORTED and not str(lg["period"]).endswith("Y")
    ]
    if not quarterly:
        return None
    return max(quarterly, key=lambda lg: period_order(str(lg["period"])))


def measure_rows(ledger: Mapping[str, Any] | None, kind: str) -> list[dict[str, Any]]:
    """The measures of ``ledger`` with a ``late`` flag (deadline passed, not done)."""
    if ledger is None:
        return []
    from ..followup.ledger import measures
    from ..followup.periods import parse_period_key, span

    y, q = parse_period_key(str(ledger["period"]))
    end = span(y, q)[1]
    out = []
    for m in measures(ledger["content"], kind):
        done = m.get("progress") == "done"
        out.append(
            {
                "goal": m.get("goal") or "",
                "measure": m.get("measure") or "",
                "deadline": m.get("deadline") or "",
                "progress": m.get("progress") or "",
                "late": (not done) and _month_passed(m.get("deadline"), end),
            }
        )
    return out


def indicator_rows(progress: pd.DataFrame) -> list[dict[str, Any]]:
    """The latest value of each indicator against its plan (from progress rows)."""
    if progress is None or progress.empty:
        return []
    from ..followup.catalogue import indicator
    from ..followup.periods import period_order

    r = progress.assign(_o=[period_order(str(p)) for p in progress["period"]])
    latest = r.sort_values("_o").drop_duplicates("indicator", keep="last")
    out = []
    for rec in latest.to_dict("records"):
        try:
            ind = indicator(str(rec["indicator"]))
            label, label_en, unit = ind.zh, ind.en, ind.unit
        except KeyError:
            label = label_en = str(rec["indicator"])
            unit = ""
        out.append(
            {
                "indicator": str(rec["indicator"]),
                "label": label,
                "label_en": label_en,
                "unit": unit,
                "period": str(rec["period"]),
                "baseline": _clean(rec.get("baseline")),
                "target": _clean(rec.get("target")),
                "annualised": _clean(rec.get("annualised")),
                "change": _clean(rec.get("change")),
                "change_pct": _clean(rec.get("change_pct")),
                "status": str(rec.get("status") or ""),
            }
        )
    return out


def build_evidence(
    year: int,
    project: Mapping[str, Any],
    ledgers: list[Mapping[str, Any]],
    timeliness: pd.DataFrame,
    progress: pd.DataFrame,
    risks: list[Mapping[str, Any]],
    suggestions: Mapping[str, Suggestion],
) -> Evidence:
    """Shape one project's evidence.

    Parameters
    ----------
    year : int
        The evaluated follow-up year.
    project : mapping
        The followed project's row.
    ledgers : list of mapping
        The project's ledgers of the year: ``period, status, content``.
    timeliness : DataFrame
        The project's timeliness rows of the year.
    progress : DataFrame
        The project's indicator progress rows (confirmed ledgers of the year).
    risks : list of mapping
        The project's risk records.
    suggestions : mapping
        Criterion -> suggestion (see :func:`scoring.evaluation.suggestions.suggestions`).
    """
    from ..followup.content import financing_totals

    kind = str(project.get("kind") or "enterprise")
    last = latest_quarter(ledgers)
    yearly = [lg for lg in ledgers if str(lg["period"]).endswith("Y") and lg["status"] in REPORTED]
    summary = dict((yearly[0]["content"] or {}).get("summary") or {}) if yearly else {}
    keep = (
        "project_id",
        "name",
        "city",
        "kind",
        "catalogue_year",
        "unit_name",
        "lender_bank",
        "status",
    )
    return Evidence(
        year=int(year),
        project={k: project.get(k) for k in keep},
        quarters=quarter_rows(int(year), timeliness),
        measures=measure_rows(last, kind),
        indicators=indicator_rows(progress),
        financing=financing_totals(last["content"]) if last is not None else {},
        summary={str(k): str(v) for k, v in summary.items()},
        risks=[
            {
                "kind": r.get("kind"),
                "description": r.get("description"),
                "evidence": r.get("evidence") or "",
                "created_at": r.get("created_at"),
            }
            for r in risks
        ],
        suggestions=dict(suggestions),
    )
