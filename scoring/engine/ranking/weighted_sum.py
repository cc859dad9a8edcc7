"""Weighted sum (简单加权和, SAW/WSM).

``score_i = sum_j w_j * x'_ij`` where ``x'`` is the matrix with every minimised criterion turned
into a maximised one **on the scoring scale**: ``x' = (lo + hi) - x`` with ``(lo, hi)`` the scale,
``(0, 100)`` by default (a risk score of 20 counts as 80 points). The score is therefore a weighted
total on the panel's own scale. With ``scale=None`` the inversion uses each column's own range
instead, ``x' = (max_j + min_j) - x``; the two choices differ by a constant per criterion and give
the same ranks.

scikit-criteria 0.10's ``WeightedSumModel`` refuses minimised criteria and negative values, so the
inversion is done here, explicitly, before the decision matrix is built with every objective
``max``; it is never left to the library. No further normalisation: all criteria share one scale.

A constant column adds the same amount to every candidate: it drops out of the comparison by
itself and keeps the score a true weighted total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ...errors import Problem
from ._base import Method, as_weights_2d, make_dm


@dataclass(frozen=True)
class WeightedSum(Method):
    """Weighted sum on the scoring scale.

    Parameters
    ----------
    scale : (float, float) or None
        The scoring scale used to invert minimised criteria; ``None`` inverts on each column's
        observed range.
    """

    name: ClassVar[str] = "weighted_sum"
    higher_is_better: ClassVar[bool] = True
    label_zh: ClassVar[str] = "加权和法"
    label_en: ClassVar[str] = "Weighted sum"

    scale: tuple[float, float] | None = (0.0, 100.0)

    def inverted(self, X: np.ndarray, minimise: np.ndarray) -> np.ndarray:
        """The matrix with minimised criteria turned into maximised ones (see module docstring)."""
        X = np.asarray(X, dtype=float)
        minimise = np.asarray(minimise, dtype=bool)
        if self.scale is None:
            pivot = X.max(axis=0) + X.min(axis=0)
        else:
            pivot = np.full(X.shape[1], float(self.scale[0]) + float(self.scale[1]))
        return np.where(minimise[None, :], pivot[None, :] - X, X)

    def score_batch(self, X: np.ndarray, W: np.ndarray, minimise: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        W = as_weights_2d(W, X.shape[1])
        return W @ self.inverted(X, minimise).T

    def evaluate(
        self, X: np.ndarray, w: np.ndarray, minimise: np.ndarray
    ) -> tuple[np.ndarray, dict[str, Any]]:
        from skcriteria.agg.simple import WeightedSumModel

        Xi = self.inverted(X, minimise)
        dm = make_dm(Xi, np.asarray(w, dtype=float), np.zeros(Xi.shape[1], dtype=bool))
        result = WeightedSumModel().evaluate(dm)
        return np.asarray(result.e_.score, dtype=float).reshape(-1), {}

    def problems(self, X: np.ndarray, minimise: np.ndarray, columns: list[str]) -> list[Problem]:
        return scale_problems(self.name, self.scale, self.inverted, X, minimise, columns)


def scale_problems(
    name: str,
    scale: tuple[float, float] | None,
    inverted: Any,
    X: np.ndarray,
    minimise: np.ndarray,
    columns: list[str],
) -> list[Problem]:
    """What a method on the scoring scale (weighted sum, weighted product) cannot take.

    A minimised criterion with values outside ``scale`` cannot be inverted on it, and a value
    below 0 (after the inversion) has no meaning in a total; every aggregation of
    :func:`scoring.engine.aggregation.aggregate` keeps its values on the scale, so this names a
    matrix built elsewhere. ``name`` is the method the message names.
    """
    out: list[Problem] = []
    X = np.asarray(X, dtype=float)
    if scale is not None:
        lo, hi = float(scale[0]), float(scale[1])
        for j in np.nonzero(np.asarray(minimise, dtype=bool))[0]:
            bad = (X[:, j] < lo) | (X[:, j] > hi)
            if bad.any():
                out.append(
                    Problem(
                        f"{name} 在评分尺度 {lo:g}–{hi:g} 上反转越低越好的指标，{int(bad.sum())} 个值"
                        f"超出该尺度 / {name} inverts a minimised criterion on the scale "
                        f"{lo:g}–{hi:g}; {int(bad.sum())} value(s) lie outside it (give values on "
                        "the scale, or scale=None to invert on the observed range)",
                        column=columns[j],
                    )
                )
    if not out:
        Xi = inverted(X, minimise)
        for j in np.nonzero((Xi < 0).any(axis=0))[0]:
            out.append(
                Problem(
                    f"{name} 需要不小于 0 的值 / {name} needs values >= 0 (after inverting "
                    "minimised criteria)",
                    column=columns[j],
                )
            )
    return out
