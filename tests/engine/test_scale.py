"""The criteria set's scale is honoured: a 0–10 set ranks exactly like the same scores x10 on 0–100."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.engine.aggregation import HOW, aggregate
from scoring.engine.comparison import compare_methods
from scoring.engine.criteria import criteria_set, parse_criteria
from scoring.engine.panel import expert_deviation, panel_agreement, score_outliers
from scoring.engine.ranking import METHODS, rank
from scoring.engine.sensitivity import sensitivity
from scoring.errors import InputError
from scoring.programme.shortlist import shortlist


def seven_point_set(factor: float):
    """The enterprise evaluation set on a 0–10 x factor scale, its ``goals`` point minimised."""
    data = criteria_set("evaluation-enterprise").to_dict()
    data["name"] = f"seven-{factor:g}"
    data["scale"] = {"min": 0, "max": 10 * factor}
    data["grades"] = [
        dict(g, min=None if g["min"] is None else g["min"] / 10 * factor) for g in data["grades"]
    ]
    for i, spec in enumerate(data["criteria"].values()):
        spec["weight"] = i + 1
        spec["rubric"] = {float(s) / 10 * factor: t for s, t in spec["rubric"].items()}
    data["criteria"]["goals"]["objective"] = "min"
    return parse_criteria(data)


@pytest.fixture(scope="module")
def long10():
    rng = np.random.default_rng(7)
    keys = criteria_set("evaluation-enterprise").keys
    rows = [
        (f"P{p:02d}", f"E{e}", k, float(rng.integers(0, 21)) / 2)  # half points: exact x10
        for p in range(12)
        for e in range(6)
        for k in keys
        if (p, e) != (3, 2)  # a recusal
    ]
    return pd.DataFrame(rows, columns=["project_id", "expert_id", "criterion", "score"])


@pytest.fixture(scope="module")
def sets():
    return seven_point_set(1), seven_point_set(10)


@pytest.mark.parametrize("how", HOW)
def test_every_aggregation_and_method_ranks_the_same_on_either_scale(long10, sets, how):
    cs10, cs100 = sets
    long100 = long10.assign(score=long10["score"] * 10)
    m10 = aggregate(long10, how, criteria=cs10)
    m100 = aggregate(long100, how, criteria=cs100)
    np.testing.assert_allclose(m10.to_numpy() * 10, m100.to_numpy(), rtol=1e-12)
    for method in METHODS:
        r10 = rank(m10, criteria=cs10, method=method)
        r100 = rank(m100, criteria=cs100, method=method)
        pd.testing.assert_series_equal(r10["rank"], r100["rank"], obj=method)
        assert r10.attrs["scale"] in (None, (0.0, 10.0))


def test_robustness_and_comparison_take_the_scale(long10, sets):
    cs10, cs100 = sets
    m10 = aggregate(long10, "mean", criteria=cs10)
    m100 = m10 * 10
    for method in METHODS:
        kw = {"weights": cs10.weights, "objectives": cs10.objectives, "method": method}
        a = sensitivity(m10, samples=300, scale=cs10.scale, **kw)
        b = sensitivity(m100, samples=300, scale=cs100.scale, **kw)
        pd.testing.assert_frame_equal(a.counts, b.counts, obj=method)
    kw = {"weights": cs10.weights, "objectives": cs10.objectives, "methods": list(METHODS)}
    r10 = compare_methods(m10, scale=cs10.scale, **kw)["rankings"]
    pd.testing.assert_frame_equal(r10, compare_methods(m100, scale=cs100.scale, **kw)["rankings"])


def test_panel_statistics_default_thresholds_follow_the_scale(long10, sets):
    cs10, cs100 = sets
    long100 = long10.assign(score=long10["score"] * 10)
    o10 = score_outliers(long10, criteria=cs10)
    o100 = score_outliers(long100, criteria=cs100)
    assert len(o10) == len(o100) > 0
    d10 = expert_deviation(long10, criteria=cs10)
    d100 = expert_deviation(long100, criteria=cs100)
    np.testing.assert_allclose(d10["robust_z"], d100["robust_z"], rtol=1e-9)
    a10 = panel_agreement(long10, criteria=cs10)
    a100 = panel_agreement(long100, criteria=cs100)
    # per criterion (exact values; the weighted totals' ties are float-exact only on one scale)
    keys = list(cs10.keys)
    np.testing.assert_allclose(a10.loc[keys, "W"], a100.loc[keys, "W"], rtol=1e-9)
    np.testing.assert_allclose(a10.loc[keys, "icc"], a100.loc[keys, "icc"], rtol=1e-9)


def test_shortlist_cut_by_minimum_score_is_on_the_sets_scale(long10, sets):
    cs10, _ = sets
    ranking = rank(aggregate(long10, "mean", criteria=cs10), criteria=cs10)
    cands = pd.DataFrame({"project_id": ranking.index, "name": ranking.index})
    cut = float(ranking["score"].median())
    picked = shortlist(ranking, cands, min_score=cut)
    assert set(picked.index) == set(ranking.index[ranking["score"] >= cut])
    with pytest.raises(InputError) as err:
        shortlist(ranking, cands, min_score=60)  # a 0–100 bar on a 0–10 set
    assert err.value.problems[0].column == "min_score"
    assert "0–10" in err.value.problems[0].message


def test_grades_of_a_rescaled_set(sets):
    cs10, _ = sets
    assert [g.min for g in cs10.grades] == [9.0, 7.5, 6.0, None]
    assert cs10.grade_of(9.0).key == "excellent" and cs10.grade_of(5.99).key == "fail"
