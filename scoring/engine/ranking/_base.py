"""Common machinery of the ranking methods: the method interface and constant-column handling.

Every method offers two computations that must agree:

* :meth:`Method.evaluate` — one weight vector, computed **on scikit-criteria** (``skcriteria.mkdm``
  plus the method's class), used by :func:`scoring.engine.ranking.rank`;
* :meth:`Method.score_batch` — many weight vectors at once, a pure vectorised numpy kernel (matrix
  products and broadcasting, no Python loop over weight vectors), used by the SMAA module.

A criterion on which every candidate has the same value (*constant column*, e.g. a panel that
agrees, or all zero) carries no discrimination: each method lets it drop out of the comparison
instead of producing ``NaN`` (scikit-criteria 0.10 divides 0 by 0 in ``VectorScaler`` and VIKOR's
scaling). How exactly is documented per method.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import numpy as np

M = TypeVar("M")

#: Relative tolerance under which a column's spread counts as zero (a constant column).
CONSTANT_RTOL = 1e-12


def constant_columns(X: np.ndarray) -> np.ndarray:
    """Boolean mask (m,) of the columns whose values are all equal (within round-off)."""
    X = np.asarray(X, dtype=float)
    if X.shape[0] == 0:
        return np.ones(X.shape[1], dtype=bool)
    spread = X.max(axis=0) - X.min(axis=0)
    return spread <= CONSTANT_RTOL * np.abs(X).max(axis=0)


def discriminating(
    X: np.ndarray, w: np.ndarray, minimise: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """The inputs of :meth:`Method.evaluate` as arrays, and what constant columns leave out.

    Returns
    -------
    X, w, minimise : ndarray
        As float, float and bool arrays.
    keep : ndarray of bool (m,)
        The columns that discriminate (not constant).
    extra : dict
        ``{"left_out": [indices of the constant columns]}``, the start of the method's extras.
    """
    X = np.asarray(X, dtype=float)
    keep = ~constant_columns(X)
    extra: dict[str, Any] = {"left_out": np.nonzero(~keep)[0].tolist()}
    return X, np.asarray(w, dtype=float), np.asarray(minimise, dtype=bool), keep, extra


def vector_normalised(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``r_ij = x_ij / sqrt(sum_i x_ij**2)`` on the discriminating columns, 0 on constant ones.

    Returns the normalised matrix and the mask of discriminating columns.
    """
    X = np.asarray(X, dtype=float)
    keep = ~constant_columns(X)
    R = np.zeros_like(X)
    if keep.any():
        R[:, keep] = X[:, keep] / np.sqrt((X[:, keep] ** 2).sum(axis=0))
    return R, keep


def ideal_and_anti_ideal(A: np.ndarray, minimise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column the best and the worst value: max/min, or min/max for a minimised criterion."""
    hi, lo = A.max(axis=0), A.min(axis=0)
    minimise = np.asarray(minimise, dtype=bool)
    return np.where(minimise, lo, hi), np.where(minimise, hi, lo)


def as_weights_2d(W: np.ndarray, m: int) -> np.ndarray:
    """``W`` as a float (s, m) array (a single vector becomes one row)."""
    W = np.asarray(W, dtype=float)
    if W.ndim == 1:
        W = W[None, :]
    if W.ndim != 2 or W.shape[1] != m:
        raise ValueError(f"weights must have shape (s, {m}), got {W.shape}")
    return W


def make_dm(X: np.ndarray, w: np.ndarray, minimise: np.ndarray) -> Any:
    """A scikit-criteria decision matrix (alternatives A0.., criteria C0..)."""
    import skcriteria

    objectives = [min if flag else max for flag in minimise]
    return skcriteria.mkdm(matrix=np.asarray(X, dtype=float), objectives=objectives, weights=w)


@dataclass(frozen=True)
class Method(ABC):
    """A ranking method.

    Attributes
    ----------
    name : str
        Registry key.
    higher_is_better : bool
        Whether a larger ``score`` is better.
    label_zh, label_en : str
        Display names.
    """

    name: ClassVar[str]
    higher_is_better: ClassVar[bool]
    label_zh: ClassVar[str]
    label_en: ClassVar[str]

    @abstractmethod
    def score_batch(self, X: np.ndarray, W: np.ndarray, minimise: np.ndarray) -> np.ndarray:
        """Scores for many weight vectors at once.

        Parameters
        ----------
        X : ndarray (n, m)
            Decision matrix, finite.
        W : ndarray (s, m)
            One normalised weight vector per row (non-negative, summing to 1).
        minimise : ndarray (m,) of bool
            ``True`` for the criteria where lower is better.

        Returns
        -------
        ndarray (s, n)
            The method's score of each candidate under each weight vector, finite.
        """

    @abstractmethod
    def evaluate(
        self, X: np.ndarray, w: np.ndarray, minimise: np.ndarray
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Score the candidates for one weight vector, on scikit-criteria.

        Returns
        -------
        score : ndarray (n,)
        extra : dict
            Method-specific figures (kept in ``ranking.attrs``).
        """

    def problems(self, X: np.ndarray, minimise: np.ndarray, columns: list[str]) -> list[Any]:
        """Input problems specific to this method (e.g. negative values); none by default."""
        return []


def with_scale(method: M, scale: Sequence[float] | None) -> M:
    """``method`` inverting minimised criteria on ``scale``, when it has a ``scale`` option.

    The weighted sum and the weighted product invert a minimised criterion as ``lo + hi - x`` on
    the scoring scale; a criteria set on another scale than their default ``(0, 100)`` passes its
    own here. Methods without the option (and ``scale=None``) are returned unchanged.
    """
    if scale is None or not dataclasses.is_dataclass(method):
        return method
    if "scale" not in {f.name for f in dataclasses.fields(method)}:
        return method
    lo, hi = (float(v) for v in scale)
    return dataclasses.replace(method, scale=(lo, hi))  # type: ignore[type-var]
