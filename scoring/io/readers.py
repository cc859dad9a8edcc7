"""Reading and checking the candidates, experts and scores files.

:func:`read_candidates`, :func:`read_experts` and :func:`read_scores` map Chinese headers (the
official forms) or English column names to the canonical columns of :mod:`scoring.programme.schema`,
check every cell and raise one :class:`~scoring.errors.InputError` listing every problem with file,
row and column. Nothing is silently coerced: a blank optional cell becomes missing (``NaN``/``NA``),
anything else must parse exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..engine.criteria import CriteriaSet, load_criteria
from ..engine.validation import validate_scores
from ..errors import InputError, Problem
from ..programme import schema
from ..programme.schema import field_label
from .fields import (
    _CANDIDATE_ALIASES,
    _CANDIDATE_TYPES,
    _EXPERT_ALIASES,
    _EXPERT_TYPES,
    _IGNORED,
    _INDICATOR_TYPES,
    _SCORE_ALIAS_MAP,
    SCORE_FIELDS,
    _Field,
    _indicator_of,
    _norm,
    _unquote,
)
from .tables import Limits, PathLike, read_table


def _candidate_label(key: str) -> str:
    return field_label(key, "candidates")


def _expert_label(key: str) -> str:
    return field_label(key, "experts")


def _score_label(key: str) -> str:
    return SCORE_FIELDS.get(key, key)


def _map_header(
    columns: Iterable[str],
    header_row: int,
    aliases: Mapping[str, str],
    required: Iterable[str],
    label: Callable[[str], str],
    extra: Callable[[str], str | None] | None = None,
) -> tuple[dict[str, str], list[Problem]]:
    """Map raw headers to canonical columns: {canonical: raw header}, plus problems; ``label``
    names a missing column by its header in the file being read."""
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    for col in columns:
        n = _norm(col)
        if n in _IGNORED:
            continue
        key = aliases.get(n) or (extra(col) if extra else None)
        if key is None:
            problems.append(Problem("无法识别的列 / unknown column", row=header_row, column=col))
        elif key in mapping:
            problems.append(
                Problem(
                    f"与列“{mapping[key]}”是同一字段 / column is the same field '{key}' as "
                    f"column '{mapping[key]}'",
                    row=header_row,
                    column=col,
                )
            )
        else:
            mapping[key] = col
    for key in required:
        if key not in mapping:
            problems.append(
                Problem(
                    f"缺少必填列“{label(key)}” / required column '{key}' is missing",
                    column=key,
                )
            )
    return mapping, problems


def _map_columns(
    table: pd.DataFrame,
    aliases: Mapping[str, str],
    required: Iterable[str],
    label: Callable[[str], str],
    *,
    extra: Callable[[str], str | None] | None = None,
) -> tuple[dict[str, str], list[Problem]]:
    """:func:`_map_header` of a table's columns."""
    header_row = table.attrs.get("header_row", 1)
    return _map_header(table.columns, header_row, aliases, required, label, extra)


def _duplicates(values: pd.Series, column: str) -> list[Problem]:
    problems = []
    seen: dict[str, Any] = {}
    for idx, v in values.items():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if v in seen:
            problems.append(
                Problem(
                    f"“{v}”重复（首次出现在第 {seen[v]} 行）/ duplicate {column} '{v}' "
                    f"(first in row {seen[v]})",
                    row=idx,
                    column=column,
                )
            )
        else:
            seen[v] = idx
    return problems


def _parse_rows(
    table: pd.DataFrame,
    mapping: Mapping[str, str],
    types: Mapping[str, _Field],
    required: Iterable[str],
) -> tuple[dict[str, list[Any]], list[Problem]]:
    problems: list[Problem] = []
    req = set(required)
    values: dict[str, list[Any]] = {key: [] for key in mapping}
    for key, col in mapping.items():
        field = types.get(key, _Field("str"))
        for idx, text in table[col].items():
            v, msg = field.parse(text)
            if msg:
                problems.append(Problem(msg, row=idx, column=col))
            elif v is None and key in req:
                problems.append(Problem("必填项为空 / value is empty", row=idx, column=col))
            values[key].append(v)
    return values, problems


