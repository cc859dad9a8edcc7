from __future__ import annotations

from datetime import date

import pytest

from scoring.followup import ledger as L
from scoring.followup.findings import errors, warnings


def good(kind: str = "enterprise") -> dict:
    first = {
        "role": "core",
        "name": "晋示例远帆物流有限公司",
        "city": "太原市",
        "industries": ["54", "59"],
    }
    if kind == "region":
        first = {
            "role": "region",
            "name": "示例甲县农业产业集群",
            "city": "大同市",
            "industries": [],
        }
    row = {
        "goal": "建成供应链协同平台",
        "measure": "上线订单协同系统",
        "deadline": "2026-03",
        "progress": "done",
        "loan": 500.0,
        "result": "订单响应时间缩短30%",
    }
    if kind == "region":
        row["enterprise"] = "示例企业"
    blocks = [
        dict(first, rows=[row, {"measure": "二期", "deadline": "2026-09", "progress": "ongoing"}])
    ]
    if kind == "enterprise":
        blocks.append(
            {
                "role": "partner",
                "name": "示例汽车配件公司",
                "city": "晋中市",
                "industries": ["36"],
                "rows": [
                    {
                        "goal": "协同采购",
                        "measure": "接入平台",
                        "deadline": "2026-12",
                        "progress": "not_started",
                        "bill": 120,
                    }
                ],
            }
        )
    return {"contact": "王五 0351-1234567", "blocks": blocks, "indicators": {}}


@pytest.mark.parametrize("kind", ["enterprise", "region"])
def test_good_ledger_has_no_errors(kind):
    assert errors(L.check(good(kind), kind, "2026Q1")) == []


def test_normalise_coerces_and_drops_blanks():
    raw = {
        "contact": "  王五 ",
        "blocks": [
            {
                "name": "甲",
                "city": "太原",
                "industries": "36汽车制造业；54道路运输业",
                "rows": [
                    {
                        "goal": "",
                        "measure": "m",
                        "deadline": "2026年6月",
                        "progress": "已完成",
                        "loan": "1,200.5",
                        "bill": "",
                        "x": 1,
                    },
                    {"goal": "", "measure": None, "loan": None},
                ],
            },
            {"name": "", "rows": []},
            "garbage",
        ],
        "indicators": {"revenue": "12.5", "roa": {"value": None, "baseline": 5}, "cash_cycle": {}},
        "summary": {"goals": "  ", "organisation": "有机制"},
    }
    n = L.normalise(raw, "enterprise")
    assert n == {
        "contact": "王五",
        "blocks": [
            {
                "role": "core",
                "name": "甲",
                "city": "太原市",
                "industries": ["36", "54"],
                "rows": [
                    {"measure": "m", "deadline": "2026-06", "progress": "done", "loan": 1200.5}
                ],
            }
        ],
        "indicators": {"revenue": {"value": 12.5}, "roa": {"baseline": 5.0}},
        "summary": {"organisation": "有机制"},
    }
    assert L.normalise(n, "enterprise") == n


@pytest.mark.parametrize(
    ("raw", "month"),
    [
        ("2026-6", "2026-06"),
        ("2026.06", "2026-06"),
        ("2026/12", "2026-12"),
        ("202611", "2026-11"),
        ("2026年6月30日", "2026-06"),
        (date(2026, 5, 31), "2026-05"),
        ("2026-13", "2026-13"),
        ("下半年", "下半年"),
    ],
)
def test_deadline_forms(raw, month):
    n = L.normalise(
        {"blocks": [{"name": "a", "rows": [{"measure": "m", "deadline": raw}]}]}, "enterprise"
    )
    assert n["blocks"][0]["rows"][0]["deadline"] == month


def _fields(findings):
    return {(f.level, f.field, f.block, f.row) for f in findings}


