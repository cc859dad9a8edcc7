"""Panel aggregation: from the experts' long score table to one figure per project and criterion.

The long table has one row per (project, expert, criterion); a recused or missing score is simply
absent and is never counted as zero. :func:`aggregate` turns it into the wide decision matrix
(index ``project_id``, one float column per criterion in canonical order) that the ranking
methods take.

Aggregation rules (``how``)
---------------------------
``mean``
    Arithmetic mean of the scores present.
``median``
    Median of the scores present.
``trimmed_mean`` (default; 去掉一个最高分和一个最低分)
    When a project x criterion has at least ``trim_min`` scores, the single highest and the
    single lowest score are dropped and the rest averaged; with ties exactly one copy of the
    maximum and one copy of the minimum are dropped (``(sum - max - min) / (n - 2)``). With
    fewer than ``trim_min`` scores the plain mean is used.
``zscore``
    Corrects lenient and strict experts. For each criterion, each expert's scores are
    standardised over the candidates that expert scored, ``z = (x - m_e) / s_e`` (``m_e``,
    ``s_e``: that expert's mean and population standard deviation on the criterion), mapped back
    to the panel's scale ``y = M + S * z`` (``M``, ``S``: mean and population standard deviation
    of all scores of the criterion), then averaged per project. An expert whose scores on a
    criterion carry no spread (a single candidate scored, or all scores equal: ``s_e = 0``, up to
    round-off: ``s_e <= SPREAD_RTOL`` times the scale's span) has
    ``z = 0`` and contributes the panel mean ``M``: he says nothing about the order of the
    candidates, so he neither pulls a candidate up nor down. The result is never NaN or inf for a
    project x criterion with at least one score, and it never leaves the range of the scores
    given on the criterion (so it stays on the scoring scale): when ``M + S * z`` would leave
    that range for some score (an expert with a wide spread beside one with a narrow spread,
    e.g. risk 100/0/100/0 beside 100/99/98/97), the criterion's ``S`` is reduced to the largest
    spread that keeps every mapped score within it, so the most extreme standardised score lands
    on the lowest or highest score given. The map stays affine per criterion (order and relative
    differences within a criterion kept, the panel mean ``M`` too; adding a constant to every
    score still shifts the result by it), and the ranking methods that invert minimised
    criteria on the scoring scale (weighted sum and product) take it like any aggregation.

A project x criterion nobody scored is NaN in the result (never filled in): the ranking's own
validation then names it.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .criteria import CriteriaSet, default_criteria
from .validation import validate_scores

#: The aggregation rules :func:`aggregate` offers.
HOW: tuple[str, ...] = ("mean", "median", "trimmed_mean", "zscore")

#: Display names of the rules (Chinese first, English available).
HOW_NAMES: dict[str, dict[str, str]] = {
    "mean": {"zh": "算术平均", "en": "mean"},
    "median": {"zh": "中位数", "en": "median"},
    "trimmed_mean": {
        "zh": "去掉一个最高分和一个最低分后平均",
        "en": "trimmed mean (drop highest and lowest)",
    },
    "zscore": {
        "zh": "标准分校正（消除宽严差异）",
        "en": "z-score (corrects lenient and strict experts)",
    },
}

_KEY = ["project_id", "criterion"]
#: An expert's spread on a criterion below this share of the scale's span counts as none (zscore).
SPREAD_RTOL = 1e-9


def criteria_and_scale(criteria: Any = None) -> tuple[tuple[str, ...], tuple[float, float]]:
    """Criterion keys and scoring scale from ``criteria``.

    Parameters
    ----------
    criteria : iterable of str or CriteriaSet, optional
        Keys in form order, or a :class:`~scoring.engine.criteria.CriteriaSet` (its ``keys`` and
        ``scale`` are used); default :func:`~scoring.engine.criteria.default_criteria`.

    Returns
    -------
    (tuple of str, (float, float))
        The keys and the inclusive scale (plain keys are on the default set's scale).
    """
    if criteria is None:
        criteria = default_criteria()
    keys = getattr(criteria, "keys", None)
    if keys is not None and not callable(keys):
        return tuple(keys), tuple(criteria.scale)  # type: ignore[union-attr]
    scale = default_criteria().scale
    if isinstance(criteria, str):
        return (criteria,), scale
    return tuple(criteria), scale


def _check_options(how: Any, trim_min: Any) -> None:
    problems: list[Problem] = []
    if how not in HOW:
        problems.append(
            Problem(
                f"未知的汇总方法 {how!r}（可选：{', '.join(HOW)}）/ unknown aggregation",
                column="how",
            )
        )
    if isinstance(trim_min, bool) or not isinstance(trim_min, Integral) or int(trim_min) < 3:
        problems.append(
            Problem(
                f"trim_min 须为不小于 3 的整数，实为 {trim_min!r} / trim_min must be an integer >= 3 "
                "(dropping the highest and the lowest score must leave at least one)",
                column="trim_min",
            )
        )
    if problems:
        raise InputError(problems)


def _trimmed_mean(df: pd.DataFrame, trim_min: int) -> pd.Series:
    g = df.groupby(_KEY, sort=False)["score"]
    stats = g.agg(["sum", "max", "min", "count"])
    n = stats["count"].to_numpy(dtype=float)
    total = stats["sum"].to_numpy(dtype=float)
    hi = stats["max"].to_numpy(dtype=float)
    lo = stats["min"].to_numpy(dtype=float)
    trim = n >= trim_min
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(trim, (total - hi - lo) / (n - 2), total / n)
    # Guard against rounding in sum - max - min: the result lies within [min, max].
    value = np.clip(value, lo, hi)
    return pd.Series(value, index=stats.index)


def _zscore(df: pd.DataFrame, span: float) -> pd.Series:
    by_expert = df.groupby(["expert_id", "criterion"], sort=False)["score"]
    m_e = by_expert.transform("mean")
    s_e = by_expert.transform("std", ddof=0)
    by_crit = df.groupby("criterion", sort=False)["score"]
    m_p = by_crit.transform("mean")
    s_p = by_crit.transform("std", ddof=0)
    s_e_np = s_e.to_numpy(dtype=float)
    dev = (df["score"] - m_e).to_numpy(dtype=float)
    # s_e is 0 for an expert with one candidate or all-equal scores: z = 0 (panel mean). A spread
    # within round-off of the scale (SPREAD_RTOL of its span) is no spread either.
    z = np.divide(dev, s_e_np, out=np.zeros_like(dev), where=s_e_np > SPREAD_RTOL * span)
    spread = _spread_within(df, m_p, s_p, z)
    mapped = m_p.to_numpy(dtype=float) + spread * z
    out = pd.Series(mapped, index=df.index)
    return out.groupby([df["project_id"], df["criterion"]], sort=False).mean()


def _spread_within(df: pd.DataFrame, m_p: pd.Series, s_p: pd.Series, z: np.ndarray) -> np.ndarray:
    """Per score, its criterion's spread ``S`` reduced so that ``M + S * z`` stays within the
    range of the scores given on that criterion.

    For a criterion with panel mean ``M``, lowest and highest score ``lo``, ``hi``, the largest
    admissible spread is ``min((hi - M) / max z, (M - lo) / -min z)`` over its scores' ``z``.
    Every term moves with the scores, so adding a constant to every score still shifts the
    result by that constant.
    """
    by_crit = df.groupby("criterion", sort=False)["score"]
    lo = by_crit.transform("min").to_numpy(dtype=float)
    hi = by_crit.transform("max").to_numpy(dtype=float)
    zs = pd.Series(z, index=df.index).groupby(df["criterion"], sort=False)
    z_hi = zs.transform("max").to_numpy(dtype=float)
    z_lo = zs.transform("min").to_numpy(dtype=float)
    m = m_p.to_numpy(dtype=float)
    s = s_p.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(z_hi > 0, (hi - m) / z_hi, np.inf)
        down = np.where(z_lo < 0, (m - lo) / -z_lo, np.inf)
    return np.minimum(s, np.maximum(np.minimum(up, down), 0.0))


def aggregate(
    scores: pd.DataFrame,
    how: str = "trimmed_mean",
    trim_min: int = 5,
    *,
    criteria: Iterable[str] | CriteriaSet | None = None,
) -> pd.DataFrame:
    """Aggregate the experts' scores into the wide decision matrix.

    Parameters
    ----------
    scores : DataFrame
        Long table with columns ``project_id``, ``expert_id``, ``criterion``, ``score`` (one row
        per project, expert and criterion; a recused or missing score is absent). Validated with
        :func:`scoring.engine.validation.validate_scores`.
    how : {"trimmed_mean", "mean", "median", "zscore"}
        Aggregation rule; see the module docstring.
    trim_min : int, default 5
        For ``trimmed_mean``: the least number of scores of a project x criterion for which the
        highest and the lowest are dropped (at least 3). Below it the plain mean is used.
    criteria : iterable of str or CriteriaSet, optional
        Known criteria in the column order of the result; a ``CriteriaSet`` also gives the scale
        that scores must lie on. Default :func:`~scoring.engine.criteria.default_criteria`.

    Returns
    -------
    DataFrame
        Index ``project_id`` (sorted), one float column per criterion in the order of
        ``criteria``. A project x criterion nobody scored is NaN.

    Raises
    ------
    InputError
        For an unknown ``how`` or a bad ``trim_min``, and for every problem of ``scores``
        (unknown criterion, duplicate row, NaN, non-numeric or out-of-scale score), all at once.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"project_id": "P1", "expert_id": list("ABCDE"),
    ...                   "criterion": "market", "score": [60, 70, 75, 80, 95]})
    >>> aggregate(s, criteria=["market"])
                market
    project_id
    P1            75.0
    """
    _check_options(how, trim_min)
    keys, scale = criteria_and_scale(criteria)
    df = validate_scores(scores, criteria=keys, scale=scale)
    if how == "mean":
        values = df.groupby(_KEY, sort=False)["score"].mean()
    elif how == "median":
        values = df.groupby(_KEY, sort=False)["score"].median()
    elif how == "trimmed_mean":
        values = _trimmed_mean(df, int(trim_min))
    else:
        values = _zscore(df, float(scale[1]) - float(scale[0]))
    if len(values):
        wide = values.unstack("criterion")
    else:
        wide = pd.DataFrame(index=pd.Index([], name="project_id"))
    wide = wide.reindex(columns=list(keys)).astype(float).sort_index()
    wide.index = wide.index.astype(object)
    wide.index.name = "project_id"
    wide.columns.name = None
    return wide
