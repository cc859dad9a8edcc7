"""The follow-up summary report (跟进汇总报告) of a period or a year, as xlsx and PDF.

Pure functions over the follow-up core's tables (``docs/FOLLOWUP-DESIGN.md`` §1) first:

* :func:`summary_data` gathers a :class:`FollowupSummary` from the timeliness table
  (:func:`scoring.followup.timeliness.timeliness`), the indicator progress
  (:func:`scoring.followup.indicators.progress`), the ledgers' rows
  (:func:`scoring.followup.statistics.ledger_rows` with ``project_id, period, city``), the exit
  candidates (:func:`scoring.followup.exits.exit_candidates`) and the followed projects;
* :func:`summary_tables` gives its sheets with Chinese headers (按期报送 by city and by period,
  指标完成, 融资情况, 退出预警);
* :func:`write_summary_xlsx` writes them (one sheet each, titled, laid out by the ``table`` form
  layout); :func:`write_summary_pdf` (:mod:`.followup_pdf`) the PDF with charts.

Then the store: :func:`scoring.reports.followup_store.summary_from_store` reads those tables through the follow-up services
(``wb.followup_stats``, ``wb.followed``, ``wb.exits``), and :func:`summary_xlsx` /
:func:`summary_pdf` are what the pages and ``scoring export followup`` call.

Choices: for a period, its ledgers; for a year, each project's latest ledger of the year (the
financing and indicator figures of a quarterly ledger are year-to-date, so later periods hold the
earlier ones). Rates are fractions (0..1), shown as percentages.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Problem
from ..followup.content import FINANCING
from ..followup.periods import parse_period_key, period_label, period_order
from ..programme import schema

__all__ = [
    "FollowupSummary",
    "HEADERS",
    "SHEETS",
    "scope_label",
    "summary_data",
    "summary_pdf",
    "summary_tables",
    "summary_xlsx",
    "write_summary_pdf",
    "write_summary_xlsx",
]

#: Chinese headers of the report's columns.
HEADERS: dict[str, str] = {
    "city": "地市",
    "period": "期次",
    "projects": "跟进项目数",
    "expected": "应报",
    "reported": "已报",
    "on_time": "按期报送",
    "late": "迟报",
    "missing": "未报",
    "overdue": "逾期未报",
    "reporting_rate": "报送率",
    "on_time_rate": "按期报送率",
    "indicator": "指标",
    "unit": "单位",
    "mean_value": "本期均值（年化）",
    "mean_baseline": "基线均值",
    "mean_target": "目标均值",
    "met": "达到目标",
    "improving": "好于基线",
    "below_baseline": "低于基线",
    "no_baseline": "无基线",
    "median_gap_closed": "目标完成度（中位数）",
    **{k: zh for k, (zh, _en) in FINANCING.items()},
    "total": "合计",
    "project_id": "项目编号",
    "name": "项目名称",
    "ground": "退出情形",
    "evidence": "依据",
}
#: Sheet names of the xlsx, by table.
SHEETS: dict[str, str] = {
    "by_city": "按期报送(地市)",
    "by_period": "按期报送(期次)",
    "indicators": "指标完成",
    "financing": "融资情况",
    "exits": "退出预警",
}
_RATE_COLS = ["expected", "reported", "on_time", "late", "missing", "overdue", "reporting_rate",
              "on_time_rate"]  # fmt: skip
_PERCENT = ("reporting_rate", "on_time_rate", "median_gap_closed")
TOTAL = "合计"


@dataclass
class FollowupSummary:
    """Everything the summary report prints.

    Attributes
    ----------
    title : str
        ``2026年第二季度供应链重点项目跟进汇总报告``.
    scope : str
        The period key (``2026Q2``) or the year (``2026``).
    by_city, by_period : DataFrame
        Reporting: ``city`` / ``period`` then ``expected, reported, on_time, late, missing,
        overdue, reporting_rate, on_time_rate``; a last row ``合计``.
    indicators : DataFrame
        ``indicator, unit, projects, mean_value, mean_baseline, mean_target, met, improving,
        below_baseline, no_baseline, median_gap_closed``.
    financing : DataFrame
        ``city, loan, bill, lease, letter, other, total`` (万元) and a last row ``合计``.
    exits : DataFrame
        ``project_id, name, city, ground, evidence`` (Chinese).
    projects : int
        Projects followed in the scope.
    generated : datetime
    notes : tuple of str
        Lines printed under the title (data sources, choices).
    """

    title: str
    scope: str
    by_city: pd.DataFrame
    by_period: pd.DataFrame
    indicators: pd.DataFrame
    financing: pd.DataFrame
    exits: pd.DataFrame
    projects: int = 0
    generated: datetime = field(default_factory=lambda: datetime.now().astimezone())
    notes: tuple[str, ...] = ()

    def totals(self) -> dict[str, float]:
        """The key figures: projects, expected, reported, on time, rates, financing total."""
        row = self.by_city.iloc[-1] if len(self.by_city) else pd.Series(dtype=object)
        fin = self.financing.iloc[-1] if len(self.financing) else pd.Series(dtype=object)
        return {
            "projects": float(self.projects),
            **{k: float(row.get(k, math.nan)) for k in _RATE_COLS},
            "financing": float(fin.get("total", 0.0)),
            "exits": float(self.exits["project_id"].nunique()) if len(self.exits) else 0.0,
        }


def scope_label(period: str | None = None, year: int | None = None) -> str:
    """``2026年第二季度`` for a period, ``2026年度`` for a year.

    Raises
    ------
    InputError
        Neither or both given, or a bad period key.
    """
    if (period is None) == (year is None):
        raise InputError([Problem("give a period (2026Q2) or a year (2026), not both")])
    if period is not None:
        try:
            parse_period_key(period)
        except ValueError as exc:
            raise InputError([Problem(str(exc), column="--period")]) from None
        label = period_label(period)
        return label.replace("工作总结", "") if period.endswith("Y") else label
    return f"{int(year)}年度"  # type: ignore[arg-type]


def _in_scope(frame: pd.DataFrame, period: str | None, year: int | None) -> pd.DataFrame:
    if frame is None or frame.empty or "period" not in frame.columns:
        return frame if frame is not None else pd.DataFrame()
    if period is not None:
        return frame[frame["period"].astype(str) == period]
    return frame[[parse_period_key(str(p))[0] == int(year) for p in frame["period"]]]  # type: ignore[arg-type]


def _latest(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The rows of each ``keys`` group's latest period (all of that period's rows)."""
    if frame.empty:
        return frame
    order = frame["period"].map(lambda p: period_order(str(p)))
    last = order.groupby([frame[k] for k in keys]).transform("max")
    return frame[order == last]


