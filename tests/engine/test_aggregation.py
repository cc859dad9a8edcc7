"""Tests of scoring.engine.aggregation: every rule on hand-checkable tables, recusals, bad input, properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine.aggregation import HOW, aggregate
from scoring.engine.criteria import CRITERIA_KEYS, default_criteria
from scoring.errors import InputError


def long(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["project_id", "expert_id", "criterion", "score"])


@pytest.fixture
def table() -> pd.DataFrame:
    """P1/market: 60 70 75 80 95; P2/market: 50 50 50 90 90 (ties); P1/risk: 40 50 90 (three)."""
    rows = [("P1", e, "market", s) for e, s in zip("ABCDE", [60, 70, 75, 80, 95], strict=True)]
    rows += [("P2", e, "market", s) for e, s in zip("ABCDE", [50, 50, 50, 90, 90], strict=True)]
    rows += [("P1", e, "risk", s) for e, s in zip("ABC", [40, 50, 90], strict=True)]
    return long(rows)


def test_mean(table: pd.DataFrame) -> None:
    out = aggregate(table, "mean")
    assert out.loc["P1", "market"] == pytest.approx(76.0)  # 380 / 5
    assert out.loc["P2", "market"] == pytest.approx(66.0)  # 330 / 5
    assert out.loc["P1", "risk"] == pytest.approx(60.0)  # 180 / 3


def test_median(table: pd.DataFrame) -> None:
    out = aggregate(table, "median")
    assert out.loc["P1", "market"] == 75.0
    assert out.loc["P2", "market"] == 50.0
    assert out.loc["P1", "risk"] == 50.0


def test_trimmed_mean_drops_one_highest_and_one_lowest(table: pd.DataFrame) -> None:
    out = aggregate(table, "trimmed_mean")
    assert out.loc["P1", "market"] == pytest.approx((70 + 75 + 80) / 3)
    # ties: exactly one 50 and one 90 are dropped, the other copies stay
    assert out.loc["P2", "market"] == pytest.approx((50 + 50 + 90) / 3)


def test_trimmed_mean_below_trim_min_is_plain_mean(table: pd.DataFrame) -> None:
    out = aggregate(table, "trimmed_mean", trim_min=5)
    assert out.loc["P1", "risk"] == pytest.approx(60.0)  # 3 scores < 5: mean of 40, 50, 90
    out3 = aggregate(table, "trimmed_mean", trim_min=3)
    assert out3.loc["P1", "risk"] == pytest.approx(50.0)  # 3 >= 3: 40 and 90 dropped
    # 5 scores with trim_min=6: no trimming
    out6 = aggregate(table, "trimmed_mean", trim_min=6)
    assert out6.loc["P1", "market"] == pytest.approx(76.0)


def test_shape_order_and_missing_cells(table: pd.DataFrame) -> None:
    out = aggregate(table, "mean")
    assert list(out.columns) == list(CRITERIA_KEYS)
    assert list(out.index) == ["P1", "P2"]
    assert out.index.name == "project_id"
    assert all(dt == np.float64 for dt in out.dtypes)
    # nobody scored P2/risk nor any strength: NaN, never filled in
    assert math.isnan(out.loc["P2", "risk"])
    assert out["strength"].isna().all()
    # another criteria order gives that column order
    out2 = aggregate(table, "mean", criteria=["risk", "market"])
    assert list(out2.columns) == ["risk", "market"]
    # a CriteriaSet is accepted
    out3 = aggregate(table, "mean", criteria=default_criteria())
    pd.testing.assert_frame_equal(out, out3)


def test_rows_in_any_order_give_the_same_result(table: pd.DataFrame) -> None:
    shuffled = table.sample(frac=1.0, random_state=3).reset_index(drop=True)
    for how in HOW:
        pd.testing.assert_frame_equal(aggregate(table, how), aggregate(shuffled, how))


def test_recused_scores_are_left_out_not_zero() -> None:
    # expert E recused from P1: four scores of 80; zero-filling would give 64 (mean) or 80*3/4...
    rows = [("P1", e, "strength", 80.0) for e in "ABCD"]
    rows += [("P2", e, "strength", s) for e, s in zip("ABCDE", [70, 70, 70, 70, 70], strict=True)]
    df = long(rows)
    for how in ("mean", "median", "trimmed_mean", "zscore"):
        out = aggregate(df, how)
        assert out.loc["P1", "strength"] > out.loc["P2", "strength"], how
    assert aggregate(df, "mean").loc["P1", "strength"] == 80.0
    assert aggregate(df, "median").loc["P1", "strength"] == 80.0
    assert aggregate(df, "trimmed_mean").loc["P1", "strength"] == 80.0  # 4 < 5: plain mean
    assert aggregate(df, "trimmed_mean", trim_min=3).loc["P1", "strength"] == 80.0


def test_zscore_removes_a_lenient_experts_constant_bias() -> None:
    """Honest A and B see P1 = P3 = 60 and P2 = P4 = 80; L scores like them + 10 but is recused
    from P3 and P4. The mean leaks L's leniency into P1 and P2; the z-score rule does not."""
    q = {"P1": 60, "P2": 80, "P3": 60, "P4": 80}
    rows = [(p, e, "market", v) for e in "AB" for p, v in q.items()]
    rows += [("P1", "L", "market", 70.0), ("P2", "L", "market", 90.0)]
    df = long(rows)
    mean = aggregate(df, "mean")["market"]
    assert mean["P1"] == pytest.approx(190 / 3) and mean["P3"] == 60.0  # bias leaks
    z = aggregate(df, "zscore")["market"]
    assert z["P1"] == pytest.approx(z["P3"])
    assert z["P2"] == pytest.approx(z["P4"])
    # by hand: every expert's z is -1 / +1; panel mean M = 720/10 = 72, panel sd S = sqrt(116)
    assert z["P1"] == pytest.approx(72 - math.sqrt(116))
    assert z["P2"] == pytest.approx(72 + math.sqrt(116))


