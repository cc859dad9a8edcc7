"""Agreement of the panel: Kendall's W (tie-corrected) and the intraclass correlation.

Complete-case rule, the overall row and the choice of ``ICC(A,k)`` for the panel mean are
described in :mod:`scoring.engine.panel`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ...errors import InputError, Problem
from ..criteria import CriteriaSet
from .raters import rater_tables

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
    criteria: Iterable[str] | CriteriaSet | None = None,
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
    criteria : iterable of str or CriteriaSet, optional
        Known criteria (a ``CriteriaSet`` also gives weights, objectives and scale for overall);
        default :func:`~scoring.engine.criteria.default_criteria`.
    weights, objectives : mapping, optional
        For the overall row; default those of the criteria set (of the default set for its keys;
        equal weights, all maximised, for other plain keys).

    Returns
    -------
    DataFrame
        Index ``criterion``; columns ``W``, ``chi2``, ``df``, ``p``, ``n_projects``,
        ``n_experts``, ``n_excluded`` (projects left out as incomplete; see the module notes).
    """
    return _kendall_rows(rater_tables(scores, criterion, criteria, weights, objectives))


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
    value = res["ICC"].to_numpy(dtype=float).copy()
    # ICC(A,k) is the Spearman-Brown step-up of ICC(A,1): pingouin applies it to the estimate and
    # to both bounds as if it were increasing everywhere; below -1/(k-1) it flips sign and gives
    # figures above 1 (a CI printed as [21.12, 0.99]). Step up with the pole handled instead.
    single, average = list(ICC_FORMS).index("ICC(A,1)"), list(ICC_FORMS).index(PANEL_ICC)
    value[average] = spearman_brown(value[single], k)
    ci[average] = [spearman_brown(x, k) for x in ci[single]]
    return pd.DataFrame(
        {
            "type": list(ICC_FORMS),
            "icc": value,
            "F": res["F"].to_numpy(dtype=float),
            "df1": res["df1"].to_numpy(dtype=float),
            "df2": res["df2"].to_numpy(dtype=float),
            "p": res["pval"].to_numpy(dtype=float),
            "ci95_low": ci[:, 0],
            "ci95_high": ci[:, 1],
        }
    )


def spearman_brown(r: float, k: int) -> float:
    """The reliability of the mean of ``k`` raters from the single-rater one, ``k r / (1 + (k-1) r)``.

    Increasing in ``r`` on ``(-1/(k-1), 1]``, where it tends to ``-inf`` at the pole: a single-rater
    figure at or below ``-1/(k-1)`` (possible for a lower confidence bound, or an estimate, of a
    panel that disagrees) steps up to ``-inf``, never to the positive figure the formula gives past
    the pole. NaN stays NaN.
    """
    if not np.isfinite(r):
        return float(r)
    denom = 1.0 + (k - 1) * float(r)
    return float("-inf") if denom <= 0 else k * float(r) / denom


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
        variation at all. ``ICC(A,k)`` and its bounds are the :func:`spearman_brown` step-up of
        ``ICC(A,1)``'s, ``-inf`` for a lower bound unbounded below (never a lower bound above the
        upper one).
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
    criteria: Iterable[str] | CriteriaSet | None = None,
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
    return _icc_rows(rater_tables(scores, criterion, criteria, weights, objectives))


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
    criteria: Iterable[str] | CriteriaSet | None = None,
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
    tables = rater_tables(scores, None, criteria, weights, objectives)
    w = _kendall_rows(tables)
    i = _icc_rows(tables)
    p = i[i["panel"]].set_index("criterion")
    w["icc"] = p["icc"]
    w["icc_ci95_low"] = p["ci95_low"]
    w["icc_ci95_high"] = p["ci95_high"]
    return w
