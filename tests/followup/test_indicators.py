from __future__ import annotations

import math

import pandas as pd
import pytest

from scoring.followup import indicators as I


def test_groups_and_keys():
    assert I.groups() == ("entity", "finance", "region")
    assert [i.key for i in I.indicators("entity")] == [
        "revenue",
        "revenue_growth",
        "cost_profit_ratio",
        "inventory_turnover",
        "asset_turnover",
        "cash_cycle",
        "roa",
        "on_time_delivery",
    ]
    assert [i.key for i in I.indicators("finance")] == [
        "sc_finance_scale",
        "firms_served",
        "financing_cost",
        "bad_loan_ratio",
    ]
    assert [i.key for i in I.indicators("region")] == [
        "industry_output",
        "leader_revenue",
        "sc_finance_scale",
        "smes_served",
    ]
    with pytest.raises(ValueError, match="known"):
        I.indicators("bank")


def test_catalogue_attributes():
    cc = I.indicator("cash_cycle")
    assert cc.better == "lower" and cc.unit == "天" and not cc.flow
    assert I.indicator("revenue").flow and I.indicator("revenue").unit == "亿元"
    assert not I.indicator("revenue_growth").entered
    assert (
        I.indicator("roa").baseline_field is None
        and I.indicator("on_time_delivery").baseline_field is None
    )
    assert (
        I.indicator("financing_cost").better == "lower"
        and I.indicator("bad_loan_ratio").better == "lower"
    )
    assert I.indicator("cost_profit_ratio").inputs == ("profit", "cost")
    assert I.indicator("revenue").jump == 5
    assert I.indicator("sc_finance_scale", "region").group == "region"
    assert I.indicator("revenue").label("zh") == "营业收入（亿元）"


@pytest.mark.parametrize(
    ("key", "inputs", "expected"),
    [
        ("cost_profit_ratio", {"profit": 1.2, "cost": 10.0}, 12.0),
        ("inventory_turnover", {"cogs": 30.0, "avg_inventory": 6.0}, 5.0),
        ("asset_turnover", {"revenue": 8.0, "avg_total_assets": 10.0}, 0.8),
        ("cash_cycle", {"receivable_days": 45, "payable_days": 30, "inventory_days": 20}, 35.0),
        ("roa", {"net_profit": 0.5, "avg_total_assets": 10.0}, 5.0),
        ("on_time_delivery", {"on_time_orders": 190, "orders": 200}, 95.0),
    ],
)
def test_value_from_inputs(key, inputs, expected):
    assert I.value_of(I.indicator(key), {"inputs": inputs}) == pytest.approx(expected)


def test_value_given_wins_and_missing():
    ind = I.indicator("cost_profit_ratio")
    assert I.value_of(ind, {"value": 11.0, "inputs": {"profit": 1.2, "cost": 10}}) == 11.0
    assert I.value_of(ind, {"inputs": {"profit": 1.2}}) is None
    assert I.value_of(ind, {"inputs": {"profit": 1.2, "cost": 0}}) is None
    assert I.value_of(ind, None) is None
    assert I.value_of(ind, 3) == 3.0


def test_entry_findings():
    ind = I.indicator("cost_profit_ratio")
    assert (
        I.entry_findings(ind, {"value": 12.1, "inputs": {"profit": 1.2, "cost": 10}}) == []
    )  # within 1 %
    fs = I.entry_findings(ind, {"value": 12.5, "inputs": {"profit": 1.2, "cost": 10}})
    assert [f.field for f in fs] == ["indicators.cost_profit_ratio.value"]
    fs = I.entry_findings(ind, {"inputs": {"profit": 1.2}})
    assert [f.field for f in fs] == ["indicators.cost_profit_ratio.inputs.cost"]
    fs = I.entry_findings(ind, {"inputs": {"profit": 1.2, "cost": 10, "tax": 1}})
    assert [f.field for f in fs] == ["indicators.cost_profit_ratio.inputs.tax"]
    otd = I.indicator("on_time_delivery")
    fs = I.entry_findings(otd, {"value": 120, "baseline": -1})
    assert [f.field for f in fs] == [
        "indicators.on_time_delivery.value",
        "indicators.on_time_delivery.baseline",
    ]
    assert all(f.is_error and f.zh and f.en for f in fs)
    fs = I.entry_findings(I.indicator("revenue"), {"value": "abc"})
    assert [f.field for f in fs] == ["indicators.revenue.value"]


def test_annualised():
    rev, cc = I.indicator("revenue"), I.indicator("cash_cycle")
    assert I.annualised(rev, 3.0, 1) == 12.0
    assert I.annualised(rev, 9.0, 3) == 12.0
    assert I.annualised(rev, 12.0, None) == 12.0  # the yearly summary
    assert I.annualised(cc, 40.0, 1) == 40.0
    assert I.annualised(rev, None, 2) is None


def test_baseline_targets_from_candidate_fields():
    cand = {
        "revenue_2023": 1.29,
        "revenue_2024": 1.45,
        "revenue_2025": 1.64,
        "cost_profit_ratio_2024": 4.7,
        "cash_cycle_2025": "79",
        "revenue_2026": 1.9,
        "revenue_2027": 2.2,
    }
    plan = I.baseline_targets(cand, 2026, "entity")
    assert set(plan) == {
        "revenue",
        "cost_profit_ratio",
        "inventory_turnover",
        "asset_turnover",
        "cash_cycle",
        "roa",
        "on_time_delivery",
    }
    assert plan["revenue"] == {
        "baseline": 1.64,
        "baseline_year": 2025,
        "targets": {2026: 1.9, 2027: 2.2},
    }
    assert plan["cost_profit_ratio"] == {"baseline": 4.7, "baseline_year": 2024, "targets": {}}
    assert plan["cash_cycle"]["baseline"] == 79.0
    assert plan["roa"] == {"baseline": None, "baseline_year": None, "targets": {}}
    assert plan["inventory_turnover"]["baseline"] is None


