"""Expert page: widget values set in pytest against a real (SQLite) store; no browser."""

from __future__ import annotations

import pytest

from scoring.store import AccessDenied
from scoring.ui.expert import expert_app


def _login(backend, code):
    app = expert_app(backend, poll=False)
    view = app.view
    view.login.code.value = code
    view.login.button.click()
    return app.model, view


def _fill(view, values):
    for key, value in values.items():
        view.inputs[key].value = str(value)


FULL = {"strength": 85, "market": 70, "risk": 30, "poverty": 60, "demonstration": 75}


def test_wrong_code_is_refused(store):
    backend, info = store
    model, view = _login(backend, info["codes"]["X01"] + "X")
    assert not model.logged_in
    assert model.phase == "login"
    assert "访问码无效" in model.error
    assert "访问码无效" in view.messages.error.value


def test_other_roles_cannot_use_the_expert_page(store):
    backend, info = store
    model, _ = _login(backend, info["codes"]["chair"])
    assert not model.logged_in
    assert "不适用" in model.error


def test_conflicts_first_then_candidates_in_defense_order(store):
    backend, info = store
    model, view = _login(backend, info["codes"]["X02"])
    assert model.phase == "conflicts"
    assert view.body.children == (view.conflicts,)
    assert model.candidates is None  # nothing about candidates beyond names before declaring
    view.conflict_boxes[1].value = True  # E002
    view.conflict_reason.value = "曾任该企业顾问"
    view.declare.click()
    assert model.phase == "scoring", model.error
    assert model.order == ["E001", "E003", "E004", "E005", "E006"]
    assert model.progress_text == "0 / 5 已确认"
    # the store now refuses anything about E002 for this expert
    me = backend.login(info["codes"]["X02"])
    assert "E002" not in backend.candidates(me, info["panels"]["P1"]).index
    assert "营业收入" in view.card.value and "E001" in view.card.value


def test_drafts_save_visibly_and_match_the_database(store):
    backend, info = store
    model, view = _login(backend, info["codes"]["X01"])
    view.no_conflict.click()
    view.inputs["strength"].value = "85"
    assert model.error == ""
    assert model.sheet_status == "draft" and model.version == 1
    assert "综合实力 85" in view.saved.value and "市场前景 —" in view.saved.value
    me = backend.login(info["codes"]["X01"])
    stored = backend.sheet(me, info["panels"]["P1"], "E001")
    assert stored.scores == {"strength": 85.0} and stored.status == "draft"
    # the rubric descriptor of the band is shown beside the input
    assert "行业龙头" in view.descriptors["strength"].value
    # a value outside the scale is refused with a clear message and nothing is stored
    view.inputs["market"].value = "150"
    assert "0–100" in model.error
    assert backend.sheet(me, info["panels"]["P1"], "E001").version == 1


def test_comment_box_saves_with_the_draft_and_comes_back(store):
    backend, info = store
    model, view = _login(backend, info["codes"]["X01"])
    view.no_conflict.click()
    view.inputs["strength"].value = "85"
    view.comment.value = "产业链带动明显"  # typing: saved once typing pauses, not per key
    view.comment.value = "产业链带动明显，建议关注回款风险。"
    assert model.version == 1
    model.tick()  # within the pause: nothing saved yet
    assert model.version == 1
    model._comment_due = 0.0  # the pause has passed
    model.tick()
    assert model.error == "" and model.version == 2
    assert "评语：产业链带动明显" in view.saved.value
    me = backend.login(info["codes"]["X01"])
    stored = backend.sheet(me, info["panels"]["P1"], "E001")
    assert stored.comment == "产业链带动明显，建议关注回款风险。"
    assert stored.scores == {"strength": 85.0}
    # a score saved afterwards keeps the comment; another candidate has its own (empty) box
    view.inputs["market"].value = "70"
    assert backend.sheet(me, info["panels"]["P1"], "E001").comment.startswith("产业链")
    view.select.value = "E002"
    assert view.comment.value == "" and model.comment == ""
    # a new page (reload) shows the stored comment
    model2, view2 = _login(backend, info["codes"]["X01"])
    if model2.phase == "conflicts":
        view2.no_conflict.click()
    assert view2.comment.value == "产业链带动明显，建议关注回款风险。"


