"""Bank reviewer page against a real store: compare, own weights, basket limit, export."""

from __future__ import annotations

import io

import pandas as pd

from scoring.ui.bank import bank_app


def _bank(backend, code):
    app = bank_app(backend)
    app.view.login.code.value = code
    app.view.login.button.click()
    return app.model, app.view


def test_compare_three_and_add_to_basket(store):
    backend, info = store
    model, view = _bank(backend, info["codes"]["bank"])
    assert model.logged_in, model.error
    assert view.radar.layout.display == "none"  # no broken picture before a comparison
    assert {p for _l, p in model.pool} == {"E007", "E008", "E009", "E010", "E011", "E012"}
    view.pick.value = ("E007",)
    view.compare.click()
    assert "2–6" in model.error  # one is not a comparison
    view.pick.value = ("E007", "E008", "E009")
    view.compare.click()
    assert model.error == ""
    assert "营业收入" in view.table.value and ("↑" in view.table.value or "↓" in view.table.value)
    assert view.radar.value[:4] == b"\x89PNG" and view.radar.layout.display is None
    chair = backend.login(info["codes"]["chair"])
    panel_rank = backend.results(chair, info["panels"]["P0"])["rank"]
    assert list(model.comparison["panel_rank"]) == [panel_rank[p] for p in ("E007", "E008", "E009")]
    view.add.click()
    assert model.basket == ["E007", "E008", "E009"]
    assert "3 / 20" in view.basket.value
    name, data = model.export()
    got = pd.read_excel(io.BytesIO(data), sheet_name=None, header=1)
    assert list(next(iter(got.values())).iloc[:, 0]) == ["E007", "E008", "E009"]


def test_bank_weights_change_the_bank_ranking_not_the_panel(store):
    backend, info = store
    model, view = _bank(backend, info["codes"]["bank"])
    view.pick.value = ("E007", "E008", "E009", "E010", "E011", "E012")
    view.compare.click()
    panel_before = list(model.comparison["panel_rank"])
    for k in model.keys():
        view.sliders[k].value = 0.05
    view.sliders["risk"].value = 1.0  # a bank may weigh risk more
    own = model.own_ranking()
    from scoring.engine.ranking import rank

    expected = rank(
        model.table[model.keys()],
        weights=model.weights,
        objectives=model.config.objectives,
        method=model.config.ranking_method,
    )
    assert list(own["rank"]) == list(expected["rank"])
    assert list(model.comparison["panel_rank"]) == panel_before


def test_basket_refuses_the_21st_project_and_survives_a_reload(tmp_path, monkeypatch):
    """On the demo store (50 candidates in the closed panel): the store refuses the 21st
    project even when the page's own state is tampered with, and a reload shows the basket."""
    from scoring.programme.portfolio import BankPortfolio
    from scoring.store import Workbench, accounts
    from scoring.store.demo import seed_demo
    from scoring.ui.backend import StoreBackend

    monkeypatch.setattr(accounts, "SCRYPT_N", 2**10)  # cheaper codes for this test's accounts
    wb = Workbench(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    try:
        codes = seed_demo(wb, year=2026)
        backend = StoreBackend(workbench=wb)
        model, view = _bank(backend, codes["X08"])
        ids = [p for _l, p in model.pool]
        assert len(ids) > 20 and model.basket == []
        assert model.add_to_basket(ids[:20]), model.error
        assert "20 / 20" in view.basket.value
        assert not model.add_to_basket([ids[20]])
        assert "20" in model.error and len(model.portfolio) == 20
        # a crafted page state (an empty basket in memory) does not get past the store
        model.portfolio = BankPortfolio("示例发展银行", projects=())
        assert not model.add_to_basket([ids[21]])
        me = backend.login(codes["X08"])
        assert backend.basket(me).projects == tuple(ids[:20])
        # a reload: the basket comes back from the store
        model2, view2 = _bank(backend, codes["X08"])
        assert model2.basket == ids[:20] and "20 / 20" in view2.basket.value
        model2.remove_from_basket(ids[0])
        assert backend.basket(me).projects == tuple(ids[1:20])
    finally:
        wb.close()


def test_expert_code_is_refused(store):
    backend, info = store
    model, _ = _bank(backend, info["codes"]["X01"])
    assert not model.logged_in


def test_candidate_heard_by_two_closed_panels_counts_once(store):
    backend, info = store
    wb = backend.wb
    sysa = wb.system_actor("test")
    from scoring.store import PanelConfig

    pid = wb.create_panel(
        sysa, "P9", chair="CHAIR", members=["X01", "X02"], candidates=["E007", "E013"]
    )
    wb.freeze_config(sysa, pid, PanelConfig.from_criteria())
    chair = wb.login(info["codes"]["chair"])
    wb.open_panel(chair, pid)
    for x in ("X01", "X02"):
        me = wb.login(info["codes"][x])
        for p, base in (("E007", 60), ("E013", 70)):
            r = wb.save_scores(
                me,
                pid,
                p,
                dict.fromkeys(["strength", "market", "risk", "poverty", "demonstration"], base),
                base_version=0,
            )
            wb.confirm_sheet(me, pid, p, code=info["codes"][x], base_version=r.version)
    wb.close_panel(chair, pid, force=True, reason="测试：提前结束 / test closes early")
    model, view = _bank(backend, info["codes"]["bank"])
    ids = [p for _l, p in model.pool]
    assert ids.count("E007") == 1 and "E013" in ids
    view.pick.value = ("E007", "E013", "E008")
    view.compare.click()
    assert model.error == "", model.error
    assert model.comparison.at["E007", "panel"] == "P9"
