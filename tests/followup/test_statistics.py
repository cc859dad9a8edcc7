from __future__ import annotations

import math

import pandas as pd
import pytest

from scoring.followup import statistics as S


def content(loan, bill):
    return {
        "contact": "x",
        "blocks": [
            {
                "name": "核心",
                "city": "太原市",
                "industries": ["54"],
                "rows": [
                    {"measure": "a", "loan": loan},
                    {"measure": "b", "bill": bill, "other": "abc"},
                ],
            },
            {
                "name": "伙伴",
                "city": "晋中市",
                "industries": ["36"],
                "rows": [{"measure": "c", "lease": 10}],
            },
        ],
    }


def long():
    return pd.concat(
        [
            S.ledger_rows(
                content(100, 20), "enterprise", project_id="E1", period="2026Q1", city="太原市"
            ),
            S.ledger_rows(
                content(50, 0), "enterprise", project_id="E2", period="2026Q1", city="大同市"
            ),
            S.ledger_rows(
                content(30, 5), "enterprise", project_id="E1", period="2026Q2", city="太原市"
            ),
        ],
        ignore_index=True,
    )


def test_ledger_rows():
    rows = S.ledger_rows(content(100, 20), "enterprise", project_id="E1")
    assert rows[["block", "row", "name", "loan", "bill", "lease", "other"]].values.tolist() == [
        [1, 1, "核心", 100.0, 0.0, 0.0, 0.0],
        [1, 2, "核心", 0.0, 20.0, 0.0, 0.0],
        [2, 1, "伙伴", 0.0, 0.0, 10.0, 0.0],
    ]
    assert rows["project_id"].tolist() == ["E1"] * 3


def test_financing_by_city_and_total():
    by_city = S.financing_by(long(), ["city"]).set_index("city")
    assert by_city.loc["太原市", S.FINANCING_COLUMNS].tolist() == [
        130.0,
        25.0,
        20.0,
        0.0,
        0.0,
        175.0,
    ]
    assert by_city.loc["大同市", S.FINANCING_COLUMNS].tolist() == [50.0, 0.0, 10.0, 0.0, 0.0, 60.0]
    total = S.financing_by(long(), [])
    assert total["total"].item() == 235.0 and list(total.columns) == S.FINANCING_COLUMNS


def test_financing_by_from_kind_amount_pairs():
    df = pd.DataFrame(
        [
            ("太原市", "loan", 10),
            ("太原市", "bill", "5"),
            ("大同市", "loan", 1),
            ("大同市", "bogus", 99),
        ],
        columns=["city", "kind", "amount"],
    )
    out = S.financing_by(df, ["city"]).set_index("city")
    assert out.loc["太原市", "total"] == 15.0 and out.loc["大同市", "total"] == 1.0


def test_indicator_summary():
    p = pd.DataFrame(
        [
            ("E1", "2026Q1", "revenue", "met", 20.0, 1.0),
            ("E2", "2026Q1", "revenue", "below_baseline", -10.0, -0.5),
            ("E3", "2026Q1", "revenue", "improving", 5.0, float("nan")),
            ("E1", "2026Q1", "roa", "no_baseline", float("nan"), float("nan")),
        ],
        columns=["project_id", "period", "indicator", "status", "change_pct", "gap_closed"],
    )
    s = S.indicator_summary(p, ["period"]).set_index("indicator")
    assert s.loc[
        "revenue", ["projects", "met", "improving", "below_baseline", "no_baseline"]
    ].tolist() == [3, 1, 1, 1, 0]
    assert s.loc["revenue", "mean_change_pct"] == pytest.approx(5.0)
    assert s.loc["revenue", "median_gap_closed"] == pytest.approx(0.25)
    assert math.isnan(s.loc["roa", "mean_change_pct"])
    assert S.indicator_summary(p.iloc[:0], ["period"]).empty


def test_matrix():
    states = pd.DataFrame(
        [
            ("E2", "2026Y", "draft"),
            ("E1", "2026Q2", "submitted"),
            ("E1", "2026Q1", "confirmed"),
            ("E2", "2026Q1", "returned"),
        ],
        columns=["project_id", "period", "state"],
    )
    m = S.matrix(states)
    assert list(m.index) == ["E1", "E2"] and list(m.columns) == ["2026Q1", "2026Q2", "2026Y"]
    assert m.loc["E1", "2026Q1"] == "confirmed" and m.loc["E2", "2026Y"] == "draft"
    assert pd.isna(m.loc["E1", "2026Y"])
    assert S.counts(m.loc["E1"]) == {"confirmed": 1, "submitted": 1}
    assert S.matrix(states.iloc[:0]).empty
