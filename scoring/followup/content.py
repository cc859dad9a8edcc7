"""The ledger content model (附件4-1 / 4-2 as JSON) and its normalisation.

The same JSON is used by the store, the online page, the file import and the export::

    {"contact": "王五 0351-1234567",
     "blocks": [{"role": "core", "name": "…", "city": "太原市", "industries": ["54", "59"],
                 "rows": [{"goal": "…", "measure": "…", "deadline": "2026-06",
                           "progress": "done", "loan": 500.0, "result": "…"}]}],
     "indicators": {"revenue": {"value": 12.5}},
     "summary": {"organisation": "…"}}

Enterprise ledgers: the first block is the core enterprise (``core``), the others its upstream
and downstream enterprises (``partner``). Region ledgers: blocks ``region``; rows also carry the
financed ``enterprise``. ``summary`` only in the yearly period.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from .codes import normalise_city, parse_industries
from .workflow import progress_codes

#: Project kinds with a ledger form: kind -> form.
KINDS: dict[str, str] = {"enterprise": "附件4-1", "region": "附件4-2"}
#: The financing columns (其中：信贷（融资）情况), amounts in 万元: key -> (zh, en).
FINANCING: dict[str, tuple[str, str]] = {
    "loan": ("贷款类", "Loans"),
    "bill": ("票据类", "Bills"),
    "lease": ("租赁类", "Leasing"),
    "letter": ("函证类", "Letters (guarantees)"),
    "other": ("其它", "Other"),
}
#: Text fields of a row: key -> (zh, en).
ROW_TEXT: dict[str, tuple[str, str]] = {
    "goal": ("工作目标", "Work goal"),
    "measure": ("具体举措", "Measure"),
    "result": ("预期成果", "Expected result"),
    "enterprise": ("企业名称", "Enterprise financed"),
}
#: Other row fields: key -> (zh, en).
ROW_OTHER: dict[str, tuple[str, str]] = {
    "deadline": ("完成时限", "Deadline"),
    "progress": ("进展", "Progress"),
}
#: Block fields: key -> (zh, en).
BLOCK_FIELDS: dict[str, tuple[str, str]] = {
    "role": ("类型", "Role"),
    "name": ("名称", "Name"),
    "city": ("所在地市", "City"),
    "industries": ("所属行业", "Industry"),
}
#: Block roles per kind; the first of the enterprise kind is the core enterprise.
ROLES: dict[str, tuple[str, ...]] = {"enterprise": ("core", "partner"), "region": ("region",)}

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_MONTH = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?(?:\s*[-./]?\s*\d{1,2}\s*日?)?")
_MONTH_COMPACT = re.compile(r"(\d{4})(\d{2})")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")


def row_fields(kind: str) -> tuple[str, ...]:
    """The fields of a row of ``kind``, in the form's order."""
    fields = ["goal", "measure", "deadline", "progress"]
    if kind == "region":
        fields.append("enterprise")
    return (*fields, *FINANCING, "result")


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown ledger kind {kind!r} (known: {', '.join(KINDS)})")
    return kind


def to_number(x: Any) -> float | str | None:
    """A number as float; blank → None; text that is not a finite number is kept (stripped)."""
    if x is None or isinstance(x, bool):
        return None if x is None else str(x)
    if isinstance(x, int | float):
        try:
            v = float(x)
        except OverflowError:
            return str(x)
        if math.isnan(v):
            return None
        return v if math.isfinite(v) else str(x)
    if isinstance(x, Mapping | list | tuple | set):
        return None
    s = str(x).strip()
    if not s:
        return None
    t = s.translate(_FULLWIDTH).replace(",", "").replace(" ", "")
    if _NUMBER.fullmatch(t):
        try:
            v = float(t)
        except (ValueError, OverflowError):
            return s
        return v if math.isfinite(v) else s
    return s


def to_text(x: Any) -> str:
    """Text stripped; None and containers → ``""``; a whole float without ``.0``."""
    if x is None or isinstance(x, Mapping | list | tuple | set):
        return ""
    if isinstance(x, float) and math.isfinite(x) and x.is_integer():
        return str(int(x))
    return str(x).strip()


