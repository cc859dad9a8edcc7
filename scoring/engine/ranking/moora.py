"""MOORA ratio system, Brauers & Zavadskas (2006) (多目标比率分析法).

``r_ij = x_ij / sqrt(sum_i x_ij**2)`` (vector normalisation, as in TOPSIS), then
``y_i = sum_{j max} w_j r_ij - sum_{j min} w_j r_ij``; higher is better.

Computed on scikit-criteria: ``VectorScaler(target="matrix")`` then ``RatioMOORA()``. Constant
columns are removed first: a non-zero constant adds the same amount to every candidate (no change
to the order) and an all-zero column would give NaN through ``VectorScaler``. The score is thus the
ratio-system figure over the discriminating criteria.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ._base import Method, as_weights_2d, discriminating, make_dm, vector_normalised


@dataclass(frozen=True)
class Moora(Method):
    """MOORA ratio system (vector normalisation, weighted benefit minus weighted cost)."""

    name: ClassVar[str] = "moora"
    higher_is_better: ClassVar[bool] = True
    label_zh: ClassVar[str] = "MOORA 比率系统法"
    label_en: ClassVar[str] = "MOORA (ratio system)"

    def score_batch(self, X: np.ndarray, W: np.ndarray, minimise: np.ndarray) -> np.ndarray:
        R, _ = vector_normalised(X)
        W = as_weights_2d(W, R.shape[1])
        sign = np.where(np.asarray(minimise, dtype=bool), -1.0, 1.0)
        return W @ (R * sign).T

    def evaluate(
        self, X: np.ndarray, w: np.ndarray, minimise: np.ndarray
    ) -> tuple[np.ndarray, dict[str, Any]]:
        from skcriteria.agg.moora import RatioMOORA
        from skcriteria.preprocessing.scalers import VectorScaler

        X, w, minimise, keep, extra = discriminating(X, w, minimise)
        if not keep.any():
            return np.zeros(X.shape[0]), extra
        dm = VectorScaler(target="matrix").transform(make_dm(X[:, keep], w[keep], minimise[keep]))
        result = RatioMOORA().evaluate(dm)
        return np.asarray(result.e_.score, dtype=float).reshape(-1), extra
