"""Reading a filled quarterly ledger (附件4-1 企业 / 附件4-2 区域) from xlsx or csv.

:func:`read_ledger` turns the sheet a project unit filled in into the ledger content of
``docs/FOLLOWUP-DESIGN.md`` (``contact``, ``blocks`` of rows, ``indicators`` empty), normalised
by :func:`scoring.followup.content.normalise`. The sheet is the form as printed:

* lines above the header (附件4-1, the title, 项目单位（公章）, ``单位：万元  联系人姓名及电话：…``):
  the contact is read from the 联系人 line, a unit other than 万元 is refused;
* one header row, or two when the financing columns stand under the merged
  ``其中：信贷（融资）情况`` (Chinese headers of the form, their short forms or the English
  names; a unit in brackets is ignored); an optional ``进展情况`` column (已完成/推进中/未开始);
* one row per measure; the block cells (序号, name, 所在地市, 所属行业) on the block's first row,
  merged down over its rows (xlsx) or left blank on the following rows (csv); a new 序号 or a
  new name starts the next block (enterprise ledgers: the first is the core enterprise);
* goals and measures as numbered text, their ``1.`` / ``1、`` / ``（1）`` prefixes stripped;
* amounts in 万元 (``1,200.5`` accepted), 完成时限 as a year and month in any common spelling
  (``2026-06``, ``2026.6``, ``2026年6月``, ``202606``, an Excel date or date serial);
* the 注 lines under the data are skipped.

The file is read whole or not at all: every problem (a missing or unknown column, text in a money
cell, a formula, a duplicated row or enterprise, a bad 大类 code or city, a bad 完成时限 or 进展)
is collected and raised as one :class:`~scoring.errors.InputError`, each naming the file, the
spreadsheet row and the column as headed in the file. csv files may be UTF-8 (with or without
BOM) or GBK/GB18030 (Excel's 另存为 CSV on a Chinese Windows); xlsx sheets are chosen as by
:func:`scoring.io.read_table` (the active sheet when visible, never a hidden one by default).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..followup.codes import is_city, is_division, normalise_city, parse_industries
from ..followup.content import FINANCING, KINDS, normalise, to_month, to_number, to_progress
from .fields import _unquote
from .ledger_sheet import (
    BLOCK_KEYS,
    COLUMN_KEYS,
    ZH,
    Header,
    Sheet,
    _cell,
    detect_kind,
    find_header,
    load_sheet,
    read_header,
)
from .tables import Limits, PathLike, import_limits, too_many

__all__ = ["COLUMN_KEYS", "detect_kind", "read_ledger", "strip_number"]

_UNIT = re.compile(r"(?<!项目)单位\s*[:：]\s*([^\s　]+)")
_CONTACT = re.compile(r"联系人(?:姓名)?(?:及电话|和电话|电话)?\s*[:：]\s*(.*)$")
_NUMBERED = re.compile(
    r"^\s*(?:[（(]\s*\d{1,3}\s*[)）]|\d{1,3}\s*[、:：)）]"
    r"|\d{1,3}\s*[.．。](?:\s+|(?!\d)|(?=(?:19|20)\d\d\s*年))|[一二三四五六七八九十]{1,3}\s*[、.．])\s*"
)
_SERIAL_EPOCH = date(1899, 12, 30)
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")


def strip_number(text: str) -> str:
    """A goal or measure without its leading number: ``1.建成平台`` / ``1、`` / ``（1）`` /
    ``一、`` → ``建成平台``; a number that is part of the text (``2026年``, ``1.5亿元``) stays."""
    return _NUMBERED.sub("", text, count=1).strip()


# --------------------------------------------------------------------------------------------
# rows
# --------------------------------------------------------------------------------------------


def _deadline(text: str) -> str | None:
    """``YYYY-MM`` of a 完成时限 cell, or None when it is not a year and month."""
    t = _TIME.sub("", text.strip())  # a date cell with a time: 2026-06-01 00:00:00
    if _SERIAL.fullmatch(t):
        serial = float(t)
        if 25569 <= serial <= 73050:  # 1970 … 2099 as an Excel date serial
            d = _SERIAL_EPOCH + timedelta(days=int(serial))
            return f"{d.year:04d}-{d.month:02d}"
        return None
    m = to_month(t)
    got = _YEAR_MONTH.fullmatch(m) if isinstance(m, str) else None
    if got is None or not 1990 <= int(got.group(1)) <= 2100 or not 1 <= int(got.group(2)) <= 12:
        return None
    return m


@dataclass
class _Block:
    first_row: int
    seq: str
    name: str
    city: str
    industry: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)


def _fill_merged(sheet: Sheet, header: Header, end_row: int, problems: list[Problem]) -> None:
    """Copy the value of a block cell merged down into every row of its range; refuse cells
    merged across columns in the data rows."""
    by_row = {i: cells for i, cells in sheet.rows}
    block_cols = {j for j, k in header.keys.items() if k in BLOCK_KEYS}
    for c1, r1, c2, r2 in sheet.merged:
        if r2 <= header.last_row or r1 >= end_row:
            continue
        if r1 <= header.last_row:
            problems.append(
                Problem(
                    "表头的合并单元格延伸到了数据行，请取消合并 / a merged header cell reaches "
                    "into the data rows: unmerge it",
                    row=header.last_row + 1,
                    column=header.labels.get(c1 - 1) or None,
                )
            )
            continue
        if c1 != c2:
            label = header.labels.get(c1 - 1, "")
            problems.append(
                Problem(
                    "数据行中有跨列合并的单元格，请取消合并 / cells merged across columns in a "
                    "data row: unmerge them",
                    row=max(r1, header.last_row + 1),
                    column=label or None,
                )
            )
            continue
        j = c1 - 1
        if j not in block_cols:
            continue  # a goal or result merged down: it belongs to the range's first row
        top = by_row.get(r1)
        value = _cell(top, j) if top is not None else ""
        for r in range(max(r1, header.last_row + 1), min(r2, end_row - 1) + 1):
            cells = by_row.get(r)
            if cells is None:
                continue
            while len(cells) <= j:
                cells.append("")
            if not cells[j].strip():
                cells[j] = value


def _parse_rows(sheet: Sheet, header: Header, kind: str, problems: list[Problem]) -> list[_Block]:
    rows = sheet.rows[header.data_pos :]
    end = next((i for i, cells in rows if _cell(cells, 0).startswith(("注", "Note", "note"))), None)
    end_row = end if end is not None else (rows[-1][0] + 1 if rows else header.last_row + 1)
    _fill_merged(sheet, header, end_row, problems)
    col = {k: j for j, k in header.keys.items()}
    known = set(header.keys) | set(header.labels)
    blocks: list[_Block] = []
    cur: _Block | None = None

    def label(key: str) -> str:
        return header.labels.get(col.get(key, -1), ZH[kind].get(key, key))

    def fail(i: int, key: str | None, zh: str, en: str) -> None:
        problems.append(Problem(f"{zh} / {en}", row=i, column=label(key) if key else None))

    for i in sheet.far:
        if header.last_row < i < end_row:
            fail(i, None, "表头以外的列中有数据", "a value beyond the last header column")
    for i, cells in rows:
        if i >= end_row:
            break
        if not any(c.strip() for c in cells):
            continue
        for j, c in enumerate(cells):
            if c.strip() and j not in known:
                problems.append(
                    Problem(
                        "表头以外的列中有数据 / a value in a column without a header",
                        row=i,
                        column=f"第{j + 1}列",
                    )
                )
        values: dict[str, str] = {}
        for key, j in col.items():
            raw = _cell(cells, j)
            if (i, j) in sheet.formulas or raw.startswith("="):
                fail(i, key, f"单元格是公式（{raw[:30]}），请粘贴为数值",
                     f"a formula ({raw[:30]}): paste it as a value")  # fmt: skip
                raw = ""
            values[key] = _unquote(raw)
        seq, name = values.get("seq", ""), values.get("name", "")
        starts = cur is None or (seq and seq != cur.seq) or (name and name != cur.name)
        if starts:
            cur = _Block(i, seq, name, values.get("city", ""), values.get("industry", ""))
            blocks.append(cur)
        else:
            assert cur is not None
            for key in ("city", "industry"):
                v = values.get(key, "")
                if v and v != getattr(cur, key):
                    fail(i, key, f"与本块第 {cur.first_row} 行不同（每个企业/区域只填一次）",
                         f"differs from the block's row {cur.first_row} (one value per block)")  # fmt: skip
        row = _row(values, kind, i, fail)
        if row:
            for n, earlier in zip(cur.row_numbers, cur.rows, strict=True):
                if earlier == row:
                    fail(i, "measures", f"与第 {n} 行重复", f"the same row as row {n}")
                    break
            cur.rows.append(row)
            cur.row_numbers.append(i)
    return blocks


def _row(values: Mapping[str, str], kind: str, i: int, fail: Any) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, target in (("goals", "goal"), ("measures", "measure")):
        text = strip_number(values.get(key, ""))
        if text:
            row[target] = text
    for key in FINANCING:
        text = values.get(key, "")
        if not text:
            continue
        v = to_number(text)
        if not isinstance(v, float):
            fail(i, key, f"「{text[:20]}」不是数字（金额以万元计，只填数字）",
                 f"'{text[:20]}' is not a number (amounts in 万元, digits only)")  # fmt: skip
        elif v < 0:
            fail(i, key, f"金额不能为负数：{text}", f"a negative amount: {text}")
        else:
            row[key] = v
    text = values.get("deadline", "")
    if text:
        month = _deadline(text)
        if month is None:
            fail(i, "deadline", f"「{text[:20]}」不是年月（如 2026-06、2026年6月）",
                 f"'{text[:20]}' is not a year and month (2026-06, 2026年6月)")  # fmt: skip
        else:
            row["deadline"] = month
    text = values.get("progress", "")
    if text:
        code = to_progress(text)
        if code not in ("done", "ongoing", "not_started"):
            fail(i, "progress", f"「{text[:20]}」应为 已完成、推进中 或 未开始",
                 f"'{text[:20]}' is not one of 已完成, 推进中, 未开始")  # fmt: skip
        else:
            row["progress"] = code
    if kind == "region" and values.get("enterprise"):
        row["enterprise"] = values["enterprise"]
    if values.get("results"):
        row["result"] = values["results"]
    return row


def _blocks(
    parsed: list[_Block], kind: str, labels: Mapping[str, str], problems: list[Problem]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    parsed = [blk for blk in parsed if blk.name or blk.city or blk.industry or blk.rows]
    if not parsed:
        problems.append(Problem("台帐中没有数据行 / the ledger has no data rows"))
    for b, blk in enumerate(parsed):
        city = normalise_city(blk.city)
        if blk.city and not is_city(city):
            problems.append(
                Problem(
                    f"「{blk.city}」不是山西省的地市 / '{blk.city}' is not a city of Shanxi",
                    row=blk.first_row,
                    column=labels["city"],
                )
            )
        industries: list[str] = []
        if kind == "enterprise" and blk.industry:
            industries = parse_industries(blk.industry)
            if not industries:
                problems.append(
                    Problem(
                        f"「{blk.industry[:30]}」中没有国民经济行业分类大类代码（如 36 汽车制造业）/ "
                        "no 2-digit division code (e.g. 36 汽车制造业)",
                        row=blk.first_row,
                        column=labels["industry"],
                    )
                )
            for code in industries:
                if not is_division(code):
                    problems.append(
                        Problem(
                            f"「{code}」不是国民经济行业分类（GB/T 4754-2017）的大类 / '{code}' is "
                            "not a division (大类) of GB/T 4754-2017",
                            row=blk.first_row,
                            column=labels["industry"],
                        )
                    )
        if blk.name:
            if blk.name in seen:
                problems.append(
                    Problem(
                        f"「{blk.name}」重复（首次在第 {seen[blk.name]} 行）/ '{blk.name}' appears "
                        f"twice (first in row {seen[blk.name]})",
                        row=blk.first_row,
                        column=labels["name"],
                    )
                )
            else:
                seen[blk.name] = blk.first_row
        role = "region" if kind == "region" else ("core" if b == 0 else "partner")
        out.append(
            {
                "role": role,
                "name": blk.name,
                "city": city,
                "industries": industries,
                "rows": blk.rows,
            }
        )
    return out


def _lines(sheet: Sheet, pos: int) -> list[tuple[int, str]]:
    """The texts above the header, one per row (its cells joined)."""
    return [(i, " ".join(c.strip() for c in cells if c.strip())) for i, cells in sheet.rows[:pos]]


def read_ledger(
    path: PathLike,
    kind: str | None = None,
    *,
    sheet: str | int | None = None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """Read a filled 附件4-1/4-2 ledger file into the ledger content.

    Parameters
    ----------
    path : path-like
        ``.xlsx`` or ``.csv`` (UTF-8 or GBK).
    kind : {"enterprise", "region"}, optional
        The project's kind; a file of the other form is refused. Default: told from the file
        (附件 label, title, headers).
    sheet : str or int, optional
        The xlsx sheet; default as :func:`scoring.io.read_table`.
    limits : Limits, optional
        Size and row caps; default :func:`scoring.io.tables.import_limits`.

    Returns
    -------
    dict
        ``{"contact", "blocks", "indicators": {}}`` as :func:`scoring.followup.content.normalise`
        returns it (enterprise: the first block ``core``, the others ``partner``; region: blocks
        ``region``, rows with the financed ``enterprise``).

    Raises
    ------
    InputError
        Every problem of the file at once, each with file, row and column (a
        :class:`~scoring.io.tables.TableError` for an unreadable file or one over the caps).
    ValueError
        ``kind`` is not a ledger kind (a programming error).
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown ledger kind {kind!r} (known: {', '.join(KINDS)})")
    p = Path(path)
    lim = limits or import_limits()
    raw = load_sheet(p, sheet, lim)
    file = p.name
    pos = find_header(raw.rows)
    if pos is None:
        raise InputError(
            [
                Problem(
                    "找不到表头（序号、工作目标、具体举措……）；请使用附件4-1/4-2 模板 / no header "
                    "row (序号, 工作目标, 具体举措 …): use the 附件4-1/4-2 template"
                )
            ],
            file=file,
        )
    lines = _lines(raw, pos)
    header_cells = raw.rows[pos][1] + (raw.rows[pos + 1][1] if pos + 1 < len(raw.rows) else [])
    seen = detect_kind(header_cells, [t for _, t in lines])
    problems: list[Problem] = []
    if kind is None:
        if seen is None:
            raise InputError(
                [
                    Problem(
                        "无法判断是企业台帐（附件4-1）还是区域台帐（附件4-2）/ cannot tell an "
                        "enterprise ledger (附件4-1) from a region ledger (附件4-2)",
                        row=raw.rows[pos][0],
                    )
                ],
                file=file,
            )
        kind = seen
    elif seen is not None and seen != kind:
        want, got = KINDS[kind], KINDS[seen]
        raise InputError(
            [
                Problem(
                    f"这是{got}的台帐，本项目应填{want} / this file is a {got} ledger; the project "
                    f"files {want}",
                    row=raw.rows[pos][0],
                )
            ],
            file=file,
        )
    contact = ""
    for i, text in lines:
        unit = _UNIT.search(text)
        if unit and not unit.group(1).startswith("万元"):
            problems.append(
                Problem(
                    f"金额单位应为万元（表中为「{unit.group(1)}」）/ amounts must be in 万元, the "
                    f"sheet says '{unit.group(1)}'",
                    row=i,
                )
            )
        m = _CONTACT.search(text)
        if m:
            contact = m.group(1).strip()
    header = read_header(raw, pos, kind, problems)
    if problems:
        raise InputError(problems, file=file)
    parsed = _parse_rows(raw, header, kind, problems)
    if len(parsed) and sum(len(b.row_numbers) for b in parsed) > lim.max_rows:
        problems.append(too_many(lim, blank=False))
    labels = {
        k: header.labels.get(j, ZH[kind].get(k, k))
        for k, j in {**{k: -1 for k in ZH[kind]}, **{k: j for j, k in header.keys.items()}}.items()
    }
    blocks = _blocks(parsed, kind, labels, problems)
    if problems:
        raise InputError(problems, file=file)
    return normalise({"contact": contact, "blocks": blocks, "indicators": {}}, kind)