def test_zscore_constant_bias_on_a_complete_panel_changes_nothing_but_the_level() -> None:
    rng = np.random.default_rng(7)
    base = rng.integers(40, 80, size=(6, 4)).astype(float)  # projects x experts

    def frame(m: np.ndarray) -> pd.DataFrame:
        return long([(f"P{i}", f"E{j}", "poverty", m[i, j]) for i in range(6) for j in range(4)])

    biased = base.copy()
    biased[:, 2] += 10  # expert E2 is lenient by a constant 10
    a = aggregate(frame(base), "zscore")["poverty"]
    b = aggregate(frame(biased), "zscore")["poverty"]
    std = lambda s: (s - s.mean()) / s.std(ddof=0)  # noqa: E731
    np.testing.assert_allclose(std(a).to_numpy(), std(b).to_numpy(), atol=1e-12)


def test_zscore_single_candidate_and_flat_expert_contribute_the_panel_mean() -> None:
    rows = [
        (p, e, "demonstration", v)
        for e in "AB"
        for p, v in {"P1": 60, "P2": 80, "P3": 60, "P4": 80}.items()
    ]
    rows += [("P1", "D", "demonstration", 95.0)]  # scored one candidate only
    rows += [(p, "F", "demonstration", 75.0) for p in ("P1", "P2", "P3", "P4")]  # all equal
    df = long(rows)
    out = aggregate(df, "zscore")["demonstration"]
    assert np.isfinite(out.to_numpy()).all()
    values = df["score"].to_numpy()
    m, s = values.mean(), values.std(ddof=0)
    # P1: A and B have z = -1; D and F have sd 0 -> z = 0 -> panel mean
    assert out["P1"] == pytest.approx(((m - s) * 2 + m + m) / 4)
    assert out["P2"] == pytest.approx(((m + s) * 2 + m) / 3)


def test_zscore_when_the_whole_panel_agrees_on_everything() -> None:
    df = long([(p, e, "risk", 50.0) for p in ("P1", "P2") for e in "ABC"])
    out = aggregate(df, "zscore")
    assert out.loc["P1", "risk"] == 50.0 and out.loc["P2", "risk"] == 50.0


