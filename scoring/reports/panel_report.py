"""The panel report (评审报告): configuration, ranking, robustness, agreement, records, score sheets.

:func:`build_panel_report` is a pure function of :class:`~scoring.reports.data.ReportData`; it
returns the PDF as bytes. :func:`write_panel_report` writes it atomically (a temporary file
renamed into place), so a failed export never leaves half a file.
"""

from __future__ import annotations

import math
import numbers
import os
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoring.io.filing import HOW_ZH as _HOW
from scoring.io.filing import METHOD_ZH, TIE_ZH, chain_line, local_minute, score_decimals

from .charts import fig_png, robustness_chart
from .data import ExpertSheet, ReportData
from .pdf import Progress, ReportPDF, no_progress

#: Chinese (English) headings of columns the report knows; other columns print their own name.
LABELS: dict[str, str] = {
    "project_id": "编号",
    "project": "项目",
    "name": "名称",
    "city": "城市",
    "kind": "类型",
    "expert_id": "专家编号",
    "expert": "专家",
    "criterion": "指标",
    "reason": "原因",
    "time": "时间",
    "old": "原分",
    "new": "新分",
    "approved_by": "批准人",
    "score": "得分",
    "deviation": "偏差",
    "mean_deviation": "平均偏差",
    "z": "z 值",
    "flag": "标记",
    "kendall_w": "肯德尔 W",
    "W": "肯德尔 W",
    "icc": "ICC",
    "ICC": "ICC",
    "n": "样本数",
    "p_value": "p 值",
    "pval": "p 值",
    "chi2": "卡方",
    "comment": "备注",
    "confirmed_at": "确认时间",
    "robust_z": "稳健 z 值",
    "created_at": "时间",
    "status": "状态",
}
#: Columns printed as local time to the minute.
TIME_LABELS = {"time", "created_at", "confirmed_at", "decided_at"}
KIND_ZH = {
    "enterprise": "企业",
    "region": "区域",
    "industry": "行业专家",
    "official": "部门人员",
    "bank": "银行评审",
}
CONFIG_LABELS: dict[str, str] = {
    "how": "汇总规则 Aggregation",
    "aggregation": "汇总规则 Aggregation",
    "trim_min": "去极值最少人数 Trim minimum",
    "method": "排序方法 Method",
    "ranking_method": "排序方法 Method",
    "ranking_options": "方法参数 Method options",
    "ties": "并列规则 Tie rule",
    "tie_rule": "并列规则 Tie rule",
    "cut": "入围线 Cut line",
    "cut_line": "入围线 Cut line",
    "size": "入围数量 Size",
    "cut_size": "入围数量 Shortlist size",
    "min_score": "最低分 Minimum score",
    "cut_min_score": "最低入围分 Minimum score",
    "caps": "上限 Caps",
    "floors": "下限 Floors",
    "scale": "评分尺度 Scale",
    "round": "年度 Round",
    "panel": "评审组 Panel",
    "frozen_at": "冻结时间 Frozen at",
    "kind": "项目类型",
    "city": "城市",
    "enterprise_type": "企业类型",
    "v": "妥协系数 v",
}
#: Methods whose score is a total on the scoring scale (printed to the scale's precision).
SCALE_METHODS = ("weighted_sum", "weighted_product")
#: Printed for a setting left unset (``None``) — never the JSON ``null``.
UNSET = "未设定 not set"
HOW_ZH = {k: f"{v} ({k.replace('_', ' ')})" for k, v in _HOW.items()}
HOW_ZH["zscore"] = f"{_HOW['zscore']} (z-score)"
CODE_ZH = {
    **HOW_ZH,
    **{k: f"{v} ({k.replace('_', ' ')})" for k, v in METHOD_ZH.items()},
    **{k: f"{v} ({k})" for k, v in TIE_ZH.items()},
    **KIND_ZH,
}


