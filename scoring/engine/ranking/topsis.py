"""TOPSIS, classic Hwang & Yoon (1981) (逼近理想解排序法).

1. Vector normalisation: ``r_ij = x_ij / sqrt(sum_i x_ij**2)``.
2. Weighting: ``v_ij = w_j r_ij``.
3. Ideal ``A+`` and anti-ideal ``A-``: for a maximised criterion the column maximum and minimum; for
   a **minimised criterion the minimum is the ideal** and the maximum the anti-ideal (no inversion of
   the data).
4. Euclidean distances ``D+_i = ||v_i - A+||``, ``D-_i = ||v_i - A-||``.
5. Score = relative closeness ``C_i = D-_i / (D+_i + D-_i)`` in [0, 1], higher is better.

Computed on scikit-criteria: ``VectorScaler(target="matrix")`` then ``TOPSIS()`` (its warning about
minimised objectives is silenced: minimising on the raw data is exactly the classic method).

Constant columns: a constant criterion has ``A+_j = A-_j`` and adds nothing to either distance; an
all-zero column, however, makes ``VectorScaler`` divide 0 by 0 and poisons every score with NaN.
Constant columns are therefore removed before the library is called — which changes nothing for a
non-zero constant and removes the NaN for a zero one. When **no** criterion discriminates (or a
single candidate), ``D+ = D- = 0`` for everybody and every candidate gets ``C = 0.5`` (all tied).

The batch kernel uses ``D+^2 = (W**2) @ ((R - best)**2).T`` (and the same for ``D-``), two matrix
products for all weight vectors at once, valid because weights are non-negative so the weighted
ideal is ``w_j`` times the ideal of the normalised column.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ._base import (
    Method,
    as_weights_2d,
    discriminating,
    ideal_and_anti_ideal,
    make_dm,
    vector_normalised,
)

#: Closeness given to every candidate when no criterion discriminates.
NEUTRAL_CLOSENESS = 0.5


def _closeness(d_best: np.ndarray, d_worst: np.ndarray) -> np.ndarray:
    total = d_best + d_worst
    flat = total <= 0
    if flat.any():
        total[flat] = 1.0
        d_worst = np.where(flat, NEUTRAL_CLOSENESS, d_worst)
    np.divide(d_worst, total, out=total)
    return total


@dataclass(frozen=True)
class Topsis(Method):
    """Classic TOPSIS (vector normalisation, Euclidean distances, relative closeness)."""

    name: ClassVar[str] = "topsis"
    higher_is_better: ClassVar[bool] = True
    label_zh: ClassVar[str] = "TOPSIS 逼近理想解法"
    label_en: ClassVar[str] = "TOPSIS"

    def score_batch(self, X: np.ndarray, W: np.ndarray, minimise: np.ndarray) -> np.ndarray:
        R, _ = vector_normalised(X)  # constant columns are zero: they add nothing
        W = as_weights_2d(W, R.shape[1])
        best, worst = ideal_and_anti_ideal(R, minimise)
        W2 = W * W
        d_best = W2 @ ((R - best) ** 2).T
        d_worst = W2 @ ((R - worst) ** 2).T
        for d in (d_best, d_worst):  # in place: these are (s, n) arrays
            np.maximum(d, 0.0, out=d)
            np.sqrt(d, out=d)
        return _closeness(d_best, d_worst)

    def evaluate(
        self, X: np.ndarray, w: np.ndarray, minimise: np.ndarray
    ) -> tuple[np.ndarray, dict[str, Any]]:
        from skcriteria.agg.topsis import TOPSIS
        from skcriteria.preprocessing.scalers import VectorScaler

        X, w, minimise, keep, extra = discriminating(X, w, minimise)
        if not keep.any() or X.shape[0] < 2:
            return np.full(X.shape[0], NEUTRAL_CLOSENESS), extra
        dm = make_dm(X[:, keep], w[keep], minimise[keep])
        dm = VectorScaler(target="matrix").transform(dm)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Although TOPSIS can operate")
            result = TOPSIS().evaluate(dm)
        extra["ideal"] = np.asarray(result.e_.ideal, dtype=float)
        extra["anti_ideal"] = np.asarray(result.e_.anti_ideal, dtype=float)
        score = np.asarray(result.e_.similarity, dtype=float)
        # D+ + D- = 0 only when no column discriminates, excluded above; keep the guard anyway.
        return np.where(np.isfinite(score), score, NEUTRAL_CLOSENESS), extra
