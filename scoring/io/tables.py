"""Reading raw csv and xlsx tables: every cell as the text the user sees, rows numbered as in the sheet.

:func:`read_table` returns a DataFrame of strings whose index is the spreadsheet row number (the
header is row 1, the first data row is row 2; a merged title row above the header, as in our own
exports and templates, shifts both by one). Typing and checking the values is :mod:`.readers`' job.

Nothing large is read blindly: the file size (and an xlsx's unpacked size) is checked before the
file is opened, the header is checked before any data row is read (a caller's ``check_header``
too), and rows are streamed and counted against a row cap (:class:`Limits`, from the environment
by :func:`import_limits`). Every refusal is a :class:`TableError` naming the check that refused.
"""

from __future__ import annotations

import csv
import io as _io
import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ..errors import InputError, Problem

PathLike = str | os.PathLike[str]

#: Default row cap: data rows (after the header) of one imported table.
DEFAULT_MAX_ROWS = 20_000
#: Default size cap of an imported file, in MB (2**20 bytes).
DEFAULT_MAX_MB = 20
#: Environment variables that override the caps (a whole number each).
ENV_MAX_ROWS = "SCORING_IMPORT_MAX_ROWS"
ENV_MAX_MB = "SCORING_IMPORT_MAX_MB"
#: How many times its size an xlsx may unpack to (a zip bomb is refused before it is parsed).
UNPACK_RATIO = 5

#: A caller's header check: ``(header cells, header row number) -> problems``.
HeaderCheck = Callable[[list[str], int], list[Problem]]
#: A streamed row: dense cell texts (csv) or sparse ``(0-based column, text)`` pairs (xlsx).
Cells = list[str] | list[tuple[int, str]]


@dataclass(frozen=True)
class Limits:
    """The caps of one read: data rows and file size.

    Attributes
    ----------
    max_rows : int
        Most data rows accepted; blank rows do not count, but at most ``2 * max_rows + 1000``
        rows are scanned in all.
    max_bytes : int
        Largest file accepted; an xlsx may unpack to at most ``UNPACK_RATIO`` times that.
    """

    max_rows: int = DEFAULT_MAX_ROWS
    max_bytes: int = DEFAULT_MAX_MB * 2**20

    @property
    def max_scanned(self) -> int:
        """Most rows (blank ones included) scanned after the header."""
        return 2 * self.max_rows + 1000

    @property
    def max_unpacked(self) -> int:
        """Largest unpacked size of an xlsx's parts, in bytes."""
        return UNPACK_RATIO * self.max_bytes

    def describe(self) -> str:
        """The caps in words, for a page or a message (e.g. ``20,000 行 / rows, 20 MB``)."""
        return f"{self.max_rows:,} 行 / rows, {self.max_bytes / 2**20:g} MB"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(
            [Problem(f"{name}={raw!r}：须为正整数 / must be a whole number")]
        ) from None
    if value < 1:
        raise InputError([Problem(f"{name}={raw!r}：须为正整数 / must be a whole number")])
    return value


def import_limits(max_rows: int | None = None, max_mb: float | None = None) -> Limits:
    """The import caps: the arguments, else ``$SCORING_IMPORT_MAX_ROWS`` / ``$SCORING_IMPORT_MAX_MB``,
    else 20,000 rows and 20 MB.

    Raises
    ------
    InputError
        An environment variable that is not a positive whole number.
    """
    rows = max_rows if max_rows is not None else _env_int(ENV_MAX_ROWS, DEFAULT_MAX_ROWS)
    mb = max_mb if max_mb is not None else _env_int(ENV_MAX_MB, DEFAULT_MAX_MB)
    return Limits(max_rows=int(rows), max_bytes=int(mb * 2**20))


class TableError(InputError):
    """A table refused by one of :func:`read_table`'s checks.

    Attributes
    ----------
    check : str
        Which check refused: ``file`` (unreadable, wrong type or encoding), ``size`` (file or
        unpacked size cap), ``sheet`` (no or an ambiguous data sheet), ``header``, ``rows`` (row
        cap), ``columns`` (values beyond the header), ``merged`` or ``formula`` (cells).
    """

    def __init__(self, check: str, problems: Iterable[Problem | str], *, file: str | None = None):
        super().__init__(problems, file=file)
        self.check = check


