"""The follow-up ledger (季度台帐 附件4-1/4-2, 年度工作总结): content model, normalisation, checks.

One import for the store, the page, the file import and the export. The model and its
normalisation live in :mod:`scoring.followup.content`, the checks in
:mod:`scoring.followup.ledger_checks` and :mod:`scoring.followup.jumps`; this module gathers them.
"""

from __future__ import annotations

from typing import Any

from .content import (
    BLOCK_FIELDS,
    FINANCING,
    KINDS,
    ROLES,
    ROW_OTHER,
    ROW_TEXT,
    empty_ledger,
    empty_row,
    financing_totals,
    normalise,
    numbered,
    row_fields,
)
from .jumps import jump_warnings
from .ledger_checks import check

__all__ = [
    "BLOCK_FIELDS",
    "FINANCING",
    "KINDS",
    "ROLES",
    "ROW_OTHER",
    "ROW_TEXT",
    "check",
    "empty_ledger",
    "empty_row",
    "financing_totals",
    "jump_warnings",
    "measures",
    "normalise",
    "numbered",
    "row_fields",
    "summary_keys",
]


def summary_keys(kind: str) -> tuple[str, ...]:
    """The follow-up points of a yearly summary: the criteria keys of ``evaluation-<kind>``."""
    from ..engine.criteria.registry import criteria_set

    cs = criteria_set(f"evaluation-{kind}")
    return tuple(c.key for c in cs.criteria)


def measures(content: Any, kind: str) -> list[dict[str, Any]]:
    """The measures of a ledger as records: ``block, row`` (1-based), ``name``, ``goal`` (the
    goal in force: the row's or the last one above it), ``measure``, ``deadline``, ``progress``.
    What :func:`scoring.followup.exits.exit_candidates` reads for overdue measures."""
    out: list[dict[str, Any]] = []
    for b, block in enumerate(normalise(content, kind)["blocks"], start=1):
        goal = ""
        for r, row in enumerate(block["rows"], start=1):
            goal = row.get("goal") or goal
            if row.get("measure"):
                out.append(
                    {
                        "block": b,
                        "row": r,
                        "name": block["name"],
                        "goal": goal,
                        "measure": row["measure"],
                        "deadline": row.get("deadline"),
                        "progress": row.get("progress"),
                    }
                )
    return out