def _city_order(cities: Any) -> list[str]:
    known = [*schema.CITIES, schema.PROVINCIAL]
    have = [str(c) for c in dict.fromkeys(cities) if isinstance(c, str)]
    return [c for c in known if c in have] + sorted(c for c in have if c not in known)


def _rates(t: pd.DataFrame, by: str, order: list[str]) -> pd.DataFrame:
    from ..followup.timeliness import rates

    cols = [by, *_RATE_COLS]
    if t.empty:
        return pd.DataFrame(columns=cols)
    r = rates(t, [by]).set_index(by)
    overdue = (t["status"] == "overdue").groupby(t[by]).sum()
    r["overdue"] = overdue.reindex(r.index).fillna(0).astype("int64")
    r = r.reindex([k for k in order if k in r.index])
    total = {k: int(r[k].sum()) for k in ("expected", "reported", "on_time", "late", "missing",
                                          "overdue")}  # fmt: skip
    exp = total["expected"]
    total["reporting_rate"] = total["reported"] / exp if exp else math.nan
    total["on_time_rate"] = total["on_time"] / exp if exp else math.nan
    out = r.reset_index()
    out = pd.concat([out, pd.DataFrame([{by: TOTAL, **total}])], ignore_index=True)
    for k in ("expected", "reported", "on_time", "late", "missing", "overdue"):
        out[k] = out[k].astype("int64")
    for k in ("reporting_rate", "on_time_rate"):
        out[k] = out[k].astype("float64")
    return out.loc[:, cols]


def _indicators(progress: pd.DataFrame) -> pd.DataFrame:
    from ..followup.catalogue import indicator
    from ..followup.indicators import STATUSES

    cols = ["indicator", "unit", "projects", "mean_value", "mean_baseline", "mean_target",
            *STATUSES, "median_gap_closed"]  # fmt: skip
    if progress is None or progress.empty:
        return pd.DataFrame(columns=cols)
    p = _latest(progress, ["project_id", "indicator"])
    rows = []
    for key, g in p.groupby("indicator", sort=False):
        try:
            ind = indicator(str(key))
            zh, unit = ind.zh, ind.unit
        except KeyError:
            zh, unit = str(key), ""
        rec: dict[str, Any] = {
            "indicator": zh,
            "unit": unit,
            "projects": int(g["project_id"].nunique()),
            "mean_value": float(pd.to_numeric(g["annualised"], errors="coerce").mean()),
            "mean_baseline": float(pd.to_numeric(g["baseline"], errors="coerce").mean()),
            "mean_target": float(pd.to_numeric(g["target"], errors="coerce").mean()),
        }
        for s in STATUSES:
            rec[s] = int((g["status"] == s).sum())
        gap = pd.to_numeric(g["gap_closed"], errors="coerce").dropna()
        rec["median_gap_closed"] = float(gap.median()) if len(gap) else math.nan
        rows.append(rec)
    return pd.DataFrame(rows, columns=cols)


