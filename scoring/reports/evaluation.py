"""The yearly evaluation reports: a city's 年度评估报告 and the province's 年度汇总报告.

The notices ask each city to evaluate its key projects every year and send an evaluation report,
and the province to report the year to the ministry (issue 14). This module holds what the
reports print, as plain values (:class:`CityReport`, :class:`ProvinceReport`, gathered from the
store by :mod:`.evaluation_store`), the tables they print (:func:`city_tables`,
:func:`.evaluation_province.province_tables`: Chinese headers and values, scores rounded to the scale's precision)
and the xlsx writer (:func:`write_report_xlsx`: one titled sheet per table, the panel's title
block, A4, landscape where wide, fitted to the width, the header row repeated). The PDFs are
:mod:`.evaluation_pdf`; :func:`city_report` and :func:`province_report` are what the command
line (``scoring export evaluation`` / ``evaluation-summary``) and the pages call.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..engine.criteria import CriteriaSet
from ..errors import InputError, Problem
from ..followup.codes import normalise_city
from ..followup.content import FINANCING
from ..io.filing import HOW_ZH, chain_line, local_minute, number_format, score_decimals
from ..programme import schema

__all__ = [
    "CityReport",
    "LEDGER_ZH",
    "PanelInfo",
    "ProvinceReport",
    "STATUS_ZH",
    "TIMELINESS_ZH",
    "city_order",
    "city_report",
    "city_tables",
    "normalise_city",
    "province_report",
    "write_report_xlsx",
]

#: Indicator status -> Chinese (see scoring.followup.indicators.STATUSES).
STATUS_ZH = {"met": "达到目标", "improving": "好于基线", "below_baseline": "低于基线",
             "no_baseline": "无基线"}  # fmt: skip
#: Timeliness status -> Chinese (scoring.followup.timeliness.STATUSES).
TIMELINESS_ZH = {"on_time": "按期", "late": "迟报", "missing": "未报", "overdue": "逾期未报",
                 "pending": "未到期"}  # fmt: skip
#: Ledger state -> Chinese.
LEDGER_ZH = {"draft": "草稿", "submitted": "已报送", "confirmed": "已确认", "returned": "退回"}
DIRECTION_ZH = {"above": "高于建议", "below": "低于建议", "higher": "偏高", "lower": "偏低"}
TOTAL = "合计"
QUARTERS = ("Q1", "Q2", "Q3", "Q4", "Y")
QUARTER_ZH = {"Q1": "第一季度", "Q2": "第二季度", "Q3": "第三季度", "Q4": "第四季度",
              "Y": "年度总结"}  # fmt: skip


@dataclass(frozen=True)
class PanelInfo:
    """A closed evaluation panel as the reports print it."""

    id: int
    name: str
    date: str
    year: int
    kind: str
    criteria: CriteriaSet
    weights: dict[str, float]
    config_hash: str
    method: str = "weighted_sum"
    aggregation: str = "trimmed_mean"
    chair: str = ""
    #: ``(expert_id, name, employer)`` in the panel's order.
    members: list[tuple[str, str, str]] = field(default_factory=list)
    chain_head: tuple[int, str] | None = None

    @property
    def kind_zh(self) -> str:
        return schema.PROJECT_KINDS.get(self.kind, self.kind)

    def weights_pct(self) -> dict[str, float]:
        """Criterion -> weight in percent (normalised to 100)."""
        total = sum(float(v) for v in self.weights.values()) or 1.0
        return {k: 100.0 * float(v) / total for k, v in self.weights.items()}

    def weights_line(self) -> str:
        names = self.criteria.names("zh")
        return "、".join(f"{names.get(k, k)} {v:.1f}%" for k, v in self.weights_pct().items())

    def block(self, now: datetime | None = None) -> list[str]:
        """The title block: panel, date, chair, members, criteria set, weights (%), hash."""
        lo, hi = self.criteria.scale
        lines = [
            f"评估组：{self.name}（编号 {self.id}）　评估日期：{self.date}　评估年度：{self.year}"
            f"　项目类型：{self.kind_zh}",
            f"主持人：{self.chair or '—'}　评审专家（{len(self.members)} 人）："
            + "、".join(f"{e} {n}" for e, n, _ in self.members),
            f"指标体系：{self.criteria.title('zh')}（{self.criteria.name}，{lo:g}–{hi:g} 分）"
            f"　汇总规则：{HOW_ZH.get(self.aggregation, self.aggregation)}",
            f"冻结权重：{self.weights_line()}",
            f"配置哈希：{self.config_hash}",
        ]
        when = (now or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M")
        lines.append(f"{chain_line(self.chain_head)}　导出时间：{when}".strip("　"))
        return lines

    @property
    def footer(self) -> str:
        return f"配置 {self.config_hash[:12]}　{chain_line(self.chain_head)}".rstrip()


@dataclass
class CityReport:
    """One city's projects of a closed evaluation panel (年度评估报告)."""

    city: str
    panel: PanelInfo
    #: ``wb.evaluation.grades`` restricted to the city (index project_id).
    grades: pd.DataFrame
    #: project id -> :class:`scoring.evaluation.evidence.Evidence`.
    evidences: dict[str, Any]
    #: ``wb.evaluation.departures`` of the city's projects.
    departures: pd.DataFrame
    #: ``expert_id, expert_name, project_id, status, confirmed_at``.
    signatures: pd.DataFrame
    generated: datetime = field(default_factory=lambda: datetime.now().astimezone())

    @property
    def year(self) -> int:
        return self.panel.year

    @property
    def title(self) -> str:
        return f"{self.city}{self.year}年度供应链重点项目年度评估报告"


