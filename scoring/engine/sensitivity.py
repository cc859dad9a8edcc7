"""Robustness of a ranking under weight uncertainty: SMAA-2 (稳健性分析：随机多准则可接受性分析).

SMAA-2 (Lahdelma & Salminen 2001, *Operations Research* 49(3):444–454) asks, for each candidate,
how often it reaches each place when the criteria weights are not known exactly:

* **rank acceptability index** ``b_i^r`` (排名可接受度): the share of the weight space in which
  candidate ``i`` reaches rank ``r``. Estimated here by Monte Carlo: draw ``samples`` weight
  vectors, score every candidate under each (one vectorised kernel call per chunk), rank them,
  count. Each row of :attr:`SensitivityResult.acceptability` sums to 1.
* **p_top(k)** (入围概率): ``sum_{r<=k} b_i^r``, the probability of being in the top ``k`` — of
  making a catalogue of ``k`` projects.
* **central weight vector** ``w_i^c`` (中心权重): the mean of the weight vectors under which ``i``
  ranks first — the "typical" preferences that favour ``i``. ``NaN`` when ``i`` never ranks first.
* **confidence factor** ``p_i^c`` (置信因子): in SMAA-2, the probability that ``i`` ranks first when
  the weights are fixed at its central weight vector and the criteria values are uncertain.
  *Definition used here.* The wide matrix holds exact (aggregated) values, so by default
  (``value_sd=None``) the confidence factor is the indicator 1.0 / 0.0 of ``i`` ranking first
  (possibly tied) at its own central weights with the values as given. When the panel's
  uncertainty is known, pass ``value_sd`` (a standard deviation per cell or one for all, e.g. the
  standard error of the aggregated score): the factor is then the share of ``value_samples`` draws
  ``X + N(0, value_sd)`` (cells independent) in which ``i`` ranks first at its central weights —
  the SMAA-2 definition with Gaussian criteria values. ``NaN`` when ``i`` has no central weights.

Weight distributions
--------------------
* ``spread=None``: uniform on the simplex, ``Dirichlet(1, ..., 1)`` — "no preference information"
  (the given ``weights`` are only used for :attr:`SensitivityResult.reference_rank`).
* ``spread=s`` with ``0 < s <= 1``: "around the given weights": each weight is multiplied by an
  independent ``Uniform(1 - s, 1 + s)`` factor and the vector renormalised to sum 1 (``s = 0.2``
  means "each weight may be off by up to ±20 % before renormalising").

Ranks and ties
--------------
Ranks follow :mod:`scoring.engine.ranking.ties` exactly: standard competition ranking ("1224"), two
scores tied when ``|a - b| <= rtol * max(|a|, |b|, 1)``, a tie group anchored on its best score.
Per sample one ``argsort`` along the candidate axis gives the order; sorted neighbours are checked
for ties (a cheap per-row test first); rows with ties get group ranks vectorised, and only rows
where a chain of near-ties would drift beyond the anchor tolerance fall back to a per-row loop.
With tied first places every tied candidate counts as first (for acceptability, central weights
and confidence), so the columns of the acceptability matrix need not sum to 1, the rows always do.

Memory and speed
----------------
Weight vectors are all drawn up front (``samples x m`` floats, so results do not depend on the
chunking); scores are computed by one kernel call per chunk of ``chunk_size`` samples, by default
``max(1, CHUNK_ELEMENTS // n)`` with ``CHUNK_ELEMENTS = 5_000_000`` (40 MB of float64 scores),
and ranked in sub-chunks of ``RANK_ELEMENTS = 1_000_000`` scores (8 MB; about 3 such work arrays
alive at once), so memory stays under ~70 MB for any ``n`` and ``samples``. 10,000 samples x 500
candidates thus make 1 kernel call and 5 ranking steps of 2,000 samples. Few, large kernel calls
matter: a multi-threaded BLAS pays a start-up cost per matrix product, which many small products
multiply (badly so on a busy machine). Per ranking step: one in-place sort of packed
integer keys (the sort order and the candidate index in one 64-bit word; NumPy sorts integers with
SIMD, while ``argsort`` has no SIMD path), a tie screen on sorted neighbours, and one ``bincount``
of the (candidate, rank) cells. ``benchmarks/bench_sensitivity.py`` measures it against the
NumPy floor (one matrix product plus one ``argsort``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .criteria import validate_objectives, validate_weights
from .validation import validate_matrix

__all__ = [
    "CHUNK_ELEMENTS",
    "RANK_ELEMENTS",
    "RTOL",
    "ScoreKernel",
    "SensitivityResult",
    "batch_competition_ranks",
    "resolve_method",
    "sensitivity",
]

#: Scores computed per kernel call (samples x candidates, float64: 40 MB); bounds memory.
CHUNK_ELEMENTS = 5_000_000
#: Scores ranked at a time within a kernel chunk (8 MB: the sort and counting stay in cache).
RANK_ELEMENTS = 1_000_000
#: Relative tie tolerance, the same as :func:`scoring.engine.ranking.ties.competition_rank`.
RTOL = 1e-9

#: Column labels of :meth:`SensitivityResult.summary` (Chinese first, English available).
SUMMARY_LABELS: dict[str, tuple[str, str]] = {
    "reference_rank": ("给定权重下排名", "Rank at given weights"),
    "p_first": ("排名第一概率", "P(rank 1)"),
    "p_top": ("入围概率", "P(top k)"),
    "expected_rank": ("期望排名", "Expected rank"),
    "confidence": ("置信因子", "Confidence factor"),
}


@runtime_checkable
class ScoreKernel(Protocol):
    """What :func:`sensitivity` needs from a ranking method (``scoring.engine.ranking.METHODS[name]``).

    ``score_batch(X (n, m), W (s, m), minimise (m,) bool) -> (s, n)`` scores every candidate under
    every weight vector; ``higher_is_better`` tells the direction of the score.
    """

    higher_is_better: bool

    def score_batch(self, X: np.ndarray, W: np.ndarray, minimise: np.ndarray) -> np.ndarray: ...


def resolve_method(method: str | ScoreKernel) -> tuple[str, ScoreKernel]:
    """Look up a method name in ``scoring.engine.ranking.METHODS``, or accept a kernel object.

    Returns
    -------
    (name, kernel)

    Raises
    ------
    InputError
        Unknown method name (the known ones are listed), or an object that is not a kernel.
    """
    if isinstance(method, str):
        try:
            from .ranking import METHODS
        except ImportError as exc:  # the registry is part of the package; say so plainly
            raise InputError(
                [
                    Problem(
                        f"ranking methods are unavailable ({exc}); cannot use method '{method}'",
                        column="method",
                    )
                ]
            ) from exc
        if method not in METHODS:
            raise InputError(
                [
                    Problem(
                        f"unknown method '{method}' (known: {', '.join(sorted(METHODS))})",
                        column="method",
                    )
                ]
            )
        return method, METHODS[method]
    if hasattr(method, "score_batch") and hasattr(method, "higher_is_better"):
        name = getattr(method, "name", None) or type(method).__name__
        return str(name), method
    raise InputError(
        [
            Problem(
                f"method must be a name or a kernel with score_batch, got {type(method).__name__}",
                column="method",
            )
        ]
    )


# --------------------------------------------------------------------------- ranking kernel


def _anchored_row(keys: np.ndarray, rtol: float) -> np.ndarray:
    """0-based competition rank of each *sorted* position of one row (anchored tie groups)."""
    out = np.empty(keys.size, dtype=np.int64)
    anchor, anchor_pos = keys[0], 0
    for p, x in enumerate(keys):
        if abs(x - anchor) > rtol * max(abs(x), abs(anchor), 1.0):
            anchor, anchor_pos = x, p
        out[p] = anchor_pos
    return out


_SIGN = np.uint64(1 << 63)
#: Largest index width packed into the low bits of a sort key (above it: plain argsort).
_MAX_INDEX_BITS = 20


def _pack(S: np.ndarray, bits: int, descending: bool) -> np.ndarray:
    """Sortable uint64 keys: the score order in the high bits, the column index in the low bits.

    Float64 -> uint64 with the same order: set the sign bit of non-negative numbers, flip every bit
    of negative ones; for a descending order flip every bit of that. The ``bits`` lowest bits (a
    relative change below ``2**(bits - 52)``, far under the tie tolerance) are then replaced by the
    candidate's column, so one plain sort of the keys yields both the order and (up to that
    truncation) the sorted scores — several times faster than ``argsort``, which has no SIMD path.
    """
    u = S.view(np.uint64)
    t = u >> np.uint64(63)  # 1 for negative numbers
    if descending:  # key = ~ordered(x) = u ^ ((sign - 1) & ~SIGN)
        t -= np.uint64(1)
        t &= ~_SIGN
    else:  # key = ordered(x) = u ^ ((0 - sign) | SIGN)
        np.negative(t, out=t)
        t |= _SIGN
    t ^= u
    t &= ~np.uint64((1 << bits) - 1)
    t |= np.arange(S.shape[1], dtype=np.uint64)
    return t


def _unpack(t: np.ndarray, bits: int, descending: bool) -> np.ndarray:
    """Float sort keys (``-score`` when descending), with the ``bits`` low bits cleared."""
    hi = t & ~np.uint64((1 << bits) - 1)
    x = hi >> np.uint64(63)  # 1 where the key is >= 0
    x -= np.uint64(1)  # 0 for non-negative keys, all ones for negative keys
    x |= _SIGN
    hi ^= x
    return hi.view(np.float64)


def _sorted_ranks(
    S: np.ndarray, higher_is_better: bool, rtol: float = RTOL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order and 0-based competition ranks of the rows of ``S`` (s, n) that have ties.

    Returns ``(order, rows, r0)``: ``order[k, p]`` (int64, C-contiguous, owned by the caller) is
    the candidate in place ``p`` (best first) of sample ``k``; in every sample not listed in
    ``rows`` the 0-based rank of place ``p`` is ``p``; for ``rows[i]`` it is ``r0[i, p]``.

    Method: one in-place sort of packed keys (:func:`_pack`) along the candidate axis; a screen on
    sorted neighbours flags the rows that may hold a tie (its slack covers the truncation of the
    packed keys); flagged rows are re-sorted exactly (stable ``argsort`` of the true scores, as
    :func:`scoring.engine.ranking.ties.competition_rank` does) and get anchored tie groups. When every
    score has magnitude >= 1 the screen works on the integer keys directly (a relative tolerance
    is a bounded number of float steps); otherwise on the unpacked float keys.
    """
    S = np.ascontiguousarray(S, dtype=np.float64)
    s, n = S.shape
    bits = max(1, int(n - 1).bit_length())
    no_rows = np.zeros(0, dtype=np.intp)
    if n < 2:
        return np.zeros((s, n), dtype=np.int64), no_rows, np.zeros((0, n), dtype=np.intp)
    key = None
    if bits > _MAX_INDEX_BITS or rtol < 1e-10:  # truncation would not be negligible: plain sort
        key = -S if higher_is_better else S
        order = np.argsort(key, axis=1, kind="stable").astype(np.int64, copy=False)
        sk = np.take_along_axis(key, order, axis=1)
        flagged = np.diff(sk, axis=1).min(axis=1) <= rtol * np.maximum(
            np.maximum(np.abs(sk[:, 0]), np.abs(sk[:, -1])), 1.0
        )
    else:
        t = _pack(S, bits, higher_is_better)
        t.sort(axis=1)
        lo, hi = float(S.min()), float(S.max())
        if lo >= 1.0 or hi <= -1.0:
            # |x| >= 1 everywhere and one sign: |a - b| <= rtol * max(|a|, |b|) spans at most
            # rtol * 2**53 * (1 + rtol) float steps; the packed index adds < 2**bits.
            steps = np.uint64(int(rtol * 2.0**53 * 1.001) + (2 << bits))
            flagged = np.diff(t, axis=1).min(axis=1) <= steps
        else:
            sk = _unpack(t, bits, higher_is_better)
            slack = 2.0 ** (bits - 50)  # > twice the relative truncation of a packed key
            flagged = np.diff(sk, axis=1).min(axis=1) <= (rtol + slack) * np.maximum(
                np.maximum(np.abs(sk[:, 0]), np.abs(sk[:, -1])), 1.0
            )
        t &= np.uint64((1 << bits) - 1)
        order = t.view(np.int64)
    rows = np.nonzero(flagged)[0]
    if rows.size == 0:
        return order, no_rows, np.zeros((0, n), dtype=np.intp)
    key_rows = -S[rows] if higher_is_better else S[rows]
    exact = np.argsort(key_rows, axis=1, kind="stable")
    order[rows] = exact
    x = np.take_along_axis(key_rows, exact, axis=1)
    g = np.diff(x, axis=1)
    tied = g <= rtol * np.maximum(np.maximum(np.abs(x[:, 1:]), np.abs(x[:, :-1])), 1.0)
    pos = np.arange(n)
    start = np.where(np.concatenate([np.zeros((rows.size, 1), bool), tied], axis=1), 0, pos)
    start = np.maximum.accumulate(start, axis=1)
    # The anchored rule joins place p to the group before it iff x[p] is within tolerance of that
    # group's anchor; where this differs from the adjacent test for some p (a chain of near-ties
    # drifting away from its anchor), recompute that row with the anchored rule itself.
    prev_anchor = np.take_along_axis(x, start[:, :-1], axis=1)
    rest = x[:, 1:]
    joins = np.abs(rest - prev_anchor) <= rtol * np.maximum(
        np.maximum(np.abs(rest), np.abs(prev_anchor)), 1.0
    )
    for i in np.nonzero((joins != tied).any(axis=1))[0]:
        start[i] = _anchored_row(x[i], rtol)
    return order, rows, start


