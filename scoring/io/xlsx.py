"""Writing sheets as xlsx laid out by a form layout (:mod:`.forms`).

Top to bottom: the lines above the title, the title merged across the columns, the lines below it,
one header row (two when columns are grouped under a merged header), the data, the 注 lines. Then
the column widths (fixed by the layout or from the content), the frozen header, the autofilter and
the print setup. Formats (fonts, borders, fills) come from the layout's ``formats``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .cells import Prepared, _display_width, neutralise, prepare
from .forms import PAPER, Layout, PrintSetup

#: Columns wider than this (in characters, the sum of the widths) print landscape (``auto``).
PORTRAIT_WIDTH = 100
#: Format keys of a cell that a text run inside it does not take.
_CELL_ONLY = {"align", "valign", "border", "bg_color", "text_wrap", "num_format"}


class _Formats:
    """The workbook formats of a layout, made once each (title, header and cell first)."""

    def __init__(self, wb: Any, layout: Layout) -> None:
        self.wb = wb
        self.spec = layout.formats
        self._made: dict[tuple, Any] = {}
        self.title, self.header, self.cell = (self.get(k) for k in ("title", "header", "cell"))
        title = dict(self.spec.get("title", {}))
        self.title_block = self.get("title", text_wrap=True)
        self.title_run = wb.add_format({k: v for k, v in title.items() if k not in _CELL_ONLY})
        self.block_run = wb.add_format(
            {"font_name": title.get("font_name", "宋体"), "font_size": 10, "bold": False}
        )

    def get(self, base: str, **extra: Any) -> Any:
        key = (base, tuple(sorted(extra.items())))
        if key not in self._made:
            self._made[key] = self.wb.add_format({**self.spec.get(base, {}), **extra})
        return self._made[key]


def _across(ws: Any, row: int, ncol: int, text: str, fmt: Any) -> None:
    """One text merged across the ``ncol`` columns of ``row``."""
    _across_cols(ws, row, 0, ncol - 1, text, fmt)


def _header(ws: Any, row: int, t: Prepared, layout: Layout, fmt: Any, en: bool) -> int:
    """Write the header row(s) from ``row``; return the last header row."""
    if not any(t.groups):
        for j, name in enumerate(t.names):
            ws.write_string(row, j, name, fmt)
        return row
    j, n = 0, len(t.names)
    while j < n:
        g = t.groups[j]
        if g is None:
            ws.merge_range(row, j, row + 1, j, t.names[j], fmt)
            j += 1
            continue
        end = j
        while end + 1 < n and t.groups[end + 1] == g:
            end += 1
        label = g if en else layout.groups[g].zh
        _across_cols(ws, row, j, end, label, fmt)
        for k in range(j, end + 1):
            ws.write_string(row + 1, k, t.names[k], fmt)
        j = end + 1
    return row + 1


def _across_cols(ws: Any, row: int, first: int, last: int, text: str, fmt: Any) -> None:
    """One text merged across columns ``first`` to ``last`` of ``row`` (a single cell if equal)."""
    if last > first:
        ws.merge_range(row, first, row, last, text, fmt)
    else:
        ws.write_string(row, first, text, fmt)


def _print_setup(
    ws: Any, p: PrintSetup, first: int, last: int, width: float, footer: str | None
) -> None:
    """Orientation (``auto``: landscape when the columns are wider than a portrait A4 page),
    paper, fit to width, the header rows repeated on every page, margins, and the footer."""
    if p.orientation == "landscape" or (p.orientation == "auto" and width > PORTRAIT_WIDTH):
        ws.set_landscape()
    else:
        ws.set_portrait()
    if p.paper:
        ws.set_paper(PAPER[p.paper])
    if p.fit_to_width:
        ws.fit_to_pages(1, 0)
    if p.repeat_header:
        ws.repeat_rows(first, last)
    if p.margins:
        ws.set_margins(**p.margins)
    if p.center:
        ws.center_horizontally()
    page = "第 &P 页 / 共 &N 页"
    text = (footer or "").replace("&", "&&")[:200]
    ws.set_footer(f"&L&8{text}&R&8{page}" if text else f"&C&8{page}")


def _title(ws: Any, row: int, ncol: int, title: str, block: Sequence[str], fmt: _Formats) -> None:
    """The title merged across the columns, the title block's lines under it in the same cell
    (smaller, not bold)."""
    if not block:
        _across(ws, row, ncol, neutralise(title), fmt.title)
        return
    parts: list[Any] = [fmt.title_run, neutralise(title)]
    for line in block:
        parts += [fmt.block_run, "\n" + str(neutralise(line))]
    if ncol > 1:
        ws.merge_range(row, 0, row, ncol - 1, "", fmt.title_block)
    ws.write_rich_string(row, 0, *parts, fmt.title_block)


def _block_height(block: Sequence[str], width: float) -> float:
    """Points the title block's lines take in a cell ``width`` characters wide (10 pt: ~1.3 per
    character of the column's unit, 15 points a line)."""
    per_line = max(width * 1.3, 20.0)
    return 15.0 * sum(math.ceil(max(_display_width(x), 1) / per_line) for x in block)


