from __future__ import annotations

from datetime import date

import pytest

from scoring.followup import periods as P


def test_parse_keys():
    assert P.parse_period_key("2026Q2") == (2026, 2)
    assert P.parse_period_key("2026Y") == (2026, None)


@pytest.mark.parametrize(
    "bad", ["2026Q5", "2026Q0", "26Q1", "2026", "2026y", "2026-Q1", "", None, 2026]
)
def test_bad_keys_name_themselves(bad):
    with pytest.raises(ValueError, match="not a period key"):
        P.parse_period_key(bad)


def test_default_periods_2026():
    ps = P.default_periods(2026)
    assert [p.key for p in ps] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4", "2026Y"]
    q1, q2, q3, q4, y = ps
    assert (q1.start, q1.end, q1.due, q1.lock) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        date(2026, 4, 15),
        date(2026, 4, 30),
    )
    assert (q2.end, q2.due, q2.lock) == (date(2026, 6, 30), date(2026, 7, 15), date(2026, 7, 31))
    assert (q3.end, q3.due, q3.lock) == (date(2026, 9, 30), date(2026, 10, 15), date(2026, 10, 31))
    assert (q4.end, q4.due, q4.lock) == (date(2026, 12, 31), date(2027, 1, 15), date(2027, 1, 31))
    assert (y.start, y.end, y.due, y.lock) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        date(2027, 1, 15),
        date(2027, 1, 25),
    )
    assert y.quarter is None and y.yearly and not q1.yearly


def test_labels():
    assert P.period_label("2026Q2", "zh") == "2026年第二季度"
    assert P.period_label("2026Q2", "en") == "2026 Q2"
    assert P.period_label("2026Y", "zh") == "2026年度工作总结"
    assert P.period_label("2026Y", "en") == "2026 yearly summary"
    assert P.default_period("2026Q4").label() == "2026年第四季度"


def test_order_and_previous():
    keys = ["2027Q1", "2026Y", "2026Q4", "2026Q1"]
    assert sorted(keys, key=P.period_order) == ["2026Q1", "2026Q4", "2026Y", "2027Q1"]
    assert P.previous_key("2026Q1") == "2025Q4"
    assert P.previous_key("2026Q3") == "2026Q2"
    assert P.previous_key("2026Y") == "2025Y"
    assert P.period_key(2026, 3) == "2026Q3" and P.period_key(2026) == "2026Y"
    with pytest.raises(ValueError):
        P.period_key(2026, 5)


def test_contains_and_as_period():
    q2 = P.as_period("2026Q2")
    assert q2.contains(date(2026, 4, 1)) and not q2.contains(date(2026, 7, 1))
    assert P.as_period(q2) is q2
