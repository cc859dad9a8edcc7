"""The indicator catalogue of ``data/followup/indicators.yml`` and its formulas.

:class:`Indicator` is one indicator (unit, direction, flow, inputs and formula, range, jump
factor, application fields); :func:`indicators` lists a group's. Formulas are arithmetic
(``+ - * /`` and parentheses) over the input names, evaluated without ``eval``.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..datafile import read_yaml
from ..errors import InputError, Problem
from ..paths import DATA_DIR

#: The catalogue file.
INDICATORS_PATH: Path = DATA_DIR / "followup" / "indicators.yml"


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalogue.

    Attributes
    ----------
    key, zh, en, unit, group : str
    unit_en : str
        The unit on the English pages (``100 M yuan`` for 亿元).
    better : {"higher", "lower"}
    flow : bool
        A year-to-date flow, annualised (× 4/q) before comparison.
    inputs : tuple of str
        Names of the raw inputs of ``formula`` (empty when there is none).
    formula : str or None
        Arithmetic over ``inputs`` (``profit / cost * 100``).
    range : (float or None, float or None)
        Plausible values; outside is an error.
    jump : float
        Change factor between two periods that is flagged.
    baseline_field, target_field : str or None
        Stems of the application's fields (``revenue`` → ``revenue_2025``).
    derived_from : str or None
        Computed from that indicator, never entered (营业收入增长).
    """

    key: str
    zh: str
    en: str
    unit: str
    unit_en: str
    group: str
    better: str
    flow: bool
    inputs: tuple[str, ...]
    formula: str | None
    range: tuple[float | None, float | None]
    jump: float
    baseline_field: str | None
    target_field: str | None
    derived_from: str | None = None

    @property
    def entered(self) -> bool:
        """Whether the ledger gives it (not derived)."""
        return self.derived_from is None

    def unit_of(self, lang: str = "zh") -> str:
        """The unit in ``lang``: ``亿元`` / ``100 M yuan``."""
        return self.unit if lang == "zh" else self.unit_en

    def label(self, lang: str = "zh") -> str:
        """``营业收入（亿元）`` / ``Revenue (100 M yuan)``."""
        return f"{self.zh}（{self.unit}）" if lang == "zh" else f"{self.en} ({self.unit_en})"


def _parse(data: Any, jump_default: float) -> dict[str, list[Indicator]]:
    problems: list[Problem] = []
    out: dict[str, list[Indicator]] = {}
    groups = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(groups, dict):
        raise InputError([Problem("needs an 'indicators' mapping")], file=str(INDICATORS_PATH))
    for group, items in groups.items():
        out[group] = []
        for key, spec in (items or {}).items():
            where = f"indicators.{group}.{key}"
            try:
                lo, hi = spec.get("range") or (None, None)
                ind = Indicator(
                    key=str(key),
                    zh=str(spec["zh"]),
                    en=str(spec["en"]),
                    unit=str(spec["unit"]),
                    unit_en=str(spec["unit_en"]),
                    group=str(group),
                    better=str(spec.get("better", "higher")),
                    flow=bool(spec.get("flow", False)),
                    inputs=tuple(str(i) for i in spec.get("inputs") or ()),
                    formula=spec.get("formula"),
                    range=(None if lo is None else float(lo), None if hi is None else float(hi)),
                    jump=float(spec.get("jump", jump_default)),
                    baseline_field=spec.get("baseline_field"),
                    target_field=spec.get("target_field"),
                    derived_from=spec.get("derived_from"),
                )
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                problems.append(Problem(f"bad indicator: {exc!r}", column=where))
                continue
            if ind.better not in ("higher", "lower"):
                problems.append(Problem("better must be higher or lower", column=where))
            if ind.formula is not None:
                try:
                    names = _names(ind.formula)
                except ValueError as exc:
                    problems.append(Problem(str(exc), column=where))
                else:
                    if names != set(ind.inputs):
                        problems.append(Problem("formula names must be the inputs", column=where))
            out[group].append(ind)
    if problems:
        raise InputError(problems, file=str(INDICATORS_PATH))
    return out


@cache
def catalogue() -> dict[str, list[Indicator]]:
    """Every group's indicators, in file order (cached).

    Raises
    ------
    InputError
        The file is unreadable or an indicator is malformed (its path is named).
    """
    from .workflow import jump_factor

    return _parse(read_yaml(INDICATORS_PATH, "indicators"), jump_factor())


def groups() -> tuple[str, ...]:
    """The indicator groups: ``entity``, ``finance``, ``region``."""
    return tuple(catalogue())


def indicators(group: str) -> list[Indicator]:
    """The indicators of ``group`` (derived ones included, see :attr:`Indicator.entered`).

    Raises
    ------
    ValueError
        Unknown group; the known ones are named.
    """
    cat = catalogue()
    if group not in cat:
        raise ValueError(f"unknown indicator group {group!r} (known: {', '.join(cat)})")
    return list(cat[group])


def indicator(key: str, group: str | None = None) -> Indicator:
    """The indicator ``key`` (of ``group``, or the first group that has it).

    Raises
    ------
    KeyError
        No such indicator.
    """
    for g, items in catalogue().items():
        if group is not None and g != group:
            continue
        for ind in items:
            if ind.key == key:
                return ind
    raise KeyError(key)


# -- formulas ---------------------------------------------------------------------------------

_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def _names(formula: str) -> set[str]:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError:
        raise ValueError(f"formula is not arithmetic: {formula!r}") from None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif (
            not isinstance(
                node, ast.Expression | ast.BinOp | ast.UnaryOp | ast.USub | ast.Constant | ast.Load
            )
            and type(node) not in _OPS
        ):
            raise ValueError(f"formula may use + - * / only: {formula!r}")
    return names


def evaluate(formula: str, values: Mapping[str, float]) -> float | None:
    """The value of ``formula`` over ``values``; None when an input is missing or on division by 0."""

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name):
            return float(values[node.id])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        raise ValueError(f"formula may use + - * / only: {formula!r}")

    try:
        result = ev(ast.parse(formula, mode="eval"))
    except (KeyError, ZeroDivisionError, TypeError, ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None
