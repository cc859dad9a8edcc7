"""Validation of the long score table and of wide decision matrices.

Nothing is silently coerced or dropped: every problem is collected and raised at once as an
:class:`~scoring.errors.InputError` naming the row (index label) and the column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_complex_dtype, is_numeric_dtype

from ..errors import InputError, Problem
from .criteria import default_criteria

SCORE_COLUMNS = ("project_id", "expert_id", "criterion", "score")
#: The long score table's columns as a user sees them: key -> (中文, English).
SCORE_LABELS: dict[str, tuple[str, str]] = {
    "project_id": ("项目编号", "project_id"),
    "expert_id": ("专家编号", "expert_id"),
    "criterion": ("评分指标", "criterion"),
    "score": ("分数", "score"),
    "project_id/expert_id/criterion": ("项目、专家与指标", "project_id/expert_id/criterion"),
}
R = TypeVar("R")


def _expected_frame(value: Any) -> Problem:
    name = type(value).__name__
    return Problem(f"应为 DataFrame 表格，实为 {name} / expected a DataFrame, got {name}")


def criterion_label(key: Any) -> tuple[str, str] | None:
    """``(中文, English)`` names of a criterion of a registered set, None when it is none."""
    from .criteria import criteria_set, registered

    for name in registered():
        for c in criteria_set(name).criteria:
            if c.key == key:
                return c.zh, c.en
    return None


def validate_scores(
    scores: pd.DataFrame,
    *,
    criteria: Iterable[str] | None = None,
    projects: Iterable[str] | None = None,
    experts: Iterable[str] | None = None,
    scale: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Check a long score table and return a clean copy.

    Parameters
    ----------
    scores : DataFrame
        Columns ``project_id``, ``expert_id``, ``criterion``, ``score``; one row per
        (project, expert, criterion). A recused or missing score is simply absent.
    criteria : iterable of str, optional
        Known criterion keys; default those of :func:`~scoring.engine.criteria.default_criteria`.
    projects, experts : iterable of str, optional
        When given, every ``project_id`` / ``expert_id`` must be among them.
    scale : (float, float), optional
        Inclusive bounds of a valid score; default the scale of the default criteria set.

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
        raise InputError([_expected_frame(scores)])
    missing = [c for c in SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise InputError(
            [
                Problem("缺少必填列 / required column is missing", column=c, label=SCORE_LABELS[c])
                for c in missing
            ]
        )
    problems: list[Problem] = []
    if criteria is None or scale is None:
        default = default_criteria()
        criteria = default.keys if criteria is None else criteria
        scale = default.scale if scale is None else scale
    known_criteria = set(criteria)
    known_projects = None if projects is None else {str(p) for p in projects}
    known_experts = None if experts is None else {str(e) for e in experts}
    lo, hi = scale

    df = scores.loc[:, list(SCORE_COLUMNS)].copy()
    ids: dict[str, pd.Series] = {}
    for col in ("project_id", "expert_id", "criterion"):
        ids[col] = df[col].astype("string").str.strip()
        blank = _mask(df[col].isna() | (ids[col] == ""))
        problems += [
            Problem("值为空 / value is empty", row=i, column=col, label=SCORE_LABELS[col])
            for i in df.index[blank]
        ]
        df[col] = ids[col].astype(object)

    unknown: list[tuple[str, set[str] | None, Callable[[str], str]]] = [
        (
            "criterion",
            known_criteria,
            lambda v: (
                f"未知的评分指标“{v}”（已知：{'、'.join(sorted(known_criteria))}） / "
                f"unknown criterion '{v}' (known: {', '.join(sorted(known_criteria))})"
            ),
        ),
        ("project_id", known_projects, lambda v: f"未知的项目“{v}” / unknown project '{v}'"),
        ("expert_id", known_experts, lambda v: f"未知的专家“{v}” / unknown expert '{v}'"),
    ]
    for col, known, message in unknown:
        if known is None:
            continue
        value = ids[col].fillna("")
        bad = _mask((value != "") & ~value.isin([k for k in known if isinstance(k, str)]))
        for i, v in zip(df.index[bad], value[bad], strict=True):
            problems.append(Problem(message(v), row=i, column=col, label=SCORE_LABELS[col]))

    numeric = pd.to_numeric(df["score"], errors="coerce")
    at = {"column": "score", "label": SCORE_LABELS["score"]}
    for idx, raw, val in _score_suspects(df["score"], numeric, lo, hi):
        shown = plain_scalar(raw)
        if raw is None or (isinstance(raw, float) and np.isnan(raw)) or raw is pd.NA:
            problems.append(Problem("分数缺失（NaN） / score is missing (NaN)", row=idx, **at))
        elif isinstance(raw, bool) or pd.isna(val):
            problems.append(
                Problem(f"分数“{shown}”不是数字 / score {shown!r} is not a number", row=idx, **at)
            )
        elif not np.isfinite(val):
            problems.append(
                Problem(f"分数“{shown}”不是有限数 / score {shown!r} is not finite", row=idx, **at)
            )
        elif not lo <= val <= hi:
            problems.append(
                Problem(
                    f"分数 {val:g} 超出评分范围 {lo:g}–{hi:g} / "
                    f"score {val:g} is outside the scale {lo:g}–{hi:g}",
                    row=idx,
                    **at,
                )
            )

    key = ["project_id", "expert_id", "criterion"]
    dup = df.duplicated(subset=key, keep=False)
    if dup.any():
        for _, grp in df[dup].groupby(key, sort=False):
            rows = list(grp.index)
            p, e, c = grp.iloc[0][key]
            col = "project_id/expert_id/criterion"
            problems.append(
                Problem(
                    f"项目“{p}”、专家“{e}”、指标“{c}”的分数重复（第 {'、'.join(map(str, rows))} 行） / "
                    f"duplicate score for project '{p}', expert '{e}', criterion '{c}' "
                    f"(rows {', '.join(map(str, rows))})",
                    row=rows[0],
                    column=col,
                    label=SCORE_LABELS[col],
                )
            )
    if problems:
        raise InputError(problems)
    df["score"] = numeric.astype(float)
    return df


def _mask(mask: pd.Series) -> np.ndarray:
    """A boolean Series as a plain array (NA counts as False), for positional selection."""
    return mask.to_numpy(dtype=bool, na_value=False)


def _score_suspects(
    raw: pd.Series, numeric: pd.Series, lo: float, hi: float
) -> Iterator[tuple[Any, Any, Any]]:
    """``(label, raw, numeric)`` of every row whose score may be bad, in row order.

    A finite number within the scale is fine unless it was a ``bool``; only the other rows are
    judged one by one (they are few), so the per-row rules above stay the single definition.
    """
    val = numeric.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        suspect = ~(np.isfinite(val) & (val >= lo) & (val <= hi))
    if raw.dtype == object:
        suspect |= raw.map(lambda v: isinstance(v, bool)).to_numpy(dtype=bool)
    elif not is_numeric_dtype(raw.dtype) or is_bool_dtype(raw.dtype) or is_complex_dtype(raw.dtype):
        suspect[:] = True  # iterating such a column may give bools: judge every row
    pos = np.flatnonzero(suspect)
    return zip(raw.index[pos], raw.iloc[pos], numeric.iloc[pos], strict=True)


def validate_matrix(
    matrix: pd.DataFrame,
    *,
    criteria: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Check a wide decision matrix (index: candidates, columns: criteria) is finite and numeric.

    Returns a float copy. Raises :class:`InputError` naming every bad cell or column.
    """
    if not isinstance(matrix, pd.DataFrame):
        raise InputError([_expected_frame(matrix)])
    problems: list[Problem] = []
    if matrix.shape[0] == 0:
        problems.append(Problem("决策矩阵中没有项目 / the matrix has no candidates"))
    if criteria is not None:
        crit = list(criteria)
        for c in crit:
            if c not in matrix.columns:
                problems.append(
                    Problem(
                        "缺少该指标列 / criterion column is missing",
                        column=str(c),
                        label=criterion_label(c),
                    )
                )
        for c in matrix.columns:
            if c not in crit:
                problems.append(
                    Problem(f"未知的评分指标“{c}” / unknown criterion '{c}'", column=str(c))
                )
    if matrix.index.has_duplicates:
        for label in matrix.index[matrix.index.duplicated()].unique():
            problems.append(
                Problem(
                    f"项目“{label}”出现不止一次 / candidate '{label}' appears more than once",
                    row=label,
                )
            )
    if problems:
        raise InputError(problems)
    out = matrix.apply(pd.to_numeric, errors="coerce").astype(float)
    bad = ~np.isfinite(out.to_numpy())
    if bad.any():
        for i, j in zip(*np.nonzero(bad), strict=True):
            value = plain_scalar(matrix.iat[i, j])
            problems.append(
                Problem(
                    f"值“{value}”不是有限数 / value {value!r} is not a finite number",
                    row=matrix.index[i],
                    column=str(matrix.columns[j]),
                    label=criterion_label(matrix.columns[j]),
                )
            )
        raise InputError(problems)
    return out


