"""Writing a ledger (附件4-1 企业 / 附件4-2 区域 季度台帐) as the xlsx form, and its blank templates.

:func:`export_ledger` lays a ledger's content (``docs/FOLLOWUP-DESIGN.md``) out by the form layouts
``data/forms/ledger-enterprise.yml`` / ``ledger-region.yml`` through the same writer as every other
form (:mod:`scoring.io.xlsx`): the 附件 label, 项目单位（公章）, the title, ``单位：万元`` with the
contact, the two header rows with ``其中：信贷（融资）情况`` merged over the financing kinds, one row
per measure, the 注 lines, the column widths and the print setup (A4 landscape, one page wide, the
header rows repeated on every page). On top of the layout it adds what the form's layout cannot
say: the block cells (序号, name, 所在地市, 所属行业) merged down over the block's rows, goals merged
down over the measures that follow them, goals numbered ``1、`` and measures ``1.`` afresh in each
block, row heights for the wrapped text, and the extra ``进展情况`` column at the end (注5: the
ledger may hold more than the plan). :func:`scoring.io.ledger_file.read_ledger` reads the file
back to the same content.

:func:`write_ledger_template` writes the blank form (``data/templates/ledger-*.xlsx``) with
drop-down lists for 所在地市 and 进展情况.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..followup.codes import industry_label
from ..followup.content import FINANCING, KINDS, normalise, numbered
from ..followup.workflow import progress_codes
from ..programme import schema
from .cells import _display_width, prepare
from .forms import Column, Layout, Text, load_layout
from .tables import PathLike
from .writer import atomic_file
from .xlsx import _Formats, _write_sheet

__all__ = [
    "LAYOUTS",
    "PROGRESS_COLUMN",
    "export_ledger",
    "ledger_frame",
    "ledger_layout",
    "write_ledger_template",
    "write_ledger_templates",
]

#: The form layout of each ledger kind.
LAYOUTS: dict[str, str] = {"enterprise": "ledger-enterprise", "region": "ledger-region"}
#: The extra column of the export and the online ledger (进展: 已完成 / 推进中 / 未开始).
PROGRESS_COLUMN = Column(key="progress", zh="进展情况", en="Progress", width=10, wrap=True)
#: Columns merged down over a block's rows.
BLOCK_COLUMNS = ("seq", "name", "city", "industry")
#: The creation date written into the templates (so regenerating them changes nothing).
_CREATED = datetime(2026, 1, 1)
#: Blank rows of a template (bordered, with the drop-down lists).
TEMPLATE_ROWS = 12
#: Points per line of wrapped 10.5 pt text.
_LINE_PT = 14.5


def _esc(text: str) -> str:
    """Text safe inside a layout line (its ``{}`` are placeholders)."""
    return str(text).replace("{", "{{").replace("}", "}}")


def ledger_layout(
    kind: str,
    *,
    unit: str = "",
    contact: str = "",
    period_label: str | None = None,
) -> Layout:
    """The form layout of ``kind`` with the 进展情况 column and the header lines filled.

    Parameters
    ----------
    kind : {"enterprise", "region"}
    unit : str
        Printed after 项目单位（公章）：.
    contact : str
        Printed after 联系人姓名及电话：.
    period_label : str, optional
        Replaces （样表） in the title, e.g. ``2026年第二季度``; None keeps the form's title.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown ledger kind {kind!r} (known: {', '.join(KINDS)})")
    base = load_layout(LAYOUTS[kind])

    def filled(t: Text) -> Text:
        if t.zh.startswith("项目单位") and unit:
            return Text(t.zh + _esc(unit), t.en + _esc(unit), t.align)
        if "联系人" in t.zh and contact:
            return Text(t.zh + _esc(contact), t.en + _esc(contact), t.align)
        return t

    title = base.title
    if title is not None and period_label:
        zh = title.zh.replace("（样表）", f"（{_esc(period_label)}）")
        title = Text(zh if zh != title.zh else f"{title.zh}（{_esc(period_label)}）", title.en)
    columns = base.columns
    if base.column(PROGRESS_COLUMN.key) is None:
        columns = (*columns, PROGRESS_COLUMN)
    return dataclasses.replace(
        base,
        title=title,
        above=tuple(filled(t) for t in base.above),
        below=tuple(filled(t) for t in base.below),
        columns=columns,
    )


