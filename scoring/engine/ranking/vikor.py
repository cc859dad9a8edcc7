"""VIKOR, Opricovic & Tzeng (2004) (多准则妥协排序法).

1. Best ``f*_j`` and worst ``f-_j`` of each criterion (max/min for a maximised criterion, min/max
   for a minimised one).
2. ``S_i = sum_j w_j (f*_j - f_ij) / (f*_j - f-_j)`` (group utility) and
   ``R_i = max_j w_j (f*_j - f_ij) / (f*_j - f-_j)`` (individual regret).
3. ``Q_i = v (S_i - S*) / (S- - S*) + (1 - v) (R_i - R*) / (R- - R*)`` with ``v = 0.5`` by default.

The score is ``Q`` (in [0, 1], **lower is better**) and the ``rank`` column is the competition rank
of ``Q`` under the common tie rule (:mod:`scoring.engine.ranking.ties`). The compromise-solution test of
the paper (C1 acceptable advantage ``Q(a'') - Q(a') >= 1/(n-1)``, C2 acceptable stability) is
reported, not folded into the ranks: scikit-criteria's ``use_compromise_set=True`` rewrites ranks
(every member of the compromise set becomes 1 and later ranks shift), which is not a rank by the
score. :func:`scoring.engine.ranking.rank` puts ``S``, ``R``, ``acceptable_advantage``,
``acceptable_stability`` and ``compromise_set`` (project ids) in ``ranking.attrs["vikor"]``.

Computed on scikit-criteria's ``VIKOR(v=v, use_compromise_set=False)``; its ``q_k`` is the score.
Constant columns (``f* = f-``) contribute 0 to ``S`` and ``R`` (the library turns the 0/0 into 0
with a warning; here they are removed before the call, which is the same and silent). When ``S``
(or ``R``) is equal for every candidate its term of ``Q`` is 0 (the library does the same); with a
single candidate, or no discriminating criterion, every ``Q`` is 0 and all tie at rank 1.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..validation import plain_scalar
from ._base import (
    Method,
    as_weights_2d,
    constant_columns,
    discriminating,
    ideal_and_anti_ideal,
    make_dm,
)

#: Relative tolerance below which the spread of S or R over the candidates counts as zero.
SPREAD_RTOL = 1e-12


def _regret_matrix(X: np.ndarray, minimise: np.ndarray) -> np.ndarray:
    """``(f*_j - f_ij) / (f*_j - f-_j)`` in [0, 1]; 0 on constant columns."""
    X = np.asarray(X, dtype=float)
    best, worst = ideal_and_anti_ideal(X, minimise)
    keep = ~constant_columns(X)
    F = np.zeros_like(X)
    F[:, keep] = (best[keep] - X[:, keep]) / (best[keep] - worst[keep])
    return F


def _unit(a: np.ndarray) -> np.ndarray:
    """``(a - min) / (max - min)`` along the last axis; 0 where the spread is (numerically) zero."""
    lo = a.min(axis=-1, keepdims=True)
    hi = a.max(axis=-1, keepdims=True)
    spread = hi - lo
    flat = spread <= SPREAD_RTOL * np.maximum(np.abs(hi), np.abs(lo))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (a - lo) / np.where(flat, 1.0, spread)
    return np.where(flat, 0.0, out)


@dataclass(frozen=True)
class Vikor(Method):
    """VIKOR compromise ranking; score = Q, lower is better.

    Parameters
    ----------
    v : float
        Weight of the strategy of the majority (group utility), in [0, 1]; 0.5 by default.
    """

    name: ClassVar[str] = "vikor"
    higher_is_better: ClassVar[bool] = False
    label_zh: ClassVar[str] = "VIKOR 妥协排序法"
    label_en: ClassVar[str] = "VIKOR"

    v: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= float(self.v) <= 1.0:
            raise ValueError(f"v must be within [0, 1], got {plain_scalar(self.v)!r}")

    def score_batch(self, X: np.ndarray, W: np.ndarray, minimise: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        W = as_weights_2d(W, X.shape[1])
        F = _regret_matrix(X, minimise)
        S = W @ F.T
        R = np.zeros_like(S)
        for j in range(F.shape[1]):  # loop over the (few) criteria, vectorised over samples
            np.maximum(R, np.multiply.outer(W[:, j], F[:, j]), out=R)
        return self.v * _unit(S) + (1.0 - self.v) * _unit(R)

    def evaluate(
        self, X: np.ndarray, w: np.ndarray, minimise: np.ndarray
    ) -> tuple[np.ndarray, dict[str, Any]]:
        from skcriteria.agg.vikor import VIKOR

        X, w, minimise, keep, extra = discriminating(X, w, minimise)
        n = X.shape[0]
        if n < 2 or not keep.any():
            extra.update(
                S=np.zeros(n),
                R=np.zeros(n),
                acceptable_advantage=False,
                acceptable_stability=True,
                compromise_set=list(range(n)),
            )
            return np.zeros(n), extra
        dm = make_dm(X[:, keep], w[keep], minimise[keep])
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Some criteria \\(or distance\\) was equal")
            result = VIKOR(v=self.v, use_compromise_set=False).evaluate(dm)
        S = np.asarray(result.e_.s_k, dtype=float)
        R = np.asarray(result.e_.r_k, dtype=float)
        q = np.asarray(result.e_.q_k, dtype=float)
        # The library tests an exactly-zero spread; a spread of pure round-off counts as zero here.
        if _flat(S) or _flat(R) or not np.all(np.isfinite(q)):
            q = self.v * _unit(S) + (1.0 - self.v) * _unit(R)
        extra.update(
            S=S,
            R=R,
            acceptable_advantage=bool(result.e_.acceptable_advantage),
            acceptable_stability=bool(result.e_.acceptable_stability),
            compromise_set=[int(i) for i in np.asarray(result.e_.compromise_set).ravel()],
        )
        return q, extra


def _flat(a: np.ndarray) -> bool:
    return bool(np.ptp(a) <= SPREAD_RTOL * np.abs(a).max())
