"""Every forbidden read and write is refused by the store itself (not only by a UI)."""

from __future__ import annotations

import dataclasses

import pytest

from scoring.store import AccessDenied, NotFound, PanelConfig, RuleViolation, StoreError

from .conftest import FULL


def test_scoring_before_freeze_is_refused(panel) -> None:
    wb, me = panel.wb, panel.a["X01"]
    with pytest.raises(RuleViolation, match="frozen"):
        wb.save_scores(me, panel.id, "E001", FULL, base_version=0)
    with pytest.raises(RuleViolation, match="freeze"):
        wb.open_panel(panel.a["CHAIR"], panel.id)
    wb.freeze_config(panel.a["ORG"], panel.id)
    with pytest.raises(RuleViolation, match="not open"):  # frozen, but not opened yet
        wb.save_scores(me, panel.id, "E001", FULL, base_version=0)


def test_frozen_config_cannot_change(panel) -> None:
    wb, org = panel.wb, panel.a["ORG"]
    h = wb.freeze_config(org, panel.id)
    assert wb.freeze_config(org, panel.id) == h  # the same configuration again: fine
    cfg = PanelConfig.from_criteria(aggregation="mean")
    with pytest.raises(RuleViolation, match="frozen"):
        wb.freeze_config(org, panel.id, cfg)
    assert wb.panel_config(org, panel.id)[1] == h


def test_other_experts_scores_are_invisible_while_open(panel) -> None:
    wb = panel.open().wb
    x1, x2 = panel.a["X01"], panel.a["X02"]
    wb.save_scores(x1, panel.id, "E001", FULL, base_version=0)
    own = wb.my_sheets(x2, panel.id)
    assert own["strength"].isna().all() and (own["version"] == 0).all()
    for reader in (x1, x2, panel.a["CHAIR"], panel.a["X09"], panel.a["ORG"]):
        with pytest.raises(AccessDenied, match="closes"):
            wb.panel_scores(reader, panel.id)
        with pytest.raises(AccessDenied, match="closes"):
            wb.results(reader, panel.id)


def test_chair_sees_progress_not_values(panel) -> None:
    wb = panel.open().wb
    wb.save_scores(panel.a["X01"], panel.id, "E001", FULL, base_version=0)
    wb.confirm_sheet(panel.a["X01"], panel.id, "E001", code=panel.codes["X01"], base_version=1)
    prog = wb.progress(panel.a["CHAIR"], panel.id)
    assert set(prog.columns) == {
        "expert_id",
        "expert_name",
        "project_id",
        "status",
        "version",
        "updated_at",
    }
    row = prog[(prog.expert_id == "X01") & (prog.project_id == "E001")].iloc[0]
    assert row["status"] == "confirmed"
    # exactly these columns: no criterion, no score, no aggregate leaves the store
    for other in (panel.a["CHAIR2"], panel.a["X01"], panel.a["X09"]):
        with pytest.raises(AccessDenied):
            wb.progress(other, panel.id)


def test_recused_expert_cannot_read_or_write_candidate(panel) -> None:
    wb = panel.open().wb
    bank = panel.a["X09"]
    with pytest.raises(AccessDenied):
        wb.save_scores(bank, panel.id, "E010", FULL, base_version=0)
    assert "E010" not in set(wb.panel_candidates(bank, panel.id)["project_id"])
    assert "E010" not in set(wb.my_sheets(bank, panel.id)["project_id"])
    for who in ("X01", "X02"):
        for p in ("E001", "E010"):
            wb.save_scores(panel.a[who], panel.id, p, FULL, base_version=0)
            wb.confirm_sheet(panel.a[who], panel.id, p, code=panel.codes[who], base_version=1)
    wb.close_panel(
        panel.a["CHAIR"], panel.id, force=True, reason="测试：提前结束 / test closes early"
    )
    # after close: neither scores, nor aggregates, nor counts of E010 reach the recused expert
    assert "E010" not in set(wb.panel_scores(bank, panel.id)["project_id"])
    assert "E010" in set(wb.panel_scores(panel.a["X01"], panel.id)["project_id"])
    assert "E010" not in wb.results(bank, panel.id).index
    assert "E010" in wb.results(panel.a["X01"], panel.id).index


