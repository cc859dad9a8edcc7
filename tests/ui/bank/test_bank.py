"""Bank reviewer page against a real store: compare, own weights, basket limit, export."""

from __future__ import annotations

import io

import pandas as pd
import pytest

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
    model.lang = "en"  # the indicator rows in English: words, not the keys with Chinese units
    assert "Operating revenue (100 M yuan)" in view.table.value, view.table.value
    assert "cost_profit_ratio" not in view.table.value and "亿元" not in view.table.value
    model.lang = "zh"
    assert view.radar.value[:4] == b"\x89PNG" and view.radar.layout.display is None
    chair = backend.login(info["codes"]["chair"])
    panel_rank = backend.results(chair, info["panels"]["P0"])["rank"]
    assert list(model.comparison["panel_rank"]) == [panel_rank[p] for p in ("E007", "E008", "E009")]
    view.add.click()
    assert model.basket == ["E007", "E008", "E009"]
    assert "3 / 20" in view.basket.value
    name, data = model.export()
    got = pd.read_excel(io.BytesIO(data), sheet_name=None, header=1)
    comparison = next(iter(got.values()))
    assert list(comparison.iloc[:, 0]) == ["E007", "E008", "E009"]
    # headers a clerk reads, not the table's keys; scores to the scale's precision, so formatted
    assert {"评审组", "专家组排名", "本行排名", "本行得分", "得分"} <= set(comparison.columns)
    assert not {"panel", "panel_rank", "bank_rank", "bank_score"} & set(comparison.columns)
    indicators = list(got.values())[1]
    assert "position" not in indicators.columns
    assert set(indicators["项目类型"]) <= {"企业项目", "区域项目"}
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in ws[2]]
    for col in ("得分", "本行得分"):
        cell = ws.cell(row=3, column=header.index(col) + 1)
        assert cell.number_format in ("0.00", "0.0000")
        assert cell.value == round(cell.value, len(cell.number_format) - 2)


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
        sysa, "P9", chair="CHAIR", members=["X01", "X02", "X03"], candidates=["E007", "E013"]
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


def test_basket_shows_names_removes_by_button_and_refuses_in_the_page_language(store):
    """The basket lists id, name, panel and rank with a remove button per project; the 21st
    project is refused in the page's language; 本行排名 ranks the compared set only."""
    backend, info = store
    model, view = _bank(backend, info["codes"]["bank"])
    view.pick.value = ("E007", "E008", "E011")
    view.compare.click()
    assert sorted(model.comparison["bank_rank"]) == [1, 2, 3]  # within the three compared
    view.add.click()
    labels = [row.children[0].value for row in view.basket_rows.children]
    name = model.table.at["E008", "name"]
    assert len(labels) == 3 and f"E008 {name}" in labels[1] and "P0 #" in labels[1]
    view.basket_rows.children[1].children[1].click()  # remove E008
    me = backend.login(info["codes"]["bank"])
    assert backend.basket(me).projects == ("E007", "E011")
    assert [r.children[0].value.split(" ")[1] for r in view.basket_rows.children] == [
        "E007",
        "E011",
    ]


def test_the_21st_project_is_refused_in_the_page_language(tmp_path, monkeypatch):
    """The store's refusal of a 21st project reaches the reviewer in one language at a time."""
    from scoring.store import Workbench, accounts
    from scoring.store.demo import seed_demo
    from scoring.ui.backend import StoreBackend

    monkeypatch.setattr(accounts, "SCRYPT_N", 2**10)
    wb = Workbench(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    try:
        codes = seed_demo(wb, year=2026)
        model, _view = _bank(StoreBackend(workbench=wb), codes["X08"])
        ids = [p for _l, p in model.pool]
        assert model.add_to_basket(ids[:19]), model.error
        assert not model.add_to_basket(ids[19:21])  # 21 > 20: nothing added
        # 19 / 20 is not full: the refusal says how many places are left
        assert "项目篮只剩 1 个位置" in model.error and "20" in model.error, model.error
        assert "已满" not in model.error
        assert not any(ch.isascii() and ch.isalpha() for ch in model.error), model.error
        assert len(model.basket) == 19
        model.toggle_lang()
        assert not model.add_to_basket(ids[19:21])
        assert model.error.startswith("Only 1 place(s) left in the basket"), model.error
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in model.error), model.error
        # a full basket (20 / 20) is refused as full, in each language
        assert model.add_to_basket(ids[19:20]), model.error
        assert not model.add_to_basket(ids[20:21])
        assert model.error.startswith("The basket is full"), model.error
        model.toggle_lang()
        assert not model.add_to_basket(ids[20:21])
        assert "项目篮已满" in model.error and "20" in model.error
        assert not any(ch.isascii() and ch.isalpha() for ch in model.error), model.error
    finally:
        wb.close()


