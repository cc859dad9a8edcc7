"""Tests of scoring.engine.panel: deviation, outliers, Kendall's W and the ICC against published values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from scoring.engine.panel import (
    OVERALL,
    PANEL_ICC,
    expert_deviation,
    icc,
    icc_matrix,
    kendall_w,
    kendall_w_matrix,
    panel_agreement,
    score_outliers,
)
from scoring.errors import InputError

CRITS = ["strength", "market", "risk", "poverty", "demonstration"]


def long_from(table: np.ndarray, criterion: str = "strength", drop: tuple = ()) -> pd.DataFrame:
    """Projects x experts array -> long score table (``drop``: (project, expert) index pairs)."""
    rows = [
        (f"P{i + 1}", f"E{j + 1}", criterion, float(table[i, j]))
        for i in range(table.shape[0])
        for j in range(table.shape[1])
        if (i, j) not in drop
    ]
    return pd.DataFrame(rows, columns=["project_id", "expert_id", "criterion", "score"])


# Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
# reliability. Psychological Bulletin 86(2), 420-428, Table 2: six targets rated by four judges.
SHROUT_FLEISS = np.array(
    [
        [9, 2, 5, 8],
        [6, 1, 3, 2],
        [8, 4, 6, 8],
        [7, 1, 2, 6],
        [10, 5, 6, 9],
        [6, 2, 4, 7],
    ],
    dtype=float,
)

# Siegel, S. (1956). Nonparametric Statistics for the Behavioral Sciences, ch. 9, the Kendall
# coefficient of concordance W: three executives rank six job applicants (rows: applicants a-f).
SIEGEL = np.array(
    [
        [1, 1, 6],
        [6, 5, 3],
        [3, 6, 2],
        [2, 4, 5],
        [5, 2, 4],
        [4, 3, 1],
    ],
    dtype=float,
)


# ---------------------------------------------------------------------------------------------
# ICC


def test_icc_reproduces_shrout_fleiss_1979() -> None:
    """Shrout & Fleiss (1979), Table 4, on the Table 2 data (6 targets x 4 judges):
    ICC(1,1) = .17, ICC(2,1) = .29, ICC(3,1) = .71, ICC(1,4) = .44, ICC(2,4) = .62, ICC(3,4) = .91.
    """
    out = icc_matrix(SHROUT_FLEISS).set_index("sf_type")
    published = {
        "ICC1": 0.17,
        "ICC2": 0.29,
        "ICC3": 0.71,
        "ICC1k": 0.44,
        "ICC2k": 0.62,
        "ICC3k": 0.91,
    }
    for form, value in published.items():
        assert round(out.loc[form, "icc"], 2) == value, form
    assert out.loc["ICC2k", "panel"] and out["panel"].sum() == 1
    assert out.loc["ICC2k", "type"] == PANEL_ICC
    assert (out["n_projects"] == 6).all() and (out["n_experts"] == 4).all()
    assert (out["ci95_low"] <= out["icc"]).all() and (out["icc"] <= out["ci95_high"]).all()


def test_icc_from_the_long_table_and_recusal() -> None:
    """Same data in the long form; a seventh target with one recusal is left out (complete cases)."""
    extra = np.vstack([SHROUT_FLEISS, [5, 5, 5, 5]])
    df = long_from(extra, "market", drop=((6, 2),))
    out = icc(df, "market")
    assert list(out["criterion"].unique()) == ["market"]
    assert (out["n_excluded"] == 1).all() and (out["n_projects"] == 6).all()
    panel = out[out["panel"]].iloc[0]
    assert round(panel["icc"], 2) == 0.62


def test_icc_undefined_cases_are_nan_not_errors() -> None:
    flat = long_from(np.full((4, 3), 70.0))
    assert icc(flat, "strength")["icc"].isna().all()
    two = long_from(SHROUT_FLEISS[:2])
    assert icc(two, "strength")["icc"].isna().all()


# ---------------------------------------------------------------------------------------------
# Kendall's W


def test_kendall_w_reproduces_siegel_1956() -> None:
    """Siegel (1956), ch. 9: k = 3 executives rank N = 6 applicants; rank sums 8, 14, 11, 11, 11, 8;
    s = 25.5 and W = 25.5 / (1/12 * 3^2 * (6^3 - 6)) = .16."""
    res = kendall_w_matrix(SIEGEL)
    assert round(res.W, 2) == 0.16
    assert res.W == pytest.approx(25.5 / (9 * (216 - 6) / 12))
    assert res.chi2 == pytest.approx(3 * 5 * res.W)
    assert res.df == 5 and res.n_projects == 6 and res.n_experts == 3
    assert res.p == pytest.approx(stats.chi2.sf(res.chi2, 5))
    # the same from the long table
    out = kendall_w(long_from(SIEGEL, "risk"), "risk")
    assert out.loc["risk", "W"] == pytest.approx(res.W)


def test_kendall_w_tie_correction() -> None:
    # raters who agree perfectly, ties included, have W = 1 only with the tie correction
    tied = np.array([[1, 1, 1], [1, 1, 1], [2, 2, 2], [3, 3, 3]], dtype=float)
    assert kendall_w_matrix(tied).W == pytest.approx(1.0)
    # and W equals the tie-corrected Friedman statistic / (m (n - 1)) (scipy)
    rng = np.random.default_rng(1)
    x = rng.integers(1, 5, size=(8, 5)).astype(float)  # many ties
    res = kendall_w_matrix(x)
    friedman = stats.friedmanchisquare(*x)  # scipy: groups = objects, blocks = raters
    assert res.chi2 == pytest.approx(friedman.statistic)
    assert res.W == pytest.approx(friedman.statistic / (5 * 7))


@settings(max_examples=60, deadline=None)
@given(
    x=arrays(
        np.float64,
        st.tuples(st.integers(2, 8), st.integers(2, 6)),
        elements=st.integers(0, 10).map(float),
    ),
    shift=st.floats(-50, 50, allow_nan=False),
)
def test_kendall_w_properties(x: np.ndarray, shift: float) -> None:
    res = kendall_w_matrix(x)
    if np.isnan(res.W):  # every rater ties everything
        assert all(len(np.unique(col)) == 1 for col in x.T)
        return
    assert -1e-12 <= res.W <= 1 + 1e-12
    # a rater's leniency (a constant added to all his scores) does not change W
    y = x.copy()
    y[:, 0] += shift
    assert kendall_w_matrix(y).W == pytest.approx(res.W)
    # rows (projects) in another order give the same W
    assert kendall_w_matrix(x[::-1]).W == pytest.approx(res.W)


def test_kendall_w_extremes_and_undefined() -> None:
    agree = np.tile(np.arange(5.0)[:, None], (1, 4))
    assert kendall_w_matrix(agree).W == pytest.approx(1.0)
    opposite = np.column_stack([np.arange(4.0), np.arange(4.0)[::-1]])
    assert kendall_w_matrix(opposite).W == pytest.approx(0.0)
    assert np.isnan(kendall_w_matrix(np.ones((4, 3))).W)
    assert np.isnan(kendall_w_matrix(np.ones((1, 3))).W)


def test_kendall_w_per_criterion_and_overall_with_recusal() -> None:
    base = SIEGEL * 10
    df = pd.concat(
        [long_from(base, "market", drop=((0, 1),)), long_from(base[::-1], "risk")],
        ignore_index=True,
    )
    out = kendall_w(
        df,
        criteria=["market", "risk"],
        weights={"market": 1, "risk": 3},
        objectives={"market": "max", "risk": "min"},
    )
    assert list(out.index) == ["market", "risk", OVERALL]
    assert out.loc["market", "n_excluded"] == 1 and out.loc["market", "n_projects"] == 5
    assert out.loc["risk", "n_excluded"] == 0
    assert out.loc["risk", "W"] == pytest.approx(kendall_w_matrix(SIEGEL).W)
    # overall: each expert's weighted total, risk reflected on the scale, complete cases only
    total = 0.25 * base + 0.75 * (100 - base[::-1])
    expected = kendall_w_matrix(np.delete(total, 0, axis=0))
    assert out.loc[OVERALL, "W"] == pytest.approx(expected.W)
    assert out.loc[OVERALL, "n_excluded"] == 1


def test_unknown_criterion_argument() -> None:
    df = long_from(SIEGEL)
    with pytest.raises(InputError, match="charm"):
        kendall_w(df, "charm")
    with pytest.raises(InputError, match="charm"):
        icc(df, "charm")


# ---------------------------------------------------------------------------------------------
# deviation and outliers


def lenient_panel() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    quality = rng.uniform(50, 85, size=20)
    table = quality[:, None] + rng.normal(0, 3, size=(20, 7))
    table[:, 3] += 12  # expert E4 is lenient
    return long_from(np.clip(np.round(table), 0, 100), "market")


def test_expert_deviation_by_hand() -> None:
    df = long_from(np.array([[60.0, 70.0, 80.0]]), "market")
    out = expert_deviation(df).set_index("expert_id")
    # leave-one-out: 60 - 75, 70 - 70, 80 - 65
    assert out["mean_deviation"].tolist() == [-15.0, 0.0, 15.0]
    assert out["n"].tolist() == [1, 1, 1]
    assert out["direction"].tolist() == ["lower", "higher", "higher"]
    assert list(out.columns) == [
        "criterion",
        "n",
        "mean_deviation",
        "sd_deviation",
        "mean_abs_deviation",
        "robust_z",
        "flag",
        "direction",
    ]


def test_lenient_expert_is_flagged() -> None:
    out = expert_deviation(lenient_panel())
    flagged = out[out["flag"]]
    assert flagged["expert_id"].tolist() == ["E4"]
    row = flagged.iloc[0]
    assert row["direction"] == "higher" and row["n"] == 20
    # the others exclude E4 himself, so he is about +12 above them (noise sd 3 / sqrt(20))
    assert 9 < row["mean_deviation"] < 15
    # on a complete panel the experts' deviations sum to zero on every project
    assert out["mean_deviation"].sum() == pytest.approx(0.0, abs=1e-9)
    assert np.isfinite(out["robust_z"]).all()


def test_agreeing_panel_flags_nobody() -> None:
    df = long_from(np.tile(np.array([[60.0], [70.0], [80.0]]), (1, 5)))
    out = expert_deviation(df)
    assert not out["flag"].any()
    assert (out["mean_deviation"] == 0).all()


def test_score_outliers_table_for_the_chair() -> None:
    table = np.array([[70.0, 72.0, 68.0, 71.0, 35.0], [80.0, 81.0, 79.0, 80.0, 80.0]])
    df = long_from(table, "poverty")
    out = score_outliers(df, points=20)
    assert len(out) == 1
    hit = out.iloc[0]
    assert (hit["project_id"], hit["expert_id"], hit["criterion"]) == ("P1", "E5", "poverty")
    assert hit["others_mean"] == pytest.approx(70.25)
    assert hit["deviation"] == pytest.approx(35 - 70.25)
    assert hit["row"] == 4 and hit["n_others"] == 4
    assert score_outliers(df, points=40).empty


def test_bad_arguments_and_scores() -> None:
    df = long_from(SIEGEL)
    with pytest.raises(InputError) as err:
        expert_deviation(df, threshold=0, min_sd=-1)
    assert len(err.value.problems) == 2
    with pytest.raises(InputError):
        score_outliers(df, points=float("nan"))
    bad = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    bad.loc[1, "score"] = 130.0
    for fn in (expert_deviation, kendall_w, icc, panel_agreement, score_outliers):
        with pytest.raises(InputError) as err:
            fn(bad)
        assert len(err.value.problems) == 2, fn.__name__


# ---------------------------------------------------------------------------------------------
# panel agreement


def test_panel_agreement_table() -> None:
    rng = np.random.default_rng(11)
    quality = rng.uniform(50, 90, size=(12, 5))
    frames = []
    for c, crit in enumerate(CRITS):
        t = np.clip(np.round(quality[:, c][:, None] + rng.normal(0, 4, size=(12, 6))), 0, 100)
        frames.append(long_from(t, crit, drop=((2, 4),)))
    df = pd.concat(frames, ignore_index=True)
    out = panel_agreement(df)
    assert list(out.index) == [*CRITS, OVERALL]
    assert list(out.columns) == [
        "W",
        "chi2",
        "df",
        "p",
        "n_projects",
        "n_experts",
        "n_excluded",
        "icc",
        "icc_ci95_low",
        "icc_ci95_high",
    ]
    assert (out["n_excluded"] == 1).all() and (out["n_projects"] == 11).all()
    assert ((out["W"] > 0.5) & (out["W"] <= 1)).all()
    i = icc(df, "risk")
    assert out.loc["risk", "icc"] == pytest.approx(i.loc[i["panel"], "icc"].iloc[0])
    w = kendall_w(df, "poverty")
    assert out.loc["poverty", "W"] == pytest.approx(w.loc["poverty", "W"])
