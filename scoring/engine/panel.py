"""Panel statistics beside the aggregate: expert deviation, Kendall's W and the ICC.

All functions take the long score table (``project_id, expert_id, criterion, score``; a recused
score is absent) and validate it with :func:`scoring.engine.validation.validate_scores`.

Rules chosen here (documented once, used everywhere in this module)
------------------------------------------------------------------
Deviation
    A score's deviation is ``x - mean of the OTHER experts' scores`` on the same project and
    criterion (leave-one-out; undefined, hence left out, when nobody else scored it).
Expert outlier flag (:func:`expert_deviation`)
    Per criterion, the experts' mean deviations are compared with a robust centre and spread:
    ``robust_z = (mean_dev - median) / max(1.4826 * MAD, min_sd)``; an expert is flagged when
    ``|robust_z| > threshold`` (default 2). The floor ``min_sd`` (default 1 scale point) keeps a
    panel that agrees almost perfectly from flagging sub-point differences.
Score outliers (:func:`score_outliers`)
    A single score is listed for the chair when it is more than ``points`` (default 20) scale
    points away from the mean of the other experts on that project and criterion.
Incomplete data (Kendall's W, ICC)
    Raters of a criterion are the experts who scored it at all; only projects rated by all of
    them are used (complete cases). The projects left out (e.g. for a recusal) are counted in
    ``n_excluded``.
Overall
    Each expert's weighted total on a project: ``sum_c w_c * u_c`` with ``u_c = x`` for a
    maximised criterion and ``u_c = lo + hi - x`` (reflected on the scale) for a minimised one
    (``risk``), so that higher is always better. Weights and objectives are those of
    ``data/criteria.yml`` unless given. A total exists only when the expert scored every
    criterion of that project; then the complete-case rule applies.
ICC for the panel mean
    The panel's figure is the mean of ``k`` experts, experts being a sample of possible
    experts and their leniency mattering (recusals change who scores whom), so the reported
    panel reliability is the two-way random, absolute-agreement, average-measures ICC:
    McGraw & Wong ``ICC(A,k)`` = Shrout & Fleiss ``ICC(2,k)`` (``ICC2k``). All six forms are
    returned by :func:`icc`; the panel one has ``panel=True``.

A statistic that is undefined (fewer than 2 raters or too few complete projects, or no
variation at all) is NaN, never an exception.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError, Problem
from .aggregation import criteria_and_scale
from .criteria import CRITERIA_KEYS
from .validation import validate_scores

OVERALL = "overall"

#: pingouin (McGraw & Wong) name -> (Shrout & Fleiss name, description).
ICC_FORMS: dict[str, tuple[str, str]] = {
    "ICC(1,1)": ("ICC1", "单向随机，单个评委 / one-way random, single rater"),
    "ICC(A,1)": (
        "ICC2",
        "双向随机，绝对一致，单个评委 / two-way random, absolute agreement, single rater",
    ),
    "ICC(C,1)": ("ICC3", "双向混合，一致性，单个评委 / two-way mixed, consistency, single rater"),
    "ICC(1,k)": ("ICC1k", "单向随机，k 位评委均值 / one-way random, mean of k raters"),
    "ICC(A,k)": (
        "ICC2k",
        "双向随机，绝对一致，k 位评委均值 / two-way random, absolute agreement, mean of k raters",
    ),
    "ICC(C,k)": (
        "ICC3k",
        "双向混合，一致性，k 位评委均值 / two-way mixed, consistency, mean of k raters",
    ),
}
#: The ICC form reported for the panel mean.
PANEL_ICC = "ICC(A,k)"


# --------------------------------------------------------------------------------------------
# helpers


def _validated(
    scores: pd.DataFrame, criteria: Any
) -> tuple[pd.DataFrame, tuple[str, ...], tuple[float, float]]:
    keys, scale = criteria_and_scale(criteria)
    return validate_scores(scores, criteria=keys, scale=scale), keys, scale


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


def _overall_spec(
    criteria: Any,
    keys: tuple[str, ...],
    weights: Mapping[str, float] | None,
    objectives: Mapping[str, str] | None,
) -> tuple[dict[str, float], dict[str, str]]:
    from .criteria import default_criteria, validate_objectives, validate_weights

    base_w: Mapping[str, float] | None = None
    base_o: Mapping[str, str] | None = None
    if hasattr(criteria, "weights") and hasattr(criteria, "objectives"):
        base_w, base_o = criteria.weights, criteria.objectives
    elif set(keys) == set(CRITERIA_KEYS):
        d = default_criteria()
        base_w, base_o = d.weights, d.objectives
    w = weights if weights is not None else (base_w or dict.fromkeys(keys, 1.0))
    o = objectives if objectives is not None else (base_o or dict.fromkeys(keys, "max"))
    return validate_weights(w, keys), validate_objectives(o, list(keys))


def _rater_table(
    df: pd.DataFrame,
    criterion: str,
    keys: tuple[str, ...],
    scale: tuple[float, float],
    spec: tuple[dict[str, float], dict[str, str]] | None,
) -> pd.DataFrame:
    """Projects x experts table for ``criterion`` (or the overall weighted total), NaN = missing."""
    if criterion != OVERALL:
        sub = df[df["criterion"] == criterion]
        return sub.pivot(index="project_id", columns="expert_id", values="score")
    assert spec is not None
    weights, objectives = spec
    cube = df.pivot(index=["project_id", "expert_id"], columns="criterion", values="score")
    cube = cube.reindex(columns=list(keys))
    lo, hi = scale
    for k in keys:
        if objectives[k] == "min":
            cube[k] = lo + hi - cube[k]
    w = np.array([weights[k] for k in keys])
    vals = cube.to_numpy(dtype=float)
    total = pd.Series(vals @ w, index=cube.index)  # NaN when any criterion is missing
    return total.unstack("expert_id")


def _complete(table: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    complete = table.dropna(axis=0, how="any")
    return complete, int(len(table) - len(complete))


def _rater_tables(
    scores: pd.DataFrame,
    criterion: str | None,
    criteria: Any,
    weights: Mapping[str, float] | None,
    objectives: Mapping[str, str] | None,
) -> list[tuple[str, pd.DataFrame, int]]:
    """``(criterion, complete projects x experts table, n_excluded)`` for each wanted criterion."""
    df, keys, scale = _validated(scores, criteria)
    wanted = _check_criterion(criterion, keys)
    spec = _overall_spec(criteria, keys, weights, objectives) if OVERALL in wanted else None
    return [(c, *_complete(_rater_table(df, c, keys, scale, spec))) for c in wanted]


def _check_criterion(criterion: str | None, keys: tuple[str, ...]) -> list[str]:
    if criterion is None:
        return [*keys, OVERALL]
    if criterion == OVERALL or criterion in keys:
        return [criterion]
    raise InputError(
        [
            Problem(
                f"未知的评审维度 '{criterion}'（可选：{', '.join((*keys, OVERALL))}）/ unknown criterion",
                column="criterion",
            )
        ]
    )


# --------------------------------------------------------------------------------------------
# deviation


def expert_deviation(
    scores: pd.DataFrame,
    *,
    threshold: float = 2.0,
    min_sd: float = 1.0,
    criteria: Iterable[str] = CRITERIA_KEYS,
) -> pd.DataFrame:
    """Each expert's deviation from the rest of the panel, per criterion, with an outlier flag.

    Parameters
    ----------
    scores : DataFrame
        Long score table.
    threshold : float, default 2.0
        An expert is flagged when his mean deviation is more than ``threshold`` robust standard
        deviations from the median of the experts' mean deviations on that criterion.
    min_sd : float, default 1.0
        Floor (in scale points) of the robust standard deviation ``1.4826 * MAD``.
    criteria : iterable of str or CriteriaSet
        Known criteria (and their order in the result).

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
        if isinstance(v, bool) or not isinstance(v, int | float) or not np.isfinite(v) or v <= 0:
            problems.append(
                Problem(f"{name} 须为正数，实为 {v!r} / must be a positive number", column=name)
            )
    if problems:
        raise InputError(problems)
    df, keys, _ = _validated(scores, criteria)
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
    points: float = 20.0,
    criteria: Iterable[str] = CRITERIA_KEYS,
) -> pd.DataFrame:
    """Single scores far from the other experts' mean: a table for the panel chair.

    Parameters
    ----------
    scores : DataFrame
        Long score table.
    points : float, default 20
        A score is listed when ``|score - mean of the other experts| > points`` (scale points).
    criteria : iterable of str or CriteriaSet
        Known criteria.

    Returns
    -------
    DataFrame
        Columns ``row`` (the index label of the score in ``scores``: for a file, its row),
        ``project_id``, ``expert_id``, ``criterion``, ``score``, ``others_mean``, ``deviation``,
        ``n_others``; largest ``|deviation|`` first.
    """
    if (
        isinstance(points, bool)
        or not isinstance(points, int | float)
        or not np.isfinite(points)
        or points < 0
    ):
        raise InputError(
            [Problem(f"points 须为非负数，实为 {points!r} / must be >= 0", column="points")]
        )
    df, _, _ = _validated(scores, criteria)
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