def test_rule_based_recusal_same_employer_and_lender(wb, org) -> None:
    import pandas as pd

    from .conftest import DEMO

    cands = pd.read_csv(DEMO / "candidates.csv", dtype=str, keep_default_na=False).head(3)
    cands.loc[0, "lender_bank"] = "示例银行（太原分行）、另一银行"
    wb.import_candidates(org, cands)
    experts = pd.DataFrame(
        {
            "expert_id": ["Y1", "Y2", "Y3"],
            "name": ["甲", "乙", "丙"],
            "employer": [cands.loc[1, "name"], "示例银行", "某大学"],
            "kind": ["industry", "bank", "industry"],
            "bank": ["", "示例银行", ""],
        }
    )
    wb.import_experts(org, experts)
    codes = {
        e: wb.create_account(org, e, "bank" if e == "Y2" else "expert", expert_id=e)
        for e in experts.expert_id
    }
    wb.create_account(org, "CH", "chair")
    pid = wb.create_panel(
        org, "P", chair="CH", members=list(experts.expert_id), candidates=list(cands.project_id)
    )
    wb.freeze_config(org, pid)
    wb.open_panel(wb.login(wb.reissue_code(org, "CH")), pid)
    seen = {e: set(wb.panel_candidates(wb.login(c), pid)["project_id"]) for e, c in codes.items()}
    ids = list(cands.project_id)
    assert seen["Y1"] == set(ids) - {ids[1]}  # works for candidate 2
    assert seen["Y2"] == set(ids) - {ids[0]}  # his bank lends to candidate 1
    assert seen["Y3"] == set(ids)


def test_expert_cannot_touch_other_panels_or_sheets(panel) -> None:
    wb = panel.open().wb
    outsider = panel.a["X03"]
    with pytest.raises(AccessDenied):
        wb.save_scores(outsider, panel.id, "E001", FULL, base_version=0)
    with pytest.raises(AccessDenied):
        wb.panel_candidates(outsider, panel.id)
    with pytest.raises(AccessDenied):  # a candidate not on the panel
        wb.save_scores(panel.a["X01"], panel.id, "E005", FULL, base_version=0)
    with pytest.raises(NotFound):
        wb.save_scores(panel.a["X01"], 999, "E001", FULL, base_version=0)


@pytest.mark.parametrize("who", ["X01", "X09", "CHAIR"])
def test_organizer_actions_need_the_role(panel, who) -> None:
    wb, actor = panel.wb, panel.a[who]
    attempts = [
        lambda: wb.create_account(actor, "NEW", "expert", expert_id="X04"),
        lambda: wb.reissue_code(actor, "X02"),
        lambda: wb.revoke(actor, "X02"),
        lambda: wb.accounts(actor),
        lambda: wb.import_experts(actor, panel_experts_frame()),
        lambda: wb.create_panel(actor, "第二组"),
        lambda: wb.freeze_config(actor, panel.id),
        lambda: wb.candidates(actor),
        lambda: wb.audit_log(actor),
    ]
    seq_before = wb.verify().records
    for attempt in attempts:
        with pytest.raises(AccessDenied):
            attempt()
    assert wb.verify().records == seq_before


def panel_experts_frame():
    import pandas as pd

    return pd.DataFrame({"expert_id": ["Z1"], "name": ["某"], "kind": ["industry"]})


def test_only_the_chair_closes_and_history_is_for_organizers(panel) -> None:
    wb = panel.open().wb
    for who in ("X01", "CHAIR2", "ORG"):
        with pytest.raises(AccessDenied):
            wb.close_panel(
                panel.a[who], panel.id, force=True, reason="测试：提前结束 / test closes early"
            )
    wb.close_panel(
        panel.a["CHAIR"], panel.id, force=True, reason="测试：提前结束 / test closes early"
    )
    with pytest.raises(AccessDenied):
        wb.panel_scores(panel.a["X01"], panel.id, history=True)
    with pytest.raises(AccessDenied):  # not on the panel and not a bank reviewer
        wb.panel_scores(panel.a["X03"], panel.id)
    with pytest.raises(RuleViolation):
        wb.open_panel(panel.a["CHAIR"], panel.id)


def test_revoked_and_reissued_codes_stop_working_at_once(panel) -> None:
    wb, org = panel.wb, panel.a["ORG"]
    panel.open()
    me = panel.a["X01"]
    new_code = wb.reissue_code(org, "X01")
    with pytest.raises(AccessDenied, match="log in"):
        wb.save_scores(me, panel.id, "E001", FULL, base_version=0)
    with pytest.raises(AccessDenied):
        wb.login(panel.codes["X01"])
    me2 = wb.login(new_code)
    assert wb.save_scores(me2, panel.id, "E001", FULL, base_version=0).ok
    wb.revoke(org, "X01")
    with pytest.raises(AccessDenied):
        wb.login(new_code)
    with pytest.raises(AccessDenied):
        wb.my_sheets(me2, panel.id)


def test_forged_actor_is_refused(panel) -> None:
    wb = panel.open().wb
    real = panel.a["X01"]
    forged_role = dataclasses.replace(real, role="organizer")
    with pytest.raises(AccessDenied):
        wb.accounts(forged_role)
    forged_expert = dataclasses.replace(real, expert_pk=panel.a["X02"].expert_pk)
    with pytest.raises(AccessDenied):
        wb.save_scores(forged_expert, panel.id, "E001", FULL, base_version=0)
    fake_system = dataclasses.replace(wb.system_actor())
    with pytest.raises(AccessDenied):
        wb.accounts(fake_system)
    with pytest.raises(AccessDenied):
        wb.accounts("ORG")  # not an actor at all


