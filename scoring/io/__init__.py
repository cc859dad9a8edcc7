"""Reading and writing the tables of the workbench: csv (UTF-8) and xlsx.

Reading
    :func:`read_table` returns a DataFrame of strings whose index is the spreadsheet row number
    (the header is row 1, the first data row is row 2; a merged title row above the header, as in
    our own exports and templates, shifts both by one). :func:`read_candidates`,
    :func:`read_experts` and :func:`read_scores` map Chinese headers (the official forms) or English
    column names to the canonical columns of :mod:`scoring.programme.schema`, check every cell and raise one
    :class:`~scoring.errors.InputError` listing every problem with file, row and column. Nothing is
    silently coerced: a blank optional cell becomes missing (``NaN``/``NA``), anything else must
    parse exactly.

Writing
    :func:`write_table` writes one DataFrame or several sheets as xlsx laid out like the official
    forms (title row merged across, header row, column widths, frozen header) or as csv (UTF-8 with
    BOM, so Excel shows Chinese). Text cells that begin with ``=``, ``+``, ``-``, ``@`` (or a tab or
    carriage return) are prefixed with a single quote so no spreadsheet runs them as formulas;
    numbers are written as numbers and never touched. Files are written to a temporary file and
    moved into place, so a failure never leaves half a file.
"""

from __future__ import annotations

import csv
import io as _io
import math
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..engine.criteria import CriteriaSet, load_criteria
from ..engine.validation import validate_scores
from ..errors import InputError, Problem
from ..programme import schema

PathLike = str | os.PathLike[str]

#: Leading characters that make a spreadsheet treat text as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Optional columns every table accepts besides its fields.
_NOTE_ALIASES = {"note": "note", "备注": "note", "说明": "note"}
#: Columns accepted and ignored (the running number of the forms).
_IGNORED = {"序号", "seq", "no", "no."}

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_INT_RE = re.compile(r"^[+-]?\d+(\.0*)?$")
_YES = {"是", "有", "yes", "y", "true", "1", "√"}
_NO = {"否", "无", "no", "n", "false", "0", "×"}

SCORE_FIELDS: dict[str, str] = {
    "project_id": "项目编号",
    "expert_id": "专家编号",
    "criterion": "评审指标",
    "score": "分数",
}
_SCORE_ALIASES = {"指标": "criterion", "评分指标": "criterion", "得分": "score", "评分": "score"}


# --------------------------------------------------------------------------------------------
# reading raw tables
# --------------------------------------------------------------------------------------------


def _norm(header: str) -> str:
    """Normalise a header for matching: NFKC (full-width -> half-width), no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(header))).lower()


def _cell_text(value: Any) -> str:
    """The text of one xlsx cell value (as the user sees it, without evaluating formulas)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _read_csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            [
                Problem(
                    f"the file is not UTF-8 (undecodable byte at position {exc.start}); "
                    "save it as 'CSV UTF-8' (Excel: 另存为 → CSV UTF-8(逗号分隔)) and import again"
                )
            ],
            file=path.name,
        ) from None
    if "\x00" in text:
        raise InputError(
            [Problem("the file contains NUL bytes: it is not a text csv")], file=path.name
        )
    try:
        return [list(r) for r in csv.reader(_io.StringIO(text, newline=""), strict=True)]
    except csv.Error as exc:
        raise InputError([Problem(f"malformed csv: {exc}")], file=path.name) from None


