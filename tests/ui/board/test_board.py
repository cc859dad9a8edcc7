"""Chair / organizer board against a real store: progress without values, open/close, results."""

from __future__ import annotations

import io

import pandas as pd

from scoring.ui.board import board_app
from scoring.ui.expert import expert_app

FULL = {"strength": 85, "market": 70, "risk": 30, "poverty": 60, "demonstration": 75}


def _board(backend, code):
    app = board_app(backend, poll=False)
    app.view.login.code.value = code
    app.view.login.button.click()
    return app.model, app.view


def test_progress_shows_statuses_not_values(store):
    backend, info = store
    model, view = _board(backend, info["codes"]["chair"])
    assert model.panel_id == str(info["panels"]["P1"]) and model.panel_status == "open"
    assert "0 / 30" in view.progress.value
    # an expert saves a draft with a distinctive value, then confirms
    ex = expert_app(backend, poll=False)
    ex.view.login.code.value = info["codes"]["X01"]
    ex.view.login.button.click()
    ex.view.no_conflict.click()
    for k, v in {**FULL, "strength": 87.5}.items():
        ex.view.inputs[k].value = str(v)
    model.tick()
    assert "✎" in view.progress.value and "87.5" not in view.progress.value
    ex.view.code.value = info["codes"]["X01"]
    ex.view.confirm.click()
    model.tick()
    assert "1 / 30" in view.progress.value
    assert "✔" in view.progress.value and "87.5" not in view.progress.value
    assert model.results is None and "评审结束后显示结果" in view.results.value
    assert view.chart.layout.display == "none"  # no broken picture while results are hidden


def test_results_after_close_match_the_store(store):
    backend, info = store
    model, view = _board(backend, info["codes"]["chair"])
    view.panel.value = str(info["panels"]["P0"])
    assert model.panel_status == "closed"
    chair = backend.login(info["codes"]["chair"])
    expected = backend.results(chair, info["panels"]["P0"])
    ranking = model.results["ranking"]
    assert list(ranking.index) == list(expected.index)
    assert model.results["cut"] == 3  # the frozen cut line
    assert set(model.results["shortlist"].index) == set(expected.index[expected["rank"] <= 3])
    assert 0.0 <= model.results["p_cut"].min() and model.results["p_cut"].max() <= 1.0
    assert "scoring-ranking" in view.results.value and "Kendall" in view.results.value
    assert "加权和 · 去掉最高最低分后平均" in view.results.value  # labels, not keys
    assert view.chart.value[:4] == b"\x89PNG" and view.chart.layout.display is None
    name, data = model.download("xlsx")
    assert name.endswith(".xlsx")
    sheet = pd.read_excel(io.BytesIO(data), sheet_name=0, header=1)
    assert list(sheet.iloc[:, 0].astype(str)) == list(expected.index)
    assert "scoring-download" in view.downloads.value


def test_close_then_ranking_appears(store, tmp_path):
    backend, info = store
    model, view = _board(backend, info["codes"]["chair"])
    for x in ("X01", "X02"):
        ex = expert_app(backend, poll=False)
        ex.view.login.code.value = info["codes"][x]
        ex.view.login.button.click()
        ex.view.no_conflict.click()
        for pid in ("E001", "E002"):
            ex.model.select(pid)
            for k, v in FULL.items():
                ex.view.inputs[k].value = str(v + (5 if pid == "E002" else 0) - (x == "X02"))
            ex.view.code.value = info["codes"][x]
            ex.view.confirm.click()
            assert ex.model.sheet_status == "confirmed", ex.model.error
    view.close.click()  # 4 of 30 sheets confirmed: the board asks first, nothing is closed
    assert model.close_pending == 26 and model.panel_status == "open"
    assert view.close_box.layout.display is None and "26" in view.close_ask.value
    view.close_force.click()  # no reason: the store refuses
    assert "理由" in model.error and model.panel_status == "open"
    view.close_reason.value = "两位专家因故缺席，经组织者同意按已确认评分表结束"
    view.close_force.click()
    assert model.error == "" and model.panel_status == "closed"
    assert view.close_box.layout.display == "none"
    assert list(model.results["ranking"].index) == ["E002", "E001"]
    chair = backend.login(info["codes"]["chair"])
    rec = backend.close_record(chair, info["panels"]["P1"])
    assert rec["forced"] and rec["unconfirmed"] == 26 and rec["reason"].startswith("两位专家")
    model.report_samples = 200
    got = model.report_pdf()
    assert got is not None, model.error
    _name, pdf = got
    text = _pdf_text(pdf, tmp_path)
    assert "26份评分表未确认" in "".join(text.split()) and "两位专家因故缺席" in text