def test_confirm_needs_the_code_again_and_locks_the_sheet(store):
    backend, info = store
    model, view = _login(backend, info["codes"]["X03"])
    view.no_conflict.click()
    _fill(view, FULL)
    view.code.value = "wrong"
    view.confirm.click()
    assert "访问码不正确" in model.error  # refused by the store (a signature)
    assert model.sheet_status == "draft"
    view.code.value = info["codes"]["X03"]
    view.confirm.click()
    assert model.error == "", model.error
    assert model.sheet_status == "confirmed"
    assert model.progress_text == "1 / 6 已确认"
    assert view.inputs["strength"].disabled and view.confirm.disabled
    # a change after confirmation is refused in the page
    view.inputs["strength"].value = "10"
    assert "已确认" in model.error
    me = backend.login(info["codes"]["X03"])
    assert backend.sheet(me, info["panels"]["P1"], "E001").scores == {
        k: float(v) for k, v in FULL.items()
    }


def test_stale_page_is_told_and_reloaded(store):
    backend, info = store
    model_a, view_a = _login(backend, info["codes"]["X04"])
    model_b, view_b = _login(backend, info["codes"]["X04"])
    view_a.no_conflict.click()
    view_b.no_conflict.click()
    view_a.inputs["strength"].value = "80"
    view_b.inputs["strength"].value = "60"  # page B still shows version 0
    assert "已在别处更新" in model_b.notice
    assert model_b.scores == {"strength": 80.0}  # shows what the database holds


def test_language_switch(store):
    backend, info = store
    model, view = _login(backend, info["codes"]["X05"])
    view.header.lang.click()
    assert model.lang == "en"
    assert view.no_conflict.description == "No conflict, continue"
    view.no_conflict.click()
    assert model.progress_text == "0 / 6 confirmed"
    assert "Overall strength" in view.labels["strength"].value


def test_timer_started_by_the_chair_shows_on_the_expert_page(store, tmp_path):
    """The chair's board starts the timer; an expert page on another store connection (as on
    another machine: no shared files) shows it; the chair stops it."""
    from scoring.store import Workbench
    from scoring.ui.backend import StoreBackend
    from scoring.ui.board import board_app

    backend, info = store
    other = StoreBackend(workbench=Workbench(backend.wb.url))
    model, view = _login(other, info["codes"]["X01"])
    view.no_conflict.click()
    model.tick()
    assert model.timer_text == "答辩计时：未开始"
    board = board_app(backend, poll=False)
    board.view.login.code.value = info["codes"]["chair"]
    board.view.login.button.click()
    board.view.timer_pick.value = "E002"
    board.view.timer_go.click()
    assert board.model.error == ""
    model._timer_read_at -= 3.0  # the page re-reads the timer every 3 s (the time left: each tick)
    model.tick()
    assert model.timer_text.startswith("E002：陈述 ")
    assert "陈述" in view.status.value
    assert not list(tmp_path.glob("timers/*"))  # nothing on the machine's disk
    # an expert cannot start it, not even with a crafted call
    me = other.login(info["codes"]["X01"])
    with pytest.raises(AccessDenied):
        other.start_timer(me, info["panels"]["P1"], "E001")
    assert other.timer(me, info["panels"]["P1"]).project_id == "E002"
    backend.stop_timer(board.model.identity, info["panels"]["P1"])
    model._timer_read_at -= 3.0
    model.tick()
    assert model.timer_text == "E002：计时已停止"
    other.wb.close()


def test_conflicts_are_asked_only_until_declared(store):
    backend, info = store
    model, view = _login(backend, info["codes"]["X02"])
    assert model.phase == "conflicts"
    view.conflict_boxes[1].value = True  # E002
    view.conflict_reason.value = "曾任该企业顾问"
    view.declare.click()
    assert model.phase == "scoring", model.error
    # a reload (a new page, a new login) goes straight to the candidates
    model2, _view2 = _login(backend, info["codes"]["X02"])
    assert model2.phase == "scoring" and "E002" not in model2.order
    me = backend.login(info["codes"]["X02"])
    got = backend.wb.conflict_declaration(me, info["panels"]["P1"])
    assert got["projects"] == ["E002"]
    # another expert who has not declared is still asked
    model3, _ = _login(backend, info["codes"]["X03"])
    assert model3.phase == "conflicts"


