"""Validation of the long score table and of wide decision matrices.

Nothing is silently coerced or dropped: every problem is collected and raised at once as an
:class:`~scoring.errors.InputError` naming the row (index label) and the column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .criteria import CRITERIA_KEYS
from .errors import InputError, Problem

SCORE_COLUMNS = ("project_id", "expert_id", "criterion", "score")


def validate_scores(
    scores: pd.DataFrame,
    *,
    criteria: Iterable[str] = CRITERIA_KEYS,
    projects: Iterable[str] | None = None,
    experts: Iterable[str] | None = None,
    scale: tuple[float, float] = (0.0, 100.0),
) -> pd.DataFrame:
    """Check a long score table and return a clean copy.

    Parameters
    ----------
    scores : DataFrame
        Columns ``project_id``, ``expert_id``, ``criterion``, ``score``; one row per
        (project, expert, criterion). A recused or missing score is simply absent.
    criteria : iterable of str
        Known criterion keys.
    projects, experts : iterable of str, optional
        When given, every ``project_id`` / ``expert_id`` must be among them.
    scale : (float, float)
        Inclusive bounds of a valid score.

    Returns
    -------
    DataFrame
        Same rows and index; ids as ``str``, ``score`` as ``float``.

    Raises
    ------
    InputError
        Listing every missing column, unknown criterion / project / expert, non-numeric, NaN
        or out-of-scale score and duplicate (project, expert, criterion) row.
    """
    if not isinstance(scores, pd.DataFrame):
        raise InputError([Problem(f"expected a DataFrame, got {type(scores).__name__}")])
    missing = [c for c in SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise InputError([Problem("required column is missing", column=c) for c in missing])
    problems: list[Problem] = []
    known_criteria = set(criteria)
    known_projects = None if projects is None else {str(p) for p in projects}
    known_experts = None if experts is None else {str(e) for e in experts}
    lo, hi = scale

    df = scores.loc[:, list(SCORE_COLUMNS)].copy()
    for col in ("project_id", "expert_id", "criterion"):
        blank = df[col].isna() | (df[col].astype("string").str.strip() == "")
        for idx in df.index[blank.to_numpy()]:
            problems.append(Problem("value is empty", row=idx, column=col))
        df[col] = df[col].astype("string").str.strip().astype(object)

    for idx, c in df["criterion"].items():
        if isinstance(c, str) and c and c not in known_criteria:
            problems.append(
                Problem(f"unknown criterion '{c}' (known: {', '.join(sorted(known_criteria))})", row=idx, column="criterion")
            )
    if known_projects is not None:
        for idx, p in df["project_id"].items():
            if isinstance(p, str) and p and p not in known_projects:
                problems.append(Problem(f"unknown project '{p}'", row=idx, column="project_id"))
    if known_experts is not None:
        for idx, e in df["expert_id"].items():
            if isinstance(e, str) and e and e not in known_experts:
                problems.append(Problem(f"unknown expert '{e}'", row=idx, column="expert_id"))

    numeric = pd.to_numeric(df["score"], errors="coerce")
    for idx, raw, val in zip(df.index, df["score"], numeric, strict=True):
        if raw is None or (isinstance(raw, float) and np.isnan(raw)) or raw is pd.NA:
            problems.append(Problem("score is missing (NaN)", row=idx, column="score"))
        elif isinstance(raw, bool) or pd.isna(val):
            problems.append(Problem(f"score {raw!r} is not a number", row=idx, column="score"))
        elif not np.isfinite(val):
            problems.append(Problem(f"score {raw!r} is not finite", row=idx, column="score"))
        elif not lo <= val <= hi:
            problems.append(Problem(f"score {val:g} is outside the scale {lo:g}–{hi:g}", row=idx, column="score"))

    key = ["project_id", "expert_id", "criterion"]
    dup = df.duplicated(subset=key, keep=False)
    if dup.any():
        for _, grp in df[dup].groupby(key, sort=False):
            rows = list(grp.index)
            p, e, c = grp.iloc[0][key]
            problems.append(
                Problem(
                    f"duplicate score for project '{p}', expert '{e}', criterion '{c}' (rows {', '.join(map(str, rows))})",
                    row=rows[0],
                    column="project_id/expert_id/criterion",
                )
            )
    if problems:
        raise InputError(problems)
    df["score"] = numeric.astype(float)
    return df


def validate_matrix(
    matrix: pd.DataFrame,
    *,
    criteria: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Check a wide decision matrix (index: candidates, columns: criteria) is finite and numeric.

    Returns a float copy. Raises :class:`InputError` naming every bad cell or column.
    """
    if not isinstance(matrix, pd.DataFrame):
        raise InputError([Problem(f"expected a DataFrame, got {type(matrix).__name__}")])
    problems: list[Problem] = []
    if matrix.shape[0] == 0:
        problems.append(Problem("the matrix has no candidates"))
    if criteria is not None:
        crit = list(criteria)
        for c in crit:
            if c not in matrix.columns:
                problems.append(Problem("criterion column is missing", column=str(c)))
        for c in matrix.columns:
            if c not in crit:
                problems.append(Problem(f"unknown criterion '{c}'", column=str(c)))
    if matrix.index.has_duplicates:
        for label in matrix.index[matrix.index.duplicated()].unique():
            problems.append(Problem(f"candidate '{label}' appears more than once", row=label))
    if problems:
        raise InputError(problems)
    out = matrix.apply(pd.to_numeric, errors="coerce").astype(float)
    bad = ~np.isfinite(out.to_numpy())
    if bad.any():
        for i, j in zip(*np.nonzero(bad), strict=True):
            problems.append(
                Problem(f"value {matrix.iat[i, j]!r} is not a finite number", row=matrix.index[i], column=str(matrix.columns[j]))
            )
        raise InputError(problems)
    return out


def check_mapping_keys(mapping: Mapping[str, object], keys: Iterable[str], what: str) -> None:
    """Raise if ``mapping`` does not cover exactly ``keys``."""
    keys = list(keys)
    problems = [Problem(f"{what} for unknown criterion '{k}'", column=str(k)) for k in mapping if k not in keys]
    problems += [Problem(f"{what} of criterion '{k}' is missing", column=str(k)) for k in keys if k not in mapping]
    if problems:
        raise InputError(problems)
