"""Code lists of the ledgers: the 大类 of GB/T 4754-2017 国民经济行业分类, and the cities.

The ledger's 所属行业 column is refined to the division (大类, a 2-digit code), e.g.
"36 汽车制造业" (附件4-1 注1); several divisions are listed one by one. The list is
``data/codes/industry-divisions.csv`` (``code,name,section``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from ..errors import InputError, Problem
from ..paths import DATA_DIR
from ..programme.schema import CITIES

#: The 97 divisions (大类) of GB/T 4754-2017.
DIVISIONS_PATH: Path = DATA_DIR / "codes" / "industry-divisions.csv"

_NUMBER = re.compile(r"\d+")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


@cache
def _rows() -> tuple[tuple[str, str, str], ...]:
    try:
        text = DIVISIONS_PATH.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(
            [Problem(f"cannot read code list: {exc.strerror}")], file=str(DIVISIONS_PATH)
        ) from exc
    rows = []
    problems = []
    for i, rec in enumerate(csv.DictReader(text.splitlines()), start=2):
        code, name = (rec.get("code") or "").strip(), (rec.get("name") or "").strip()
        if not re.fullmatch(r"\d{2}", code) or not name:
            problems.append(Problem("needs a 2-digit code and a name", row=i))
            continue
        rows.append((code, name, (rec.get("section") or "").strip()))
    if problems:
        raise InputError(problems, file=str(DIVISIONS_PATH))
    return tuple(rows)


def industry_divisions() -> dict[str, str]:
    """Every division (大类) of GB/T 4754-2017: code (``"01"`` … ``"97"``) -> Chinese name."""
    return {code: name for code, name, _ in _rows()}


def industry_sections() -> dict[str, str]:
    """Every division's section (门类) letter: code -> ``"A"`` … ``"T"``."""
    return {code: section for code, _, section in _rows()}


def _by_name() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, name, _ in _rows():
        names[name] = code
        if name.endswith("业") and len(name) > 2:
            names.setdefault(name[:-1], code)  # "医药制造" -> 27 医药制造业
    return names


def _codes_in(text: str) -> list[str]:
    found: list[str] = []
    numbers = _NUMBER.findall(text)
    for n in numbers:
        if len(n) <= 2:
            found.append(n.zfill(2))
        elif len(n) <= 4:
            found.append(n[:2])  # a 中类 (3 digits) or 小类 (4 digits): its division
        else:
            found.append(n)  # not a code: kept so that a check can name it
    if not numbers:
        names = _by_name()
        for part in re.split(r"[、，,；;/\s]+", text):
            if part in names:
                found.append(names[part])
    return found


def parse_industries(text: str | Iterable[object] | None) -> list[str]:
    """The division codes named in a 所属行业 cell, in order, each once.

    Parameters
    ----------
    text : str, iterable or None
        ``"36 汽车制造业"``, ``"36"``, ``"36、37"``, ``"36汽车制造业；54道路运输业"``, a division's
        name (``"汽车制造业"``), or a list of such items. A 3- or 4-digit 中类/小类 code counts
        for its division (``"3610"`` → ``"36"``); a single digit is zero-padded.

    Returns
    -------
    list of str
        Two-digit codes; codes not in the standard (``"98"``) are kept, for the ledger check to
        name. Text with neither a number nor a division name gives nothing.
    """
    if text is None:
        return []
    items: Iterable[object] = [text] if isinstance(text, str | int) else text
    out: list[str] = []
    try:
        iterator = iter(items)
    except TypeError:
        iterator = iter([items])
    for item in iterator:
        if item is None or isinstance(item, bool | float):
            continue
        for code in _codes_in(str(item).translate(_FULLWIDTH).strip()):
            if code not in out:
                out.append(code)
    return out


def is_division(code: str) -> bool:
    """Whether ``code`` is a division (大类) of the standard."""
    return code in industry_divisions()


def industry_label(code: str) -> str:
    """``"36 汽车制造业"`` for ``"36"``; a code not in the standard is returned as it is."""
    name = industry_divisions().get(code)
    return f"{code} {name}" if name else str(code)


def normalise_city(text: object) -> str:
    """A city name as the notices spell it: ``"太原"`` → ``"太原市"``; other text only stripped."""
    s = "" if text is None else str(text).strip()
    if s and s not in CITIES and f"{s}市" in CITIES:
        return f"{s}市"
    return s


def is_city(name: str) -> bool:
    """Whether ``name`` is one of the 11 cities of Shanxi."""
    return name in CITIES
