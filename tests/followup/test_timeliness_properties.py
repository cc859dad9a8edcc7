"""Property tests: every expected report gets exactly one status, rates stay in 0..1."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.followup import periods as P
from scoring.followup.timeliness import STATUSES, rates, timeliness

days = st.integers(min_value=-30, max_value=400)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.sampled_from([1, 2, 3, 4]),
            st.one_of(st.none(), days),
        ),
        max_size=12,
    ),
    days,
)
def test_statuses_and_rates(subs, today_offset):
    ps = P.default_periods(2026)[:4]
    exp = pd.DataFrame(
        [
            (pid, "太原市" if pid != "C" else "大同市", "enterprise", p.key, p.due, p.lock, None)
            for pid in "ABC"
            for p in ps
        ],
        columns=["project_id", "city", "kind", "period", "due", "lock", "exception_until"],
    )
    start = date(2026, 1, 1)
    first = pd.DataFrame(
        [(pid, f"2026Q{q}", start + timedelta(days=d)) for pid, q, d in subs if d is not None],
        columns=["project_id", "period", "first_submitted"],
    )
    today = start + timedelta(days=today_offset)
    t = timeliness(exp, first, today)
    assert len(t) == 12 and set(t["status"]) <= set(STATUSES)
    assert (t["days_late"] >= 0).all()
    submitted = set(zip(first["project_id"], first["period"], strict=True))
    for r in t.itertuples():
        assert (r.status in ("on_time", "late")) == ((r.project_id, r.period) in submitted)
    for by in ([], ["city"], ["period"], ["city", "period"]):
        r = rates(t, by)
        assert (r["reported"] <= r["expected"]).all()
        assert r["expected"].sum() == t["status"].isin(["on_time", "late", "missing"]).sum()
        ok = r["reporting_rate"].dropna()
        assert ((ok >= 0) & (ok <= 1)).all()
        assert (r["on_time_rate"].dropna() <= r["reporting_rate"].dropna()).all()
