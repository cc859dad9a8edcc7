"""Weighted product (加权积法, WPM).

``score_i = prod_j x'_ij ** w_j`` over the criteria that discriminate, where ``x'`` inverts minimised
criteria on the scoring scale exactly as :mod:`scoring.engine.ranking.weighted_sum` does
(``x' = (lo + hi) - x``, default scale ``(0, 100)``). With normalised weights the score is a
weighted geometric mean on the panel's scale.

scikit-criteria 0.10's ``WeightedProductModel`` refuses minimised criteria (inverted here first)
and any value ``<= 0``; it returns ``sum_j w_j log10 x'_ij``, of which the score is ``10 **``.
A zero is a legitimate score (and a minimised criterion at the top of the scale inverts to zero):
in a product it is a veto, so a candidate with a zero on a weighted, discriminating criterion
scores exactly 0; the others are computed on scikit-criteria.

Constant columns are left out of the product: their factor would be common to every candidate and
cannot change the order — and when the common value is 0 it would make every score 0 and erase the
ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ...errors import Problem
from ._base import Method, as_weights_2d, constant_columns, make_dm
from .weighted_sum import WeightedSum, scale_problems


@dataclass(frozen=True)
class WeightedProduct(Method):
    """Weighted product on the scoring scale (see the module docstring).

    Parameters
    ----------
    scale : (float, float) or None
        Scale for inverting minimised criteria, as in :class:`WeightedSum`.
    """

    name: ClassVar[str] = "weighted_product"
    higher_is_better: ClassVar[bool] = True
    label_zh: ClassVar[str] = "加权积法"
    label_en: ClassVar[str] = "Weighted product"

    scale: tuple[float, float] | None = (0.0, 100.0)

    def _prepared(self, X: np.ndarray, minimise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        Xi = WeightedSum(scale=self.scale).inverted(X, minimise)
        keep = ~constant_columns(Xi)
        return Xi, keep

    def score_batch(self, X: np.ndarray, W: np.ndarray, minimise: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        W = as_weights_2d(W, X.shape[1])
        Xi, keep = self._prepared(X, minimise)
        Xk, Wk = Xi[:, keep], W[:, keep]
        zero = Xk <= 0
        logs = np.log(np.where(zero, 1.0, Xk))
        out = np.exp(Wk @ logs.T)
        if zero.any():
            out[((Wk > 0).astype(float) @ zero.T.astype(float)) > 0] = 0.0
        return out

    def evaluate(
        self, X: np.ndarray, w: np.ndarray, minimise: np.ndarray
    ) -> tuple[np.ndarray, dict[str, Any]]:
        from skcriteria.agg.simple import WeightedProductModel

        X = np.asarray(X, dtype=float)
        w = np.asarray(w, dtype=float)
        Xi, keep = self._prepared(X, minimise)
        n = X.shape[0]
        score = np.zeros(n)
        if not (keep & (w > 0)).any():
            return np.ones(n), {"left_out": np.nonzero(~keep)[0].tolist()}
        keep = keep & (w > 0)
        Xk, wk = Xi[:, keep], w[keep]
        vetoed = (Xk <= 0).any(axis=1)
        alive = ~vetoed
        if alive.sum() == 1:  # scikit-criteria needs no special case, but spare it a 1-row matrix
            score[alive] = np.prod(Xk[alive] ** wk)
        elif alive.any():
            dm = make_dm(Xk[alive], wk, np.zeros(Xk.shape[1], dtype=bool))
            result = WeightedProductModel().evaluate(dm)
            score[alive] = np.power(10.0, np.asarray(result.e_.score, dtype=float))
        return score, {"left_out": np.nonzero(~keep)[0].tolist()}

    def problems(self, X: np.ndarray, minimise: np.ndarray, columns: list[str]) -> list[Problem]:
        inverted = WeightedSum(scale=self.scale).inverted
        return scale_problems(self.name, self.scale, inverted, X, minimise, columns)
