"""The raw sheet of a ledger file (附件4-1/4-2) and its header, for :mod:`.ledger_file`.

Cells as the text the user sees, by spreadsheet row: csv decoded as UTF-8 or GBK/GB18030, xlsx
streamed by :class:`~scoring.io.xlsx_rows.SheetRows` (sheet choice, size and row caps, formula
cells and merged ranges recorded). The header: the form's Chinese headers, their short forms
or the English names (a unit in brackets ignored), in one row or two (the financing kinds
under ``其中：信贷（融资）情况``); which columns a kind needs; telling 附件4-1 from 附件4-2.
"""

from __future__ import annotations

import csv
import io as _io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem
from ..followup.content import FINANCING, KINDS
from .tables import Limits, TableError, _check_size, too_many

__all__ = [
    "BLOCK_KEYS",
    "COLUMN_KEYS",
    "OPTIONAL",
    "ZH",
    "Header",
    "Sheet",
    "detect_kind",
    "find_header",
    "load_sheet",
    "read_header",
]

#: Columns read from an xlsx row (the forms have 14); a value further right is a problem.
_MAX_COLUMNS = 200

#: Sheet columns of each kind (keys of the ``ledger-*`` layouts, plus ``progress``).
COLUMN_KEYS: dict[str, tuple[str, ...]] = {
    "enterprise": (
        "seq", "name", "city", "industry", "goals", "measures", *FINANCING, "deadline",
        "results", "progress",
    ),
    "region": (
        "seq", "name", "city", "goals", "measures", "enterprise", *FINANCING, "deadline",
        "results", "progress",
    ),
}  # fmt: skip
#: Columns a file may leave out.
OPTIONAL = frozenset({"seq", "progress"})
#: The block cells, merged down over a block's rows.
BLOCK_KEYS = ("seq", "name", "city", "industry")
_GROUP = "_group"
_SHARED_ALIASES: dict[str, str] = {
    "序号": "seq", "no": "seq", "no.": "seq", "seq": "seq",
    "所在地市": "city", "地市": "city", "所在城市": "city", "所在市": "city", "city": "city",
    "工作目标": "goals", "目标": "goals", "goals": "goals", "workgoals": "goals",
    "具体举措": "measures", "举措": "measures", "measures": "measures",
    "concretemeasures": "measures",
    "贷款类": "loan", "贷款": "loan", "loan": "loan", "loans": "loan",
    "票据类": "bill", "票据": "bill", "bill": "bill", "bills": "bill",
    "租赁类": "lease", "租赁": "lease", "lease": "lease", "leasing": "lease",
    "函证类": "letter", "函证": "letter", "保函类": "letter", "letter": "letter",
    "letters": "letter",
    "其它": "other", "其他": "other", "其它类": "other", "其他类": "other", "other": "other",
    "完成时限": "deadline", "完成时限年月": "deadline", "完成时间": "deadline",
    "时限": "deadline", "deadline": "deadline",
    "预期成果": "results", "成果": "results", "results": "results", "result": "results",
    "expectedresults": "results",
    "进展情况": "progress", "进展": "progress", "进度": "progress", "完成情况": "progress",
    "progress": "progress",
    "其中:信贷(融资)情况": _GROUP, "信贷(融资)情况": _GROUP, "其中信贷(融资)情况": _GROUP,
    "信贷情况": _GROUP, "融资情况": _GROUP, "financing": _GROUP,
}  # fmt: skip
_KIND_ALIASES: dict[str, dict[str, str]] = {
    "enterprise": {
        "供应链核心企业及上下游企业名称": "name", "核心企业及上下游企业名称": "name",
        "企业名称": "name", "名称": "name", "name": "name",
        "所属行业": "industry", "行业": "industry", "所属行业大类": "industry",
        "industry": "industry",
    },
    "region": {
        "区域名称": "name", "区域": "name", "名称": "name", "name": "name", "region": "name",
        "企业名称": "enterprise", "融资企业": "enterprise", "企业": "enterprise",
        "enterprise": "enterprise",
    },
}  # fmt: skip
#: Headers that only one kind has (to tell an enterprise ledger from a region one).
_ONLY = {
    "enterprise": {"供应链核心企业及上下游企业名称", "核心企业及上下游企业名称", "所属行业"},
    "region": {"区域名称"},
}


