"""The measurable points of the yearly evaluation: a computed figure and a suggested band.

Two points are partly measurable from the follow-up store (``data/followup/evaluation_measures.yml``):
按期报送 (the timeliness of the year's quarterly ledgers, a sub-point of 组织保障) and the
indicators' progress against their targets (项目目标完成情况). Each gives a figure on 0–100; the
suggested band is the grade band of the criteria set that the figure falls in (the figure mapped
onto the set's scale). The expert still decides: :func:`departures` lists the scores outside
their suggested band, which the reports show.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas only where the figures are computed: a page reading a suggestion
    import pandas as pd  # (the expert kernel) imports this module without it

from ..paths import DATA_DIR

MEASURES_PATH = DATA_DIR / "followup" / "evaluation_measures.yml"
#: The timeliness statuses that count as expected reports (see scoring.followup.timeliness).
EXPECTED = ("on_time", "late", "missing")
DEPARTURE_COLUMNS = [
    "project_id",
    "expert_id",
    "criterion",
    "score",
    "figure",
    "band_low",
    "band_high",
    "suggested",
    "direction",
]


@dataclass(frozen=True)
class Measure:
    """One measurable point: ``key`` (``timeliness`` / ``indicators``), its labels, the
    criterion it informs, and ``late_weight`` (what a late report counts, timeliness only)."""

    key: str
    zh: str
    en: str
    criterion: str
    late_weight: float = 0.5

    def label(self, lang: str = "zh") -> str:
        """The measure's name in ``lang``."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Suggestion:
    """The computed figure of one measure and the grade band it suggests for its criterion.

    ``figure`` is on 0–100 (None: nothing to measure yet, then no band); ``low``/``high`` bound
    the band on the criteria set's scale (``low <= score < high``, the top band includes the
    scale's maximum); ``grade`` is the band's grade key, ``grade_zh``/``grade_en`` its labels;
    ``basis`` says what the figure counts (e.g. ``3/4``).
    """

    measure: str
    criterion: str
    figure: float | None
    low: float | None
    high: float | None
    grade: str | None
    grade_zh: str
    grade_en: str
    basis: str

    def contains(self, score: float) -> bool:
        """Whether ``score`` lies in the suggested band (always True without a band)."""
        if self.low is None or self.high is None:
            return True
        return self.low <= float(score) <= self.high

    def band(self) -> str:
        """The band as text, e.g. ``75–89``."""
        if self.low is None or self.high is None:
            return ""
        return f"{_fmt(self.low)}–{_fmt(self.high)}"