def _financing(rows: pd.DataFrame, order: list[str], latest: bool) -> pd.DataFrame:
    from ..followup.statistics import FINANCING_COLUMNS, financing_by

    cols = ["city", *FINANCING_COLUMNS]
    if rows is None or rows.empty:
        return pd.DataFrame(
            [{"city": TOTAL, **dict.fromkeys(FINANCING_COLUMNS, 0.0)}], columns=cols
        )
    r = _latest(rows, ["project_id"]) if latest else rows
    out = financing_by(r, ["city"]).set_index("city")
    out = out.reindex([c for c in order if c in out.index]).reset_index()
    total = {k: float(out[k].sum()) for k in FINANCING_COLUMNS}
    return pd.concat([out, pd.DataFrame([{"city": TOTAL, **total}])], ignore_index=True)[cols]


def _exits(
    exits: pd.DataFrame, names: Mapping[str, str], cities: Mapping[str, str]
) -> pd.DataFrame:
    from ..followup.exits import GROUNDS

    cols = ["project_id", "name", "city", "ground", "evidence"]
    if exits is None or exits.empty:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(
        {
            "project_id": exits["project_id"].astype(str).to_numpy(),
            "name": [names.get(str(p), "") for p in exits["project_id"]],
            "city": [cities.get(str(p), "") for p in exits["project_id"]],
            "ground": [GROUNDS.get(str(g), (str(g), ""))[0] for g in exits["ground"]],
            "evidence": exits["evidence_zh"].astype(str).to_numpy()
            if "evidence_zh" in exits.columns
            else "",
        },
        columns=cols,
    )


def summary_data(
    *,
    timeliness: pd.DataFrame,
    progress: pd.DataFrame | None = None,
    ledger_rows: pd.DataFrame | None = None,
    exits: pd.DataFrame | None = None,
    projects: pd.DataFrame | None = None,
    period: str | None = None,
    year: int | None = None,
    generated: datetime | None = None,
    notes: tuple[str, ...] = (),
) -> FollowupSummary:
    """The summary of a period or a year from the core's tables.

    Parameters
    ----------
    timeliness : DataFrame
        ``project_id, city, period, status`` (:func:`scoring.followup.timeliness.timeliness`).
    progress : DataFrame, optional
        ``project_id, period, indicator, annualised, baseline, target, gap_closed, status``
        (:func:`scoring.followup.indicators.progress`), of the ledgers the report counts
        (the store gives the confirmed ones).
    ledger_rows : DataFrame, optional
        ``project_id, period, city`` and the amounts ``loan … other`` (万元), one row per ledger
        row (:func:`scoring.followup.statistics.ledger_rows`).
    exits : DataFrame, optional
        ``project_id, ground, evidence_zh`` (:func:`scoring.followup.exits.exit_candidates`).
    projects : DataFrame, optional
        The followed projects (``project_id, name, city``) for the names and the count.
    period, year
        The scope: one period key (``2026Q2``, ``2026Y``) or a year (every period of it).
    generated : datetime, optional
        Printed as the report's time (default now).
    notes : tuple of str
        Extra lines under the title.

    Raises
    ------
    InputError
        Neither or both of ``period`` and ``year``; a timeliness table without its columns.
    """
    label = scope_label(period, year)
    need = {"project_id", "city", "period", "status"}
    if timeliness is None or not need <= set(timeliness.columns):
        missing = sorted(need - set(timeliness.columns if timeliness is not None else ()))
        raise InputError([Problem(f"the timeliness table lacks: {', '.join(missing)}")])
    t = _in_scope(timeliness, period, year)
    projects = projects if projects is not None else pd.DataFrame(columns=["project_id"])
    names = dict(zip(projects.get("project_id", []), projects.get("name", []), strict=False))
    cities = dict(zip(projects.get("project_id", []), projects.get("city", []), strict=False))
    order = _city_order([*t["city"], *cities.values()])
    periods = sorted(dict.fromkeys(map(str, t["period"])), key=period_order)
    by_period = _rates(t, "period", periods)
    if len(by_period):
        by_period["period"] = [
            period_label(p) if p != TOTAL else p for p in by_period["period"].astype(str)
        ]
    rows = _in_scope(ledger_rows if ledger_rows is not None else pd.DataFrame(), period, year)
    prog = _in_scope(progress if progress is not None else pd.DataFrame(), period, year)
    n = len(set(t["project_id"])) or len(projects)
    scope = period if period is not None else str(int(year))  # type: ignore[arg-type]
    default_notes = (
        "报送率 = 已报 / 应报；按期报送率 = 按期报送 / 应报（应报：已过锁定日期或已报送的期次，以首次报送时间计）。",
        "融资情况单位：万元；"
        + (
            "取本期台帐。"
            if period is not None
            else "取各项目本年度最新一期台帐（季度台帐为本年累计）。"
        ),
        "指标：本年累计值年化后与申报基线、目标比较；目标完成度 = (年化值 − 基线)/(目标 − 基线)。",
    )
    return FollowupSummary(
        title=f"{label}供应链重点项目跟进汇总报告",
        scope=scope,
        by_city=_rates(t, "city", order),
        by_period=by_period,
        indicators=_indicators(prog),
        financing=_financing(rows, order, latest=period is None),
        exits=_exits(exits if exits is not None else pd.DataFrame(), names, cities),
        projects=int(n),
        generated=generated or datetime.now().astimezone(),
        notes=tuple(notes) + default_notes,
    )


