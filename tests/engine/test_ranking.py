"""Tests of scoring.engine.ranking: rank(), the METHODS kernels and the 0.10 defects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.engine.ranking import METHODS, rank

KEYS = ["strength", "market", "risk", "poverty", "demonstration"]
OBJ = {"strength": "max", "market": "max", "risk": "min", "poverty": "max", "demonstration": "max"}
MIN = np.array([False, False, True, False, False])


def _matrix(n: int = 12, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.uniform(40, 95, (n, 5)).round(1)
    return pd.DataFrame(
        X, columns=KEYS, index=pd.Index([f"P{i:03d}" for i in range(n)], name="project_id")
    )


@pytest.mark.parametrize("name", sorted(METHODS))
def test_score_batch_matches_scikit_criteria_for_each_weight_vector(name: str) -> None:
    """The vectorised kernel equals the scikit-criteria computation, weight vector by vector."""
    rng = np.random.default_rng(7)
    X = rng.uniform(0, 100, (25, 5))
    X[:, 3] = 60.0  # a criterion the whole panel agrees on
    W = rng.dirichlet(np.ones(5), size=40)
    m = METHODS[name]
    batch = m.score_batch(X, W, MIN)
    assert batch.shape == (40, 25)
    assert np.all(np.isfinite(batch))
    for k in range(W.shape[0]):
        single, _ = m.evaluate(X, W[k], MIN)
        np.testing.assert_allclose(batch[k], single, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_rank_score_equals_kernel_score(name: str) -> None:
    df = _matrix()
    weights = {"strength": 3, "market": 2, "risk": 2, "poverty": 1, "demonstration": 2}
    r = rank(df, weights=weights, objectives=OBJ, method=name)
    w = np.array([weights[k] for k in KEYS], dtype=float)
    w /= w.sum()
    kernel = METHODS[name].score_batch(df.to_numpy(), w[None, :], MIN)[0]
    np.testing.assert_allclose(r["score"].to_numpy(), pd.Series(kernel, df.index)[r.index])


# --- ties ---------------------------------------------------------------------------------------


def test_competition_rank_1224_and_tolerance() -> None:
    from scoring.engine.ranking.ties import competition_rank

    assert competition_rank([90, 80, 80, 70], higher_is_better=True).tolist() == [1, 2, 2, 4]
    assert competition_rank([0.1, 0.3, 0.3, 0.2], higher_is_better=False).tolist() == [1, 3, 3, 2]
    # round-off does not separate equal scores; a real difference does
    assert competition_rank([0.1 + 0.2, 0.3], higher_is_better=True).tolist() == [1, 1]
    assert competition_rank([0.3 + 1e-6, 0.3], higher_is_better=True).tolist() == [1, 2]
    with pytest.raises(ValueError):
        competition_rank([1.0, float("nan")], higher_is_better=True)


def test_tied_candidates_share_rank_and_are_listed_by_project_id() -> None:
    m = pd.DataFrame(
        {"a": [50, 70, 70, 70], "b": [50, 60, 60, 60]},
        index=pd.Index(["P9", "P3", "P1", "P2"], name="project_id"),
    )
    r = rank(m, weights={"a": 1, "b": 1}, objectives={"a": "max", "b": "max"})
    assert list(r.index) == ["P1", "P2", "P3", "P9"]
    assert r["rank"].tolist() == [1, 1, 1, 4]
    assert r["rank"].dtype.kind == "i"
    assert r.index.name == "project_id"


# --- scikit-criteria 0.10 defects ------------------------------------------------------------------


def test_weighted_sum_accepts_minimised_criterion_that_scikit_criteria_refuses() -> None:
    import skcriteria
    from skcriteria.agg.simple import WeightedSumModel

    df = _matrix()
    dm = skcriteria.mkdm(df.to_numpy(), [max, max, min, max, max])
    with pytest.raises(ValueError, match="minimize"):
        WeightedSumModel().evaluate(dm)  # the defect we handle
    r = rank(df, weights=dict.fromkeys(KEYS, 1), objectives=OBJ)
    inverted = df.assign(risk=100 - df["risk"])
    np.testing.assert_allclose(r["score"], inverted.mean(axis=1)[r.index])
    # Column-range inversion gives the same ranks (scores differ by a constant).
    r2 = rank(df, weights=dict.fromkeys(KEYS, 1), objectives=OBJ, scale=None)
    assert r2["rank"].equals(r["rank"][r2.index])


@pytest.mark.parametrize("name", sorted(METHODS))
@pytest.mark.parametrize("value", [0.0, 75.0], ids=["all-zero", "all-equal"])
def test_constant_column_drops_out_without_poisoning(name: str, value: float) -> None:
    """A criterion the whole panel agrees on (or scores 0) leaves scores finite and the ranks
    equal to those computed without that criterion."""
    df = _matrix()
    weights = {"strength": 3, "market": 2, "risk": 2, "poverty": 1, "demonstration": 2}
    with_const = df.assign(poverty=value)
    r = rank(with_const, weights=weights, objectives=OBJ, method=name)
    assert np.all(np.isfinite(r["score"]))
    assert r.attrs["left_out"] == ["poverty"]
    without = df.drop(columns="poverty")
    r0 = rank(
        without,
        weights={k: v for k, v in weights.items() if k != "poverty"},
        objectives={k: v for k, v in OBJ.items() if k != "poverty"},
        method=name,
    )
    assert r["rank"].sort_index().tolist() == r0["rank"].sort_index().tolist()


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_column_constant_ties_everyone(name: str) -> None:
    df = pd.DataFrame({k: [60.0] * 4 for k in KEYS}, index=["P1", "P2", "P3", "P4"])
    r = rank(df, weights=dict.fromkeys(KEYS, 1), objectives=OBJ, method=name)
    assert np.all(np.isfinite(r["score"]))
    assert r["rank"].tolist() == [1, 1, 1, 1]
    assert list(r.index) == ["P1", "P2", "P3", "P4"]


@pytest.mark.parametrize("name", sorted(METHODS))
def test_single_candidate_ranks_first(name: str) -> None:
    df = _matrix(1)
    r = rank(df, weights=dict.fromkeys(KEYS, 1), objectives=OBJ, method=name)
    assert r["rank"].tolist() == [1] and np.isfinite(r["score"].iloc[0])


def test_untied_rank_is_not_used_for_ties() -> None:
    """scikit-criteria's ``untied_rank_`` would give tied candidates 1 and 2 (issue #56)."""
    df = pd.DataFrame({"a": [80.0, 80.0, 60.0], "b": [70.0, 70.0, 90.0]}, index=["X", "Y", "Z"])
    r = rank(df, weights={"a": 2, "b": 1}, objectives={"a": "max", "b": "max"}, method="topsis")
    assert r.loc["X", "rank"] == r.loc["Y", "rank"] == 1
    assert r.loc["Z", "rank"] == 3


