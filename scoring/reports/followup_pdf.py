"""The follow-up summary report (跟进汇总报告) as a PDF: key figures, tables and charts.

:func:`build_summary_pdf` renders a :class:`~scoring.reports.followup.FollowupSummary` on A4
portrait with the embedded CJK font of :mod:`.pdf`: the title and the notes, the key figures, then
一、按期报送情况 (by city, with a chart of the reporting and on-time rates; by period),
二、绩效指标完成情况, 三、信贷（融资）情况 (by city, with a chart of the amounts by kind) and
四、退出预警. The charts are matplotlib figures with Chinese labels (:mod:`.charts`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..followup.content import FINANCING
from ..fonts import setup_matplotlib
from .charts import fig_png
from .followup import TOTAL, FollowupSummary
from .pdf import ReportPDF

__all__ = ["build_summary_pdf", "financing_chart", "rates_chart"]

_BLUE, _GREEN, _GREY = "#1565c0", "#2e7d32", "#9e9e9e"
_KIND_COLOURS = ("#1565c0", "#2e7d32", "#f9a825", "#6a1b9a", "#9e9e9e")


def _pct(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return ""
    return "—" if math.isnan(v) else f"{v * 100:.1f}%"


def _num(x: Any, digits: int = 2) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "" if x is None else str(x)
    if math.isnan(v):
        return "—"
    return f"{v:,.{digits}f}"


def _int(x: Any) -> str:
    try:
        return str(int(x))
    except (TypeError, ValueError):
        return ""


def rates_chart(by_city: pd.DataFrame) -> Figure:
    """Reporting rate and on-time rate per city (grouped bars, percent), the total row left out."""
    setup_matplotlib()
    d = by_city[by_city["city"] != TOTAL]
    fig = Figure(figsize=(7.6, 3.0), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(d))
    rep = d["reporting_rate"].astype(float).fillna(0).to_numpy() * 100
    ont = d["on_time_rate"].astype(float).fillna(0).to_numpy() * 100
    ax.bar(x - 0.2, rep, width=0.4, color=_BLUE, label="报送率")
    ax.bar(x + 0.2, ont, width=0.4, color=_GREEN, label="按期报送率")
    for xi, a, b in zip(x, rep, ont, strict=True):
        ax.text(xi - 0.2, a + 1, f"{a:.0f}", ha="center", fontsize=6)
        ax.text(xi + 0.2, b + 1, f"{b:.0f}", ha="center", fontsize=6)
    ax.set_xticks(x, list(d["city"]), fontsize=8)
    ax.set_ylim(0, 125)
    ax.set_ylabel("%")
    ax.set_title("各地市台帐报送率与按期报送率（%）", fontsize=10)
    ax.legend(fontsize=8, loc="upper center", ncols=2, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return fig


def financing_chart(financing: pd.DataFrame) -> Figure:
    """Financing (万元) per city stacked by kind (贷款类 … 其它), the total row left out."""
    setup_matplotlib()
    d = financing[financing["city"] != TOTAL]
    fig = Figure(figsize=(7.6, 3.0), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(d))
    bottom = np.zeros(len(d))
    for (key, (zh, _en)), colour in zip(FINANCING.items(), _KIND_COLOURS, strict=True):
        v = d[key].astype(float).fillna(0).to_numpy()
        ax.bar(x, v, bottom=bottom, color=colour, label=zh, width=0.6)
        bottom += v
    for xi, total in zip(x, bottom, strict=True):
        if total > 0:
            ax.text(xi, total, f"{total:,.0f}", ha="center", va="bottom", fontsize=6)
    ax.set_xticks(x, list(d["city"]), fontsize=8)
    ax.set_ylabel("万元")
    ax.set_title("各地市信贷（融资）情况（万元，按类别）", fontsize=10)
    ax.legend(fontsize=7, ncols=5, loc="upper center", frameon=False)
    ax.grid(axis="y", alpha=0.3)
    if len(d) == 0 or not bottom.any():
        ax.set_ylim(0, 1)
    else:
        ax.set_ylim(0, bottom.max() * 1.3)
    return fig


def _rates_rows(frame: pd.DataFrame, by: str) -> list[list[str]]:
    return [
        [str(r[by]), _int(r["expected"]), _int(r["reported"]), _int(r["on_time"]), _int(r["late"]),
         _int(r["missing"]), _int(r["overdue"]), _pct(r["reporting_rate"]),
         _pct(r["on_time_rate"])]
        for r in frame.to_dict("records")
    ]  # fmt: skip


_RATE_HEAD = ["应报", "已报", "按期", "迟报", "未报", "逾期未报", "报送率", "按期报送率"]


def build_summary_pdf(data: FollowupSummary) -> bytes:
    """The summary report as PDF bytes (A4 portrait, CJK font embedded)."""
    pdf = ReportPDF(data.title, footer_note=f"生成时间 {data.generated:%Y-%m-%d %H:%M}")
    pdf.add_page()
    pdf.title_block(
        data.title, f"山西省供应链重点项目阶段跟进　生成时间：{data.generated:%Y-%m-%d %H:%M}"
    )
    t = data.totals()
    pdf.key_values(
        [
            ("跟进项目", f"{int(t['projects'])} 个"),
            ("应报台帐", f"{_int(t['expected'])} 份，已报 {_int(t['reported'])} 份，"
                         f"按期 {_int(t['on_time'])} 份，迟报 {_int(t['late'])} 份，"
                         f"未报 {_int(t['missing'])} 份"),
            ("报送率", f"{_pct(t['reporting_rate'])}（按期报送率 {_pct(t['on_time_rate'])}）"),
            ("信贷（融资）合计", f"{_num(t['financing'])} 万元"),
            ("退出预警", f"{int(t['exits'])} 个项目"),
        ],
        key_width=38,
    )  # fmt: skip
    for note in data.notes:
        pdf.paragraph("注：" + note, size=8.5, height=4.6)

    pdf.heading("一、按期报送情况")
    pdf.heading("（一）分地市", level=2)
    widths = [14, 8, 8, 8, 8, 8, 9, 10, 12]
    pdf.data_table(["地市", *_RATE_HEAD], _rates_rows(data.by_city, "city"), col_widths=widths,
                   align=["L", *["R"] * 8])  # fmt: skip
    if len(data.by_city) > 1:
        pdf.png(fig_png(rates_chart(data.by_city)), width=170)
    pdf.heading("（二）分期次", level=2)
    pdf.data_table(["期次", *_RATE_HEAD], _rates_rows(data.by_period, "period"),
                   col_widths=widths, align=["L", *["R"] * 8])  # fmt: skip

    pdf.heading("二、绩效指标完成情况")
    if data.indicators.empty:
        pdf.paragraph("本期无已确认台帐的指标数据。")
    else:
        rows = [
            [r["indicator"], r["unit"], _int(r["projects"]), _num(r["mean_value"]),
             _num(r["mean_baseline"]), _num(r["mean_target"]), _int(r["met"]),
             _int(r["improving"]), _int(r["below_baseline"]), _int(r["no_baseline"]),
             _pct(r["median_gap_closed"])]
            for r in data.indicators.to_dict("records")
        ]  # fmt: skip
        pdf.data_table(
            ["指标", "单位", "项目数", "均值(年化)", "基线均值", "目标均值", "达标", "好于基线",
             "低于基线", "无基线", "目标完成度"],
            rows,
            col_widths=[16, 6, 7, 11, 11, 11, 6, 8, 8, 7, 10],
            align=["L", "C", *["R"] * 9],
            font_size=7.5,
        )  # fmt: skip

    pdf.heading("三、信贷（融资）情况（万元）")
    fin_rows = [
        [str(r["city"]), *[_num(r[k]) for k in (*FINANCING, "total")]]
        for r in data.financing.to_dict("records")
    ]
    pdf.data_table(["地市", *[zh for zh, _ in FINANCING.values()], "合计"], fin_rows,
                   col_widths=[14, 12, 12, 12, 12, 12, 14], align=["L", *["R"] * 6])  # fmt: skip
    if len(data.financing) > 1:
        pdf.png(fig_png(financing_chart(data.financing)), width=170)

    pdf.heading("四、退出预警")
    if data.exits.empty:
        pdf.paragraph("无符合退出情形的项目。")
    else:
        rows = [
            [r["project_id"], r["name"], r["city"], r["ground"], r["evidence"]]
            for r in data.exits.to_dict("records")
        ]
        pdf.data_table(["项目编号", "项目名称", "地市", "退出情形", "依据"], rows,
                       col_widths=[10, 26, 9, 16, 39], font_size=8)  # fmt: skip
    return pdf.to_bytes()
