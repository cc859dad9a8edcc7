"""The ledger workflow and every refusal of the follow-up store (on SQLite and PostgreSQL):
draft → submitted → confirmed / returned → resubmitted; locks, exceptions, grace; rights of
units, city bureaus, the organizer and the read-only roles; versions and the audit chain."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from scoring.store import AccessDenied, NotFound, RuleViolation
from scoring.store.followup import rights
from scoring.store.followup.base import LedgerInvalid, content_hash
from scoring.store.followup.models import Ledger, LedgerVersion

from .conftest import YEAR, audit, denied

Q1 = f"{YEAR}Q1"


def _ledger_rows(wb):
    with wb.engine.connect() as conn:
        return conn.execute(sa.select(Ledger.project_id, Ledger.status, Ledger.version)).all()


def test_scopes_what_each_role_sees(fu) -> None:
    wb, a = fu.wb, fu.a
    seen = {k: sorted(wb.followed.projects(v)["project_id"]) for k, v in a.items()}
    assert seen["U1"] == ["E001"]
    assert seen["U2"] == ["E002", "E043"]
    assert seen["TY"] == ["E001", "E002"]
    assert seen["DT"] == ["E010", "R001"]
    assert seen["ORG"] == seen["CHAIR"] == ["E001", "E002", "E010", "E043", "R001"]
    assert wb.followed.project(fu.org, "E043")["provincial"] is True
    assert wb.followed.project(fu.org, "E043")["confirmer"] == "organizer"
    assert wb.followed.project(fu.org, "E001")["confirmer"] == "city"
    with pytest.raises(AccessDenied):
        wb.followed.project(a["U1"], "E002")
    assert denied(wb, "followed.project")[0][0] == "U1"
    plan = wb.followed.project(fu.org, "E001")["plan"]
    assert plan["revenue"]["baseline"] == pytest.approx(1.64)  # revenue_2025 of E001


def test_full_cycle_versions_hashes_and_chain(fu) -> None:
    wb, a = fu.wb, fu.a
    state = wb.ledgers.ledger(a["U1"], "E001", Q1)
    assert (state["status"], state["version"], state["editable"]) == ("missing", 0, True)
    assert state["content"]["blocks"][0]["name"]  # a new ledger starts from the project
    v = wb.ledgers.save_draft(a["U1"], "E001", Q1, fu.content("E001"), base_version=0)
    assert v == 1
    # a city bureau sees a draft's state only, not its content
    seen = wb.ledgers.ledger(a["TY"], "E001", Q1)
    assert (seen["status"], seen["content"]) == ("draft", {})
    with pytest.raises(RuleViolation, match="reload"):
        wb.ledgers.save_draft(a["U1"], "E001", Q1, fu.content("E001"), base_version=0)
    warnings = wb.ledgers.submit(a["U1"], "E001", Q1)
    assert isinstance(warnings, list) and all(w.level == "warning" for w in warnings)
    assert wb.ledgers.ledger(a["TY"], "E001", Q1)["content"]["blocks"]
    assert wb.ledgers.ledger(a["TY"], "E001", Q1)["may_confirm"] is True
    wb.ledgers.confirm(a["TY"], "E001", Q1)
    state = wb.ledgers.ledger(a["U1"], "E001", Q1)
    assert (state["status"], state["version"], state["editable"]) == ("confirmed", 3, False)
    assert wb.ledgers.versions(fu.org, "E001", Q1)["content"].iloc[0] is None  # a draft
    versions = wb.ledgers.versions(a["U1"], "E001", Q1)
    assert list(versions["action"]) == ["save", "submit", "confirm"]
    assert all(
        h == content_hash(c)
        for h, c in zip(versions["content_hash"], versions["content"], strict=True)
    )
    trail = [d for _a, t, d in audit(wb, "ledger.confirm") if t == f"ledger:E001/{Q1}"]
    assert trail[0]["hash"] == state["content_hash"]
    assert wb.verify().ok
    # banks/experts/chairs read confirmed ledgers only
    assert wb.ledgers.ledger(a["CHAIR"], "E001", Q1)["content"]["blocks"]
    m = wb.ledgers.matrix(fu.org, year=YEAR)
    assert set(m.columns) >= {"project_id", "period", "state"}
    assert m.set_index(["project_id", "period"]).at[("E001", Q1), "state"] == "confirmed"


def test_unit_cannot_write_another_project(fu) -> None:
    wb, a = fu.wb, fu.a
    with pytest.raises(AccessDenied):
        wb.ledgers.save_draft(a["U1"], "E002", Q1, fu.content("E002"), base_version=0)
    assert _ledger_rows(wb) == []
    (rec,) = denied(wb, "ledgers.save_draft")
    assert rec[0] == "U1" and rec[1] == f"ledger:E002/{Q1}" and rec[2]["error"] == "AccessDenied"
    fu.submit("E002")
    with pytest.raises(AccessDenied):
        wb.ledgers.submit(a["U1"], "E002", Q1)
    assert len(denied(wb, "ledgers.submit")) == 1


def test_city_confirms_only_its_city_and_never_provincial(fu) -> None:
    wb, a = fu.wb, fu.a
    fu.submit("E001")
    fu.submit("E043")
    with pytest.raises(AccessDenied):
        wb.ledgers.confirm(a["DT"], "E001", Q1)  # not his city (hidden altogether)
    with pytest.raises(AccessDenied):
        wb.ledgers.confirm(a["TY"], "E043", Q1)  # 省属企业: the province confirms
    with pytest.raises(AccessDenied, match="role city"):
        wb.ledgers.confirm(a["ORG"], "E001", Q1)  # a city project: its bureau confirms
    assert len(denied(wb, "ledgers.confirm")) == 3
    assert {r.status for r in _ledger_rows(wb)} == {"submitted"}
    wb.ledgers.confirm(a["ORG"], "E043", Q1)
    assert wb.ledgers.ledger(a["U2"], "E043", Q1)["status"] == "confirmed"


def test_nobody_confirms_their_own_submission() -> None:
    """Roles keep units (who submit) apart from confirmers; the rule is also the account id."""
    from types import SimpleNamespace

    from scoring.store.accounts import Actor

    me = Actor(5, "X", "city", "x", None, 1)
    with pytest.raises(AccessDenied, match="own submission"):
        rights.require_not_own(me, SimpleNamespace(submitted_by=5))
    rights.require_not_own(me, SimpleNamespace(submitted_by=6))


def test_confirmed_is_locked_reopen_by_confirmer_only(fu) -> None:
    wb, a = fu.wb, fu.a
    fu.submit("E001")
    wb.ledgers.confirm(a["TY"], "E001", Q1)
    with pytest.raises(RuleViolation, match="locked"):
        wb.ledgers.save_draft(a["U1"], "E001", Q1, fu.content("E001"), base_version=3)
    assert denied(wb, "ledgers.save_draft")[0][2]["error"] == "RuleViolation"
    with pytest.raises(RuleViolation, match="reason"):
        wb.ledgers.reopen(a["TY"], "E001", Q1, " ")
    with pytest.raises(AccessDenied, match="only the confirmer"):
        wb.ledgers.reopen(a["TY2"], "E001", Q1, "数据有误")
    assert len(denied(wb, "ledgers.reopen")) == 2
    first = wb.ledgers.ledger(fu.org, "E001", Q1)["first_submitted_at"]
    wb.ledgers.reopen(a["TY"], "E001", Q1, "营业收入与统计快报不一致，请更正")
    state = wb.ledgers.ledger(a["U1"], "E001", Q1)
    assert state["status"] == "returned" and state["editable"]
    assert state["changes_after_confirm"] == 1 and "统计快报" in state["reason"]
    fu.submit("E001")
    wb.ledgers.confirm(a["TY2"], "E001", Q1)  # another officer of the bureau may confirm
    assert wb.ledgers.ledger(fu.org, "E001", Q1)["first_submitted_at"] == first
    actions = list(wb.ledgers.versions(fu.org, "E001", Q1)["action"])
    assert actions == ["save", "submit", "confirm", "reopen", "save", "submit", "confirm"]
    assert wb.verify().ok


def test_return_needs_reason_and_makes_editable(fu) -> None:
    wb, a = fu.wb, fu.a
    fu.submit("E002")
    with pytest.raises(RuleViolation, match="needs a reason"):
        wb.ledgers.return_ledger(a["TY"], "E002", Q1, "")
    assert denied(wb, "ledgers.return_ledger")
    wb.ledgers.return_ledger(a["TY"], "E002", Q1, "贷款类金额请与放款凭证核对")
    state = wb.ledgers.ledger(a["U2"], "E002", Q1)
    assert (state["status"], state["editable"]) == ("returned", True)
    with pytest.raises(RuleViolation):
        wb.ledgers.confirm(a["TY"], "E002", Q1)  # returned, not submitted
    fu.submit("E002")
    assert wb.ledgers.ledger(a["TY"], "E002", Q1)["status"] == "submitted"


def test_after_the_lock_exception_and_grace(fu, monkeypatch) -> None:
    wb, a = fu.wb, fu.a
    fu.submit("E002")  # on 2026-04-10
    monkeypatch.setenv("SCORING_TODAY", "2026-05-05")  # Q1 locked on 04-30
    with pytest.raises(RuleViolation, match="locked on 2026-04-30"):
        wb.ledgers.save_draft(a["U1"], "E001", Q1, fu.content("E001"), base_version=0)
    assert denied(wb, "ledgers.save_draft")[0][2]["error"] == "RuleViolation"
    assert not wb.ledgers.ledger(a["U1"], "E001", Q1)["editable"]
    with pytest.raises(AccessDenied):
        wb.periods.grant_exception(a["TY"], "E001", Q1, "2026-05-10", "补报")
    with pytest.raises(RuleViolation, match="reason"):
        wb.periods.grant_exception(fu.org, "E001", Q1, "2026-05-10", "")
    wb.periods.grant_exception(fu.org, "E001", Q1, "2026-05-10", "企业系统故障，同意补报")
    fu.submit("E001")
    t = wb.followup_stats.timeliness(fu.org, year=YEAR).set_index(["project_id", "period"])
    assert t.at[("E001", Q1), "status"] == "late" and t.at[("E001", Q1), "days_late"] == 20
    assert t.at[("E002", Q1), "status"] == "on_time"
    # a ledger returned after the lock stays editable return_grace_days (10) after the return
    wb.ledgers.return_ledger(a["TY"], "E002", Q1, "请补充联系人电话")
    monkeypatch.setenv("SCORING_TODAY", "2026-05-15")
    fu.submit("E002")
    wb.ledgers.return_ledger(a["TY"], "E002", Q1, "请再核对")
    monkeypatch.setenv("SCORING_TODAY", "2026-05-26")
    with pytest.raises(RuleViolation, match="locked"):
        wb.ledgers.submit(a["U2"], "E002", Q1)
    t = wb.followup_stats.timeliness(fu.org, year=YEAR).set_index(["project_id", "period"])
    assert t.at[("E002", Q1), "status"] == "on_time"  # its first submission counts


def test_read_only_roles_write_nothing(fu) -> None:
    wb, a, org = fu.wb, fu.a, fu.org
    fu.submit("E001")
    ro = a["CHAIR"]
    calls = [
        lambda: wb.ledgers.save_draft(ro, "E001", Q1, fu.content("E001"), base_version=2),
        lambda: wb.ledgers.submit(ro, "E001", Q1),
        lambda: wb.ledgers.confirm(ro, "E001", Q1),
        lambda: wb.ledgers.return_ledger(ro, "E001", Q1, "x"),
        lambda: wb.periods.create_year(ro, 2027),
        lambda: wb.periods.set_dates(ro, Q1, due="2026-04-20", lock="2026-04-30"),
        lambda: wb.followed.set_plan(ro, "E001", {}),
        lambda: wb.exits.decide(ro, "E001", exit=True, reason="x", grounds=[]),
        lambda: wb.exits.record_risk(ro, "E001", "violation", "x"),
        lambda: wb.followup_access.create_account(ro, "ZZ", "city", city="太原市"),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()
    recs = [r for r in audit(wb, "followup.denied") if r[0] == "CHAIR"]
    assert len(recs) == len(calls)
    # a submitted ledger is hidden from the read-only roles; the organizer reads it
    assert wb.ledgers.ledger(ro, "E001", Q1)["content"] == {}
    assert wb.ledgers.ledger(ro, "E001", Q1)["status"] == "missing"
    assert wb.ledgers.ledger(org, "E001", Q1)["content"]["blocks"]
    # the organizer does not write ledgers either
    with pytest.raises(AccessDenied):
        wb.ledgers.save_draft(org, "E001", Q1, fu.content("E001"), base_version=2)
    assert wb.verify().ok


def test_submit_refuses_errors_naming_each_field(fu) -> None:
    wb, a = fu.wb, fu.a
    bad = fu.content("E001")
    bad["contact"] = ""
    bad["blocks"][0]["rows"][0]["loan"] = -5
    wb.ledgers.save_draft(a["U1"], "E001", Q1, bad, base_version=0)
    with pytest.raises(LedgerInvalid) as exc:
        wb.ledgers.submit(a["U1"], "E001", Q1)
    fields = {f.field for f in exc.value.findings}
    assert "contact" in fields and any(f.startswith("blocks.0.rows.0") for f in fields)
    assert all(f.level == "error" for f in exc.value.findings)
    (rec,) = denied(wb, "ledgers.submit")
    assert rec[2]["error"] == "LedgerInvalid" and "contact" in rec[2]["fields"]
    assert wb.ledgers.ledger(a["U1"], "E001", Q1)["status"] == "draft"
    # a region's indicators without an application baseline need one at the first report
    c = fu.content("R001")
    for e in c["indicators"].values():
        e.pop("baseline", None)
    wb.ledgers.save_draft(a["U3"], "R001", Q1, c, base_version=0)
    with pytest.raises(LedgerInvalid) as exc:
        wb.ledgers.submit(a["U3"], "R001", Q1)
    assert any(f.field.endswith(".baseline") for f in exc.value.findings)


def test_periods_dates_and_unknowns(fu) -> None:
    wb, org = fu.wb, fu.org
    p = wb.periods.periods(fu.a["U1"], YEAR)
    assert list(p["key"]) == [f"{YEAR}Q{q}" for q in (1, 2, 3, 4)] + [f"{YEAR}Y"]
    assert str(p.iloc[0]["due"]) == "2026-04-15" and str(p.iloc[0]["lock"]) == "2026-04-30"
    assert str(p.iloc[4]["due"]) == "2027-01-15" and str(p.iloc[4]["lock"]) == "2027-01-25"
    wb.periods.set_dates(org, Q1, due="2026-04-20", lock="2026-05-05")
    assert str(wb.periods.periods(org, YEAR).iloc[0]["lock"]) == "2026-05-05"
    with pytest.raises(RuleViolation):
        wb.periods.set_dates(org, Q1, due="2026-05-20", lock="2026-05-05")
    with pytest.raises(NotFound):
        wb.ledgers.ledger(fu.a["U1"], "E001", "2031Q1")
    assert wb.periods.create_year(org, YEAR) == []  # idempotent


def test_exit_stops_expectations_and_writes(fu, monkeypatch) -> None:
    wb, a, org = fu.wb, fu.a, fu.org
    fu.submit("E001")
    wb.ledgers.confirm(a["TY"], "E001", Q1)
    monkeypatch.setenv("SCORING_TODAY", "2026-08-05")  # Q1 of E002 missing, Q2 overdue
    c = wb.exits.candidates(org)
    assert ("E002", "missing_ledger") in set(zip(c["project_id"], c["ground"], strict=True))
    wb.exits.record_risk(
        org, "E010", "major_risk", "核心企业涉及重大安全生产事故", "应急管理局通报"
    )
    c = wb.exits.candidates(org)
    assert ("E010", "major_risk") in set(zip(c["project_id"], c["ground"], strict=True))
    with pytest.raises(RuleViolation, match="reason"):
        wb.exits.decide(org, "E002", exit=True, reason="", grounds=["missing_ledger"])
    wb.exits.decide(org, "E002", exit=True, reason="连续未报台账", grounds=["missing_ledger"])
    assert wb.followed.project(org, "E002")["status"] == "exited"
    t = wb.followup_stats.timeliness(org, year=YEAR)
    mine = t[t["project_id"] == "E002"]
    assert list(mine["period"]) == [Q1, f"{YEAR}Q2"]  # periods ending after the exit: not due
    with pytest.raises(RuleViolation, match="exited"):
        wb.ledgers.save_draft(a["U2"], "E002", f"{YEAR}Q3", fu.content("E002"), base_version=0)
    assert "E002" not in set(wb.exits.candidates(org)["project_id"])
    assert len(wb.followed.projects(org, status="exited")) == 1
    with pytest.raises(RuleViolation):
        wb.exits.decide(org, "E002", exit=True, reason="again", grounds=[])
    assert wb.verify().ok


def test_stats_columns(fu) -> None:
    wb, a, org = fu.wb, fu.a, fu.org
    fu.submit("E001")
    wb.ledgers.confirm(a["TY"], "E001", Q1)
    fu.submit("R001")
    wb.ledgers.confirm(a["DT"], "R001", Q1)
    r = wb.followup_stats.rates(org, ["city"], year=YEAR)
    assert list(r.columns) == [
        "city",
        "expected",
        "reported",
        "on_time",
        "late",
        "missing",
        "reporting_rate",
        "on_time_rate",
    ]
    p = wb.followup_stats.progress(org, year=YEAR)
    assert {"status", "baseline", "annualised", "city"} <= set(p.columns)
    assert set(p["project_id"]) == {"E001", "R001"}
    f = wb.followup_stats.financing(org, ["city"], year=YEAR)
    assert "total" in f.columns and len(f) == 2
    assert len(wb.followup_stats.timeliness(a["U1"], year=YEAR)) == 5  # E001 × 5 periods
    rem = wb.followup_stats.reminders(org)
    assert {"city", "message"} <= set(rem.columns)
    assert set(rem["project_id"]) == {"E002", "E010", "E043"}  # Q1 due on 04-15, not reported


def test_versions_table_is_append_only(fu) -> None:
    wb = fu.wb
    fu.submit("E001")
    with wb.engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(LedgerVersion)).scalar()
    assert n == 2


def test_ledger_versions_replay_from_the_audit_trail(fu) -> None:
    wb, a = fu.wb, fu.a
    fu.submit("E001")
    wb.ledgers.return_ledger(a["TY"], "E001", Q1, "请补充说明")
    fu.submit("E001")
    wb.ledgers.confirm(a["TY"], "E001", Q1)
    assert wb.verify().ok
    assert wb.ledgers.verify_versions(fu.org) == []
    with wb.engine.begin() as conn:  # tamper with a stored version
        conn.execute(
            sa.update(LedgerVersion).where(LedgerVersion.version == 2).values(content={"x": 1})
        )
    (problem,) = wb.ledgers.verify_versions(fu.org)
    assert "version 2: content changed" in problem
    with pytest.raises(AccessDenied):
        wb.ledgers.verify_versions(a["TY"])


def test_import_file_and_account_rules(fu, tmp_path) -> None:
    from scoring.io.ledger_export import export_ledger

    wb, a, org = fu.wb, fu.a, fu.org
    path = tmp_path / "ledger.xlsx"
    project = wb.followed.project(org, "E001")
    export_ledger(fu.content("E001"), "enterprise", path, project=project, period=Q1)
    assert wb.ledgers.import_file(a["U1"], "E001", Q1, path) == 1
    state = wb.ledgers.ledger(a["U1"], "E001", Q1)
    assert state["status"] == "draft" and state["content"]["blocks"][0]["rows"]
    with pytest.raises(AccessDenied):
        wb.ledgers.import_file(a["U2"], "E001", Q1, path)
    acc = wb.followup_access
    with pytest.raises(RuleViolation, match="needs its project ids"):
        acc.create_account(org, "U9", "unit")
    with pytest.raises(RuleViolation, match="needs its city"):
        acc.create_account(org, "C9", "city")
    with pytest.raises(NotFound):
        acc.create_account(org, "U9", "unit", project_ids=["NOPE"])
    with pytest.raises(AccessDenied):
        acc.create_account(a["TY"], "U9", "unit", project_ids=["E001"])
    assert len(denied(wb, "followup_access.create_account")) == 4
    assert wb.verify().ok


def test_scoring_verify_names_a_ledger_edited_in_the_database(db_url, monkeypatch) -> None:
    """``wb.verify()`` (``scoring verify``) replays the ledgers too: a confirmed ledger's content
    or status changed in the database behind the store's back is named."""
    import datetime

    import sqlalchemy as sa

    monkeypatch.setattr(
        "scoring.store.followup.demo.real_today", lambda: datetime.date(2026, 12, 2)
    )
    monkeypatch.setenv("SCORING_TODAY", "2026-12-02")

    from scoring.store import Workbench
    from scoring.store.demo import seed_demo
    from scoring.store.followup.models import Ledger, LedgerVersion

    wb = Workbench(db_url)
    try:
        seed_demo(wb, year=2026)
        assert wb.verify().ok, wb.verify().message
        with wb.engine.begin() as conn:
            row = conn.execute(
                sa.select(Ledger.id, Ledger.project_id, Ledger.period).where(
                    Ledger.status == "confirmed"
                )
            ).first()
            conn.execute(sa.update(Ledger).where(Ledger.id == row.id).values(status="draft"))
        report = wb.verify()
        assert not report.ok and f"{row.project_id} {row.period}" in report.message
        with wb.engine.begin() as conn:
            conn.execute(sa.update(Ledger).where(Ledger.id == row.id).values(status="confirmed"))
            v = conn.execute(
                sa.select(LedgerVersion.id, LedgerVersion.content)
                .where(LedgerVersion.ledger_id == row.id)
                .order_by(LedgerVersion.version.desc())
            ).first()
            changed = {**v.content, "contact": "篡改的联系人"}
            conn.execute(
                sa.update(LedgerVersion).where(LedgerVersion.id == v.id).values(content=changed)
            )
        report = wb.verify()
        assert not report.ok and "content changed" in " ".join(report.problems)
    finally:
        wb.close()