def _frame(
    values: Mapping[str, list[Any]],
    index: pd.Index,
    order: Iterable[str],
    types: Mapping[str, _Field],
) -> pd.DataFrame:
    out: dict[str, Any] = {}
    for key in order:
        col = values.get(key, [None] * len(index))
        kind = types.get(key, _Field("str")).kind
        if kind == "float":
            out[key] = pd.array([np.nan if v is None else v for v in col], dtype="float64")
        elif kind == "int":
            out[key] = pd.array([None if v is None else int(v) for v in col], dtype="Int64")
        elif kind == "bool":
            out[key] = pd.array(col, dtype="boolean")
        else:
            out[key] = pd.array(col, dtype="str")
    return pd.DataFrame(out, index=index)


def _table_of(
    source: PathLike | pd.DataFrame,
    sheet: str | int | None,
    header: tuple[
        Mapping[str, str], Iterable[str], Callable[[str], str], Callable[[str], str | None] | None
    ],
    limits: Limits | None,
) -> tuple[pd.DataFrame, str]:
    """The raw table of a file (header checked before any row is read, caps applied, formulas
    refused) or of a DataFrame of strings."""
    if isinstance(source, pd.DataFrame):
        text = source.map(
            lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
        )
        text.columns = [str(c) for c in text.columns]
        return text, source.attrs.get("file")
    aliases, required, label, extra = header
    req = tuple(required)

    def check(columns: list[str], header_row: int) -> list[Problem]:
        return _map_header(columns, header_row, aliases, req, label, extra)[1]

    table = read_table(source, sheet=sheet, check_header=check, limits=limits, formulas="refuse")
    return table, table.attrs["file"]


