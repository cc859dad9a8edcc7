"""SMAA-2 robustness analysis (scoring.engine.sensitivity).

Exact answers used below (Lahdelma & Salminen 2001, SMAA-2; weights uniform on the simplex):

* two criteria, A = (1, 0), B = (0, 1), both maximised: A is first iff w1 > w2, so
  b_A^1 = b_B^1 = 1/2; A's central weight vector is E[w | w1 > 1/2] = (3/4, 1/4).
* A = (2, 0), B = (0, 1): A first iff 2 w1 > 1 - w1, i.e. w1 > 1/3 (w1 ~ U(0, 1)): b_A^1 = 2/3,
  central weights of A (2/3, 1/3), of B (1/6, 5/6).
* three "specialists" (1,0,0), (0,1,0), (0,0,1): by symmetry every rank acceptability is 1/3.

Monte Carlo tolerances are four standard errors, sqrt(p (1 - p) / samples).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine.ranking import METHODS
from scoring.engine.ranking.ties import competition_rank
from scoring.engine.sensitivity import SensitivityResult, batch_competition_ranks, sensitivity
from scoring.errors import InputError


class LocalWeightedSum:
    """Test-local weighted-sum kernel (min criteria inverted on their observed range)."""

    name = "local_ws"
    higher_is_better = True

    def score_batch(self, X: np.ndarray, W: np.ndarray, minimise: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        pivot = X.max(axis=0) + X.min(axis=0)
        Xi = np.where(minimise[None, :], pivot[None, :] - X, X)
        return np.atleast_2d(W) @ Xi.T


class LocalNegatedSum(LocalWeightedSum):
    """The same ranking expressed as a lower-is-better score."""

    name = "local_neg"
    higher_is_better = False

    def score_batch(self, X, W, minimise):
        return -super().score_batch(X, W, minimise)


WS = LocalWeightedSum()


def _se(p: float, n: int) -> float:
    return 4 * math.sqrt(max(p * (1 - p), 1e-4) / n)


def frame(rows: dict[str, list[float]], cols: list[str] | None = None) -> pd.DataFrame:
    cols = cols or [f"c{j + 1}" for j in range(len(next(iter(rows.values()))))]
    return pd.DataFrame.from_dict(rows, orient="index", columns=cols)


def equal(keys, value=1.0):
    return dict.fromkeys(keys, value)


# --------------------------------------------------------------------------- exact small cases


def test_two_candidates_each_first_half_the_time():
    X = frame({"A": [1, 0], "B": [0, 1]})
    n = 20_000
    r = sensitivity(
        X,
        weights=equal(X.columns),
        objectives=equal(X.columns, "max"),
        method=WS,
        samples=n,
        seed=3,
    )
    acc = r.acceptability
    assert acc.loc["A", 1] == pytest.approx(0.5, abs=_se(0.5, n))
    assert acc.loc["B", 1] == pytest.approx(0.5, abs=_se(0.5, n))
    assert acc.loc["A", 1] + acc.loc["A", 2] == pytest.approx(1.0)
    cw = r.central_weights
    # E[w1 | w1 > 1/2] = 3/4 with w1 ~ U(0, 1); standard error sqrt(1/48 / (n/2)).
    assert cw.loc["A", "c1"] == pytest.approx(0.75, abs=4 * math.sqrt(1 / 48 / (n / 2)))
    assert cw.loc["B", "c2"] == pytest.approx(0.75, abs=4 * math.sqrt(1 / 48 / (n / 2)))
    np.testing.assert_allclose(cw.sum(axis=1), 1.0)
    assert list(r.confidence) == [1.0, 1.0]


def test_unequal_specialists_two_thirds():
    X = frame({"A": [2, 0], "B": [0, 1]})
    n = 20_000
    r = sensitivity(
        X, weights=equal(X.columns), objectives=equal(X.columns, "max"), method=WS, samples=n
    )
    assert r.acceptability.loc["A", 1] == pytest.approx(2 / 3, abs=_se(2 / 3, n))
    assert r.central_weights.loc["A", "c1"] == pytest.approx(2 / 3, abs=0.01)
    assert r.central_weights.loc["B", "c1"] == pytest.approx(1 / 6, abs=0.01)


def test_three_specialists_all_ranks_one_third():
    X = frame({"A": [1, 0, 0], "B": [0, 1, 0], "C": [0, 0, 1]})
    n = 15_000
    r = sensitivity(
        X,
        weights=equal(X.columns),
        objectives=equal(X.columns, "max"),
        method=WS,
        samples=n,
        seed=11,
    )
    np.testing.assert_allclose(r.acceptability.to_numpy(), 1 / 3, atol=_se(1 / 3, n))
    assert r.p_top(2).round(12).tolist() == pytest.approx(
        (r.acceptability[1] + r.acceptability[2]).tolist()
    )


def test_minimised_criterion_direction():
    # risk is minimised: A (low risk) beats B whatever the weights; C is dominated by both.
    X = pd.DataFrame({"quality": [80, 80, 70], "risk": [10, 30, 40]}, index=["A", "B", "C"])
    r = sensitivity(
        X,
        weights={"quality": 1, "risk": 1},
        objectives={"quality": "max", "risk": "min"},
        method=WS,
        samples=500,
    )
    assert r.acceptability.loc["A", 1] == 1.0
    assert r.acceptability.loc["B", 2] == 1.0
    assert r.acceptability.loc["C", 3] == 1.0
    assert r.reference_rank.to_dict() == {"A": 1, "B": 2, "C": 3}
    assert r.central_weights.loc[["B", "C"]].isna().all().all()
    assert r.confidence.loc[["B", "C"]].isna().all()


def test_confidence_with_uncertain_values():
    """SMAA-2 confidence with Gaussian criteria values.

    A = (1, 0), B = (0, 1), central weights of A (3/4, 1/4); with value_sd = 0.5 on every cell,
    A's margin 0.75 - 0.25 = 0.5 has standard deviation 0.5 * sqrt(2 (0.75^2 + 0.25^2)) = 0.559,
    so A stays first with probability Phi(0.5 / 0.559) = 0.814.
    """
    from scipy.stats import norm

    X = frame({"A": [1, 0], "B": [0, 1]})
    r = sensitivity(
        X,
        weights=equal(X.columns),
        objectives=equal(X.columns, "max"),
        method=WS,
        samples=20_000,
        value_sd=0.5,
        value_samples=4_000,
    )
    cw = r.central_weights.loc["A"].to_numpy()
    expected = norm.cdf((cw[0] - cw[1]) / (0.5 * math.sqrt(2 * (cw**2).sum())))
    assert expected == pytest.approx(0.814, abs=0.01)
    assert r.confidence.loc["A"] == pytest.approx(expected, abs=_se(expected, 4_000))
    assert r.value_samples == 4_000 and r.value_sd == 0.5
    # zero uncertainty is the exact-value definition
    r0 = sensitivity(
        X,
        weights=equal(X.columns),
        objectives=equal(X.columns, "max"),
        method=WS,
        samples=2_000,
        value_sd=0.0,
        value_samples=10,
    )
    assert list(r0.confidence) == [1.0, 1.0]


# --------------------------------------------------------------------------- ties


def test_identical_candidates_share_ranks():
    X = frame({"A": [1, 1], "B": [1, 1], "C": [0, 0]})
    r = sensitivity(
        X, weights=equal(X.columns), objectives=equal(X.columns, "max"), method=WS, samples=300
    )
    acc = r.acceptability
    assert acc.loc["A", 1] == acc.loc["B", 1] == 1.0
    assert acc.loc["C", 3] == 1.0
    assert acc[2].sum() == 0.0  # "1224": nobody is second
    assert r.tied_samples == 300
    assert r.reference_rank.tolist() == [1, 1, 3]
    np.testing.assert_allclose(r.acceptability.sum(axis=1), 1.0)
    # both tied leaders count as first: central weights are the mean of all samples
    assert r.central_weights.loc["A"].tolist() == pytest.approx(r.central_weights.loc["B"].tolist())


def test_anchored_tie_groups_match_ranking_package():
    # 1, 1 + 0.9e-9, 1 + 1.8e-9: adjacent gaps are within tolerance, but the third is beyond the
    # anchor's tolerance, so the ranking package ranks them 1, 1, 3 (not 1, 1, 1).
    v = np.array([1.0, 1 + 0.9e-9, 1 + 1.8e-9, 5.0])
    expected = competition_rank(v, higher_is_better=False)
    assert expected.tolist() == [1, 1, 3, 4]
    assert batch_competition_ranks(v[None, :], higher_is_better=False)[0].tolist() == [1, 1, 3, 4]
    expected_hi = competition_rank(v, higher_is_better=True)
    assert batch_competition_ranks(v[None, :], higher_is_better=True)[0].tolist() == list(
        expected_hi
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from([0.0, 0.1, 0.2, 1.0, 1 + 1e-10, 2.5, -3.0, 1e12, 1e12 + 1]),
            min_size=1,
            max_size=9,
        ),
        min_size=1,
        max_size=6,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1),
    st.booleans(),
)
def test_batch_ranks_equal_competition_rank(rows, hib):
    S = np.array(rows)
    got = batch_competition_ranks(S, higher_is_better=hib)
    for i in range(S.shape[0]):
        assert got[i].tolist() == competition_rank(S[i], higher_is_better=hib).tolist()


# --------------------------------------------------------------------------- properties

values = st.integers(min_value=1, max_value=99).map(float)


@st.composite
def problems(draw):
    n = draw(st.integers(1, 7))
    m = draw(st.integers(1, 4))
    data = draw(st.lists(st.lists(values, min_size=m, max_size=m), min_size=n, max_size=n))
    cols = [f"k{j}" for j in range(m)]
    X = pd.DataFrame(data, columns=cols, index=[f"P{i}" for i in range(n)])
    obj = {c: draw(st.sampled_from(["max", "min"])) for c in cols}
    w = {c: draw(st.floats(0.05, 5.0)) for c in cols}
    return X, w, obj


def with_worst(X: pd.DataFrame, obj: dict[str, str]) -> pd.DataFrame:
    """Append candidate 'W' strictly worst on every criterion (0 if maximised, 100 if minimised)."""
    worst = pd.DataFrame(
        [[0.0 if obj[c] == "max" else 100.0 for c in X.columns]], columns=X.columns, index=["W"]
    )
    return pd.concat([X, worst])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from([None, 0.3, 1.0]), st.integers(0, 2**31))
def test_acceptability_properties(prob, spread, seed):
    X, w, obj = prob
    Xw = with_worst(X, obj)
    r = sensitivity(Xw, weights=w, objectives=obj, method=WS, samples=200, seed=seed, spread=spread)
    acc = r.acceptability
    n = len(Xw)
    assert acc.shape == (n, n)
    assert list(acc.columns) == list(range(1, n + 1))
    np.testing.assert_allclose(acc.sum(axis=1), 1.0)
    assert (r.counts.sum(axis=1) == 200).all()
    assert (acc.to_numpy() >= 0).all()
    np.testing.assert_allclose(r.p_top(n), 1.0)
    assert acc.loc["W", 1] == 0.0  # worst on every criterion: never first
    assert r.p_top(n - 1).loc["W"] == 0.0  # ... and in fact always last
    cw = r.central_weights
    first = acc[1] > 0
    np.testing.assert_allclose(cw[first].sum(axis=1), 1.0)
    assert cw[~first].isna().all().all()
    assert r.confidence[first].isin([0.0, 1.0]).all()
    assert r.confidence[~first].isna().all()
    ranks = r.reference_rank
    assert ranks.loc["W"] == n
    np.testing.assert_allclose(r.expected_rank, acc.to_numpy() @ np.arange(1, n + 1))


@settings(max_examples=25, deadline=None)
@given(problems(), st.integers(0, 2**31))
def test_deterministic_and_chunk_independent(prob, seed):
    X, w, obj = prob
    kw = dict(weights=w, objectives=obj, method=WS, samples=150, seed=seed)
    a = sensitivity(X, **kw)
    b = sensitivity(X, **kw)
    c = sensitivity(X, chunk_size=7, **kw)
    pd.testing.assert_frame_equal(a.counts, b.counts)
    pd.testing.assert_frame_equal(a.counts, c.counts)
    pd.testing.assert_frame_equal(a.central_weights, c.central_weights, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(problems())
def test_direction_of_score_does_not_matter(prob):
    X, w, obj = prob
    a = sensitivity(X, weights=w, objectives=obj, method=WS, samples=100)
    b = sensitivity(X, weights=w, objectives=obj, method=LocalNegatedSum(), samples=100)
    pd.testing.assert_frame_equal(a.counts, b.counts)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_registered_method_properties(name):
    rng = np.random.default_rng(5)
    cols = ["strength", "market", "risk", "poverty", "demonstration"]
    obj = {c: "min" if c == "risk" else "max" for c in cols}
    X = pd.DataFrame(
        rng.integers(20, 95, size=(12, 5)).astype(float),
        columns=cols,
        index=[f"P{i:02d}" for i in range(12)],
    )
    Xw = with_worst(X, obj)
    r = sensitivity(Xw, weights=equal(cols), objectives=obj, method=name, samples=1_000, seed=1)
    assert r.method == name
    np.testing.assert_allclose(r.acceptability.sum(axis=1), 1.0)
    assert r.acceptability.loc["W", 1] == 0.0
    np.testing.assert_allclose(r.p_top(len(Xw)), 1.0)


def test_different_seeds_differ_and_are_recorded():
    X = frame({"A": [1, 0], "B": [0, 1], "C": [0.5, 0.5]})
    kw = dict(weights=equal(X.columns), objectives=equal(X.columns, "max"), method=WS, samples=500)
    a = sensitivity(X, seed=1, **kw)
    b = sensitivity(X, seed=2, **kw)
    assert not a.counts.equals(b.counts)
    assert (a.seed, a.samples, a.method, a.spread) == (1, 500, "local_ws", None)


# --------------------------------------------------------------------------- spread


def test_spread_around_given_weights_concentrates():
    # At weights (0.7, 0.3): A = 0.7*90 + 0.3*40 = 75 > B = 0.7*50 + 0.3*90 = 62 > C = 55.
    X = frame({"A": [90, 40], "B": [50, 90], "C": [55, 55]})
    w = {"c1": 0.7, "c2": 0.3}
    obj = equal(X.columns, "max")
    uniform = sensitivity(X, weights=w, objectives=obj, method=WS, samples=5_000)
    wide = sensitivity(X, weights=w, objectives=obj, method=WS, samples=5_000, spread=0.5)
    narrow = sensitivity(X, weights=w, objectives=obj, method=WS, samples=5_000, spread=0.1)
    assert narrow.reference_rank.tolist() == [1, 2, 3]
    pa = [r.acceptability.loc["A", 1] for r in (uniform, wide, narrow)]
    assert pa[0] < pa[1] < pa[2] == 1.0
    # with a narrow spread every candidate keeps its reference rank
    for cand, rk in narrow.reference_rank.items():
        assert narrow.acceptability.loc[cand, rk] == 1.0
    # the central weights of A stay near the given weights
    assert narrow.central_weights.loc["A", "c1"] == pytest.approx(0.7, abs=0.01)


# --------------------------------------------------------------------------- result object


def test_result_is_immutable():
    X = frame({"A": [1, 0], "B": [0, 1]})
    r = sensitivity(
        X, weights=equal(X.columns), objectives=equal(X.columns, "max"), method=WS, samples=100
    )
    assert isinstance(r, SensitivityResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.samples = 5  # type: ignore[misc]
    acc = r.acceptability
    acc.iloc[0, 0] = 99.0
    assert r.acceptability.iloc[0, 0] <= 1.0
    with pytest.raises(TypeError):
        r.weights["c1"] = 3  # type: ignore[index]
    summary = r.summary(k=1)
    assert list(summary.columns) == [
        "reference_rank",
        "p_first",
        "p_top",
        "expected_rank",
        "confidence",
    ]


def test_p_top_rejects_bad_k():
    X = frame({"A": [1, 0], "B": [0, 1]})
    r = sensitivity(
        X, weights=equal(X.columns), objectives=equal(X.columns, "max"), method=WS, samples=10
    )
    for k in (0, 3, 1.5, True, "1"):
        with pytest.raises(InputError):
            r.p_top(k)


# --------------------------------------------------------------------------- bad input


def test_bad_input_lists_every_problem():
    X = pd.DataFrame({"a": [1.0, np.nan], "b": [2.0, 3.0]}, index=["P1", "P2"])
    with pytest.raises(InputError) as exc:
        sensitivity(
            X,
            weights={"a": 1, "b": 0},
            objectives={"a": "max", "b": "up"},
            method="no_such_method",
            samples=0,
            seed=-1,
            spread=2.0,
        )
    text = str(exc.value)
    for needle in (
        "P2",
        "'a'",
        "weight must be",
        "objective",
        "no_such_method",
        "samples",
        "seed",
        "spread",
    ):
        assert needle in text, needle
    assert len(exc.value.problems) >= 7


def test_bad_weights_and_objective_keys():
    X = frame({"A": [1, 0], "B": [0, 1]})
    with pytest.raises(InputError) as exc:
        sensitivity(X, weights={"c1": 1, "zz": 1}, objectives={"c1": "max"}, method=WS)
    msgs = [p.message for p in exc.value.problems]
    assert any("zz" in m for m in msgs)
    assert any("c2" in m for m in msgs)
    assert len(msgs) >= 3  # unknown weight key, missing weight c2, missing objective c2


def test_method_specific_problems_are_reported():
    # weighted_sum inverts a minimised criterion on the 0-100 scale: 150 is outside it.
    X = pd.DataFrame({"q": [50.0, 60.0], "risk": [150.0, 20.0]}, index=["A", "B"])
    with pytest.raises(InputError, match="risk"):
        sensitivity(
            X,
            weights={"q": 1, "risk": 1},
            objectives={"q": "max", "risk": "min"},
            method="weighted_sum",
        )


def test_not_a_dataframe_and_bad_value_sd():
    with pytest.raises(InputError):
        sensitivity([[1, 2]], weights={"a": 1}, objectives={"a": "max"}, method=WS)
    X = frame({"A": [1, 0], "B": [0, 1]})
    with pytest.raises(InputError, match="value_sd"):
        sensitivity(
            X,
            weights=equal(X.columns),
            objectives=equal(X.columns, "max"),
            method=WS,
            value_sd=-1.0,
        )
    with pytest.raises(InputError, match="method"):
        sensitivity(X, weights=equal(X.columns), objectives=equal(X.columns, "max"), method=42)


def test_single_candidate():
    X = frame({"A": [3, 4]})
    r = sensitivity(
        X, weights=equal(X.columns), objectives=equal(X.columns, "max"), method=WS, samples=50
    )
    assert r.acceptability.loc["A", 1] == 1.0
    assert r.confidence.loc["A"] == 1.0


@settings(max_examples=30, deadline=None)
@given(
    st.integers(2, 700),
    st.integers(1, 4),
    st.integers(0, 2**31),
    st.booleans(),
    st.sampled_from([1e-3, 1.0, 1e6]),
)
def test_packed_sort_matches_competition_rank(n, s, seed, hib, scale):
    """Wide rows (index packed into up to 10 low bits), both signs, exact and near-exact ties."""
    rng = np.random.default_rng(seed)
    S = rng.normal(0, scale, size=(s, n))
    S[:, : n // 3] = np.round(S[:, : n // 3] / scale, 1) * scale  # many exact ties
    if n > 3:
        S[:, 1] = S[:, 2] * (1 + 5e-10)  # a near-tie within tolerance
        S[:, 3] = -0.0
    got = batch_competition_ranks(S, higher_is_better=hib)
    for i in range(s):
        assert got[i].tolist() == competition_rank(S[i], higher_is_better=hib).tolist()
