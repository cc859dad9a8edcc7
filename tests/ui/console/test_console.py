"""Organizer console against a real store: upload with validation report, live preview,
panel set-up, freezing, access codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.store import NotFound
from scoring.ui.board import board_app
from scoring.ui.console import console_app

DEMO = Path(__file__).resolve().parents[3] / "data" / "demo"


def _console(backend, code):
    app = console_app(backend)
    app.view.login.code.value = code
    app.view.login.button.click()
    return app.model, app.view


def test_bad_upload_shows_every_problem_and_imports_nothing(store):
    backend, info = store
    model, view = _console(backend, info["codes"]["organizer"])
    assert model.logged_in, model.error
    org = backend.login(info["codes"]["organizer"])
    before = len(backend.all_candidates(org))
    lines = (DEMO / "candidates.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    bad = [lines[0]]
    for i, line in enumerate(lines[1:4]):
        cells = line.split(",")
        cells[0] = f"N{i:03d}"
        if i == 1:
            cells[header.index("revenue_2025")] = "abc"  # row 3: not a number
        if i == 2:
            cells[header.index("city")] = "火星市"  # row 4: unknown city
        bad.append(",".join(cells))
    model.upload("candidates", "bad.csv", ("\n".join(bad) + "\n").encode("utf-8"))
    assert model.error
    rows = {r for r, _c, _m in model.report}
    assert {3, 4} <= rows, model.report
    assert "scoring-table" in view.report.value
    assert len(backend.all_candidates(org)) == before
    # one language at a time: the report names the column by its header and says the problem
    # in the page's language only
    shown = view.report.value
    assert "“abc”不是数字" in shown and "2025年营业收入(亿元)" in shown, shown
    assert "is not a number" not in shown and "问题" in shown and "problem" not in shown
    model.lang = "en"
    shown = view.report.value
    assert (
        "&#x27;abc&#x27; is not a number" in shown
        and "不是数字" not in shown
        and "Problem" in shown
    )


def test_good_upload_is_idempotent(store):
    backend, info = store
    model, _ = _console(backend, info["codes"]["organizer"])
    data = (DEMO / "experts.csv").read_bytes()
    assert model.upload("experts", "experts.csv", data), model.error
    assert "=9" in model.notice  # re-importing the same file changes nothing


def test_weights_preview_moves_the_ranking(store):
    backend, info = store
    model, view = _console(backend, info["codes"]["organizer"])
    assert model.preview is not None
    assert (model.preview["move"] == 0).all()  # default weights: no move
    for k, s in view.sliders.items():
        s.value = 1.0 if k == "poverty" else 0.05
    from scoring.engine.aggregation import aggregate
    from scoring.engine.ranking import rank

    chair = backend.login(info["codes"]["chair"])
    long = backend.panel_scores(chair, info["panels"]["P0"])
    expected = rank(
        aggregate(long, how="trimmed_mean"),
        weights=model.weights,
        objectives=model.criteria.objectives,
    )
    assert model.preview["rank"].to_dict() == expected["rank"].to_dict()
    assert "scoring-table" in view.preview.value


def test_panel_freeze_and_codes_then_chair_opens(store):
    backend, info = store
    model, view = _console(backend, info["codes"]["organizer"])
    view.p_name.value = "P2"
    view.p_chair.value = "CHAIR"
    view.p_members.value = ("X01", "X02", "X03")
    view.p_order.value = "E020, E021，E022"
    view.p_create.click()
    assert model.error == "", model.error
    pid = next(p["id"] for p in model.panels if p["name"] == "P2")
    view.method.value = "topsis"
    view.f_panel.value = pid
    view.f_go.click()  # asks first: nothing frozen yet
    assert model.freeze_pending == str(pid) and not model.frozen_hash
    with pytest.raises(NotFound):
        backend.panel_config(backend.login(info["codes"]["organizer"]), pid)
    view.f_yes.click()
    assert model.error == "" and len(model.frozen_hash) == 64
    cfg, h = backend.panel_config(backend.login(info["codes"]["organizer"]), pid)
    assert cfg.ranking_method == "topsis" and h == model.frozen_hash
    view.f_go.click()  # the frozen configuration cannot change (a second freeze of the same: ok)
    view.f_yes.click()
    view.k_login.value = "X06"
    view.k_role.value = "expert"
    view.k_expert.value = "X06"
    view.k_go.click()
    code = model.issued
    assert code.startswith("X06-") and code in view.k_out.value
    assert backend.login(code).role == "expert"
    board = board_app(backend, poll=False)
    board.view.login.code.value = info["codes"]["chair"]
    board.view.login.button.click()
    board.view.panel.value = str(pid)
    board.view.open.click()
    assert board.model.panel_status == "open", board.model.error


def test_non_organizer_refused(store):
    backend, info = store
    model, _ = _console(backend, info["codes"]["chair"])
    assert not model.logged_in


def test_tab_titles_and_upload_buttons_are_whole_words_in_both_languages(store):
    backend, info = store
    model, view = _console(backend, info["codes"]["organizer"])
    assert view.tabs.titles[:2] == ("上传申报项目", "指标与权重")
    assert view.up_cands.description == view.up_experts.description == "选择文件"
    model.lang = "en"
    assert view.tabs.titles[:2] == ("Upload", "Weights")  # was "Crite", cut at 5 characters
    assert view.up_cands.description == "Choose file"  # was ipywidgets' "Upload" in Chinese too


def test_dropdowns_show_localized_labels_keep_keys_and_the_cut_defaults(store):
    backend, info = store
    model, view = _console(backend, info["codes"]["organizer"])
    labels = dict((v, k) for k, v in view.method.options)
    assert labels["weighted_sum"] == "加权和" and labels["moora"].startswith("MOORA")
    aggs = dict((v, k) for k, v in view.aggregation.options)
    assert aggs["trimmed_mean"] == "去掉最高最低分后平均" and aggs["zscore"] == "标准分"
    assert view.method.label == "加权和" and view.method.value == "weighted_sum"
    view.method.value = "topsis"
    view.aggregation.value = "median"
    assert model.method == "topsis" and model.aggregation == "median"
    assert "默认权重名次" in view.preview.value and "default" not in view.preview.value
    assert model.cut_size == 30 and view.cut.value == 30 and model.config().cut_size == 30
    for wrong in (-5, 9999):  # refused with a message naming the range, not clamped silently
        view.cut.value = wrong
        assert model.cut_size == 30 and view.cut.value == 30
        assert "0–500" in model.error and str(wrong) in model.error
    view.cut.value = 0
    assert model.error == ""  # a right value clears the refusal
    assert model.config().cut_size is None and "未设定" in view.cut_hint.value
    model.toggle_lang()  # English: the keys survive, no Chinese left in these labels
    assert view.method.value == "topsis" and view.aggregation.value == "median"
    assert view.method.label == "TOPSIS" and view.aggregation.label == "Median"
    assert "not set" in view.cut_hint.value and "Rank, default weights" in view.preview.value
    touched = [
        *[k for k, _v in view.method.options],
        *[k for k, _v in view.aggregation.options],
        *[k for k, _v in view.k_role.options],
        view.method.description,
        view.aggregation.description,
        view.cut.description,
        view.cut_hint.value,
        view.p_name.description,
        view.p_chair.description,
        view.c_reason.placeholder,
        view.k_expert.placeholder,
    ]
    assert not [t for t in touched if any("\u4e00" <= ch <= "\u9fff" for ch in t)], touched


def test_an_evaluation_panel_is_configured_on_its_own_criteria(store):
    """A panel created on the enterprise evaluation set scores followed projects (of the latest
    follow-up year) and gets seven weight sliders when chosen for freezing, and freezes that set
    with the weights set on them; the defense is untouched."""
    backend, info = store
    import pandas as pd

    sysa = backend.wb.system_actor("test")
    cands = pd.read_csv(DEMO / "candidates.csv", dtype=str, keep_default_na=False)
    backend.wb.followed.import_projects(
        sysa, cands[cands["project_id"].isin(["E020", "E021"])], year=2026
    )
    backend.wb.periods.create_year(sysa, 2026)
    model, view = _console(backend, info["codes"]["organizer"])
    assert list(view.sliders) == ["strength", "market", "risk", "poverty", "demonstration"]
    assert dict(view.p_set.options)["企业项目年度绩效评估"] == "evaluation-enterprise"
    view.p_name.value = "评估一组"
    view.p_set.value = "evaluation-enterprise"
    view.p_chair.value = "CHAIR"
    view.p_members.value = ("X01", "X02", "X03")
    view.p_order.value = "E020, E021"
    view.p_create.click()
    assert model.error == "", model.error
    pid = next(p["id"] for p in model.panels if p["name"] == "评估一组")
    ev = backend.wb.evaluation.panels(sysa).set_index("id").loc[int(pid)]
    assert (ev["year"], ev["kind"]) == (2026, "enterprise")
    view.f_panel.value = pid
    keys = ["organisation", "groundwork", "goals", "performance", "innovation", "green", "global"]
    assert list(view.sliders) == keys and model.criteria_name == "evaluation-enterprise"
    assert view.sliders_box.children == tuple(view.sliders.values())
    assert view.sliders["organisation"].description == "组织保障"
    assert "企业项目年度绩效评估" in view.criteria_title.value
    assert model.preview is None  # the closed defense panel's scores are not on these criteria
    view.sliders["goals"].value = 0.5
    view.f_go.click()
    view.f_yes.click()
    assert model.error == "", model.error
    org = backend.login(info["codes"]["organizer"])
    cfg, _h = backend.panel_config(org, pid)
    assert cfg.keys == tuple(keys) and cfg.purpose == "evaluation"
    assert cfg.weights["goals"] > cfg.weights["organisation"]
    model.toggle_lang()
    assert view.sliders["organisation"].description == "Organisation"


def test_the_upload_limit_is_said_before_and_a_bigger_file_is_refused_with_it(store, monkeypatch):
    """The console states the import caps next to the upload buttons; a file over the size cap
    is refused with a message naming the cap, and nothing is imported."""
    monkeypatch.setenv("SCORING_IMPORT_MAX_MB", "1")
    backend, info = store
    model, view = _console(backend, info["codes"]["organizer"])
    assert "1 MB" in view.upload_limit.value and "20,000" in view.upload_limit.value
    org = backend.login(info["codes"]["organizer"])
    before = len(backend.all_candidates(org))
    lines = (DEMO / "candidates.csv").read_text(encoding="utf-8-sig").splitlines()
    body = "\n".join([lines[0], *(lines[1:] * 400)]) + "\n"  # ~2 MB
    assert len(body.encode("utf-8")) > 2**20
    assert not model.upload("candidates", "big.csv", body.encode("utf-8"))
    assert "1 MB" in model.error, model.error
    assert len(backend.all_candidates(org)) == before
    model.toggle_lang()
    assert "Each file at most 20,000 rows and 1 MB" in view.upload_limit.value


def test_the_server_lets_uploads_up_to_twice_the_cap_through_its_websocket(monkeypatch):
    from scoring.ui.serve import voila_config

    monkeypatch.setenv("SCORING_IMPORT_MAX_MB", "40")
    assert voila_config(8866).Voila.tornado_settings["websocket_max_message_size"] == 80 * 2**20
    monkeypatch.delenv("SCORING_IMPORT_MAX_MB")
    assert voila_config(8866).Voila.tornado_settings["websocket_max_message_size"] == 40 * 2**20


def test_freezing_shows_the_whole_configuration_and_asks_first(store):
    """Issue 11 item 3: with no panel chosen the console says so (not an "internal error");
    freezing shows the criteria set, the weights as %, aggregation, method, tie rule and cut
    line and freezes only on an explicit yes; "back" freezes nothing."""
    backend, info = store
    model, view = _console(backend, info["codes"]["organizer"])
    view.f_panel.value = None
    view.f_go.click()
    assert "请先选择" in model.error and "内部错误" not in model.error
    view.p_name.value = "P3"
    view.p_chair.value = "CHAIR"
    view.p_members.value = ("X01", "X02", "X03")
    view.p_order.value = "E020"
    view.p_create.click()
    pid = next(p["id"] for p in model.panels if p["name"] == "P3")
    view.f_panel.value = pid
    for k, s in view.sliders.items():
        s.value = 0.5 if k == "market" else 0.25
    view.cut.value = 12
    view.f_go.click()
    box = view.f_summary.value
    assert view.f_confirm.layout.display is None and view.f_go.disabled
    assert "冻结后不可更改" in box and "P3" in box and "竞争性答辩论证" in box
    assert "市场前景</th><td>33.3%" in box and "综合实力</th><td>16.7%" in box
    assert "项目风险 ↓" in box and "去掉最高最低分后平均" in box and "加权和" in box
    assert "并列者全部入围" in box and "前 12 名" in box
    view.f_no.click()
    org = backend.login(info["codes"]["organizer"])
    with pytest.raises(NotFound):
        backend.panel_config(org, pid)
    assert view.f_confirm.layout.display == "none"
    view.f_go.click()
    model.toggle_lang()
    assert "Freezing cannot be undone" in view.f_summary.value and "top 12" in view.f_summary.value
    view.f_yes.click()
    cfg, _h = backend.panel_config(org, pid)
    assert round(cfg.weights["market"] / sum(cfg.weights.values()), 3) == 0.333
    assert cfg.cut_size == 12


def test_an_internal_error_reference_is_found_in_the_console(store, monkeypatch, tmp_path):
    """Issue 11 item 3: an unexpected error on a page shows "内部错误（编号 …）"; the same
    reference is in the journal the organizer console lists, with where and what."""
    import re

    from scoring.ui.error_journal import journal_path

    monkeypatch.setenv("SCORING_HOME", str(tmp_path))
    backend, info = store
    model, view = _console(backend, info["codes"]["organizer"])

    monkeypatch.setattr(backend, "freeze", lambda *_a, **_k: 1 / 0)  # an unexpected failure
    view.p_name.value = "P9"
    view.p_chair.value = "CHAIR"
    view.p_members.value = ("X01", "X02", "X03")
    view.p_order.value = "E020"
    view.p_create.click()
    pid = next(p["id"] for p in model.panels if p["name"] == "P9")
    view.f_panel.value = pid
    view.f_go.click()
    view.f_yes.click()
    ref = re.search(r"编号 ([0-9a-f]{8})", model.error).group(1)
    assert journal_path().is_file()
    view.tabs.selected_index = 4
    listed = view.e_list.value
    assert ref in listed and "ZeroDivisionError" in listed and "console" in listed
    assert model.recent_errors()[0]["ref"] == ref


def test_panel_set_up_is_checked_corrected_deleted_and_codes_printed(store):
    """Issue 11 item 4 on the console: the form names every missing part in the page's
    language; a draft panel is loaded back, corrected and saved; another is deleted with a
    reason; the lists show panels, candidates (searchable) and accounts; the printable codes
    sheet reissues the panel's codes (the new ones log in, the old ones no longer)."""
    backend, info = store
    model, view = _console(backend, info["codes"]["organizer"])
    view.p_name.value = " "
    view.p_date.value = "下周三"
    view.p_members.value = ("X01",)
    view.p_order.value = "E020, NOPE"
    view.p_create.click()
    for part in ("名称", "日期无效", "主持人", "至少需要 3 名专家（已选 1 名）", "NOPE"):
        assert part in model.error, (part, model.error)
    before = {p["name"] for p in model.panels}
    view.p_name.value = "三组"
    view.p_date.value = "2026/4/2"
    view.p_chair.value = "chair"
    view.p_members.value = ("X01", "X02", "X03")
    view.p_order.value = "E020, E021"
    view.p_create.click()
    assert model.error == "", model.error
    pid = next(p["id"] for p in model.panels if p["name"] == "三组")
    assert {p["name"] for p in model.panels} == before | {"三组"}
    assert "三组 #" in view.setup.panels.value and "2026-04-02" in view.setup.panels.value
    # load it back, correct it
    view.setup.edit_pick.value = pid
    view.setup.edit_go.click()
    assert model.editing == pid and view.p_order.value == "E020, E021"
    assert view.p_create.description == "保存修改" and "正在修改：三组" in view.setup.editing.value
    view.p_order.value = "E021, E020, E022"
    view.p_create.click()
    org = backend.login(info["codes"]["organizer"])
    assert backend.panel_setup(org, pid)["candidates"] == ["E021", "E020", "E022"]
    assert model.editing == 0
    # delete needs a reason
    view.setup.edit_pick.value = pid
    view.setup.delete_go.click()
    assert "原因" in model.error and pid in {p["id"] for p in model.panels}
    view.setup.delete_reason.value = "重复创建"
    view.setup.delete_go.click()
    assert pid not in {p["id"] for p in model.panels}
    # candidates searchable, accounts listed
    view.setup.search.value = "E02"
    assert "E020" in view.setup.candidates.value and "E001 " not in view.setup.candidates.value
    assert "CHAIR" in view.setup.accounts.value and "评审组长" in view.setup.accounts.value
    # printable codes of P1: refused without the tick, then old codes stop working
    p1 = info["panels"]["P1"]
    view.setup.codes_panel.value = p1
    view.setup.codes_go.click()
    assert "勾选" in model.error and not view.setup.codes_out.value
    view.setup.codes_ack.value = True
    view.setup.codes_go.click()
    assert "access-codes-panel" in view.setup.codes_out.value, model.error
    import base64
    import re

    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", view.setup.codes_out.value)[1])
    text = data.decode("utf-8")
    codes = re.findall(r"[A-Z0-9_.]+-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text)
    members = backend.panel_setup(org, p1)
    assert len(codes) == len(members["members"]) + 1  # the chair and each member
    assert backend.login(codes[0]).login == members["chair"]
    from scoring.store import AccessDenied

    with pytest.raises((AccessDenied, ValueError)):
        backend.login(info["codes"]["X01"])  # reissued: the old code is void


def test_member_and_candidate_picks_filter_and_a_loaded_panel_shows_all_its_members(store):
    """Issue 11 item 7 on the console: the members list and the conflict picks have a search
    box; members chosen before a search stay chosen; loading a panel back clears a search
    that would hide its members."""
    backend, info = store
    model, view = _console(backend, info["codes"]["organizer"])
    assert view.members_filter.search.placeholder == "输入编号或名称筛选"
    view.members_filter.search.value = "x01"
    assert [v for _l, v in view.p_members.options] == ["X01"]
    view.p_members.value = ("X01",)
    view.members_filter.search.value = "X0"
    view.p_members.value = ("X01", "X02", "X03")
    view.project_filter.search.value = "E021"
    assert view.c_project.value == "E021"
    view.expert_filter.search.value = "X02"
    assert view.c_expert.value == "X02"
    view.p_name.value = "筛选组"
    view.p_date.value = "2026-04-02"
    view.p_chair.value = "CHAIR"
    view.p_order.value = "E020, E021"
    view.p_create.click()
    assert model.error == "", model.error
    pid = next(p["id"] for p in model.panels if p["name"] == "筛选组")
    view.p_members.value = ()
    view.members_filter.search.value = "X09"  # hides the panel's members
    assert [v for _l, v in view.p_members.options] == ["X09"]
    view.setup.edit_pick.value = pid
    view.setup.edit_go.click()
    assert view.members_filter.search.value == ""
    assert set(view.p_members.value) == {"X01", "X02", "X03"}


def test_an_exited_project_is_refused_at_import_until_the_organizer_allows_it(store):
    """The year-to-year cycle on the console: a project that exited in an earlier year is
    refused in a new candidates file (row and column named, nothing imported); the console
    lists it; the override needs a reason; after it, the same file imports."""
    import pandas as pd

    backend, info = store
    sysa = backend.wb.system_actor("test")
    cands = pd.read_csv(DEMO / "candidates.csv", dtype=str, keep_default_na=False)
    backend.wb.followed.import_projects(sysa, cands[cands["project_id"] == "E030"], year=2025)
    backend.wb.exits.decide(sysa, "E030", exit=True, reason="连续两期未报送台帐", grounds=[])
    model, view = _console(backend, info["codes"]["organizer"])
    assert (
        "E030" in view.recommend.table.value and "连续两期未报送台帐" in view.recommend.table.value
    )
    body = "\n".join(
        (DEMO / "candidates.csv").read_text(encoding="utf-8-sig").splitlines()[:1]
        + [
            line
            for line in (DEMO / "candidates.csv").read_text(encoding="utf-8-sig").splitlines()
            if line.startswith("E030,")
        ]
    ).encode("utf-8")
    org = backend.login(info["codes"]["organizer"])
    before = len(backend.all_candidates(org))
    assert not model.upload("candidates", "next.csv", body)
    assert "E030" in model.error and "退出" in model.error and "「项目编号」" in model.error
    assert "exited" not in model.error, model.error  # one language
    assert [(r[0], r[1]) for r in model.report] == [(2, "project_id")], model.report
    assert len(backend.all_candidates(org)) == before
    view.recommend.pick.value = "E030"
    view.recommend.reason.value = ""
    view.recommend.go.click()
    assert model.error, "an override needs a reason"
    view.recommend.reason.value = "整改完成，市局重新推荐"
    view.recommend.go.click()
    assert model.error == "" and "E030" in model.notice
    assert "整改完成，市局重新推荐" in view.recommend.table.value
    assert model.upload("candidates", "next.csv", body), model.error


def test_an_unreadable_workbook_is_reported_in_the_page_language_only(store):
    backend, info = store
    model, view = _console(backend, info["codes"]["organizer"])
    assert not model.upload("experts", "bad.xlsx", b"not a zip")
    shown = view.report.value
    assert "不是可读取的 xlsx 工作簿（BadZipFile），请另存为 .xlsx" in shown, shown
    assert "readable" not in shown and "bad.xlsx" in model.error, model.error
    model.lang = "en"
    shown = view.report.value
    assert "not a readable xlsx workbook (BadZipFile); save it as .xlsx" in shown, shown
    assert "工作簿" not in shown


def test_an_experts_file_missing_columns_names_the_experts_columns(store):
    backend, info = store
    model, view = _console(backend, info["codes"]["organizer"])
    assert not model.upload("experts", "experts.csv", "专家编号,工作单位\nX9,示例单位\n".encode())
    shown = view.report.value
    assert "缺少必填列“姓名”" in shown and "缺少必填列“专家类别”" in shown, shown
    assert ">姓名</td>" in shown and ">专家类别</td>" in shown, shown
    assert "企业名称" not in shown and "项目类型" not in shown, shown
    assert not model.upload("candidates", "c.csv", "项目编号,所属城市\nE9,太原市\n".encode())
    shown = view.report.value
    assert ">企业名称(区域名称)</td>" in shown and "缺少必填列“项目类型”" in shown, shown
