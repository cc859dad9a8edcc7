from __future__ import annotations

from datetime import date

import pandas as pd

from scoring.followup.exits import COLUMNS, GROUNDS, exit_candidates


def T(rows):
    return pd.DataFrame(rows, columns=["project_id", "period", "status"])


def PR(rows):
    return pd.DataFrame(rows, columns=["project_id", "period", "indicator", "status"])


def M(rows):
    return pd.DataFrame(
        rows, columns=["project_id", "period", "block", "row", "measure", "deadline", "progress"]
    )


def R(rows):
    return pd.DataFrame(rows, columns=["project_id", "kind", "description"])


EMPTY_T, EMPTY_P, EMPTY_M, EMPTY_R = T([]), PR([]), M([]), R([])


def test_grounds():
    assert list(GROUNDS) == [
        "missing_ledger",
        "late_twice",
        "below_baseline",
        "overdue_measures",
        "violation",
        "major_risk",
        "poor_evaluation",
    ]
    assert GROUNDS["missing_ledger"][0] == "未按要求报告台账"
    assert GROUNDS["late_twice"] == ("连续两期迟报", "Late two periods running")


def test_timeliness_grounds():
    t = T(
        [
            ("A", "2026Q1", "late"),
            ("A", "2026Q2", "late"),  # two running: candidate
            ("A", "2026Q3", "on_time"),
            ("B", "2026Q1", "late"),
            ("B", "2026Q2", "on_time"),
            ("B", "2026Q3", "late"),  # not running
            ("B", "2026Q4", "pending"),
            ("C", "2026Q2", "late"),
            ("C", "2026Q1", "missing"),
            ("C", "2026Q3", "late"),  # Q1 missing, Q2+Q3 late (order by period, not by row)
        ]
    )
    got = exit_candidates(t, EMPTY_P, EMPTY_M, EMPTY_R, date(2026, 11, 5))
    assert list(got.columns) == COLUMNS
    assert list(zip(got.project_id, got.ground, strict=True)) == [
        ("A", "late_twice"),
        ("C", "missing_ledger"),
        ("C", "late_twice"),
    ]
    c = got[got.ground == "missing_ledger"].iloc[0]
    assert c.evidence_zh == "未报送台账 1 期：2026年第一季度"
    assert c.evidence_en == "1 ledger(s) never reported: 2026 Q1"
    assert (
        "2026年第二季度、2026年第三季度"
        in got[(got.project_id == "C") & (got.ground == "late_twice")].evidence_zh.item()
    )


def test_below_baseline_needs_more_than_half_in_the_last_two():
    p = PR(
        [
            # A: Q2 2 of 3 below, Q3 2 of 3 below → candidate (Q1 does not matter)
            ("A", "2026Q1", "revenue", "met"),
            *[
                ("A", "2026Q2", k, s)
                for k, s in [
                    ("revenue", "below_baseline"),
                    ("cash_cycle", "below_baseline"),
                    ("asset_turnover", "improving"),
                ]
            ],
            *[
                ("A", "2026Q3", k, s)
                for k, s in [
                    ("revenue", "below_baseline"),
                    ("cash_cycle", "improving"),
                    ("asset_turnover", "below_baseline"),
                    ("roa", "no_baseline"),
                ]
            ],
            # B: exactly half in Q3 → not
            *[("B", "2026Q2", k, "below_baseline") for k in ("revenue", "cash_cycle")],
            *[
                ("B", "2026Q3", k, s)
                for k, s in [("revenue", "below_baseline"), ("cash_cycle", "met")]
            ],
            # C: one period only → not
            ("C", "2026Q3", "revenue", "below_baseline"),
        ]
    )
    got = exit_candidates(EMPTY_T, p, EMPTY_M, EMPTY_R, date(2026, 11, 5))
    assert got.project_id.tolist() == ["A"] and got.ground.tolist() == ["below_baseline"]
    assert (
        got.evidence_zh.item()
        == "2026年第二季度 3 项指标中 2 项低于基线；2026年第三季度 3 项指标中 2 项低于基线"
    )


def test_overdue_measures_from_the_latest_period():
    m = M(
        [
            ("A", "2026Q2", 1, 2, "上线系统", "2026-09", "ongoing"),  # old period: ignored
            ("A", "2026Q3", 1, 1, "建仓库", "2026-10", "done"),
            (
                "A",
                "2026Q3",
                1,
                2,
                "上线系统",
                "2026-10",
                "ongoing",
            ),  # October ended before November → overdue
            ("A", "2026Q3", 2, 1, "培训", "2026-11", "not_started"),  # this month: not yet
            ("B", "2026Q3", 1, 1, "x", "2026-12", "ongoing"),
            ("B", "2026Q3", 1, 2, "y", "bad", "ongoing"),
        ]
    )
    got = exit_candidates(EMPTY_T, EMPTY_P, m, EMPTY_R, date(2026, 11, 5))
    assert got.project_id.tolist() == ["A"]
    assert got.evidence_zh.item() == "1 项举措已过完成时限未完成，如第1块第2行“上线系统”（2026-10）"


def test_risks():
    r = R(
        [
            ("B", "major_risk", "债务违约"),
            ("A", "violation", "虚报数据"),
            ("A", "violation", "挪用贷款"),
            ("A", "note", "x"),
            ("C", "poor_evaluation", ""),
        ]
    )
    got = exit_candidates(EMPTY_T, EMPTY_P, EMPTY_M, r, date(2026, 11, 5))
    assert list(zip(got.project_id, got.ground, got.evidence_zh, strict=True)) == [
        ("A", "violation", "违法违规：虚报数据；挪用贷款"),
        ("B", "major_risk", "重大风险隐患：债务违约"),
        ("C", "poor_evaluation", "绩效评估不合格"),
    ]


def test_nothing():
    got = exit_candidates(EMPTY_T, EMPTY_P, EMPTY_M, EMPTY_R, date(2026, 11, 5))
    assert got.empty and list(got.columns) == COLUMNS
