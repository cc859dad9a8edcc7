"""Shortlist: cut line by size or score, caps and floors, the tie rule, infeasible quotas."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring.engine.ranking.ties import competition_rank
from scoring.errors import InputError
from scoring.programme.shortlist import shortlist

# ten candidates: (id, score, city, kind)
ROWS = [
    ("A", 90.0, "太原市", "enterprise"),
    ("B", 88.0, "太原市", "enterprise"),
    ("C", 85.0, "太原市", "enterprise"),
    ("D", 80.0, "大同市", "enterprise"),
    ("E", 80.0, "朔州市", "enterprise"),
    ("F", 75.0, "大同市", "region"),
    ("G", 70.0, "忻州市", "enterprise"),
    ("H", 65.0, "运城市", "region"),
    ("I", 60.0, "运城市", "region"),
    ("J", 55.0, "省属企业", "enterprise"),
]


def make(rows=ROWS, higher_is_better=True):
    ids = [r[0] for r in rows]
    score = [r[1] for r in rows]
    ranks = competition_rank(pd.Series(score).to_numpy(), higher_is_better=higher_is_better)
    ranking = pd.DataFrame({"score": score, "rank": ranks}, index=pd.Index(ids, name="project_id"))
    ranking = ranking.sort_values(["rank"], kind="stable")
    ranking.attrs["higher_is_better"] = higher_is_better
    cands = pd.DataFrame(
        {
            "project_id": ids,
            "name": [f"晋示例{i}(虚构)" for i in ids],
            "city": [r[2] for r in rows],
            "kind": [r[3] for r in rows],
            "enterprise_type": ["工业企业" if r[3] == "enterprise" else None for r in rows],
        }
    )
    return ranking, cands


def test_cut_by_size_and_by_score():
    ranking, cands = make()
    s = shortlist(ranking, cands, size=3)
    assert list(s.index) == ["A", "B", "C"]
    assert list(s["rank"]) == [1, 2, 3] and (s["status"] == "selected").all()
    assert set(s.columns) >= {"rank", "score", "name", "city", "kind", "status", "reason", "flags"}
    s = shortlist(ranking, cands, min_score=75)
    assert list(s.index) == ["A", "B", "C", "D", "E", "F"]
    both = shortlist(ranking, cands, size=2, min_score=89)
    assert list(both.index) == ["A"]


def test_min_score_for_a_lower_is_better_score():
    rows = [(i, 100 - s, c, k) for i, s, c, k in ROWS]  # like VIKOR's Q: lower is better
    ranking, cands = make(rows, higher_is_better=False)
    s = shortlist(ranking, cands, min_score=15)
    assert list(s.index) == ["A", "B", "C"]


def test_cap_skips_and_reports():
    ranking, cands = make()
    s = shortlist(ranking, cands, size=4, caps={"city": {"太原市": 2}})
    assert list(s.index) == ["A", "B", "D", "E"]
    assert "C" in s.attrs["skipped"] and "太原市" in s.attrs["skipped"]["C"]


def test_floor_reserves_lower_ranked_region():
    ranking, cands = make()
    s = shortlist(ranking, cands, size=5, floors={"kind": {"region": 2}})
    # F and H are reserved; the three open seats go to A, B, C
    assert list(s.index) == ["A", "B", "C", "F", "H"]
    assert s.loc["H", "flags"] == "floor:kind=region" and "保底" in s.loc["H", "reason"]
    assert s.loc["A", "flags"] == "rank"


@pytest.mark.parametrize(
    "rule, expected, status",
    [
        ("include", ["A", "B", "C", "D", "E"], {"selected"}),
        ("exclude", ["A", "B", "C"], {"selected"}),
        ("chair", ["A", "B", "C", "D", "E"], {"selected", "chair"}),
    ],
)
def test_ties_at_the_cut_line(rule, expected, status):
    """D and E share rank 4 (80 points); four seats cut through the tie."""
    ranking, cands = make()
    s = shortlist(ranking, cands, size=4, ties=rule)
    assert list(s.index) == expected
    assert set(s["status"]) == status
    if rule == "chair":
        assert list(s.loc[["D", "E"], "status"]) == ["chair", "chair"]
        assert s.attrs["chair_seats"] == 1
    if rule == "include":
        assert "tie" in s.loc["E", "flags"]


def test_no_tie_problem_when_the_cut_falls_between_ranks():
    ranking, cands = make()
    for rule in ("include", "exclude", "chair"):
        assert list(shortlist(ranking, cands, size=5, ties=rule).index) == ["A", "B", "C", "D", "E"]


def test_infeasible_and_unknown_quotas_all_at_once():
    ranking, cands = make()
    with pytest.raises(InputError) as exc:
        shortlist(
            ranking,
            cands,
            size=3,
            caps={"city": {"北京市": 1, "运城市": 1}, "colour": {"red": 1}},
            floors={"city": {"运城市": 2}},
            ties="coin",
        )
    text = str(exc.value)
    assert "北京市" in text and "colour" in text and "coin" in text and "exceeds its cap" in text
    assert len(exc.value.problems) == 4

    with pytest.raises(InputError, match="cannot be met"):
        shortlist(ranking, cands, size=5, floors={"kind": {"region": 4}})
    with pytest.raises(InputError, match="need 3 seats but size is 2"):
        shortlist(ranking, cands, size=2, floors={"kind": {"region": 3}})
    with pytest.raises(InputError, match="caps allow only"):
        shortlist(ranking, cands, size=5, caps={"kind": {"enterprise": 2, "region": 1}})
    with pytest.raises(InputError, match="size"):
        shortlist(ranking, cands, size=0)
    with pytest.raises(InputError, match="not among the candidates"):
        shortlist(ranking, cands[cands["project_id"] != "A"], size=2)


def test_floor_respects_min_score():
    ranking, cands = make()
    with pytest.raises(InputError, match="cannot be met"):
        shortlist(ranking, cands, min_score=70, floors={"kind": {"region": 2}})


def test_default_cut_size_is_the_top_half_rounded_up():
    from scoring.programme.shortlist import default_cut_size

    assert [default_cut_size(n) for n in (1, 2, 5, 6, 50)] == [1, 1, 3, 3, 25]