def _number_text(value: float | int, percent: bool) -> str:
    if percent:
        try:
            d = (Decimal(repr(value)) * 100).normalize()
        except InvalidOperation:
            return repr(value)
        return f"{d:f}%"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def _cell_text(value: Any, percent: bool = False) -> str:
    """The text of one xlsx cell value (as the user sees it, without evaluating formulas)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return _number_text(value, percent)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(getattr(value, "text", value))  # an array formula keeps its text in .text


def _check_size(path: Path, limits: Limits) -> None:
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise TableError(
            "size",
            [
                Problem(
                    f"文件过大（{size / 2**20:.1f} MB，上限 {limits.max_bytes / 2**20:g} MB） / "
                    f"the file is too large ({size / 2**20:.1f} MB; at most "
                    f"{limits.max_bytes / 2**20:g} MB)"
                )
            ],
            file=path.name,
        )


def _csv_rows(path: Path) -> Iterator[tuple[int, Cells]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(
            "file",
            [
                Problem(
                    f"文件不是 UTF-8 编码（第 {exc.start} 字节无法解码），请在 Excel 中另存为"
                    f"“CSV UTF-8(逗号分隔)”后重新导入 / the file is not UTF-8 (undecodable byte"
                    f" at position {exc.start}); save it as 'CSV UTF-8' and import again"
                )
            ],
            file=path.name,
        ) from None
    if "\x00" in text:
        raise TableError(
            "file",
            [
                Problem(
                    "文件含空字节，不是文本 csv / the file contains NUL bytes: it is not a text csv"
                )
            ],
            file=path.name,
        )
    try:
        yield from enumerate(csv.reader(_io.StringIO(text, newline=""), strict=True), start=1)
    except csv.Error as exc:
        raise TableError(
            "file", [Problem(f"csv 格式错误 / malformed csv: {exc}")], file=path.name
        ) from None


def _filled(cells: Cells) -> int:
    return sum(1 for c in cells if (c[1] if isinstance(c, tuple) else c).strip())


def _dense(cells: Cells, width: int) -> tuple[list[str], int]:
    """The first ``width`` cell texts and how many filled cells lie beyond them."""
    out = [""] * width
    extra = 0
    for j, c in enumerate(cells):
        col, text = c if isinstance(c, tuple) else (j, c)
        if col < width:
            out[col] = text
        elif text.strip():
            extra += 1
    return out, extra


def _locate_header(
    rows: Iterator[tuple[int, Cells]],
) -> tuple[int, Cells, Iterator[tuple[int, Cells]]]:
    """Skip leading blank rows and a single-cell title row: (header row, cells, the rest)."""
    first = next(((i, r) for i, r in rows if _filled(r)), None)
    if first is None:
        raise TableError(
            "header", [Problem("文件为空（没有表头行）/ the file is empty (no header row)")]
        )
    if _filled(first[1]) == 1:
        nxt = next(((i, r) for i, r in rows if _filled(r)), None)
        if nxt is not None and _filled(nxt[1]) >= 2:
            return nxt[0], nxt[1], rows
        if nxt is not None:
            return first[0], first[1], _chain(nxt, rows)
    return first[0], first[1], rows


def _chain(
    head: tuple[int, Cells], rest: Iterator[tuple[int, Cells]]
) -> Iterator[tuple[int, Cells]]:
    yield head
    yield from rest


def _header_problems(header: list[str], header_row: int) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for j, col in enumerate(header):
        if not col:
            problems.append(
                Problem(f"表头第 {j + 1} 格为空 / header cell {j + 1} is blank", row=header_row)
            )
        elif col in seen:
            problems.append(
                Problem(
                    "表头中此列出现两次 / column appears twice in the header",
                    row=header_row,
                    column=col,
                )
            )
        seen.add(col)
    return problems


def too_many(limits: Limits, blank: bool) -> Problem:
    """The row cap's problem: too many data rows, or (``blank``) too many rows scanned."""
    if blank:
        return Problem(
            f"超过 {limits.max_scanned:,} 行（含空行），未全部读取 / more than "
            f"{limits.max_scanned:,} rows (blank ones included): the file was not read to the end"
        )
    return Problem(
        f"数据超过 {limits.max_rows:,} 行上限，未全部读取；请拆分文件 / more than "
        f"{limits.max_rows:,} data rows (the cap): the file was not read to the end; split it"
    )


