"""Warnings for values that jump between two periods (DHIS2-style outlier flags).

An indicator whose (annualised) value changed by more than its ``jump`` factor since the
previous period, or a financing total that did, is flagged for the unit to check; a warning,
never an error.
"""

from __future__ import annotations

from typing import Any

from .content import financing_totals, normalise
from .findings import Finding, warning
from .indicators import annualised, indicator, value_of
from .periods import parse_period_key
from .workflow import jump_factor


def jump_warnings(
    content: Any,
    previous: Any,
    *,
    kind: str = "enterprise",
    period: str | None = None,
    previous_period: str | None = None,
) -> list[Finding]:
    """Warnings for indicators (and the financing total) that changed by more than their jump
    factor since the previous period.

    Parameters
    ----------
    content, previous : any
        This period's and the previous period's content (None: no warnings).
    kind : {"enterprise", "region"}
    period, previous_period : str, optional
        Their keys: flows are then annualised before comparison (a Q2 year-to-date value is
        about twice Q1's); without them values are compared as given.
    """
    if previous is None:
        return []
    c, prev = normalise(content, kind), normalise(previous, kind)
    q = parse_period_key(period)[1] if period else None
    pq = parse_period_key(previous_period)[1] if previous_period else None
    out: list[Finding] = []
    for key, entry in c["indicators"].items():
        try:
            ind = indicator(key)
        except KeyError:
            continue
        a = annualised(ind, value_of(ind, entry), q)
        b = annualised(ind, value_of(ind, prev["indicators"].get(key)), pq)
        if a is None or b is None or a == 0 or b == 0 or (a > 0) != (b > 0):
            continue
        ratio = abs(a / b)
        if ratio > ind.jump or ratio < 1 / ind.jump:
            out.append(
                warning(
                    f"indicators.{key}.value",
                    f"{ind.zh}：{a:.4g} 与上期 {b:.4g} 相差超过{ind.jump:g}倍，请核实",
                    f"{ind.en}: {a:.4g} against {b:.4g} last period, more than {ind.jump:g}×; please check",
                )
            )
    a, b = financing_totals(c)["total"], financing_totals(prev)["total"]
    f = jump_factor()
    if a > 0 and b > 0 and (a / b > f or b / a > f):
        out.append(
            warning(
                "blocks",
                f"融资合计 {a:g}万元 与上期 {b:g}万元 相差超过{f:g}倍，请核实",
                f"financing total {a:g} against {b:g} last period (10,000 CNY), more than {f:g}×; please check",
            )
        )
    return out