def batch_competition_ranks(
    S: np.ndarray, *, higher_is_better: bool, rtol: float = RTOL
) -> np.ndarray:
    """Competition ranks ("1224", 1 = best) of every row of ``S`` (s, n), vectorised.

    Same rule as :func:`scoring.engine.ranking.ties.competition_rank` applied to each row.

    Raises
    ------
    ValueError
        When a value is not finite.
    """
    S = np.atleast_2d(np.asarray(S, dtype=float))
    if not np.isfinite(S).all():
        raise ValueError("batch_competition_ranks needs finite values")
    order, rows, r0 = _sorted_ranks(S, higher_is_better, rtol)
    rank_at_pos = np.broadcast_to(np.arange(S.shape[1]), S.shape).copy()
    rank_at_pos[rows] = r0
    ranks = np.empty(S.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, rank_at_pos + 1, axis=1)
    return ranks


# --------------------------------------------------------------------------- result


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


# --------------------------------------------------------------------------- validation


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _collect(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, list[Problem]]:
    try:
        return fn(*args, **kwargs), []
    except InputError as exc:
        return None, list(exc.problems)


def _validate(
    matrix: Any,
    weights: Any,
    objectives: Any,
    method: Any,
    samples: Any,
    seed: Any,
    spread: Any,
    value_sd: Any,
    value_samples: Any,
    chunk_size: Any,
) -> tuple[pd.DataFrame, dict[str, float], dict[str, str], str, ScoreKernel, np.ndarray | None]:
    problems: list[Problem] = []
    X, p = _collect(validate_matrix, matrix)
    problems += p
    # Weights and objectives are checked against the columns even when some cells are bad.
    has_cols = isinstance(matrix, pd.DataFrame)
    keys: tuple[str, ...] = tuple(str(c) for c in matrix.columns) if has_cols else ()
    if has_cols and not keys:
        problems.append(Problem("the matrix has no criterion columns"))
    w = o = None
    if not isinstance(weights, Mapping):
        problems.append(
            Problem(f"weights must be a mapping, got {type(weights).__name__}", column="weights")
        )
    elif has_cols:
        w, p = _collect(validate_weights, weights, keys)
        problems += p
    if not isinstance(objectives, Mapping):
        problems.append(
            Problem(
                f"objectives must be a mapping, got {type(objectives).__name__}",
                column="objectives",
            )
        )
    elif has_cols:
        o, p = _collect(validate_objectives, objectives, keys)
        problems += p
    resolved, p = _collect(resolve_method, method)
    problems += p
    if not _is_int(samples) or samples < 1:
        problems.append(
            Problem(f"samples must be an integer >= 1, got {samples!r}", column="samples")
        )
    if not _is_int(seed) or seed < 0:
        problems.append(Problem(f"seed must be an integer >= 0, got {seed!r}", column="seed"))
    if spread is not None:
        ok = isinstance(spread, (int, float, np.floating)) and not isinstance(spread, bool)
        if not ok or not math.isfinite(float(spread)) or not 0 < float(spread) <= 1:
            problems.append(
                Problem(
                    f"spread must be None or a number in (0, 1], got {spread!r}", column="spread"
                )
            )
    if chunk_size is not None and (not _is_int(chunk_size) or chunk_size < 1):
        problems.append(
            Problem(
                f"chunk_size must be None or an integer >= 1, got {chunk_size!r}",
                column="chunk_size",
            )
        )
    if not _is_int(value_samples) or value_samples < 1:
        problems.append(
            Problem(
                f"value_samples must be an integer >= 1, got {value_samples!r}",
                column="value_samples",
            )
        )
    sd = None
    if value_sd is not None and X is not None:
        sd, p = _value_sd(value_sd, X)
        problems += p
    if resolved is not None and X is not None and o is not None:
        check = getattr(resolved[1], "problems", None)
        if callable(check):
            minimise = np.array([o[k] == "min" for k in keys])
            problems += list(check(X.to_numpy(), minimise, list(keys)))
    if problems:
        raise InputError(problems)
    assert X is not None and w is not None and o is not None and resolved is not None
    return X, w, o, resolved[0], resolved[1], sd


