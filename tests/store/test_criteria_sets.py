"""A panel scores on its own criteria set: purpose and set chosen at creation, frozen with the
configuration, and taken from there by the sheets, the ranking, the exports and the report.

The end-to-end case is the enterprise evaluation's seven points on a 0–10 scale: scored,
confirmed, closed, ranked exactly as the same scores x10 on the 0–100 set, graded on the 0–10
thresholds, and shown by name in the xlsx export and the PDF report.
"""

from __future__ import annotations

import subprocess

import numpy as np
import openpyxl
import pandas as pd
import pytest

from scoring.cli import main
from scoring.engine.aggregation import aggregate
from scoring.engine.criteria import criteria_set
from scoring.engine.ranking import rank
from scoring.store import PanelConfig, RuleViolation, StoreError

from .conftest import DEMO

EXPERTS = ["X01", "X02", "X03", "X04", "X05"]
PROJECTS = ["E001", "E002", "E003", "E004", "E005", "E006"]


def _seed(wb, org) -> dict[str, str]:
    cands = pd.read_csv(DEMO / "candidates.csv", dtype=str, keep_default_na=False).head(8)
    # the demo experts are from 太原 and 晋中: projects of another city, so that no expert is
    # recused from them in an evaluation panel (same-city rule)
    cands["city"] = "忻州市"
    wb.import_candidates(org, cands)
    wb.import_experts(org, DEMO / "experts.csv")
    codes = {e: wb.create_account(org, e, "expert", expert_id=e) for e in EXPERTS}
    codes["CHAIR"] = wb.create_account(org, "CHAIR", "chair")
    return codes


def _evaluation_panel(wb, org, name: str = "评估一组") -> int:
    return wb.create_panel(
        org,
        name,
        date="2027-01-12",
        chair="CHAIR",
        members=EXPERTS,
        candidates=PROJECTS,
        purpose="evaluation",
        criteria_set="evaluation-enterprise",
    )


def test_a_panel_knows_its_purpose_and_set(wb, org) -> None:
    _seed(wb, org)
    defense = wb.create_panel(org, "答辩一组", members=EXPERTS, candidates=PROJECTS)
    evaluation = _evaluation_panel(wb, org)
    listed = {p["id"]: (p["purpose"], p["criteria_set"]) for p in wb.panels(org)}
    assert listed == {
        defense: ("defense", "defense"),
        evaluation: ("evaluation", "evaluation-enterprise"),
    }
    # freezing without a configuration freezes the panel's own set with its default weights
    wb.freeze_config(org, evaluation)
    cfg, _h = wb.panel_config(org, evaluation)
    assert cfg.keys == criteria_set("evaluation-enterprise").keys
    assert cfg.purpose == "evaluation" and len(cfg.keys) == 7


def test_a_panel_refuses_a_set_that_does_not_fit(wb, org) -> None:
    _seed(wb, org)
    with pytest.raises(StoreError, match="evaluation panel"):
        wb.create_panel(org, "无指标集", members=EXPERTS, purpose="evaluation")
    with pytest.raises(StoreError, match="known: evaluation-enterprise, evaluation-region"):
        wb.create_panel(org, "错用答辩", purpose="evaluation", criteria_set="defense")
    with pytest.raises(StoreError, match="unknown panel purpose"):
        wb.create_panel(org, "乱填", purpose="audit")
    pid = _evaluation_panel(wb, org)
    with pytest.raises(RuleViolation, match="'defense' is not the panel's 'evaluation-enterprise'"):
        wb.freeze_config(org, pid, PanelConfig.from_criteria())
    assert wb.panels(org)[0]["config_hash"] is None  # nothing was frozen
    with pytest.raises(ValueError, match="cut_min_score"):  # a cut on 0–100 for a 0–10 set
        wb.freeze_config(
            org,
            pid,
            PanelConfig.from_criteria(
                criteria_set("evaluation-enterprise").rescaled(0, 10), cut_min_score=60
            ),
        )