def test_declaring_conflicts(panel) -> None:
    wb = panel.open().wb
    with pytest.raises(AccessDenied):
        wb.declare_conflict(panel.a["X01"], "X02", "E001", "别人")
    with pytest.raises(StoreError):
        wb.declare_conflict(panel.a["X01"], "X01", "E001", "")
    wb.save_scores(panel.a["X01"], panel.id, "E001", FULL, base_version=0)
    wb.declare_conflict(panel.a["X01"], "X01", "E001", "亲属任职")
    assert "E001" not in set(wb.my_sheets(panel.a["X01"], panel.id)["project_id"])
    with pytest.raises(AccessDenied):
        wb.save_scores(panel.a["X01"], panel.id, "E001", FULL, base_version=1)


def test_expert_id_of_an_actor(panel) -> None:
    wb = panel.wb
    assert wb.expert_id(panel.a["X09"]) == "X09"
    with pytest.raises(AccessDenied):
        wb.expert_id(panel.a["CHAIR"])


def test_confirmation_is_a_signature_with_the_own_code(panel) -> None:
    """confirm_sheet refuses without the code, with a wrong one, with another account's code
    (even a valid one) and after a reissue; nothing is written; the right code confirms."""
    import sqlalchemy as sa

    from scoring.store.models import SheetVersion

    wb = panel.open().wb
    me = panel.a["X01"]
    wb.save_scores(me, panel.id, "E001", FULL, base_version=0)
    login, secret = panel.codes["X01"].split("-", 1)
    wrong = f"{login}-{'0000-0000-0000' if secret != '0000-0000-0000' else '1111-1111-1111'}"
    for code in (None, "", "not a code", wrong, panel.codes["X02"], panel.codes["CHAIR"]):
        with pytest.raises(AccessDenied):
            wb.confirm_sheet(me, panel.id, "E001", code=code, base_version=1)
    with pytest.raises(TypeError):  # the code is a required argument
        wb.confirm_sheet(me, panel.id, "E001", base_version=1)
    # the other expert's own code does not sign my sheet, even under my login
    other = panel.codes["X02"].split("-", 1)[1]
    with pytest.raises(AccessDenied):
        wb.confirm_sheet(me, panel.id, "E001", code=f"{login}-{other}", base_version=1)
    with wb.engine.connect() as conn:
        kinds = conn.execute(sa.select(SheetVersion.kind)).scalars().all()
    assert kinds == ["draft"]
    assert wb.my_sheets(me, panel.id).set_index("project_id").at["E001", "status"] == "draft"
    # lower case and spaces are the same code; it signs
    typed = " " + panel.codes["X01"].lower() + " "
    r = wb.confirm_sheet(me, panel.id, "E001", code=typed, base_version=1)
    assert (r.status, r.sheet_status) == ("saved", "confirmed")
    # a reissued code: the old one no longer signs, and the old session is over
    wb.save_scores(me, panel.id, "E002", FULL, base_version=0)
    new = wb.reissue_code(panel.a["ORG"], "X01")
    with pytest.raises(AccessDenied):
        wb.confirm_sheet(me, panel.id, "E002", code=panel.codes["X01"], base_version=1)
    me2 = wb.login(new)
    with pytest.raises(AccessDenied):
        wb.confirm_sheet(me2, panel.id, "E002", code=panel.codes["X01"], base_version=1)
    assert wb.confirm_sheet(me2, panel.id, "E002", code=new, base_version=1).status == "saved"
    # the organizer's command-line actor cannot sign an expert's sheet
    with pytest.raises(AccessDenied):
        wb.confirm_sheet(wb.system_actor(), panel.id, "E001", code=new, base_version=1)


def test_code_memo_never_accepts_a_wrong_or_reissued_code():
    """The process-local memo of verified codes only short-cuts a code that matched this hash."""
    from scoring.store import accounts

    stored = accounts.hash_secret("ABCD-EFGH-JKMN")
    assert accounts.check_secret("ABCD-EFGH-JKMN", stored)  # scrypt, then memoised
    assert accounts.check_secret("ABCD-EFGH-JKMN", stored)  # memo
    assert not accounts.check_secret("ABCD-EFGH-JKMP", stored)  # wrong secret: full check, refused
    reissued = accounts.hash_secret("ZZZZ-EFGH-JKMN")
    assert not accounts.check_secret("ABCD-EFGH-JKMN", reissued)  # old code, new hash: refused
    assert accounts.check_secret("ZZZZ-EFGH-JKMN", reissued)