def test_declaration_uses_the_accounts_expert_not_its_login(store):
    """An account whose login is not the expert id (ZHAO.LI scores as X05) declares for X05."""
    backend, info = store
    wb = backend.wb
    code = wb.create_account(wb.system_actor("t"), "ZHAO.LI", "expert", expert_id="X05")
    model, view = _login(backend, code)
    assert model.phase == "conflicts"
    view.conflict_boxes[0].value = True  # E001
    view.conflict_reason.value = "亲属任职"
    view.declare.click()
    assert model.phase == "scoring", model.error
    assert "E001" not in model.order
    me = backend.login(code)
    assert backend.expert_id(me) == "X05"
    chair = backend.login(info["codes"]["chair"])
    prog = backend.progress(chair, info["panels"]["P1"]).set_index(["expert_id", "project_id"])
    assert prog.at[("X05", "E001"), "status"] == "recused"
    board = backend.declarations(chair, info["panels"]["P1"]).set_index("expert_id")
    assert board.at["X05", "projects"] == ["E001"]


def test_bank_reviewer_on_a_panel_scores_through_the_expert_page(store):
    """A bank reviewer who is a member of a panel (kind bank) scores there like an expert; the
    page lists only the panels the account is a member of, never the others it may read."""
    from scoring.store import PanelConfig

    backend, info = store
    wb = backend.wb
    org = wb.system_actor("test")
    bank = backend.login(info["codes"]["bank"])  # X08, kind bank; a member of no panel yet
    model, _view = _login(backend, info["codes"]["bank"])
    assert not model.logged_in or model.panel_id == ""
    assert "没有可评分的评审组" in model.error
    assert {p["name"] for p in backend.panels(bank)} >= {"P0", "P1"}  # it reads them all
    pid = wb.create_panel(
        org, "银行组", chair="CHAIR", members=["X01", "X02", "X08"], candidates=["E013", "E014"]
    )
    wb.freeze_config(org, pid, PanelConfig.from_criteria())
    wb.open_panel(wb.login(info["codes"]["chair"]), pid)
    assert [p["id"] for p in backend.expert_panels(bank)] == [pid]
    model, view = _login(backend, info["codes"]["bank"])
    assert model.logged_in and model.panel_id == str(pid) and model.phase == "conflicts"
    view.no_conflict.click()
    assert model.order == ["E013", "E014"]
    _fill(view, FULL)
    view.code.value = info["codes"]["bank"]
    view.confirm.click()
    assert model.sheet_status == "confirmed", model.error
    chair = backend.login(info["codes"]["chair"])
    prog = backend.progress(chair, pid)
    row = prog[(prog.expert_id == "X08") & (prog.project_id == "E013")]
    assert row["status"].tolist() == ["confirmed"]


def test_card_leaves_out_blank_facts():
    import pandas as pd

    from scoring.ui.expert.card import candidate_card

    row = pd.Series(
        {
            "project_id": "R001",
            "name": "示例县",
            "kind": "region",
            "city": "大同市",
            "industry": "农业产业",
            "enterprise_type": float("nan"),
        }
    )
    card = candidate_card(row)
    assert "大同市" in card and "农业产业" in card and "企业类型" not in card