def _fmt(value: Any, digits: int = 2) -> str:
    """Cell text: integers as such, other numbers rounded, NaN/None empty, booleans as 是."""
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "是" if value else ""
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return ""
        if 0 < abs(v) < 10**-digits:
            return f"<{10**-digits:.{digits}f}" if v > 0 else f"{v:.1e}"
        return f"{v:.{digits}f}"
    if isinstance(value, pd.Timestamp | datetime):
        return local_minute(value)
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _config_value(value: Any) -> str:
    """A frozen setting as a clerk reads it: codes in Chinese, nothing unset printed as null."""
    if value is None:
        return UNSET
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return CODE_ZH.get(value, value)
    if isinstance(value, Mapping):
        if not value:
            return "无 none"
        return "，".join(
            f"{CONFIG_LABELS.get(str(k), CODE_ZH.get(str(k), str(k)))} {_config_value(v)}"
            for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return "、".join(_config_value(v) for v in value) if value else "无 none"
    if isinstance(value, numbers.Real):
        return _fmt(value, 2) if not isinstance(value, numbers.Integral) else str(int(value))
    return str(value)


def frame_table(pdf: ReportPDF, df: pd.DataFrame, *, font_size: float = 8, digits: int = 3) -> None:
    """Print any DataFrame as a table (a named index becomes the first column)."""
    if df is None or df.empty:
        pdf.paragraph("（无 None）")
        return
    frame = df.reset_index() if df.index.name or not isinstance(df.index, pd.RangeIndex) else df
    header = [LABELS.get(str(c), str(c)) for c in frame.columns]
    times = [str(c) in TIME_LABELS for c in frame.columns]
    rows = [
        [local_minute(v) if t else _fmt(v, digits) for v, t in zip(rec, times, strict=True)]
        for rec in frame.itertuples(index=False)
    ]
    pdf.data_table(header, rows, font_size=font_size)


def _config_section(pdf: ReportPDF, data: ReportData) -> None:
    pdf.heading("一、冻结配置 Frozen configuration")
    anchors = [("配置哈希 Hash", data.config_hash)]
    if data.chain_head is not None:
        anchors.append(("审计链 Audit chain", f"#{data.chain_head[0]} {data.chain_head[1]}"))
    pdf.key_values(anchors, key_width=32)
    crit = data.criteria
    rows = [
        [
            c.zh,
            c.en,
            "越低越好 (min)" if c.objective == "min" else "越高越好 (max)",
            f"{c.weight:.4f}",
        ]
        for c in crit
    ]
    pdf.data_table(
        ["指标 Criterion", "English", "方向 Direction", "权重 Weight"],
        rows,
        col_widths=(2, 3, 2, 1.3),
        align=("L", "L", "L", "R"),
        font_size=9,
    )
    lo, hi = crit.scale
    items = [(CONFIG_LABELS["scale"], f"{lo:g}–{hi:g}")]
    items += [
        (CONFIG_LABELS.get(str(k), str(k)), _config_value(v))
        for k, v in data.config.items()
        if k not in {"criteria", "weights", "objectives"}
        and not (k == "trim_min" and data.config.get("aggregation") != "trimmed_mean")
    ]
    if items:
        pdf.key_values(items, key_width=58)


def _ranking_section(pdf: ReportPDF, data: ReportData) -> None:
    pdf.heading("二、排名结果 Ranking (per-criterion panel scores)")
    r = data.ranking
    keys = list(data.criteria.keys)
    names = data.criteria.names("zh")
    header = ["名次", "编号", "名称 Name", "城市", *[names[k] for k in keys], "综合得分"]
    widths = [1.1, 1.5, 6.0, 1.6, *[1.5] * len(keys), 1.6]
    if data.p_top is not None:
        header.append(f"入围概率 P(前{data.cut})" if data.cut else "入围概率")
        widths.append(1.8)
    header.append("入围")
    widths.append(1.0)
    on_scale = data.config.get("ranking_method", "weighted_sum") in SCALE_METHODS
    digits = score_decimals(data.criteria.scale if on_scale else None)
    rows = []
    for pid, rec in r.iterrows():
        row = [_fmt(int(rec["rank"])), pid, rec["name"], _fmt(rec.get("city", ""))]
        row += [_fmt(float(rec[k]), 1) for k in keys]
        row.append(_fmt(float(rec["score"]), digits))
        if data.p_top is not None:
            row.append(f"{float(data.p_top[pid]):.1%}")
        row.append("✓" if bool(rec.get("shortlisted", False)) else "")
        rows.append(row)
    align = ["C", "L", "L", "L", *["R"] * len(keys), "R"] + (
        ["R"] if data.p_top is not None else []
    )
    pdf.data_table(
        header,
        rows,
        col_widths=widths,
        align=[*align, "C"],
        font_size=7.5,
        highlight=[bool(x) for x in r.get("shortlisted", pd.Series(False, index=r.index))],
    )
    short = data.shortlisted
    pdf.paragraph(
        f"共 {len(r)} 个候选项目，入围 {len(short)} 个（底色标出）。"
        f"{len(r)} candidates; {len(short)} on the shortlist (shaded)."
    )


def _robustness_section(pdf: ReportPDF, data: ReportData) -> None:
    if data.p_top is None:
        return
    pdf.add_page()
    pdf.heading("三、稳健性 Robustness")
    pdf.paragraph(
        "在权重不确定的情况下（随机抽取权重，SMAA），每个候选项目进入前 k 名的概率。"
        "绿色：几乎确定入围；灰色：几乎确定不入围；黄色：名次取决于权重。"
        " Probability of making the cut when the weights vary (SMAA): green = in under almost any "
        "weights, grey = out, amber = depends on the weights."
    )
    r = data.ranking
    names = {str(k): str(v) for k, v in r["name"].items()}
    fig = robustness_chart(
        data.p_top,
        order=list(r.index),
        names=names,
        cut=data.cut,
        shortlisted=set(data.shortlisted.index),
        figsize=(11.0, max(4.0, min(6.4, 0.12 * len(r) + 1.0))),
    )
    png = fig_png(fig)
    available = pdf.h - pdf.b_margin - pdf.get_y() - 2
    h_mm = fig.get_figheight() / fig.get_figwidth() * pdf.content_width
    pdf.png(png, width=pdf.content_width * min(1.0, available / h_mm))
    unsure = [pid for pid in r.index if 0.1 < float(data.p_top[pid]) < 0.9]
    if unsure:
        pdf.paragraph(
            "名次受权重影响的项目 Candidates whose place depends on the weights: "
            + "、".join(
                f"{pid} {r.at[pid, 'name']}（{float(data.p_top[pid]):.0%}）" for pid in unsure
            )
        )


def _agreement_section(pdf: ReportPDF, data: ReportData) -> None:
    pdf.heading("四、专家组一致性与偏差 Panel agreement and deviation flags")
    pdf.heading("专家组一致性（肯德尔 W、ICC） Agreement", level=2)
    frame_table(pdf, data.agreement)
    pdf.heading("偏差标记 Deviation flags", level=2)
    frame_table(pdf, data.deviation)


def _records_section(pdf: ReportPDF, data: ReportData) -> None:
    pdf.heading("五、回避记录 Recusals (回避)")
    frame_table(pdf, data.recusals)
    pdf.heading("六、更正记录 Corrections with reasons")
    frame_table(pdf, data.corrections)


def _sheet(pdf: ReportPDF, sheet: ExpertSheet, data: ReportData, number: int) -> None:
    pdf.add_page()
    pdf.heading(f"专家评分表 Score sheet {number}：{sheet.name}（{sheet.expert_id}）")
    who = [
        ("工作单位 Employer", sheet.employer or "—"),
        ("专家类别 Kind", KIND_ZH.get(sheet.kind, sheet.kind) or "—"),
    ]
    pdf.key_values(who, key_width=36)
    keys = list(data.criteria.keys)
    names = data.criteria.names("zh")
    header = ["序号", "编号", "项目名称", *[names[k] for k in keys], "备注 Comment", "确认时间"]
    rows = []
    for i, (pid, rec) in enumerate(sheet.rows.iterrows(), start=1):
        recused = bool(rec.get("recused", False))
        vals = ["回避" if recused else _fmt(rec[k], 1) for k in keys]
        when = "" if recused else local_minute(rec.get("confirmed_at", ""))
        rows.append([str(i), pid, rec["name"], *vals, _fmt(rec.get("comment", "")), when])
    pdf.data_table(
        header,
        rows,
        col_widths=[0.8, 1.4, 5.0, *[1.3] * len(keys), 4.0, 2.6],
        align=["C", "L", "L", *["R"] * len(keys), "L", "L"],
        font_size=7.5,
    )
    pdf.paragraph("本人确认以上评分为本人独立评定。I confirm these scores are my own.", size=9)
    pdf.signature_line("专家签字")


#: Height (mm) of a row of the panel's signature table: room for a hand-written name.
SIGNATURE_ROW_MM = 11.0


def _panel_signatures(pdf: ReportPDF, data: ReportData) -> None:
    """The members' signatures, each with its date, and the chair's line, on one page (a
    table cut across two pages is not filed)."""
    rows = [[s.expert_id, s.name, s.employer, "", ""] for s in data.sheets]
    pdf.keep_together(25 + 12 + 8 + SIGNATURE_ROW_MM * len(rows) + 24)
    pdf.heading("七、专家组签字 Panel signatures")
    pdf.paragraph("专家组成员确认以上评审结果。The panel members confirm the results above.")
    pdf.data_table(
        ["编号", "姓名", "工作单位", "签字 Signature", "日期 Date"],
        rows,
        col_widths=(1, 1.5, 3.5, 3, 1.6),
        font_size=9,
        min_row_height=SIGNATURE_ROW_MM,
    )
    pdf.signature_line("评审组长签字 Chair")


def build_panel_report(data: ReportData, *, progress: Progress = no_progress) -> bytes:
    """Render the panel report.

    Parameters
    ----------
    data : ReportData
        Everything the report prints.
    progress : callable, optional
        Called as ``progress(step, done, total)`` after each part (for the command line).

    Returns
    -------
    bytes
        The PDF (A4 landscape, CJK font embedded).
    """
    total = 5 + len(data.sheets)
    anchor = chain_line(data.chain_head)
    note = "　".join(x for x in (f"配置哈希 {data.config_hash[:16]}…", anchor) if x)
    pdf = ReportPDF(data.title, orientation="L", footer_note=note)
    pdf.add_page()
    generated = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    parts = (data.panel, f"生成于 {generated}", anchor)
    pdf.title_block(data.title, " · ".join(x for x in parts if x))
    for note in data.notes:
        pdf.paragraph(note, size=8.5)
    _config_section(pdf, data)
    progress("配置 configuration", 1, total)
    _ranking_section(pdf, data)
    progress("排名 ranking", 2, total)
    _robustness_section(pdf, data)
    progress("稳健性 robustness", 3, total)
    pdf.add_page()
    _agreement_section(pdf, data)
    _records_section(pdf, data)
    _panel_signatures(pdf, data)
    progress("一致性与记录 agreement and records", 4, total)
    for i, sheet in enumerate(data.sheets, start=1):
        _sheet(pdf, sheet, data, i)
        progress(f"评分表 sheet {sheet.expert_id}", 4 + i, total)
    out = pdf.to_bytes()
    progress("完成 done", total, total)
    return out


def write_pdf(content: bytes, path: str | os.PathLike[str]) -> Path:
    """Write ``content`` to ``path`` atomically (temporary file in the same folder, renamed)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_panel_report(
    data: ReportData, path: str | os.PathLike[str], *, progress: Progress = no_progress
) -> Path:
    """Render the panel report and write it to ``path`` (atomically). Returns the path."""
    return write_pdf(build_panel_report(data, progress=progress), path)