@dataclass
class ProvinceReport:
    """Every closed evaluation panel of a year (年度汇总报告 for the ministry)."""

    year: int
    panels: list[PanelInfo]
    #: the panels' grades, one frame (index project_id, a ``panel_id`` column).
    grades: pd.DataFrame
    evidences: dict[str, Any]
    #: followed projects exited in the year (``project_id, name, city, kind, exited_at,
    #: exit_reason``).
    exits: pd.DataFrame
    #: replicable cases of the year's panels (``panel_id, project_id, note, marked_by``).
    cases: pd.DataFrame
    generated: datetime = field(default_factory=lambda: datetime.now().astimezone())

    @property
    def title(self) -> str:
        return f"山西省{self.year}年度供应链重点项目年度评估汇总报告"

    @property
    def grade_labels(self) -> list[str]:
        """The grades' Chinese labels, best first (the union of the panels' sets)."""
        out: list[str] = []
        for p in self.panels:
            out += [g.zh for g in p.criteria.grades if g.zh not in out]
        return out

    def block(self) -> list[str]:
        lines = [f"评估年度：{self.year}　评估组 {len(self.panels)} 个　评估项目 "
                 f"{len(self.grades)} 个"]  # fmt: skip
        for p in self.panels:
            lines.append(
                f"{p.name}（编号 {p.id}，{p.date}，{p.kind_zh}）：配置哈希 {p.config_hash}"
            )
            lines.append(f"　冻结权重：{p.weights_line()}")
        lines.append(f"导出时间：{self.generated:%Y-%m-%d %H:%M}")
        return lines


