"""Cell values as they are written: plain scalars, formula-neutralised, under their headers.

Text cells that begin with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) are prefixed
with a single quote so no spreadsheet runs them as formulas; numbers are written as numbers and
never touched. :func:`prepare` turns a DataFrame into the header texts and rows of a layout.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .fields import FORMULA_PREFIXES
from .forms import Column, Layout
from .headers import zh_headers


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


def _display_width(value: Any) -> int:
    """Width of a value on screen in characters (a CJK character counts two)."""
    if value is None:
        return 0
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass(frozen=True)
class Prepared:
    """A table ready to write: keys, header texts, the layout's column of each key, rows."""

    keys: list[str]
    names: list[str]
    columns: list[Column | None]
    groups: list[str | None]
    rows: list[list[Any]]


def prepare(df: pd.DataFrame, headers: str | Mapping[str, str], layout: Layout) -> Prepared:
    """The header texts and plain rows of ``df`` laid out by ``layout``.

    Parameters
    ----------
    df : DataFrame
        A named index is written as the first column; an unnamed index is left out.
    headers : {"zh", "en"} or mapping
        ``"zh"``: the layout's Chinese headers, else :func:`~scoring.io.headers.zh_headers`;
        ``"en"``: the canonical names (group headers by their key); or {column: header}.
    layout : Layout
        With ``order: layout`` the columns are the layout's, in its order (a column the data
        lacks is written blank); with ``order: data`` they are the data's.

    Raises
    ------
    InputError
        Not a DataFrame, bad ``headers``, or (``order: layout``) data columns the layout lacks.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError([Problem(f"expected a DataFrame, got {type(df).__name__}")])
    frame = df.reset_index() if any(n is not None for n in df.index.names) else df
    cols = [str(c) for c in frame.columns]
    keys = cols
    if layout.order == "layout":
        extra = [c for c in cols if c not in layout.keys]
        if extra:
            raise InputError(
                [Problem(f"column(s) not in the form layout '{layout.name}': {', '.join(extra)}")],
                file=layout.source,
            )
        keys = layout.keys
        frame = frame.set_axis(cols, axis=1).reindex(columns=keys)
    fixed = layout.headers("zh")
    if isinstance(headers, Mapping):
        names, lang = [headers.get(c, c) for c in keys], "zh"
    elif headers == "zh":
        zh = zh_headers(keys) if any(k not in fixed for k in keys) else {}
        names, lang = [fixed.get(k) or zh[k] for k in keys], "zh"
    elif headers == "en":
        names, lang = list(keys), "en"
    else:
        raise InputError([Problem(f"headers must be 'zh', 'en' or a mapping, got {headers!r}")])
    columns = [layout.column(k) for k in keys]
    groups = [c.group if c else None for c in columns]
    rows = [[_plain(v, lang) for v in rec] for rec in frame.itertuples(index=False, name=None)]
    return Prepared(keys, [str(neutralise(n)) for n in names], columns, groups, rows)