def test_a_forged_late_declaration_does_not_withdraw_a_confirmed_score(store):
    """Issue 10 item 1 through the page: after confirming E001 an expert ticks the (hidden)
    conflict box for E001 and clicks the declare button, as crafted comm messages would. The
    store refuses the declaration; the sheet stays confirmed and its score counts at the close."""
    backend, info = store
    pid = info["panels"]["P1"]
    model, view = _login(backend, info["codes"]["X03"])
    view.no_conflict.click()
    _fill(view, FULL)
    view.code.value = info["codes"]["X03"]
    view.confirm.click()
    assert model.sheet_status == "confirmed", model.error
    e001 = [i for i, (p, _n, _c) in enumerate(model.conflict_choices) if p == "E001"][0]
    view.conflict_boxes[e001].value = True  # what a comm "update" to the hidden box does
    view.conflict_reason.value = "突然想起的关系"
    view.declare.click()  # what a comm "click" on the hidden button does
    assert model.error, "the late declaration must be refused"
    me = backend.login(info["codes"]["X03"])
    assert backend.sheet(me, pid, "E001").status == "confirmed"
    assert backend.wb.conflict_declaration(me, pid)["projects"] == []
    chair = backend.login(info["codes"]["chair"])
    backend.wb.close_panel(chair, pid, force=True, reason="测试 / test")
    scores = backend.panel_scores(chair, pid)
    mine = scores[(scores["expert_id"] == "X03") & (scores["project_id"] == "E001")]
    assert dict(zip(mine["criterion"], mine["score"], strict=True)) == {
        k: float(v) for k, v in FULL.items()
    }


def test_an_expert_on_two_panels_picks_the_panel_and_sees_which(store):
    """X01 sits on the open defense panel P1 and on an open evaluation panel P2 (another date,
    another criteria set): the page offers both, says which panel and date it shows, and
    switching rebuilds the conflicts step and the score inputs for that panel."""
    backend, info = store
    wb = backend.wb
    org = wb.system_actor("test")
    p2 = wb.create_panel(
        org,
        "P2",
        date="2026-03-21",
        chair="CHAIR",
        members=["X01", "X02", "X03"],
        candidates=["E013", "E014"],
        purpose="evaluation",
        criteria_set="evaluation-enterprise",
    )
    wb.freeze_config(org, p2)
    wb.open_panel(backend.login(info["codes"]["chair"]), p2)
    model, view = _login(backend, info["codes"]["X01"])
    # the open panels first, then the closed one he sat on
    assert [pid for _label, pid in model.panels] == [
        str(info["panels"]["P1"]),
        str(p2),
        str(info["panels"]["P0"]),
    ]
    assert "2026-03-21" in model.panels[1][0] and "评审中" in model.panels[1][0]
    assert view.panel_pick.layout.display is None  # shown: there is a choice
    assert model.panel_id == str(info["panels"]["P1"])
    view.no_conflict.click()
    assert list(view.inputs) == list(FULL)
    view.panel_pick.value = str(p2)
    assert model.panel_name == "P2" and model.panel_date == "2026-03-21"
    assert model.phase == "conflicts"  # P2's conflicts are asked first
    assert [c[0] for c in model.conflict_choices] == ["E013", "E014"]
    assert len(view.conflict_boxes) == 2
    view.no_conflict.click()
    assert model.phase == "scoring" and model.order == ["E013", "E014"]
    assert list(view.inputs) == [
        "organisation", "groundwork", "goals", "performance", "innovation", "green", "global",
    ]  # fmt: skip
    assert "P2" in view.status.value and "2026-03-21" in view.status.value
    view.inputs["organisation"].value = "88"
    me = backend.login(info["codes"]["X01"])
    assert backend.sheet(me, p2, "E013").scores == {"organisation": 88.0}
    view.panel_pick.value = str(info["panels"]["P1"])  # back: the defense sheet again
    assert model.phase == "scoring" and list(view.inputs) == list(FULL)
    assert model.order[0] == "E001"