def summary_tables(data: FollowupSummary) -> dict[str, pd.DataFrame]:
    """The report's tables by sheet name (:data:`SHEETS`), columns as in :class:`FollowupSummary`."""
    return {
        SHEETS["by_city"]: data.by_city,
        SHEETS["by_period"]: data.by_period,
        SHEETS["indicators"]: data.indicators,
        SHEETS["financing"]: data.financing,
        SHEETS["exits"]: data.exits,
    }


def _formats(frame: pd.DataFrame) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in frame.columns:
        if c in _PERCENT:
            out[c] = "0.0%"
        elif c in (*FINANCING, "total", "mean_value", "mean_baseline", "mean_target"):
            out[c] = "#,##0.00"
    return out


def write_summary_xlsx(data: FollowupSummary, path: str | os.PathLike[str]) -> Path:
    """Write the summary as xlsx: one titled sheet per table (:data:`SHEETS`), Chinese headers,
    rates as percentages, amounts in 万元 with two decimals; the title block names the scope,
    the time and the notes. Written atomically; returns the path."""
    import xlsxwriter

    from ..io.cells import prepare
    from ..io.forms import load_layout
    from ..io.writer import atomic_file
    from ..io.xlsx import _Extras, _Formats, _write_sheet

    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        raise InputError(
            [Problem(f"unsupported output type '{p.suffix}' (use .xlsx)")], file=p.name
        )
    layout = load_layout("table")
    block = (f"生成时间：{data.generated:%Y-%m-%d %H:%M}", *data.notes)
    with atomic_file(p) as tmp:
        wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "nan_inf_to_errors": True})
        try:
            wb.set_properties({"title": data.title})
            fmt = _Formats(wb, layout)
            for name, frame in summary_tables(data).items():
                ws = wb.add_worksheet(name)
                t = prepare(frame, {c: HEADERS.get(c, c) for c in frame.columns}, layout)
                extras = _Extras(block if name == SHEETS["by_city"] else (), data.title,
                                 _formats(frame))  # fmt: skip
                _write_sheet(ws, t, f"{data.title}：{name}", layout, {}, fmt, False, extras)
        finally:
            wb.close()
    return p


def write_summary_pdf(data: FollowupSummary, path: str | os.PathLike[str]) -> Path:
    """Render the summary as PDF (:func:`scoring.reports.followup_pdf.build_summary_pdf`) and
    write it atomically; returns the path."""
    from .followup_pdf import build_summary_pdf
    from .panel_report import write_pdf

    return write_pdf(build_summary_pdf(data), path)


def summary_xlsx(
    wb: Any,
    actor: Any,
    year: int | None,
    path: str | os.PathLike[str],
    *,
    period: str | None = None,
) -> Path:
    """The summary of ``year`` (or of ``period``) from the store, written as xlsx."""
    from .followup_store import summary_from_store

    return write_summary_xlsx(summary_from_store(wb, actor, year=year, period=period), path)


def summary_pdf(
    wb: Any,
    actor: Any,
    year: int | None,
    path: str | os.PathLike[str],
    *,
    period: str | None = None,
) -> Path:
    """The summary of ``year`` (or of ``period``) from the store, written as PDF."""
    from .followup_store import summary_from_store

    return write_summary_pdf(summary_from_store(wb, actor, year=year, period=period), path)
