"""Tests of scoring.engine.weighting: published values, constant columns, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from scoring.engine.weighting import critic_weights, entropy_weights, std_weights
from scoring.errors import InputError

DIAKOULAKI = [
    [61, 1.08, 4.33],
    [20.7, 0.26, 4.34],
    [16.3, 1.98, 2.53],
    [9.0, 3.29, 1.65],
    [5.4, 2.77, 2.33],
    [4.0, 4.12, 1.21],
    [-6.1, 3.52, 2.10],
    [-34.6, 3.31, 0.98],
]


def test_critic_diakoulaki_1995() -> None:
    """Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective weights in
    multiple criteria problems: the CRITIC method. *Computers & Operations Research* 22(7),
    763-770, numerical example: eight alternatives, three maximised criteria.

    Weights 0.202, 0.481, 0.317 (the paper's equations 1-6; the same figures, 0.20222554,
    0.48090173, 0.31687273, are checked by scikit-criteria's test of this example).
    """
    m = pd.DataFrame(DIAKOULAKI, columns=["c1", "c2", "c3"])
    w = critic_weights(m, dict.fromkeys(m.columns, "max"))
    np.testing.assert_allclose(list(w.values()), [0.20222554, 0.48090173, 0.31687273], atol=1e-8)
    assert list(w) == ["c1", "c2", "c3"]


def test_entropy_xu_2004() -> None:
    """Xu, X. (2004). A note on the subjective and objective integrated approach to determine
    attribute weights. *European Journal of Operational Research* 156(2), 530-532: four
    alternatives, four attributes; published entropy weights 0.4630, 0.3992, 0.1378, 0.0000
    (the last attribute is almost constant: 29, 29, 28.9, 29).
    """
    m = pd.DataFrame(
        [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]],
        columns=["a1", "a2", "a3", "a4"],
    )
    w = entropy_weights(m, dict.fromkeys(m.columns, "max"))
    np.testing.assert_allclose(list(w.values()), [0.4630, 0.3992, 0.1378, 0.0000], atol=5e-5)


def test_entropy_matches_scipy_definition() -> None:
    rng = np.random.default_rng(3)
    X = rng.uniform(1, 100, (12, 5))
    m = pd.DataFrame(X, columns=list("abcde"))
    d = 1 - scipy.stats.entropy(X, base=12, axis=0)
    w = entropy_weights(m, dict.fromkeys("abcde", "max"))
    np.testing.assert_allclose(list(w.values()), d / d.sum())


@pytest.mark.parametrize("fn", [entropy_weights, critic_weights, std_weights])
@pytest.mark.parametrize("value", [0.0, 70.0], ids=["all-zero", "all-equal"])
def test_constant_column_gets_zero_weight_and_others_unchanged(fn, value) -> None:
    rng = np.random.default_rng(5)
    base = pd.DataFrame(rng.uniform(30, 95, (10, 4)), columns=list("abcd"))
    obj = {"a": "max", "b": "min", "c": "max", "d": "max"}
    w0 = fn(base, obj)
    w = fn(base.assign(e=value), obj | {"e": "max"})
    assert w["e"] == 0.0
    assert all(np.isfinite(v) for v in w.values())
    np.testing.assert_allclose([w[k] for k in "abcd"], [w0[k] for k in "abcd"])
    assert sum(w.values()) == pytest.approx(1.0)


def test_critic_uses_direction_of_minimised_criterion() -> None:
    """Inverting a criterion flips the sign of its correlations, so CRITIC weights change."""
    m = pd.DataFrame(DIAKOULAKI, columns=["c1", "c2", "c3"])
    w_max = critic_weights(m, dict.fromkeys(m.columns, "max"))
    w_min = critic_weights(m, {"c1": "max", "c2": "min", "c3": "max"})
    assert w_max["c2"] != pytest.approx(w_min["c2"])


@pytest.mark.parametrize("fn", [entropy_weights, critic_weights, std_weights])
def test_every_column_constant_is_an_input_error(fn) -> None:
    m = pd.DataFrame({"a": [50.0] * 3, "b": [0.0] * 3})
    with pytest.raises(InputError, match="objective weights"):
        fn(m, {"a": "max", "b": "min"})


def test_bad_input_lists_every_problem() -> None:
    m = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [-1.0, 2.0, 3.0]})
    with pytest.raises(InputError) as info:
        entropy_weights(m, {"a": "up", "c": "max"})
    text = str(info.value)
    for needle in ("row 1", "'a'", "up", "'c'", "'b'"):
        assert needle in text, needle
    with pytest.raises(InputError, match=">= 0"):
        entropy_weights(pd.DataFrame({"a": [1.0, 2.0], "b": [-1.0, 2.0]}), {"a": "max", "b": "max"})
    with pytest.raises(InputError, match="two candidates"):
        critic_weights(pd.DataFrame({"a": [1.0], "b": [2.0]}), {"a": "max", "b": "max"})


def test_weights_usable_by_rank() -> None:
    """Objective weights plug straight into ranking (zero weights of constant columns aside)."""
    from scoring.engine.ranking import rank

    rng = np.random.default_rng(9)
    m = pd.DataFrame(
        rng.uniform(30, 95, (6, 3)), columns=["x", "y", "z"], index=[f"P{i}" for i in range(6)]
    )
    obj = {"x": "max", "y": "min", "z": "max"}
    r = rank(m, weights=critic_weights(m, obj), objectives=obj, method="topsis")
    assert sorted(r["rank"]) == list(range(1, 7))
