"""Streaming the rows of one xlsx worksheet, for :func:`scoring.io.tables.read_table`.

The workbook's unpacked size is checked before it is opened; the sheet is the active one when it
is visible, else the only visible one (a hidden sheet is never read unless named); rows are parsed
one at a time by openpyxl's own worksheet parser (the one its read-only mode uses) and yielded as
sparse ``(column, text)`` pairs, so a stray cell far to the right or below costs nothing. A
percent-formatted number reads as shown (``0.953`` in ``0.0%`` -> ``95.3%``). After the last row
:meth:`SheetRows.check_cells` refuses merged cells reaching a data row and (``strict``) formula
and error cells.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter, range_boundaries

from ..errors import Problem
from .tables import Cells, Limits, TableError, _cell_text, too_many

#: What a damaged workbook raises while it is parsed.
_DAMAGED = (ValueError, KeyError, IndexError, SyntaxError, TypeError, EOFError, OSError)
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _is_percent(code: str) -> bool:
    """Whether a number format shows its value as a percentage (``0.0%``; not ``"%"`` text)."""
    return "%" in _QUOTED.sub("", code or "")


def _check_unpacked(path: Path, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl reports the unreadable file below
    if unpacked > limits.max_unpacked:
        raise TableError(
            "size",
            [
                Problem(
                    f"工作簿解压后过大（{unpacked / 2**20:.0f} MB，上限 "
                    f"{limits.max_unpacked / 2**20:g} MB） / the workbook unpacks to "
                    f"{unpacked / 2**20:.0f} MB (at most {limits.max_unpacked / 2**20:g} MB)"
                )
            ],
        )


class SheetRows:
    """The rows of one worksheet of an xlsx file, streamed.

    Parameters
    ----------
    path : Path
    sheet : str or int or None
        Name or position; None: the active sheet if visible, else the only visible one.
    limits : Limits
    strict : bool
        Record formula and error cells (refused by :meth:`check_cells`).

    Raises
    ------
    TableError
        ``size`` (unpacks too large), ``file`` (not a workbook), ``sheet`` (no such sheet, none
        visible, or the active sheet hidden and several visible).
    """

    def __init__(self, path: Path, sheet: str | int | None, limits: Limits, *, strict: bool):
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet
        from openpyxl.utils.exceptions import InvalidFileException

        _check_unpacked(path, limits)
        try:  # load_workbook's steps without sizing every sheet (a full parse without <dimension>)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                reader = ExcelReader(path, read_only=True, data_only=False, keep_links=False)
                reader.read_manifest()
                reader.read_strings()
                reader.read_workbook()
                apply_stylesheet(reader.archive, reader.wb)
                entries = list(reader.parser.find_sheets())
        except (zipfile.BadZipFile, InvalidFileException, *_DAMAGED) as exc:
            raise TableError(
                "file",
                [
                    Problem(
                        f"不是可读取的 xlsx 工作簿（{type(exc).__name__}），请另存为 .xlsx / not a "
                        f"readable xlsx workbook ({type(exc).__name__}); save it as .xlsx"
                    )
                ],
            ) from None
        self._archive, self._wb, self._strings = reader.archive, reader.wb, reader.shared_strings
        active = entries[self._wb._active_sheet_index] if entries else None
        sheets = [
            (s.name, s.state or "visible", rel.target)
            for s, rel in entries
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
        try:
            self.title, self._path = self._choose(sheets, sheet, active and active[0].name)
        except TableError:
            self._archive.close()
            raise
        self.others = [n for n, state, _ in sheets if state == "visible" and n != self.title]
        self._strict = strict
        self._percent: dict[int, bool] = {}
        self._flagged: list[tuple[int, int, str, str]] = []  # row, column, data type, text
        self._parser: Any = None
        self._first_filled: list[int] = []  # the first filled rows (title, header …)

    @staticmethod
    def _choose(
        sheets: list[tuple[str, str, str]], sheet: str | int | None, active: str | None
    ) -> tuple[str, str]:
        names = ", ".join(n for n, _, _ in sheets)
        names_zh = "、".join(n for n, _, _ in sheets)
        if isinstance(sheet, int):
            if not -len(sheets) <= sheet < len(sheets):
                raise TableError(
                    "sheet",
                    [
                        Problem(
                            f"没有第 {sheet} 个工作表（工作表：{names_zh}） / no sheet number "
                            f"{sheet} (sheets: {names})"
                        )
                    ],
                )
            return sheets[sheet][0], sheets[sheet][2]
        if sheet is not None:
            for n, _, target in sheets:
                if n == sheet:
                    return n, target
            raise TableError(
                "sheet",
                [
                    Problem(
                        f"没有名为「{sheet}」的工作表（工作表：{names_zh}） / no sheet named "
                        f"'{sheet}' (sheets: {names})"
                    )
                ],
            )
        visible = [(n, target) for n, state, target in sheets if state == "visible"]
        for n, target in visible:
            if n == active:
                return n, target
        if len(visible) == 1:
            return visible[0]
        shown = ", ".join(n for n, _ in visible) or "—"
        raise TableError(
            "sheet",
            [
                Problem(
                    f"无法确定数据所在的工作表（可见工作表：{shown}；当前工作表已隐藏）；请只保留数据"
                    f"工作表 / cannot tell which sheet holds the data (visible sheets: {shown}; the "
                    "active sheet is hidden): keep only the data sheet"
                )
            ],
        )

    def _is_pct(self, style_id: int) -> bool:
        pct = self._percent.get(style_id)
        if pct is None:
            from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

            try:
                fid = self._wb._cell_styles[style_id].numFmtId
                code = (
                    BUILTIN_FORMATS.get(fid, "General")
                    if fid < BUILTIN_FORMATS_MAX_SIZE
                    else self._wb._number_formats[fid - BUILTIN_FORMATS_MAX_SIZE]
                )
            except (IndexError, KeyError, TypeError, AttributeError):
                code = "General"
            pct = self._percent[style_id] = _is_percent(str(code))
        return pct

    def __iter__(self) -> Iterator[tuple[int, Cells]]:
        from openpyxl.worksheet._reader import WorkSheetParser

        wb = self._wb
        src = self._archive.open(self._path)
        parser = WorkSheetParser(
            src,
            self._strings,
            data_only=False,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for idx, cells in parser.parse():
                    yield idx, self._texts(idx, cells)
        except _DAMAGED + (zipfile.BadZipFile,) as exc:
            raise TableError(
                "file",
                [
                    Problem(
                        f"工作表「{self.title}」已损坏（{type(exc).__name__}） / the worksheet "
                        f"'{self.title}' is damaged ({type(exc).__name__})"
                    )
                ],
            ) from None
        finally:
            src.close()
        self._parser = parser

    def check_rows(self, header_row: int, limits: Limits) -> None:
        """Refuse at once a sheet with more rows than the caps, counted on the raw xml.

        Called once the header is accepted: one pass over the unpacked sheet counts the row
        elements and those holding a value (``<v>``, ``<is>``, ``<f>``) without parsing a
        cell, so a row bomb is refused in well under a second; rows at or above the header
        (title, header) are not counted. The streaming count stays the exact check.

        Raises
        ------
        TableError
            ``rows``.
        """
        above = sum(1 for i in self._first_filled if i <= header_row)
        rows = filled = 0
        pending, preamble = b"", True
        with self._archive.open(self._path) as f:
            while True:
                chunk = f.read(1 << 20)
                parts = (pending + chunk).split(b"<row")
                pending = parts.pop() if chunk else b""
                if preamble and parts:
                    parts, preamble = parts[1:], False  # the text before the first row
                for part in parts:
                    if part[:1] in (b" ", b">"):  # not <rowBreaks> and the like
                        rows += 1
                        filled += b"<v" in part or b"<is" in part or b"<f" in part
                if rows > limits.max_scanned + above + 10:
                    raise TableError("rows", [too_many(limits, blank=True)])
                if filled - above > limits.max_rows:
                    raise TableError("rows", [too_many(limits, blank=False)])
                if not chunk:
                    return

    def _texts(self, idx: int, cells: list[dict[str, Any]]) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        for c in cells:
            value, kind = c["value"], c["data_type"]
            if value is None:
                continue
            pct = kind == "n" and bool(c["style_id"]) and self._is_pct(c["style_id"])
            text = _cell_text(value, pct)
            if self._strict and kind in ("f", "e"):
                self._flagged.append((idx, c["column"] - 1, kind, text))
            if text:
                out.append((c["column"] - 1, text))
        if out and len(self._first_filled) < 10:
            self._first_filled.append(idx)
        return out

    def check_cells(self, header_row: int, header: list[str]) -> None:
        """Refuse merged cells reaching below the header and (strict) formula or error cells.

        Call after the last row. Merged cells above or in the header (a title row, grouped
        headers) are allowed.

        Raises
        ------
        TableError
            ``merged`` (with any formula problems too) or ``formula``.
        """

        def column(j: int) -> str:
            return header[j] if j < len(header) and header[j] else get_column_letter(j + 1)

        problems: list[Problem] = []
        merged = getattr(self._parser, "merged_cells", None)
        for rng in getattr(merged, "mergeCell", None) or ():
            c1, r1, _c2, r2 = range_boundaries(rng.ref)
            if r2 > header_row:
                problems.append(
                    Problem(
                        f"合并单元格 {rng.ref}：请取消合并并在每个单元格填写 / merged cells "
                        f"{rng.ref}: unmerge them and fill in every cell",
                        row=max(r1, header_row + 1),
                        column=column(c1 - 1),
                    )
                )
        check = "merged" if problems else "formula"
        for row, j, kind, text in self._flagged:
            if row <= header_row:
                continue
            ref = f"{get_column_letter(j + 1)}{row}"
            if kind == "f":
                msg = (
                    f"单元格 {ref} 是公式（{text[:40]}）；请粘贴为数值 / cell {ref} is a formula "
                    f"({text[:40]}): paste it as a value"
                )
            else:
                msg = f"单元格 {ref} 是错误值 {text} / cell {ref} holds the error value {text}"
            problems.append(Problem(msg, row=row, column=column(j)))
        if problems:
            raise TableError(check, problems)

    def merged_ranges(self) -> list[tuple[int, int, int, int]]:
        """The sheet's merged ranges as 1-based ``(first column, first row, last column, last
        row)``; known only after the last row was read."""
        merged = getattr(self._parser, "merged_cells", None)
        return [range_boundaries(r.ref) for r in getattr(merged, "mergeCell", None) or ()]

    def flagged_cells(self) -> list[tuple[int, int, str, str]]:
        """The formula (``f``) and error (``e``) cells read so far (``strict`` only):
        ``(row, 0-based column, data type, text)``."""
        return list(self._flagged)

    def close(self) -> None:
        """Release the workbook's file."""
        self._archive.close()