def test_radar_draws_risk_reversed_so_outer_is_better(store):
    """A candidate with the lowest risk reaches furthest out on the (reversed) risk axis."""
    from scoring.ui.bank.chart import radar_png

    backend, info = store
    model, view = _bank(backend, info["codes"]["bank"])
    view.pick.value = ("E007", "E008")
    view.compare.click()
    import pandas as pd

    comp = pd.DataFrame({"strength": [50, 50], "risk": [10, 90]}, index=["LOWRISK", "HIGHRISK"])
    reversed_png = radar_png(comp, ["strength", "risk"], {}, "t", minimised={"risk"})
    plain_png = radar_png(comp, ["strength", "risk"], {}, "t")
    assert reversed_png != plain_png
    # the plotted values: risk 10 is drawn at 90 (outer), risk 90 at 10
    from matplotlib.figure import Figure

    drawn = {}
    real_plot = Figure.add_subplot

    def spy(self, *a, **k):
        ax = real_plot(self, *a, **k)
        orig = ax.plot

        def plot(x, y, label=None, **kw):
            drawn[label] = list(y)
            return orig(x, y, label=label, **kw)

        ax.plot = plot
        return ax

    Figure.add_subplot = spy
    try:
        radar_png(comp, ["strength", "risk"], {}, "t", minimised={"risk"})
    finally:
        Figure.add_subplot = real_plot
    assert drawn["LOWRISK"][1] == 90 and drawn["HIGHRISK"][1] == 10


def test_a_closed_panel_without_scores_is_left_out_quietly(store):
    """A panel closed before any sheet was confirmed has no results: the bank page leaves it
    out of the pool without telling the reviewer "no confirmed scores" at every login."""
    backend, info = store
    chair = backend.login(info["codes"]["chair"])
    backend.wb.close_panel(chair, info["panels"]["P1"], force=True, reason="测试 / test")
    with pytest.raises(ValueError, match="no confirmed scores"):
        backend.results(chair, info["panels"]["P1"])
    model, _view = _bank(backend, info["codes"]["bank"])
    assert model.logged_in and model.error == ""
    assert {p for _l, p in model.pool} == {"E007", "E008", "E009", "E010", "E011", "E012"}


def test_the_pick_list_filters_by_typing_and_the_comparison_table_sorts(store):
    """Issue 11 item 7: the 50+ project pick list has a search box; a chosen project stays
    chosen while the next one is searched; the comparison table's headers sort it."""
    backend, info = store
    model, view = _bank(backend, info["codes"]["bank"])
    search = view.pick_filter.search
    assert search.placeholder == "输入编号或名称筛选"
    search.value = "e008"
    assert [v for _l, v in view.pick.options] == ["E008"]
    view.pick.value = ("E008",)
    search.value = "E01"
    assert [v for _l, v in view.pick.options] == ["E008", "E010", "E011", "E012"]
    view.pick.value = ("E008", "E011")
    view.compare.click()
    assert model.error == "" and list(model.comparison.index) == ["E008", "E011"]
    assert "scoring-compare-table sortable" in view.table.value
    search.value = ""
    assert len(view.pick.options) == len(model.pool) and view.pick.value == ("E008", "E011")
    view.header.lang.click()
    assert search.placeholder == "Type an id or name to filter"