def _progress_zh(code: Any) -> Any:
    spec = progress_codes().get(code) if isinstance(code, str) else None
    return spec.get("zh", code) if spec else code


def _month_text(value: Any) -> Any:
    if isinstance(value, str) and len(value) == 7 and value[4] == "-" and value[:4].isdigit():
        return f"{value[:4]}年{int(value[5:]):d}月" if value[5:].isdigit() else value
    return value


def ledger_frame(content: Any, kind: str) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """The ledger as the form's rows: one row per measure, block cells on a block's first row.

    Parameters
    ----------
    content : any
        Ledger content (normalised first).
    kind : {"enterprise", "region"}

    Returns
    -------
    (DataFrame, list of (int, int))
        The rows under the layout's keys (``seq``, ``name``, …, ``progress``; goals numbered
        ``1、``, measures ``1.``, 大类 as ``36 汽车制造业``, 完成时限 ``2026年6月``, 进展 in Chinese)
        and each block's first and last row (0-based positions in the frame).
    """
    c = numbered(normalise(content, kind))
    keys = ledger_layout(kind).keys
    records: list[dict[str, Any]] = []
    spans: list[tuple[int, int]] = []
    for block in c["blocks"]:
        first = len(records)
        rows = block["rows"] or [{}]
        for r, row in enumerate(rows):
            rec: dict[str, Any] = dict.fromkeys(keys)
            if r == 0:
                rec.update(seq=block["seq"], name=block["name"] or None, city=block["city"] or None)
                if "industry" in rec:
                    rec["industry"] = (
                        "\n".join(industry_label(x) for x in block["industries"]) or None
                    )
            if row.get("goal"):
                rec["goals"] = f"{row['goal_no']}、{row['goal']}"
            if row.get("measure"):
                sep = " " if row["measure"][:1].isdigit() else ""  # 1. 30家…, not 1.30家…
                rec["measures"] = f"{row['measure_no']}{sep}{row['measure']}"
            for k in FINANCING:
                rec[k] = row.get(k)
            rec["deadline"] = _month_text(row.get("deadline"))
            rec["results"] = row.get("result")
            rec["progress"] = _progress_zh(row.get("progress"))
            if "enterprise" in rec:
                rec["enterprise"] = row.get("enterprise")
            records.append(rec)
        spans.append((first, len(records) - 1))
    return pd.DataFrame(records, columns=keys), spans


