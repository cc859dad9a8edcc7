"""Comparing rankings: Kendall, Spearman and the WS coefficient (排名比较：相关与相似系数).

* Kendall's tau-b and Spearman's rho come from :func:`scipy.stats.kendalltau` and
  :func:`scipy.stats.spearmanr` (both handle tied ranks). They are symmetric and weigh every place
  alike; a constant ranking (everybody tied) gives ``NaN``.
* The **WS coefficient** of Sałabun & Urbaniak (2020, "A New Coefficient of Rankings Similarity in
  Decision-Making Problems", ICCS 2020, LNCS 12138, pp. 632–645, doi:10.1007/978-3-030-50417-5_47)
  compares a tested ranking ``y`` against a *reference* ranking ``x`` of ``N`` candidates::

      WS = 1 - sum_i 2**(-x_i) * |x_i - y_i| / max(|x_i - 1|, |x_i - N|)

  A disagreement at the top of the reference weighs most (``2**-1`` for the reference's first),
  which is what matters for a shortlist. It lies in ``[0, 1]`` for permutations, is 1 for identical
  rankings and is **not symmetric**: in :func:`compare_rankings` the ``"ws"`` frame holds
  ``WS(reference=row, tested=column)``. With one candidate it is 1.

Helpers rank a matrix under several weight sets (:func:`compare_weight_sets`) or several methods
(:func:`compare_methods`) with the ``score_batch`` kernels of :mod:`scoring.engine.ranking` and the tie
rule of :mod:`scoring.engine.ranking.ties`, then compare the rankings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError, Problem
from .criteria import validate_objectives, validate_weights
from .sensitivity import ScoreKernel, batch_competition_ranks, resolve_method
from .validation import collect, validate_matrix

R = TypeVar("R")

__all__ = [
    "DEFAULT_METHODS",
    "compare_methods",
    "compare_rankings",
    "compare_weight_sets",
    "ws_coefficient",
]

#: Methods compared by :func:`compare_methods` when none are named.
DEFAULT_METHODS = ("weighted_sum", "weighted_product", "topsis", "vikor")


def _as_rank_array(values: Any, what: str) -> tuple[np.ndarray | None, list[Problem]]:
    try:
        a = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        return None, [Problem(f"{what}: ranks must be numbers", column=what)]
    if not np.isfinite(a).all():
        return None, [Problem(f"{what}: ranks must be finite numbers", column=what)]
    return a, []


def ws_coefficient(reference_ranks: Any, other_ranks: Any) -> float:
    """WS rank similarity coefficient of ``other_ranks`` against ``reference_ranks``.

    Parameters
    ----------
    reference_ranks, other_ranks : Series or array-like
        Ranks (1 = best) of the same candidates. Two Series are aligned on their index (which must
        hold the same labels); array-likes are taken position by position.

    Returns
    -------
    float
        ``1 - sum_i 2**(-x_i) |x_i - y_i| / max(|x_i - 1|, |x_i - N|)`` (see the module docstring);
        1.0 when ``N == 1``.

    Raises
    ------
    InputError
        Different lengths or labels, non-finite values, or ranks outside ``1..N``.
    """
    problems: list[Problem] = []
    if isinstance(reference_ranks, pd.Series) and isinstance(other_ranks, pd.Series):
        if set(reference_ranks.index) != set(other_ranks.index) or (
            reference_ranks.index.has_duplicates or other_ranks.index.has_duplicates
        ):
            raise InputError(
                [Problem("the two rankings must rank the same, unique candidates", column="ranks")]
            )
        other_ranks = other_ranks.loc[reference_ranks.index]
    x, p = _as_rank_array(reference_ranks, "reference_ranks")
    problems += p
    y, p = _as_rank_array(other_ranks, "other_ranks")
    problems += p
    if x is not None and y is not None:
        if x.size != y.size:
            problems.append(
                Problem(
                    f"the rankings have different lengths ({x.size} and {y.size})", column="ranks"
                )
            )
        elif x.size == 0:
            problems.append(Problem("the rankings are empty", column="ranks"))
        else:
            n = x.size
            for what, a in (("reference_ranks", x), ("other_ranks", y)):
                bad = (a < 1) | (a > n)
                if bad.any():
                    problems.append(
                        Problem(f"{what}: {int(bad.sum())} rank(s) outside 1..{n}", column=what)
                    )
    if problems:
        raise InputError(problems)
    assert x is not None and y is not None
    n = x.size
    if n == 1:
        return 1.0
    denom = np.maximum(np.abs(x - 1.0), np.abs(x - n))
    return float(1.0 - np.sum(np.power(2.0, -x) * np.abs(x - y) / denom))


def _rank_series(name: str, ranking: Any) -> tuple[pd.Series | None, list[Problem]]:
    if isinstance(ranking, pd.DataFrame):
        if "rank" not in ranking.columns:
            return None, [Problem(f"ranking '{name}' has no 'rank' column", column="rank")]
        s = ranking["rank"]
    elif isinstance(ranking, pd.Series):
        s = ranking
    else:
        return None, [
            Problem(
                f"ranking '{name}' must be a DataFrame or a Series, got {type(ranking).__name__}"
            )
        ]
    problems: list[Problem] = []
    if s.index.has_duplicates:
        for label in s.index[s.index.duplicated()].unique():
            problems.append(
                Problem(f"ranking '{name}': candidate appears more than once", row=label)
            )
    num = pd.to_numeric(s, errors="coerce")
    for label in s.index[~np.isfinite(num.to_numpy(dtype=float, na_value=np.nan))]:
        problems.append(
            Problem(
                f"ranking '{name}': rank {s.loc[label]!r} is not a finite number",
                row=label,
                column="rank",
            )
        )
    if problems:
        return None, problems
    return num.astype(float), []


def compare_rankings(rankings: Mapping[str, pd.DataFrame | pd.Series]) -> dict[str, pd.DataFrame]:
    """Pairwise Kendall tau-b, Spearman rho and WS between named rankings of the same candidates.

    Parameters
    ----------
    rankings : mapping of str to DataFrame or Series
        Each a ranking (a DataFrame with a ``rank`` column, as :func:`scoring.rank` returns) or a
        Series of ranks, indexed by candidate. All must rank the same candidates.

    Returns
    -------
    dict
        ``"kendall"``, ``"spearman"``, ``"ws"``: square DataFrames indexed and columned by the
        ranking names. ``kendall`` and ``spearman`` are symmetric; ``ws.loc[a, b]`` is WS with
        ``a`` as the reference and ``b`` as the tested ranking.

    Raises
    ------
    InputError
        No ranking, a ranking without ranks, non-finite ranks, duplicate or differing candidates.
    """
    if not isinstance(rankings, Mapping) or not rankings:
        raise InputError([Problem("rankings must be a non-empty mapping of name to ranking")])
    problems: list[Problem] = []
    series: dict[str, pd.Series] = {}
    for name, r in rankings.items():
        s, p = _rank_series(str(name), r)
        problems += p
        if s is not None:
            series[str(name)] = s
    if series and not problems:
        names = list(series)
        ref = series[names[0]]
        for name in names[1:]:
            s = series[name]
            missing = [c for c in ref.index if c not in s.index]
            extra = [c for c in s.index if c not in ref.index]
            for c in missing:
                problems.append(
                    Problem(f"ranking '{name}' lacks candidate ranked in '{names[0]}'", row=c)
                )
            for c in extra:
                problems.append(
                    Problem(f"ranking '{name}' has a candidate missing from '{names[0]}'", row=c)
                )
    if problems:
        raise InputError(problems)
    names = list(series)
    index = series[names[0]].index
    R = {k: v.loc[index].to_numpy() for k, v in series.items()}
    k = len(names)
    kendall = np.eye(k)
    spearman = np.eye(k)
    ws = np.eye(k)
    for i in range(k):
        for j in range(k):
            a, b = R[names[i]], R[names[j]]
            if i < j:
                with np.errstate(invalid="ignore", divide="ignore"):
                    kt = _stat(stats.kendalltau, a, b)
                    sr = _stat(stats.spearmanr, a, b)
                kendall[i, j] = kendall[j, i] = kt
                spearman[i, j] = spearman[j, i] = sr
            if i != j:
                ws[i, j] = ws_coefficient(a, b)
    for i in range(k):  # a constant ranking correlates with nothing, not even itself
        if np.ptp(R[names[i]]) == 0 and len(index) > 1:
            kendall[i, i] = spearman[i, i] = np.nan
    cols = pd.Index(names, name="tested")
    idx = pd.Index(names, name="reference")
    return {
        "kendall": pd.DataFrame(kendall, index=idx, columns=cols),
        "spearman": pd.DataFrame(spearman, index=idx, columns=cols),
        "ws": pd.DataFrame(ws, index=idx, columns=cols),
    }


def _stat(fn: Any, a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(fn(a, b).statistic)


def _prepared(
    matrix: Any, objectives: Any
) -> tuple[pd.DataFrame | None, dict[str, str] | None, list[Problem]]:
    problems: list[Problem] = []
    o = None
    X = collect(problems, validate_matrix, matrix)
    if X is not None:
        if X.shape[1] == 0:
            problems.append(Problem("the matrix has no criterion columns"))
        o = _mapping_of(objectives, "objectives", validate_objectives, X, problems)
    return X, o, problems


def _mapping_of(
    value: Any, name: str, validate: Callable[..., R], X: pd.DataFrame, problems: list[Problem]
) -> R | None:
    """``validate(value, criteria of X)`` when ``value`` is a mapping; problems are collected."""
    if not isinstance(value, Mapping):
        problems.append(Problem(f"{name} must be a mapping", column=name))
        return None
    return collect(problems, validate, value, [str(c) for c in X.columns])


def _rankings_frame(
    X: pd.DataFrame, scores: dict[str, np.ndarray], directions: dict[str, bool]
) -> pd.DataFrame:
    out = {}
    for name, s in scores.items():
        out[name] = batch_competition_ranks(s[None, :], higher_is_better=directions[name])[0]
    return pd.DataFrame(out, index=X.index)


def compare_weight_sets(
    matrix: pd.DataFrame,
    weight_sets: Mapping[str, Mapping[str, float]],
    *,
    objectives: Mapping[str, str],
    method: str | ScoreKernel = "weighted_sum",
    scale: tuple[float, float] | None = None,
) -> dict[str, pd.DataFrame]:
    """Rank ``matrix`` under each named weight set with one method and compare the rankings.

    Parameters
    ----------
    matrix : DataFrame
        Wide decision matrix (candidates x criteria).
    weight_sets : mapping of str to mapping
        Name -> weights (criterion -> weight > 0, normalised here), e.g. the organizers' default
        weights, entropy weights and CRITIC weights.
    objectives : mapping
        Criterion -> ``"max"`` / ``"min"``.
    method : str or ScoreKernel
        Ranking method (a key of ``scoring.engine.ranking.METHODS``) or a kernel.
    scale : (float, float), optional
        The criteria set's scoring scale (see :func:`~scoring.engine.sensitivity.resolve_method`).

    Returns
    -------
    dict
        ``"rankings"`` (candidates x weight sets, competition ranks) plus the three frames of
        :func:`compare_rankings`.

    Raises
    ------
    InputError
        Every problem of the matrix, objectives, method and of each weight set (named).
    """
    X, o, problems = _prepared(matrix, objectives)
    resolved = collect(problems, resolve_method, method, scale)
    sets: dict[str, dict[str, float]] = {}
    if not isinstance(weight_sets, Mapping) or not weight_sets:
        problems.append(Problem("weight_sets must be a non-empty mapping of name to weights"))
    elif X is not None:
        keys = [str(c) for c in X.columns]
        for name, w in weight_sets.items():
            if not isinstance(w, Mapping):
                problems.append(Problem(f"weight set '{name}' must be a mapping", column=str(name)))
                continue
            try:
                sets[str(name)] = validate_weights(w, keys)
            except InputError as exc:
                problems += [
                    Problem(f"weight set '{name}': {p.message}", p.row, p.column)
                    for p in exc.problems
                ]
    if X is not None and o is not None and resolved is not None:
        problems += _method_problems(resolved[1], X, o)
    if problems:
        raise InputError(problems)
    assert X is not None and o is not None and resolved is not None
    keys = [str(c) for c in X.columns]
    minimise = np.array([o[k] == "min" for k in keys])
    W = np.array([[w[k] for k in keys] for w in sets.values()])
    S = np.asarray(resolved[1].score_batch(X.to_numpy(dtype=float), W, minimise), dtype=float)
    _check_scores(S, (len(sets), len(X)), resolved[0])
    hib = bool(resolved[1].higher_is_better)
    ranks = _rankings_frame(X, dict(zip(sets, S, strict=True)), dict.fromkeys(sets, hib))
    return {"rankings": ranks, **compare_rankings({c: ranks[c] for c in ranks.columns})}


def compare_methods(
    matrix: pd.DataFrame,
    *,
    weights: Mapping[str, float],
    objectives: Mapping[str, str],
    methods: Iterable[str | ScoreKernel] | Sequence[str] = DEFAULT_METHODS,
    scale: tuple[float, float] | None = None,
) -> dict[str, pd.DataFrame]:
    """Rank ``matrix`` with several methods at the same weights and compare the rankings.

    ``scale`` is the criteria set's scoring scale for the methods that invert minimised criteria
    on it (see :func:`~scoring.engine.sensitivity.resolve_method`).

    Returns
    -------
    dict
        ``"rankings"`` (candidates x methods, competition ranks) plus the three frames of
        :func:`compare_rankings`.

    Raises
    ------
    InputError
        Every problem of the matrix, weights, objectives, unknown methods and each method's own
        input problems.
    """
    X, o, problems = _prepared(matrix, objectives)
    w = None if X is None else _mapping_of(weights, "weights", validate_weights, X, problems)
    kernels: dict[str, ScoreKernel] = dict(
        r for m in methods if (r := collect(problems, resolve_method, m, scale)) is not None
    )
    if not kernels and not problems:
        problems.append(Problem("no method to compare", column="methods"))
    if X is not None and o is not None:
        for kernel in kernels.values():
            problems += _method_problems(kernel, X, o)
    if problems:
        raise InputError(problems)
    assert X is not None and o is not None and w is not None
    keys = [str(c) for c in X.columns]
    minimise = np.array([o[k] == "min" for k in keys])
    wv = np.array([[w[k] for k in keys]])
    scores: dict[str, np.ndarray] = {}
    for name, kernel in kernels.items():
        S = np.asarray(kernel.score_batch(X.to_numpy(dtype=float), wv, minimise), dtype=float)
        _check_scores(S, (1, len(X)), name)
        scores[name] = S[0]
    directions = {k: bool(v.higher_is_better) for k, v in kernels.items()}
    ranks = _rankings_frame(X, scores, directions)
    return {"rankings": ranks, **compare_rankings({c: ranks[c] for c in ranks.columns})}


def _method_problems(kernel: Any, X: pd.DataFrame, o: Mapping[str, str]) -> list[Problem]:
    check = getattr(kernel, "problems", None)
    if not callable(check):
        return []
    keys = [str(c) for c in X.columns]
    return list(check(X.to_numpy(dtype=float), np.array([o[k] == "min" for k in keys]), keys))


def _check_scores(S: np.ndarray, shape: tuple[int, int], name: str) -> None:
    if S.shape != shape:
        raise ValueError(f"method '{name}' returned scores of shape {S.shape}, expected {shape}")
    if not np.isfinite(S).all():
        raise ValueError(f"method '{name}' returned non-finite scores")
