"""The performance indicators of the follow-up (``data/followup/indicators.yml``).

Three groups: ``entity`` (实体企业), ``finance`` (金融机构) and ``region`` (区域项目). A ledger gives
an indicator as a value, or as the raw inputs of its formula (``cost_profit_ratio`` = profit /
cost × 100), or both (then they must agree within 1 %). Quarterly values are year-to-date
(本年累计): flows are annualised (× 4/q) before they are compared with the yearly baseline
(the application's last history year, ``revenue_2025``) and target (its forecast, ``revenue_2026``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .catalogue import (
    INDICATORS_PATH,
    Indicator,
    catalogue,
    evaluate,
    groups,
    indicator,
    indicators,
)
from .findings import Finding, error
from .periods import parse_period_key

__all__ = [
    "INDICATORS_PATH",
    "STATUSES",
    "Indicator",
    "annualised",
    "baseline_targets",
    "catalogue",
    "computed",
    "entry_findings",
    "evaluate",
    "groups",
    "indicator",
    "indicators",
    "progress",
    "value_of",
]

#: Inputs and a given value agree when within this relative tolerance.
RTOL = 0.01
#: How many history years before the catalogue year a baseline is looked for.
BASELINE_LOOKBACK = 3
#: The statuses of :func:`progress`.
STATUSES = ("met", "improving", "below_baseline", "no_baseline")


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    try:
        v = float(x)
    except OverflowError:
        return None
    return v if math.isfinite(v) else None


def computed(ind: Indicator, entry: Mapping[str, Any] | None) -> float | None:
    """The value computed from the entry's inputs (None without a formula or a complete input set)."""
    if ind.formula is None or not isinstance(entry, Mapping):
        return None
    inputs = entry.get("inputs")
    if not isinstance(inputs, Mapping):
        return None
    values = {k: _num(inputs.get(k)) for k in ind.inputs}
    if any(v is None for v in values.values()):
        return None
    return evaluate(ind.formula, values)  # type: ignore[arg-type]


def value_of(ind: Indicator, entry: Mapping[str, Any] | None) -> float | None:
    """The entry's value: the given ``value``, else computed from its ``inputs``, else None."""
    if not isinstance(entry, Mapping):
        return _num(entry)
    given = _num(entry.get("value"))
    return given if given is not None else computed(ind, entry)


def entry_findings(ind: Indicator, entry: Mapping[str, Any] | None) -> list[Finding]:
    """Errors of one indicator entry: non-numbers, inputs disagreeing with the value, ranges.

    Parameters
    ----------
    ind : Indicator
    entry : mapping or None
        ``{"value": 12.5}``, ``{"inputs": {"profit": 1.2, "cost": 10.0}}``, or both.

    Returns
    -------
    list of Finding
        Field paths ``indicators.<key>.value`` / ``indicators.<key>.inputs.<name>``.
    """
    out: list[Finding] = []
    if not isinstance(entry, Mapping):
        return out
    base = f"indicators.{ind.key}"
    for name in ("value", "baseline"):
        raw = entry.get(name)
        if raw is not None and _num(raw) is None:
            out.append(
                error(
                    f"{base}.{name}",
                    f"{ind.zh}：不是数字（{raw}）",
                    f"{ind.en}: not a number ({raw})",
                )
            )
    inputs = entry.get("inputs")
    if isinstance(inputs, Mapping):
        for name, raw in inputs.items():
            if name not in ind.inputs:
                out.append(
                    error(
                        f"{base}.inputs.{name}",
                        f"{ind.zh}：没有输入项“{name}”",
                        f"{ind.en}: no input {name!r}",
                    )
                )
            elif raw is not None and _num(raw) is None:
                out.append(
                    error(
                        f"{base}.inputs.{name}",
                        f"{ind.zh}：{name} 不是数字（{raw}）",
                        f"{ind.en}: {name} is not a number ({raw})",
                    )
                )
        present = [k for k in ind.inputs if _num(inputs.get(k)) is not None]
        if present and len(present) < len(ind.inputs):
            for k in ind.inputs:
                if inputs.get(k) is None:
                    out.append(
                        error(
                            f"{base}.inputs.{k}",
                            f"{ind.zh}：缺少输入项 {k}",
                            f"{ind.en}: input {k} missing",
                        )
                    )
        elif present and ind.formula is not None:
            calc = computed(ind, entry)
            if calc is None:
                last = ind.inputs[-1]
                out.append(
                    error(
                        f"{base}.inputs.{last}",
                        f"{ind.zh}：无法计算（分母为零）",
                        f"{ind.en}: cannot be computed (division by zero)",
                    )
                )
            else:
                given = _num(entry.get("value"))
                if given is not None and not math.isclose(given, calc, rel_tol=RTOL, abs_tol=1e-9):
                    out.append(
                        error(
                            f"{base}.value",
                            f"{ind.zh}：填报值 {given:g} 与按公式计算的 {calc:.4g} 相差超过1%",
                            f"{ind.en}: value {given:g} differs from {calc:.4g} computed from the inputs by more than 1 %",
                        )
                    )
    value = value_of(ind, entry)
    lo, hi = ind.range
    for name, v in (("value", value), ("baseline", _num(entry.get("baseline")))):
        if v is None:
            continue
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            span = f"[{'' if lo is None else f'{lo:g}'}, {'' if hi is None else f'{hi:g}'}]"
            out.append(
                error(
                    f"{base}.{name}",
                    f"{ind.zh}：{v:g}{ind.unit} 超出合理范围 {span}",
                    f"{ind.en}: {v:g} {ind.unit_en} outside the plausible range {span}",
                )
            )
    return out