def test_a_correction_asked_on_the_page_is_decided_by_the_chair_and_shown(store):
    """Issue 11 item 2: the expert asks to change a confirmed sheet (reason and new values);
    the chair rejects with a reason, then approves a second request; the page shows each
    decision with the chair's reason, and the approved values become the sheet's."""
    backend, info = store
    pid = info["panels"]["P1"]
    model, view = _login(backend, info["codes"]["X04"])
    view.no_conflict.click()
    _fill(view, FULL)
    view.code.value = info["codes"]["X04"]
    view.confirm.click()
    assert model.sheet_status == "confirmed", model.error
    form = view.correction
    assert form.open.layout.display is None and form.form.layout.display == "none"
    form.open.click()
    assert form.inputs["strength"].value == "85"  # prefilled with the confirmed values
    form.inputs["strength"].value = "88"
    form.send.click()  # no reason
    assert "原因" in model.error and not model.requests
    form.reason.value = "综合实力分录入有误"
    form.inputs["market"].value = "200"  # off the scale
    form.send.click()
    assert "0–100" in model.error and not model.requests
    form.inputs["market"].value = "70"
    form.send.click()
    assert model.requests and model.requests[-1]["status"] == "pending", model.error
    assert "等待主持人决定" in model.notice and "待主持人决定" in form.history.value
    assert form.open.disabled  # one pending request at a time
    chair = backend.login(info["codes"]["chair"])
    first = int(model.requests[-1]["id"])
    backend.decide_request(chair, first, approve=False, note="原分有据，维持")
    model._requests_read_at = 0.0
    model.tick()
    assert "已驳回" in form.history.value and "原分有据，维持" in form.history.value
    assert model.scores["strength"] == 85 and not form.open.disabled
    form.open.click()
    form.inputs["strength"].value = "88"
    form.reason.value = "补充材料后更正"
    form.send.click()
    second = int(model.requests[-1]["id"])
    backend.decide_request(chair, second, approve=True, note="同意")
    model._requests_read_at = 0.0
    model.tick()
    assert model.scores["strength"] == 88 and model.sheet_status == "confirmed"
    assert "已批准" in form.history.value and view.inputs["strength"].value == "88"
    model.lang = "en"
    assert "approved" in form.history.value and form.open.description == "Request a correction"
    me = backend.login(info["codes"]["X04"])
    assert backend.sheet(me, pid, "E001").scores["strength"] == 88


def test_a_comment_being_typed_is_saved_before_switching_and_before_signing(store):
    backend, info = store
    model, view = _login(backend, info["codes"]["X05"])
    view.no_conflict.click()
    view.comment.value = "切换前输入的评语"
    view.select.value = model.order[1]  # switching saves what was typed for the first
    me = backend.login(info["codes"]["X05"])
    pid = info["panels"]["P1"]
    assert backend.sheet(me, pid, model.order[0]).comment == "切换前输入的评语"
    _fill(view, FULL)
    view.comment.value = "签字前的评语"
    view.code.value = info["codes"]["X05"]
    view.confirm.click()
    got = backend.sheet(me, pid, model.order[1])
    assert got.status == "confirmed" and got.comment == "签字前的评语", model.error


def _live_widgets() -> int:
    from ipywidgets.widgets import widget as widget_module

    return len(widget_module._instances)


def test_saving_and_ticking_open_no_new_widget(store):
    """Each new widget is a comm opened towards the browser: a save that made ten (a ``style``
    dict assigned on every render) cost the server and the page for nothing, and they piled up."""
    backend, info = store
    model, view = _login(backend, info["codes"]["X01"])
    view.no_conflict.click()
    before = _live_widgets()
    for i, key in enumerate(FULL):
        view.inputs[key].value = str(FULL[key] - i)
    model.tick()
    view.select.value = model.order[1]
    view.select.value = model.order[0]
    assert model.sheet_status == "draft", model.error
    assert _live_widgets() == before


class _Counting:
    """A backend that counts the store calls a page makes."""

    def __init__(self, backend):
        self._backend = backend
        self.calls: list[str] = []

    def __getattr__(self, name):
        attr = getattr(self._backend, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            self.calls.append(name)
            return attr(*args, **kwargs)

        return call


def test_an_idle_page_reads_the_timer_every_3_s_and_the_progress_every_10_s(store, monkeypatch):
    import time

    backend, info = store
    counting = _Counting(backend)
    model, view = _login(counting, info["codes"]["X01"])
    view.no_conflict.click()
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    model._timer_read_at = model._progress_read_at = clock[0]
    counting.calls.clear()
    for _ in range(10):  # ten ticks, one second apart
        clock[0] += 1.0
        model.tick()
    assert counting.calls.count("timer") == 3  # at 3, 6 and 9 s
    assert counting.calls.count("my_progress") == 1  # at 10 s
    assert model.timer_text == "答辩计时：未开始"
