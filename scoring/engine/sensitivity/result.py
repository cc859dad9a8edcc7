"""The outcome of an SMAA-2 run: rank acceptability, P(top k), central weights, confidence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...errors import InputError, Problem

#: Column labels of :meth:`SensitivityResult.summary` (Chinese first, English available).
SUMMARY_LABELS: dict[str, tuple[str, str]] = {
    "reference_rank": ("给定权重下排名", "Rank at given weights"),
    "p_first": ("排名第一概率", "P(rank 1)"),
    "p_top": ("入围概率", "P(top k)"),
    "expected_rank": ("期望排名", "Expected rank"),
    "confidence": ("置信因子", "Confidence factor"),
}


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """Outcome of :func:`sensitivity` (immutable; every accessor returns a fresh pandas object).

    Attributes
    ----------
    candidates : tuple
        Candidate labels (the matrix index), in matrix order.
    criteria : tuple of str
        Criterion keys (the matrix columns).
    method : str
        Ranking method used.
    samples : int
        Number of weight vectors drawn.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same result.
    spread : float or None
        ``None`` for weights uniform on the simplex, else the ±relative perturbation.
    weights, objectives : mapping
        The given (normalised) weights and the objectives.
    chunk_size : int
        Samples scored per kernel call.
    tied_samples : int
        Samples in which at least two candidates tied somewhere in the ranking.
    value_sd : float or None
        Largest standard deviation used for the confidence factor (``None``: exact values).
    value_samples : int
        Draws of the criteria values behind the confidence factor (0 with exact values).
    """

    candidates: tuple[Any, ...]
    criteria: tuple[str, ...]
    method: str
    samples: int
    seed: int
    spread: float | None
    weights: Mapping[str, float]
    objectives: Mapping[str, str]
    chunk_size: int
    tied_samples: int
    value_sd: float | None
    value_samples: int
    index_name: Any = None
    _counts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    _central: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    _confidence: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    _reference: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int), repr=False)

    def _index(self) -> pd.Index:
        return pd.Index(list(self.candidates), name=self.index_name)

    @property
    def n(self) -> int:
        """Number of candidates."""
        return len(self.candidates)

    @property
    def counts(self) -> pd.DataFrame:
        """Raw counts behind :attr:`acceptability` (candidates x ranks 1..n, rows sum to samples)."""
        cols = pd.RangeIndex(1, self.n + 1, name="rank")
        return pd.DataFrame(np.array(self._counts), index=self._index(), columns=cols)

    @property
    def acceptability(self) -> pd.DataFrame:
        """Rank acceptability indices ``b_i^r``: candidates x ranks 1..n, each row sums to 1."""
        cols = pd.RangeIndex(1, self.n + 1, name="rank")
        return pd.DataFrame(self._counts / self.samples, index=self._index(), columns=cols)

    def p_top(self, k: int) -> pd.Series:
        """Probability of each candidate being in the top ``k`` (1 <= k <= n).

        Raises
        ------
        InputError
            When ``k`` is not an integer between 1 and the number of candidates.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= self.n:
            raise InputError(
                [Problem(f"k must be an integer from 1 to {self.n}, got {k!r}", column="k")]
            )
        p = self._counts[:, : int(k)].sum(axis=1) / self.samples
        return pd.Series(p, index=self._index(), name=f"p_top_{int(k)}")

    @property
    def expected_rank(self) -> pd.Series:
        """Mean rank over the samples, ``sum_r r * b_i^r``."""
        r = np.arange(1, self.n + 1)
        return pd.Series(self._counts @ r / self.samples, index=self._index(), name="expected_rank")

    @property
    def central_weights(self) -> pd.DataFrame:
        """Central weight vectors: candidates x criteria, rows sum to 1; NaN if never first."""
        return pd.DataFrame(
            np.array(self._central),
            index=self._index(),
            columns=pd.Index(self.criteria, name="criterion"),
        )

    @property
    def confidence(self) -> pd.Series:
        """Confidence factors (see the module docstring for the definition); NaN if never first."""
        return pd.Series(np.array(self._confidence), index=self._index(), name="confidence")

    @property
    def reference_rank(self) -> pd.Series:
        """Competition rank of each candidate at the given weights (no sampling)."""
        return pd.Series(np.array(self._reference), index=self._index(), name="reference_rank")

    def summary(self, k: int | None = None) -> pd.DataFrame:
        """One row per candidate: reference rank, P(rank 1), P(top k), expected rank, confidence.

        Sorted by reference rank, then by P(top k) descending. ``k`` defaults to ``n``'s tenth,
        at least 1. Column meanings in :data:`SUMMARY_LABELS`.
        """
        k = max(1, self.n // 10) if k is None else k
        out = pd.DataFrame(
            {
                "reference_rank": self.reference_rank,
                "p_first": self.p_top(1),
                "p_top": self.p_top(k),
                "expected_rank": self.expected_rank,
                "confidence": self.confidence,
            }
        )
        out.attrs["k"] = k
        return out.sort_values(["reference_rank", "p_top"], ascending=[True, False], kind="stable")