# ---------------------------------------------------------------- helpers
def _num(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def city_order(cities: Any) -> list[str]:
    known = [*schema.CITIES, schema.PROVINCIAL]
    have = [str(c) for c in dict.fromkeys(cities) if isinstance(c, str) and c]
    return [c for c in known if c in have] + sorted(c for c in have if c not in known)


def timeliness_text(q: dict[str, Any]) -> str:
    """``按期`` / ``迟报 4 天`` / ``未报`` … of one period of the evidence card."""
    s = q.get("timeliness")
    text = TIMELINESS_ZH.get(str(s), "—") if s else "—"
    if s == "late" and q.get("days_late"):
        text += f" {int(q['days_late'])} 天"
    return text


def _sheet(frame: pd.DataFrame, headers: dict[str, str], formats: dict[str, str]) -> dict:
    return {"frame": frame.reset_index(drop=True), "headers": headers, "formats": formats}


# ---------------------------------------------------------------- city tables
def project_table(report: CityReport) -> pd.DataFrame:
    """The city's projects: id, name, each point's score, total, rank, grade, P(grade) and
    fragile, by rank; scores rounded to the scale's precision."""
    c = report.panel.criteria
    digits = score_decimals(c.scale)
    g = report.grades.sort_values("rank")
    out = pd.DataFrame({"project_id": [str(p) for p in g.index], "name": g["name"].to_numpy()})
    for k in c.keys:
        out[k] = g[k].astype(float).round(digits).to_numpy()
    out["score"] = g["score"].astype(float).round(digits).to_numpy()
    out["rank"] = g["rank"].astype(int).to_numpy()
    out["grade"] = g["grade"].to_numpy()
    out["p_own"] = g["p_own"].astype(float).round(4).to_numpy()
    for gr in c.grades:
        col = f"p_{gr.key}"
        if col in g.columns:
            out[col] = g[col].astype(float).round(4).to_numpy()
    out["fragile"] = g["fragile"].astype(bool).to_numpy()
    return out


def indicator_table(report: CityReport, order: list[str]) -> pd.DataFrame:
    rows = []
    for p in order:
        e = report.evidences.get(p)
        for ind in getattr(e, "indicators", []) or []:
            rows.append({
                "project_id": p, "name": e.project.get("name", ""), "indicator": ind["label"],
                "unit": ind.get("unit", ""), "baseline": _num(ind.get("baseline")),
                "target": _num(ind.get("target")), "annualised": _num(ind.get("annualised")),
                "change": _num(ind.get("change")), "change_pct": _num(ind.get("change_pct")),
                "status": STATUS_ZH.get(ind.get("status", ""), ind.get("status", "")),
            })  # fmt: skip
    cols = ["project_id", "name", "indicator", "unit", "baseline", "target", "annualised",
            "change", "change_pct", "status"]  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    for k in ("baseline", "target", "annualised", "change", "change_pct"):
        out[k] = out[k].astype(float).round(2)
    return out


def timeliness_table(report: CityReport, order: list[str]) -> pd.DataFrame:
    rows = []
    for p in order:
        e = report.evidences.get(p)
        rec: dict[str, Any] = {"project_id": p, "name": e.project.get("name", "") if e else ""}
        by = {str(q["period"])[4:]: q for q in (e.quarters if e else [])}
        for q in QUARTERS:
            rec[q] = timeliness_text(by.get(q, {}))
        rows.append(rec)
    return pd.DataFrame(rows, columns=["project_id", "name", *QUARTERS])


def financing_table(report: CityReport, order: list[str]) -> pd.DataFrame:
    rows = []
    for p in order:
        e = report.evidences.get(p)
        fin = dict(getattr(e, "financing", {}) or {})
        rec = {"project_id": p, "name": e.project.get("name", "") if e else ""}
        rec.update({k: float(fin.get(k, 0.0) or 0.0) for k in FINANCING})
        rec["total"] = float(fin.get("total", sum(rec[k] for k in FINANCING)) or 0.0)
        rows.append(rec)
    out = pd.DataFrame(rows, columns=["project_id", "name", *FINANCING, "total"])
    if len(out):
        total = {"project_id": TOTAL, "name": "", **{k: float(out[k].sum()) for k in
                                                     (*FINANCING, "total")}}  # fmt: skip
        out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out


def departure_table(report: CityReport) -> pd.DataFrame:
    d = report.departures
    names = {e: n for e, n, _ in report.panel.members}
    zh = report.panel.criteria.names("zh")
    digits = score_decimals(report.panel.criteria.scale)
    if d is None or d.empty:
        return pd.DataFrame(columns=["project_id", "name", "expert", "criterion", "score",
                                     "figure", "band", "suggested", "direction"])  # fmt: skip
    return pd.DataFrame({
        "project_id": d["project_id"].astype(str).to_numpy(),
        "name": d["name"].to_numpy(),
        "expert": [f"{e} {names.get(str(e), '')}".strip() for e in d["expert_id"]],
        "criterion": [zh.get(str(c), str(c)) for c in d["criterion"]],
        "score": d["score"].astype(float).round(digits).to_numpy(),
        "figure": d["figure"].astype(float).round(1).to_numpy(),
        "band": [f"{_num(lo):g}–{_num(hi):g}" for lo, hi in zip(d["band_low"], d["band_high"],
                                                                 strict=True)],
        "suggested": d["suggested"].to_numpy(),
        "direction": [DIRECTION_ZH.get(str(x), str(x)) for x in d["direction"]],
    })  # fmt: skip


def signature_table(report: CityReport, order: list[str]) -> pd.DataFrame:
    """Experts × the city's projects: the time each sheet was confirmed, or 回避."""
    s = report.signatures
    cell = {}
    for r in s.to_dict("records"):
        if r["status"] == "recused":
            text = "回避"
        elif r.get("confirmed_at"):
            text = local_minute(r["confirmed_at"])
        else:
            text = "未确认"
        cell[(r["expert_id"], r["project_id"])] = text
    rows = []
    for e, n, employer in report.panel.members:
        rec = {"expert_id": e, "expert_name": n, "employer": employer}
        rec.update({p: cell.get((e, p), "—") for p in order})
        rows.append(rec)
    return pd.DataFrame(rows, columns=["expert_id", "expert_name", "employer", *order])


def city_tables(report: CityReport) -> dict[str, dict[str, Any]]:
    """Sheet name -> ``{frame, headers, formats}`` of the city report."""
    c = report.panel.criteria
    names = c.names("zh")
    digits = score_decimals(c.scale)
    proj = project_table(report)
    order = list(proj["project_id"])
    sc = number_format(digits)
    p_heads = {f"p_{g.key}": f"P({g.zh})" for g in c.grades}
    head = {"project_id": "项目编号", "name": "项目名称", **names, "score": "总分",
            "rank": "全组排名", "grade": "等级", "p_own": "本等级概率", **p_heads,
            "fragile": "等级不稳"}  # fmt: skip
    pct = {k: "0.0%" for k in ("p_own", *p_heads)}
    base = {"project_id": "项目编号", "name": "项目名称"}
    ind_head = {**base, "indicator": "指标", "unit": "单位", "baseline": "基线值",
                "target": "目标值", "annualised": "本年（年化）", "change": "较基线变化",
                "change_pct": "变化率(%)", "status": "完成情况"}  # fmt: skip
    fin_head = {**base, **{k: zh for k, (zh, _en) in FINANCING.items()}, "total": "合计"}
    dep_head = {**base, "expert": "专家", "criterion": "评估要点", "score": "评分",
                "figure": "测算值", "band": "建议区间", "suggested": "建议等级",
                "direction": "偏离"}  # fmt: skip
    sig = signature_table(report, order)
    sig_head = {"expert_id": "专家编号", "expert_name": "专家姓名", "employer": "工作单位",
                **{p: f"{p} 确认时间" for p in order}}  # fmt: skip
    amounts = {k: "#,##0.00" for k in (*FINANCING, "total")}
    return {
        "评估结果": _sheet(proj, head, {**{k: sc for k in (*c.keys, "score")}, **pct}),
        "指标完成": _sheet(indicator_table(report, order), ind_head,
                       {k: "0.00" for k in ("baseline", "target", "annualised", "change",
                                            "change_pct")}),
        "按期报送": _sheet(timeliness_table(report, order), {**base, **QUARTER_ZH}, {}),
        "融资情况": _sheet(financing_table(report, order), fin_head, amounts),
        "偏离建议": _sheet(departure_table(report), dep_head, {"score": sc, "figure": "0.0"}),
        "专家签字": _sheet(sig, sig_head, {}),
    }  # fmt: skip


# ---------------------------------------------------------------- xlsx
def write_report_xlsx(
    title: str,
    block: list[str],
    footer: str,
    tables: dict[str, dict[str, Any]],
    path: str | os.PathLike[str],
) -> Path:
    """Write ``tables`` as one titled sheet each (the ``table`` form layout: A4, landscape when
    wide, fitted to the width, the header row repeated, frozen); the title block under the
    title of every sheet, the footer on every printed page. Atomic; returns the path."""
    import xlsxwriter

    from ..io.cells import prepare
    from ..io.forms import load_layout
    from ..io.writer import atomic_file
    from ..io.xlsx import _Extras, _Formats, _write_sheet

    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        raise InputError([Problem(f"unsupported output type '{p.suffix}' (use .xlsx)")],
                         file=p.name)  # fmt: skip
    layout = load_layout("table")
    with atomic_file(p) as tmp:
        wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "strings_to_urls": False,
                                       "nan_inf_to_errors": True})  # fmt: skip
        try:
            wb.set_properties({"title": title})
            fmt = _Formats(wb, layout)
            for name, spec in tables.items():
                frame = spec["frame"]
                ws = wb.add_worksheet(name)
                headers = {c: spec["headers"].get(c, c) for c in frame.columns}
                t = prepare(frame, headers, layout)
                extras = _Extras(tuple(block), footer, spec["formats"])
                _write_sheet(ws, t, f"{title}：{name}", layout, {}, fmt, False, extras)
        finally:
            wb.close()
    return p


