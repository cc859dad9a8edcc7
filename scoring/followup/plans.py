"""A followed project's plan (baselines and targets) and its reported values, as tables.

Glue between the stored JSON (:func:`scoring.followup.indicators.baseline_targets` per project,
ledger contents) and :func:`scoring.followup.indicators.progress`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from .indicators import _num, indicator, value_of
from .periods import period_order


def missing_baselines(
    plan: Mapping[str, Mapping[str, Any]], given: Iterable[str] = ()
) -> list[str]:
    """The indicators of a plan that still need a baseline from the unit (no application value,
    none given in an earlier ledger): the ``needs_baseline`` of :func:`scoring.followup.ledger.check`.

    Parameters
    ----------
    plan : mapping
        :func:`baseline_targets` (or the same read back from JSON).
    given : iterable of str
        Indicators whose baseline an earlier ledger of the project gave.
    """
    done = set(given)
    return [k for k, v in plan.items() if (v or {}).get("baseline") is None and k not in done]


def values_frame(ledgers: Iterable[tuple[Any, str, Mapping[str, Any]]]) -> pd.DataFrame:
    """The indicator values of ledgers as the ``values`` of :func:`progress`.

    Parameters
    ----------
    ledgers : iterable of (project_id, period key, content)
        Normalised contents (e.g. the confirmed ledgers).

    Returns
    -------
    DataFrame
        ``project_id, period, indicator, value, baseline`` (``baseline``: a baseline the
        ledger gave, NaN otherwise); entries without a value are left out, unknown keys too.
    """
    records = []
    for pid, period, content in ledgers:
        entries = content.get("indicators") if isinstance(content, Mapping) else None
        for key, entry in (entries or {}).items():
            try:
                ind = indicator(str(key))
            except KeyError:
                continue
            v = value_of(ind, entry)
            b = _num(entry.get("baseline")) if isinstance(entry, Mapping) else None
            if v is not None or b is not None:
                records.append((pid, period, ind.key, v, b))
    cols = ["project_id", "period", "indicator", "value", "baseline"]
    df = pd.DataFrame(records, columns=cols)
    return df.astype({"value": "float64", "baseline": "float64"})


def plan_frame(
    plans: Mapping[Any, Mapping[str, Mapping[str, Any]]], entered: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The ``plan`` of :func:`progress` from each project's :func:`baseline_targets`.

    Parameters
    ----------
    plans : mapping
        project_id -> plan (targets' years may be strings, as read back from JSON).
    entered : DataFrame, optional
        :func:`values_frame`: an indicator with no application baseline takes the baseline
        given in the project's earliest ledger.

    Returns
    -------
    DataFrame
        ``project_id, indicator, year, baseline, target``: one row per target year, or one row
        with ``year`` NaN and ``target`` NaN when there is no target.
    """
    first: dict[tuple[Any, str], float] = {}
    if entered is not None and len(entered):
        e = entered.dropna(subset=["baseline"])
        e = e.assign(_o=[period_order(str(p)) for p in e["period"]]).sort_values("_o")
        for pid, key, b in zip(e["project_id"], e["indicator"], e["baseline"], strict=True):
            first.setdefault((pid, key), float(b))
    rows = []
    for pid, plan in plans.items():
        for key, spec in (plan or {}).items():
            base = _num((spec or {}).get("baseline"))
            if base is None:
                base = first.get((pid, key))
            targets = (spec or {}).get("targets") or {}
            if targets:
                for year, t in targets.items():
                    rows.append((pid, key, int(year), base, _num(t)))
            else:
                rows.append((pid, key, None, base, None))
    df = pd.DataFrame(rows, columns=["project_id", "indicator", "year", "baseline", "target"])
    return df.astype({"baseline": "float64", "target": "float64"})
