"""The tables of the province's 年度汇总报告 (see :mod:`.evaluation`): the grade distribution by
city and by kind, the indicators' trends, financing by city and kind, the exits of the year, the
replicable cases, the fragile grades and every project's grade; Chinese headers and values."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..followup.content import FINANCING
from ..io.filing import local_minute, score_decimals
from ..programme import schema
from .evaluation import STATUS_ZH, TOTAL, ProvinceReport, _num, _sheet, city_order

__all__ = [
    "cases_table",
    "exits_table",
    "fragile_table",
    "grade_distribution",
    "indicator_trends",
    "province_financing",
    "province_tables",
]


def grade_distribution(grades: pd.DataFrame, by: str, labels: list[str]) -> pd.DataFrame:
    """Counts of each grade by ``by`` (``city`` or ``kind``) with a 合计 column and row."""
    keys = city_order(grades[by]) if by == "city" else list(dict.fromkeys(grades[by]))
    rows = []
    for k in keys:
        g = grades[grades[by] == k]["grade"]
        rows.append({by: k, **{lab: int((g == lab).sum()) for lab in labels}, TOTAL: len(g)})
    out = pd.DataFrame(rows, columns=[by, *labels, TOTAL])
    total = {by: TOTAL, **{lab: int(out[lab].sum()) for lab in labels},
             TOTAL: int(out[TOTAL].sum())}  # fmt: skip
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    if by == "kind":
        out[by] = [schema.PROJECT_KINDS.get(str(k), str(k)) for k in out[by]]
    return out


def indicator_trends(report: ProvinceReport) -> pd.DataFrame:
    """Per indicator: projects, how many met / improving / below baseline / without baseline,
    and the shares of the first three."""
    rows = []
    for p, e in report.evidences.items():
        if p not in report.grades.index:
            continue
        for ind in e.indicators:
            rows.append({"project_id": p, "indicator": ind["label"], "unit": ind.get("unit", ""),
                         "status": ind.get("status", "")})  # fmt: skip
    cols = ["indicator", "unit", "projects", *STATUS_ZH, "share_met", "share_improving",
            "share_below"]  # fmt: skip
    if not rows:
        return pd.DataFrame(columns=cols)
    d = pd.DataFrame(rows)
    out = []
    for (name, unit), g in d.groupby(["indicator", "unit"], sort=False):
        n = int(g["project_id"].nunique())
        rec = {"indicator": name, "unit": unit, "projects": n}
        rec.update({s: int((g["status"] == s).sum()) for s in STATUS_ZH})
        rec["share_met"] = rec["met"] / n if n else math.nan
        rec["share_improving"] = rec["improving"] / n if n else math.nan
        rec["share_below"] = rec["below_baseline"] / n if n else math.nan
        out.append(rec)
    return pd.DataFrame(out, columns=cols)


def province_financing(report: ProvinceReport) -> pd.DataFrame:
    """Financing (万元, each project's latest reported ledger of the year) by city and kind."""
    rows = []
    for p, e in report.evidences.items():
        if p not in report.grades.index:
            continue
        fin = dict(e.financing or {})
        rows.append({"city": str(e.project.get("city") or report.grades.at[p, "city"]),
                     **{k: float(fin.get(k, 0.0) or 0.0) for k in FINANCING}})  # fmt: skip
    cols = ["city", "projects", *FINANCING, "total"]
    if not rows:
        return pd.DataFrame([{"city": TOTAL, "projects": 0, **dict.fromkeys(
            (*FINANCING, "total"), 0.0)}], columns=cols)  # fmt: skip
    d = pd.DataFrame(rows)
    d["total"] = d[list(FINANCING)].sum(axis=1)
    out = d.groupby("city").agg(projects=("city", "size"), **{k: (k, "sum") for k in
                                                              (*FINANCING, "total")})  # fmt: skip
    out = out.reindex(city_order(out.index)).reset_index()
    total = {"city": TOTAL, "projects": int(out["projects"].sum()),
             **{k: float(out[k].sum()) for k in (*FINANCING, "total")}}  # fmt: skip
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)[cols]


def _all_grades(report: ProvinceReport) -> pd.DataFrame:
    g = report.grades
    digits = min(score_decimals(p.criteria.scale) for p in report.panels)
    panel = {p.id: p.name for p in report.panels}
    return pd.DataFrame({
        "panel": [panel.get(int(i), str(i)) for i in g["panel_id"]],
        "project_id": [str(p) for p in g.index], "name": g["name"].to_numpy(),
        "city": g["city"].to_numpy(),
        "kind": [schema.PROJECT_KINDS.get(str(k), str(k)) for k in g["kind"]],
        "score": g["score"].astype(float).round(digits).to_numpy(),
        "rank": g["rank"].astype(int).to_numpy(), "grade": g["grade"].to_numpy(),
        "p_own": g["p_own"].astype(float).round(4).to_numpy(),
        "fragile": g["fragile"].astype(bool).to_numpy(),
    })  # fmt: skip


