"""Writing sheets as xlsx laid out by a form layout (:mod:`.forms`).

Top to bottom: the lines above the title, the title merged across the columns, the lines below it,
one header row (two when columns are grouped under a merged header), the data, the 注 lines. Then
the column widths (fixed by the layout or from the content), the frozen header, the autofilter and
the print setup. Formats (fonts, borders, fills) come from the layout's ``formats``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from .cells import Prepared, _display_width, neutralise, prepare
from .forms import PAPER, Layout, PrintSetup


class _Formats:
    """The workbook formats of a layout, made once each (title, header and cell first)."""

    def __init__(self, wb: Any, layout: Layout) -> None:
        self.wb = wb
        self.spec = layout.formats
        self._made: dict[tuple, Any] = {}
        self.title, self.header, self.cell = (self.get(k) for k in ("title", "header", "cell"))

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


def _print_setup(ws: Any, p: PrintSetup, first: int, last: int) -> None:
    if p.orientation == "landscape":
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


def _write_sheet(
    ws: Any,
    t: Prepared,
    title: str | None,
    layout: Layout,
    fields: Mapping[str, Any],
    fmt: _Formats,
    en: bool,
) -> None:
    ncol = max(len(t.names), 1)
    r = 0
    for line in layout.above:
        _across(ws, r, ncol, neutralise(line.render(fields)), fmt.get("line", align=line.align))
        r += 1
    if title:
        _across(ws, r, ncol, neutralise(title), fmt.title)
        ws.set_row(r, layout.title_height)
        r += 1
    for line in layout.below:
        _across(ws, r, ncol, neutralise(line.render(fields)), fmt.get("line", align=line.align))
        r += 1
    first_head = r
    head = _header(ws, r, t, layout, fmt.header, en)
    cell_fmt = [
        fmt.get("cell", **_cell_extra(c)) if c and (c.number_format or c.wrap) else fmt.cell
        for c in t.columns
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
    for j, name in enumerate(t.names):
        col = t.columns[j]
        if col is not None and col.width is not None:
            ws.set_column(j, j, col.width)
            continue
        longest = max([_display_width(name)] + [_display_width(r[j]) for r in t.rows[: w.sample]])
        ws.set_column(j, j, min(max(longest + w.pad, w.min), w.max))
    if layout.freeze:
        ws.freeze_panes(head + 1, 0)
    if layout.autofilter and t.rows:
        ws.autofilter(head, 0, head + len(t.rows), len(t.names) - 1)
    for i, note in enumerate(layout.notes, start=head + 1 + len(t.rows)):
        _across(ws, i, ncol, neutralise(note.render(fields)), fmt.get("note", align=note.align))
    if layout.print is not None:
        _print_setup(ws, layout.print, first_head, head)


def _cell_extra(col: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if col.number_format:
        extra["num_format"] = col.number_format
    if col.wrap:
        extra["text_wrap"] = True
    return extra


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    tmp: str,
    title: str | None,
    headers: str | Mapping[str, str],
    layout: Layout,
    fields: Mapping[str, Any] | None = None,
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
            _write_sheet(ws, t, title, layout, fields or {}, fmt, headers == "en")
    finally:
        wb.close()
