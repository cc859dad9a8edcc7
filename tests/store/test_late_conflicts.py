"""Late conflicts (issue 10, item 1): a conflict that arises after a confirmation never withdraws
the confirmed score by itself. The expert's declaration, the organizer's, or an import that
changes an employer raises a recusal request the chair decides (approved: the sheet is recused
and leaves the results; rejected: it stays); the panel does not close over a pending one; the
expert declares conflicts for a panel only before his first save; the defense timer does not
show a recused expert the candidate's id."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from scoring.store import RuleViolation
from scoring.store.models import AuditRecord, Conflict

from .conftest import DEMO, FULL


def _confirm_all(panel, *, but: tuple[tuple[str, str], ...] = ()) -> None:
    """Every member confirms every sheet he may score, except the ``(expert, project)`` pairs."""
    wb = panel.wb
    for who in ("X01", "X02", "X09"):
        me = panel.a[who]
        for pid in wb.my_sheets(me, panel.id)["project_id"]:
            if (who, pid) in but:
                continue
            res = wb.save_scores(me, panel.id, pid, FULL, base_version=0)
            wb.confirm_sheet(me, panel.id, pid, code=panel.codes[who], base_version=res.version)


def _status(panel, expert_id: str, project_id: str) -> str:
    prog = panel.wb.progress(panel.a["ORG"], panel.id).set_index(["expert_id", "project_id"])
    return str(prog.at[(expert_id, project_id), "status"])


def _scored(panel, expert_id: str, project_id: str) -> bool:
    scores = panel.wb.panel_scores(panel.a["ORG"], panel.id)
    return bool(((scores.expert_id == expert_id) & (scores.project_id == project_id)).any())


def _experts_with(**employers: str) -> pd.DataFrame:
    experts = pd.read_csv(
        DEMO / "experts.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    for expert_id, employer in employers.items():
        experts.loc[experts.expert_id == expert_id, "employer"] = employer
    return experts


def _candidate_name(wb, org, project_id: str) -> str:
    cands = wb.candidates(org).set_index("project_id")
    return str(cands.at[project_id, "name"])


def test_a_confirmed_score_leaves_only_by_the_chairs_decision(panel) -> None:
    wb = panel.open().wb
    x01, chair = panel.a["X01"], panel.a["CHAIR"]
    _confirm_all(panel)
    wb.declare_conflict(x01, "X01", "E001", "亲属任职")  # after confirming: the API path
    assert _status(panel, "X01", "E001") == "confirmed"  # not withdrawn by the expert alone
    (late,) = wb.late_conflicts(chair, panel.id).itertuples()
    assert (late.expert_id, late.project_id, late.status) == ("X01", "E001", "pending")
    assert "亲属任职" in late.reason and late.requested_by == "X01"
    # the board's queue holds it as a kind of request
    assert wb.corrections(chair, panel.id)["kind"].tolist() == ["recusal"]
    with pytest.raises(RuleViolation, match="1 request"):
        wb.close_panel(chair, panel.id)
    assert wb.panels(chair)[0]["status"] == "open"  # the refusal changed nothing
    res = wb.decide_correction(chair, int(late.id), approve=True, note="属实")
    assert res.sheet_status == "recused" and _status(panel, "X01", "E001") == "recused"
    wb.close_panel(chair, panel.id)  # nothing pending, every other sheet confirmed
    assert not _scored(panel, "X01", "E001") and _scored(panel, "X02", "E001")
    with wb.engine.connect() as conn:
        audited = conn.execute(
            sa.select(AuditRecord.action, AuditRecord.details).where(
                AuditRecord.action.like("recusal.%")
            )
        ).all()
    assert [a for a, _ in audited] == ["recusal.request", "recusal.approve"]
    assert "属实" in audited[1].details and "亲属任职" in audited[1].details and wb.verify().ok


def test_a_rejected_late_conflict_keeps_the_score_and_is_not_raised_again(panel, org) -> None:
    wb = panel.open().wb
    chair = panel.a["CHAIR"]
    _confirm_all(panel)
    wb.declare_conflict(panel.a["ORG"], "X02", "E002", "曾任顾问")  # the organizer records it
    (late,) = wb.late_conflicts(chair, panel.id).itertuples()
    assert late.requested_by == "ORG"
    assert wb.decide_correction(chair, int(late.id), approve=False, note="不构成") is None
    # another import re-runs the recusal rules: the decided pair is not raised again
    wb.import_experts(org, _experts_with(X03="另一单位"))
    (again,) = wb.late_conflicts(chair, panel.id).itertuples()
    assert (again.status, again.decided_by) == ("rejected", "CHAIR")
    wb.close_panel(chair, panel.id)
    assert _scored(panel, "X02", "E002") and _status(panel, "X02", "E002") == "confirmed"


def test_an_import_that_changes_an_employer_asks_the_chair(panel, org) -> None:
    wb = panel.open().wb
    chair = panel.a["CHAIR"]
    _confirm_all(panel, but=(("X01", "E001"),))
    wb.save_scores(panel.a["X01"], panel.id, "E001", {"strength": 70}, base_version=0)
    e1, e2 = _candidate_name(wb, org, "E001"), _candidate_name(wb, org, "E002")
    wb.import_experts(org, _experts_with(X01=e1, X02=e2))
    assert _status(panel, "X01", "E001") == "recused"  # a draft: no decision withdrawn
    assert _status(panel, "X02", "E002") == "confirmed"  # confirmed: the chair decides
    (late,) = wb.late_conflicts(chair, panel.id).itertuples()
    assert (late.expert_id, late.project_id) == ("X02", "E002")
    assert "same employer" in late.reason and late.requested_by == org.label
    wb.import_experts(org, _experts_with(X01=e1, X02=e2, X03="别处"))  # still pending: once
    assert len(wb.late_conflicts(chair, panel.id)) == 1
    wb.close_panel(chair, panel.id, force=True, reason="主持人缺席")
    assert wb.close_record(chair, panel.id)["pending"] == {"recusal": 1}
    assert _scored(panel, "X02", "E002")


def test_a_conflict_after_the_close_waits_for_a_reopening(panel, org) -> None:
    wb = panel.open().wb
    chair = panel.a["CHAIR"]
    _confirm_all(panel)
    wb.close_panel(chair, panel.id)
    wb.import_experts(org, _experts_with(X02=_candidate_name(wb, org, "E002")))
    (late,) = wb.late_conflicts(chair, panel.id).itertuples()
    with pytest.raises(RuleViolation, match="reopen"):
        wb.decide_correction(chair, int(late.id), approve=True)
    assert wb.late_conflicts(chair, panel.id).at[0, "status"] == "pending"
    assert _scored(panel, "X02", "E002") and _status(panel, "X02", "E002") == "confirmed"
    wb.reopen_panel(chair, panel.id, reason="迟报回避需决定")
    wb.decide_correction(chair, int(late.id), approve=True)
    wb.close_panel(chair, panel.id)
    assert not _scored(panel, "X02", "E002")


def test_the_expert_declares_for_a_panel_only_before_his_first_save(panel) -> None:
    wb = panel.open().wb
    x01 = panel.a["X01"]
    wb.save_scores(x01, panel.id, "E001", {"strength": 80}, base_version=0)
    # what the page's declare button sends, also with the hidden checkbox ticked by hand
    with pytest.raises(RuleViolation, match="already saved"):
        wb.declare_conflicts(x01, panel.id, ["E002"], "亲属任职")
    assert wb.conflict_declaration(x01, panel.id) is None  # nothing stored
    with wb.engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(Conflict)).scalar()
    assert n == 1  # the fixture's X09/E010 only
    assert wb.declare_conflicts(x01, panel.id, [])["projects"] == []  # "none" adds nothing
    # before his first save, another member declares as before
    got = wb.declare_conflicts(panel.a["X02"], panel.id, ["E002"], "曾任顾问")
    assert got["projects"] == ["E002"] and _status(panel, "X02", "E002") == "recused"


def test_a_recused_expert_sees_the_timer_without_the_candidates_id(panel) -> None:
    wb = panel.open().wb
    chair = panel.a["CHAIR"]
    wb.start_timer(chair, panel.id, "E010")  # X09 is recused from E010
    hidden = wb.timer(panel.a["X09"], panel.id)
    assert hidden.project_id == "" and hidden.phase()[0] == "presentation"
    for who in ("X01", "CHAIR", "ORG"):
        assert wb.timer(panel.a[who], panel.id).project_id == "E010"
    wb.start_timer(chair, panel.id, "E001")
    assert wb.timer(panel.a["X09"], panel.id).project_id == "E001"


@pytest.mark.parametrize(
    ("panel_status", "sheet_status", "action"),
    [
        ("open", "empty", "recuse"),
        ("open", "draft", "recuse"),
        ("open", "confirmed", "request"),
        ("open", "recused", None),
        ("closed", "draft", None),
        ("closed", "confirmed", "request"),
        ("closed", "recused", None),
    ],
)
def test_late_conflict_action_table(panel_status, sheet_status, action) -> None:
    from scoring.store import rights

    assert rights.late_conflict_action(panel_status, sheet_status) == action
    rights.may_declare_in_panel([], saved=True)  # "no conflict" always passes
    rights.may_declare_in_panel(["E001"], saved=False)
    with pytest.raises(RuleViolation, match="already saved"):
        rights.may_declare_in_panel(["E001"], saved=True)
