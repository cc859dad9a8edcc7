"""项目报送 against a seeded follow-up store: periods, editing, checks, autosave, submit."""

from __future__ import annotations

from scoring.ui.reporting import reporting_app


def _login(backend, code):
    app = reporting_app(backend)
    app.view.login.code.value = code
    app.view.login.button.click()
    return app.model, app.view


def _fill(view, model, good):
    b0 = good["blocks"][0]
    r0 = b0["rows"][0]
    view.contact.value = good["contact"]
    view._row_widgets[(0, "industries")].value = "54"
    for k, v in r0.items():
        box = view._row_widgets[(0, 0, k)]
        box.value = v if k == "progress" else str(v)
    view._row_widgets[("ind", "revenue", "value")].value = "3"
    view._row_widgets[("ind", "cost_profit_ratio", "inputs.profit")].value = "1"
    view._row_widgets[("ind", "cost_profit_ratio", "inputs.cost")].value = "10"


def test_unit_sees_its_periods_and_fills_and_submits(fu):
    backend, info = fu
    model, view = _login(backend, info["codes"]["unit"])
    assert model.logged_in, model.error
    assert model.projects == [("F001 晋示例远帆物流有限公司", "F001")]
    assert [p["key"] for p in model.periods][:2] == ["2026Q1", "2026Q2"]
    assert model.period_key == "2026Q1"
    assert "2026-04-15" in view.periods.value and "2026-04-30" in view.periods.value
    assert model.editable
    # a new ledger starts from the project: the core enterprise block
    assert model.content["blocks"][0]["name"] == "晋示例远帆物流有限公司"
    _fill(view, model, info["good"]())
    me = backend.login(info["codes"]["unit"])
    stored = backend.ledger(me, "F001", "2026Q1")
    assert stored.content["contact"] == "王五 0351-1234567"
    assert stored.content["blocks"][0]["rows"][0]["loan"] == 500.0
    assert "数据库中" in view.saved.value and f"第 {stored.version} 版" in view.saved.value
    assert "10" in view._row_widgets[("ind", "cost_profit_ratio", "computed")].value
    view.submit.click()
    assert model.error == "", model.error
    assert backend.ledger(me, "F001", "2026Q1").status == "submitted"
    assert not model.editable and "已报送" in view.status.value


def test_checks_name_fields_and_submit_is_refused(fu):
    backend, info = fu
    model, view = _login(backend, info["codes"]["unit"])
    view._row_widgets[(0, 0, "loan")].value = "abc"
    view._row_widgets[(0, 0, "deadline")].value = "2026-13"
    assert any(f.endswith("rows.0.loan") for _l, f, _t in model.findings)
    assert "贷款类" in view.findings.value
    assert view._row_widgets[(0, 0, "loan")].layout.border
    view.submit.click()
    assert "未能报送" in model.error and "贷款类" in model.error
    me = backend.login(info["codes"]["unit"])
    assert backend.ledger(me, "F001", "2026Q1").status == "draft"


def test_blocks_and_rows_numbered(fu):
    backend, info = fu
    model, view = _login(backend, info["codes"]["unit"])
    view.add_block.click()
    assert len(model.content["blocks"]) == 2 and model.content["blocks"][1]["role"] == "partner"
    view.blocks.children[0].children[2].click()  # add a row to the core block
    view._row_widgets[(0, 0, "goal")].value = "目标一"
    view._row_widgets[(0, 1, "goal")].value = "目标二"
    view._row_widgets[(0, 1, "measure")].value = "举措"
    assert view._row_widgets[(0, 1, "goal_no")].value == "2"
    assert view._row_widgets[(0, 1, "measure_no")].value == "1."
    model.remove_block(1)
    assert len(model.content["blocks"]) == 1


def test_english_and_wrong_role(fu):
    backend, info = fu
    model, view = _login(backend, info["codes"]["city"])
    assert not model.logged_in
    model, view = _login(backend, info["codes"]["unit"])
    view.header.lang.click()
    assert "Submit" == view.submit.description