def _goal_spans(frame: pd.DataFrame, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each goal's row and the rows under it without a goal, within a block."""
    out: list[tuple[int, int]] = []
    goals = [isinstance(g, str) and bool(g) for g in frame["goals"]] if len(frame) else []
    for first, last in spans:
        start: int | None = None
        for i in range(first, last + 1):
            if goals[i]:
                if start is not None and i - 1 > start:
                    out.append((start, i - 1))
                start = i
        if start is not None and last > start:
            out.append((start, last))
    return out


def _lines_of(text: Any, width: float) -> int:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return 1
    per = max(width - 1, 1)
    return sum(max(1, math.ceil(_display_width(p) / per)) for p in str(text).split("\n"))


def _write(
    path: Path,
    frame: pd.DataFrame,
    spans: Sequence[tuple[int, int]],
    layout: Layout,
    *,
    template: bool = False,
) -> Path:
    import xlsxwriter

    title = layout.title_text()
    with atomic_file(path) as tmp:
        wb = xlsxwriter.Workbook(
            tmp,
            {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True},
        )
        try:
            if template:
                wb.set_properties({"created": _CREATED, "title": title})
            fmt = _Formats(wb, layout)
            ws = wb.add_worksheet(layout.sheet)
            t = prepare(frame, "zh", layout)
            _write_sheet(ws, t, title, layout, {}, fmt, False)
            groups = any(c.group for c in layout.columns)
            first = len(layout.above) + (title is not None) + len(layout.below) + 1 + groups
            widths = [c.width or 10 for c in layout.columns]
            keys = layout.keys
            # row heights for the wrapped text (Excel does not size merged or wrapped rows)
            heights = [
                max(_lines_of(v, w) for v, w in zip(rec, widths, strict=True)) for rec in t.rows
            ]
            wrap = fmt.get("cell", text_wrap=True)
            merges: list[tuple[int, int, int]] = []  # column, first row, last row (0-based)
            for a, b in spans:
                if b > a:
                    merges += [(keys.index(k), a, b) for k in BLOCK_COLUMNS if k in keys]
            if len(frame):
                merges += [(keys.index("goals"), a, b) for a, b in _goal_spans(frame, spans)]
            for j, a, b in merges:
                value = t.rows[a][j]
                lines = _lines_of(value, widths[j])
                have = sum(heights[a : b + 1])
                if lines > have:
                    heights[b] += lines - have
                ws.merge_range(first + a, j, first + b, j, "", wrap)
                if value is None:
                    ws.write_blank(first + a, j, None, wrap)
                elif isinstance(value, int | float):
                    ws.write_number(first + a, j, value, wrap)
                else:
                    ws.write_string(first + a, j, value, wrap)
            for i, h in enumerate(heights):
                ws.set_row(first + i, max(h, 1) * _LINE_PT + 3)
            notes = first + len(t.rows)
            for i, note in enumerate(layout.notes):
                n = _lines_of(note.zh, sum(widths) * 0.95)
                ws.set_row(notes + i, n * _LINE_PT + 2)
            if template:
                rows = max(len(t.rows), 1)
                cities = {"validate": "list", "source": list(schema.CITIES)}
                ws.data_validation(first, keys.index("city"), first + rows - 1, keys.index("city"),
                                   cities)  # fmt: skip
                labels = [str(s.get("zh", k)) for k, s in progress_codes().items()]
                j = keys.index("progress")
                ws.data_validation(first, j, first + rows - 1, j,
                                   {"validate": "list", "source": labels})  # fmt: skip
        finally:
            wb.close()
    return path


def export_ledger(
    content: Any,
    kind: str,
    path: PathLike,
    *,
    project: Mapping[str, Any] | None = None,
    period: str | None = None,
) -> Path:
    """Write a ledger as the 附件4-1 (enterprise) or 附件4-2 (region) xlsx form.

    Parameters
    ----------
    content : any
        Ledger content (``contact``, ``blocks``; normalised first).
    kind : {"enterprise", "region"}
    path : path-like
        ``.xlsx``; written atomically, parent folders created.
    project : mapping, optional
        The followed project (``unit_name`` or ``name``: printed after 项目单位（公章）：).
    period : str, optional
        A period key (``2026Q2``); its label replaces （样表） in the title.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ValueError
        An unknown kind or period key, or a path that is not ``.xlsx``.
    """
    from ..followup.periods import period_label

    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        raise ValueError(f"{p.name}: 台帐导出为 .xlsx / a ledger is exported as .xlsx")
    c = normalise(content, kind)
    proj = project or {}
    unit = str(proj.get("unit_name") or proj.get("name") or "")
    label = period_label(period) if period else None
    layout = ledger_layout(kind, unit=unit, contact=c["contact"], period_label=label)
    frame, spans = ledger_frame(c, kind)
    return _write(p, frame, spans, layout)


def write_ledger_template(kind: str, path: PathLike) -> Path:
    """Write the blank 附件4-1/4-2 form to fill in (title （样表）, 12 bordered rows, drop-down
    lists for 所在地市 and 进展情况); same bytes every time but for nothing."""
    layout = ledger_layout(kind)
    frame = pd.DataFrame([dict.fromkeys(layout.keys)] * TEMPLATE_ROWS, columns=layout.keys)
    return _write(Path(path), frame, [], layout, template=True)


def write_ledger_templates(folder: PathLike) -> list[Path]:
    """Write ``ledger-enterprise.xlsx`` and ``ledger-region.xlsx`` into ``folder``
    (``data/templates/``)."""
    out = Path(folder)
    return [write_ledger_template(kind, out / f"{LAYOUTS[kind]}.xlsx") for kind in KINDS]
