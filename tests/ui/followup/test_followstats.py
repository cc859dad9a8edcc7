"""跟进统计 against a seeded follow-up store: rates, chart, lazy tabs, exits, periods."""

from __future__ import annotations

import datetime as dt

from scoring.ui.followstats import followstats_app


def _login(backend, code):
    app = followstats_app(backend)
    app.view.login.code.value = code
    app.view.login.button.click()
    return app.model, app.view


def _submit_confirm(backend, info, key="2026Q1"):
    me = backend.login(info["codes"]["unit"])
    st = backend.ledger(me, "F001", key)
    backend.save_ledger(me, "F001", key, info["good"](), st.version)
    backend.submit_ledger(me, "F001", key)
    org = backend.login(info["codes"]["org"])
    backend.confirm_ledger(org, "F001", key)


def test_rates_first_then_lazy_sections(fu, monkeypatch):
    backend, info = fu
    _submit_confirm(backend, info)
    monkeypatch.setenv("SCORING_TODAY", "2026-05-05")  # Q1 locked: F002, F003 missing
    model, view = _login(backend, info["codes"]["org"])
    assert model.logged_in, model.error
    assert model.done == {"rates"} and view.built == {"rates"}
    assert "太原市" in view.rates_city.value and "50%" in view.rates_city.value
    assert view.rates_chart.value[:4] == b"\x89PNG"
    assert "3 个跟进项目" in view.summary.value
    view.tabs.selected_index = 1
    assert "indicators" in model.done
    assert "营业收入" in view.ind_table.value
    view.f_widgets["city"].value = "大同市"
    assert view.ind_table.value == "<i>—</i>"
    view.f_widgets["city"].value = ""
    view.tabs.selected_index = 2
    assert "500.0" in view.fin_table.value
    view.tabs.selected_index = 3
    assert "未按要求报告台账" in view.exit_table.value
    view.exit_go.click()
    assert "理由" in model.error
    view.exit_reason.value = "单位已说明原因"
    view.exit_go.click()
    assert backend.wb.decisions and backend.wb.decisions[0][1] is False
    view.tabs.selected_index = 4
    row = view.per_rows.children[0]
    row.children[1].value = dt.date(2026, 4, 20)
    row.children[3].click()
    assert model.error == "", model.error
    assert str(backend.wb.periods_["2026Q1"].due) == "2026-04-20"


def test_english(fu):
    backend, info = fu
    model, view = _login(backend, info["codes"]["org"])
    view.header.lang.click()
    assert "Reporting rate" in view.rates_city.value


def test_summary_xlsx_and_pdf_match_the_store(fu, monkeypatch, tmp_path):
    import subprocess

    import openpyxl

    backend, info = fu
    _submit_confirm(backend, info)
    monkeypatch.setenv("SCORING_TODAY", "2026-05-05")
    model, view = _login(backend, info["codes"]["org"])
    view.tabs.selected_index = 5
    view.file_xlsx.click()
    view.file_pdf.click()
    assert model.error == "", model.error
    assert "followup_summary_2026.xlsx" in view.file_links.value
    assert "followup_summary_2026.pdf" in view.file_links.value
    org = backend.login(info["codes"]["org"])
    rates = backend.followup_rates(org, ["city"], year=2026).set_index("city")
    name, data = model.files["xlsx"]
    (tmp_path / name).write_bytes(data)
    wbk = openpyxl.load_workbook(tmp_path / name, data_only=True)
    rows = [r for ws in wbk.worksheets for r in ws.iter_rows(values_only=True) if "太原市" in r]
    assert rows
    ty = rates.loc["太原市"]
    assert any(int(ty["expected"]) in r and int(ty["reported"]) in r for r in rows), rows
    name, data = model.files["pdf"]
    (tmp_path / name).write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / name), "-"], capture_output=True, text=True
    ).stdout
    assert "太原市" in text and f"{ty['reporting_rate'] * 100:.1f}%" in text


def test_the_english_indicator_table_gives_english_units(fu, monkeypatch):
    backend, info = fu
    _submit_confirm(backend, info)
    monkeypatch.setenv("SCORING_TODAY", "2026-05-05")
    model, view = _login(backend, info["codes"]["org"])
    view.header.lang.click()
    view.tabs.selected_index = 1
    shown = view.ind_table.value
    assert "Revenue (100 M yuan)" in shown, shown
    assert "亿元" not in shown and "（次）" not in shown and "（天）" not in shown, shown
