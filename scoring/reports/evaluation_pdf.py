"""The yearly evaluation reports as PDF (A4, the CJK font embedded, see :mod:`.pdf`).

:func:`build_city_pdf` — a city's 年度评估报告 (landscape): the panel (members, chair, frozen
weights in percent, criteria set, configuration hash), the table of the city's projects (each
point's score, total, grade, the probability of the grade, 等级不稳), one section per project
(indicators against baseline and target, the four quarters' timeliness, financing by kind, the
scores outside their suggested band) and the experts' confirmations (时间 or 回避).

:func:`build_province_pdf` — the province's 年度汇总报告 for the ministry (portrait): the grade
distribution by city (with a bar chart) and by kind, the indicators' trends, financing by city
and kind, the exits of the year with their reasons, the replicable cases, the fragile grades and
the list of every project's grade.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..followup.content import FINANCING
from ..fonts import setup_matplotlib
from ..io.filing import score_decimals
from .charts import fig_png
from .evaluation import (
    QUARTER_ZH,
    QUARTERS,
    TOTAL,
    CityReport,
    ProvinceReport,
    departure_table,
    project_table,
    signature_table,
    timeliness_text,
)
from .evaluation_province import (
    cases_table,
    exits_table,
    fragile_table,
    grade_distribution,
    indicator_trends,
    province_financing,
)
from .pdf import ReportPDF

__all__ = ["build_city_pdf", "build_province_pdf", "grade_chart"]

#: Grade colours, best first (优秀 … 不合格).
GRADE_COLOURS = ("#2e7d32", "#1565c0", "#f9a825", "#c62828", "#6a1b9a", "#9e9e9e")
FRAGILE_NOTE = (
    "等级概率：冻结权重在其附近随机扰动（SMAA，随机权重模拟）时项目获得现等级的概率；"
    "低于 80% 的标为“等级不稳”。"
)


def _n(x: Any, digits: int = 2) -> str:
    if x is None:
        return "—"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "—" if math.isnan(v) else f"{v:,.{digits}f}"


def _pct(x: Any, digits: int = 1) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return ""
    return "—" if math.isnan(v) else f"{v * 100:.{digits}f}%"


# ---------------------------------------------------------------- charts
def grade_chart(dist: pd.DataFrame, labels: list[str]) -> Figure:
    """Projects per city stacked by grade (优秀 … 不合格), the total row left out."""
    setup_matplotlib()
    d = dist[dist["city"] != TOTAL]
    fig = Figure(figsize=(7.6, 3.1), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(d))
    bottom = np.zeros(len(d))
    for lab, colour in zip(labels, GRADE_COLOURS, strict=False):
        v = d[lab].astype(float).to_numpy()
        ax.bar(x, v, bottom=bottom, color=colour, label=lab, width=0.6)
        for xi, b, vi in zip(x, bottom, v, strict=True):
            if vi > 0:
                ax.text(xi, b + vi / 2, f"{vi:.0f}", ha="center", va="center", fontsize=6,
                        color="white")  # fmt: skip
        bottom += v
    ax.set_xticks(x, list(d["city"]), fontsize=7)
    ax.set_ylabel("项目数")
    ax.set_ylim(0, max(bottom.max() if len(bottom) else 1, 1) * 1.25)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title("各地市年度评估等级分布（项目数）", fontsize=10)
    ax.legend(fontsize=7, ncols=len(labels), loc="upper center", frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return fig


def trends_chart(trends: pd.DataFrame) -> Figure:
    """Share of projects per indicator that met the target / improved / fell below baseline."""
    setup_matplotlib()
    fig = Figure(figsize=(7.6, max(2.2, 0.32 * len(trends) + 1.0)), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(trends))
    left = np.zeros(len(trends))
    parts = (("share_met", "达到目标", "#2e7d32"), ("share_improving", "好于基线", "#1565c0"),
             ("share_below", "低于基线", "#c62828"))  # fmt: skip
    for col, lab, colour in parts:
        v = trends[col].astype(float).fillna(0).to_numpy() * 100
        ax.barh(y, v, left=left, color=colour, label=lab, height=0.6)
        left += v
    ax.set_yticks(y, list(trends["indicator"]), fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("项目占比（%）")
    ax.set_title("绩效指标完成情况（各指标项目占比）", fontsize=10)
    fig.legend(*ax.get_legend_handles_labels(), fontsize=7, ncols=3, loc="outside lower center",
               frameon=False)  # fmt: skip
    return fig


# ---------------------------------------------------------------- the city report
def _panel_section(pdf: ReportPDF, data: CityReport) -> None:
    p = data.panel
    lo, hi = p.criteria.scale
    pdf.heading("一、评估组与冻结配置")
    pdf.key_values(
        [
            ("评估组", f"{p.name}（编号 {p.id}）"),
            ("评估日期 / 年度", f"{p.date}　/　{p.year} 年度　项目类型：{p.kind_zh}"),
            ("主持人", p.chair or "—"),
            ("指标体系", f"{p.criteria.title('zh')}（{p.criteria.name}，{lo:g}–{hi:g} 分）"),
            ("配置哈希", p.config_hash),
            ("审计链", f"#{p.chain_head[0]} {p.chain_head[1]}" if p.chain_head else "—"),
        ],
        key_width=40,
    )  # fmt: skip
    pdf.paragraph(f"评审专家（{len(p.members)} 人）："
                  + "；".join(f"{e} {n}" + (f"（{w}）" if w else "") for e, n, w in p.members),
                  size=9.5, height=5.2)  # fmt: skip
    names = p.criteria.names("zh")
    pct = p.weights_pct()
    pdf.data_table(["冻结权重", *[names[k] for k in p.criteria.keys]],
                   [["权重（%）", *[f"{pct.get(k, 0.0):.1f}%" for k in p.criteria.keys]]],
                   col_widths=[1.2, *[1.0] * len(p.criteria.keys)],
                   align=["L", *["R"] * len(p.criteria.keys)], font_size=8.5)  # fmt: skip
    parts, prev = [], None
    for g in p.criteria.grades:
        if g.min is not None:
            parts.append(f"{g.zh} {g.min:g} 分及以上")
            prev = g.min
        else:
            parts.append(f"{g.zh} 低于 {prev:g} 分" if prev is not None else g.zh)
    grades = "；".join(parts)
    pdf.paragraph(f"等级划分：{grades}。", size=8.5, height=4.6)


def _results_section(pdf: ReportPDF, data: CityReport) -> pd.DataFrame:
    c = data.panel.criteria
    digits = score_decimals(c.scale)
    proj = project_table(data)
    pdf.heading(f"二、评估结果（{data.city}，{len(proj)} 个项目）")
    names = c.names("zh")
    rows = [
        [r["project_id"], r["name"], *[_n(r[k], digits) for k in c.keys], _n(r["score"], digits),
         str(r["rank"]), r["grade"], _pct(r["p_own"]), "是" if r["fragile"] else ""]
        for r in proj.to_dict("records")
    ]  # fmt: skip
    k = len(c.keys)
    pdf.data_table(
        ["编号", "项目名称", *[names[x] for x in c.keys], "总分", "全组排名", "等级", "等级概率",
         "等级不稳"],
        rows,
        col_widths=[1.1, 4.2, *[1.25] * k, 1.2, 1.0, 1.0, 1.1, 0.9],
        align=["L", "L", *["R"] * (k + 2), "C", "R", "C"],
        font_size=7.5,
        highlight=[bool(r["fragile"]) for r in proj.to_dict("records")],
    )  # fmt: skip
    pdf.paragraph(FRAGILE_NOTE + "底色标出等级不稳的项目；全组排名为该评估组全部项目中的名次。",
                  size=8, height=4.4)  # fmt: skip
    return proj


def _project_section(pdf: ReportPDF, data: CityReport, rec: dict[str, Any], n: int) -> None:
    pid = rec["project_id"]
    e = data.evidences.get(pid)
    digits = score_decimals(data.panel.criteria.scale)
    pdf.heading(f"（{n}）{pid} {rec['name']}：{rec['grade']}（{_n(rec['score'], digits)} 分）",
                level=2)  # fmt: skip
    if e is None:
        pdf.paragraph("无跟进台帐数据。")
        return
    inds = list(e.indicators)
    if inds:
        rows = [
            [i["label"], i.get("unit", ""), _n(i.get("baseline")), _n(i.get("target")),
             _n(i.get("annualised")), _n(i.get("change")), _n(i.get("change_pct"), 1) + "%",
             {"met": "达到目标", "improving": "好于基线", "below_baseline": "低于基线",
              "no_baseline": "无基线"}.get(i.get("status", ""), i.get("status", ""))]
            for i in inds
        ]  # fmt: skip
        pdf.data_table(["绩效指标", "单位", "基线值", "目标值", "本年（年化）", "较基线变化",
                        "变化率", "完成情况"], rows,
                       col_widths=[3.2, 1, 1.3, 1.3, 1.5, 1.4, 1.1, 1.3],
                       align=["L", "C", "R", "R", "R", "R", "R", "C"], font_size=7.5)  # fmt: skip
    else:
        pdf.paragraph("绩效指标：本年尚无已确认台帐的指标数据。", size=8.5)
    by = {str(q["period"])[4:]: q for q in e.quarters}
    fin = dict(e.financing or {})
    head = [*[QUARTER_ZH[q] for q in QUARTERS], *[zh for zh, _ in FINANCING.values()],
            "融资合计（万元）"]  # fmt: skip
    row = [*[timeliness_text(by.get(q, {})) for q in QUARTERS],
           *[_n(fin.get(k, 0.0)) for k in FINANCING], _n(fin.get("total", 0.0))]  # fmt: skip
    pdf.data_table(head, [row], col_widths=[1.1] * 5 + [1.1] * 5 + [1.5],
                   align=["C"] * 5 + ["R"] * 6, font_size=7.5)  # fmt: skip
    dep = departure_table(data)
    dep = dep[dep["project_id"] == pid]
    if dep.empty:
        pdf.paragraph("偏离建议区间：无（各专家评分均在测算的建议区间内）。", size=8.5)
        return
    rows = [
        [r["expert"], r["criterion"], _n(r["score"], digits), _n(r["figure"], 1), r["band"],
         r["suggested"], r["direction"]]
        for r in dep.to_dict("records")
    ]  # fmt: skip
    pdf.paragraph(f"偏离建议区间的评分（{len(rows)} 项；建议区间由台帐测算，专家自主评分）：",
                  size=8.5, height=4.6)  # fmt: skip
    pdf.data_table(["专家", "评估要点", "评分", "测算值", "建议区间", "建议等级", "偏离"], rows,
                   col_widths=[1.6, 2.2, 1, 1, 1.2, 1, 1.1],
                   align=["L", "L", "R", "R", "C", "C", "C"], font_size=7.5)  # fmt: skip


def _signature_section(pdf: ReportPDF, data: CityReport, order: list[str]) -> None:
    pdf.add_page()
    pdf.heading("四、专家签字确认")
    pdf.paragraph("各专家在评分系统中以个人访问码确认评分表（签名）；下表为各项目评分表的确认时间，"
                  "“回避”为依规回避（同地市、同单位或贷款银行）未参与评分。", size=8.5,
                  height=4.6)  # fmt: skip
    sig = signature_table(data, order)
    for start in range(0, max(len(order), 1), 6):
        part = order[start : start + 6]
        rows = [[r["expert_id"], r["expert_name"], r["employer"], *[r[p] for p in part], ""]
                for r in sig.to_dict("records")]  # fmt: skip
        pdf.data_table(["编号", "姓名", "工作单位", *[f"{p} 确认时间" for p in part],
                        "签字"], rows,
                       col_widths=[0.8, 1.1, 3.0, *[1.6] * len(part), 1.8],
                       align=["L", "L", "L", *["C"] * len(part), "L"], font_size=8)  # fmt: skip
    pdf.signature_line("评估组主持人签字")


def build_city_pdf(data: CityReport) -> bytes:
    """The city's 年度评估报告 as PDF bytes (A4 landscape, CJK font embedded)."""
    p = data.panel
    pdf = ReportPDF(data.title, orientation="L", footer_note=p.footer)
    pdf.add_page()
    pdf.title_block(data.title, f"{p.name}　评估日期 {p.date}　生成时间 "
                                f"{data.generated:%Y-%m-%d %H:%M}")  # fmt: skip
    _panel_section(pdf, data)
    proj = _results_section(pdf, data)
    pdf.add_page()
    pdf.heading("三、项目评估情况")
    pdf.paragraph("各项目本年度台帐：绩效指标为最新一期已确认台帐的本年累计值（年化）与申报基线、"
                  "目标比较；四个季度及年度总结的报送情况；信贷（融资）为最新一期台帐本年累计"
                  "（万元）；偏离为专家评分不在按台帐测算的建议区间内的评分。", size=8.5,
                  height=4.6)  # fmt: skip
    for i, rec in enumerate(proj.to_dict("records"), start=1):
        _project_section(pdf, data, rec, i)
    _signature_section(pdf, data, list(proj["project_id"]))
    return pdf.to_bytes()