# --------------------------------------------------------------------------------------------
# Kendall's W


@dataclass(frozen=True)
class Concordance:
    """Kendall's coefficient of concordance (tie-corrected) and its chi-square test.

    Attributes
    ----------
    W : float
        ``12 S / (m^2 (n^3 - n) - m T)``, ``T = sum over raters and tie groups of (t^3 - t)``.
    chi2 : float
        ``m (n - 1) W`` (the tie-corrected Friedman statistic).
    df : int
        ``n - 1``.
    p : float
        Upper-tail chi-square probability.
    n_projects, n_experts : int
        ``n`` objects ranked and ``m`` raters.
    """

    W: float
    chi2: float
    df: int
    p: float
    n_projects: int
    n_experts: int


def kendall_w_matrix(ratings: Any) -> Concordance:
    """Kendall's W of a complete objects x raters table.

    Parameters
    ----------
    ratings : array-like of shape (n_objects, m_raters)
        Scores or ranks; each column is one rater, ranked within itself (ties get average
        ranks, :func:`scipy.stats.rankdata`). No missing values.

    Returns
    -------
    Concordance
        NaN figures when fewer than 2 objects or raters, or when every rater ties everything.
    """
    x = np.asarray(ratings, dtype=float)
    if x.ndim != 2:
        raise InputError(
            [Problem("ratings 须为二维表（项目 x 评委）/ must be 2-D (objects x raters)")]
        )
    if not np.isfinite(x).all():
        raise InputError([Problem("ratings 含缺失或非有限值 / has missing or non-finite values")])
    n, m = x.shape
    nan = Concordance(np.nan, np.nan, max(n - 1, 0), np.nan, n, m)
    if n < 2 or m < 2:
        return nan
    ranks = stats.rankdata(x, axis=0)
    r = ranks.sum(axis=1)
    s = float(((r - m * (n + 1) / 2.0) ** 2).sum())
    t = 0.0
    for j in range(m):
        _, counts = np.unique(x[:, j], return_counts=True)
        t += float((counts.astype(float) ** 3 - counts).sum())
    denom = m * m * (n**3 - n) - m * t
    if denom <= 0:
        return nan
    w = 12.0 * s / denom
    chi2 = m * (n - 1) * w
    return Concordance(w, chi2, n - 1, float(stats.chi2.sf(chi2, n - 1)), n, m)


