"""Matplotlib figures for the reports and notebooks, with Chinese labels.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot state, no GUI
backend), after :func:`scoring.fonts.setup_matplotlib` has registered the CJK font.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scoring.engine.criteria import CriteriaSet
from scoring.fonts import setup_matplotlib

#: Colours: sure in, uncertain, sure out (probability of making the cut).
SURE, UNSURE, OUT = "#2e7d32", "#f9a825", "#9e9e9e"


def _label(pid: str, names: Mapping[str, str] | None, width: int = 16) -> str:
    name = (names or {}).get(pid, "")
    if not name:
        return str(pid)
    if len(name) > width:
        name = name[: width - 1] + "…"
    return f"{pid} {name}"


def robustness_chart(
    p_top: pd.Series,
    *,
    order: list[str] | None = None,
    names: Mapping[str, str] | None = None,
    cut: int | None = None,
    shortlisted: set[str] | None = None,
    sure: float = 0.9,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Probability of making the cut per candidate, in ranking order (horizontal bars).

    Parameters
    ----------
    p_top : Series
        Probability in [0, 1] of each candidate being in the top ``cut`` places, by project_id.
    order : list of str, optional
        Candidates top to bottom (default: descending probability).
    names : mapping, optional
        project_id -> name for the labels.
    cut : int, optional
        The shortlist size, shown in the title; with ``order`` a dashed line marks the cut.
    shortlisted : set of str, optional
        Candidates actually on the shortlist (their labels are bold).
    sure : float
        Probability above which a place is called certain (below ``1 - sure``: certainly out).
    figsize : (float, float), optional
        Inches; default grows with the number of candidates.

    Returns
    -------
    Figure
    """
    setup_matplotlib()
    p = p_top.astype(float)
    ids = list(order) if order is not None else list(p.sort_values(ascending=False).index)
    vals = np.array([p.get(i, np.nan) for i in ids], dtype=float)
    n = len(ids)
    fig = Figure(figsize=figsize or (8.0, max(2.5, 0.19 * n + 1.2)), layout="constrained")
    ax = fig.add_subplot()
    colors = [SURE if v >= sure else OUT if v <= 1 - sure else UNSURE for v in vals]
    y = np.arange(n)
    ax.barh(y, vals, color=colors, height=0.72)
    ax.set_yticks(y, [_label(i, names) for i in ids], fontsize=7 if n <= 60 else 5)
    if shortlisted:
        for tick, pid in zip(ax.get_yticklabels(), ids, strict=True):
            if pid in shortlisted:
                tick.set_fontweight("bold")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("入围概率 P(进入前 k 名)  Probability of making the cut")
    k = f"k = {cut}" if cut else ""
    ax.set_title(f"稳健性：权重不确定下的入围概率 {k}", fontsize=11)
    if cut and order is not None and 0 < cut < n:
        ax.axhline(cut - 0.5, color="#c62828", linestyle="--", linewidth=1)
        ax.text(1.0, cut - 0.5, " 分数线 cut", va="center", ha="left", color="#c62828", fontsize=7)
    for yy, v in zip(y, vals, strict=True):
        if np.isfinite(v):
            ax.text(min(v, 0.93) + 0.01, yy, f"{v:.0%}", va="center", fontsize=6)
    ax.grid(axis="x", alpha=0.3)
    return fig


def panel_scores_heatmap(
    ranking: pd.DataFrame, criteria: CriteriaSet, *, names: Mapping[str, str] | None = None
) -> Figure:
    """Per-criterion panel scores of each candidate (rows in ranking order) as a heatmap.

    A minimised criterion (risk) uses the reversed colour map so that green always means good.
    """
    setup_matplotlib()
    keys = list(criteria.keys)
    n = len(ranking)
    fig = Figure(figsize=(8.0, max(2.5, 0.19 * n + 1.4)), layout="constrained")
    axes = fig.subplots(1, len(keys), sharey=True)
    lo, hi = criteria.scale
    for j, (ax, key) in enumerate(zip(np.atleast_1d(axes), keys, strict=True)):
        vals = ranking[key].to_numpy(dtype=float)[:, None]
        cmap = "RdYlGn_r" if criteria[key].objective == "min" else "RdYlGn"
        ax.imshow(vals, aspect="auto", cmap=cmap, vmin=lo, vmax=hi)
        for i, v in enumerate(vals[:, 0]):
            ax.text(0, i, "" if np.isnan(v) else f"{v:.1f}", ha="center", va="center", fontsize=6)
        arrow = "↓" if criteria[key].objective == "min" else "↑"
        ax.set_title(f"{criteria[key].zh}{arrow}", fontsize=8)
        ax.set_xticks([])
        if j == 0:
            ax.set_yticks(range(n), [_label(p, names) for p in ranking.index], fontsize=7)
    fig.suptitle("各指标专家组得分（绿=好）Panel score per criterion", fontsize=10)
    return fig


def leniency_chart(deviation: pd.DataFrame, *, names: Mapping[str, str] | None = None) -> Figure:
    """Mean deviation of each expert from the panel (positive = lenient), one bar per expert.

    Parameters
    ----------
    deviation : DataFrame
        Index expert_id; a column ``mean_deviation`` (score minus panel mean, averaged over the
        expert's scores) and optionally ``flag`` (bool).
    """
    setup_matplotlib()
    d = deviation["mean_deviation"].astype(float)
    flags = (
        deviation["flag"].astype(bool) if "flag" in deviation else pd.Series(False, index=d.index)
    )
    fig = Figure(figsize=(7.0, max(2.2, 0.32 * len(d) + 1.2)), layout="constrained")
    ax = fig.add_subplot()
    colors = ["#c62828" if flags[i] else ("#1565c0" if v >= 0 else "#6a1b9a") for i, v in d.items()]
    ax.barh(range(len(d)), d.to_numpy(), color=colors)
    ax.set_yticks(range(len(d)), [_label(e, names, 10) for e in d.index], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("与专家组均值之差（分）  mean deviation from the panel (points)")
    ax.set_title("评分宽严：正 = 偏宽松，负 = 偏严格（红 = 标记）", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return fig


def fig_png(fig: Figure, dpi: int = 150) -> bytes:
    """Render ``fig`` to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