def read_candidates(
    path: PathLike | pd.DataFrame,
    *,
    sheet: str | int | None = None,
    limits: Limits | None = None,
) -> pd.DataFrame:
    """Read and check a candidates file (附件3 summary columns plus the 附件1 indicators).

    Parameters
    ----------
    path : path-like or DataFrame
        csv or xlsx; headers Chinese (``schema.CANDIDATE_FIELDS`` values, with or without the unit,
        and ``schema.indicator_header`` e.g. ``2025年营业收入(亿元)``) or English (the canonical
        names, ``revenue_2025``). A ``序号`` column is ignored, a ``备注``/``note`` column kept.
        A DataFrame of strings (as from :func:`read_table`) is accepted too.
    sheet : str or int, optional
        The xlsx sheet; default the active visible one (see :func:`~scoring.io.read_table`).
    limits : Limits, optional
        Row and size caps; default :func:`~scoring.io.tables.import_limits`. The header is
        checked before any data row is read.

    Returns
    -------
    DataFrame
        Indexed by spreadsheet row; every ``schema.CANDIDATE_FIELDS`` column (missing optional
        columns are all-missing), then the indicator columns present (sorted by indicator then
        year), then ``note`` if given. ``kind`` is ``enterprise``/``region``; numbers are float
        (``employees`` and ``sc_dept_headcount`` nullable Int64), ``has_sc_dept`` nullable boolean.

    Raises
    ------
    InputError
        Every unknown, duplicated or missing column, empty required value (``project_id``,
        ``name``, ``kind``, ``city``; ``enterprise_type`` for enterprise projects), bad number,
        value outside its range, unknown kind / city / enterprise type, a region project under
        省属企业 and duplicate ``project_id``, each with file, row and column; a file over the
        caps, a hidden or ambiguous sheet, merged cells in data rows, formula cells
        (:class:`~scoring.io.tables.TableError`, whose ``check`` names the check).
    """
    required = ("project_id", "name", "kind", "city")
    header = (_CANDIDATE_ALIASES, required, _candidate_label, _indicator_of)
    table, file = _table_of(path, sheet, header, limits)
    mapping, problems = _map_columns(
        table, _CANDIDATE_ALIASES, required, _candidate_label, extra=_indicator_of
    )
    if problems:
        raise InputError(problems, file=file)
    if table.empty:
        raise InputError([Problem("文件没有数据行 / the file has no data rows")], file=file)
    types: dict[str, _Field] = dict(_CANDIDATE_TYPES)
    indicator_cols = [k for k in mapping if k not in schema.CANDIDATE_FIELDS and k != "note"]
    for col in indicator_cols:
        types[col] = _INDICATOR_TYPES[col.rsplit("_", 1)[0]]
    values, problems = _parse_rows(table, mapping, types, required)
    for i, idx in enumerate(table.index):
        kind = values["kind"][i]
        etype = values.get("enterprise_type", [None] * len(table))[i]
        if kind == "enterprise" and etype is None and "enterprise_type" not in values:
            problems.append(
                Problem(
                    "企业项目须有“企业类型”列 / enterprise projects need column 'enterprise_type'",
                    row=idx,
                    column="enterprise_type",
                )
            )
        elif kind == "enterprise" and etype is None:
            col = mapping["enterprise_type"]
            if not any(p.row == idx and p.column == col for p in problems):
                problems.append(
                    Problem(
                        "必填项为空（企业项目必填） / value is empty (required for enterprise "
                        "projects)",
                        row=idx,
                        column=col,
                    )
                )
        if kind == "region" and values["city"][i] == schema.PROVINCIAL:
            problems.append(
                Problem(
                    f"区域项目属于地市，不能填“{schema.PROVINCIAL}” / a region project belongs to "
                    f"a city, not {schema.PROVINCIAL}",
                    row=idx,
                    column=mapping["city"],
                )
            )
        if "has_sc_dept" in values and "sc_dept_headcount" in values:
            has, n = values["has_sc_dept"][i], values["sc_dept_headcount"][i]
            if has is False and n:
                problems.append(
                    Problem(
                        "填写了供应链部门人数，但是否设立供应链部门为“否” / supply-chain "
                        "department headcount given but 是否设立供应链部门 is 否",
                        row=idx,
                        column=mapping["sc_dept_headcount"],
                    )
                )
    ids = pd.Series(values["project_id"], index=table.index)
    problems += _duplicates(ids, mapping["project_id"])
    if problems:
        raise InputError(problems, file=file)
    indicator_order = sorted(
        indicator_cols,
        key=lambda c: (list(schema.INDICATORS).index(c.rsplit("_", 1)[0]), c.rsplit("_", 1)[1]),
    )
    order = [*schema.CANDIDATE_FIELDS, *indicator_order] + (["note"] if "note" in mapping else [])
    out = _frame(values, table.index, order, types)
    out.attrs["file"] = file
    return out