def annualised(ind: Indicator, value: float | None, quarter: int | None) -> float | None:
    """A year-to-date value on a yearly footing: × 4/q for a flow in quarter q, else unchanged."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if ind.flow and quarter:
        return float(value) * 4.0 / int(quarter)
    return float(value)


def _field(data: Any, name: str) -> float | None:
    try:
        raw = data.get(name) if hasattr(data, "get") else None
    except (TypeError, ValueError):
        return None
    if isinstance(raw, str):
        try:
            raw = float(raw.replace(",", "").strip())
        except ValueError:
            return None
    if isinstance(raw, np.generic):
        raw = raw.item()
    return _num(raw)


def baseline_targets(
    candidate_data: Mapping[str, Any], year: int, group: str
) -> dict[str, dict[str, Any]]:
    """The plan of a followed project: each entered indicator's baseline and targets.

    Parameters
    ----------
    candidate_data : mapping (dict or Series)
        The application's fields (附件1): ``revenue_2025`` … (history), ``revenue_2026`` …
        (forecasts, optional).
    year : int
        The catalogue year: the baseline is the last history year before it that has a value
        (looked for back to ``year - 3``); targets are the forecasts of ``year`` on.
    group : str

    Returns
    -------
    dict
        key -> ``{"baseline": float | None, "baseline_year": int | None, "targets": {year: float}}``.
    """
    plan: dict[str, dict[str, Any]] = {}
    for ind in indicators(group):
        if not ind.entered:
            continue
        baseline, baseline_year = None, None
        if ind.baseline_field:
            for y in range(year - 1, year - 1 - BASELINE_LOOKBACK, -1):
                v = _field(candidate_data, f"{ind.baseline_field}_{y}")
                if v is not None:
                    baseline, baseline_year = v, y
                    break
        targets: dict[int, float] = {}
        if ind.target_field:
            for y in range(year, year + 5):
                v = _field(candidate_data, f"{ind.target_field}_{y}")
                if v is not None:
                    targets[y] = v
        plan[ind.key] = {"baseline": baseline, "baseline_year": baseline_year, "targets": targets}
    return plan


def _status(ind: Indicator | None, value: float, baseline: float, target: float) -> str:
    if math.isnan(baseline) or math.isnan(value):
        return "no_baseline"
    sign = -1.0 if ind is not None and ind.better == "lower" else 1.0
    if not math.isnan(target) and sign * (value - target) >= 0:
        return "met"
    return "improving" if sign * (value - baseline) >= 0 else "below_baseline"


def progress(values: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """Each reported value against its project's baseline and target.

    Parameters
    ----------
    values : DataFrame
        ``project_id, period, indicator, value`` (year-to-date values as reported).
    plan : DataFrame
        ``project_id, indicator, baseline, target`` (and optionally ``year``: then a value is
        matched with the target of its period's year).

    Returns
    -------
    DataFrame
        ``values`` plus ``baseline, target, annualised, change`` (annualised − baseline),
        ``change_pct`` (change / |baseline| × 100), ``gap_closed`` ((annualised − baseline) /
        (target − baseline), 1 = target reached, above 1 beyond it) and ``status``:
        ``met`` (target reached, in the indicator's direction), ``improving`` (at or better
        than the baseline), ``below_baseline``, ``no_baseline``.
    """
    cols = ["project_id", "period", "indicator", "value"]
    out = values.loc[:, cols].copy() if len(values) else pd.DataFrame(columns=cols)
    out["year"] = [parse_period_key(str(p))[0] for p in out["period"]]
    pair = ["project_id", "indicator"]
    base = plan.dropna(subset=["baseline"]).drop_duplicates(pair, keep="last")[[*pair, "baseline"]]
    out = out.merge(base, on=pair, how="left")
    if "year" in plan.columns:
        yearly = plan.dropna(subset=["year", "target"]).astype({"year": "int64"})
        yearly = yearly.drop_duplicates([*pair, "year"], keep="last")[[*pair, "year", "target"]]
        out = out.merge(yearly, on=[*pair, "year"], how="left")
    else:
        target = plan.dropna(subset=["target"]).drop_duplicates(pair, keep="last")[
            [*pair, "target"]
        ]
        out = out.merge(target, on=pair, how="left")
    ann, status = [], []
    for ind_key, period, value, baseline, target in zip(
        out["indicator"], out["period"], out["value"], out["baseline"], out["target"], strict=True
    ):
        try:
            ind: Indicator | None = indicator(str(ind_key))
        except KeyError:
            ind = None
        quarter = parse_period_key(str(period))[1]
        v = _num(value)
        a = annualised(ind, v, quarter) if ind is not None else v
        a = float("nan") if a is None else a
        ann.append(a)
        status.append(_status(ind, a, _nan(baseline), _nan(target)))
    out["annualised"] = pd.Series(ann, index=out.index, dtype="float64")
    out["baseline"] = pd.to_numeric(out["baseline"], errors="coerce").astype("float64")
    out["target"] = pd.to_numeric(out["target"], errors="coerce").astype("float64")
    out["change"] = out["annualised"] - out["baseline"]
    denom = out["baseline"].abs().where(out["baseline"] != 0)
    out["change_pct"] = out["change"] / denom * 100.0
    span = (out["target"] - out["baseline"]).where(lambda s: s != 0)
    out["gap_closed"] = out["change"] / span
    out["status"] = status
    return out.drop(columns="year")


def _nan(x: Any) -> float:
    v = _num(x.item() if isinstance(x, np.generic) else x)
    return float("nan") if v is None else v
