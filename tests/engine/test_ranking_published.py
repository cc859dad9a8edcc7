"""Published worked examples reproduced by scoring.engine.ranking.rank (through scikit-criteria).

Each test cites its source and the numbers printed there; the expected values below are those
published figures, compared to the printed precision.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.engine.ranking import METHODS, rank


def _frame(rows: list[list[float]], names: list[str], criteria: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=pd.Index(names, name="project_id"), columns=criteria)


def test_topsis_hwang_yoon_1981_fighter_aircraft() -> None:
    """Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and
    Applications*, Springer, pp. 131-134: fighter-aircraft example.

    Criteria: max speed, ferry range, max payload, acquisition cost (minimised), reliability,
    manoeuvrability; weights (0.2, 0.1, 0.1, 0.1, 0.2, 0.3). Published relative closeness
    C* = 0.643 (A1), 0.268 (A2), 0.613 (A3), 0.312 (A4): order A1 > A3 > A4 > A2.
    """
    crit = ["speed", "range", "payload", "cost", "reliability", "manoeuvre"]
    m = _frame(
        [
            [2.0, 1500, 20000, 5.5, 5, 9],
            [2.5, 2700, 18000, 6.5, 3, 5],
            [1.8, 2000, 21000, 4.5, 7, 7],
            [2.2, 1800, 20000, 5.0, 5, 5],
        ],
        ["A1", "A2", "A3", "A4"],
        crit,
    )
    weights = dict(zip(crit, [0.2, 0.1, 0.1, 0.1, 0.2, 0.3], strict=True))
    objectives = dict.fromkeys(crit, "max") | {"cost": "min"}
    r = rank(m, weights=weights, objectives=objectives, method="topsis")
    published = pd.Series({"A1": 0.643, "A2": 0.268, "A3": 0.613, "A4": 0.312})
    np.testing.assert_allclose(r["score"][published.index], published, atol=6e-4)
    assert list(r.index) == ["A1", "A3", "A4", "A2"]
    assert r["rank"].tolist() == [1, 2, 3, 4]


def test_topsis_tzeng_huang_2011() -> None:
    """Tzeng, G.-H. & Huang, J.-J. (2011). *Multiple Attribute Decision Making: Methods and
    Applications*, CRC Press, TOPSIS example (as also checked by scikit-criteria's own tests).

    Four alternatives, three maximised criteria, weights (0.3, 0.4, 0.3). Published closeness
    0.5037, 0.6581, 0.7482, 0.3340: order A3 > A2 > A1 > A4.
    """
    m = _frame(
        [[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]], ["A1", "A2", "A3", "A4"], ["c1", "c2", "c3"]
    )
    r = rank(
        m,
        weights={"c1": 0.3, "c2": 0.4, "c3": 0.3},
        objectives=dict.fromkeys(m.columns, "max"),
        method="topsis",
    )
    published = pd.Series({"A1": 0.5037, "A2": 0.6581, "A3": 0.7482, "A4": 0.3340})
    np.testing.assert_allclose(r["score"][published.index], published, atol=1e-4)
    assert r["rank"].to_dict() == {"A3": 1, "A2": 2, "A1": 3, "A4": 4}


def test_vikor_opricovic_tzeng_2004() -> None:
    """Opricovic, S. & Tzeng, G.-H. (2004). Compromise solution by MCDM methods: a comparative
    analysis of VIKOR and TOPSIS. *European Journal of Operational Research* 156(2), 445-455,
    numerical example (section 5).

    A1 = (1, 3000), A2 = (2, 3750), A3 = (5, 4500); f1 minimised (risk), f2 maximised; equal
    weights, v = 0.5. Published: S = (0.5, 0.375, 0.5), R = (0.5, 0.25, 0.5), Q = (1, 0, 1);
    A2 is the compromise solution (acceptable advantage and stability).
    """
    m = _frame([[1, 3000], [2, 3750], [5, 4500]], ["A1", "A2", "A3"], ["risk", "altitude"])
    r = rank(
        m,
        weights={"risk": 1, "altitude": 1},
        objectives={"risk": "min", "altitude": "max"},
        method="vikor",
    )
    np.testing.assert_allclose(r["score"][["A1", "A2", "A3"]], [1.0, 0.0, 1.0], atol=1e-12)
    info = r.attrs["vikor"]
    np.testing.assert_allclose([info["S"][a] for a in ("A1", "A2", "A3")], [0.5, 0.375, 0.5])
    np.testing.assert_allclose([info["R"][a] for a in ("A1", "A2", "A3")], [0.5, 0.25, 0.5])
    assert info["compromise_set"] == ["A2"]
    assert info["acceptable_advantage"] and info["acceptable_stability"]
    # A1 and A3 tie on Q = 1: both rank 2 (competition ranking), shown in project_id order.
    assert list(r.index) == ["A2", "A1", "A3"]
    assert r["rank"].tolist() == [1, 2, 2]


OT2007 = [
    [4184.3, 2914.0, 407.2, 251.0, 195, 244, 15, 2.41],
    [5211.9, 3630.0, 501.7, 308.3, 282, 346, 21, 1.41],
    [5021.3, 3920.5, 504.0, 278.6, 12, 56, 3, 4.42],
    [5566.1, 3957.9, 559.5, 335.3, 167, 268, 16, 3.36],
    [5060.5, 3293.5, 514.1, 284.2, 69, 90, 7, 4.04],
    [4317.9, 2925.9, 432.8, 239.3, 12, 55, 3, 4.36],
]
OT2007_OBJ = ["max", "min", "max", "max", "min", "min", "min", "max"]


@pytest.mark.parametrize(
    ("weights", "S", "R", "Q", "compromise"),
    [
        (
            [1] * 8,
            [0.692, 0.7, 0.29, 0.423, 0.28, 0.346],
            [0.125, 0.125, 0.121, 0.125, 0.067, 0.125],
            [0.991, 1.0, 0.473, 0.670, 0.0, 0.578],
            ["A5"],
        ),
        (
            [2, 2, 2, 2, 1, 1, 1, 1],
            [0.701, 0.6, 0.386, 0.365, 0.317, 0.459],
            [0.167, 0.114, 0.161, 0.167, 0.089, 0.167],
            [1.0, 0.533, 0.552, 0.563, 0.0, 0.686],
            ["A5"],
        ),
        (
            [1, 1, 1, 1, 2, 2, 2, 2],
            [0.683, 0.8, 0.193, 0.48, 0.243, 0.232],
            [0.113, 0.167, 0.08, 0.122, 0.044, 0.083],
            [0.684, 1.0, 0.147, 0.554, 0.041, 0.191],
            ["A3", "A5", "A6"],
        ),
    ],
    ids=["W1-equal", "W2-economic", "W3-environmental"],
)
def test_vikor_opricovic_tzeng_2007(weights, S, R, Q, compromise) -> None:
    """Opricovic, S. & Tzeng, G.-H. (2007). Extended VIKOR method in comparison with outranking
    methods. *European Journal of Operational Research* 178(2), 514-529: Mostarsko Blato
    hydro-system example, six alternatives, eight criteria, weight sets W1-W3; S, R and Q as
    printed (three decimals); ranks by Q.
    """
    crit = [f"f{j + 1}" for j in range(8)]
    m = _frame(OT2007, [f"A{i + 1}" for i in range(6)], crit)
    r = rank(
        m,
        weights=dict(zip(crit, weights, strict=True)),
        objectives=dict(zip(crit, OT2007_OBJ, strict=True)),
        method="vikor",
    )
    names = [f"A{i + 1}" for i in range(6)]
    np.testing.assert_allclose(r["score"][names], Q, atol=1.5e-3)
    np.testing.assert_allclose([r.attrs["vikor"]["S"][a] for a in names], S, atol=1.5e-3)
    np.testing.assert_allclose([r.attrs["vikor"]["R"][a] for a in names], R, atol=1.5e-3)
    expected_order = [names[i] for i in np.argsort(Q, kind="stable")]
    assert list(r.index) == expected_order
    assert sorted(r.attrs["vikor"]["compromise_set"]) == compromise


def test_weighted_sum_hand_example_with_minimised_criterion() -> None:
    """Weighted sum on the 0-100 scale; the minimised criterion is inverted as 100 - x.

    P1 = (80, 70, risk 30): 0.5*80 + 0.3*70 + 0.2*(100-30) = 40 + 21 + 14 = 75.
    P2 = (90, 60, risk 60): 45 + 18 + 8 = 71.   P3 = (70, 80, risk 10): 35 + 24 + 18 = 77.
    """
    m = _frame(
        [[80, 70, 30], [90, 60, 60], [70, 80, 10]],
        ["P1", "P2", "P3"],
        ["strength", "market", "risk"],
    )
    r = rank(
        m,
        weights={"strength": 5, "market": 3, "risk": 2},
        objectives={"strength": "max", "market": "max", "risk": "min"},
    )
    assert r["score"].round(10).to_dict() == {"P3": 77.0, "P1": 75.0, "P2": 71.0}
    assert r["rank"].to_dict() == {"P3": 1, "P1": 2, "P2": 3}
    assert r.attrs["method"] == "weighted_sum"


def test_weighted_product_hand_example() -> None:
    """Weighted product: score = prod x_j ** w_j (a weighted geometric mean).

    P1 = (64, risk 99 -> 1): 64**0.5 * 1**0.5 = 8;  P2 = (16, risk 84 -> 16): 16;  P3 = (4, 100 - 0 = 100 after the
    inversion of a minimised 0): 4**0.5 * 100**0.5 = 20.  A zero (P4's 0 on the maximised
    criterion) is a veto: score 0.
    """
    m = _frame([[64, 99], [16, 84], [4, 0], [0, 50]], ["P1", "P2", "P3", "P4"], ["a", "risk"])
    r = rank(
        m,
        weights={"a": 1, "risk": 1},
        objectives={"a": "max", "risk": "min"},
        method="weighted_product",
    )
    np.testing.assert_allclose(r["score"][["P1", "P2", "P3", "P4"]], [8.0, 16.0, 20.0, 0.0])
    assert r["rank"].to_dict() == {"P3": 1, "P2": 2, "P1": 3, "P4": 4}


def test_moora_ratio_system_hand_example() -> None:
    """MOORA ratio system (Brauers & Zavadskas 2006): vector-normalise, weighted benefit minus
    weighted cost.  Columns (3, 4) and (4, 3) have norm 5: y1 = 0.5*0.6 - 0.5*0.8 = -0.1 and
    y2 = 0.5*0.8 - 0.5*0.6 = 0.1.
    """
    m = _frame([[3, 4], [4, 3]], ["P1", "P2"], ["gain", "cost"])
    r = rank(
        m, weights={"gain": 1, "cost": 1}, objectives={"gain": "max", "cost": "min"}, method="moora"
    )
    np.testing.assert_allclose(r["score"][["P1", "P2"]], [-0.1, 0.1])
    assert METHODS["moora"].higher_is_better and r["rank"].to_dict() == {"P2": 1, "P1": 2}
