"""市局确认 against a seeded follow-up store: matrix, open beside the previous period, return
with a reason, confirm, reopen, reminders."""

from __future__ import annotations

from scoring.ui.confirm import confirm_app


def _login(backend, code):
    app = confirm_app(backend)
    app.view.login.code.value = code
    app.view.login.button.click()
    return app.model, app.view


def _submit(backend, info, key="2026Q1"):
    me = backend.login(info["codes"]["unit"])
    st = backend.ledger(me, "F001", key)
    backend.save_ledger(me, "F001", key, info["good"](), st.version)
    backend.submit_ledger(me, "F001", key)


def test_city_sees_its_projects_and_returns_then_confirms(fu):
    backend, info = fu
    _submit(backend, info)
    model, view = _login(backend, info["codes"]["city"])
    assert model.logged_in, model.error
    assert {r["project_id"] for r in model.rows} == {"F001", "F003"}  # Taiyuan only
    assert "已报送" in view.matrix.value and "F002" not in view.matrix.value
    assert model.to_confirm() == [("F001", "2026Q1")]
    view.pending.value = "F001|2026Q1"
    assert model.current is not None and "上线订单协同系统" in view.current.value
    assert "12" in view.current.value  # the target beside the value
    view.give_back.click()
    assert "理由" in model.error  # a reason is required
    view.reason.value = "贷款金额请核对"
    view.give_back.click()
    assert model.error == "", model.error
    me = backend.login(info["codes"]["unit"])
    st = backend.ledger(me, "F001", "2026Q1")
    assert st.status == "returned" and st.reason == "贷款金额请核对"
    assert model.state_of("F001", "2026Q1") == "returned"
    backend.submit_ledger(me, "F001", "2026Q1")
    model.reload()
    model.open("F001", "2026Q1")
    view.confirm.click()
    assert backend.ledger(me, "F001", "2026Q1").status == "confirmed"
    assert "已确认" in view.matrix.value
    assert not view.reopen.disabled
    view.reason.value = "单位申请更正"
    view.reopen.click()
    assert model.error == ""


def test_reminders_are_text(fu, monkeypatch):
    backend, info = fu
    monkeypatch.setenv("SCORING_TODAY", "2026-04-20")
    model, view = _login(backend, info["codes"]["city"])
    assert "2026Q1" in view.reminders.value or "第一季度" in view.reminders.value


def test_the_english_page_gives_the_indicators_english_units(fu):
    backend, info = fu
    _submit(backend, info)
    model, view = _login(backend, info["codes"]["city"])
    view.header.lang.click()
    view.pending.value = "F001|2026Q1"
    shown = view.current.value
    assert "Revenue (100 M yuan)" in shown and "Inventory turnover (times)" in shown, shown
    assert "亿元" not in shown and "（次）" not in shown, shown
