"""Property tests (hypothesis) of scoring.engine.ranking.rank."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine.ranking import METHODS, rank

KEYS = ["strength", "market", "risk", "poverty", "demonstration"]
OBJ = {"strength": "max", "market": "max", "risk": "min", "poverty": "max", "demonstration": "max"}
SIGN = np.array([1, 1, -1, 1, 1])

scores = st.integers(min_value=0, max_value=100).map(float)
weights_st = st.lists(st.integers(min_value=1, max_value=20), min_size=5, max_size=5)


@st.composite
def panels(draw: st.DrawFn, min_n: int = 2, max_n: int = 9) -> pd.DataFrame:
    n = draw(st.integers(min_value=min_n, max_value=max_n))
    rows = draw(st.lists(st.lists(scores, min_size=5, max_size=5), min_size=n, max_size=n))
    ids = [f"P{i:03d}" for i in range(n)]
    return pd.DataFrame(rows, columns=KEYS, index=pd.Index(ids, name="project_id"))


@st.composite
def dominated_pairs(draw: st.DrawFn) -> tuple[pd.DataFrame, str, str]:
    """A panel plus a candidate that Pareto-dominates another one (>= everywhere, > somewhere,
    in each criterion's own direction)."""
    m = draw(panels(max_n=8))
    victim = m.index[draw(st.integers(0, len(m) - 1))]
    base = m.loc[victim].to_numpy()
    steps = np.array(draw(st.lists(st.integers(0, 30), min_size=5, max_size=5)), dtype=float)
    j = draw(st.integers(0, 4))
    steps[j] = max(steps[j], 1.0)
    better = np.clip(base + SIGN * steps, 0, 100)
    if np.array_equal(better, base):  # the victim is already at the top of the scale on j
        base = base.copy()
        base[j] = 50.0
        better = base.copy()
        better[j] = 50.0 + SIGN[j] * 10
        m.loc[victim] = base
    m.loc["DOM"] = better
    return m, "DOM", victim


@pytest.mark.parametrize("name", sorted(METHODS))
@settings(max_examples=30, deadline=None)
@given(case=dominated_pairs(), w=weights_st)
def test_pareto_dominating_candidate_never_ranks_below(name, case, w) -> None:
    m, dom, victim = case
    r = rank(m, weights=dict(zip(KEYS, w, strict=True)), objectives=OBJ, method=name)
    assert r.loc[dom, "rank"] <= r.loc[victim, "rank"]


@pytest.mark.parametrize("name", sorted(METHODS))
@settings(max_examples=20, deadline=None)
@given(m=panels(), w=weights_st, seed=st.integers(0, 2**32 - 1))
def test_ranks_unchanged_by_reordering_rows(name, m, w, seed) -> None:
    weights = dict(zip(KEYS, w, strict=True))
    r1 = rank(m, weights=weights, objectives=OBJ, method=name)
    shuffled = m.iloc[np.random.default_rng(seed).permutation(len(m))]
    r2 = rank(shuffled, weights=weights, objectives=OBJ, method=name)
    assert list(r1.index) == list(r2.index)
    assert r1["rank"].tolist() == r2["rank"].tolist()
    np.testing.assert_allclose(r1["score"], r2["score"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(METHODS))
@settings(max_examples=15, deadline=None)
@given(m=panels(min_n=1), w=weights_st)
def test_ranking_shape_and_rank_rule(name, m, w) -> None:
    """Every candidate once, finite scores, ranks 1..n following the score (competition rule)."""
    r = rank(m, weights=dict(zip(KEYS, w, strict=True)), objectives=OBJ, method=name)
    assert sorted(r.index) == sorted(m.index)
    assert np.all(np.isfinite(r["score"]))
    ranks = r["rank"].to_numpy()
    assert ranks[0] == 1 and np.all(np.diff(ranks) >= 0)
    # the rank of each row is 1 + the number of strictly better rows
    s = r["score"].to_numpy()
    better = s[None, :] > s[:, None] + 1e-9 * np.maximum(1, np.abs(s))[:, None]
    if not METHODS[name].higher_is_better:
        better = s[None, :] < s[:, None] - 1e-9 * np.maximum(1, np.abs(s))[:, None]
    np.testing.assert_array_equal(ranks, 1 + better.sum(axis=1))
