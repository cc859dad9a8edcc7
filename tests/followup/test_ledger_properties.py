"""Property tests: the ledger core never crashes on JSON-like input, it returns findings."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.followup import ledger as L
from scoring.followup.findings import Finding

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "36",
            "36、98",
            "2026-06",
            "2026年13月",
            "已完成",
            "done",
            "1,000",
            "-5",
            "inf",
            "nan",
            "太原",
            "1e400",
        ]
    ),
)
json_like = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
keys = st.sampled_from(
    [
        "role",
        "name",
        "city",
        "industries",
        "rows",
        "goal",
        "measure",
        "deadline",
        "progress",
        "loan",
        "bill",
        "enterprise",
        "result",
        "value",
        "inputs",
        "baseline",
    ]
)
rowish = st.dictionaries(keys, json_like, max_size=8)
ledgerish = st.fixed_dictionaries(
    {},
    optional={
        "contact": json_like,
        "blocks": st.one_of(
            json_like,
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "rows": st.lists(rowish, max_size=3),
                        "name": json_like,
                        "city": json_like,
                        "industries": json_like,
                        "role": json_like,
                    },
                ),
                max_size=3,
            ),
        ),
        "indicators": st.one_of(
            json_like,
            st.dictionaries(
                st.sampled_from(["revenue", "cost_profit_ratio", "roa", "cash_cycle", "x"]),
                st.one_of(json_like, rowish),
                max_size=4,
            ),
        ),
        "summary": json_like,
    },
)
anything = st.one_of(json_like, ledgerish)
kinds = st.sampled_from(["enterprise", "region"])
periods = st.sampled_from(["2026Q1", "2026Q4", "2026Y"])
cfg = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cfg
@given(anything, kinds)
def test_normalise_never_crashes_and_is_idempotent(content, kind):
    n = L.normalise(content, kind)
    assert isinstance(n, dict) and set(n) >= {"contact", "blocks", "indicators"}
    assert L.normalise(n, kind) == n


@cfg
@given(anything, kinds, periods, st.sampled_from([None, "entity", "finance", "region"]))
def test_check_returns_findings(content, kind, period, group):
    fs = L.check(
        content,
        kind,
        period,
        indicator_group=group,
        needs_baseline=["roa"],
        summary_keys=("goals",),
    )
    assert all(isinstance(f, Finding) for f in fs)
    for f in fs:
        assert f.zh and f.en and f.text("zh") and f.text("en")
        assert f.block is None or f.block >= 1
        assert f.row is None or (f.row >= 1 and f.block is not None)


@cfg
@given(anything, anything, kinds)
def test_other_functions_never_crash(a, b, kind):
    n = L.normalise(a, kind)
    L.numbered(n)
    totals = L.financing_totals(n)
    assert (
        totals["total"] == sum(v for k, v in totals.items() if k != "total")
        or totals["total"] != totals["total"]
    )
    L.jump_warnings(a, b, kind=kind, period="2026Q2", previous_period="2026Q1")
    L.measures(a, kind)