def read_table(
    path: PathLike,
    *,
    sheet: str | int | None = None,
    check_header: HeaderCheck | None = None,
    limits: Limits | None = None,
    formulas: Literal["text", "refuse"] = "text",
) -> pd.DataFrame:
    """Read a csv or xlsx table as strings, indexed by spreadsheet row number.

    Parameters
    ----------
    path : path-like
        ``.csv`` (UTF-8, with or without BOM) or ``.xlsx``.
    sheet : str or int, optional
        The xlsx sheet (name or position); default the active sheet when it is visible, else
        the only visible one (hidden sheets are never picked by default).
    check_header : callable, optional
        ``(header cells, header row) -> problems``, called before any data row is read (when
        the header has no blank or repeated cell); its problems refuse the file at once.
    limits : Limits, optional
        The caps; default :func:`import_limits` (environment, else 20,000 rows and 20 MB).
    formulas : {"text", "refuse"}
        ``"text"``: a formula cell reads as its formula text (never evaluated); ``"refuse"``: a
        formula or error cell in a data row is a problem.

    Returns
    -------
    DataFrame
        One ``str`` column per header cell (headers stripped), every value a string (``""`` for
        an empty cell; a percent-formatted number as shown, ``95.3%``), index named ``row``
        holding the spreadsheet row number. Fully blank rows are left out (their numbers are
        skipped). A single-cell title row above the header (as in the official forms) is
        recognised and skipped; merged cells above the header (title, grouped headers) are
        allowed. ``attrs`` holds ``file``, ``header_row`` and, for an xlsx, ``sheet``.

    Raises
    ------
    TableError
        Unreadable or non-UTF-8 file, unsupported extension, over the size or row cap, hidden or
        ambiguous sheet, empty file, blank or duplicated header cells (or ``check_header``'s
        problems), data beyond the last header column, merged cells reaching a data row, and
        with ``formulas="refuse"`` formula cells; ``check`` says which check refused.
    """
    from . import xlsx_rows

    p = Path(path)
    name = p.name
    suffix = p.suffix.lower()
    lim = limits or import_limits()
    if not p.exists():
        raise TableError("file", [Problem("找不到文件 / file not found")], file=str(p))
    book: xlsx_rows.SheetRows | None = None
    try:
        if suffix == ".csv":
            _check_size(p, lim)
            rows = _csv_rows(p)
        elif suffix in (".xlsx", ".xlsm"):
            _check_size(p, lim)
            book = xlsx_rows.SheetRows(p, sheet, lim, strict=formulas == "refuse")
            rows = iter(book)
        elif suffix == ".xls":
            raise TableError(
                "file",
                [
                    Problem(
                        "不读取旧版 .xls，请另存为 .xlsx 或 csv / old .xls workbooks are not read; save it as .xlsx or csv"
                    )
                ],
            )
        else:
            raise TableError(
                "file",
                [
                    Problem(
                        f"不支持的文件类型“{suffix}”（请用 .csv 或 .xlsx）/ unsupported file type '{suffix}' (use .csv or .xlsx)"
                    )
                ],
            )
        return _read_rows(rows, book, name, check_header, lim)
    except TableError as exc:
        problems = list(exc.problems)
        if exc.check == "header" and book is not None and book.others:
            problems.append(
                Problem(
                    f"读取的是当前工作表「{book.title}」，另有：{'、'.join(book.others)} / read the "
                    f"active sheet '{book.title}'; the others: {', '.join(book.others)}"
                )
            )
        raise TableError(exc.check, problems, file=name) from None
    finally:
        if book is not None:
            book.close()


def _read_rows(
    rows: Iterator[tuple[int, Cells]],
    book: Any,
    name: str,
    check_header: HeaderCheck | None,
    lim: Limits,
) -> pd.DataFrame:
    header_row, head_cells, rest = _locate_header(rows)
    header = [c.strip() for c in _dense(head_cells, _width(head_cells))[0]]
    while header and not header[-1]:
        header.pop()
    problems = _header_problems(header, header_row)
    if check_header is not None and not problems:
        problems = list(check_header(header, header_row))
    if problems:
        raise TableError("header", problems)
    if book is not None:
        book.check_rows(header_row, lim)
    width = len(header)
    data: list[list[str]] = []
    index: list[int] = []
    beyond: list[Problem] = []
    for scanned, (i, r) in enumerate(rest, start=1):
        if scanned > lim.max_scanned:
            raise TableError("rows", [too_many(lim, blank=True)])
        if not _filled(r):
            continue
        if len(data) >= lim.max_rows:
            raise TableError("rows", [too_many(lim, blank=False)])
        cells, extra = _dense(r, width)
        if extra:
            beyond.append(
                Problem(
                    f"有 {extra} 个值超出最后一个表头列 / {extra} value(s) beyond the last header column",
                    row=i,
                )
            )
        data.append(cells)
        index.append(i)
    if beyond:
        raise TableError("columns", beyond)
    if book is not None:
        book.check_cells(header_row, header)
    df = pd.DataFrame(data, columns=header, index=pd.Index(index, name="row"), dtype=object)
    df = df.astype("str") if len(df.columns) else df
    df.attrs["file"] = name
    df.attrs["header_row"] = header_row
    if book is not None:
        df.attrs["sheet"] = book.title
    return df


def _width(cells: Cells) -> int:
    if cells and isinstance(cells[0], tuple):
        return max(c[0] for c in cells) + 1  # type: ignore[index]
    return len(cells)
