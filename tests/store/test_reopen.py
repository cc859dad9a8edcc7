"""After the close, results change only by a recorded reopening (issue 10): a request decided on a
closed panel is refused; the chair or an organizer reopens it with a reason (audited, status
open, results hidden again); closing again recomputes; ``close_record`` and the report show
every reopening. The panel does not close over a pending request, unless forced."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from scoring.store import SAVED, AccessDenied, RuleViolation, Workbench, migrate

from .conftest import FULL, Panel


def _all_confirmed(panel) -> None:
    wb = panel.wb
    for who in ("X01", "X02", "X09"):
        me = panel.a[who]
        for pid in wb.my_sheets(me, panel.id)["project_id"]:
            v = wb.save_scores(me, panel.id, pid, FULL, base_version=0).version
            wb.confirm_sheet(me, panel.id, pid, code=panel.codes[who], base_version=v)


def _strength(panel, project_id: str) -> float:
    return float(panel.wb.results(panel.a["ORG"], panel.id).at[project_id, "strength"])


def _ask(panel, strength: int) -> int:
    """X01 asks to change his confirmed E001 (version 2) to ``strength``."""
    return panel.wb.request_correction(
        panel.a["X01"], panel.id, "E001", {**FULL, "strength": strength}, "录入错误", base_version=2
    )


def test_a_correction_after_the_close_needs_a_recorded_reopening(panel) -> None:
    wb = panel.open().wb
    chair = panel.a["CHAIR"]
    _all_confirmed(panel)
    wb.close_panel(chair, panel.id)
    before = _strength(panel, "E001")
    cid = _ask(panel, 20)  # a request is only a record: allowed after the close
    for approve in (True, False):
        with pytest.raises(RuleViolation, match="reopen"):
            wb.decide_correction(chair, cid, approve=approve, note="理由")
    assert _strength(panel, "E001") == before
    assert wb.corrections(chair, panel.id)["status"].tolist() == ["pending"]
    for who in ("X01", "CHAIR2"):
        with pytest.raises(AccessDenied):
            wb.reopen_panel(panel.a[who], panel.id, reason="x")
    with pytest.raises(RuleViolation, match="reason"):
        wb.reopen_panel(chair, panel.id, reason="  ")
    assert wb.close_record(chair, panel.id)["reopenings"] == []  # refusals changed nothing
    wb.reopen_panel(chair, panel.id, reason="专家申请更正录入错误")
    assert wb.close_record(chair, panel.id) is None  # open again
    with pytest.raises(AccessDenied, match="closes the panel"):  # blind again while reopened
        wb.results(panel.a["ORG"], panel.id)
    assert wb.decide_correction(chair, cid, approve=True).status == SAVED
    wb.close_panel(chair, panel.id)
    assert _strength(panel, "E001") < before  # closing again recomputes
    rec = wb.close_record(panel.a["X01"], panel.id)
    (reopened,) = rec["reopenings"]
    assert (reopened["by"], reopened["reason"]) == ("CHAIR", "专家申请更正录入错误")
    assert reopened["closed"] and reopened["at"] < rec["at"]
    log = wb.audit_log(panel.a["ORG"])
    assert list(log["action"][log["action"].str.startswith("panel.")])[::-1][-3:] == [
        "panel.close",
        "panel.reopen",
        "panel.close",
    ]
    assert wb.verify().ok


def test_only_a_closed_panel_reopens_and_an_organizer_may(panel) -> None:
    wb = panel.open().wb
    with pytest.raises(RuleViolation, match="not closed"):
        wb.reopen_panel(panel.a["CHAIR"], panel.id, reason="x")
    _all_confirmed(panel)
    wb.close_panel(panel.a["CHAIR"], panel.id)
    wb.reopen_panel(panel.a["ORG"], panel.id, reason="组织方复核")
    wb.close_panel(panel.a["CHAIR"], panel.id)
    wb.reopen_panel(panel.a["CHAIR"], panel.id, reason="再次复核")
    wb.close_panel(panel.a["CHAIR"], panel.id)
    rec = wb.close_record(panel.a["CHAIR"], panel.id)
    assert [(r["by"], r["reason"]) for r in rec["reopenings"]] == [
        ("ORG", "组织方复核"),
        ("CHAIR", "再次复核"),
    ]


def test_the_panel_does_not_close_over_a_pending_correction(panel) -> None:
    wb = panel.open().wb
    chair = panel.a["CHAIR"]
    _all_confirmed(panel)
    _ask(panel, 90)
    with pytest.raises(RuleViolation, match="1 request"):
        wb.close_panel(chair, panel.id)
    assert wb.close_record(chair, panel.id) is None
    wb.close_panel(chair, panel.id, force=True, reason="更正留待复核")
    rec = wb.close_record(chair, panel.id)
    assert rec["forced"] and rec["pending"] == {"scores": 1} and rec["reason"] == "更正留待复核"


def test_the_report_notes_every_reopening(panel) -> None:
    from scoring.reports.assemble import report_data_from_store

    wb = panel.open().wb
    _all_confirmed(panel)
    wb.close_panel(panel.a["CHAIR"], panel.id)
    wb.reopen_panel(panel.a["CHAIR"], panel.id, reason="复核迟报回避")
    wb.close_panel(panel.a["CHAIR"], panel.id)
    data = report_data_from_store(wb, panel.id, samples=200)
    (note,) = [n for n in data.notes if "Reopened" in n]
    assert "复核迟报回避" in note and "CHAIR" in note


def test_upgrade_from_schema_6_makes_every_request_a_score_correction(db_url) -> None:
    """Schema 7 gives requests a kind: a database of schema 6 with a pending correction opens
    with it as a score correction the chair still decides."""
    wb = Workbench(db_url)
    wb.init(2026)
    panel = Panel(wb, wb.system_actor("test")).open()
    _all_confirmed(panel)
    cid = _ask(panel, 90)
    as_schema_6 = (
        "ALTER TABLE corrections DROP COLUMN kind",
        "UPDATE meta SET value = '6' WHERE key = 'schema_version'",
    )
    with wb.engine.begin() as conn:
        for statement in as_schema_6:
            conn.execute(sa.text(statement))
        assert migrate.current_version(conn) == 6
    wb.close()
    again = Workbench(db_url)  # upgrades on open
    chair = again.login(panel.codes["CHAIR"])
    with again.engine.connect() as conn:
        assert migrate.current_version(conn) == migrate.SCHEMA_VERSION
    assert again.corrections(chair, panel.id)["kind"].tolist() == ["scores"]
    assert again.late_conflicts(chair, panel.id).empty
    assert again.decide_correction(chair, cid, approve=True).status == SAVED
    assert again.verify().ok
    again.close()
