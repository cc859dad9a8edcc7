"""The probability of each grade under weight uncertainty (scoring.engine.sensitivity.grades).

Exact answers used below (weights uniform on the simplex, two criteria: w1 ~ U(0, 1)):

* A = (100, 50): the total 50 + 50 w1 reaches 75 iff w1 >= 1/2, so P(high) = 1/2.
* A = (100, 20) with the second criterion minimised (inverted on 0–100 to 80): the total
  80 + 20 w1 reaches 90 iff w1 >= 1/2, so P(high) = 1/2 again; without the inversion it would
  be 20 + 80 w1 >= 90, w1 >= 7/8, P = 1/8.

Monte Carlo tolerances are three standard errors, sqrt(p (1 - p) / samples).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scoring.engine.criteria import criteria_set
from scoring.engine.criteria.model import Grade
from scoring.engine.sensitivity import GradeAcceptability, grade_acceptability
from scoring.errors import InputError, split_pair

TWO = (Grade("high", "高", "High", 75.0), Grade("low", "低", "Low", None))
MAXMAX = {"a": "max", "b": "max"}
EVEN = {"a": 1.0, "b": 1.0}


def _se(p: float, n: int) -> float:
    return math.sqrt(p * (1 - p) / n)


def test_all_95_is_excellent_for_sure() -> None:
    cs = criteria_set("evaluation-enterprise")
    X = pd.DataFrame(95.0, index=["P1", "P2", "P3"], columns=list(cs.keys))
    X.index.name = "project_id"
    res = grade_acceptability(
        X, weights=cs.weights, objectives=cs.objectives, grades=cs.grades, scale=cs.scale
    )
    assert isinstance(res, GradeAcceptability)
    P = res.probabilities
    assert list(P.columns) == [g.key for g in cs.grades] == ["excellent", "good", "pass", "fail"]
    assert list(P.index) == ["P1", "P2", "P3"]
    assert P.index.name == "project_id"
    assert (P["excellent"] == 1.0).all()
    assert (P.drop(columns="excellent") == 0.0).all().all()
    assert list(res.reference) == ["excellent"] * 3
    assert P.attrs["reference"] == {"P1": "excellent", "P2": "excellent", "P3": "excellent"}
    assert res.fragile() == []


def test_real_set_grades_match_grade_of() -> None:
    cs = criteria_set("evaluation-enterprise")
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.uniform(40, 100, size=(12, len(cs))), columns=list(cs.keys))
    res = grade_acceptability(
        X,
        weights=cs.weights,
        objectives=cs.objectives,
        grades=cs.grades,
        scale=cs.scale,
        samples=2_000,
        spread=0.3,
    )
    w = np.array([cs.weights[k] for k in cs.keys])
    w = w / w.sum()
    for label, total in enumerate(X.to_numpy() @ w):
        assert res.reference.loc[label] == cs.grade_of(float(total)).key
        assert res.reference_total.loc[label] == pytest.approx(total)
    np.testing.assert_allclose(res.probabilities.sum(axis=1), 1.0)


def test_two_criteria_half_under_dirichlet() -> None:
    X = pd.DataFrame({"a": [100.0], "b": [50.0]}, index=["A"])
    n = 20_000
    res = grade_acceptability(X, weights=EVEN, objectives=MAXMAX, grades=TWO, samples=n)
    p = res.probabilities.loc["A", "high"]
    assert abs(p - 0.5) <= 3 * _se(0.5, n)
    assert res.probabilities.loc["A", "low"] == pytest.approx(1 - p)
    # at equal weights the total is exactly 75: the threshold is reached
    assert res.reference.loc["A"] == "high"
    assert res.reference_total.loc["A"] == pytest.approx(75.0)
    assert res.fragile(0.2) == ["A"]
    assert res.fragile(0.6) == []


def test_minimised_criterion_is_inverted_on_the_scale() -> None:
    X = pd.DataFrame({"a": [100.0], "risk": [20.0]}, index=["A"])
    n = 20_000
    grades = (Grade("high", "高", "High", 90.0), Grade("low", "低", "Low", None))
    res = grade_acceptability(
        X,
        weights={"a": 1, "risk": 1},
        objectives={"a": "max", "risk": "min"},
        grades=grades,
        samples=n,
    )
    assert abs(res.probabilities.loc["A", "high"] - 0.5) <= 3 * _se(0.5, n)
    # on a 0–10 scale the same project (scores / 10, threshold 9) gives the same answer
    res10 = grade_acceptability(
        X / 10,
        weights={"a": 1, "risk": 1},
        objectives={"a": "max", "risk": "min"},
        grades=(Grade("high", "高", "High", 9.0), Grade("low", "低", "Low", None)),
        scale=(0, 10),
        samples=n,
    )
    assert res10.probabilities.loc["A", "high"] == pytest.approx(res.probabilities.loc["A", "high"])


def test_rows_sum_to_one_and_same_seed_same_result() -> None:
    cs = criteria_set("evaluation-enterprise")
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.uniform(50, 100, size=(30, len(cs))), columns=list(cs.keys))
    kw = dict(weights=cs.weights, objectives=cs.objectives, grades=cs.grades, samples=3_000)
    a = grade_acceptability(X, seed=7, **kw)
    b = grade_acceptability(X, seed=7, chunk_size=128, **kw)
    c = grade_acceptability(X, seed=8, **kw)
    np.testing.assert_allclose(a.probabilities.sum(axis=1), 1.0)
    pd.testing.assert_frame_equal(a.probabilities, b.probabilities)
    assert not a.probabilities.equals(c.probabilities)
    assert ((a.probabilities >= 0) & (a.probabilities <= 1)).all().all()


def test_tiny_spread_gives_the_reference_grade() -> None:
    cs = criteria_set("evaluation-enterprise")
    rng = np.random.default_rng(1)
    # keep totals away from the thresholds so that a 1e-9 spread cannot move a grade
    X = pd.DataFrame(
        np.repeat([[95.0], [80.0], [65.0], [30.0]], len(cs), axis=1), columns=list(cs.keys)
    )
    X += rng.uniform(-2, 2, size=X.shape)
    res = grade_acceptability(
        X,
        weights=cs.weights,
        objectives=cs.objectives,
        grades=cs.grades,
        spread=1e-9,
        samples=500,
    )
    assert list(res.reference) == ["excellent", "good", "pass", "fail"]
    for label, grade in res.reference.items():
        assert res.probabilities.loc[label, grade] == 1.0
    assert (res.reference_probability() == 1.0).all()
    assert res.fragile() == []


def test_bad_input_listed_at_once() -> None:
    X = pd.DataFrame({"a": [100.0, "x"], "b": [50.0, 120.0]}, index=["A", "B"])
    bad_grades = (Grade("low", "低", "Low", None), Grade("high", "高", "High", 75.0))
    with pytest.raises(InputError) as ei:
        grade_acceptability(
            X,
            weights={"a": -1, "c": 1},
            objectives={"a": "up", "b": "min"},
            grades=bad_grades,
            scale=(100, 0),
            samples=0,
            seed=-1,
            spread=2.0,
        )
    columns = {p.column for p in ei.value.problems}
    for col in ("a", "c", "b", "grades[0]", "grades[1]", "scale", "samples", "seed", "spread"):
        assert col in columns, (col, ei.value)
    assert len(ei.value.problems) >= 9
    ours = [p for p in ei.value.problems if p.column in ("scale", "grades[0]", "grades[1]")]
    assert ours and all(split_pair(p.message) is not None for p in ours)


def test_bad_grades_each_named() -> None:
    X = pd.DataFrame({"a": [80.0], "b": [60.0]})
    with pytest.raises(InputError) as ei:
        grade_acceptability(X, weights=EVEN, objectives=MAXMAX, grades=[])
    assert ei.value.problems[0].column == "grades"
    dup = (Grade("g", "甲", "G", 80.0), Grade("g", "乙", "G2", 90.0), "fail")
    with pytest.raises(InputError) as ei:
        grade_acceptability(X, weights=EVEN, objectives=MAXMAX, grades=dup)
    msgs = " ".join(p.message for p in ei.value.problems)
    assert "twice" in msgs and "descending" in msgs and "not a Grade" in msgs
    assert all(split_pair(p.message) is not None for p in ei.value.problems)
    with pytest.raises(InputError, match="threshold"):
        grade_acceptability(X, weights=EVEN, objectives=MAXMAX, grades=TWO, samples=10).fragile(2)