def test_baseline_targets_from_the_demo_candidates(demo_dir):
    row = pd.read_csv(demo_dir / "candidates.csv").set_index("project_id").loc["E001"]
    plan = I.baseline_targets(row, 2026, "entity")
    assert plan["revenue"]["baseline"] == pytest.approx(1.64)
    assert plan["cash_cycle"]["baseline"] == pytest.approx(79)


def test_progress_hand_computed():
    values = pd.DataFrame(
        [
            ("E1", "2026Q2", "revenue", 6.0),  # annualised 12 → target 12 met
            ("E1", "2026Q2", "cash_cycle", 70.0),  # lower is better: 70 < 80 improving
            ("E1", "2026Q1", "revenue", 2.0),  # annualised 8 < 10: below
            ("E2", "2026Y", "revenue", 11.0),  # yearly, not annualised: improving (target 12)
            ("E2", "2026Q1", "roa", 5.0),  # no baseline; a flow: annualised × 4
        ],
        columns=["project_id", "period", "indicator", "value"],
    )
    plan = pd.DataFrame(
        [
            ("E1", "revenue", 10.0, 12.0),
            ("E1", "cash_cycle", 80.0, 60.0),
            ("E2", "revenue", 10.0, 12.0),
            ("E2", "roa", None, None),
        ],
        columns=["project_id", "indicator", "baseline", "target"],
    )
    p = I.progress(values, plan)
    assert list(p["annualised"]) == [12.0, 70.0, 8.0, 11.0, 20.0]
    assert list(p["status"]) == ["met", "improving", "below_baseline", "improving", "no_baseline"]
    assert p["change"].iloc[0] == 2.0 and p["change_pct"].iloc[0] == pytest.approx(20.0)
    assert p["gap_closed"].iloc[0] == pytest.approx(1.0)
    assert p["gap_closed"].iloc[1] == pytest.approx(0.5)  # (70-80)/(60-80)
    assert p["change_pct"].iloc[2] == pytest.approx(-20.0)
    assert p["gap_closed"].iloc[3] == pytest.approx(0.5)
    assert math.isnan(p["change"].iloc[4])
    assert set(p.columns) >= {
        "project_id",
        "period",
        "indicator",
        "value",
        "baseline",
        "target",
        "annualised",
        "change",
        "change_pct",
        "gap_closed",
        "status",
    }


def test_progress_with_year_targets():
    values = pd.DataFrame(
        [("E1", "2027Q4", "revenue", 11.0)], columns=["project_id", "period", "indicator", "value"]
    )
    plan = pd.DataFrame(
        [("E1", "revenue", 2026, 10.0, 10.5), ("E1", "revenue", 2027, 10.0, 11.5)],
        columns=["project_id", "indicator", "year", "baseline", "target"],
    )
    p = I.progress(values, plan)
    assert p["target"].iloc[0] == 11.5 and p["status"].iloc[0] == "improving"


def test_progress_empty():
    p = I.progress(
        pd.DataFrame(columns=["project_id", "period", "indicator", "value"]),
        pd.DataFrame(columns=["project_id", "indicator", "baseline", "target"]),
    )
    assert len(p) == 0 and "status" in p.columns


def test_evaluate_is_safe():
    assert I.evaluate("a / b * 100", {"a": 1, "b": 4}) == 25.0
    assert I.evaluate("a / b", {"a": 1, "b": 0}) is None
    assert I.evaluate("__import__('os')", {}) is None


def test_a_non_number_input_is_one_finding():
    fs = I.entry_findings(
        I.indicator("cost_profit_ratio"), {"inputs": {"profit": "abc", "cost": 10}}
    )
    assert [f.field for f in fs] == ["indicators.cost_profit_ratio.inputs.profit"]


def test_the_english_label_and_messages_give_english_units():
    import re

    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert I.indicator("revenue").label("en") == "Revenue (100 M yuan)"
    assert I.indicator("inventory_turnover").label("en") == "Inventory turnover (times)"
    assert I.indicator("cash_cycle").label("en") == "Cash conversion cycle (days)"
    assert I.indicator("cost_profit_ratio").label("en") == "Cost-profit ratio (%)"
    assert I.indicator("sc_finance_scale").label("en") == "Supply-chain finance volume (10k yuan)"
    assert I.indicator("revenue").unit_of("en") == "100 M yuan"
    assert I.indicator("revenue").unit_of("zh") == "亿元"
    for group in I.groups():
        for ind in I.indicators(group):
            assert not cjk.search(ind.label("en")), ind.label("en")
            assert ind.label("zh") == f"{ind.zh}（{ind.unit}）"
    (f,) = I.entry_findings(I.indicator("revenue"), {"value": -3})
    assert f.en == "Revenue: -3 100 M yuan outside the plausible range [0, ]", f.en
    assert f.zh == "营业收入：-3亿元 超出合理范围 [0, ]", f.zh
