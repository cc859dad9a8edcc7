"""Turning candidate and expert files into records the store keeps.

Reading and checking is :mod:`scoring.io`'s job (``read_candidates`` / ``read_experts``: Chinese
or English headers, every problem with file, row and column). This module only converts the
checked table into JSON-safe records; the store then writes them all in one transaction, so an
import is all or nothing and re-importing the same content changes nothing.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import io as sio
from ..errors import InputError, Problem

Source = str | os.PathLike[str] | pd.DataFrame


def _plain(value: Any) -> Any:
    """A JSON-safe Python value (missing -> None, numpy scalars -> Python)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    cols = list(df.columns)
    return [
        {c: _plain(v) for c, v in zip(cols, row, strict=True)}
        for row in df.itertuples(index=False, name=None)
    ]


def _label(source: Source) -> str:
    return Path(source).name if not isinstance(source, pd.DataFrame) else "<table>"


def _read(reader: Any, source: Source) -> pd.DataFrame:
    try:
        return reader(source)
    except InputError:
        raise
    except (OSError, UnicodeError, ValueError) as exc:  # defensive: a reader bug must not crash
        raise InputError([Problem(f"cannot read the file: {exc}")], file=_label(source)) from exc


def prepare_candidates(source: Source) -> tuple[list[dict[str, Any]], str]:
    """Read and check a candidates file (or DataFrame) and return ``(records, label)``.

    Raises
    ------
    InputError
        Every problem, with file, row and column (from :func:`scoring.io.read_candidates`).
    """
    records, label, _rows = prepare_candidate_rows(source)
    return records, label


def prepare_candidate_rows(source: Source) -> tuple[list[dict[str, Any]], str, list[Any]]:
    """As :func:`prepare_candidates`, with each record's spreadsheet row number (header = row 1;
    a DataFrame's own index labels): ``(records, label, rows)``."""
    df = _read(sio.read_candidates, source)
    return _records(df), _label(source), list(df.index)


def prepare_experts(source: Source) -> tuple[list[dict[str, Any]], str]:
    """Read and check an experts file (or DataFrame) and return ``(records, label)``."""
    return _records(_read(sio.read_experts, source)), _label(source)
