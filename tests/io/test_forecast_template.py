"""The candidates template's forecast years (附件1 发展目标): headed 预测, read as the year's column."""

from __future__ import annotations

import openpyxl

from scoring import io
from scoring.io.templates import load_template
from scoring.programme import schema


def test_the_forecast_years_follow_the_actual_years():
    t = load_template("candidates")
    assert t.years == (2023, 2024, 2025) and t.forecast_years() == (2026, 2027, 2028)
    cols = io.template_columns("candidates")
    revenue = [c for c in cols if c.startswith("revenue_")]
    assert revenue == [f"revenue_{y}" for y in range(2023, 2029)]
    assert cols["revenue_2025"] == "2025年营业收入(亿元)"
    assert cols["revenue_2026"] == "2026年营业收入预测(亿元)"
    assert cols["market_share_2028"] == "2028年市场占有率预测(%)"
    for key in schema.INDICATORS:
        assert all(f"{key}_{y}" in cols for y in (2026, 2027, 2028)), key
    # years given alone: those years only; forecasts on request
    assert list(io.template_columns("candidates", years=[2026]))[-1] == "market_share_2026"
    got = io.template_columns("candidates", years=[2024, 2025], forecast=[2026])
    assert got["cash_cycle_2026"] == "2026年现金周转期预测(天)" and "cash_cycle_2027" not in got


def test_a_filled_template_imports_its_forecasts(tmp_path, repo_root):
    wb = openpyxl.load_workbook(repo_root / "data" / "templates" / "candidates.xlsx")
    ws = wb["模板"]
    header = [c.value for c in ws[2]]
    assert "2026年营业收入预测(亿元)" in header and "2028年市场占有率预测(%)" in header
    row = dict.fromkeys(header)
    row.update({"项目编号": "E1", "企业名称(区域名称)": "晋示例(虚构)", "项目类型": "企业项目",
                "所属城市": "太原市", "企业类型": "流通企业", "2025年营业收入(亿元)": 2.5,
                "2026年营业收入预测(亿元)": 3.0, "2028年成本利润率预测(%)": 8})  # fmt: skip
    ws.append([row[h] for h in header])
    wb.save(tmp_path / "filled.xlsx")
    got = io.read_candidates(tmp_path / "filled.xlsx")
    assert got.loc[3, "revenue_2025"] == 2.5 and got.loc[3, "revenue_2026"] == 3.0
    assert got.loc[3, "cost_profit_ratio_2028"] == 8.0
    # the older header spelling of a forecast year reads the same column
    csv = tmp_path / "old.csv"
    csv.write_text(
        "项目编号,企业名称,项目类型,所属城市,企业类型,2026年营业收入目标(亿元)\n"
        "E1,甲,企业项目,太原市,流通企业,4\n",
        encoding="utf-8",
    )
    assert io.read_candidates(csv).loc[2, "revenue_2026"] == 4.0
