"""Ranking comparison (scoring.engine.comparison): Kendall, Spearman and the WS coefficient.

Published values
----------------
* Sałabun, W. & Urbaniak, K. (2020), "A New Coefficient of Rankings Similarity in Decision-Making
  Problems", ICCS 2020, LNCS 12138, 632–645, doi:10.1007/978-3-030-50417-5_47. Their motivating
  example: against the reference ranking (1, 2, 3, 4, 5), swapping two neighbours gives the same
  Spearman rho = 0.9 wherever the swap happens, while WS falls the higher the swap:
  swap of places 1-2 -> WS = 0.7917, 2-3 -> 0.8542, 3-4 -> 0.9167, 4-5 -> 0.9714 (four decimals;
  each follows from the paper's definition, e.g. 1 - (2^-1 * 1/4 + 2^-2 * 1/3) = 0.7917).
* Paradowski, B., Bączkiewicz, A. & Wątróbski, J. (2021), "Towards proper consumer choices — MCDM
  based product selection", Procedia Computer Science 192, 1347–1358: reference ranking
  (7, 11, 2, 1, 4, 9, 6, 3, 5, 10, 8, 12) against (7, 11, 3, 2, 4, 9, 6, 1, 5, 10, 8, 12)
  gives WS = 0.90 (two decimals).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from scoring.engine.comparison import (
    compare_methods,
    compare_rankings,
    compare_weight_sets,
    ws_coefficient,
)
from scoring.engine.ranking import METHODS
from scoring.errors import InputError


class LocalWeightedSum:
    name = "local_ws"
    higher_is_better = True

    def score_batch(self, X, W, minimise):
        X = np.asarray(X, dtype=float)
        pivot = X.max(axis=0) + X.min(axis=0)
        return np.atleast_2d(W) @ np.where(minimise[None, :], pivot[None, :] - X, X).T


REF = [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("tested", "published_ws"),
    [
        ([2, 1, 3, 4, 5], 0.7917),
        ([1, 3, 2, 4, 5], 0.8542),
        ([1, 2, 4, 3, 5], 0.9167),
        ([1, 2, 3, 5, 4], 0.9714),
    ],
)
def test_ws_salabun_urbaniak_neighbour_swaps(tested, published_ws):
    assert round(ws_coefficient(REF, tested), 4) == published_ws
    res = compare_rankings({"ref": pd.Series(REF), "tested": pd.Series(tested)})
    assert res["spearman"].loc["ref", "tested"] == pytest.approx(0.9)
    assert res["ws"].loc["ref", "tested"] == pytest.approx(ws_coefficient(REF, tested))


def test_ws_paradowski_et_al_2021():
    x = [7, 11, 2, 1, 4, 9, 6, 3, 5, 10, 8, 12]
    y = [7, 11, 3, 2, 4, 9, 6, 1, 5, 10, 8, 12]
    assert round(ws_coefficient(x, y), 2) == 0.90


def test_ws_identity_asymmetry_and_single():
    assert ws_coefficient(REF, REF) == 1.0
    assert ws_coefficient([1], [1]) == 1.0
    a, b = [1, 2, 3, 4, 5], [3, 1, 2, 4, 5]
    assert ws_coefficient(a, b) != pytest.approx(ws_coefficient(b, a))


def test_ws_aligns_series_by_label():
    ref = pd.Series([1, 2, 3], index=["A", "B", "C"])
    other = pd.Series([3, 1, 2], index=["C", "A", "B"])  # same ranking, other order
    assert ws_coefficient(ref, other) == 1.0


@settings(max_examples=100, deadline=None)
@given(
    st.integers(2, 9).flatmap(
        lambda n: st.tuples(st.permutations(range(1, n + 1)), st.permutations(range(1, n + 1)))
    )
)
def test_ws_in_unit_interval_for_permutations(pair):
    x, y = pair
    v = ws_coefficient(list(x), list(y))
    assert 0.0 <= v <= 1.0
    assert (v == 1.0) == (list(x) == list(y))


def test_ws_bad_input():
    with pytest.raises(InputError):
        ws_coefficient([1, 2], [1, 2, 3])
    with pytest.raises(InputError):
        ws_coefficient([1, 2, 7], [1, 2, 3])
    with pytest.raises(InputError):
        ws_coefficient([1, np.nan], [1, 2])
    with pytest.raises(InputError):
        ws_coefficient(pd.Series([1, 2], index=["A", "B"]), pd.Series([1, 2], index=["A", "Z"]))


def test_compare_rankings_matches_scipy():
    idx = [f"P{i}" for i in range(6)]
    a = pd.DataFrame({"score": [9, 8, 7, 6, 5, 4], "rank": [1, 2, 3, 4, 5, 6]}, index=idx)
    b = pd.Series([2, 1, 3, 3, 6, 5], index=idx)  # with a tie
    c = pd.Series([6, 5, 4, 3, 2, 1], index=idx[::-1])  # the same order as a, listed reversed
    res = compare_rankings({"a": a, "b": b, "c": c})
    for key in ("kendall", "spearman", "ws"):
        assert list(res[key].index) == ["a", "b", "c"] == list(res[key].columns)
    ra, rb = a["rank"].to_numpy(), b.loc[idx].to_numpy()
    assert res["kendall"].loc["a", "b"] == pytest.approx(stats.kendalltau(ra, rb).statistic)
    assert res["spearman"].loc["b", "a"] == pytest.approx(stats.spearmanr(ra, rb).statistic)
    assert res["kendall"].loc["a", "c"] == pytest.approx(1.0)  # aligned on labels, not positions
    assert res["ws"].loc["a", "c"] == 1.0
    np.testing.assert_allclose(np.diag(res["ws"]), 1.0)
    np.testing.assert_allclose(res["kendall"], res["kendall"].T)
    assert res["ws"].loc["a", "b"] == pytest.approx(ws_coefficient(ra, rb))


def test_compare_rankings_bad_input_lists_all():
    idx = ["A", "B", "C"]
    with pytest.raises(InputError) as exc:
        compare_rankings(
            {
                "one": pd.Series([1, 2, 3], index=idx),
                "two": pd.Series([1, 2, 3], index=["A", "B", "D"]),
            }
        )
    rows = {p.row for p in exc.value.problems}
    assert rows == {"C", "D"}
    with pytest.raises(InputError, match="rank"):
        compare_rankings({"x": pd.DataFrame({"score": [1.0]}, index=["A"])})
    with pytest.raises(InputError):
        compare_rankings({})
    with pytest.raises(InputError, match="finite"):
        compare_rankings({"x": pd.Series([1, np.nan], index=["A", "B"])})


def _matrix():
    rng = np.random.default_rng(7)
    cols = ["strength", "market", "risk", "poverty", "demonstration"]
    X = pd.DataFrame(
        rng.integers(30, 95, size=(15, 5)).astype(float),
        columns=cols,
        index=[f"P{i:02d}" for i in range(15)],
    )
    obj = {c: "min" if c == "risk" else "max" for c in cols}
    return X, obj


def test_compare_weight_sets():
    X, obj = _matrix()
    eq = dict.fromkeys(X.columns, 1.0)
    res = compare_weight_sets(
        X,
        {"equal": eq, "same": {k: 2.0 for k in eq}, "strength": {**eq, "strength": 10.0}},
        objectives=obj,
        method=LocalWeightedSum(),
    )
    r = res["rankings"]
    assert list(r.columns) == ["equal", "same", "strength"]
    assert (r["equal"] == r["same"]).all()
    assert res["ws"].loc["equal", "same"] == 1.0
    assert res["kendall"].loc["equal", "strength"] < 1.0
    # the "strength" ranking is the weighted-sum ranking at those weights
    w = np.array([10, 1, 1, 1, 1]) / 14
    Xi = X.to_numpy().copy()
    Xi[:, 2] = X["risk"].max() + X["risk"].min() - Xi[:, 2]
    expected = stats.rankdata(-(Xi @ w), method="min").astype(int)
    assert r["strength"].tolist() == expected.tolist()


def test_compare_weight_sets_bad_input_names_the_set():
    X, obj = _matrix()
    with pytest.raises(InputError) as exc:
        compare_weight_sets(
            X, {"bad": {**dict.fromkeys(X.columns, 1.0), "risk": -1}}, objectives=obj, method="nope"
        )
    text = str(exc.value)
    assert "weight set 'bad'" in text and "nope" in text


def test_compare_methods_registered():
    X, obj = _matrix()
    eq = dict.fromkeys(X.columns, 1.0)
    names = sorted(METHODS)
    res = compare_methods(X, weights=eq, objectives=obj, methods=names)
    assert list(res["rankings"].columns) == names
    for a, b in itertools.combinations(names, 2):
        assert -1.0 <= res["kendall"].loc[a, b] <= 1.0
        assert 0.0 <= res["ws"].loc[a, b] <= 1.0
    # each column is the method's own ranking
    from scoring.engine.ranking import rank

    for name in names:
        expected = rank(X, weights=eq, objectives=obj, method=name)["rank"]
        assert res["rankings"][name].tolist() == expected.loc[X.index].tolist()
    with pytest.raises(InputError, match="nope"):
        compare_methods(X, weights=eq, objectives=obj, methods=["topsis", "nope"])