def test_upload_refused_lists_rows_then_a_filled_form_is_imported(fu):
    import io

    import openpyxl

    backend, info = fu
    model, view = _login(backend, info["codes"]["unit"])
    _fill(view, model, info["good"]())
    name, data = model.download()
    # a unit types text into an amount cell of the form: nothing is imported, the cell is named
    wbk = openpyxl.load_workbook(io.BytesIO(data))
    ws = wbk.worksheets[0]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == 500)
    cell.value = "五百"
    bad = io.BytesIO()
    wbk.save(bad)
    version = model.version
    assert not model.upload("ledger.xlsx", bad.getvalue())
    assert model.report and any(r[0] == cell.row for r in model.report), model.report
    assert "ledger.xlsx" in model.error and model.version == version
    assert "五百" in view.report.value and " / " not in view.report.value  # one language
    cell.value = 800
    good = io.BytesIO()
    wbk.save(good)
    assert model.upload("ledger.xlsx", good.getvalue()), model.error
    me = backend.login(info["codes"]["unit"])
    assert backend.ledger(me, "F001", "2026Q1").content["blocks"][0]["rows"][0]["loan"] == 800.0
    assert view._row_widgets[(0, 0, "loan")].value == "800"


def test_download_is_the_stored_ledger_as_the_form(fu, tmp_path):
    import openpyxl

    backend, info = fu
    model, view = _login(backend, info["codes"]["unit"])
    _fill(view, model, info["good"]())
    view.download.click()
    assert model.error == "", model.error
    assert "ledger_F001_2026Q1.xlsx" in view.link.value
    name, data = model.download()
    (tmp_path / name).write_bytes(data)
    cells = [
        c
        for ws in openpyxl.load_workbook(tmp_path / name).worksheets
        for r in ws.iter_rows(values_only=True)
        for c in r
        if c is not None
    ]
    assert "上线订单协同系统" in " ".join(map(str, cells)) and 500 in cells


def test_region_ledger_has_the_enterprise_column_and_the_yearly_summary(fu):
    backend, info = fu
    model, view = _login(backend, info["codes"]["unit2"])
    assert model.kind == "region" and model.content["blocks"][0]["role"] == "region"
    assert (0, 0, "enterprise") in view._row_widgets
    assert "添加区域" == view.add_block.description
    view.add_block.click()
    assert model.content["blocks"][1]["role"] == "region"
    view.period.value = "2026Y"
    assert model.yearly and len(view.summary.children) > 1
    area = view.summary.children[1]
    area.value = "建立了联席会议机制"
    key = next(iter(model.content["summary"]))
    assert model.content["summary"][key] == "建立了联席会议机制"
    assert any(f.startswith("summary.") for _l, f, _t in model.findings)  # other points missing


def test_an_unreadable_ledger_file_is_reported_in_the_page_language_only(fu):
    backend, info = fu
    model, view = _login(backend, info["codes"]["unit"])
    assert not model.upload("ledger.xlsx", b"not a zip")
    shown = view.report.value
    assert "不是可读取的 xlsx 工作簿（BadZipFile），请另存为 .xlsx" in shown, shown
    assert "readable" not in shown and " / " not in shown, shown
    view.header.lang.click()
    shown = view.report.value
    assert "not a readable xlsx workbook (BadZipFile); save it as .xlsx" in shown, shown
    assert "工作簿" not in shown, shown


def test_the_english_page_gives_the_indicators_english_units(fu):
    backend, info = fu
    model, view = _login(backend, info["codes"]["unit"])
    _fill(view, model, info["good"]())
    view.header.lang.click()
    assert model.lang == "en"
    computed = view._row_widgets[("ind", "revenue", "computed")].value
    assert computed.endswith(" 100 M yuan") and "亿元" not in computed, computed

    def texts(widget):
        if isinstance(getattr(widget, "value", None), str):
            yield widget.value
        for child in getattr(widget, "children", ()):
            yield from texts(child)

    labels = " ".join(texts(view.indicators))
    assert "Revenue (100 M yuan)" in labels and "Inventory turnover (times)" in labels, labels
    assert "Cash conversion cycle (days)" in labels and "亿元" not in labels, labels