@dataclass(frozen=True)
class _Extras:
    """What a writer adds to the layout: title block lines, page footer, number formats."""

    block: Sequence[str] = ()
    footer: str | None = None
    number_formats: Mapping[str, str] | None = None


def _write_sheet(
    ws: Any,
    t: Prepared,
    title: str | None,
    layout: Layout,
    fields: Mapping[str, Any],
    fmt: _Formats,
    en: bool,
    extras: _Extras | None = None,
) -> None:
    extras = extras or _Extras()
    block, footer, number_formats = extras.block, extras.footer, extras.number_formats
    ncol = max(len(t.names), 1)
    r = title_row = 0
    for line in layout.above:
        _across(ws, r, ncol, neutralise(line.render(fields)), fmt.get("line", align=line.align))
        r += 1
    if title:
        _title(ws, r, ncol, title, block, fmt)
        ws.set_row(r, layout.title_height)
        title_row = r
        r += 1
    for line in layout.below:
        _across(ws, r, ncol, neutralise(line.render(fields)), fmt.get("line", align=line.align))
        r += 1
    first_head = r
    head = _header(ws, r, t, layout, fmt.header, en)
    formats = number_formats or {}
    cell_fmt = [
        fmt.get("cell", **_cell_extra(c, formats.get(k)))
        if formats.get(k) or (c and (c.number_format or c.wrap))
        else fmt.cell
        for k, c in zip(t.keys, t.columns, strict=True)
    ]
    for i, rec in enumerate(t.rows, start=head + 1):
        for j, v in enumerate(rec):
            if v is None:
                ws.write_blank(i, j, None, cell_fmt[j])
            elif isinstance(v, (int, float)):
                ws.write_number(i, j, v, cell_fmt[j])
            else:
                ws.write_string(i, j, v, cell_fmt[j])
    w = layout.widths
    total = 0.0
    for j, name in enumerate(t.names):
        col = t.columns[j]
        if col is not None and col.width is not None:
            ws.set_column(j, j, col.width)
            total += col.width
            continue
        longest = max([_display_width(name)] + [_display_width(r[j]) for r in t.rows[: w.sample]])
        width = min(max(longest + w.pad, w.min), w.max)
        ws.set_column(j, j, width)
        total += width
    if title and block:
        ws.set_row(title_row, layout.title_height + _block_height(block, total))
    if layout.freeze:
        ws.freeze_panes(head + 1, 0)
    if layout.autofilter and t.rows:
        ws.autofilter(head, 0, head + len(t.rows), len(t.names) - 1)
    for i, note in enumerate(layout.notes, start=head + 1 + len(t.rows)):
        _across(ws, i, ncol, neutralise(note.render(fields)), fmt.get("note", align=note.align))
    if layout.print is not None:
        _print_setup(ws, layout.print, first_head, head, total, footer)


def _cell_extra(col: Any, number_format: str | None = None) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if number_format or (col is not None and col.number_format):
        extra["num_format"] = number_format or col.number_format
    if col is not None and col.wrap:
        extra["text_wrap"] = True
    return extra


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    tmp: str,
    title: str | None,
    headers: str | Mapping[str, str],
    layout: Layout,
    fields: Mapping[str, Any] | None = None,
    *,
    block: Sequence[str] = (),
    footer: str | None = None,
    number_formats: Mapping[str, str] | None = None,
) -> None:
    """Write ``sheets`` (name -> DataFrame) to the xlsx file ``tmp``, each laid out by ``layout``.

    Parameters
    ----------
    title : str, optional
        The title (already filled); None writes no title row.
    headers : {"zh", "en"} or mapping
        As in :func:`scoring.io.cells.prepare`.
    fields : mapping, optional
        Values of the placeholders of the layout's lines and notes.
    block : sequence of str
        The title block: lines printed under the title, in the title's cell (panel, date,
        members, weights, hashes); nothing without a title.
    footer : str, optional
        Printed at the left of every page's footer (the page number is at the right).
    number_formats : mapping, optional
        Column key -> Excel number format (``0.00``), over the layout's.
    """
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        tmp, {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}
    )
    try:
        fmt = _Formats(wb, layout)
        for sheet_name, df in sheets.items():
            t = prepare(df, headers, layout)
            ws = wb.add_worksheet(sheet_name)
            extras = _Extras(tuple(block), footer, number_formats)
            _write_sheet(ws, t, title, layout, fields or {}, fmt, headers == "en", extras)
    finally:
        wb.close()