def _value_sd(value_sd: Any, X: pd.DataFrame) -> tuple[np.ndarray | None, list[Problem]]:
    if isinstance(value_sd, pd.DataFrame):
        if set(value_sd.index) != set(X.index) or set(value_sd.columns) != set(X.columns):
            return None, [
                Problem("value_sd must have the matrix's index and columns", column="value_sd")
            ]
        sd_df, problems = _collect(validate_matrix, value_sd.loc[X.index, X.columns])
        if problems:
            return None, [Problem(f"value_sd: {p}", row=p.row, column=p.column) for p in problems]
        sd = sd_df.to_numpy()
    elif isinstance(value_sd, (int, float, np.floating)) and not isinstance(value_sd, bool):
        if not math.isfinite(float(value_sd)):
            return None, [Problem(f"value_sd must be finite, got {value_sd!r}", column="value_sd")]
        sd = np.full(X.shape, float(value_sd))
    else:
        return None, [
            Problem(
                f"value_sd must be a number or a DataFrame, got {type(value_sd).__name__}",
                column="value_sd",
            )
        ]
    if (sd < 0).any():
        return None, [Problem("value_sd must be >= 0", column="value_sd")]
    return sd, []


# --------------------------------------------------------------------------- main entry


def _scores(
    kernel: ScoreKernel, X: np.ndarray, W: np.ndarray, minimise: np.ndarray, name: str
) -> np.ndarray:
    S = np.asarray(kernel.score_batch(X, W, minimise), dtype=float)
    if S.shape != (W.shape[0], X.shape[0]):
        raise ValueError(
            f"method '{name}' returned scores of shape {S.shape}, "
            f"expected {(W.shape[0], X.shape[0])}"
        )
    if not np.isfinite(S).all():
        raise ValueError(f"method '{name}' returned non-finite scores")
    return S