def to_month(x: Any) -> str | None:
    """A deadline as ``YYYY-MM`` (from ``2026-6``, ``2026年6月``, ``2026.06``, ``202606``, a date);
    blank → None; text that is not a year and month is kept (stripped) for the check to name."""
    if isinstance(x, date):
        return f"{x.year:04d}-{x.month:02d}"
    s = to_text(x).translate(_FULLWIDTH)
    if not s:
        return None
    m = _MONTH.fullmatch(s) or _MONTH_COMPACT.fullmatch(s)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    return s


def to_progress(x: Any) -> str | None:
    """A progress code (``done``, ``ongoing``, ``not_started``) from a code or a Chinese label."""
    s = to_text(x)
    if not s:
        return None
    low = s.lower()
    for code, spec in progress_codes().items():
        names = {code, str(spec.get("zh", ""))} | {str(a) for a in spec.get("aliases") or ()}
        if low in {n.lower() for n in names}:
            return code
    return s


def _industries(x: Any) -> list[str]:
    items = x if isinstance(x, list | tuple) else [x]
    out: list[str] = []
    for item in items:
        if isinstance(item, Mapping | list | tuple | set):
            continue
        codes = parse_industries(to_text(item))
        if not codes and to_text(item):
            codes = [to_text(item)]  # kept for the check to name
        out.extend(c for c in codes if c not in out)
    return out


