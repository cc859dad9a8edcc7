"""Recusal (回避): when an expert must not see or score a candidate.

An expert is recused from a candidate when any of these holds:

1. a conflict was **declared** (stored in ``conflicts``);
2. **same employer**: the expert's employer is the candidate enterprise itself;
3. **lender**: the expert is a bank reviewer and their bank is among the candidate's recorded
   lender banks (``lender_bank``, several may be separated by ``、 , ; / ，；``);
4. **same city** (yearly evaluation panels only): the expert's city is the project's city — a
   city's experts do not evaluate the projects their own city recommended and confirms.

Names are compared after removing spaces and unifying full-width brackets, so ``XX银行（太原分行）``
and ``XX银行(太原分行)`` match; a bank reviewer's bank matches a lender entry when one contains
the other (``中国银行`` matches ``中国银行山西省分行``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_SPLIT = re.compile(r"[、,;/，；\n]+")
_SPACE = re.compile(r"\s+")


def normalise_name(name: Any) -> str:
    """Comparable form of an organisation name."""
    if name is None:
        return ""
    text = str(name).replace("（", "(").replace("）", ")")
    return _SPACE.sub("", text).strip().lower()


def lender_banks(value: Any) -> list[str]:
    """The normalised bank names in a ``lender_bank`` field."""
    return [b for b in (normalise_name(x) for x in _SPLIT.split(str(value or ""))) if b]


def recusal_reasons(
    expert: Mapping[str, Any],
    candidate: Mapping[str, Any],
    *,
    declared: str | None = None,
    same_city: bool = False,
) -> list[str]:
    """Why ``expert`` is recused from ``candidate`` (empty list: not recused).

    Parameters
    ----------
    expert : mapping
        With ``employer``, ``kind`` and ``bank``.
    candidate : mapping
        With ``name`` and ``lender_bank``.
    declared : str, optional
        The reason of a declared conflict, if one exists.
    same_city : bool
        Apply the same-city rule (evaluation panels): both carry ``city``.
    """
    reasons: list[str] = []
    if declared is not None:
        reasons.append(f"申报回避 / declared: {declared}")
    employer = normalise_name(expert.get("employer"))
    if employer and employer == normalise_name(candidate.get("name")):
        reasons.append("同一单位 / same employer")
    if expert.get("kind") == "bank":
        bank = normalise_name(expert.get("bank") or expert.get("employer"))
        if bank:
            for lender in lender_banks(candidate.get("lender_bank")):
                if bank in lender or lender in bank:
                    reasons.append("贷款银行 / lender bank")
                    break
    if same_city:
        city = normalise_name(expert.get("city"))
        if city and city == normalise_name(candidate.get("city")):
            reasons.append("同一城市 / same city")
    return reasons


def recused_pairs(
    experts: Iterable[Mapping[str, Any]],
    candidates: Iterable[Mapping[str, Any]],
    declared: Mapping[tuple[int, int], str],
    *,
    same_city: bool = False,
) -> dict[tuple[int, int], list[str]]:
    """Every recused ``(expert id, candidate id)`` pair with its reasons.

    ``experts`` and ``candidates`` carry their primary key as ``id``; ``declared`` maps
    ``(expert id, candidate id)`` to the declared reason; ``same_city`` applies the
    evaluation panels' same-city rule.
    """
    cands = list(candidates)
    out: dict[tuple[int, int], list[str]] = {}
    for e in experts:
        for c in cands:
            key = (e["id"], c["id"])
            reasons = recusal_reasons(e, c, declared=declared.get(key), same_city=same_city)
            if reasons:
                out[key] = reasons
    return out
