"""Reading raw csv and xlsx tables: every cell as the text the user sees, rows numbered as in the sheet.

:func:`read_table` returns a DataFrame of strings whose index is the spreadsheet row number (the
header is row 1, the first data row is row 2; a merged title row above the header, as in our own
exports and templates, shifts both by one). Typing and checking the values is :mod:`.readers`' job.
"""

from __future__ import annotations

import csv
import io as _io
import math
import os
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Problem

PathLike = str | os.PathLike[str]


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