def test_row_errors_are_located():
    c = good()
    c["blocks"][1]["rows"].append(
        {"measure": "", "deadline": "2025-12", "progress": "finished?", "loan": -3, "lease": "abc"}
    )
    got = _fields(errors(L.check(c, "enterprise", "2026Q1")))
    assert got == {
        ("error", "blocks.1.rows.1.measure", 2, 2),
        ("error", "blocks.1.rows.1.deadline", 2, 2),
        ("error", "blocks.1.rows.1.progress", 2, 2),
        ("error", "blocks.1.rows.1.loan", 2, 2),
        ("error", "blocks.1.rows.1.lease", 2, 2),
    }
    texts = [f.text("zh") for f in errors(L.check(c, "enterprise", "2026Q1"))]
    assert "第2块第2行 贷款类：不能为负数" in texts


def test_done_after_period_end_is_an_error_and_overdue_a_warning():
    c = good()
    c["blocks"][0]["rows"][0]["deadline"] = "2026-06"  # done, but in Q1
    c["blocks"][0]["rows"][1]["deadline"] = "2026-02"  # ongoing, past
    fs = L.check(c, "enterprise", "2026Q1")
    assert _fields(errors(fs)) == {("error", "blocks.0.rows.0.deadline", 1, 1)}
    assert ("warning", "blocks.0.rows.1.progress", 1, 2) in _fields(warnings(fs))
    # the same ledger in Q2: the done measure is fine
    assert errors(L.check(c, "enterprise", "2026Q2")) == []


def test_block_errors():
    c = good()
    c["contact"] = ""
    c["blocks"][0]["city"] = "北京市"
    c["blocks"][0]["industries"] = ["36", "98"]
    c["blocks"][1]["role"] = "core"
    c["blocks"][1]["industries"] = []
    c["blocks"][1]["rows"][0]["goal"] = ""
    got = _fields(errors(L.check(c, "enterprise", "2026Q1")))
    assert got == {
        ("error", "contact", None, None),
        ("error", "blocks.0.city", 1, None),
        ("error", "blocks.0.industries.1", 1, None),
        ("error", "blocks.1.role", 2, None),
        ("error", "blocks.1.industries", 2, None),
        ("error", "blocks.1.rows.0.goal", 2, 1),
    }


def test_empty_content_errors():
    fs = L.check({}, "enterprise", "2026Q1")
    assert _fields(fs) == {("error", "contact", None, None), ("error", "blocks", None, None)}


def test_region_enterprise_needed_with_financing():
    c = good("region")
    del c["blocks"][0]["rows"][0]["enterprise"]
    assert _fields(errors(L.check(c, "region", "2026Q1"))) == {
        ("error", "blocks.0.rows.0.enterprise", 1, 1)
    }


def test_amount_unit_warning():
    c = good()
    c["blocks"][0]["rows"][0]["loan"] = 5_000_000.0  # looks like 元
    assert ("warning", "blocks.0.rows.0.loan", 1, 1) in _fields(L.check(c, "enterprise", "2026Q1"))


def test_summary_only_yearly_and_complete():
    c = good()
    c["summary"] = {"organisation": "有"}
    assert ("error", "summary", None, None) in _fields(L.check(c, "enterprise", "2026Q1"))
    keys = L.summary_keys("enterprise")
    assert keys[0] == "organisation" and "performance" in keys
    fs = _fields(L.check(c, "enterprise", "2026Y", summary_keys=keys))
    assert ("error", "summary.organisation", None, None) not in fs
    assert ("error", "summary.groundwork", None, None) in fs
    c["summary"] = dict.fromkeys(keys, "文字")
    assert errors(L.check(c, "enterprise", "2026Y", summary_keys=keys)) == []


def test_indicator_checks():
    c = good()
    c["indicators"] = {
        "revenue": {"value": 3.2},
        "cost_profit_ratio": {"value": 15, "inputs": {"profit": 1.2, "cost": 10}},
        "revenue_growth": {"value": 5},
        "roa": {"value": 6.1},
        "on_time_delivery": {"value": 101, "baseline": 90},
        "bogus": 1,
    }
    fs = L.check(
        c,
        "enterprise",
        "2026Q1",
        indicator_group="entity",
        needs_baseline=["roa", "on_time_delivery"],
    )
    assert _fields(errors(fs)) == {
        ("error", "indicators.cost_profit_ratio.value", None, None),
        ("error", "indicators.revenue_growth", None, None),
        ("error", "indicators.roa.baseline", None, None),
        ("error", "indicators.on_time_delivery.value", None, None),
        ("error", "indicators.bogus", None, None),
    }
    missing = {f.field for f in warnings(fs)}
    assert missing == {
        "indicators.inventory_turnover.value",
        "indicators.asset_turnover.value",
        "indicators.cash_cycle.value",
    }


