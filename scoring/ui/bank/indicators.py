"""The indicator rows of the bank's comparison table: three years and a trend arrow."""

from __future__ import annotations

from typing import Any

TREND = {1: "↑", -1: "↓", 0: "→"}

#: English row labels of ``schema.INDICATORS`` (附件1's six indicators, with their units).
ENGLISH = {
    "revenue": "Operating revenue (100 M yuan)",
    "cost_profit_ratio": "Cost-profit ratio (%)",
    "inventory_turnover": "Inventory turnover (times)",
    "asset_turnover": "Total-asset turnover (times)",
    "cash_cycle": "Cash conversion cycle (days)",
    "market_share": "Market share (%)",
}


def indicator_rows(candidates: Any, ids: list[str], lang: str = "zh") -> list[list[str]]:
    """One row per indicator: for each candidate, the three years and the trend arrow."""
    from scoring.programme.schema import INDICATORS

    years = sorted(
        {int(c.rsplit("_", 1)[1]) for c in candidates.columns if c.rsplit("_", 1)[-1].isdigit()}
    )[-3:]
    rows = []
    for key, (zh, unit) in INDICATORS.items():
        cols = [f"{key}_{y}" for y in years if f"{key}_{y}" in candidates]
        if not cols:
            continue
        row = [f"{zh}({unit})" if lang == "zh" else ENGLISH.get(key, f"{key} ({unit})")]
        for pid in ids:
            vals = [candidates.at[pid, c] for c in cols]
            try:
                nums = [float(v) for v in vals]
                trend = TREND[(nums[-1] > nums[0]) - (nums[-1] < nums[0])]
                row.append(" / ".join(f"{v:g}" for v in nums) + f" {trend}")
            except (TypeError, ValueError):
                row.append("")
        rows.append(row)
    return rows