def plain_scalar(value: Any) -> Any:
    """A NumPy scalar as the Python scalar it holds (so messages say ``nan``, not ``np.float64``)."""
    return value.item() if isinstance(value, np.generic) else value


def collect(
    problems: list[Problem], check: Callable[..., R], /, *args: Any, **kwargs: Any
) -> R | None:
    """``check(*args, **kwargs)``; on :class:`InputError` its problems go to ``problems``, giving None.

    For validators that gather every problem of several inputs before raising once.
    """
    try:
        return check(*args, **kwargs)
    except InputError as exc:
        problems += exc.problems
        return None


#: What :func:`check_mapping_keys` checks, in Chinese (the English is the ``what`` given).
_WHAT_ZH = {"weight": "权重", "objective": "方向", "value_sd": "分数标准差"}


def check_mapping_keys(mapping: Mapping[str, object], keys: Iterable[str], what: str) -> None:
    """Raise if ``mapping`` does not cover exactly ``keys``."""
    keys = list(keys)
    zh = _WHAT_ZH.get(what, what)
    problems = [
        Problem(f"{zh}对应未知的评分指标“{k}” / {what} for unknown criterion '{k}'", column=str(k))
        for k in mapping
        if k not in keys
    ]
    problems += [
        Problem(
            f"缺少该指标的{zh} / {what} of criterion '{k}' is missing",
            column=str(k),
            label=criterion_label(k),
        )
        for k in keys
        if k not in mapping
    ]
    if problems:
        raise InputError(problems)
