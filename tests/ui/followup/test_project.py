"""项目跟进查看 (banks): confirmed ledgers only, indicators over time."""

from __future__ import annotations

from scoring.ui.project import project_app


def test_bank_sees_confirmed_ledgers_only(fu):
    backend, info = fu
    me = backend.login(info["codes"]["unit"])
    for key in ("2026Q1", "2026Q2"):
        st = backend.ledger(me, "F001", key)
        backend.save_ledger(me, "F001", key, info["good"](), st.version)
        backend.submit_ledger(me, "F001", key)
    org = backend.login(info["codes"]["org"])
    backend.confirm_ledger(org, "F001", "2026Q1")
    app = project_app(backend)
    app.view.login.code.value = info["codes"]["bank"]
    app.view.login.button.click()
    model, view = app.model, app.view
    assert model.logged_in, model.error
    assert [k for k, _s in model.ledgers] == ["2026Q1"]  # Q2 is submitted, not confirmed
    assert "营业收入" in view.over_time.value and "12" in view.over_time.value
    assert len(view.ledgers.children) == 1 and "上线订单协同系统" in view.ledgers.children[0].value
    view.project.value = "F002"
    assert "尚无已确认" in view.over_time.value


def test_the_english_page_gives_the_indicators_english_units(fu):
    backend, info = fu
    me = backend.login(info["codes"]["unit"])
    st = backend.ledger(me, "F001", "2026Q1")
    backend.save_ledger(me, "F001", "2026Q1", info["good"](), st.version)
    backend.submit_ledger(me, "F001", "2026Q1")
    backend.confirm_ledger(backend.login(info["codes"]["org"]), "F001", "2026Q1")
    app = project_app(backend)
    app.view.login.code.value = info["codes"]["bank"]
    app.view.login.button.click()
    app.view.header.lang.click()
    shown = app.view.over_time.value
    assert "Revenue (100 M yuan)" in shown and "Cash conversion cycle (days)" in shown, shown
    assert "亿元" not in shown and "（天）" not in shown, shown
