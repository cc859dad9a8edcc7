"""The expert page in a yearly evaluation: the evidence card in place of the application card,
the suggested band under the measurable points, the departure warning, and what a same-city
expert does not see — on a real store (the UI tests' seeded copy plus followed projects)."""

from __future__ import annotations

import pandas as pd

from scoring.ui.expert import expert_app

ROOT = __import__("pathlib").Path(__file__).resolve().parents[3]
PROJECTS = ["E010", "E013", "E001"]  # 大同, 大同, 太原


def _evaluation(backend, info, monkeypatch):
    monkeypatch.setenv("SCORING_TODAY", "2026-04-10")
    wb = backend.wb
    org = wb.system_actor("test")
    cands = pd.read_csv(ROOT / "data" / "demo" / "candidates.csv", dtype=str, keep_default_na=False)
    wb.followed.import_projects(org, cands[cands["project_id"].isin(PROJECTS)], year=2026)
    wb.periods.create_year(org, 2026)
    unit = wb.login(wb.followup_access.create_account(org, "U1", "unit", project_ids=["E010"]))
    from scoring.store.followup.demo import demo_content

    state = wb.ledgers.ledger(unit, "E010", "2026Q1")
    content = demo_content(wb.followed.project(org, "E010"), 1, first=True)
    wb.ledgers.save_draft(unit, "E010", "2026Q1", content, base_version=state["version"])
    wb.ledgers.submit(unit, "E010", "2026Q1")
    city = wb.login(wb.followup_access.create_account(org, "DT", "city", city="大同市"))
    wb.ledgers.confirm(city, "E010", "2026Q1")
    pid = wb.evaluation.create_panel(
        org,
        "评估组",
        year=2026,
        kind="enterprise",
        date="2027-01-12",
        chair="CHAIR",
        members=["X01", "X02", "X03"],
    )
    wb.freeze_config(org, pid)
    wb.open_panel(wb.login(info["codes"]["chair"]), pid)
    return pid


def _login(backend, code, pid):
    app = expert_app(backend, poll=False)
    app.view.login.code.value = code
    app.view.login.button.click()
    app.model.choose_panel(str(pid))
    if app.model.phase == "conflicts":
        app.model.declare_conflicts([])
    return app.model, app.view


def test_the_evidence_card_and_the_suggested_band(store, monkeypatch):
    backend, info = store
    pid = _evaluation(backend, info, monkeypatch)
    model, view = _login(backend, info["codes"]["X03"], pid)  # 晋中: sees every project
    assert model.order == ["E001", "E010", "E013"] or set(model.order) == set(PROJECTS)
    model.select("E010")
    html = view.card.value
    assert "scoring-evidence" in html and "2026 年度评估材料" in html
    assert "报送情况" in html and "按期" in html and "营业收入" in html and "贷款类" in html
    desc = view.descriptors["organisation"].value
    assert "建议：优秀 90–100（按期报送率 100%，1/1）" in desc
    assert "scoring-departure" not in desc
    view.inputs["organisation"].value = "70"
    assert "偏离建议区间" in view.descriptors["organisation"].value
    view.inputs["organisation"].value = "95"
    assert "偏离建议区间" not in view.descriptors["organisation"].value
    # English, one language
    model.lang = "en"
    view._render_scoring()
    assert "Evidence for 2026" in view.card.value and "报送情况" not in view.card.value
    assert "Suggested: Excellent 90–100" in view.descriptors["organisation"].value


def test_a_same_city_expert_neither_scores_nor_reads_the_project(store, monkeypatch):
    backend, info = store
    pid = _evaluation(backend, info, monkeypatch)
    model, _view = _login(backend, info["codes"]["X01"], pid)  # 太原
    assert "E001" not in model.order and "E001" not in model.evidences
    assert set(model.order) == {"E010", "E013"}