def _check_format(path: str | os.PathLike[str], fmt: str | None) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    fmt = (fmt or suffix).lower()
    if fmt not in ("pdf", "xlsx") or suffix != fmt:
        raise InputError([Problem(
            f"输出文件须为 .pdf 或 .xlsx，且与格式一致 / the output must be a .pdf or .xlsx file "
            f"matching the format (got {Path(path).name!r}, format {fmt!r})", column="--out")])  # fmt: skip
    return fmt


def city_report(
    wb: Any,
    panel_id: int,
    city: str,
    path: str | os.PathLike[str],
    *,
    actor: Any = None,
    fmt: str | None = None,
    samples: int = 4_000,
) -> Path:
    """Write a city's 年度评估报告 of a closed evaluation panel as PDF or xlsx (by ``fmt`` or
    the suffix of ``path``). Raises a bilingual :class:`~scoring.store.errors.NotFound` when the
    panel has no project of ``city``."""
    from .evaluation_store import city_report_from_store

    kind = _check_format(path, fmt)
    data = city_report_from_store(wb, panel_id, city, actor=actor, samples=samples)
    if kind == "xlsx":
        return write_report_xlsx(data.title, data.panel.block(data.generated), data.panel.footer,
                                 city_tables(data), path)  # fmt: skip
    from .evaluation_pdf import build_city_pdf
    from .panel_report import write_pdf

    return write_pdf(build_city_pdf(data), path)


def province_report(
    wb: Any,
    year: int,
    path: str | os.PathLike[str],
    *,
    actor: Any = None,
    fmt: str | None = None,
    samples: int = 4_000,
) -> Path:
    """Write the province's 年度汇总报告 of ``year`` as PDF or xlsx."""
    from .evaluation_province import province_tables
    from .evaluation_store import province_report_from_store

    kind = _check_format(path, fmt)
    data = province_report_from_store(wb, year, actor=actor, samples=samples)
    if kind == "xlsx":
        footer = "　".join(f"配置 {p.config_hash[:12]}" for p in data.panels)
        return write_report_xlsx(data.title, data.block(), footer, province_tables(data), path)
    from .evaluation_pdf import build_province_pdf
    from .panel_report import write_pdf

    return write_pdf(build_province_pdf(data), path)