def kendall_w(
    scores: pd.DataFrame,
    criterion: str | None = None,
    *,
    criteria: Iterable[str] = CRITERIA_KEYS,
    weights: Mapping[str, float] | None = None,
    objectives: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Kendall's W over experts (raters) x projects, per criterion and overall.

    Parameters
    ----------
    scores : DataFrame
        Long score table.
    criterion : str, optional
        One criterion key or ``"overall"``; ``None`` (default) gives every criterion and
        ``"overall"``.
    criteria : iterable of str or CriteriaSet
        Known criteria (a ``CriteriaSet`` also gives weights, objectives and scale for overall).
    weights, objectives : mapping, optional
        For the overall row; default those of ``data/criteria.yml`` (equal weights, all
        maximised, for non-standard criteria keys).

    Returns
    -------
    DataFrame
        Index ``criterion``; columns ``W``, ``chi2``, ``df``, ``p``, ``n_projects``,
        ``n_experts``, ``n_excluded`` (projects left out as incomplete; see the module notes).
    """
    return _kendall_rows(_rater_tables(scores, criterion, criteria, weights, objectives))


def _kendall_rows(tables: list[tuple[str, pd.DataFrame, int]]) -> pd.DataFrame:
    rows = []
    for c, table, excluded in tables:
        res = (
            kendall_w_matrix(table.to_numpy(dtype=float))
            if table.size
            else Concordance(np.nan, np.nan, 0, np.nan, 0, table.shape[1])
        )
        rows.append({"criterion": c, **asdict(res), "n_excluded": excluded})
    out = pd.DataFrame(rows).set_index("criterion")
    return out[["W", "chi2", "df", "p", "n_projects", "n_experts", "n_excluded"]]


# --------------------------------------------------------------------------------------------
# ICC


def _icc_table(table: pd.DataFrame) -> pd.DataFrame:
    import pingouin as pg

    n, k = table.shape
    base = pd.DataFrame(
        {
            "type": list(ICC_FORMS),
            "icc": np.nan,
            "F": np.nan,
            "df1": np.nan,
            "df2": np.nan,
            "p": np.nan,
            "ci95_low": np.nan,
            "ci95_high": np.nan,
        }
    )
    values = table.to_numpy(dtype=float)
    if n < 3 or k < 2 or np.ptp(values) == 0:
        return base
    long = pd.DataFrame(
        {
            "target": np.repeat(np.arange(n), k),
            "rater": np.tile(np.arange(k), n),
            "rating": values.reshape(-1),
        }
    )
    # pingouin rounds the CI to 2 decimals by default (a display option): keep full precision.
    saved = {k: v for k, v in pg.options.items() if k.startswith("round")}
    try:
        pg.options["round"] = None
        pg.options["round.column.CI95"] = None
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            res = pg.intraclass_corr(long, targets="target", raters="rater", ratings="rating")
    finally:
        pg.options.update(saved)
    res = res.set_index("Type").reindex(list(ICC_FORMS))
    ci = np.vstack([np.asarray(v, dtype=float) for v in res["CI95"]])
    return pd.DataFrame(
        {
            "type": list(ICC_FORMS),
            "icc": res["ICC"].to_numpy(dtype=float),
            "F": res["F"].to_numpy(dtype=float),
            "df1": res["df1"].to_numpy(dtype=float),
            "df2": res["df2"].to_numpy(dtype=float),
            "p": res["pval"].to_numpy(dtype=float),
            "ci95_low": ci[:, 0],
            "ci95_high": ci[:, 1],
        }
    )


def icc_matrix(ratings: Any) -> pd.DataFrame:
    """All six ICC forms of a complete targets x raters table (via ``pingouin.intraclass_corr``).

    Parameters
    ----------
    ratings : array-like or DataFrame of shape (n_targets, k_raters)
        No missing values.

    Returns
    -------
    DataFrame
        Columns ``type`` (McGraw & Wong name as pingouin gives it), ``sf_type`` (Shrout & Fleiss
        name), ``description``, ``icc``, ``F``, ``df1``, ``df2``, ``p``, ``ci95_low``,
        ``ci95_high``, ``n_projects``, ``n_experts``, ``panel`` (True for the form reported for
        the panel mean, ``ICC(A,k)``). NaN figures for fewer than 3 targets or 2 raters or no
        variation at all.
    """
    table = pd.DataFrame(np.asarray(ratings, dtype=float))
    if table.ndim != 2 or not np.isfinite(table.to_numpy()).all():
        raise InputError([Problem("ratings 须为无缺失的二维表 / must be a complete 2-D table")])
    out = _icc_table(table)
    out.insert(1, "sf_type", [ICC_FORMS[t][0] for t in out["type"]])
    out.insert(2, "description", [ICC_FORMS[t][1] for t in out["type"]])
    out["n_projects"] = table.shape[0]
    out["n_experts"] = table.shape[1]
    out["panel"] = out["type"] == PANEL_ICC
    for c in ("df1", "df2"):
        out[c] = out[c].astype(float)
    return out


def icc(
    scores: pd.DataFrame,
    criterion: str | None = None,
    *,
    criteria: Iterable[str] = CRITERIA_KEYS,
    weights: Mapping[str, float] | None = None,
    objectives: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Intraclass correlation of the panel, per criterion and overall (pingouin).

    Parameters
    ----------
    scores : DataFrame
        Long score table.
    criterion : str, optional
        One criterion key or ``"overall"``; ``None`` (default) gives all criteria and overall.
    criteria, weights, objectives
        As for :func:`kendall_w`.

    Returns
    -------
    DataFrame
        Tidy: one row per criterion x ICC form; columns ``criterion`` then those of
        :func:`icc_matrix` plus ``n_excluded``. The panel mean's reliability is the row with
        ``panel == True`` (``ICC(A,k)`` = Shrout & Fleiss ``ICC2k``).
    """
    return _icc_rows(_rater_tables(scores, criterion, criteria, weights, objectives))


def _icc_rows(tables: list[tuple[str, pd.DataFrame, int]]) -> pd.DataFrame:
    parts = []
    for c, table, excluded in tables:
        part = icc_matrix(table.to_numpy(dtype=float))
        part.insert(0, "criterion", c)
        part["n_excluded"] = excluded
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def panel_agreement(
    scores: pd.DataFrame,
    *,
    criteria: Iterable[str] = CRITERIA_KEYS,
    weights: Mapping[str, float] | None = None,
    objectives: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Agreement of the panel per criterion plus an ``overall`` row.

    Parameters
    ----------
    scores : DataFrame
        Long score table.
    criteria, weights, objectives
        As for :func:`kendall_w` (``overall`` is the experts' weighted totals).

    Returns
    -------
    DataFrame
        Index ``criterion`` (each criterion, then ``overall``); columns ``W``, ``chi2``, ``df``,
        ``p``, ``n_projects``, ``n_experts``, ``n_excluded`` (Kendall's W, tie-corrected) and
        ``icc``, ``icc_ci95_low``, ``icc_ci95_high`` (the panel mean's ``ICC(A,k)``).
    """
    tables = _rater_tables(scores, None, criteria, weights, objectives)
    w = _kendall_rows(tables)
    i = _icc_rows(tables)
    p = i[i["panel"]].set_index("criterion")
    w["icc"] = p["icc"]
    w["icc_ci95_low"] = p["ci95_low"]
    w["icc_ci95_high"] = p["ci95_high"]
    return w
