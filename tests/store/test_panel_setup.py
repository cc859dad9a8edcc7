"""Setting a panel up (issue 11 item 4): a name and a real date are required when written; a
panel opens only with a chair, three experts and a candidate; a mistake is edited or the panel
deleted until its configuration is frozen — each change audited and replayed by verify."""

from __future__ import annotations

import pytest

from scoring.store import AccessDenied, NotFound, RuleViolation, StoreError


@pytest.mark.parametrize(
    ("name", "date", "match"),
    [
        ("  ", None, "needs a name"),
        ("二组", "下周三", "invalid panel date"),
        ("二组", "2026-02-30", "invalid panel date"),
        ("x" * 201, None, "over 200"),
    ],
)
def test_a_panel_needs_a_name_and_a_real_date(panel, org, name, date, match) -> None:
    before = len(panel.wb.panels(org))
    with pytest.raises(StoreError, match=match):
        panel.wb.create_panel(org, name, date=date)
    assert len(panel.wb.panels(org)) == before


def test_dates_are_read_in_the_usual_spellings(panel, org) -> None:
    pid = panel.wb.create_panel(org, "三组", date="2026年3月9日")
    assert next(p for p in panel.wb.panels(org) if p["id"] == pid)["date"] == "2026-03-09"


def test_a_panel_opens_only_when_complete(panel, org) -> None:
    wb = panel.wb
    pid = wb.create_panel(org, "不完整", members=["X01", "X02"], candidates=[])
    wb.freeze_config(org, pid)
    with pytest.raises(RuleViolation) as err:
        wb.open_panel(org, pid)
    text = str(err.value)
    assert (
        "no chair" in text and "at least 3 experts (it has 2)" in text and "no candidates" in text
    )
    assert next(p for p in wb.panels(org) if p["id"] == pid)["status"] == "draft"


def test_a_draft_panel_is_edited_then_frozen_and_no_longer(panel, org) -> None:
    wb = panel.wb
    wb.update_panel(
        org, panel.id, name="第一组（改）", date="2026/3/12", candidates=["E002", "E001"]
    )
    row = next(p for p in wb.panels(org) if p["id"] == panel.id)
    assert (row["name"], row["date"]) == ("第一组（改）", "2026-03-12")
    assert list(wb.panel_candidates(org, panel.id)["project_id"]) == ["E002", "E001"]
    with pytest.raises(StoreError, match="invalid panel date"):
        wb.update_panel(org, panel.id, date="明天")
    with pytest.raises(NotFound):
        wb.update_panel(org, panel.id, members=["X01", "NOBODY"])
    assert list(wb.panel_candidates(org, panel.id)["project_id"]) == ["E002", "E001"]
    with pytest.raises(AccessDenied):
        wb.update_panel(panel.a["CHAIR"], panel.id, name="主持人改名")
    panel.open()
    for change in (
        lambda: wb.update_panel(org, panel.id, name="冻结后"),
        lambda: wb.delete_panel(org, panel.id, reason="误建"),
    ):
        with pytest.raises(RuleViolation, match="frozen or open"):
            change()
    report = wb.verify()
    assert report.ok, report.message


def test_a_mistaken_panel_is_deleted_with_a_reason(panel, org) -> None:
    wb = panel.wb
    pid = wb.create_panel(org, "误建组", chair="CHAIR", members=["X01"], candidates=["E001"])
    with pytest.raises(StoreError, match="needs a reason"):
        wb.delete_panel(org, pid, reason=" ")
    wb.delete_panel(org, pid, reason="重复创建")
    assert pid not in {p["id"] for p in wb.panels(org)}
    log = wb.audit_log(org)
    rec = log[log["action"] == "panel.delete"].iloc[0]
    assert "重复创建" in str(rec["details"])
    report = wb.verify()
    assert report.ok, report.message
    wb.create_panel(org, "误建组")  # the name is free again