def _norm(text: str) -> str:
    """A header as matched: NFKC, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def _header_key(text: str, kind: str) -> str | None:
    """The column key of a header cell of ``kind``, or None (unknown)."""
    n = _norm(text)
    aliases = {**_SHARED_ALIASES, **_KIND_ALIASES[kind]}
    if n in aliases:
        return aliases[n]
    bare = re.sub(r"\([^()]*\)$", "", n)  # 贷款类(万元), 完成时限(年月)
    return aliases.get(bare)


# --------------------------------------------------------------------------------------------
# raw cells
# --------------------------------------------------------------------------------------------


@dataclass
class Sheet:
    """The raw sheet: dense cell texts per row number, merged ranges, formula cells."""

    rows: list[tuple[int, list[str]]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    sheet: str | None = None
    far: list[int] = field(default_factory=list)  # rows with a value beyond column 200


def _decode(raw: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise TableError(
        "file",
        [
            Problem(
                "文件编码无法识别（应为 UTF-8 或 GBK）/ the file is neither UTF-8 nor GBK text; "
                "save it as 'CSV UTF-8' or .xlsx"
            )
        ],
        file=name,
    )


def _csv_sheet(path: Path, limits: Limits) -> Sheet:
    text = _decode(path.read_bytes(), path.name)
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
    rows: list[tuple[int, list[str]]] = []
    try:
        for i, rec in enumerate(csv.reader(_io.StringIO(text, newline=""), strict=True), start=1):
            if i > limits.max_scanned:
                raise TableError("rows", [too_many(limits, blank=True)], file=path.name)
            rows.append((i, [c for c in rec]))
    except csv.Error as exc:
        raise TableError(
            "file", [Problem(f"csv 格式错误 / malformed csv: {exc}")], file=path.name
        ) from None
    return Sheet(rows)


def _xlsx_sheet(path: Path, sheet: str | int | None, limits: Limits) -> Sheet:
    from .xlsx_rows import SheetRows

    book = SheetRows(path, sheet, limits, strict=True)
    try:
        book.check_rows(0, limits)  # a row bomb refused on the raw xml, before parsing
        rows: list[tuple[int, list[str]]] = []
        far: list[int] = []
        for n, (i, cells) in enumerate(book, start=1):
            if n > limits.max_scanned:
                raise TableError("rows", [too_many(limits, blank=True)])
            if not cells:
                continue
            width = max(c for c, _ in cells) + 1
            if width > _MAX_COLUMNS:
                far.append(i)
                cells = [(c, t) for c, t in cells if c < _MAX_COLUMNS]
                width = max((c for c, _ in cells), default=-1) + 1
            dense = [""] * width
            for c, t in cells:
                dense[c] = t
            rows.append((i, dense))
        merged = book.merged_ranges()
        formulas = {(r, c): t for r, c, kind, t in book.flagged_cells()}
        return Sheet(rows, merged, formulas, book.title, far)
    finally:
        book.close()


def load_sheet(path: Path, sheet: str | int | None, limits: Limits) -> Sheet:
    suffix = path.suffix.lower()
    if not path.exists():
        raise TableError("file", [Problem("找不到文件 / file not found")], file=str(path))
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        hint_zh, hint = ("，请另存为 .xlsx", "; save it as .xlsx") if suffix == ".xls" else ("", "")
        raise TableError(
            "file",
            [
                Problem(
                    f"不支持的文件类型“{suffix}”（请用 .xlsx 或 .csv）{hint_zh} / unsupported file "
                    f"type '{suffix}' (use .xlsx or .csv){hint}"
                )
            ],
            file=path.name,
        )
    try:
        _check_size(path, limits)
        return _csv_sheet(path, limits) if suffix == ".csv" else _xlsx_sheet(path, sheet, limits)
    except TableError as exc:
        raise TableError(exc.check, exc.problems, file=path.name) from None


# --------------------------------------------------------------------------------------------
# header
# --------------------------------------------------------------------------------------------


def _cell(cells: list[str], j: int) -> str:
    return cells[j].strip() if j < len(cells) else ""


def _known(text: str) -> bool:
    return any(_header_key(text, k) is not None for k in KINDS)


def find_header(rows: list[tuple[int, list[str]]]) -> int | None:
    """Position (in ``rows``) of the header row: the first with three known headers."""
    for pos, (_i, cells) in enumerate(rows[:40]):
        if sum(1 for c in cells if c.strip() and _known(c)) >= 3:
            return pos
    return None


def detect_kind(labels: Iterable[str], lines: Iterable[str] = ()) -> str | None:
    """The ledger kind a sheet's header and the lines above it show, or None when unsure.

    ``附件4-2``, a title with 区域项目 or a ``区域名称`` header make a region ledger; ``附件4-1``, a
    title with 企业项目, ``所属行业`` or the enterprise name header an enterprise ledger.
    """
    names = {_norm(x) for x in labels if str(x).strip()}
    votes = {k: len(names & {_norm(h) for h in heads}) for k, heads in _ONLY.items()}
    text = _norm(" ".join(lines))
    if "附件4-2" in text or "区域项目" in text:
        votes["region"] += 2
    if "附件4-1" in text or "企业项目" in text:
        votes["enterprise"] += 2
    if votes["region"] == votes["enterprise"]:
        return None
    return max(votes, key=lambda k: votes[k])


@dataclass
class Header:
    keys: dict[int, str]  # column position -> key
    labels: dict[int, str]  # column position -> header text as in the file
    last_row: int  # spreadsheet row of the last header row
    data_pos: int  # position in rows of the first row after the header


def read_header(sheet: Sheet, pos: int, kind: str, problems: list[Problem]) -> Header:
    rows = sheet.rows
    row_no, top = rows[pos]
    sub: list[str] = []
    data_pos = pos + 1
    if data_pos < len(rows):
        nxt_no, nxt = rows[data_pos]
        filled = [c for c in nxt if c.strip()]
        if nxt_no == row_no + 1 and filled and all(_header_key(c, kind) for c in filled):
            sub, data_pos = nxt, data_pos + 1
    width = max(len(top), len(sub))
    keys: dict[int, str] = {}
    labels: dict[int, str] = {}
    last = rows[data_pos - 1][0]
    for j in range(width):
        label = _cell(sub, j) or _cell(top, j)
        if not label:
            continue
        key = _header_key(label, kind)
        labels[j] = label
        if key == _GROUP:
            if not sub:
                problems.append(
                    Problem(
                        "信贷（融资）情况下应有贷款类、票据类等列 / the financing header needs the "
                        "kinds (贷款类, 票据类 …) in the row below",
                        row=row_no,
                        column=label,
                    )
                )
            continue
        if key is None:
            problems.append(
                Problem(
                    f"未知的列「{label}」/ unknown column '{label}'",
                    row=row_no if not _cell(sub, j) else last,
                    column=label,
                )
            )
            continue
        if key in keys.values():
            first = next(labels[c] for c, k in keys.items() if k == key)
            problems.append(
                Problem(
                    f"与列「{first}」重复 / the same column as '{first}'",
                    row=row_no,
                    column=label,
                )
            )
            continue
        keys[j] = key
    for key in COLUMN_KEYS[kind]:
        if key not in keys.values() and key not in OPTIONAL:
            problems.append(
                Problem(
                    f"缺少列「{ZH[kind][key]}」/ the column '{ZH[kind][key]}' is missing",
                    row=row_no,
                    column=ZH[kind][key],
                )
            )
    return Header(keys, labels, last, data_pos)


ZH: dict[str, dict[str, str]] = {
    "enterprise": {
        "seq": "序号", "name": "供应链核心企业及上下游企业名称", "city": "所在地市",
        "industry": "所属行业", "goals": "工作目标", "measures": "具体举措",
        **{k: zh for k, (zh, _en) in FINANCING.items()}, "deadline": "完成时限（年月）",
        "results": "预期成果", "progress": "进展情况",
    },
}  # fmt: skip
ZH["region"] = {
    **{k: v for k, v in ZH["enterprise"].items() if k != "industry"},
    "name": "区域名称",
    "enterprise": "企业名称",
}