def test_close_without_asking_when_every_sheet_is_confirmed(store):
    backend, info = store
    model, view = _board(backend, info["codes"]["chair"])
    for x in ("X01", "X02", "X03", "X04", "X05"):
        ex = expert_app(backend, poll=False)
        ex.view.login.code.value = info["codes"][x]
        ex.view.login.button.click()
        ex.view.no_conflict.click()
        for pid in list(ex.model.order):
            ex.model.select(pid)
            for k, v in FULL.items():
                ex.view.inputs[k].value = str(v)
            ex.view.code.value = info["codes"][x]
            ex.view.confirm.click()
    view.close.click()  # everything confirmed: still asked, closing cannot be undone
    assert model.panel_status == "open" and view.close_box.layout.display is None
    assert "不能撤销" in view.close_ask.value and view.close_reason.layout.display == "none"
    assert view.close_force.description == "确认结束评审"
    seen = []
    model.observe(lambda c: seen.append(c["new"]), "computing")
    view.close_force.click()
    assert model.error == "" and model.close_pending == 0 and model.panel_status == "closed"
    assert seen == [True, False] and "scoring-ranking" in view.results.value
    rec = backend.close_record(backend.login(info["codes"]["chair"]), info["panels"]["P1"])
    assert not rec["forced"] and rec["unconfirmed"] == 0


def test_expert_code_cannot_open_the_board(store):
    backend, info = store
    model, _ = _board(backend, info["codes"]["X01"])
    assert not model.logged_in and "不适用" in model.error


def test_organizer_cannot_close_a_chaired_panel(store):
    backend, info = store
    model, view = _board(backend, info["codes"]["organizer"])
    assert model.panel_status == "open"
    view.close.click()  # sheets are unconfirmed: asked first
    view.close_reason.value = "组织者试图结束"
    view.close_force.click()  # the store refuses: only the panel's chair
    assert "主持人" in model.error and model.panel_status == "open"


def test_timer_start(store):
    backend, info = store
    model, view = _board(backend, info["codes"]["chair"])
    view.timer_pick.value = "E003"
    view.timer_go.click()
    assert model.timer_text.startswith("E003：陈述 10:00") or "陈述 09:5" in model.timer_text


def test_closing_keeps_the_board_on_the_same_panel(store):
    """Regression: the panel list is relabelled on close; the choice must not jump."""
    backend, info = store
    model, view = _board(backend, info["codes"]["chair"])
    view.panel.value = str(info["panels"]["P0"])
    view.panel.value = str(info["panels"]["P1"])
    view.close.click()
    view.close_reason.value = "回归测试"
    view.close_force.click()
    assert model.panel_id == str(info["panels"]["P1"]) == view.panel.value
    assert "已结束" in view.panel.label


def test_board_shows_who_has_declared_conflicts(store):
    backend, info = store
    model, view = _board(backend, info["codes"]["chair"])
    assert "回避声明" in view.progress.value
    table = view.progress.value.split("scoring-legend")[0]  # the matrix, not its legend
    assert "✔" not in table  # nobody has declared yet
    ex = expert_app(backend, poll=False)
    ex.view.login.code.value = info["codes"]["X01"]
    ex.view.login.button.click()
    ex.view.no_conflict.click()
    model.tick()
    row = model.matrix.xs("X01", level="expert_id").iloc[0]
    assert row["declared"] == "✔ ∅" and row["confirmed"] == "0 / 6"
    assert model.matrix.xs("X02", level="expert_id").iloc[0]["declared"] == "—"
    assert "✔ ∅" in view.progress.value.split("scoring-legend")[0]


