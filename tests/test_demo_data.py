"""The committed demo data: regenerated identically, fictional, complete, and useful for ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring import demo
from scoring.engine.aggregation import aggregate
from scoring.engine.criteria import CRITERIA_KEYS, load_criteria
from scoring.engine.ranking import rank
from scoring.programme import schema

FILES = ("candidates.csv", "experts.csv", "scores.csv", "conflicts.csv")


def test_regeneration_equals_committed_files(tmp_path, demo_dir):
    demo.write_demo(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (demo_dir / name).read_bytes(), name


def test_candidates_shape_and_fiction(demo_dir):
    d = demo.load_demo(demo_dir)
    c = d.candidates
    assert len(c) == 50
    assert (c["kind"] == "enterprise").sum() == 44 and (c["kind"] == "region").sum() == 6
    assert set(c["city"]) == {*schema.CITIES, schema.PROVINCIAL}
    assert set(c.loc[c["kind"] == "enterprise", "enterprise_type"]) == set(schema.ENTERPRISE_TYPES)
    assert c["name"].str.endswith("(虚构)").all()
    assert c["name"].is_unique and c["project_id"].is_unique
    assert c.loc[c["kind"] == "enterprise", "name"].str.startswith("晋示例").all()
    assert (c["note"] == demo.NOTE).all()
    for key in schema.INDICATORS:
        for year in demo.YEARS:
            col = schema.indicator_column(key, year)
            assert c[col].notna().all(), col
    ent = c[c["kind"] == "enterprise"]
    for col in (
        "perfect_order_rate",
        "registered_capital",
        "industry",
        "contact_name",
        "phone",
        "legal_rep",
    ):
        assert ent[col].notna().all(), col
    assert 0 < c["lender_bank"].notna().sum() < 44


def test_panel_conflict_and_complete_scores(demo_dir):
    d = demo.load_demo(demo_dir)
    e, s, conf, c = d.experts, d.scores, d.conflicts, d.candidates
    assert len(e) == 9 and (e["kind"] == "bank").sum() == 2
    assert len(conf) == 1
    ex, pid = conf.iloc[0]["expert_id"], conf.iloc[0]["project_id"]
    bank = e.set_index("expert_id").at[ex, "bank"]
    # the conflict follows the lender rule, and it is the only candidate a panel bank lends to
    assert c.set_index("project_id").at[pid, "lender_bank"] == bank
    assert c["lender_bank"].isin(e["bank"].dropna()).sum() == 1
    assert not ((s["project_id"] == pid) & (s["expert_id"] == ex)).any()
    assert len(s) == 50 * 9 * len(CRITERIA_KEYS) - len(CRITERIA_KEYS)
    assert ((s["score"] >= 0) & (s["score"] <= 100) & (s["score"] == s["score"].round())).all()
    counts = s.groupby(["project_id", "expert_id"]).size()
    assert (counts == len(CRITERIA_KEYS)).all()


def test_methods_and_rules_give_slightly_different_rankings(demo_dir):
    d = demo.load_demo(demo_dir)
    crit = load_criteria()
    rankings = {}
    for how in ("trimmed_mean", "zscore"):
        m = aggregate(d.scores, how=how, criteria=crit)
        for method in ("weighted_sum", "topsis", "vikor"):
            r = rank(m, weights=crit.weights, objectives=crit.objectives, method=method)
            rankings[(how, method)] = r["rank"].sort_index()
    orders = {k: tuple(v.to_numpy()) for k, v in rankings.items()}
    assert len(set(orders.values())) > 1
    base = rankings[("trimmed_mean", "weighted_sum")]
    for r in rankings.values():
        # slightly different: strongly correlated, never identical to everything else
        rho = np.corrcoef(base.to_numpy(), r.to_numpy())[0, 1]
        assert rho > 0.8
    # experts differ in leniency (so zscore matters)
    lenient = d.scores[d.scores["criterion"] != "risk"].groupby("expert_id")["score"].mean()
    assert lenient.max() - lenient.min() > 5


def test_readme_says_synthetic(demo_dir):
    text = (demo_dir / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in text and "虚构" in text
    assert isinstance(pd.read_csv(demo_dir / "scores.csv", encoding="utf-8-sig"), pd.DataFrame)