# --- bad input ------------------------------------------------------------------------------------


def test_bad_input_lists_every_problem() -> None:
    df = _matrix(4)
    df = df.astype(object)
    df.loc["P001", "market"] = np.nan
    df.loc["P002", "strength"] = "high"
    weights = {"strength": 0, "market": -1, "risk": 1, "poverty": 1, "demonstration": 1, "size": 2}
    objectives = dict(OBJ) | {"risk": "lowest"}
    with pytest.raises(ValueError) as info:
        rank(df, weights=weights, objectives=objectives, method="topsis")
    from scoring.errors import InputError

    assert isinstance(info.value, InputError)
    text = str(info.value)
    for needle in ("P001", "P002", "'market'", "'strength'", "size", "lowest", "> 0"):
        assert needle in text, needle
    assert len(info.value.problems) >= 6


def test_missing_weight_and_unknown_method_and_option() -> None:
    from scoring.errors import InputError

    df = _matrix(3)
    with pytest.raises(InputError) as info:
        rank(df, weights={"strength": 1}, objectives=OBJ, method="electre")
    text = str(info.value)
    assert "electre" in text and "'market' is missing" in text
    with pytest.raises(InputError, match="unknown option 'alpha'"):
        rank(df, weights=dict.fromkeys(KEYS, 1), objectives=OBJ, method="vikor", alpha=1)
    with pytest.raises(InputError, match="v must be within"):
        rank(df, weights=dict.fromkeys(KEYS, 1), objectives=OBJ, method="vikor", v=2)


def test_minimised_value_outside_scale_is_reported() -> None:
    from scoring.errors import InputError

    df = _matrix(3).assign(risk=[10.0, 120.0, 30.0])
    with pytest.raises(InputError, match="outside"):
        rank(df, weights=dict.fromkeys(KEYS, 1), objectives=OBJ)
    r = rank(df, weights=dict.fromkeys(KEYS, 1), objectives=OBJ, scale=None)
    assert len(r) == 3


def test_vikor_other_v_changes_weight_of_regret() -> None:
    df = _matrix()
    w = dict.fromkeys(KEYS, 1)
    q1 = rank(df, weights=w, objectives=OBJ, method="vikor", v=1.0)["score"]
    s = pd.Series(rank(df, weights=w, objectives=OBJ, method="vikor").attrs["vikor"]["S"])
    expected = (s - s.min()) / (s.max() - s.min())
    np.testing.assert_allclose(q1.sort_index(), expected.sort_index())


def test_weighted_product_kernel_zero_veto_respects_zero_weights() -> None:
    """A zero vetoes a candidate only on a criterion that carries weight."""
    X = np.array([[0.0, 50.0, 40.0], [20.0, 80.0, 100.0], [60.0, 10.0, 20.0]])
    minimise = np.array([False, False, True])  # risk 100 inverts to 0
    W = np.array([[0.5, 0.3, 0.2], [0.0, 0.6, 0.4], [0.0, 1.0, 0.0]])
    m = METHODS["weighted_product"]
    B = m.score_batch(X, W, minimise)
    assert B[0, 0] == 0.0 and B[0, 1] == 0.0 and B[0, 2] > 0
    assert B[1, 0] > 0 and B[1, 1] == 0.0
    np.testing.assert_allclose(B[2], [50.0, 80.0, 10.0])
    for k in range(3):
        np.testing.assert_allclose(B[k], m.evaluate(X, W[k], minimise)[0], rtol=1e-12)
