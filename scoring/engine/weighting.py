"""Objective weighting methods on the wide matrix (客观赋权法): entropy, CRITIC, standard deviation.

Each function returns ``{criterion: weight}`` in column order, weights >= 0 summing to 1.

A criterion on which every candidate has the same value (a panel that agrees, or all zero) carries
no information: it gets weight **0** (never NaN — scikit-criteria 0.10's ``EntropyWeighter`` and
``CRITIC`` divide 0 by 0 on such a column) and is left out of the other criteria's computation
(CRITIC's correlations). When *no* criterion discriminates, objective weights are undefined and an
:class:`~scoring.errors.InputError` says so.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .criteria import validate_objectives
from .ranking._base import constant_columns
from .validation import collect, validate_matrix

__all__ = ["critic_weights", "entropy_weights", "std_weights"]


def _prepare(
    matrix: pd.DataFrame, objectives: Mapping[str, str], *, nonnegative: bool = False
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    problems: list[Problem] = []
    X_df = collect(problems, validate_matrix, matrix)
    obj: dict[str, str] = {}
    if isinstance(matrix, pd.DataFrame):
        obj = collect(problems, validate_objectives, objectives, tuple(matrix.columns)) or {}
    if X_df is not None and not problems:
        if X_df.shape[0] < 2:
            problems.append(Problem("objective weights need at least two candidates"))
        if nonnegative:
            for c in X_df.columns:
                neg = X_df.index[(X_df[c] < 0).to_numpy()]
                for label in neg:
                    problems.append(
                        Problem("the entropy method needs values >= 0", row=label, column=str(c))
                    )
    if problems or X_df is None:
        raise InputError(problems)
    X = X_df.to_numpy(dtype=float)
    columns = [str(c) for c in X_df.columns]
    flat = constant_columns(X)
    if flat.all():
        raise InputError(
            [
                Problem(
                    "every criterion has the same value for all candidates: objective weights "
                    "are undefined (所有准则上各候选项目得分相同，无法客观赋权)"
                )
            ]
        )
    minimise = np.array([obj[c] == "min" for c in X_df.columns])
    return X, minimise, columns


def _as_dict(columns: list[str], u: np.ndarray) -> dict[str, float]:
    u = np.where(np.isfinite(u) & (u > 0), u, 0.0)
    return {c: float(x) for c, x in zip(columns, u / u.sum(), strict=True)}


def entropy_weights(
    matrix: pd.DataFrame, objectives: Mapping[str, str], *, invert_minimised: bool = False
) -> dict[str, float]:
    """Entropy weights (Shannon entropy method, Hwang & Yoon 1981; Zeleny 1982).

    ``p_ij = x_ij / sum_i x_ij``, ``e_j = -sum_i p_ij ln p_ij / ln n`` (with ``0 ln 0 = 0``),
    ``d_j = 1 - e_j``, ``w_j = d_j / sum_k d_k``.

    Parameters
    ----------
    matrix : DataFrame
        Wide matrix, values >= 0.
    objectives : mapping
        Criterion -> ``"max"``/``"min"`` (validated). The classic method measures dispersion and
        ignores the direction; with ``invert_minimised=True`` a minimised criterion is first
        turned into ``(max + min) - x`` on its observed range.
    invert_minimised : bool
        See above; ``False`` reproduces the published examples.

    Returns
    -------
    dict
        Criterion -> weight (constant and all-zero columns: 0).

    Raises
    ------
    InputError
        Bad matrix or objectives, a negative value, fewer than two candidates, or no criterion
        that discriminates.
    """
    X, minimise, columns = _prepare(matrix, objectives, nonnegative=True)
    if invert_minimised and minimise.any():
        X = X.copy()
        X[:, minimise] = X[:, minimise].max(axis=0) + X[:, minimise].min(axis=0) - X[:, minimise]
    flat = constant_columns(X)
    n = X.shape[0]
    sums = X.sum(axis=0)
    P = np.divide(X, sums, out=np.zeros_like(X), where=sums > 0)
    plogp = np.where(P > 0, P * np.log(np.where(P > 0, P, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(n)
    d = np.where(flat, 0.0, 1.0 - e)
    return _as_dict(columns, d)


def critic_weights(matrix: pd.DataFrame, objectives: Mapping[str, str]) -> dict[str, float]:
    """CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995).

    Each criterion is scaled to [0, 1] towards its ideal, ``x'_ij = (x_ij - worst_j) /
    (best_j - worst_j)`` (best = max for a maximised, min for a minimised criterion); its
    information is ``C_j = sigma_j * sum_k (1 - r_jk)`` with ``sigma_j`` the (population)
    standard deviation of ``x'_j`` and ``r`` the Pearson correlation between criteria;
    ``w_j = C_j / sum_k C_k``.

    Constant columns get weight 0 and are left out of the correlation sums of the others (their
    correlation is undefined).

    Returns
    -------
    dict
        Criterion -> weight.
    """
    X, minimise, columns = _prepare(matrix, objectives)
    keep = ~constant_columns(X)
    Xk = X[:, keep]
    hi, lo = Xk.max(axis=0), Xk.min(axis=0)
    best = np.where(minimise[keep], lo, hi)
    worst = np.where(minimise[keep], hi, lo)
    S = (Xk - worst) / (best - worst)
    sigma = S.std(axis=0)
    if S.shape[1] == 1:
        conflict = np.ones(1)
    else:
        r = np.corrcoef(S, rowvar=False)
        conflict = (1.0 - r).sum(axis=0)
    u = np.zeros(X.shape[1])
    u[keep] = sigma * conflict
    return _as_dict(columns, u)


def std_weights(matrix: pd.DataFrame, objectives: Mapping[str, str]) -> dict[str, float]:
    """Standard-deviation weights: ``w_j`` proportional to the sample standard deviation of
    criterion ``j`` (meaningful here because all criteria of a set share its scale).

    Constant columns get weight 0. ``objectives`` is validated; the direction does not change a
    standard deviation.
    """
    X, _, columns = _prepare(matrix, objectives)
    sd = X.std(axis=0, ddof=1)
    return _as_dict(columns, np.where(constant_columns(X), 0.0, sd))
