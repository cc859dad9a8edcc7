"""The expert's conflict declaration per panel: recorded, audited, asked only once, visible to
the chair and the organizer."""

from __future__ import annotations

import pytest

from scoring.store import AccessDenied, NotFound, RuleViolation, StoreError


def test_no_conflict_declaration_is_recorded_once(panel) -> None:
    wb = panel.open().wb
    me = panel.a["X01"]
    assert wb.conflict_declaration(me, panel.id) is None
    got = wb.declare_conflicts(me, panel.id, [])
    assert got["projects"] == [] and got["declared_by"] == "X01" and got["declared_at"]
    assert wb.conflict_declaration(me, panel.id) == got
    # a fresh login (another page) sees the declaration
    again = wb.login(panel.codes["X01"])
    assert wb.conflict_declaration(again, panel.id) == got
    # nothing new: no second audit record
    n = len(wb.audit_log(panel.a["ORG"]))
    wb.declare_conflicts(me, panel.id, [])
    assert len(wb.audit_log(panel.a["ORG"])) == n
    log = wb.audit_log(panel.a["ORG"])
    assert (log["action"] == "conflict.declaration").sum() == 1


def test_declared_projects_become_recusals_and_the_board_sees_who_declared(panel) -> None:
    wb = panel.open().wb
    x2 = panel.a["X02"]
    board = wb.declarations(panel.a["CHAIR"], panel.id)
    assert list(board["expert_id"]) == ["X01", "X02", "X09"] and not board["declared"].any()
    got = wb.declare_conflicts(x2, panel.id, ["E002"], "曾任顾问")
    assert got["projects"] == ["E002"]
    assert "E002" not in set(wb.my_sheets(x2, panel.id)["project_id"])
    prog = wb.progress(panel.a["CHAIR"], panel.id).set_index(["expert_id", "project_id"])
    assert prog.at[("X02", "E002"), "status"] == "recused"
    # declaring again adds; it never withdraws
    got = wb.declare_conflicts(x2, panel.id, ["E001"], "亲属任职")
    assert got["projects"] == ["E002", "E001"]
    wb.declare_conflicts(panel.a["X01"], panel.id, [])
    for who in ("CHAIR", "ORG"):
        board = wb.declarations(panel.a[who], panel.id).set_index("expert_id")
        assert board.at["X01", "declared"] and board.at["X01", "projects"] == []
        assert board.at["X02", "projects"] == ["E002", "E001"]
        assert not board.at["X09", "declared"] and not board.at["X09", "declared_at"]
    log = wb.audit_log(panel.a["ORG"])
    assert (log["action"] == "conflict.declaration").sum() == 3


def test_declaration_refusals(panel) -> None:
    wb = panel.wb
    me = panel.a["X01"]
    with pytest.raises(StoreError, match="reason"):
        wb.declare_conflicts(me, panel.id, ["E001"], "  ")
    with pytest.raises(NotFound, match="E999"):
        wb.declare_conflicts(me, panel.id, ["E999"], "x")
    with pytest.raises(NotFound):  # a candidate of the round but not of this panel
        wb.declare_conflicts(me, panel.id, ["E003"], "x")
    with pytest.raises(AccessDenied):  # not a member
        wb.declare_conflicts(panel.a["X03"], panel.id, [])
    with pytest.raises(AccessDenied):
        wb.conflict_declaration(panel.a["X03"], panel.id)
    for who in ("CHAIR", "ORG"):  # a declaration is the expert's own
        with pytest.raises(AccessDenied):
            wb.declare_conflicts(panel.a[who], panel.id, [])
    for who in ("X01", "X09", "CHAIR2"):  # the board's view is for the chair and organizer
        with pytest.raises(AccessDenied):
            wb.declarations(panel.a[who], panel.id)
    assert wb.conflict_declaration(me, panel.id) is None  # nothing half-written
    panel.open()
    wb.close_panel(
        panel.a["CHAIR"], panel.id, force=True, reason="测试：提前结束 / test closes early"
    )
    with pytest.raises(RuleViolation, match="closed"):
        wb.declare_conflicts(me, panel.id, [])