def read_experts(
    path: PathLike | pd.DataFrame,
    *,
    sheet: str | int | None = None,
    limits: Limits | None = None,
) -> pd.DataFrame:
    """Read and check an experts file (columns of ``schema.EXPERT_FIELDS``).

    ``expert_id``, ``name`` and ``kind`` (``industry``/``official``/``bank`` or 行业专家/部门人员/
    银行评审) are required; a bank reviewer needs ``bank`` and only bank reviewers may have one;
    ``expert_id`` is unique. Returns every ``EXPERT_FIELDS`` column (plus ``note`` if given),
    indexed by spreadsheet row. ``sheet`` and ``limits`` as for :func:`read_candidates`.

    Raises
    ------
    InputError
        Listing every problem with file, row and column.
    """
    required = ("expert_id", "name", "kind")
    table, file = _table_of(path, sheet, (_EXPERT_ALIASES, required, _expert_label, None), limits)
    mapping, problems = _map_columns(table, _EXPERT_ALIASES, required, _expert_label)
    if problems:
        raise InputError(problems, file=file)
    if table.empty:
        raise InputError([Problem("文件没有数据行 / the file has no data rows")], file=file)
    values, problems = _parse_rows(table, mapping, _EXPERT_TYPES, required)
    banks = values.get("bank", [None] * len(table))
    for i, idx in enumerate(table.index):
        kind = values["kind"][i]
        if kind == "bank" and banks[i] is None:
            problems.append(
                Problem(
                    "银行评审须填写所属银行 / a bank reviewer needs their bank (所属银行)",
                    row=idx,
                    column=mapping.get("bank", "bank"),
                )
            )
        elif kind in ("industry", "official") and banks[i] is not None:
            problems.append(
                Problem(
                    "只有银行评审填写所属银行 / only bank reviewers (银行评审) have a bank",
                    row=idx,
                    column=mapping["bank"],
                )
            )
    problems += _duplicates(pd.Series(values["expert_id"], index=table.index), mapping["expert_id"])
    if problems:
        raise InputError(problems, file=file)
    order = [*schema.EXPERT_FIELDS] + (["note"] if "note" in mapping else [])
    out = _frame(values, table.index, order, _EXPERT_TYPES)
    out.attrs["file"] = file
    return out


def read_scores(
    path: PathLike | pd.DataFrame,
    *,
    criteria: CriteriaSet | None = None,
    projects: Iterable[str] | None = None,
    experts: Iterable[str] | None = None,
    sheet: str | int | None = None,
    limits: Limits | None = None,
) -> pd.DataFrame:
    """Read and check a long score file: ``project_id, expert_id, criterion, score``.

    Chinese headers 项目编号, 专家编号, 评审指标 (or 指标), 分数 (or 得分) are accepted; a criterion
    may be given by key (``strength``) or by its Chinese or English name (综合实力).

    Parameters
    ----------
    criteria : CriteriaSet, optional
        Known criteria and scale; default :func:`scoring.engine.criteria.load_criteria`.
    projects, experts : iterable of str, optional
        When given, every id must be among them.
    sheet, limits
        As for :func:`read_candidates`.

    Returns
    -------
    DataFrame
        The four columns (ids ``str``, ``score`` float), indexed by spreadsheet row.

    Raises
    ------
    InputError
        Unknown or missing columns; empty, non-numeric, NaN or out-of-scale scores; unknown
        criterion / project / expert; duplicate (project, expert, criterion) rows — all at once.
    """
    header = (_SCORE_ALIAS_MAP, SCORE_FIELDS, _score_label, None)
    table, file = _table_of(path, sheet, header, limits)
    mapping, problems = _map_columns(table, _SCORE_ALIAS_MAP, SCORE_FIELDS, _score_label)
    if "note" in mapping:
        del mapping["note"]
    if problems:
        raise InputError(problems, file=file)
    if table.empty:
        raise InputError([Problem("文件没有数据行 / the file has no data rows")], file=file)
    crit = criteria or load_criteria()
    names: dict[str, str] = {}
    for c in crit:
        for label in (c.key, c.zh, c.en):
            names[_norm(label)] = c.key
    df = pd.DataFrame(index=table.index)
    for key in ("project_id", "expert_id"):
        df[key] = [_unquote(v.strip()) for v in table[mapping[key]]]
    df["criterion"] = [names.get(_norm(v), v.strip()) for v in table[mapping["criterion"]]]
    df["score"] = pd.array([v.strip() or None for v in table[mapping["score"]]], dtype=object)
    try:
        out = validate_scores(
            df, criteria=crit.keys, projects=projects, experts=experts, scale=crit.scale
        )
    except InputError as exc:
        # report the file's own header names
        back = {k: v for k, v in mapping.items()}
        raise InputError(
            [
                Problem(p.message, p.row, back.get(p.column or "", p.column), p.file)
                for p in exc.problems
            ],
            file=file,
        ) from None
    out.attrs["file"] = file
    return out