# ---------------------------------------------------------------- the province report
def build_province_pdf(data: ProvinceReport) -> bytes:
    """The province's 年度汇总报告 as PDF bytes (A4 portrait, CJK font embedded)."""
    from .followup_pdf import financing_chart

    labels = data.grade_labels
    footer = "　".join(f"配置 {p.config_hash[:12]}" for p in data.panels)
    pdf = ReportPDF(data.title, footer_note=footer)
    pdf.add_page()
    pdf.title_block(data.title, f"省商务厅报送商务部　生成时间 "
                                f"{data.generated:%Y-%m-%d %H:%M}")  # fmt: skip
    g = data.grades
    fail = labels[-1] if labels else ""
    counts = "，".join(f"{lab} {int((g['grade'] == lab).sum())} 个" for lab in labels)
    pdf.key_values(
        [
            ("评估年度", f"{data.year} 年度"),
            ("评估项目", f"{len(g)} 个（{counts}）"),
            ("等级不稳", f"{int(g['fragile'].astype(bool).sum())} 个"),
            ("本年退出", f"{len(data.exits)} 个"),
            ("典型案例", f"{len(data.cases)} 个"),
        ],
        key_width=30,
    )  # fmt: skip
    for p in data.panels:
        pdf.paragraph(f"{p.name}（编号 {p.id}，{p.date}，{p.kind_zh}，{len(p.members)} 位专家）；"
                      f"主持人：{p.chair or '—'}；冻结权重：{p.weights_line()}；配置哈希："
                      f"{p.config_hash}", size=8, height=4.4)  # fmt: skip

    pdf.heading("一、评估等级分布")
    pdf.heading("（一）分地市", level=2)
    dist = grade_distribution(g, "city", labels)
    pdf.data_table(["地市", *labels, TOTAL], dist.astype(str).to_numpy().tolist(),
                   col_widths=[2, *[1] * (len(labels) + 1)],
                   align=["L", *["R"] * (len(labels) + 1)], font_size=8.5)  # fmt: skip
    if len(dist) > 1:
        pdf.png(fig_png(grade_chart(dist, labels)), width=175)
    pdf.heading("（二）分项目类型", level=2)
    kinds = grade_distribution(g, "kind", labels)
    pdf.data_table(["项目类型", *labels, TOTAL], kinds.astype(str).to_numpy().tolist(),
                   col_widths=[2, *[1] * (len(labels) + 1)],
                   align=["L", *["R"] * (len(labels) + 1)], font_size=8.5)  # fmt: skip

    pdf.heading("二、绩效指标完成情况")
    trends = indicator_trends(data)
    if trends.empty:
        pdf.paragraph("本年尚无已确认台帐的指标数据。")
    else:
        rows = [[r["indicator"], r["unit"], str(r["projects"]), str(r["met"]),
                 str(r["improving"]), str(r["below_baseline"]), str(r["no_baseline"]),
                 _pct(r["share_met"]), _pct(r["share_improving"]), _pct(r["share_below"])]
                for r in trends.to_dict("records")]  # fmt: skip
        pdf.data_table(["指标", "单位", "项目数", "达到目标", "好于基线", "低于基线", "无基线",
                        "达标占比", "好于基线占比", "低于基线占比"], rows,
                       col_widths=[3, 1, 1, 1, 1, 1, 1, 1.2, 1.3, 1.3],
                       align=["L", "C", *["R"] * 8], font_size=7.5)  # fmt: skip
        pdf.png(fig_png(trends_chart(trends)), width=165)

    pdf.heading("三、信贷（融资）情况（万元）")
    fin = province_financing(data)
    rows = [[str(r["city"]), str(int(r["projects"])), *[_n(r[k]) for k in (*FINANCING, "total")]]
            for r in fin.to_dict("records")]  # fmt: skip
    pdf.data_table(["地市", "项目数", *[zh for zh, _ in FINANCING.values()], "合计"], rows,
                   col_widths=[1.6, 1, 1.5, 1.3, 1.3, 1.3, 1.3, 1.6],
                   align=["L", *["R"] * 7], font_size=8)  # fmt: skip
    if len(fin) > 1:
        pdf.png(fig_png(financing_chart(fin)), width=175)
    pdf.paragraph("取各项目本年度最新一期已报送台帐的本年累计值。", size=8)

    pdf.heading("四、本年退出项目")
    ex = exits_table(data)
    if ex.empty:
        pdf.paragraph("本年无退出项目。")
    else:
        pdf.data_table(["编号", "项目名称", "地市", "类型", "退出日期", "退出原因"],
                       ex.fillna("").astype(str).to_numpy().tolist(),
                       col_widths=[1, 3, 1.2, 1.2, 1.4, 5], font_size=8)  # fmt: skip
    pdf.paragraph(f"年度评估为“{fail}”的项目已列入退出清单，由组织单位依规决定是否退出。",
                  size=8)  # fmt: skip

    pdf.heading("五、可复制推广的典型案例")
    cs = cases_table(data)
    if cs.empty:
        pdf.paragraph("评估组未标记典型案例。")
    else:
        pdf.data_table(["编号", "项目名称", "地市", "等级", "案例说明（评估组）"],
                       cs[["project_id", "name", "city", "grade", "note"]].astype(str)
                       .to_numpy().tolist(),
                       col_widths=[1, 3, 1.2, 1, 6], font_size=8)  # fmt: skip

    pdf.heading("六、等级不稳的项目")
    fr = fragile_table(data)
    if fr.empty:
        pdf.paragraph("无：各项目在权重扰动下的等级概率均不低于 80%。")
    else:
        rows = [[r["project_id"], r["name"], r["city"], _n(r["score"]), r["grade"],
                 _pct(r["p_own"]), r["alternative"], _pct(r["p_alternative"])]
                for r in fr.to_dict("records")]  # fmt: skip
        pdf.data_table(["编号", "项目名称", "地市", "总分", "等级", "等级概率", "可能等级",
                        "其概率"], rows, col_widths=[1, 3.6, 1.2, 1, 1, 1.2, 1.1, 1.1],
                       align=["L", "L", "L", "R", "C", "R", "C", "R"], font_size=8)  # fmt: skip
    pdf.paragraph(FRAGILE_NOTE, size=8, height=4.4)

    pdf.heading("附：各项目年度评估等级")
    srt = g.sort_values(["panel_id", "rank"])
    rows = [[str(p), r["name"], r["city"], _n(r["score"]), str(int(r["rank"])), r["grade"],
             _pct(r["p_own"]), "是" if bool(r["fragile"]) else ""]
            for p, r in srt.iterrows()]  # fmt: skip
    pdf.data_table(["编号", "项目名称", "地市", "总分", "组内排名", "等级", "等级概率",
                    "等级不稳"], rows, col_widths=[1, 4, 1.3, 1, 1, 1, 1.1, 1],
                   align=["L", "L", "L", "R", "R", "C", "R", "C"], font_size=7.5,
                   highlight=[r[5] == fail for r in rows])  # fmt: skip
    return pdf.to_bytes()