def _draw_weights(
    rng: np.random.Generator, w: np.ndarray, samples: int, spread: float | None
) -> np.ndarray:
    if spread is None:
        return rng.dirichlet(np.ones(w.size), size=samples)
    W = w[None, :] * rng.uniform(1.0 - spread, 1.0 + spread, size=(samples, w.size))
    W /= W.sum(axis=1, keepdims=True)
    return W


def sensitivity(
    matrix: pd.DataFrame,
    *,
    weights: Mapping[str, float],
    objectives: Mapping[str, str],
    method: str | ScoreKernel = "weighted_sum",
    samples: int = 10_000,
    seed: int = 0,
    spread: float | None = None,
    value_sd: float | pd.DataFrame | None = None,
    value_samples: int = 1_000,
    chunk_size: int | None = None,
) -> SensitivityResult:
    """SMAA-2 rank acceptability, central weights and confidence factors (Monte Carlo).

    Parameters
    ----------
    matrix : DataFrame
        Wide decision matrix: index = candidates, one numeric column per criterion.
    weights : mapping
        Criterion -> weight (> 0; normalised here). The centre of the distribution when
        ``spread`` is given; otherwise used only for :attr:`SensitivityResult.reference_rank`.
    objectives : mapping
        Criterion -> ``"max"`` or ``"min"``.
    method : str or ScoreKernel
        A key of ``scoring.engine.ranking.METHODS`` or an object with ``score_batch`` and
        ``higher_is_better``.
    samples : int
        Weight vectors drawn (Monte Carlo error of an index ``b`` is about
        ``sqrt(b (1 - b) / samples)``, at most 0.005 for 10,000).
    seed : int
        Seed for ``numpy.random.default_rng``: same inputs and seed, same result.
    spread : float, optional
        ``None``: weights uniform on the simplex (Dirichlet(1, ..., 1)). A number ``s`` in
        ``(0, 1]``: each given weight times ``Uniform(1 - s, 1 + s)``, renormalised.
    value_sd : float or DataFrame, optional
        Standard deviation of the criteria values for the confidence factor (see the module
        docstring). ``None``: exact values.
    value_samples : int
        Draws of the criteria values for the confidence factor when ``value_sd`` is given.
    chunk_size : int, optional
        Samples per kernel call; default ``max(1, CHUNK_ELEMENTS // n)`` (see "Memory and speed").

    Returns
    -------
    SensitivityResult

    Raises
    ------
    InputError
        Listing every problem at once: bad matrix cells, weights (unknown / missing / <= 0),
        objectives, unknown method, the method's own input problems, bad samples / seed / spread.
    """
    X_df, w_map, o_map, name, kernel, sd = _validate(
        matrix,
        weights,
        objectives,
        method,
        samples,
        seed,
        spread,
        value_sd,
        value_samples,
        chunk_size,
    )
    keys = tuple(str(c) for c in X_df.columns)
    X = X_df.to_numpy(dtype=float)
    n, m = X.shape
    w = np.array([w_map[k] for k in keys])
    minimise = np.array([o_map[k] == "min" for k in keys])
    hib = bool(kernel.higher_is_better)
    spread_f = None if spread is None else float(spread)

    rng = np.random.default_rng(int(seed))
    W = _draw_weights(rng, w, int(samples), spread_f)
    chunk = int(chunk_size) if chunk_size is not None else max(1, CHUNK_ELEMENTS // n)
    chunk = min(chunk, int(samples))

    counts = np.zeros(n * n, dtype=np.int64)
    first_w = np.zeros((n, m))
    pos = np.arange(n)
    tied_samples = 0
    sub = max(1, min(chunk, RANK_ELEMENTS // n))
    for lo in range(0, int(samples), chunk):
        S_all = _scores(kernel, X, W[lo : lo + chunk], minimise, name)
        for a in range(0, S_all.shape[0], sub):
            Wc = W[lo + a : lo + a + sub]
            order, rows, r0 = _sorted_ranks(S_all[a : a + sub], hib)
            firsts = order[:, 0].copy()
            if rows.size:
                tied_samples += int((r0[:, 1:] == r0[:, :-1]).any(axis=1).sum())
                extra_k, extra_p = np.nonzero(r0[:, 1:] == 0)  # also tied for first place
                extra = order[rows[extra_k], extra_p + 1]
            # flat (candidate, rank) cell of every (sample, place), in place on ``order``
            idx = order
            idx *= n
            idx += pos
            if rows.size:
                idx[rows] += r0 - pos
            counts += np.bincount(idx.ravel(), minlength=n * n)
            for j in range(m):
                first_w[:, j] += np.bincount(firsts, weights=Wc[:, j], minlength=n)
            if rows.size:
                for j in range(m):
                    first_w[:, j] += np.bincount(extra, weights=Wc[rows[extra_k], j], minlength=n)
        del S_all
    counts = counts.reshape(n, n)

    n_first = counts[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        central = np.where(n_first[:, None] > 0, first_w / n_first[:, None], np.nan)

    has = n_first > 0
    confidence = np.full(n, np.nan)
    if has.any():
        idx = np.nonzero(has)[0]
        Wcen = central[idx]
        if sd is None:
            draws, n_draws = [X], 1
        else:
            n_draws = int(value_samples)
            draws = (X + rng.normal(0.0, 1.0, size=X.shape) * sd for _ in range(n_draws))
        hits = np.zeros(idx.size)
        rows = np.arange(idx.size)
        for Xd in draws:
            ranks = batch_competition_ranks(
                _scores(kernel, Xd, Wcen, minimise, name), higher_is_better=hib
            )
            hits += ranks[rows, idx] == 1
        confidence[idx] = hits / n_draws

    reference = batch_competition_ranks(
        _scores(kernel, X, w[None, :], minimise, name), higher_is_better=hib
    )[0]

    return SensitivityResult(
        candidates=tuple(X_df.index),
        criteria=keys,
        method=name,
        samples=int(samples),
        seed=int(seed),
        spread=spread_f,
        weights=MappingProxyType(dict(w_map)),
        objectives=MappingProxyType(dict(o_map)),
        chunk_size=chunk,
        tied_samples=tied_samples,
        value_sd=None if sd is None else float(sd.max()),
        value_samples=0 if sd is None else int(value_samples),
        index_name=X_df.index.name,
        _counts=_frozen(counts),
        _central=_frozen(central),
        _confidence=_frozen(confidence),
        _reference=_frozen(reference),
    )