def _row(raw: Any, kind: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        return {}
    row: dict[str, Any] = {}
    for key in row_fields(kind):
        v = raw.get(key)
        if key in FINANCING:
            value: Any = to_number(v)
        elif key == "deadline":
            value = to_month(v)
        elif key == "progress":
            value = to_progress(v)
        else:
            value = to_text(v)
        if value not in (None, ""):
            row[key] = value
    return row


def _block(raw: Any, kind: str, index: int) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        return {}
    rows_raw = raw.get("rows")
    rows = [_row(r, kind) for r in rows_raw] if isinstance(rows_raw, list) else []
    block: dict[str, Any] = {
        "role": to_text(raw.get("role")).lower(),
        "name": to_text(raw.get("name")),
        "city": normalise_city(to_text(raw.get("city"))),
        "industries": _industries(raw.get("industries")),
        "rows": [r for r in rows if r],
    }
    if not (block["name"] or block["city"] or block["industries"] or block["rows"]):
        return {}
    if not block["role"]:
        block["role"] = "region" if kind == "region" else ("core" if index == 0 else "partner")
    return block


def _indicator(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        v = to_number(raw)
        return {} if v is None else {"value": v}
    entry: dict[str, Any] = {}
    for name in ("value", "baseline"):
        v = to_number(raw.get(name))
        if v is not None:
            entry[name] = v
    inputs = raw.get("inputs")
    if isinstance(inputs, Mapping):
        got = {str(k): to_number(v) for k, v in inputs.items()}
        got = {k: v for k, v in got.items() if v is not None}
        if got:
            entry["inputs"] = got
    note = to_text(raw.get("note"))
    if note:
        entry["note"] = note
    return entry


def normalise(content: Any, kind: str) -> dict[str, Any]:
    """The content in canonical form: types coerced, blanks dropped, numbers as float.

    Never raises on bad content (anything JSON-like): what cannot be coerced is kept as text for
    :func:`scoring.followup.ledger.check` to report, or dropped when it has no place in the
    model (unknown keys, wrong containers). Idempotent: ``normalise(normalise(c)) ==
    normalise(c)``.

    Parameters
    ----------
    content : any
        The ledger content (a dict as in the module docstring).
    kind : {"enterprise", "region"}

    Returns
    -------
    dict
        ``contact`` (str), ``blocks`` (blocks with at least one field, rows with at least one
        value), ``indicators`` (non-empty entries), and ``summary`` when it has text.

    Raises
    ------
    ValueError
        ``kind`` is unknown (a programming error, not bad content).
    """
    _kind(kind)
    src: Mapping[str, Any] = content if isinstance(content, Mapping) else {}
    blocks_raw = src.get("blocks")
    blocks: list[dict[str, Any]] = []
    for raw in blocks_raw if isinstance(blocks_raw, list) else []:
        b = _block(raw, kind, len(blocks))
        if b:
            blocks.append(b)
    ind_raw = src.get("indicators")
    indicators: dict[str, Any] = {}
    if isinstance(ind_raw, Mapping):
        for key, raw in ind_raw.items():
            entry = _indicator(raw)
            if entry:
                indicators[str(key)] = entry
    out: dict[str, Any] = {
        "contact": to_text(src.get("contact")),
        "blocks": blocks,
        "indicators": indicators,
    }
    summary_raw = src.get("summary")
    if isinstance(summary_raw, Mapping):
        summary = {str(k): to_text(v) for k, v in summary_raw.items()}
        summary = {k: v for k, v in summary.items() if v}
        if summary:
            out["summary"] = summary
    return out


def empty_row(kind: str) -> dict[str, Any]:
    """A blank row of ``kind`` (every field, empty), for a form to fill."""
    return {key: None for key in row_fields(_kind(kind))}


def empty_ledger(
    kind: str, project: Mapping[str, Any], *, summary_keys: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A new ledger for ``project``: its first block filled from the project, one blank row.

    Parameters
    ----------
    kind : {"enterprise", "region"}
    project : mapping
        ``name``, ``city``; optionally ``industry`` / ``industries`` (parsed as 大类 codes),
        ``contact`` (or ``contact_name`` and ``phone``).
    summary_keys : tuple of str
        For a yearly ledger, the follow-up points (``summary`` gets each key, empty).
    """
    _kind(kind)
    contact = to_text(project.get("contact")) or " ".join(
        p for p in (to_text(project.get("contact_name")), to_text(project.get("phone"))) if p
    )
    industries = _industries(project.get("industries") or project.get("industry"))
    block = {
        "role": "region" if kind == "region" else "core",
        "name": to_text(project.get("name")),
        "city": normalise_city(project.get("city")),
        "industries": [c for c in industries if c.isdigit() and len(c) == 2],
        "rows": [empty_row(kind)],
    }
    out: dict[str, Any] = {"contact": contact, "blocks": [block], "indicators": {}}
    if summary_keys:
        out["summary"] = dict.fromkeys(summary_keys, "")
    return out


def numbered(content: Mapping[str, Any]) -> dict[str, Any]:
    """A copy with the form's numbers, for the page and the export.

    Parameters
    ----------
    content : mapping
        Normalised content (:func:`normalise`).

    Returns
    -------
    dict
        The content with ``seq`` on each block (1, 2, …) and, numbered afresh in each block,
        ``goal_no`` (1, 2, 3 on the rows that have a goal) and ``measure_no`` (``"1."``,
        ``"2."`` on the rows that have a measure).
    """
    out = dict(content)
    blocks = []
    for b, block in enumerate(content.get("blocks") or [], start=1):
        nb = dict(block, seq=b)
        goal_no = measure_no = 0
        rows = []
        for row in block.get("rows") or []:
            nr = dict(row)
            if row.get("goal"):
                goal_no += 1
                nr["goal_no"] = goal_no
            if row.get("measure"):
                measure_no += 1
                nr["measure_no"] = f"{measure_no}."
            rows.append(nr)
        nb["rows"] = rows
        blocks.append(nb)
    out["blocks"] = blocks
    return out


def financing_totals(content: Mapping[str, Any]) -> dict[str, float]:
    """The financing amounts (万元) summed over every row: ``loan`` … ``other`` and ``total``.
    Amounts that are not numbers count as 0."""
    totals = dict.fromkeys(FINANCING, 0.0)
    for block in content.get("blocks") or []:
        for row in (block.get("rows") if isinstance(block, Mapping) else None) or []:
            for key in FINANCING:
                v = row.get(key) if isinstance(row, Mapping) else None
                if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
                    totals[key] += float(v)
    totals["total"] = sum(totals[k] for k in FINANCING)
    return totals