def test_baseline_not_enterable_when_the_application_has_one():
    c = good()
    c["indicators"] = {"revenue": {"value": 3.2, "baseline": 3}}
    fs = errors(L.check(c, "enterprise", "2026Q1", indicator_group="entity"))
    assert [f.field for f in fs] == ["indicators.revenue.baseline"]


def test_numbered():
    n = L.numbered(
        L.normalise(
            {
                "blocks": [
                    {
                        "name": "a",
                        "rows": [
                            {"goal": "g1", "measure": "m1"},
                            {"measure": "m2"},
                            {"goal": "g2", "measure": "m3"},
                        ],
                    },
                    {"name": "b", "rows": [{"goal": "h", "measure": "x"}]},
                ]
            },
            "enterprise",
        )
    )
    rows = n["blocks"][0]["rows"]
    assert [r.get("goal_no") for r in rows] == [1, None, 2]
    assert [r["measure_no"] for r in rows] == ["1.", "2.", "3."]
    assert [b["seq"] for b in n["blocks"]] == [1, 2]
    assert n["blocks"][1]["rows"][0]["goal_no"] == 1


def test_financing_totals():
    c = L.normalise(good(), "enterprise")
    c["blocks"][1]["rows"][0]["loan"] = "abc"
    assert L.financing_totals(c) == {
        "loan": 500.0,
        "bill": 120.0,
        "lease": 0.0,
        "letter": 0.0,
        "other": 0.0,
        "total": 620.0,
    }


def test_empty_ledger_and_measures():
    e = L.empty_ledger(
        "enterprise",
        {
            "name": "甲",
            "city": "太原",
            "industry": "医药制造",
            "contact_name": "王五",
            "phone": "123",
        },
    )
    assert e["contact"] == "王五 123"
    assert e["blocks"][0]["role"] == "core" and e["blocks"][0]["industries"] == ["27"]
    assert e["blocks"][0]["city"] == "太原市"
    assert set(e["blocks"][0]["rows"][0]) == set(L.row_fields("enterprise"))
    assert L.normalise(e, "enterprise")["blocks"][0]["rows"] == []
    y = L.empty_ledger("region", {"name": "乙"}, summary_keys=("a", "b"))
    assert y["summary"] == {"a": "", "b": ""} and "enterprise" in y["blocks"][0]["rows"][0]
    ms = L.measures(good(), "enterprise")
    assert [(m["block"], m["row"], m["goal"]) for m in ms] == [
        (1, 1, "建成供应链协同平台"),
        (1, 2, "建成供应链协同平台"),
        (2, 1, "协同采购"),
    ]


def test_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        L.normalise({}, "bank")


def test_jump_warnings():
    prev = {"indicators": {"revenue": {"value": 1.0}, "cash_cycle": {"value": 50}}}
    cur = {"indicators": {"revenue": {"value": 2.0}, "cash_cycle": {"value": 8}}}
    # Q1 → Q2 year-to-date doubles: annualised it is flat
    assert [
        f.field for f in L.jump_warnings(cur, prev, period="2026Q2", previous_period="2026Q1")
    ] == ["indicators.cash_cycle.value"]
    cur["indicators"]["revenue"]["value"] = 12.0
    got = [f.field for f in L.jump_warnings(cur, prev, period="2026Q2", previous_period="2026Q1")]
    assert got == ["indicators.revenue.value", "indicators.cash_cycle.value"]
    assert L.jump_warnings(cur, None) == []


def test_measure_due_in_the_period_end_month_not_done_warns():
    c = good()
    c["blocks"][0]["rows"][1]["deadline"] = "2026-03"  # ongoing, due the last month of Q1
    fs = L.check(c, "enterprise", "2026Q1")
    assert errors(fs) == []
    assert [f.text("en") for f in warnings(fs)] == [
        "block 1, row 2: deadline 2026-03 has passed and the measure is not done"
    ]
