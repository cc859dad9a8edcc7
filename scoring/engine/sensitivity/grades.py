"""SMAA for the yearly evaluation: the probability of each grade (等级可接受度).

In the yearly evaluation a project is not ranked against the others but graded on the scale
(优秀 / 良好 / 合格 / 不合格). How sure is that grade when the weights of the points are not known
exactly? Draw ``samples`` weight vectors exactly as :func:`scoring.engine.sensitivity.sensitivity`
does (``Dirichlet(1, ..., 1)`` on the simplex when ``spread`` is None, else each given weight times
``Uniform(1 - spread, 1 + spread)``, renormalised), compute every candidate's weighted total on
the scale under each (minimised criteria inverted on the scale, ``x' = lo + hi - x``, as
:mod:`scoring.engine.ranking.weighted_sum` does), grade each total as
:meth:`scoring.engine.criteria.model.CriteriaSet.grade_of` does (a grade is reached at
``total >= min - GRADE_RTOL * span``), and count.

The result is a :class:`GradeAcceptability`: ``probabilities`` (candidates x grades, highest grade
first, each row sums to 1), ``reference`` (the grade at the given weights) and
:meth:`GradeAcceptability.fragile` (the candidates whose reference grade is not sure). The Monte
Carlo error of a probability ``p`` is about ``sqrt(p (1 - p) / samples)``, at most 0.005 for
10,000 samples.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from ..criteria.model import GRADE_RTOL, Grade
from .smaa import CHUNK_ELEMENTS, _collect, _draw_weights, _validate

__all__ = ["GradeAcceptability", "grade_acceptability"]


@dataclass(frozen=True)
class GradeAcceptability:
    """The probability of each grade under weight uncertainty.

    Attributes
    ----------
    probabilities : DataFrame
        Index = candidates (the matrix's index), one column per grade key, highest grade first;
        each row sums to 1. ``attrs`` carry ``reference`` (candidate -> grade key), ``samples``,
        ``seed``, ``spread`` and ``scale``.
    reference : Series
        The grade key each candidate earns at the given weights (indexed like the matrix).
    reference_total : Series
        The weighted total at the given weights, on the scale.
    grades : tuple of Grade
        The grades, highest first.
    samples, seed : int
        Weight vectors drawn and the seed.
    spread : float or None
        ``None``: weights uniform on the simplex; else the multiplicative spread around the
        given weights.
    scale : (float, float)
        The scoring scale.
    """

    probabilities: pd.DataFrame
    reference: pd.Series
    reference_total: pd.Series
    grades: tuple[Grade, ...]
    samples: int
    seed: int
    spread: float | None
    scale: tuple[float, float]

    def reference_probability(self) -> pd.Series:
        """The probability of each candidate's reference grade.

        Returns
        -------
        Series
            Indexed like the matrix, values in [0, 1].
        """
        P = self.probabilities
        cols = [P.columns.get_loc(g) for g in self.reference]
        values = P.to_numpy()[np.arange(len(P)), cols] if len(P) else np.array([])
        return pd.Series(values, index=P.index, name="p_reference")

    def fragile(self, threshold: float = 0.2) -> list[Any]:
        """Candidates whose reference grade is not sure.

        Parameters
        ----------
        threshold : float
            A candidate is fragile when the probability of its reference grade is below
            ``1 - threshold`` (default: another grade in more than 20 % of the weight draws).

        Returns
        -------
        list
            Candidate labels in the matrix's order.
        """
        if not isinstance(threshold, (int, float)) or not 0 <= float(threshold) <= 1:
            raise InputError(
                [
                    Problem(
                        f"阈值须在 0 到 1 之间 / threshold must be in [0, 1], got {threshold!r}",
                        column="threshold",
                    )
                ]
            )
        p = self.reference_probability()
        return list(p.index[p.to_numpy() < 1.0 - float(threshold)])


def _check_grades(grades: Any, scale: tuple[float, float] | None) -> list[Problem]:
    if isinstance(grades, (str, bytes)) or not isinstance(grades, Sequence):
        return [
            Problem(
                f"等级须为 Grade 序列（最高等级在前）/ grades must be a sequence of Grade, highest "
                f"first, got {type(grades).__name__}",
                column="grades",
            )
        ]
    if not grades:
        return [Problem("等级列表为空 / grades is empty", column="grades")]
    problems: list[Problem] = []
    seen: set[str] = set()
    last_min = math.inf
    for i, g in enumerate(grades):
        col = f"grades[{i}]"
        if not isinstance(g, Grade):
            problems.append(
                Problem(
                    f"不是 Grade / not a Grade, got {type(g).__name__}",
                    column=col,
                )
            )
            continue
        if g.key in seen:
            problems.append(Problem(f"等级重复 / grade '{g.key}' appears twice", column=col))
        seen.add(g.key)
        last = i == len(grades) - 1
        if g.min is None:
            if not last:
                problems.append(
                    Problem(
                        f"只有最后一个等级可以没有下限 / only the last grade may have no min "
                        f"('{g.key}')",
                        column=col,
                    )
                )
            continue
        if last:
            problems.append(
                Problem(
                    f"最后一个等级须无下限，使每个总分都有等级 / the last grade ('{g.key}') must "
                    "have no min, so that every total earns a grade",
                    column=col,
                )
            )
        if not math.isfinite(float(g.min)) or float(g.min) >= last_min:
            problems.append(
                Problem(
                    f"等级下限须为有限数且从高到低递减 / grade minimums must be finite and "
                    f"descending, got {g.min!r} for '{g.key}'",
                    column=col,
                )
            )
        else:
            last_min = float(g.min)
            if scale is not None and not scale[0] <= float(g.min) <= scale[1]:
                problems.append(
                    Problem(
                        f"等级下限 {g.min:g} 不在评分尺度 {scale[0]:g}–{scale[1]:g} 内 / the min "
                        f"of grade '{g.key}' lies outside the scale",
                        column=col,
                    )
                )
    return problems


def _check_scale(scale: Any) -> tuple[tuple[float, float] | None, list[Problem]]:
    try:
        lo, hi = (float(x) for x in scale)
    except (TypeError, ValueError):
        lo = hi = math.nan
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi) or isinstance(scale, str):
        return None, [
            Problem(
                f"评分尺度须为 (最低, 最高) 两个有限数 / scale must be two finite numbers "
                f"(min, max) with min < max, got {scale!r}",
                column="scale",
            )
        ]
    return (lo, hi), []


def _grade_index(totals: np.ndarray, mins: np.ndarray, slack: float) -> np.ndarray:
    """Index of the grade each total earns: the number of thresholds (descending) it misses."""
    # grade k is the first with total >= min_k - slack; thresholds are descending, so the
    # thresholds missed are a prefix and their count is the grade's index (the last is open)
    return (totals[..., None] < (mins - slack)).sum(axis=-1)


def grade_acceptability(
    matrix: pd.DataFrame,
    *,
    weights: Mapping[str, float],
    objectives: Mapping[str, str],
    grades: Sequence[Grade],
    scale: tuple[float, float] = (0.0, 100.0),
    samples: int = 10_000,
    seed: int = 0,
    spread: float | None = None,
    chunk_size: int | None = None,
) -> GradeAcceptability:
    """The probability that each candidate earns each grade when the weights are uncertain.

    Parameters
    ----------
    matrix : DataFrame
        Wide matrix: index = candidates, one numeric column per criterion, values on ``scale``.
    weights : mapping
        Criterion -> weight (> 0; normalised here): the reference grade's weights and, with
        ``spread``, the centre of the draws.
    objectives : mapping
        Criterion -> ``"max"`` or ``"min"`` (minimised criteria are inverted on the scale).
    grades : sequence of Grade
        Highest first, minimums descending, the last with ``min=None`` (e.g.
        ``criteria_set("evaluation-enterprise").grades``).
    scale : (float, float)
        The scoring scale of the totals and the thresholds.
    samples : int
        Weight vectors drawn.
    seed : int
        Seed for ``numpy.random.default_rng``: same inputs and seed, same result (the draws are
        those of :func:`~scoring.engine.sensitivity.sensitivity` with the same seed).
    spread : float, optional
        ``None``: Dirichlet(1, ..., 1); ``s`` in (0, 1]: each weight times Uniform(1 - s, 1 + s).
    chunk_size : int, optional
        Samples per matrix product; default ``max(1, CHUNK_ELEMENTS // n)``.

    Returns
    -------
    GradeAcceptability
        ``probabilities`` (rows sum to 1), ``reference`` grades, ``fragile(threshold)``.

    Raises
    ------
    InputError
        Listing every problem at once: matrix cells, weights, objectives, values outside the
        scale of a minimised criterion, grades, scale, samples, seed, spread, chunk size.
    """
    problems: list[Problem] = []
    sc, p = _check_scale(scale)
    problems += p
    problems += _check_grades(grades, sc)
    checked, p = _collect(
        _validate,
        matrix,
        weights,
        objectives,
        "weighted_sum",
        samples,
        seed,
        spread,
        None,
        1,
        chunk_size,
        sc if sc is not None else (0.0, 100.0),
    )
    problems += p
    if problems:
        raise InputError(problems)
    assert sc is not None and checked is not None
    X_df, w_map, o_map, _name, kernel, _sd = checked
    keys = tuple(str(c) for c in X_df.columns)
    X = X_df.to_numpy(dtype=float)
    n = X.shape[0]
    w = np.array([w_map[k] for k in keys])
    minimise = np.array([o_map[k] == "min" for k in keys])
    Xi = kernel.inverted(X, minimise).T  # (m, n), totals = W @ Xi
    gs = tuple(grades)
    mins = np.array([float(g.min) for g in gs[:-1]])
    slack = GRADE_RTOL * (sc[1] - sc[0])
    spread_f = None if spread is None else float(spread)

    rng = np.random.default_rng(int(seed))
    W = _draw_weights(rng, w, int(samples), spread_f)
    chunk = int(chunk_size) if chunk_size is not None else max(1, CHUNK_ELEMENTS // max(n, 1))
    chunk = min(chunk, int(samples))
    k = len(gs)
    counts = np.zeros(n * k, dtype=np.int64)
    offset = np.arange(n) * k
    for lo in range(0, int(samples), chunk):
        idx = _grade_index(W[lo : lo + chunk] @ Xi, mins, slack)  # (s, n)
        idx += offset
        counts += np.bincount(idx.ravel(), minlength=n * k)
    probs = counts.reshape(n, k) / int(samples)

    ref_total = (w @ Xi) if n else np.array([])
    ref_idx = _grade_index(ref_total, mins, slack)
    keys_g = [g.key for g in gs]
    reference = pd.Series(
        [keys_g[i] for i in ref_idx], index=X_df.index, name="reference", dtype=object
    )
    P = pd.DataFrame(probs, index=X_df.index, columns=keys_g)
    P.columns.name = "grade"
    P.attrs.update(
        reference=dict(reference),
        samples=int(samples),
        seed=int(seed),
        spread=spread_f,
        scale=sc,
    )
    return GradeAcceptability(
        probabilities=P,
        reference=reference,
        reference_total=pd.Series(ref_total, index=X_df.index, name="total"),
        grades=gs,
        samples=int(samples),
        seed=int(seed),
        spread=spread_f,
        scale=sc,
    )
