"""Drafts, confirmation, corrections, idempotent and version-checked saves."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from scoring.errors import InputError
from scoring.store import DUPLICATE, SAVED, STALE, AccessDenied, RuleViolation, StoreError
from scoring.store.models import SheetVersion

from .conftest import FULL


def test_save_duplicate_stale(panel) -> None:
    wb, me = panel.wb, panel.open().a["X01"]
    r1 = wb.save_scores(me, panel.id, "E001", {"strength": 80}, base_version=0)
    assert (r1.status, r1.version, r1.sheet_status) == (SAVED, 1, "draft")
    # a double click: the same content on the same version is stored once
    r2 = wb.save_scores(me, panel.id, "E001", {"strength": 80}, base_version=0)
    assert (r2.status, r2.version) == (DUPLICATE, 1)
    # a stale page (loaded version 0) with other content cannot overwrite version 1
    r3 = wb.save_scores(me, panel.id, "E001", {"strength": 10}, base_version=0)
    assert (r3.status, r3.version) == (STALE, 1) and not r3.ok
    # an explicit request id is honoured even with different content (retry of one click)
    r4 = wb.save_scores(
        me, panel.id, "E001", {"strength": 81}, base_version=1, request_id="click-7"
    )
    r5 = wb.save_scores(
        me, panel.id, "E001", {"strength": 81}, base_version=1, request_id="click-7"
    )
    assert (r4.status, r5.status, r5.version) == (SAVED, DUPLICATE, 2)
    sheet = wb.my_sheets(me, panel.id).set_index("project_id").loc["E001"]
    assert sheet["strength"] == 81 and sheet["version"] == 2 and sheet["status"] == "draft"
    with wb.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(SheetVersion)).scalar() == 2


def test_repeated_click_after_the_code_was_reissued_is_refused(panel) -> None:
    # a repeat of a stored request is answered without the writers' lock on SQLite, but still
    # only for an account whose code is current
    wb, me = panel.wb, panel.open().a["X01"]
    assert wb.save_scores(me, panel.id, "E001", FULL, base_version=0).status == SAVED
    assert wb.save_scores(me, panel.id, "E001", FULL, base_version=0).status == DUPLICATE
    wb.reissue_code(panel.a["ORG"], "X01")
    with pytest.raises(AccessDenied):
        wb.save_scores(me, panel.id, "E001", FULL, base_version=0)


def test_confirm_needs_every_criterion_and_locks_sheet(panel) -> None:
    wb, me = panel.wb, panel.open().a["X01"]
    wb.save_scores(me, panel.id, "E001", {"strength": 80}, base_version=0)
    with pytest.raises(InputError) as exc:
        wb.confirm_sheet(me, panel.id, "E001", code=panel.codes["X01"], base_version=1)
    assert {p.column for p in exc.value.problems} == {"market", "risk", "poverty", "demonstration"}
    r = wb.save_scores(me, panel.id, "E001", FULL, base_version=1)
    c = wb.confirm_sheet(me, panel.id, "E001", code=panel.codes["X01"], base_version=r.version)
    assert (c.status, c.version, c.sheet_status) == (SAVED, 3, "confirmed")
    assert (
        wb.confirm_sheet(
            me, panel.id, "E001", code=panel.codes["X01"], base_version=r.version
        ).status
        == DUPLICATE
    )
    with pytest.raises(RuleViolation, match="confirmed"):
        wb.save_scores(me, panel.id, "E001", {**FULL, "strength": 10}, base_version=3)


def test_bad_values_rejected_with_every_problem(panel) -> None:
    wb, me = panel.wb, panel.open().a["X01"]
    with pytest.raises(InputError) as exc:
        wb.save_scores(
            me,
            panel.id,
            "E001",
            {"strength": 101, "market": "abc", "speed": 5, "risk": float("nan"), "poverty": True},
            base_version=0,
        )
    assert {p.column for p in exc.value.problems} == {
        "strength",
        "market",
        "speed",
        "risk",
        "poverty",
    }
    assert wb.my_sheets(me, panel.id).set_index("project_id").loc["E001", "version"] == 0


def test_correction_needs_chair_and_reason_and_keeps_every_version(panel) -> None:
    wb = panel.open().wb
    me, chair = panel.a["X01"], panel.a["CHAIR"]
    wb.save_scores(me, panel.id, "E001", FULL, base_version=0)
    wb.confirm_sheet(me, panel.id, "E001", code=panel.codes["X01"], base_version=1)
    with pytest.raises(StoreError, match="reason"):
        wb.request_correction(me, panel.id, "E001", {**FULL, "strength": 85}, " ", base_version=2)
    cid = wb.request_correction(
        me, panel.id, "E001", {**FULL, "strength": 85}, "录入错误", base_version=2
    )
    # the request alone changes nothing
    assert wb.my_sheets(me, panel.id).set_index("project_id").loc["E001", "strength"] == 80
    # another panel's chair cannot approve
    from scoring.store import AccessDenied

    with pytest.raises(AccessDenied):
        wb.decide_correction(panel.a["CHAIR2"], cid, approve=True)
    r = wb.decide_correction(chair, cid, approve=True, note="同意")
    assert (r.status, r.version, r.sheet_status) == (SAVED, 3, "confirmed")
    with pytest.raises(RuleViolation, match="already"):
        wb.decide_correction(chair, cid, approve=True)
    # a request made against an old version is answered stale, not applied
    cid2 = wb.request_correction(
        me, panel.id, "E001", {**FULL, "strength": 90}, "再改", base_version=3
    )
    cid3 = wb.request_correction(
        me, panel.id, "E001", {**FULL, "strength": 95}, "又改", base_version=3
    )
    assert wb.decide_correction(chair, cid2, approve=True).status == SAVED
    assert wb.decide_correction(chair, cid3, approve=True).status == STALE
    wb.close_panel(chair, panel.id, force=True, reason="测试：提前结束 / test closes early")
    hist = wb.panel_scores(panel.a["ORG"], panel.id, history=True)
    strength = hist[(hist.project_id == "E001") & (hist.criterion == "strength")]
    assert strength["version"].tolist() == [1, 2, 3, 4]
    assert strength["kind"].tolist() == ["draft", "confirm", "correction", "correction"]
    assert strength["score"].tolist() == [80, 80, 85, 90]
    assert strength["approved_by"].tolist()[2:] == ["CHAIR", "CHAIR"]
    assert strength["reason"].tolist()[2:] == ["录入错误", "再改"]


def test_scores_after_close_are_refused(panel) -> None:
    wb = panel.open().wb
    wb.close_panel(
        panel.a["CHAIR"], panel.id, force=True, reason="测试：提前结束 / test closes early"
    )
    with pytest.raises(RuleViolation, match="not open"):
        wb.save_scores(panel.a["X01"], panel.id, "E001", FULL, base_version=0)


def test_results_use_frozen_config_and_confirmed_sheets_only(panel) -> None:
    wb = panel.open().wb
    for who, strength in (("X01", 80), ("X02", 60)):
        me = panel.a[who]
        for p in ("E001", "E002"):
            wb.save_scores(
                me, panel.id, p, {**FULL, "strength": strength + (p == "E002")}, base_version=0
            )
            wb.confirm_sheet(me, panel.id, p, code=panel.codes[who], base_version=1)
    wb.save_scores(
        panel.a["X09"], panel.id, "E001", {**FULL, "strength": 0}, base_version=0
    )  # draft
    wb.close_panel(
        panel.a["CHAIR"], panel.id, force=True, reason="测试：提前结束 / test closes early"
    )
    res = wb.results(panel.a["X01"], panel.id)
    cfg, h = wb.panel_config(panel.a["X01"], panel.id)
    assert res.attrs["config_hash"] == h == cfg.content_hash
    # two confirmed sheets each: the mean (trimmed mean needs 5), the draft left out
    assert res.loc["E001", "strength"] == pytest.approx(70.0)
    assert res.loc["E002", "strength"] == pytest.approx(71.0)
    assert list(res["rank"]) == [1, 2] and list(res.index) == ["E002", "E001"]


def test_the_expert_sees_his_requests_and_the_chairs_reasons(panel) -> None:
    wb = panel.open().wb
    me, other, chair = panel.a["X01"], panel.a["X02"], panel.a["CHAIR"]
    wb.save_scores(me, panel.id, "E001", FULL, base_version=0)
    wb.confirm_sheet(me, panel.id, "E001", code=panel.codes["X01"], base_version=1)
    asked = {**FULL, "strength": 85}
    c1 = wb.request_correction(me, panel.id, "E001", asked, "录入错误", base_version=2)
    c2 = wb.request_correction(me, panel.id, "E001", asked, "再改一次", base_version=2)
    with pytest.raises(StoreError, match="rejection needs a reason"):
        wb.decide_correction(chair, c1, approve=False, note="  ")
    assert wb.decide_correction(chair, c1, approve=False, note="原分有据") is None
    wb.decide_correction(chair, c2, approve=True, note="同意更正")
    mine = wb.my_requests(me, panel.id).set_index("id")
    assert mine.loc[c1, ["status", "note", "project_id"]].tolist() == [
        "rejected",
        "原分有据",
        "E001",
    ]
    assert mine.loc[c2, ["status", "note"]].tolist() == ["approved", "同意更正"]
    assert mine.loc[c2, "scores"] == asked  # his own values, even while the panel is open
    assert wb.my_requests(other, panel.id).empty  # nobody else's requests
    board = wb.corrections(chair, panel.id).set_index("id")
    assert board.loc[c1, "note"] == "原分有据" and board.loc[c1, "decided_by"] == "CHAIR"
    assert board.loc[c1, "scores"] is None  # blind while open
    with pytest.raises(AccessDenied):
        wb.my_requests(chair, panel.id)
