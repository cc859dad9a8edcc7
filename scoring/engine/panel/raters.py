"""Projects x experts tables of the panel, per criterion and for the experts' weighted totals.

The complete-case rule and the overall total are described in :mod:`scoring.engine.panel`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ...errors import InputError, Problem
from ..aggregation import criteria_and_scale
from ..criteria import default_criteria, validate_objectives, validate_weights
from ..validation import validate_scores

OVERALL = "overall"


def validated(
    scores: pd.DataFrame, criteria: Any
) -> tuple[pd.DataFrame, tuple[str, ...], tuple[float, float]]:
    """The validated long table, the criterion keys and the scale of ``criteria`` (None: default)."""
    keys, scale = criteria_and_scale(criteria)
    return validate_scores(scores, criteria=keys, scale=scale), keys, scale


def _overall_spec(
    criteria: Any,
    keys: tuple[str, ...],
    weights: Mapping[str, float] | None,
    objectives: Mapping[str, str] | None,
) -> tuple[dict[str, float], dict[str, str]]:
    base_w: Mapping[str, float] | None = None
    base_o: Mapping[str, str] | None = None
    default = default_criteria()
    if hasattr(criteria, "weights") and hasattr(criteria, "objectives"):
        base_w, base_o = criteria.weights, criteria.objectives
    elif set(keys) == set(default.keys):
        base_w, base_o = default.weights, default.objectives
    w = weights if weights is not None else (base_w or dict.fromkeys(keys, 1.0))
    o = objectives if objectives is not None else (base_o or dict.fromkeys(keys, "max"))
    return validate_weights(w, keys), validate_objectives(o, list(keys))


def _rater_table(
    df: pd.DataFrame,
    criterion: str,
    keys: tuple[str, ...],
    scale: tuple[float, float],
    spec: tuple[dict[str, float], dict[str, str]] | None,
) -> pd.DataFrame:
    """Projects x experts table for ``criterion`` (or the overall weighted total), NaN = missing."""
    if criterion != OVERALL:
        sub = df[df["criterion"] == criterion]
        return sub.pivot(index="project_id", columns="expert_id", values="score")
    assert spec is not None
    weights, objectives = spec
    cube = df.pivot(index=["project_id", "expert_id"], columns="criterion", values="score")
    cube = cube.reindex(columns=list(keys))
    lo, hi = scale
    for k in keys:
        if objectives[k] == "min":
            cube[k] = lo + hi - cube[k]
    w = np.array([weights[k] for k in keys])
    vals = cube.to_numpy(dtype=float)
    total = pd.Series(vals @ w, index=cube.index)  # NaN when any criterion is missing
    return total.unstack("expert_id")


def _complete(table: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    complete = table.dropna(axis=0, how="any")
    return complete, int(len(table) - len(complete))


def rater_tables(
    scores: pd.DataFrame,
    criterion: str | None,
    criteria: Any,
    weights: Mapping[str, float] | None,
    objectives: Mapping[str, str] | None,
) -> list[tuple[str, pd.DataFrame, int]]:
    """``(criterion, complete projects x experts table, n_excluded)`` for each wanted criterion."""
    df, keys, scale = validated(scores, criteria)
    wanted = _check_criterion(criterion, keys)
    spec = _overall_spec(criteria, keys, weights, objectives) if OVERALL in wanted else None
    return [(c, *_complete(_rater_table(df, c, keys, scale, spec))) for c in wanted]


def _check_criterion(criterion: str | None, keys: tuple[str, ...]) -> list[str]:
    if criterion is None:
        return [*keys, OVERALL]
    if criterion == OVERALL or criterion in keys:
        return [criterion]
    raise InputError(
        [
            Problem(
                f"未知的评审维度 '{criterion}'（可选：{', '.join((*keys, OVERALL))}）/ unknown criterion",
                column="criterion",
            )
        ]
    )