def test_bad_scores_are_all_named_at_once() -> None:
    df = long(
        [
            ("P1", "A", "market", 70.0),
            ("P1", "A", "market", 75.0),  # duplicate of the row above
            ("P1", "B", "charm", 60.0),  # unknown criterion
            ("P1", "C", "market", float("nan")),  # NaN
            ("P2", "A", "risk", 120.0),  # out of scale
        ]
    )
    with pytest.raises(InputError) as err:
        aggregate(df, "mean")
    problems = err.value.problems
    text = str(err.value)
    assert len(problems) == 4
    assert "charm" in text and "NaN" in text and "120" in text and "duplicate" in text
    assert {p.row for p in problems} == {0, 2, 3, 4}
    assert isinstance(err.value, ValueError)


def test_non_numeric_score_and_missing_column() -> None:
    df = long([("P1", "A", "market", "seventy")])
    with pytest.raises(InputError, match="not a number"):
        aggregate(df)
    with pytest.raises(InputError, match="score"):
        aggregate(df.drop(columns="score"))


@pytest.mark.parametrize(
    ("how", "trim_min", "n"),
    [
        ("best", 5, 1),
        ("mean", 2, 1),
        ("mean", 5.0, 1),
        ("mean", True, 1),
        ("max", 0, 2),
        (None, "5", 2),
    ],
)
def test_bad_options(how: object, trim_min: object, n: int) -> None:
    df = long([("P1", "A", "market", 70.0)])
    with pytest.raises(InputError) as err:
        aggregate(df, how, trim_min)  # type: ignore[arg-type]
    assert len(err.value.problems) == n


def test_empty_table_gives_an_empty_matrix() -> None:
    out = aggregate(long([]), "trimmed_mean")
    assert out.shape == (0, len(CRITERIA_KEYS))
    assert list(out.columns) == list(CRITERIA_KEYS)


# ---------------------------------------------------------------------------------------------
# properties


@st.composite
def panels(draw: st.DrawFn, hi: int = 100) -> pd.DataFrame:
    n_p = draw(st.integers(1, 4))
    n_e = draw(st.integers(1, 7))
    crits = draw(st.lists(st.sampled_from(CRITERIA_KEYS), min_size=1, max_size=3, unique=True))
    cells = [(f"P{p}", f"E{e}", c) for p in range(n_p) for e in range(n_e) for c in crits]
    keep = draw(st.lists(st.booleans(), min_size=len(cells), max_size=len(cells)))
    if not any(keep):
        keep[0] = True
    score = st.one_of(st.integers(0, hi).map(float), st.floats(0, hi, allow_nan=False))
    rows = [(*cell, draw(score)) for cell, k in zip(cells, keep, strict=True) if k]
    return long(rows)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    df=panels(), how=st.sampled_from(["mean", "median", "trimmed_mean"]), trim_min=st.integers(3, 6)
)
def test_aggregates_lie_within_the_raw_scores(df: pd.DataFrame, how: str, trim_min: int) -> None:
    out = aggregate(df, how, trim_min)
    g = df.groupby(["project_id", "criterion"])["score"]
    lo, hi = g.min(), g.max()
    for (p, c), low in lo.items():
        assert low - 1e-9 <= out.loc[p, c] <= hi[(p, c)] + 1e-9
    # exactly the scored cells are filled
    assert int(out.notna().to_numpy().sum()) == len(lo)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=panels(hi=80), how=st.sampled_from(list(HOW)), c=st.floats(0, 20, allow_nan=False))
def test_adding_a_constant_shifts_every_aggregate_by_it(
    df: pd.DataFrame, how: str, c: float
) -> None:
    shifted = df.assign(score=df["score"] + c)
    a = aggregate(df, how)
    b = aggregate(shifted, how)
    np.testing.assert_allclose((b - a).stack().dropna().to_numpy(), c, atol=1e-7)
