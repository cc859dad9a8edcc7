"""Weighted multi-criteria ranking of the candidates (加权多准则排序).

:func:`rank` ranks the wide matrix (index ``project_id``, one column per criterion) with one of the
methods of :data:`METHODS`, each in its own module and computed on scikit-criteria 0.10:

============================  =======================================  ================
name                          score                                    better
============================  =======================================  ================
``weighted_sum``              weighted total on the scoring scale      higher
``weighted_product``          weighted geometric mean                  higher
``topsis``                    relative closeness (Hwang & Yoon)        higher
``vikor``                     Q (Opricovic & Tzeng, v = 0.5)           lower
``moora``                     MOORA ratio-system figure                higher
============================  =======================================  ================

The 0.10 defects are handled here, not inherited: minimised criteria are inverted explicitly before
``WeightedSumModel`` / ``WeightedProductModel``; ranks always come from
:func:`scoring.engine.ranking.ties.competition_rank` on the score (scikit-criteria's ``untied_rank_``
returns positions, not ranks — its issue #56 — and is never used); a constant or all-zero criterion
drops out of the comparison instead of turning scores into NaN.

Each ``METHODS[name]`` also has ``score_batch(X, W, minimise) -> (s, n)``, a vectorised numpy
kernel giving the same scores for many weight vectors at once (used by the SMAA module).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from ..criteria import CriteriaSet, validate_objectives, validate_weights
from ..validation import collect, validate_matrix
from ._base import Method, constant_columns, with_scale
from .moora import Moora
from .ties import competition_rank, sort_order
from .topsis import Topsis
from .vikor import Vikor
from .weighted_product import WeightedProduct
from .weighted_sum import WeightedSum

__all__ = ["METHODS", "Method", "competition_rank", "get_method", "rank", "with_scale"]

#: Registry: method name -> method object (default options).
METHODS: dict[str, Method] = {
    m.name: m for m in (WeightedSum(), WeightedProduct(), Topsis(), Vikor(), Moora())
}


def get_method(method: str | Method, **options: Any) -> Method:
    """The method object for ``method`` with ``options`` applied.

    Raises
    ------
    InputError
        Unknown method name, unknown option or a bad option value — all at once.
    """
    if isinstance(method, Method):
        base = method
    elif method in METHODS:
        base = METHODS[method]
    else:
        raise InputError(
            [
                Problem(
                    f"unknown ranking method {method!r} (known: {', '.join(METHODS)})",
                    column="method",
                )
            ]
        )
    if not options:
        return base
    fields = {f.name for f in dataclasses.fields(base)}
    unknown = [k for k in options if k not in fields]
    if unknown:
        allowed = ", ".join(sorted(fields)) or "none"
        raise InputError(
            [
                Problem(
                    f"unknown option {k!r} for method '{base.name}' (allowed: {allowed})", column=k
                )
                for k in unknown
            ]
        )
    try:
        return dataclasses.replace(base, **options)
    except (TypeError, ValueError) as exc:
        raise InputError([Problem(f"bad option for method '{base.name}': {exc}")]) from exc


def rank(
    matrix: pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
    objectives: Mapping[str, str] | None = None,
    method: str | Method = "weighted_sum",
    criteria: CriteriaSet | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Rank the candidates of a wide decision matrix.

    Parameters
    ----------
    matrix : DataFrame
        Index ``project_id``, one numeric column per criterion (any criteria: those of a
        criteria set of ``data/criteria/``).
    weights : mapping, optional
        Criterion -> weight > 0; normalised to sum 1. Default the weights of ``criteria``.
    objectives : mapping, optional
        Criterion -> ``"max"`` or ``"min"``. Default the objectives of ``criteria``.
    method : str or Method
        A key of :data:`METHODS` (``weighted_sum``, ``weighted_product``, ``topsis``, ``vikor``,
        ``moora``).
    criteria : CriteriaSet, optional
        The set the matrix is scored on: its keys are the matrix's columns, its weights and
        objectives the defaults, and its scale the ``scale`` of the methods that invert minimised
        criteria on the scale (so a 0–10 set ranks as the same scores ×10 on 0–100).
    **options
        Method options: ``scale`` (weighted_sum, weighted_product; the set's scale, else
        ``(0, 100)``; ``None`` = each column's range) and ``v`` (vikor; 0.5).

    Returns
    -------
    DataFrame
        Indexed like ``matrix`` (same labels, index name kept), columns ``score`` (float, the
        method's own figure; see ``METHODS[method].higher_is_better``) and ``rank`` (int,
        1 = best, competition ranks "1224" for ties, see :mod:`scoring.engine.ranking.ties`), sorted by
        rank then project_id. ``attrs`` holds ``method``, ``higher_is_better``, ``weights``,
        ``left_out`` (criteria that were constant), ``scale`` (the scoring scale when the score
        is a total on it — weighted sum and product —, else None) and, for VIKOR,
        ``attrs["vikor"]``.

    Raises
    ------
    InputError
        Listing every problem at once: non-numeric/NaN cells, unknown or missing criteria in
        ``weights``/``objectives``, weights <= 0, unknown method or option, values a method cannot
        take.
    """
    problems: list[Problem] = []
    if criteria is not None:
        weights = criteria.weights if weights is None else weights
        objectives = criteria.objectives if objectives is None else objectives
    for name, given in (("weights", weights), ("objectives", objectives)):
        if given is None:
            problems.append(
                Problem(f"{name} are missing (give them or a criteria set)", column=name)
            )
    m = collect(problems, get_method, method, **options)
    if m is not None and criteria is not None and "scale" not in options:
        m = with_scale(m, criteria.scale)
    keys = None if criteria is None else criteria.keys
    X_df = collect(problems, validate_matrix, matrix, criteria=keys)
    columns = [str(c) for c in matrix.columns] if isinstance(matrix, pd.DataFrame) else []
    w: dict[str, float] = {}
    obj: dict[str, str] = {}
    if isinstance(matrix, pd.DataFrame) and weights is not None and objectives is not None:
        w = collect(problems, validate_weights, weights, tuple(matrix.columns)) or {}
        obj = collect(problems, validate_objectives, objectives, tuple(matrix.columns)) or {}
    if not problems and m is not None and X_df is not None:
        minimise = np.array([obj[c] == "min" for c in X_df.columns])
        problems += m.problems(X_df.to_numpy(), minimise, columns)
    if problems or m is None or X_df is None:
        raise InputError(_unique(problems))

    X = X_df.to_numpy(dtype=float)
    wv = np.array([w[c] for c in X_df.columns], dtype=float)
    minimise = np.array([obj[c] == "min" for c in X_df.columns])
    score, extra = m.evaluate(X, wv, minimise)
    score = np.asarray(score, dtype=float)
    if score.shape != (X.shape[0],) or not np.all(np.isfinite(score)):  # pragma: no cover
        raise RuntimeError(f"method {m.name} produced non-finite scores")
    ranks = competition_rank(score, higher_is_better=m.higher_is_better)
    labels = list(X_df.index)
    order = sort_order(ranks, labels)
    out = pd.DataFrame(
        {"score": score[order], "rank": ranks[order].astype(int)},
        index=X_df.index[order],
    )
    out.attrs["method"] = m.name
    out.attrs["higher_is_better"] = m.higher_is_better
    out.attrs["weights"] = dict(w)
    out.attrs["objectives"] = dict(obj)
    out.attrs["left_out"] = [columns[j] for j in np.nonzero(constant_columns(X))[0]]
    scale = getattr(m, "scale", None)
    out.attrs["scale"] = None if scale is None else (float(scale[0]), float(scale[1]))
    if m.name == "vikor":
        out.attrs["vikor"] = {
            "S": dict(zip(labels, map(float, extra["S"]), strict=True)),
            "R": dict(zip(labels, map(float, extra["R"]), strict=True)),
            "acceptable_advantage": extra["acceptable_advantage"],
            "acceptable_stability": extra["acceptable_stability"],
            "compromise_set": [labels[i] for i in extra["compromise_set"]],
        }
    return out


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, Any, Any]] = set()
    out = []
    for p in problems:
        key = (p.message, str(p.row), p.column)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
