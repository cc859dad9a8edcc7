"""The four follow-up pages over the real follow-up store (``scoring.store.followup``): the
unit fills and submits, the city returns with a reason, the unit resubmits, the city confirms,
the province's rates count it and the bank sees the confirmed ledger. Skipped until the store
package exists and its services are registered (the other page tests run on a stand-in of its services)."""

from __future__ import annotations

import pytest

pytest.importorskip("scoring.store.followup")
if "followed" not in __import__("scoring.store.service", fromlist=["SERVICES"]).SERVICES:
    pytest.skip(
        "the follow-up services are not registered in Workbench yet", allow_module_level=True
    )


@pytest.fixture
def real(tmp_path, monkeypatch):
    from scoring.store import Workbench, accounts
    from scoring.store.demo import seed_demo
    from scoring.ui.backend import StoreBackend

    monkeypatch.setattr(accounts, "SCRYPT_N", 2**10)
    monkeypatch.setenv("SCORING_TODAY", "2026-04-01")  # before any demo Q1 ledger
    monkeypatch.setenv("SCORING_HOME", str(tmp_path))
    wb = Workbench(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    codes = seed_demo(wb, year=2026)
    from scoring.store.followup.demo import CITY_LOGINS

    me = wb.login(codes["UNIT1"])  # the demo's first project unit
    row = wb.followed.projects(me).iloc[0]
    pid, city = str(row["project_id"]), str(row["city"])
    unit, city_code = codes["UNIT1"], codes[CITY_LOGINS[city]]
    yield (
        StoreBackend(workbench=wb),
        {
            "codes": {
                "unit": unit,
                "city": city_code,
                "org": codes["ORGANIZER"],
                "bank": codes["X08"],
            },
            "project": pid,
            "city": city,
        },
    )
    wb.close()


def _app(factory, backend, code):
    app = factory(backend)
    app.view.login.code.value = code
    app.view.login.button.click()
    assert app.model.logged_in, app.model.error
    return app.model, app.view


def test_the_whole_round_on_the_real_store(real):
    from scoring.ui.confirm import confirm_app
    from scoring.ui.followstats import followstats_app
    from scoring.ui.project import project_app
    from scoring.ui.reporting import reporting_app

    backend, info = real
    pid = info["project"]
    unit, uv = _app(reporting_app, backend, info["codes"]["unit"])
    assert unit.project_id == pid and unit.period_key == "2026Q1" and unit.editable
    unit.set_contact("王五 0351-1234567")
    unit.set_block(0, "industries", "54")
    for k, v in {"goal": "建成协同平台", "measure": "上线订单系统", "deadline": "2026-06",
                 "progress": "ongoing", "loan": "500", "result": "响应缩短30%"}.items():  # fmt: skip
        unit.set_row(0, 0, k, v)
    unit.set_indicator("revenue", "value", "3.2")
    # 资产回报率 and 及时交付率 have no application baseline: the first report gives one
    unit.set_indicator("roa", "baseline", "5")
    unit.set_indicator("on_time_delivery", "baseline", "90")
    unit.flush()
    assert unit.submit(), unit.error
    city, cv = _app(confirm_app, backend, info["codes"]["city"])
    assert (pid, "2026Q1") in city.to_confirm()
    assert city.open(pid, "2026Q1")
    assert not city.return_ledger("")
    assert city.return_ledger("请核对贷款金额"), city.error
    unit, uv = _app(reporting_app, backend, info["codes"]["unit"])
    assert unit.status == "returned" and "请核对贷款金额" in uv.status.value
    unit.set_row(0, 0, "loan", "600")
    assert unit.submit(), unit.error
    city.reload()
    assert city.open(pid, "2026Q1") and city.confirm(), city.error
    if not hasattr(backend.wb, "followup_stats"):
        return  # the statistics service has not landed yet
    prov, pv = _app(followstats_app, backend, info["codes"]["org"])
    row = prov.by_city.set_index("city").loc[info["city"]]
    assert int(row["reported"]) >= 1
    assert prov.build_file("xlsx") and prov.build_file("pdf"), prov.error
    bank, bv = _app(project_app, backend, info["codes"]["bank"])
    if pid in [p for _l, p in bank.projects]:
        bank.select(pid)
        assert [k for k, _s in bank.ledgers] == ["2026Q1"]


def test_the_city_matrix_marks_a_ledger_reported_after_its_due_date(tmp_path, monkeypatch):
    """A ledger first submitted after the due date shows as 已确认/已报送 *and* 迟报 on the
    city's matrix (the demo lived to 2026-12-02 with late Q2 and Q3 ledgers by design), in
    agreement with the store's timeliness."""
    import datetime

    from scoring.store import Workbench, accounts
    from scoring.store.demo import seed_demo
    from scoring.store.followup.demo import CITY_LOGINS
    from scoring.ui.backend import StoreBackend
    from scoring.ui.confirm import confirm_app

    monkeypatch.setattr(accounts, "SCRYPT_N", 2**10)
    monkeypatch.setattr(
        "scoring.store.followup.demo.real_today", lambda: datetime.date(2026, 12, 2)
    )
    monkeypatch.setenv("SCORING_TODAY", "2026-12-02")
    monkeypatch.setenv("SCORING_HOME", str(tmp_path))
    wb = Workbench(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    try:
        codes = seed_demo(wb, year=2026)
        org = wb.system_actor("t")
        tl = wb.followup_stats.timeliness(org)
        late = tl[tl["status"] == "late"]
        assert len(late), "the demo has late ledgers"
        city = str(late.iloc[0]["city"])
        want = {(str(r.project_id), str(r.period)) for r in late[late["city"] == city].itertuples()}
        model, view = _app(confirm_app, StoreBackend(workbench=wb), codes[CITY_LOGINS[city]])
        shown = {
            (r["project_id"], k) for r in model.rows for k, is_late in r["late"].items() if is_late
        }
        assert shown == want
        assert "（迟报）" in view.matrix.value
    finally:
        wb.close()
