"""A timeliness table of 4 projects × 4 quarters of 2026, counted by hand (today 2026-11-05).

Q1 due 04-15 lock 04-30; Q2 07-15 / 07-31; Q3 10-15 / 10-31; Q4 2027-01-15 / 01-31.

    project city    Q1                       Q2             Q3                        Q4
    P1      太原市  04-10 on_time            07-15 on_time  10-20 (UTC ts) late 5     — pending
    P2      太原市  04-15T16:30Z = 04-16 late 1  — missing 113   10-15 on_time        11-01 on_time
    P3      大同市  — missing 204            — missing 113  — missing 21              — pending
    P4      大同市  04-01 on_time            07-31 late 16  — overdue 21 (exc. 11-10)  — pending
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from scoring.followup import periods as P
from scoring.followup.timeliness import rates, status_of, timeliness

TODAY = date(2026, 11, 5)


def expected() -> pd.DataFrame:
    rows = []
    for pid, city in [("P1", "太原市"), ("P2", "太原市"), ("P3", "大同市"), ("P4", "大同市")]:
        for p in P.default_periods(2026)[:4]:
            exc = date(2026, 11, 10) if (pid, p.key) == ("P4", "2026Q3") else None
            rows.append((pid, city, "enterprise", p.key, p.due, p.lock, exc))
    return pd.DataFrame(
        rows, columns=["project_id", "city", "kind", "period", "due", "lock", "exception_until"]
    )


def submitted() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("P1", "2026Q1", date(2026, 4, 10)),
            ("P1", "2026Q1", date(2026, 4, 20)),  # a resubmission: the first counts
            ("P1", "2026Q2", date(2026, 7, 15)),
            ("P1", "2026Q3", "2026-10-20T01:00:00Z"),
            ("P2", "2026Q1", "2026-04-15T16:30:00Z"),  # 00:30 on 04-16 in Shanghai
            ("P2", "2026Q3", date(2026, 10, 15)),
            ("P2", "2026Q4", date(2026, 11, 1)),
            ("P4", "2026Q1", date(2026, 4, 1)),
            ("P4", "2026Q2", pd.Timestamp("2026-07-31T03:00:00Z")),
        ],
        columns=["project_id", "period", "first_submitted"],
    )


def test_statuses_by_hand():
    t = timeliness(expected(), submitted(), TODAY)
    got = {(r.project_id, r.period): (r.status, r.days_late) for r in t.itertuples()}
    assert got == {
        ("P1", "2026Q1"): ("on_time", 0),
        ("P1", "2026Q2"): ("on_time", 0),
        ("P1", "2026Q3"): ("late", 5),
        ("P1", "2026Q4"): ("pending", 0),
        ("P2", "2026Q1"): ("late", 1),
        ("P2", "2026Q2"): ("missing", 113),
        ("P2", "2026Q3"): ("on_time", 0),
        ("P2", "2026Q4"): ("on_time", 0),
        ("P3", "2026Q1"): ("missing", 204),
        ("P3", "2026Q2"): ("missing", 113),
        ("P3", "2026Q3"): ("missing", 21),
        ("P3", "2026Q4"): ("pending", 0),
        ("P4", "2026Q1"): ("on_time", 0),
        ("P4", "2026Q2"): ("late", 16),
        ("P4", "2026Q3"): ("overdue", 21),
        ("P4", "2026Q4"): ("pending", 0),
    }
    assert t.loc[(t.project_id == "P1") & (t.period == "2026Q1"), "first_submitted"].item() == date(
        2026, 4, 10
    )
    assert len(t) == 16 and t["days_late"].dtype == "int64"


def test_exception_passed_is_missing():
    t = timeliness(expected(), submitted(), date(2026, 11, 11))
    assert t.loc[(t.project_id == "P4") & (t.period == "2026Q3"), "status"].item() == "missing"


def test_rates_by_city():
    r = rates(timeliness(expected(), submitted(), TODAY), ["city"]).set_index("city")
    assert r.loc["太原市", ["expected", "reported", "on_time", "late", "missing"]].tolist() == [
        7,
        6,
        4,
        2,
        1,
    ]
    assert r.loc["大同市", ["expected", "reported", "on_time", "late", "missing"]].tolist() == [
        5,
        2,
        1,
        1,
        3,
    ]
    assert r.loc["太原市", "reporting_rate"] == pytest.approx(6 / 7)
    assert r.loc["太原市", "on_time_rate"] == pytest.approx(4 / 7)
    assert r.loc["大同市", "reporting_rate"] == pytest.approx(2 / 5)
    assert r.loc["大同市", "on_time_rate"] == pytest.approx(1 / 5)


def test_rates_by_period_and_total():
    t = timeliness(expected(), submitted(), TODAY)
    r = rates(t, ["period"]).set_index("period")
    assert r["expected"].tolist() == [4, 4, 3, 1]
    assert r["on_time"].tolist() == [2, 1, 1, 1]
    assert r["missing"].tolist() == [1, 2, 1, 0]
    total = rates(t, [])
    assert total[["expected", "reported", "on_time", "late", "missing"]].iloc[0].tolist() == [
        12,
        8,
        5,
        3,
        4,
    ]
    assert total["reporting_rate"].iloc[0] == pytest.approx(8 / 12)
    assert list(total.columns) == [
        "expected",
        "reported",
        "on_time",
        "late",
        "missing",
        "reporting_rate",
        "on_time_rate",
    ]


def test_nothing_expected_yet_is_nan():
    t = timeliness(expected(), submitted().iloc[:0], date(2026, 4, 1))
    assert set(t["status"]) == {"pending"}
    r = rates(t, ["city"])
    assert r["expected"].tolist() == [0, 0] and r["reporting_rate"].isna().all()


@pytest.mark.parametrize(
    ("first", "today", "expected"),
    [
        (date(2026, 4, 15), date(2026, 5, 1), ("on_time", 0)),  # the due day is included
        (date(2026, 4, 16), date(2026, 5, 1), ("late", 1)),
        (None, date(2026, 4, 15), ("pending", 0)),
        (None, date(2026, 4, 16), ("overdue", 1)),
        (None, date(2026, 4, 30), ("overdue", 15)),  # the lock day is included
        (None, date(2026, 5, 1), ("missing", 16)),
    ],
)
def test_status_edges(first, today, expected):
    assert status_of(first, date(2026, 4, 15), date(2026, 4, 30), today) == expected
