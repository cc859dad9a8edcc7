"""Statistics of the follow-up (统计查询、总结分析): financing, indicators, the ledger matrix.

Pure aggregations over long tables the store builds from the ledgers; every function returns a
new DataFrame and leaves its input alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from .content import FINANCING, normalise
from .indicators import STATUSES
from .periods import period_order

#: The amount columns of :func:`financing_by`: the five kinds, then their total.
FINANCING_COLUMNS = [*FINANCING, "total"]


def ledger_rows(content: Any, kind: str, **keys: Any) -> pd.DataFrame:
    """One row per ledger row with its block and amounts: the input of :func:`financing_by`.

    Parameters
    ----------
    content : any
        A ledger's content (normalised first).
    kind : {"enterprise", "region"}
    **keys
        Constant columns to add (``project_id="E001", period="2026Q1", city="太原市"``).

    Returns
    -------
    DataFrame
        ``**keys`` columns, ``block, row`` (1-based), ``role, name, block_city, enterprise`` and
        the amounts ``loan … other`` (0 when blank or not a number).
    """
    records = []
    for b, block in enumerate(normalise(content, kind)["blocks"], start=1):
        for r, row in enumerate(block["rows"], start=1):
            rec: dict[str, Any] = dict(keys)
            rec.update(
                block=b, row=r, role=block["role"], name=block["name"], block_city=block["city"]
            )
            rec["enterprise"] = row.get("enterprise", block["name"] if kind == "enterprise" else "")
            for k in FINANCING:
                v = row.get(k)
                rec[k] = float(v) if isinstance(v, int | float) else 0.0
            records.append(rec)
    cols = [*keys, "block", "row", "role", "name", "block_city", "enterprise", *FINANCING]
    return pd.DataFrame(records, columns=cols)


def financing_by(ledgers_long: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Financing (万元) summed per group: 贷款类, 票据类, 租赁类, 函证类, 其它 and the total.

    Parameters
    ----------
    ledgers_long : DataFrame
        Ledger rows with the ``by`` columns and either the amount columns ``loan … other``
        (as from :func:`ledger_rows`) or a long pair ``kind, amount``.
    by : list of str
        Group columns (``["city"]``, ``["period"]``, …); ``[]`` for one total row.

    Returns
    -------
    DataFrame
        ``by`` plus ``loan, bill, lease, letter, other, total`` (floats), sorted by ``by``.
    """
    df = ledgers_long
    if "kind" in df.columns and "amount" in df.columns and not set(FINANCING) & set(df.columns):
        wide = df.assign(amount=pd.to_numeric(df["amount"], errors="coerce").fillna(0.0))
        wide = wide[wide["kind"].isin(list(FINANCING))]
        for k in FINANCING:
            wide[k] = wide["amount"].where(wide["kind"] == k, 0.0)
        df = wide
    amounts = pd.DataFrame(
        {
            k: pd.to_numeric(df[k], errors="coerce").fillna(0.0) if k in df.columns else 0.0
            for k in FINANCING
        },
        index=df.index,
    ).astype("float64")
    for col in by:
        amounts[col] = df[col].to_numpy()
    if by:
        out = amounts.groupby(by, sort=True, dropna=False)[list(FINANCING)].sum().reset_index()
    else:
        out = pd.DataFrame([amounts[list(FINANCING)].sum()]).reset_index(drop=True)
    out["total"] = out[list(FINANCING)].sum(axis=1)
    return out.loc[:, [*by, *FINANCING_COLUMNS]]


def indicator_summary(progress: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Indicator progress per group and indicator.

    Parameters
    ----------
    progress : DataFrame
        :func:`scoring.followup.indicators.progress`.
    by : list of str
        Group columns besides ``indicator`` (``["period"]``, ``["city", "period"]``; ``[]``).

    Returns
    -------
    DataFrame
        ``by, indicator, projects`` (values reported), a count per status (``met, improving,
        below_baseline, no_baseline``), ``mean_change_pct`` and ``median_gap_closed`` (NaN
        when none has a baseline / target).
    """
    keys = [*by, "indicator"]
    cols = [*keys, "projects", *STATUSES, "mean_change_pct", "median_gap_closed"]
    if progress.empty:
        return pd.DataFrame(columns=cols)
    p = progress.copy()
    for s in STATUSES:
        p[s] = (p["status"] == s).astype("int64")
    g = p.groupby(keys, sort=True, dropna=False)
    out = g[list(STATUSES)].sum()
    out.insert(0, "projects", g["project_id"].nunique())
    out["mean_change_pct"] = g["change_pct"].mean()
    out["median_gap_closed"] = g["gap_closed"].median()
    return out.reset_index().loc[:, cols]


def matrix(states: pd.DataFrame, *, value: str = "state") -> pd.DataFrame:
    """The project × period matrix of ledger states (or of any ``value`` column).

    Parameters
    ----------
    states : DataFrame
        ``project_id, period, state`` (e.g. ``draft / submitted / returned / confirmed``, or a
        timeliness ``status`` with ``value="status"``).
    value : str

    Returns
    -------
    DataFrame
        Index ``project_id`` (sorted), one column per period in period order, the value in
        each cell; NaN where a project has no ledger for the period.
    """
    if states.empty:
        return pd.DataFrame(index=pd.Index([], name="project_id"))
    m = states.pivot_table(index="project_id", columns="period", values=value, aggfunc="last")
    m = m.reindex(columns=sorted(m.columns, key=period_order)).sort_index()
    m.columns.name = "period"
    return m


def counts(values: Mapping[str, Any] | pd.Series) -> dict[str, int]:
    """How many cells of each value a matrix row (or any series) holds, NaN left out."""
    s = pd.Series(values).dropna()
    return {str(k): int(v) for k, v in s.value_counts(sort=False).items()}
