"""Expert deviation from the rest of the panel, and single outlying scores, for the chair.

Rules (leave-one-out deviation, robust outlier flag, scale-relative defaults) are described in
:mod:`scoring.engine.panel`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from ..criteria import CriteriaSet
from .raters import validated

#: Defaults as shares of the scale's span: the floor of the robust SD, the outlier distance.
MIN_SD_SHARE = 0.01
POINTS_SHARE = 0.2


def _leave_one_out(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``n_others``, ``others_mean`` and ``deviation`` to each row (vectorised)."""
    g = df.groupby(["project_id", "criterion"], sort=False)["score"]
    total = g.transform("sum").to_numpy(dtype=float)
    n = g.transform("count").to_numpy(dtype=float)
    x = df["score"].to_numpy(dtype=float)
    n_others = n - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        others = np.where(n_others > 0, (total - x) / n_others, np.nan)
    out = df.copy()
    out["n_others"] = n_others.astype(int)
    out["others_mean"] = others
    out["deviation"] = x - others
    return out


def expert_deviation(
    scores: pd.DataFrame,
    *,
    threshold: float = 2.0,
    min_sd: float | None = None,
    criteria: Iterable[str] | CriteriaSet | None = None,
) -> pd.DataFrame:
    """Each expert's deviation from the rest of the panel, per criterion, with an outlier flag.

    Parameters
    ----------
    scores : DataFrame
        Long score table.
    threshold : float, default 2.0
        An expert is flagged when his mean deviation is more than ``threshold`` robust standard
        deviations from the median of the experts' mean deviations on that criterion.
    min_sd : float, optional
        Floor (in scale points) of the robust standard deviation ``1.4826 * MAD``; default
        :data:`MIN_SD_SHARE` of the scale's span (1 point on 0–100).
    criteria : iterable of str or CriteriaSet, optional
        Known criteria (and their order in the result) and, for a ``CriteriaSet``, the scale;
        default :func:`~scoring.engine.criteria.default_criteria`.

    Returns
    -------
    DataFrame
        One row per expert x criterion with at least one defined deviation, columns
        ``expert_id``, ``criterion``, ``n`` (scores compared), ``mean_deviation`` (mean of
        ``score - mean of the other experts``; > 0: more lenient than the others, higher
        figures), ``sd_deviation`` (sample SD, NaN for ``n == 1``), ``mean_abs_deviation``,
        ``robust_z``, ``flag`` (bool) and ``direction`` (``"higher"``/``"lower"``).

    Raises
    ------
    InputError
        For bad arguments or any problem of ``scores``.
    """
    problems = []
    for name, v in (("threshold", threshold), ("min_sd", min_sd)):
        if v is None and name == "min_sd":
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or not np.isfinite(v) or v <= 0:
            problems.append(
                Problem(f"{name} 须为正数，实为 {v!r} / must be a positive number", column=name)
            )
    if problems:
        raise InputError(problems)
    df, keys, (lo, hi) = validated(scores, criteria)
    min_sd = MIN_SD_SHARE * (hi - lo) if min_sd is None else min_sd
    loo = _leave_one_out(df)
    loo = loo[loo["n_others"] > 0]
    columns = [
        "expert_id",
        "criterion",
        "n",
        "mean_deviation",
        "sd_deviation",
        "mean_abs_deviation",
        "robust_z",
        "flag",
        "direction",
    ]
    if loo.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    loo = loo.assign(abs_dev=loo["deviation"].abs())
    g = loo.groupby(["expert_id", "criterion"], sort=False)
    res = pd.DataFrame(
        {
            "n": g["deviation"].count(),
            "mean_deviation": g["deviation"].mean(),
            "sd_deviation": g["deviation"].std(ddof=1),
            "mean_abs_deviation": g["abs_dev"].mean(),
        }
    ).reset_index()
    by_crit = res.groupby("criterion", sort=False)["mean_deviation"]
    centre = by_crit.transform("median")
    mad = (
        (res["mean_deviation"] - centre)
        .abs()
        .groupby(res["criterion"], sort=False)
        .transform("median")
    )
    spread = np.maximum(1.4826 * mad.to_numpy(dtype=float), float(min_sd))
    res["robust_z"] = (res["mean_deviation"] - centre).to_numpy(dtype=float) / spread
    res["flag"] = res["robust_z"].abs() > threshold
    res["direction"] = np.where(res["mean_deviation"] >= 0, "higher", "lower")
    order = {k: i for i, k in enumerate(keys)}
    res = res.sort_values(
        ["expert_id", "criterion"], key=lambda s: s.map(order) if s.name == "criterion" else s
    ).reset_index(drop=True)
    res["n"] = res["n"].astype(int)
    return res[columns]


def score_outliers(
    scores: pd.DataFrame,
    *,
    points: float | None = None,
    criteria: Iterable[str] | CriteriaSet | None = None,
) -> pd.DataFrame:
    """Single scores far from the other experts' mean: a table for the panel chair.

    Parameters
    ----------
    scores : DataFrame
        Long score table.
    points : float, optional
        A score is listed when ``|score - mean of the other experts| > points`` (scale points);
        default :data:`POINTS_SHARE` of the scale's span (20 points on 0–100, 2 on 0–10).
    criteria : iterable of str or CriteriaSet, optional
        Known criteria and, for a ``CriteriaSet``, the scale; default
        :func:`~scoring.engine.criteria.default_criteria`.

    Returns
    -------
    DataFrame
        Columns ``row`` (the index label of the score in ``scores``: for a file, its row),
        ``project_id``, ``expert_id``, ``criterion``, ``score``, ``others_mean``, ``deviation``,
        ``n_others``; largest ``|deviation|`` first.
    """
    if points is not None and (
        isinstance(points, bool)
        or not isinstance(points, int | float)
        or not np.isfinite(points)
        or points < 0
    ):
        raise InputError(
            [Problem(f"points 须为非负数，实为 {points!r} / must be >= 0", column="points")]
        )
    df, _, (lo, hi) = validated(scores, criteria)
    points = POINTS_SHARE * (hi - lo) if points is None else points
    loo = _leave_one_out(df)
    hit = loo[(loo["n_others"] > 0) & (loo["deviation"].abs() > points)].copy()
    hit["row"] = hit.index
    hit["_abs"] = hit["deviation"].abs()
    hit = hit.sort_values(
        ["_abs", "project_id", "criterion", "expert_id"], ascending=[False, True, True, True]
    )
    cols = [
        "row",
        "project_id",
        "expert_id",
        "criterion",
        "score",
        "others_mean",
        "deviation",
        "n_others",
    ]
    return hit[cols].reset_index(drop=True)