def fragile_table(report: ProvinceReport) -> pd.DataFrame:
    """The grades that are not robust (P(own grade) < 0.8) and the likeliest other grade."""
    g = report.grades[report.grades["fragile"].astype(bool)]
    labels = {}
    for p in report.panels:
        labels.update({f"p_{gr.key}": gr.zh for gr in p.criteria.grades})
    rows = []
    for pid, r in g.sort_values("p_own").iterrows():
        others = {c: _num(r.get(c)) for c in labels if c in r.index and c != f"p_{r['grade_key']}"}
        alt = max(others, key=lambda c: others[c]) if others else None
        rows.append({
            "project_id": str(pid), "name": r["name"], "city": r["city"],
            "score": round(float(r["score"]), 2), "grade": r["grade"],
            "p_own": round(float(r["p_own"]), 4),
            "alternative": labels.get(alt, "") if alt else "",
            "p_alternative": round(others[alt], 4) if alt else math.nan,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=["project_id", "name", "city", "score", "grade", "p_own",
                                       "alternative", "p_alternative"])  # fmt: skip


def exits_table(report: ProvinceReport) -> pd.DataFrame:
    e = report.exits
    cols = ["project_id", "name", "city", "kind", "exited_at", "exit_reason"]
    if e is None or e.empty:
        return pd.DataFrame(columns=cols)
    out = e.reindex(columns=cols).copy()
    out["kind"] = [schema.PROJECT_KINDS.get(str(k), str(k)) for k in out["kind"]]
    out["exited_at"] = [local_minute(x)[:10] for x in out["exited_at"]]
    return out.reset_index(drop=True)


def cases_table(report: ProvinceReport) -> pd.DataFrame:
    c = report.cases
    cols = ["project_id", "name", "city", "grade", "panel", "note", "marked_by"]
    if c is None or c.empty:
        return pd.DataFrame(columns=cols)
    g = report.grades
    panel = {p.id: p.name for p in report.panels}
    return pd.DataFrame({
        "project_id": c["project_id"].astype(str).to_numpy(),
        "name": [g.at[p, "name"] if p in g.index else "" for p in c["project_id"]],
        "city": [g.at[p, "city"] if p in g.index else "" for p in c["project_id"]],
        "grade": [g.at[p, "grade"] if p in g.index else "" for p in c["project_id"]],
        "panel": [panel.get(int(i), str(i)) for i in c["panel_id"]],
        "note": c["note"].to_numpy(), "marked_by": c["marked_by"].to_numpy(),
    }, columns=cols)  # fmt: skip


def province_tables(report: ProvinceReport) -> dict[str, dict[str, Any]]:
    """Sheet name -> ``{frame, headers, formats}`` of the province report."""
    labels = report.grade_labels
    grade_head = {lab: lab for lab in (*labels, TOTAL)}
    base = {"project_id": "项目编号", "name": "项目名称", "city": "地市"}
    trends_head = {"indicator": "指标", "unit": "单位", "projects": "项目数",
                   **STATUS_ZH, "share_met": "达标占比", "share_improving": "好于基线占比",
                   "share_below": "低于基线占比"}  # fmt: skip
    fin_head = {"city": "地市", "projects": "项目数", **{k: zh for k, (zh, _) in
                                                        FINANCING.items()}, "total": "合计"}  # fmt: skip
    amounts = {k: "#,##0.00" for k in (*FINANCING, "total")}
    pct3 = {k: "0.0%" for k in ("share_met", "share_improving", "share_below")}
    all_head = {"panel": "评估组", **base, "kind": "项目类型", "score": "总分",
                "rank": "组内排名", "grade": "等级", "p_own": "本等级概率",
                "fragile": "等级不稳"}  # fmt: skip
    return {
        "等级分布(地市)": _sheet(grade_distribution(report.grades, "city", labels),
                             {"city": "地市", **grade_head}, {}),
        "等级分布(类型)": _sheet(grade_distribution(report.grades, "kind", labels),
                             {"kind": "项目类型", **grade_head}, {}),
        "指标趋势": _sheet(indicator_trends(report), trends_head, pct3),
        "融资情况": _sheet(province_financing(report), fin_head, amounts),
        "退出项目": _sheet(exits_table(report), {**base, "kind": "项目类型",
                                            "exited_at": "退出日期", "exit_reason": "退出原因"},
                       {}),
        "典型案例": _sheet(cases_table(report), {**base, "grade": "等级", "panel": "评估组",
                                            "note": "案例说明", "marked_by": "标记人"}, {}),
        "等级不稳": _sheet(fragile_table(report), {**base, "score": "总分", "grade": "等级",
                                            "p_own": "本等级概率", "alternative": "可能等级",
                                            "p_alternative": "可能等级概率"},
                       {"score": "0.00", "p_own": "0.0%", "p_alternative": "0.0%"}),
        "评估等级一览": _sheet(_all_grades(report), all_head,
                         {"score": "0.00", "p_own": "0.0%"}),
    }  # fmt: skip