def _scores(rng: np.random.Generator, keys: tuple[str, ...]) -> dict[tuple[str, str], dict]:
    """Each expert's sheet per project, on 0–10 with one decimal (project quality + leniency)."""
    quality = dict(zip(PROJECTS, rng.uniform(4, 9, len(PROJECTS)), strict=True))
    lenient = dict(zip(EXPERTS, rng.normal(0, 0.6, len(EXPERTS)), strict=True))
    out = {}
    for e in EXPERTS:
        for p in PROJECTS:
            raw = quality[p] + lenient[e] + rng.normal(0, 0.8, len(keys))
            out[e, p] = {
                k: float(np.clip(np.round(v, 1), 0, 10)) for k, v in zip(keys, raw, strict=True)
            }
        # fmt: skip
    return out


def test_a_seven_point_set_on_a_0_to_10_scale_end_to_end(wb, org, tmp_path) -> None:
    codes = _seed(wb, org)
    pid = _evaluation_panel(wb, org)
    ten = criteria_set("evaluation-enterprise").rescaled(0, 10)
    keys = ten.keys
    h = wb.freeze_config(org, pid, PanelConfig.from_criteria(ten, cut_size=3))
    chair = wb.login(codes["CHAIR"])
    wb.open_panel(chair, pid)
    actors = {e: wb.login(codes[e]) for e in EXPERTS}

    # the sheets take the set's criteria and its scale, nothing else
    me = actors["X01"]
    with pytest.raises(ValueError, match="outside the scale 0–10"):
        wb.save_scores(me, pid, "E001", {"organisation": 11}, base_version=0)
    with pytest.raises(ValueError, match="unknown criterion 'strength'"):
        wb.save_scores(me, pid, "E001", {"strength": 8}, base_version=0)
    sheet = wb.my_sheets(me, pid)
    assert set(keys) <= set(sheet.columns) and "strength" not in sheet.columns

    scores = _scores(np.random.default_rng(7), keys)
    for (e, p), values in scores.items():
        r = wb.save_scores(actors[e], pid, p, values, base_version=0)
        wb.confirm_sheet(actors[e], pid, p, code=codes[e], base_version=r.version)
    wb.close_panel(chair, pid)

    results = wb.results(org, pid)
    assert results.attrs["config_hash"] == h
    assert list(results.columns[results.columns.isin(keys)]) == list(keys)
    # the same scores x10 on the 0–100 set rank the same, with ten times the score
    long = pd.DataFrame(
        [
            {"project_id": p, "expert_id": e, "criterion": k, "score": v * 10}
            for (e, p), values in scores.items()
            for k, v in values.items()
        ]
    )
    hundred = criteria_set("evaluation-enterprise")
    expected = rank(aggregate(long, criteria=hundred), criteria=hundred)
    pd.testing.assert_series_equal(
        results["rank"], expected["rank"].reindex(results.index), check_names=False
    )
    np.testing.assert_allclose(results["score"] * 10, expected["score"].reindex(results.index))
    # grades on the set's own thresholds (9 / 7.5 / 6 on 0–10)
    assert list(results["grade"]) == [ten.grade_of(s).zh for s in results["score"]]
    assert {g.zh for g in ten.grades} >= set(results["grade"])

    # the xlsx export names the seven points in Chinese
    xlsx = tmp_path / "ranking.xlsx"
    assert main(["--db", wb.url, "export", "ranking", "--panel", str(pid), "--out", str(xlsx)]) == 0
    ws = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))]
    names = [ten[k].zh for k in keys]
    assert [h for h in header if h in names] == names
    assert "等级" in header and "综合实力" not in header
    assert "企业项目年度绩效评估" in str(ws["A1"].value)

    # the PDF report shows the evaluation's title, its points and every project
    pdf = tmp_path / "report.pdf"
    assert main(["--db", wb.url, "export", "report", "--panel", str(pid), "--out", str(pdf)]) == 0
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "企业项目年度绩效评估评审报告" in text.replace(" ", "")
    for name in names:
        assert name in text.replace(" ", ""), name
    assert "综合实力" not in text
    for p in PROJECTS:
        assert p in text