def _read_xlsx_rows(path: Path, sheet: str | int | None) -> list[list[str]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError(
            [Problem(f"not a readable xlsx workbook ({type(exc).__name__}); save it as .xlsx")],
            file=path.name,
        ) from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            ws = wb.worksheets[sheet]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise InputError(
                [Problem(f"no sheet named '{sheet}' (sheets: {', '.join(wb.sheetnames)})")],
                file=path.name,
            )
        return [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_table(path: PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a csv or xlsx table as strings, indexed by spreadsheet row number.

    Parameters
    ----------
    path : path-like
        ``.csv`` (UTF-8, with or without BOM) or ``.xlsx``.
    sheet : str or int, optional
        The xlsx sheet (name or position); default the first.

    Returns
    -------
    DataFrame
        One ``str`` column per header cell (headers stripped), every value a string (``""`` for
        an empty cell), index named ``row`` holding the spreadsheet row number. Fully blank rows
        are left out (their numbers are skipped). A single-cell title row above the header (as in
        the official forms) is recognised and skipped. ``attrs`` holds ``file`` (the file name)
        and ``header_row``.

    Raises
    ------
    InputError
        Unreadable or non-UTF-8 file, unsupported extension, empty file, blank or duplicated
        header cells, data beyond the last header column.
    """
    p = Path(path)
    name = p.name
    suffix = p.suffix.lower()
    if not p.exists():
        raise InputError([Problem("file not found")], file=str(p))
    if suffix == ".csv":
        rows = _read_csv_rows(p)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _read_xlsx_rows(p, sheet)
    elif suffix == ".xls":
        raise InputError(
            [Problem("old .xls workbooks are not read; save it as .xlsx or csv")], file=name
        )
    else:
        raise InputError(
            [Problem(f"unsupported file type '{suffix}' (use .csv or .xlsx)")], file=name
        )

    def filled(r: list[str]) -> list[str]:
        return [c for c in r if c.strip()]

    # locate the header: skip leading blank rows and a single-cell title row
    h = 0
    while h < len(rows) and not filled(rows[h]):
        h += 1
    if h < len(rows) and len(filled(rows[h])) == 1:
        nxt = h + 1
        while nxt < len(rows) and not filled(rows[nxt]):
            nxt += 1
        if nxt < len(rows) and len(filled(rows[nxt])) >= 2:
            h = nxt
    if h >= len(rows):
        raise InputError([Problem("the file is empty (no header row)")], file=name)

    header = [c.strip() for c in rows[h]]
    while header and not header[-1]:
        header.pop()
    problems: list[Problem] = []
    header_row = h + 1
    seen: dict[str, int] = {}
    for j, col in enumerate(header):
        if not col:
            problems.append(Problem(f"header cell {j + 1} is blank", row=header_row))
        elif col in seen:
            problems.append(
                Problem("column appears twice in the header", row=header_row, column=col)
            )
        seen.setdefault(col, j)
    width = len(header)
    data: list[list[str]] = []
    index: list[int] = []
    for i in range(h + 1, len(rows)):
        r = rows[i]
        if not filled(r):
            continue
        extra = [c for c in r[width:] if c.strip()]
        if extra:
            problems.append(
                Problem(f"{len(extra)} value(s) beyond the last header column", row=i + 1)
            )
        cells = (r + [""] * width)[:width]
        data.append(cells)
        index.append(i + 1)
    if problems:
        raise InputError(problems, file=name)
    df = pd.DataFrame(data, columns=header, index=pd.Index(index, name="row"), dtype=object)
    df = df.astype("str") if len(df.columns) else df
    df.attrs["file"] = name
    df.attrs["header_row"] = header_row
    return df


# --------------------------------------------------------------------------------------------
# typed parsing of the canonical tables
# --------------------------------------------------------------------------------------------


def _parse_number(text: str) -> float | None:
    t = text.strip()
    if not _NUMBER_RE.match(t):
        return None
    return float(t)


def _unquote(text: str) -> str:
    """Undo our own formula neutralisation (``'=x`` -> ``=x``) on text fields."""
    if len(text) >= 2 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


class _Field:
    """How one canonical column is parsed: type, bounds, allowed values."""

    def __init__(
        self,
        kind: str = "str",
        *,
        lo: float | None = None,
        hi: float | None = None,
        choices: Mapping[str, str] | None = None,
    ) -> None:
        self.kind = kind
        self.lo, self.hi = lo, hi
        self.choices = choices

    def parse(self, text: str) -> tuple[Any, str | None]:
        """Return (value, problem message or None); blank -> (None, None)."""
        t = text.strip()
        if not t:
            return None, None
        if self.kind == "str":
            return _unquote(t), None
        if self.kind == "enum":
            assert self.choices is not None
            v = self.choices.get(_norm(t))
            if v is None:
                allowed = sorted(set(self.choices.values()))
                return None, f"'{t}' is not one of: {', '.join(allowed)}"
            return v, None
        if self.kind == "bool":
            low = _norm(t)
            if low in _YES:
                return True, None
            if low in _NO:
                return False, None
            return None, f"'{t}' is not 是/否 (yes/no)"
        if t.startswith("="):
            return None, f"'{t}' is a formula; enter the value itself"
        num = _parse_number(t)
        if num is None:
            hint = (
                " (no thousands separators or units)" if re.search(r"[,，%]|[^\d.eE+-]", t) else ""
            )
            return None, f"'{t}' is not a number{hint}"
        if self.kind == "int":
            if not _INT_RE.match(t):
                return None, f"'{t}' is not a whole number"
            num = float(int(num))
        if self.lo is not None and num < self.lo:
            return None, f"{t} is below the minimum {self.lo:g}"
        if self.hi is not None and num > self.hi:
            return None, f"{t} is above the maximum {self.hi:g}"
        return num, None


def _choices(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {_norm(k): v for k, v in pairs}


_KIND_CHOICES = _choices(
    [(k, k) for k in schema.PROJECT_KINDS]
    + [(zh, k) for k, zh in schema.PROJECT_KINDS.items()]
    + [("企业", "enterprise"), ("区域", "region")]
)
_CITY_CHOICES = _choices([(c, c) for c in (*schema.CITIES, schema.PROVINCIAL)])
_CITY_CHOICES.update(_choices([(c.removesuffix("市"), c) for c in schema.CITIES]))
_ETYPE_CHOICES = _choices([(t, t) for t in schema.ENTERPRISE_TYPES] + [("其他", "其它")])
_EXPERT_KIND_CHOICES = _choices(
    [(k, k) for k in schema.EXPERT_KINDS] + [(zh, k) for k, zh in schema.EXPERT_KINDS.items()]
)

#: Types of the candidate fields (everything else is text).
_CANDIDATE_TYPES: dict[str, _Field] = {
    "kind": _Field("enum", choices=_KIND_CHOICES),
    "city": _Field("enum", choices=_CITY_CHOICES),
    "enterprise_type": _Field("enum", choices=_ETYPE_CHOICES),
    "registered_capital": _Field("float", lo=0),
    "employees": _Field("int", lo=0),
    "prev_revenue": _Field("float", lo=0),
    "perfect_order_rate": _Field("float", lo=0, hi=100),
    "has_sc_dept": _Field("bool"),
    "sc_dept_headcount": _Field("int", lo=0),
}
#: Types of the yearly indicators.
_INDICATOR_TYPES: dict[str, _Field] = {
    "revenue": _Field("float", lo=0),
    "cost_profit_ratio": _Field("float"),
    "inventory_turnover": _Field("float", lo=0),
    "asset_turnover": _Field("float", lo=0),
    "cash_cycle": _Field("float"),
    "market_share": _Field("float", lo=0, hi=100),
}
_EXPERT_TYPES: dict[str, _Field] = {"kind": _Field("enum", choices=_EXPERT_KIND_CHOICES)}

_ZH_INDICATOR = {zh: key for key, (zh, _unit) in schema.INDICATORS.items()}
_IND_EN_RE = re.compile(r"^(" + "|".join(schema.INDICATORS) + r")_(\d{4})$")
_IND_ZH_RE = re.compile(r"^(\d{4})年?(" + "|".join(_ZH_INDICATOR) + r")(\(.*\))?$")


def _indicator_of(header: str) -> str | None:
    """Canonical column of a yearly indicator header (English or Chinese), else None."""
    n = _norm(header)
    m = _IND_EN_RE.match(n)
    if m:
        return schema.indicator_column(m.group(1), int(m.group(2)))
    m = _IND_ZH_RE.match(n)
    if m:
        return schema.indicator_column(_ZH_INDICATOR[m.group(2)], int(m.group(1)))
    return None


def _alias_map(fields: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    out = {_norm(k): k for k in fields}
    out.update({_norm(zh): k for k, zh in fields.items()})
    # a Chinese header without its unit, e.g. 注册资本 for 注册资本(万元)
    out.update({_norm(re.sub(r"[(（].*[)）]$", "", zh)): k for k, zh in fields.items()})
    out.update({_norm(k): v for k, v in _NOTE_ALIASES.items()})
    if extra:
        out.update({_norm(k): v for k, v in extra.items()})
    return out


_CANDIDATE_ALIASES = _alias_map(
    schema.CANDIDATE_FIELDS, {"企业名称": "name", "区域名称": "name", "项目名称": "name"}
)
_EXPERT_ALIASES = _alias_map(schema.EXPERT_FIELDS, {"专家姓名": "name", "银行": "bank"})
_SCORE_ALIAS_MAP = _alias_map(SCORE_FIELDS, _SCORE_ALIASES)


def _map_columns(
    table: pd.DataFrame,
    aliases: Mapping[str, str],
    required: Iterable[str],
    *,
    extra: Callable[[str], str | None] | None = None,
) -> tuple[dict[str, str], list[Problem]]:
    """Map raw headers to canonical columns: {canonical: raw header}, plus problems."""
    header_row = table.attrs.get("header_row", 1)
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    for col in table.columns:
        n = _norm(col)
        if n in _IGNORED:
            continue
        key = aliases.get(n) or (extra(col) if extra else None)
        if key is None:
            problems.append(Problem("unknown column", row=header_row, column=col))
        elif key in mapping:
            problems.append(
                Problem(
                    f"column is the same field '{key}' as column '{mapping[key]}'",
                    row=header_row,
                    column=col,
                )
            )
        else:
            mapping[key] = col
    for key in required:
        if key not in mapping:
            problems.append(Problem(f"required column '{key}' is missing", column=key))
    return mapping, problems


def _duplicates(values: pd.Series, column: str) -> list[Problem]:
    problems = []
    seen: dict[str, Any] = {}
    for idx, v in values.items():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if v in seen:
            problems.append(
                Problem(
                    f"duplicate {column} '{v}' (first in row {seen[v]})", row=idx, column=column
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
                problems.append(Problem("value is empty", row=idx, column=col))
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


def _table_of(source: PathLike | pd.DataFrame, sheet: str | int | None) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        text = source.map(
            lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
        )
        text.columns = [str(c) for c in text.columns]
        return text, source.attrs.get("file")
    table = read_table(source, sheet=sheet)
    return table, table.attrs["file"]


def read_candidates(
    path: PathLike | pd.DataFrame, *, sheet: str | int | None = None
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
        The xlsx sheet.

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
        省属企业 and duplicate ``project_id``, each with file, row and column.
    """
    table, file = _table_of(path, sheet)
    required = ("project_id", "name", "kind", "city")
    mapping, problems = _map_columns(table, _CANDIDATE_ALIASES, required, extra=_indicator_of)
    if problems:
        raise InputError(problems, file=file)
    if table.empty:
        raise InputError([Problem("the file has no data rows")], file=file)
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
                    "enterprise projects need column 'enterprise_type'",
                    row=idx,
                    column="enterprise_type",
                )
            )
        elif kind == "enterprise" and etype is None:
            col = mapping["enterprise_type"]
            if not any(p.row == idx and p.column == col for p in problems):
                problems.append(
                    Problem(
                        "value is empty (required for enterprise projects)", row=idx, column=col
                    )
                )
        if kind == "region" and values["city"][i] == schema.PROVINCIAL:
            problems.append(
                Problem(
                    f"a region project belongs to a city, not {schema.PROVINCIAL}",
                    row=idx,
                    column=mapping["city"],
                )
            )
        if "has_sc_dept" in values and "sc_dept_headcount" in values:
            has, n = values["has_sc_dept"][i], values["sc_dept_headcount"][i]
            if has is False and n:
                problems.append(
                    Problem(
                        "supply-chain department headcount given but 是否设立供应链部门 is 否",
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


def read_experts(path: PathLike | pd.DataFrame, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read and check an experts file (columns of ``schema.EXPERT_FIELDS``).

    ``expert_id``, ``name`` and ``kind`` (``industry``/``official``/``bank`` or 行业专家/部门人员/
    银行评审) are required; a bank reviewer needs ``bank`` and only bank reviewers may have one;
    ``expert_id`` is unique. Returns every ``EXPERT_FIELDS`` column (plus ``note`` if given),
    indexed by spreadsheet row.

    Raises
    ------
    InputError
        Listing every problem with file, row and column.
    """
    table, file = _table_of(path, sheet)
    required = ("expert_id", "name", "kind")
    mapping, problems = _map_columns(table, _EXPERT_ALIASES, required)
    if problems:
        raise InputError(problems, file=file)
    if table.empty:
        raise InputError([Problem("the file has no data rows")], file=file)
    values, problems = _parse_rows(table, mapping, _EXPERT_TYPES, required)
    banks = values.get("bank", [None] * len(table))
    for i, idx in enumerate(table.index):
        kind = values["kind"][i]
        if kind == "bank" and banks[i] is None:
            problems.append(
                Problem(
                    "a bank reviewer needs their bank (所属银行)",
                    row=idx,
                    column=mapping.get("bank", "bank"),
                )
            )
        elif kind in ("industry", "official") and banks[i] is not None:
            problems.append(
                Problem(
                    "only bank reviewers (银行评审) have a bank", row=idx, column=mapping["bank"]
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
    table, file = _table_of(path, sheet)
    mapping, problems = _map_columns(table, _SCORE_ALIAS_MAP, SCORE_FIELDS)
    if "note" in mapping:
        del mapping["note"]
    if problems:
        raise InputError(problems, file=file)
    if table.empty:
        raise InputError([Problem("the file has no data rows")], file=file)
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


# --------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------

#: Chinese headers of columns that are not form fields (rankings, catalogue, scores).
EXTRA_HEADERS: dict[str, str] = {
    "rank": "名次",
    "score": "得分",
    "seq": "序号",
    "section": "类别",
    "group": "分组",
    "heading": "分组标题",
    "selected": "是否入选",
    "reason": "入选说明",
    "flags": "标记",
    "criterion": "评审指标",
    "note": "备注",
    "bank": "银行",
    "rule": "回避规则",
}


def zh_headers(columns: Iterable[str], *, experts: bool | None = None) -> dict[str, str]:
    """Chinese header for each canonical column name (unknown names are kept as they are).

    ``experts`` picks the expert meaning of ``name``, ``kind``, ``city``, ``phone``; by default
    it is inferred (an ``expert_id`` column without ``project_id``).
    """
    cols = list(columns)
    if experts is None:
        experts = "expert_id" in cols and "project_id" not in cols
    try:
        crit_names = load_criteria().names("zh")
    except InputError:
        crit_names = {}
    out: dict[str, str] = {}
    for c in cols:
        key = str(c)
        zh = None
        if experts:
            zh = schema.EXPERT_FIELDS.get(key)
        zh = zh or schema.CANDIDATE_FIELDS.get(key) or schema.EXPERT_FIELDS.get(key)
        if zh is None and key != "score":  # a ranking's score is 得分, a raw score 分数
            zh = SCORE_FIELDS.get(key)
        zh = zh or EXTRA_HEADERS.get(key) or crit_names.get(key)
        m = _IND_EN_RE.match(key)
        if zh is None and m:
            zh = schema.indicator_header(m.group(1), int(m.group(2)))
        out[key] = zh or key
    return out


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with ``'``; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _plain(value: Any, lang: str) -> Any:
    """A cell value as a plain Python scalar (None for missing), formula-neutralised."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        if lang == "zh":
            return "是" if value else "否"
        return "true" if value else "false"
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if math.isnan(f) else f
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if isinstance(value, int):
        return value
    return neutralise(str(value))


def _prepare(
    df: pd.DataFrame, headers: str | Mapping[str, str]
) -> tuple[list[str], list[list[Any]]]:
    if not isinstance(df, pd.DataFrame):
        raise InputError([Problem(f"expected a DataFrame, got {type(df).__name__}")])
    frame = df.reset_index() if any(n is not None for n in df.index.names) else df
    cols = [str(c) for c in frame.columns]
    if isinstance(headers, Mapping):
        names = [headers.get(c, c) for c in cols]
        lang = "zh"
    elif headers == "zh":
        zh = zh_headers(cols)
        names = [zh[c] for c in cols]
        lang = "zh"
    elif headers == "en":
        names, lang = cols, "en"
    else:
        raise InputError([Problem(f"headers must be 'zh', 'en' or a mapping, got {headers!r}")])
    rows = [[_plain(v, lang) for v in rec] for rec in frame.itertuples(index=False, name=None)]
    return [str(neutralise(n)) for n in names], rows


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def _write_xlsx(
    sheets: Mapping[str, pd.DataFrame], tmp: str, title: str | None, headers: Any
) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        tmp, {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}
    )
    try:
        fmt_title = wb.add_format(
            {
                "bold": True,
                "font_size": 16,
                "align": "center",
                "valign": "vcenter",
                "font_name": "宋体",
            }
        )
        fmt_head = wb.add_format(
            {
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#D9D9D9",
                "font_name": "宋体",
            }
        )
        fmt_cell = wb.add_format({"border": 1, "valign": "vcenter", "font_name": "宋体"})
        for sheet_name, df in sheets.items():
            names, rows = _prepare(df, headers)
            ws = wb.add_worksheet(sheet_name)
            r0 = 0
            ncol = max(len(names), 1)
            if title:
                if ncol > 1:
                    ws.merge_range(0, 0, 0, ncol - 1, neutralise(title), fmt_title)
                else:
                    ws.write_string(0, 0, neutralise(title), fmt_title)
                ws.set_row(0, 32)
                r0 = 1
            for j, name in enumerate(names):
                ws.write_string(r0, j, name, fmt_head)
            for i, rec in enumerate(rows, start=r0 + 1):
                for j, v in enumerate(rec):
                    if v is None:
                        ws.write_blank(i, j, None, fmt_cell)
                    elif isinstance(v, (int, float)):
                        ws.write_number(i, j, v, fmt_cell)
                    else:
                        ws.write_string(i, j, v, fmt_cell)
            for j, name in enumerate(names):
                w = max([_display_width(name)] + [_display_width(r[j]) for r in rows[:2000]])
                ws.set_column(j, j, min(max(w + 2, 6), 60))
            ws.freeze_panes(r0 + 1, 0)
            if rows:
                ws.autofilter(r0, 0, r0 + len(rows), len(names) - 1)
    finally:
        wb.close()


def _write_csv(df: pd.DataFrame, tmp: str, headers: Any) -> None:
    names, rows = _prepare(df, headers)
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(names)
        for rec in rows:
            w.writerow(
                [
                    ""
                    if v is None
                    else (
                        repr(v)
                        if isinstance(v, float) and not v.is_integer()
                        else str(int(v))
                        if isinstance(v, float)
                        else v
                    )
                    for v in rec
                ]
            )


def _publish(tmp: str, target: Path) -> None:
    """Give the temporary file the usual permissions (mkstemp makes it 0600) and move it in place."""
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, target)


def write_table(
    data: pd.DataFrame | Mapping[str, pd.DataFrame],
    path: PathLike,
    *,
    title: str | None = None,
    headers: str | Mapping[str, str] = "zh",
) -> Path:
    """Write a table (or several sheets) as xlsx like the official forms, or as csv.

    Parameters
    ----------
    data : DataFrame or mapping of sheet name to DataFrame
        A named index (e.g. ``project_id`` of a ranking) is written as the first column; an
        unnamed index is left out. Several sheets need ``.xlsx``.
    path : path-like
        ``.xlsx`` or ``.csv``; parent folders are created. The file is replaced atomically.
    title : str, optional
        xlsx: a title row merged across the columns above the header (e.g.
        ``山西省供应链重点培育项目(2026年度目录)``). csv files carry no title row.
    headers : {"zh", "en"} or mapping
        ``"zh"``: Chinese headers of the forms (:func:`zh_headers`); ``"en"``: the canonical
        names; or an explicit {column: header} mapping.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    InputError
        Unsupported extension, several sheets to csv, a bad sheet name.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    sheets = {"Sheet1": data} if isinstance(data, pd.DataFrame) else dict(data)
    problems: list[Problem] = []
    if suffix not in (".xlsx", ".csv"):
        problems.append(Problem(f"unsupported output type '{suffix}' (use .xlsx or .csv)"))
    if suffix == ".csv" and len(sheets) != 1:
        problems.append(Problem(f"a csv file holds one table, got {len(sheets)} sheets; use .xlsx"))
    if not sheets:
        problems.append(Problem("nothing to write (no sheets)"))
    for name in sheets:
        if not name or len(name) > 31 or _BAD_SHEET.search(name):
            problems.append(Problem(f"bad sheet name {name!r} (1-31 characters, none of []:*?/\\)"))
    if problems:
        raise InputError(problems, file=p.name)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.stem}.", suffix=suffix, dir=p.parent)
    os.close(fd)
    try:
        if suffix == ".xlsx":
            _write_xlsx(sheets, tmp, title, headers)
        else:
            _write_csv(next(iter(sheets.values())), tmp, headers)
        _publish(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


# --------------------------------------------------------------------------------------------
# import templates (data/templates/)
# --------------------------------------------------------------------------------------------

_REQUIRED_NOTE = {
    "candidates": {
        "project_id": "必填，唯一 / required, unique",
        "name": "必填 / required",
        "kind": "必填：企业项目 或 区域项目 / required: enterprise or region",
        "city": f"必填：{'、'.join(schema.CITIES)} 或 {schema.PROVINCIAL}",
        "enterprise_type": f"企业项目必填：{'、'.join(schema.ENTERPRISE_TYPES)}",
        "has_sc_dept": "是 / 否",
    },
    "experts": {
        "expert_id": "必填，唯一 / required, unique",
        "name": "必填 / required",
        "kind": f"必填：{'、'.join(schema.EXPERT_KINDS.values())}",
        "bank": "银行评审必填，其他类别留空 / bank reviewers only",
    },
    "scores": {
        "criterion": "评审指标键名或中文名，如 strength 或 综合实力",
        "score": "0–100 的数字；回避或缺评留空行 / a number; leave recused scores out",
    },
}
TEMPLATE_TITLES = {
    "candidates": "山西省供应链重点项目汇总表(导入模板)",
    "experts": "评审专家名单(导入模板)",
    "scores": "专家评分表(导入模板)",
}


def template_columns(kind: str, years: Iterable[int] = (2023, 2024, 2025)) -> dict[str, str]:
    """Canonical column -> Chinese header of an import template (``candidates``, ``experts``,
    ``scores``); the candidates template has the 附件1 indicators for ``years``."""
    if kind == "candidates":
        cols = dict(schema.CANDIDATE_FIELDS)
        for key in schema.INDICATORS:
            for y in years:
                cols[schema.indicator_column(key, y)] = schema.indicator_header(key, y)
        return cols
    if kind == "experts":
        return dict(schema.EXPERT_FIELDS)
    if kind == "scores":
        return dict(SCORE_FIELDS)
    raise InputError([Problem(f"unknown template {kind!r} (candidates, experts, scores)")])


def write_template(kind: str, path: PathLike, years: Iterable[int] = (2023, 2024, 2025)) -> Path:
    """Write an empty import template with Chinese headers (csv, or xlsx with a title row,
    drop-down lists for the enumerated columns and a 填写说明 sheet)."""
    cols = template_columns(kind, years)
    empty = pd.DataFrame(columns=list(cols))
    p = Path(path)
    if p.suffix.lower() == ".csv":
        return write_table(empty, p, headers=cols)
    if p.suffix.lower() != ".xlsx":
        raise InputError([Problem(f"unsupported template type '{p.suffix}'")], file=p.name)
    import xlsxwriter

    notes = _REQUIRED_NOTE.get(kind, {})
    lists = {
        "kind": list(schema.PROJECT_KINDS.values())
        if kind == "candidates"
        else list(schema.EXPERT_KINDS.values()),
        "city": [*schema.CITIES, schema.PROVINCIAL] if kind == "candidates" else None,
        "enterprise_type": list(schema.ENTERPRISE_TYPES),
        "has_sc_dept": ["是", "否"],
    }
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.stem}.", suffix=".xlsx", dir=p.parent)
    os.close(fd)
    try:
        wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False})
        wb.set_properties({"created": datetime(2026, 1, 1), "title": TEMPLATE_TITLES[kind]})
        title = wb.add_format(
            {"bold": True, "font_size": 16, "align": "center", "font_name": "宋体"}
        )
        head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                              "text_wrap": True, "bg_color": "#D9D9D9", "font_name": "宋体"})  # fmt: skip
        ws = wb.add_worksheet("模板")
        ws.merge_range(0, 0, 0, len(cols) - 1, TEMPLATE_TITLES[kind], title)
        ws.set_row(0, 32)
        for j, (key, zh) in enumerate(cols.items()):
            ws.write_string(1, j, zh, head)
            ws.set_column(j, j, min(max(_display_width(zh) + 2, 10), 40))
            if lists.get(key):
                ws.data_validation(2, j, 1001, j, {"validate": "list", "source": lists[key]})
            if key in notes:
                ws.write_comment(1, j, notes[key])
        ws.freeze_panes(2, 0)
        help_ws = wb.add_worksheet("填写说明")
        help_ws.write_row(0, 0, ["列名(中文)", "英文列名", "说明"], head)
        for i, (key, zh) in enumerate(cols.items(), start=1):
            help_ws.write_row(i, 0, [zh, key, notes.get(key, "选填 / optional")])
        help_ws.set_column(0, 0, 28)
        help_ws.set_column(1, 1, 24)
        help_ws.set_column(2, 2, 70)
        last = len(cols) + 2
        help_ws.write_string(
            last,
            0,
            "从第3行起每行一个项目；表头中文或英文列名均可；整份文件有任何错误都不会导入，并列出所有错误的行和列。",
        )
        help_ws.write_string(
            last + 1,
            0,
            "One row per record from row 3; Chinese or English headers; a file with any error imports nothing and every problem is listed with row and column.",
        )
        wb.close()
        _publish(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def write_templates(folder: PathLike) -> list[Path]:
    """Write the import templates of ``data/templates/``: candidates and experts (xlsx and csv),
    scores (csv)."""
    out = Path(folder)
    return [
        write_template("candidates", out / "candidates.xlsx"),
        write_template("candidates", out / "candidates.csv"),
        write_template("experts", out / "experts.xlsx"),
        write_template("experts", out / "experts.csv"),
        write_template("scores", out / "scores.csv"),
    ]