def _pdf_text(data: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_pdf_report_download_after_close(store, tmp_path):
    """The chair board's PDF panel report (issue 5): a button once the panel is closed, progress
    while it builds, and a PDF that names the panel's first-ranked candidate."""
    backend, info = store
    model, view = _board(backend, info["codes"]["chair"])
    assert view.report_go.layout.display == "none"  # P1 is open: no report yet
    view.panel.value = str(info["panels"]["P0"])
    assert view.report_go.layout.display is None and not view.report_go.disabled
    model.report_samples = 500  # fewer robustness draws: same pages, faster test
    seen = []
    model.observe(lambda c: seen.append((c["new"], model.report_busy)), "report_done")
    view.report_go.click()
    assert model.error == ""
    assert (
        seen
        and all(busy for _d, busy in seen[:-1])
        and [d for d, _ in seen] == sorted(d for d, _ in seen)
    )
    assert model.report_done == model.report_total and not model.report_busy
    assert "已生成" in view.report_status.value
    model.lang = "en"  # the status line follows a language switch
    assert (
        "PDF report ready" in view.report_status.value and "已生成" not in view.report_status.value
    )
    assert "<th>Status</th>" in view.results.value or ">Status<" in view.results.value
    model.lang = "zh"
    assert ">入选情况<" in view.results.value  # the shortlist's status column has a header
    assert "panel_report_" in view.report_link.value and "application/pdf" in view.report_link.value
    name, data = model.report_file
    assert name.endswith(".pdf") and data[:5] == b"%PDF-"
    chair = backend.login(info["codes"]["chair"])
    ranking = backend.results(chair, info["panels"]["P0"])
    first = ranking.index[ranking["rank"] == 1][0]
    text = _pdf_text(data, tmp_path)
    assert first in text and str(ranking.at[first, "name"]) in text
    # back to the open panel: the button and the link go away
    view.panel.value = str(info["panels"]["P1"])
    assert view.report_go.layout.display == "none" and view.report_link.value == ""


def test_pdf_report_refused_before_close_and_to_an_expert(store):
    import pytest

    from scoring.store.errors import AccessDenied

    backend, info = store
    chair = backend.login(info["codes"]["chair"])
    with pytest.raises(AccessDenied, match="hidden until"):
        backend.panel_report(chair, info["panels"]["P1"], samples=100)
    expert = backend.login(info["codes"]["X01"])  # reads P0's results, but does not run it
    with pytest.raises(AccessDenied):
        backend.panel_report(expert, info["panels"]["P0"], samples=100)


def test_panel_label_replaces_a_status_carried_by_the_name(store):
    """Regression (docs/dashboard-board.png): the demo's open panel is named "第二组（进行中）";
    on close the dropdown read "第二组（进行中）（已结束）". The current status must replace it."""
    from scoring.ui.i18n import panel_base_name, panel_label

    assert panel_label("第二组（进行中）", "closed") == "第二组（已结束）"
    assert panel_label("第二组 (open)", "open", "en") == "第二组（open）"
    assert panel_base_name("第（二）组") == "第（二）组"  # other brackets are part of the name
    assert panel_base_name("（进行中）") == "（进行中）"  # never an empty name
    backend, info = store
    org = backend.wb.system_actor("test")
    from scoring.store import PanelConfig

    pid = backend.wb.create_panel(
        org,
        "第三组（进行中）",
        chair="CHAIR",
        members=["X01", "X02", "X03"],
        candidates=["E013", "E014"],
    )
    backend.wb.freeze_config(org, pid, PanelConfig.from_criteria())
    model, view = _board(backend, info["codes"]["chair"])
    view.panel.value = str(pid)
    assert view.panel.label == "第三组（未开始）"
    view.open.click()
    assert view.panel.label == "第三组（评审中）", model.error
    view.close.click()  # nothing confirmed: the board asks for a reason
    view.close_reason.value = "标签回归测试"
    view.close_force.click()
    assert view.panel.label == "第三组（已结束）"
    labels = [lab for lab, _v in view.panel.options]
    assert not any("）（" in lab for lab in labels), labels
    model.toggle_lang()
    assert view.panel.label == "第三组（closed）"


def test_stop_timer_and_the_chair_sees_what_is_timed(store):
    backend, info = store
    model, view = _board(backend, info["codes"]["chair"])
    assert view.timer_stop.disabled  # nothing is timed yet
    assert "未开始" in view.timer.value
    view.timer_pick.value = "E003"
    view.timer_go.click()
    assert model.timer_project == "E003" and model.timer_phase == "presentation"
    name = model.project_names["E003"]
    assert name and "E003" in view.timer.value and name in view.timer.value
    assert "陈述" in view.timer.value and not view.timer_stop.disabled
    # an expert's page reads the same timer from the store
    ex = expert_app(backend, poll=False)
    ex.view.login.code.value = info["codes"]["X01"]
    ex.view.login.button.click()
    ex.view.no_conflict.click()
    assert ex.model.timer_text.startswith("E003：陈述")
    view.timer_stop.click()
    assert model.error == "" and model.timer_phase == "stopped"
    assert "计时已停止" in view.timer.value and view.timer_stop.disabled
    ex.model._timer_read_at -= 3.0  # the expert's page re-reads the timer every 3 s
    ex.model.tick()
    assert ex.model.timer_text == "E003：计时已停止"
    chair = backend.login(info["codes"]["chair"])
    assert backend.timer(chair, info["panels"]["P1"]).stopped_at is not None
    model.stop_timer()  # stopping again is refused plainly
    assert "没有正在进行的计时" in model.error
    model.toggle_lang()
    assert "Timer stopped" in view.timer.value and view.timer_stop.description == "Stop timer"


def _click(view, css):
    """Click the button with class ``css`` among the board's requests (as a page would)."""
    for row in view.requests.pending.children:
        for child in row.children:
            if isinstance(child, __import__("ipywidgets").Button) and css in child._dom_classes:
                child.click()
                return
    raise AssertionError(f"no button {css}")


def test_the_chair_decides_requests_and_reopens_a_closed_panel_for_them(store):
    """Issue 11 item 2 on the board: an expert's correction request shows up; a rejection
    without a reason is refused; the chair approves one and rejects another with a reason;
    after the close a new request waits until the chair reopens the panel with a reason."""
    backend, info = store
    pid = info["panels"]["P1"]
    model, view = _board(backend, info["codes"]["chair"])
    assert view.requests.box.layout.display == "none"  # nothing asked yet
    ex = expert_app(backend, poll=False)
    ex.view.login.code.value = info["codes"]["X05"]
    ex.view.login.button.click()
    ex.view.no_conflict.click()
    for k, v in FULL.items():
        ex.view.inputs[k].value = str(v)
    ex.view.code.value = info["codes"]["X05"]
    ex.view.confirm.click()
    me = backend.login(info["codes"]["X05"])
    v = backend.sheet(me, pid, "E001").version
    asked = [
        backend.request_correction(me, pid, "E001", {**FULL, "market": m}, why, v)
        for m, why in ((72, "笔误"), (74, "再议"))
    ]
    model.refresh_requests(force=True)
    assert view.requests.box.layout.display is None
    assert "2 项待决定" in view.requests.title.value and "笔误" in str(
        [
            c.value
            for row in view.requests.pending.children
            for c in row.children
            if hasattr(c, "value")
        ]
    )
    _click(view, f"scoring-request-reject-{asked[0]}")
    assert "理由" in model.error and len(model.pending_requests()) == 2
    view.requests.notes[asked[0]].value = "与原始记录一致"
    _click(view, f"scoring-request-reject-{asked[0]}")
    _click(view, f"scoring-request-approve-{asked[1]}")
    assert not model.pending_requests(), model.error
    assert (
        "与原始记录一致" in view.requests.decided.value and "已批准" in view.requests.decided.value
    )
    assert backend.sheet(me, pid, "E001").scores["market"] == 74
    # after the close a request waits for a recorded reopening
    backend.close_panel(backend.login(info["codes"]["chair"]), pid, force=True, reason="测试")
    model.refresh(force=True)
    v = backend.sheet(me, pid, "E001").version
    late = backend.request_correction(me, pid, "E001", {**FULL, "market": 76}, "闭会后发现", v)
    model.refresh_requests(force=True)
    assert view.requests.reopen_box.layout.display is None
    view.requests.reopen_go.click()
    assert "原因" in model.error and model.panel_status == "closed"
    view.requests.reopen_reason.value = "处理闭会后更正申请"
    view.requests.reopen_go.click()
    assert model.panel_status == "open", model.error
    view.requests.notes[late].value = "同意"
    _click(view, f"scoring-request-approve-{late}")
    assert backend.sheet(me, pid, "E001").scores["market"] == 76


def test_board_and_bank_show_the_frozen_weights_not_only_the_hash(store):
    """Issue 11 item 3: the chair's board and the bank page show the frozen configuration in
    full: criteria, weights as %, aggregation, method, tie rule, cut line and its hash."""
    from scoring.ui.bank import bank_app

    backend, info = store
    model, view = _board(backend, info["codes"]["chair"])
    cfg, h = backend.panel_config(backend.login(info["codes"]["chair"]), info["panels"]["P1"])
    shown = view.config.value
    assert h[:12] in shown and "综合实力</th><td>25.0%" in shown and "项目风险 ↓" in shown
    assert "去掉最高最低分后平均" in shown and "并列规则" in shown
    bank = bank_app(backend)
    bank.view.login.code.value = info["codes"]["bank"]
    bank.view.login.button.click()
    assert bank.model.logged_in, bank.model.error
    text = bank.view.weights.children[0].value
    assert "已冻结的评审配置" in text and "综合实力</th><td>25.0%" in text


def test_timer_lengths_are_set_on_the_board_and_time_up_blinks(store):
    """Issue 11 item 7: the chair sets the talk and question minutes; when time is up the
    timer becomes a blinking red bar; the progress matrix has a legend; the page has help."""
    backend, info = store
    model, view = _board(backend, info["codes"]["chair"])
    assert "✔ ∅ = 已申报无利益冲突" in view.progress.value  # the legend under the matrix
    assert "使用说明" in view.help.value and "结束评审" in view.help.value
    view.timer_pick.value = "E003"
    view.timer_talk.value = 3
    view.timer_questions.value = 2
    view.timer_go.click()
    chair = backend.login(info["codes"]["chair"])
    state = backend.timer(chair, info["panels"]["P1"])
    assert (state.presentation_s, state.questions_s) == (180, 120), model.error
    assert "陈述 03:00" in model.timer_text or "陈述 02:5" in model.timer_text
    model.refresh_timer(now=state.started_at + 301)  # past 3 + 2 minutes
    assert model.timer_phase == "over"
    assert "scoring-timer-over" in view.timer.value and "scoring-blink" in view.timer.value
    model.lang = "en"
    assert "How to use" in view.help.value and view.timer_talk.description == "Talk (min)"


def test_the_timer_pick_filters_and_the_result_tables_sort(store):
    """Issue 11 item 7 on the board: typing a candidate's number picks it for the timer; the
    ranking, shortlist and progress tables are sortable by their headers."""
    backend, info = store
    model, view = _board(backend, info["codes"]["chair"])
    assert "scoring-progress-matrix sortable" in view.progress.value
    view.timer_filter.search.value = "e003"
    assert view.timer_pick.value == "E003" and len(view.timer_pick.options) == 1
    view.timer_go.click()
    assert model.timer_text.startswith("E003")
    view.timer_filter.search.value = ""
    assert view.timer_pick.value == "E003" and len(view.timer_pick.options) > 1
    view.panel.value = str(info["panels"]["P0"])
    assert "scoring-ranking sortable" in view.results.value
    assert "scoring-shortlist sortable" in view.results.value
