"""The SMAA-2 sampler: validation of its inputs, weight draws, chunked scoring and counting.

The method (definitions, weight distributions, ties, memory) is described in the package
docstring of :mod:`scoring.engine.sensitivity`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from ..criteria import validate_objectives, validate_weights
from ..validation import validate_matrix
from .kernels import ScoreKernel, resolve_method, score_checked
from .ranks import _sorted_ranks, batch_competition_ranks
from .result import SensitivityResult, _frozen

#: Scores computed per kernel call (samples x candidates, float64: 40 MB); bounds memory.
CHUNK_ELEMENTS = 5_000_000
#: Scores ranked at a time within a kernel chunk (8 MB: the sort and counting stay in cache).
RANK_ELEMENTS = 1_000_000


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
    scale: Any = None,
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
    resolved, p = _collect(resolve_method, method, scale)
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
    scale: tuple[float, float] | None = None,
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
    scale : (float, float), optional
        The criteria set's scoring scale, for a named method that inverts minimised criteria on
        it (weighted sum and product; default ``(0, 100)``), see
        :func:`~scoring.engine.sensitivity.resolve_method`.

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
        scale,
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
        S_all = score_checked(kernel, X, W[lo : lo + chunk], minimise, name)
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
                score_checked(kernel, Xd, Wcen, minimise, name), higher_is_better=hib
            )
            hits += ranks[rows, idx] == 1
        confidence[idx] = hits / n_draws

    reference = batch_competition_ranks(
        score_checked(kernel, X, w[None, :], minimise, name), higher_is_better=hib
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