def _fmt(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[Measure, ...]:
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    out = []
    for key, spec in (data.get("measures") or {}).items():
        out.append(
            Measure(
                key=str(key),
                zh=str(spec["zh"]),
                en=str(spec["en"]),
                criterion=str(spec["criterion"]),
                late_weight=float(spec.get("late_weight", 0.5)),
            )
        )
    return tuple(out)


def measures(path: str | Path = MEASURES_PATH) -> tuple[Measure, ...]:
    """The measurable points (``data/followup/evaluation_measures.yml``)."""
    return _load(str(path))


def timeliness_figure(rows: pd.DataFrame, late_weight: float = 0.5) -> tuple[float | None, str]:
    """按期报送 of one project's quarterly reports of the year.

    Parameters
    ----------
    rows : DataFrame
        The project's timeliness rows (``period, status``) of the year's quarters.
    late_weight : float
        What a late report counts (on time 1, missing 0).

    Returns
    -------
    (figure, basis)
        The figure on 0–100 (None when no report was expected yet) and ``on time/expected``.
    """
    if rows is None or rows.empty:
        return None, "0/0"
    quarterly = rows[[not str(p).endswith("Y") for p in rows["period"]]]
    status = list(quarterly["status"])
    expected = [s for s in status if s in EXPECTED]
    if not expected:
        return None, "0/0"
    on_time = sum(s == "on_time" for s in expected)
    late = sum(s == "late" for s in expected)
    figure = (on_time + late_weight * late) / len(expected) * 100.0
    return figure, f"{on_time}/{len(expected)}"


def indicator_figure(rows: pd.DataFrame) -> tuple[float | None, str]:
    """The indicators' progress of one project: each indicator's latest value against target.

    Parameters
    ----------
    rows : DataFrame
        :func:`scoring.followup.indicators.progress` rows of the project's confirmed ledgers
        of the year (``period, indicator, status, gap_closed``).

    Returns
    -------
    (figure, basis)
        The mean attainment on 0–100 (target met 100, improving the share of the gap
        closed, below baseline 0; indicators without a baseline, and improving ones without a
        target, left out; None when none is left) and ``met/counted``.
    """
    import pandas as pd

    if rows is None or rows.empty:
        return None, "0/0"
    from ..followup.periods import period_order

    r = rows.assign(_o=[period_order(str(p)) for p in rows["period"]])
    latest = r.sort_values("_o").drop_duplicates("indicator", keep="last")
    parts: list[float] = []
    met = 0
    targets = latest["target"] if "target" in latest.columns else [None] * len(latest)
    for status, gap, target in zip(latest["status"], latest["gap_closed"], targets, strict=True):
        if status == "met":
            parts.append(1.0)
            met += 1
        elif status == "improving" and target is not None and not pd.isna(target):
            g = float(gap) if gap is not None and not pd.isna(gap) else 0.0
            parts.append(min(1.0, max(0.0, g)))
        elif status == "below_baseline":
            parts.append(0.0)
    if not parts:
        return None, "0/0"
    return sum(parts) / len(parts) * 100.0, f"{met}/{len(parts)}"


def grade_band(criteria: Any, figure: float) -> tuple[Any, float, float]:
    """The grade whose band holds ``figure`` (0–100, mapped onto the set's scale) and the band's
    bounds on the scale: ``(grade, low, high)``; ``high`` is just below the next grade's
    threshold (the scale's maximum for the top grade)."""
    lo_s, hi_s = criteria.scale
    value = lo_s + (hi_s - lo_s) * min(100.0, max(0.0, float(figure))) / 100.0
    grade = criteria.grade_of(value)
    grades = list(criteria.grades)
    i = grades.index(grade)
    low = lo_s if grade.min is None else float(grade.min)
    if i == 0:
        high = hi_s
    else:
        nxt = float(grades[i - 1].min)
        step = 1.0 if (hi_s - lo_s) >= 20 else 0.1
        high = nxt - step
    return grade, low, high


def suggestions(
    criteria: Any, timeliness_rows: pd.DataFrame, progress_rows: pd.DataFrame
) -> dict[str, Suggestion]:
    """The suggestions for one project, keyed by criterion (only the criteria of ``criteria``
    that a measure informs; a set without grades gets figures but no bands)."""
    out: dict[str, Suggestion] = {}
    keys = set(criteria.keys)
    for m in measures():
        if m.criterion not in keys:
            continue
        if m.key == "timeliness":
            figure, basis = timeliness_figure(timeliness_rows, m.late_weight)
        elif m.key == "indicators":
            figure, basis = indicator_figure(progress_rows)
        else:  # pragma: no cover - the data file names only known measures
            continue
        if figure is None or not criteria.grades:
            out[m.criterion] = Suggestion(
                m.key, m.criterion, figure, None, None, None, "", "", basis
            )
            continue
        grade, low, high = grade_band(criteria, figure)
        out[m.criterion] = Suggestion(
            m.key, m.criterion, figure, low, high, grade.key, grade.zh, grade.en, basis
        )
    return out


def departures(
    scores: pd.DataFrame, suggested: Mapping[str, Mapping[str, Suggestion]]
) -> pd.DataFrame:
    """The scores outside their suggested band.

    Parameters
    ----------
    scores : DataFrame
        Long scores: ``project_id, expert_id, criterion, score``.
    suggested : mapping
        project_id -> criterion -> :class:`Suggestion`.

    Returns
    -------
    DataFrame
        :data:`DEPARTURE_COLUMNS`; ``direction`` is ``above`` or ``below`` the band,
        ``suggested`` the band's grade label (zh).
    """
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for rec in scores.to_dict("records"):
        s = (suggested.get(str(rec["project_id"])) or {}).get(str(rec["criterion"]))
        v = rec.get("score")
        if s is None or s.low is None or v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if s.contains(float(v)):
            continue
        rows.append(
            {
                "project_id": str(rec["project_id"]),
                "expert_id": str(rec["expert_id"]),
                "criterion": str(rec["criterion"]),
                "score": float(v),
                "figure": s.figure,
                "band_low": s.low,
                "band_high": s.high,
                "suggested": s.grade_zh,
                "direction": "above" if float(v) > float(s.high) else "below",
            }
        )
    return pd.DataFrame(rows, columns=DEPARTURE_COLUMNS)


def suggestion_records(suggested: Iterable[Suggestion], lang: str = "zh") -> list[dict[str, Any]]:
    """Plain records of suggestions (for a card or a report table)."""
    names = {m.key: m.label(lang) for m in measures()}
    return [
        {
            "criterion": s.criterion,
            "measure": names.get(s.measure, s.measure),
            "figure": None if s.figure is None else round(s.figure, 1),
            "basis": s.basis,
            "band": s.band(),
            "grade": s.grade_zh if lang == "zh" else s.grade_en,
        }
        for s in suggested
    ]
