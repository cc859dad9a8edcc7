"""Issue 11: the ranking pipeline on every configuration — zscore's output stays on the scale so
every method ranks it; refusals name their own method; messages show plain numbers; the ICC of
the panel mean has an ordered confidence interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.engine.aggregation import aggregate
from scoring.engine.criteria import default_criteria
from scoring.engine.panel.agreement import icc_matrix
from scoring.engine.ranking import METHODS, rank
from scoring.errors import InputError

CRIT = default_criteria()
RISK = {"E1": [100, 99, 98, 97], "E2": [100, 0, 100, 0]}
IDS = ["P1", "P2", "P3", "P4"]


def _scores() -> pd.DataFrame:
    rows = [
        (p, e, c, RISK[e][i] if c == "risk" else 50 + 5 * i + (3 if e == "E1" else 0))
        for e in RISK
        for i, p in enumerate(IDS)
        for c in CRIT.keys
    ]
    return pd.DataFrame(rows, columns=["project_id", "expert_id", "criterion", "score"])


def test_zscore_stays_on_the_scale_on_the_failing_case() -> None:
    m = aggregate(_scores(), how="zscore", criteria=CRIT)
    assert ((m >= 0) & (m <= 100)).all().all()
    # the most extreme standardised score lands on the bound; the order within risk is kept
    assert m["risk"].max() <= 100 and m["risk"].idxmax() == "P1" and m["risk"].idxmin() == "P4"
    assert list(m["risk"].rank()) == [4.0, 2.0, 3.0, 1.0]


def test_every_method_ranks_the_zscore_matrix() -> None:
    m = aggregate(_scores(), how="zscore", criteria=CRIT)
    for method in METHODS:
        r = rank(m, criteria=CRIT, method=method)
        assert sorted(r.index) == IDS and np.isfinite(r["score"]).all(), method
    # a z-score already on the scale is not touched by the cap (M -/+ S exactly)
    q = {"P1": 60, "P2": 80, "P3": 60, "P4": 80}
    rows = [(p, e, "market", v) for e in "AB" for p, v in q.items()]
    df = pd.DataFrame(rows, columns=["project_id", "expert_id", "criterion", "score"])
    z = aggregate(df, "zscore", criteria=["market"])["market"]
    assert z["P1"] == pytest.approx(60) and z["P2"] == pytest.approx(80)


def test_weighted_product_refusal_names_weighted_product() -> None:
    m = pd.DataFrame({k: [50.0, 60.0] for k in CRIT.keys}, index=["P1", "P2"])
    m.loc["P1", "risk"] = 120.0
    with pytest.raises(InputError) as err:
        rank(m, criteria=CRIT, method="weighted_product")
    text = str(err.value)
    assert "weighted_product" in text and "weighted_sum" not in text


def test_messages_print_plain_numbers() -> None:
    m = pd.DataFrame({k: [50.0, 60.0] for k in CRIT.keys}, index=["P1", "P2"])
    m.iloc[0, 0] = np.nan
    with pytest.raises(InputError) as err:
        rank(m, criteria=CRIT)
    assert "np.float64" not in str(err.value) and "value nan" in str(err.value)
    w = {k: np.float64("nan") for k in CRIT.keys}
    with pytest.raises(InputError) as err:
        rank(m.fillna(1.0), weights=w, objectives=CRIT.objectives)
    assert "np.float64" not in str(err.value)


def test_icc_of_the_panel_mean_has_an_ordered_interval() -> None:
    # a panel that disagrees: ICC(A,1) below -1/(k-1); the old step-up gave ICC(A,k) = 22.97
    # and the interval [6.20, 0.28]
    t = np.array([[60, 70, 65], [80, 50, 75], [70, 72, 40], [55, 90, 60], [66, 61, 80]], float)
    out = icc_matrix(t).set_index("type")
    row = out.loc["ICC(A,k)"]
    assert row["icc"] <= 1 and row["ci95_low"] <= row["icc"] <= row["ci95_high"] <= 1
    assert row["ci95_low"] == -np.inf
    # an agreeing panel is untouched: pingouin's own figures
    rng = np.random.default_rng(1)
    good = rng.normal(60, 10, size=(8, 1)) + rng.normal(0, 3, size=(8, 4))
    ok = icc_matrix(good).set_index("type").loc["ICC(A,k)"]
    assert 0 < ok["ci95_low"] < ok["icc"] < ok["ci95_high"] < 1
