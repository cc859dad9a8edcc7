from __future__ import annotations

import json

import pandas as pd
import pytest

from scoring.followup import indicators as I
from scoring.followup import plans as PL


def test_missing_baselines():
    plan = I.baseline_targets({"revenue_2025": 1.6}, 2026, "entity")
    assert PL.missing_baselines(plan) == [
        "cost_profit_ratio",
        "inventory_turnover",
        "asset_turnover",
        "cash_cycle",
        "roa",
        "on_time_delivery",
    ]
    assert PL.missing_baselines(plan, ["roa", "cash_cycle"]) == [
        "cost_profit_ratio",
        "inventory_turnover",
        "asset_turnover",
        "on_time_delivery",
    ]


def test_values_frame():
    v = PL.values_frame(
        [
            (
                "E1",
                "2026Q1",
                {
                    "indicators": {
                        "revenue": {"value": 3.0},
                        "roa": {"value": 1.5, "baseline": 5.0},
                        "x": {"value": 1},
                    }
                },
            ),
            (
                "E1",
                "2026Q2",
                {
                    "indicators": {
                        "cost_profit_ratio": {"inputs": {"profit": 1, "cost": 10}},
                        "cash_cycle": {},
                    }
                },
            ),
        ]
    )
    assert v[["project_id", "period", "indicator", "value"]].values.tolist() == [
        ["E1", "2026Q1", "revenue", 3.0],
        ["E1", "2026Q1", "roa", 1.5],
        ["E1", "2026Q2", "cost_profit_ratio", 10.0],
    ]
    assert v["baseline"].tolist()[1] == 5.0


def test_plan_frame_roundtrips_json_and_feeds_progress():
    plan = I.baseline_targets(
        {"revenue_2025": 10.0, "revenue_2026": 12.0, "revenue_2027": 14.0}, 2026, "entity"
    )
    stored = json.loads(json.dumps(plan))  # years become strings in the store
    values = PL.values_frame(
        [
            (
                "E1",
                "2026Q2",
                {"indicators": {"revenue": {"value": 6.0}, "roa": {"value": 2.0, "baseline": 5.0}}},
            ),
            ("E1", "2027Q1", {"indicators": {"revenue": {"value": 3.0}, "roa": {"value": 1.0}}}),
            ("E1", "2028Q4", {"indicators": {"revenue": {"value": 9.0}}}),
        ]
    )
    pf = PL.plan_frame({"E1": stored}, values)
    rev = pf[pf.indicator == "revenue"]
    assert rev[["year", "baseline", "target"]].values.tolist() == [
        [2026, 10.0, 12.0],
        [2027, 10.0, 14.0],
    ]
    assert pf[pf.indicator == "roa"]["baseline"].item() == 5.0  # from the first ledger
    p = I.progress(values, pf)
    got = list(zip(p.period, p.indicator, p.annualised, p.target.fillna(-1), p.status, strict=True))
    assert got == [
        ("2026Q2", "revenue", 12.0, 12.0, "met"),
        ("2026Q2", "roa", 4.0, -1, "below_baseline"),  # 2 × 4/2 = 4 < 5
        ("2027Q1", "revenue", 12.0, 14.0, "improving"),
        ("2027Q1", "roa", 4.0, -1, "below_baseline"),
        ("2028Q4", "revenue", 9.0, -1, "below_baseline"),  # no 2028 target, baseline kept
    ]
    assert p.loc[p.period == "2027Q1", "gap_closed"].iloc[0] == pytest.approx(0.5)


def test_plan_frame_empty():
    pf = PL.plan_frame({})
    assert (
        list(pf.columns) == ["project_id", "indicator", "year", "baseline", "target"] and pf.empty
    )
    assert isinstance(pf, pd.DataFrame)
