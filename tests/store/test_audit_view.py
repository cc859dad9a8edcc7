"""The audit view obeys blind scoring and recusal like every other read (issue 10, item 6): the
organizer's ``audit_log`` shows no score value or comment of a panel that is not closed, and
nothing of a recused pair's sheet, through one rights function."""

from __future__ import annotations

import json

import pandas as pd

from scoring.store import rights

from .conftest import FULL

SHEET_ACTIONS = ("sheet.draft", "sheet.confirm", "correction.request", "correction.approve")
SECRET = "只给主持人看的评语 / a comment for the panel only"


def _sheet_records(log: pd.DataFrame) -> list[dict]:
    rows = log[log["action"].isin(SHEET_ACTIONS)]
    return [{**r, "details": json.loads(r["details"])} for r in rows.to_dict("records")]


def _score_and_correct(panel) -> None:
    wb, me = panel.wb, panel.a["X01"]
    wb.save_scores(me, panel.id, "E001", FULL, base_version=0, comment=SECRET)
    wb.confirm_sheet(me, panel.id, "E001", code=panel.codes["X01"], base_version=1)
    cid = wb.request_correction(
        me, panel.id, "E001", {**FULL, "market": 77}, "笔误 / typo", base_version=2
    )
    wb.decide_correction(panel.a["CHAIR"], cid, approve=True)


def test_the_organizer_sees_no_value_of_an_open_panel(panel) -> None:
    wb = panel.open().wb
    _score_and_correct(panel)
    log = wb.audit_log(panel.a["ORG"])
    records = _sheet_records(log)
    assert {r["action"] for r in records} == set(SHEET_ACTIONS)
    for r in records:
        d = r["details"]
        assert d.get("scores") is None and d.get("comment") is None, r
        assert "blind scoring" in d["hidden"] and pd.isna(r["hash"])
    assert SECRET not in log["details"].str.cat() and '"market":77' not in log["details"].str.cat()
    assert log[~log["action"].isin(SHEET_ACTIONS)]["hash"].notna().all()

    wb.close_panel(panel.a["CHAIR"], panel.id, force=True, reason="测试 / test")
    after = _sheet_records(wb.audit_log(panel.a["ORG"]))
    draft = next(r for r in after if r["action"] == "sheet.draft")
    assert draft["details"]["scores"]["strength"] == FULL["strength"]
    assert draft["details"]["comment"] == SECRET and not pd.isna(draft["hash"])
    approve = next(r for r in after if r["action"] == "correction.approve")
    assert approve["details"]["scores"]["market"] == 77


def test_a_recused_pairs_records_show_no_details_even_after_the_close(panel) -> None:
    wb = panel.open().wb
    x02 = panel.a["X02"]
    wb.save_scores(x02, panel.id, "E002", FULL, base_version=0, comment=SECRET)
    wb.declare_conflict(panel.a["ORG"], "X02", "E002", "同一单位 / same employer")
    wb.save_scores(panel.a["X01"], panel.id, "E002", FULL, base_version=0)
    wb.close_panel(panel.a["CHAIR"], panel.id, force=True, reason="测试 / test")
    records = _sheet_records(wb.audit_log(panel.a["ORG"]))
    (recused,) = [r for r in records if r["target"].endswith("/E002/X02")]
    assert recused["details"] == {"hidden": recused["details"]["hidden"]}
    assert "recused" in recused["details"]["hidden"] and pd.isna(recused["hash"])
    (other,) = [r for r in records if r["target"].endswith("/E002/X01")]
    assert other["details"]["scores"]["strength"] == FULL["strength"]


def test_the_audit_view_is_one_rights_decision(panel) -> None:
    """Blind panels, recused sheets and the reader's own recusals, decided in ``rights``."""
    wb = panel.open().wb
    with wb.engine.connect() as conn:
        org_view = rights.audit_hidden(conn, panel.a["ORG"], {(panel.id, "E002", "X02")})
        bank_view = rights.audit_hidden(conn, panel.a["X09"], set())
    assert org_view.blind_panels == {panel.id} and org_view.candidates == frozenset()
    assert (panel.id, "E002", "X02") in org_view.sheets
    assert bank_view.candidates == {(panel.id, "E010")}  # X09 is recused from E010
