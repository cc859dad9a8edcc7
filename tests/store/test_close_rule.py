"""Closing a panel while sheets are unconfirmed (issue 4, chair board): the strict close refuses
with the number of unconfirmed sheets (recused sheets do not count); a forced close needs a
reason, which is audited and read back by ``close_record``."""

from __future__ import annotations

import pytest

from scoring.store.errors import RuleViolation

from .conftest import FULL


def _confirm(panel, who: str, project_id: str) -> None:
    wb, me = panel.wb, panel.a[who]
    res = wb.save_scores(me, panel.id, project_id, FULL, base_version=0)
    wb.confirm_sheet(me, panel.id, project_id, code=panel.codes[who], base_version=res.version)


def test_strict_close_waits_for_every_sheet_but_not_recused_ones(panel) -> None:
    panel.open()
    wb, chair = panel.wb, panel.a["CHAIR"]
    for who in ("X01", "X02"):
        for pid in panel.candidates:
            _confirm(panel, who, pid)
    _confirm(panel, "X09", "E001")  # E002 left unconfirmed; E010 recused
    with pytest.raises(RuleViolation, match=r"尚有 1 份评分表未确认"):
        wb.close_panel(chair, panel.id)
    assert wb.close_record(chair, panel.id) is None  # still open
    _confirm(panel, "X09", "E002")
    wb.close_panel(chair, panel.id)  # the recused sheet is not missing
    rec = wb.close_record(chair, panel.id)
    assert rec["forced"] is False and rec["unconfirmed"] == 0 and rec["by"] == chair.label


def test_forced_close_needs_a_reason_and_is_audited(panel) -> None:
    panel.open()
    wb, chair = panel.wb, panel.a["CHAIR"]
    _confirm(panel, "X01", "E001")
    with pytest.raises(RuleViolation, match="7 sheet"):  # 3 x 3 sheets - 1 recused - 1 confirmed
        wb.close_panel(chair, panel.id)
    with pytest.raises(RuleViolation, match="reason"):
        wb.close_panel(chair, panel.id, force=True, reason="  ")
    wb.close_panel(chair, panel.id, force=True, reason="专家缺席")
    rec = wb.close_record(panel.a["X01"], panel.id)  # any reader of the panel
    assert rec["forced"] and rec["unconfirmed"] == 7 and rec["reason"] == "专家缺席"
    log = wb.audit_log(panel.a["ORG"])
    close = log[log["action"] == "panel.close"].iloc[0]
    assert "专家缺席" in close["details"] and '"forced":true' in close["details"]
    assert wb.verify().ok
