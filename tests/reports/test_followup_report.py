"""The follow-up summary report from the core's tables: the xlsx figures are the frames' figures,
the PDF text (pdftotext) holds them, the CJK font is embedded and the pages render."""

from __future__ import annotations

import math
import re
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from scoring.errors import InputError
from scoring.followup.exits import exit_candidates
from scoring.followup.indicators import progress
from scoring.followup.periods import default_periods
from scoring.followup.statistics import ledger_rows
from scoring.followup.timeliness import rates, timeliness
from scoring.reports.followup import (
    HEADERS,
    SHEETS,
    TOTAL,
    scope_label,
    summary_data,
    write_summary_pdf,
    write_summary_xlsx,
)

TODAY = date(2026, 8, 20)
PROJECTS = pd.DataFrame(
    {
        "project_id": ["E001", "E002", "E003", "R001"],
        "name": ["晋示例远帆物流(虚构)", "晋示例装备制造(虚构)", "晋示例农产品(虚构)", "示例县杂粮供应链(虚构)"],
        "city": ["太原市", "太原市", "大同市", "忻州市"],
        "kind": ["enterprise", "enterprise", "enterprise", "region"],
    }
)  # fmt: skip


def _ledger(loan: float, bill: float = 0.0) -> dict:
    return {"blocks": [{"name": "x", "city": "太原市", "industries": ["54"],
                        "rows": [{"measure": "m", "loan": loan, "bill": bill}]}]}  # fmt: skip


@pytest.fixture(scope="module")
def frames():
    periods = {p.key: p for p in default_periods(2026)}
    expected = pd.DataFrame(
        [
            {"project_id": r.project_id, "city": r.city, "kind": r.kind, "period": k,
             "due": periods[k].due, "lock": periods[k].lock, "exception_until": None}
            for r in PROJECTS.itertuples() for k in ("2026Q1", "2026Q2")
        ]
    )  # fmt: skip
    first = pd.DataFrame(
        [
            ("E001", "2026Q1", date(2026, 4, 10)), ("E001", "2026Q2", date(2026, 7, 14)),
            ("E002", "2026Q1", date(2026, 4, 20)), ("E002", "2026Q2", date(2026, 7, 20)),
            ("E003", "2026Q1", date(2026, 4, 15)),
            ("R001", "2026Q1", date(2026, 4, 1)), ("R001", "2026Q2", date(2026, 7, 1)),
        ],
        columns=["project_id", "period", "first_submitted"],
    )  # fmt: skip
    t = timeliness(expected, first, TODAY)
    values = pd.DataFrame(
        [("E001", "2026Q1", "revenue", 3.0), ("E001", "2026Q2", "revenue", 7.0),
         ("E002", "2026Q2", "revenue", 4.0), ("E002", "2026Q2", "cash_cycle", 50.0)],
        columns=["project_id", "period", "indicator", "value"],
    )  # fmt: skip
    plan = pd.DataFrame(
        [("E001", "revenue", 12.0, 16.0), ("E002", "revenue", 10.0, 12.0),
         ("E002", "cash_cycle", 60.0, 45.0)],
        columns=["project_id", "indicator", "baseline", "target"],
    )  # fmt: skip
    prog = progress(values, plan)
    rows = pd.concat(
        [
            ledger_rows(_ledger(500.0, 20.0), "enterprise", project_id="E001", period="2026Q1", city="太原市"),
            ledger_rows(_ledger(800.0, 20.0), "enterprise", project_id="E001", period="2026Q2", city="太原市"),
            ledger_rows(_ledger(300.0), "enterprise", project_id="E002", period="2026Q2", city="太原市"),
            ledger_rows(_ledger(120.5), "enterprise", project_id="E003", period="2026Q1", city="大同市"),
            ledger_rows(_ledger(1000.0), "region", project_id="R001", period="2026Q2", city="忻州市"),
        ],
        ignore_index=True,
    )  # fmt: skip
    exits = exit_candidates(t, prog, pd.DataFrame(), pd.DataFrame(), TODAY)
    return {"timeliness": t, "progress": prog, "ledger_rows": rows, "exits": exits}


@pytest.fixture(scope="module")
def year_summary(frames):
    return summary_data(**frames, projects=PROJECTS, year=2026, generated=datetime(2026, 8, 20, 9))


def test_the_figures_are_the_cores(frames, year_summary):
    s = year_summary
    assert s.title == "2026年度供应链重点项目跟进汇总报告" and s.projects == 4
    core = rates(frames["timeliness"], ["city"]).set_index("city")
    by_city = s.by_city.set_index("city")
    assert list(by_city.index) == ["太原市", "大同市", "忻州市", TOTAL]  # the notices' order
    for city in core.index:
        for col in ("expected", "reported", "on_time", "late", "missing", "reporting_rate"):
            assert by_city.at[city, col] == pytest.approx(core.at[city, col]), (city, col)
    assert by_city.at["大同市", "missing"] == 1 and by_city.at["太原市", "late"] == 2
    assert by_city.at[TOTAL, "expected"] == 8 and by_city.at[TOTAL, "reported"] == 7
    assert by_city.at[TOTAL, "on_time_rate"] == pytest.approx(5 / 8)
    # a year: each project's latest ledger (E001's Q2 holds its Q1)
    fin = s.financing.set_index("city")
    assert fin.at["太原市", "loan"] == 1100.0 and fin.at["太原市", "bill"] == 20.0
    assert fin.at[TOTAL, "total"] == pytest.approx(800 + 20 + 300 + 120.5 + 1000)
    ind = s.indicators.set_index("indicator")
    assert ind.at["营业收入", "projects"] == 2
    assert ind.at["营业收入", "mean_value"] == pytest.approx((7 * 2 + 4 * 2) / 2)  # annualised Q2
    assert ind.at["现金周转期", "met"] == 0 and ind.at["现金周转期", "improving"] == 1
    assert set(s.exits["project_id"]) >= {"E003"} and "未按要求报告台账" in set(s.exits["ground"])


def test_a_period_counts_its_own_ledgers(frames):
    s = summary_data(**frames, projects=PROJECTS, period="2026Q2")
    assert s.title.startswith("2026年第二季度")
    fin = s.financing.set_index("city")
    assert fin.at["太原市", "loan"] == 1100.0 and "大同市" not in fin.index
    assert list(s.by_period["period"]) == ["2026年第二季度", TOTAL]
    with pytest.raises(InputError):
        scope_label("2026Q2", 2026)
    with pytest.raises(InputError):
        summary_data(**frames, period="2026Q9")


def _sheet(path: Path, name: str) -> pd.DataFrame:
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.values)
    head_at = next(i for i, r in enumerate(rows) if r[0] in HEADERS.values())
    return pd.DataFrame(rows[head_at + 1 :], columns=rows[head_at])


def test_the_xlsx_holds_the_frames(tmp_path, year_summary):
    p = write_summary_xlsx(year_summary, tmp_path / "summary.xlsx")
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == list(SHEETS.values())
    ws = wb[SHEETS["by_city"]]
    assert ws["A1"].value.startswith("2026年度供应链重点项目跟进汇总报告：按期报送(地市)")
    for key, frame in (("by_city", year_summary.by_city), ("financing", year_summary.financing),
                       ("indicators", year_summary.indicators)):  # fmt: skip
        got = _sheet(p, SHEETS[key])
        assert list(got.columns) == [HEADERS[c] for c in frame.columns]
        for col in frame.columns:
            for a, b in zip(got[HEADERS[col]], frame[col], strict=True):
                if isinstance(b, float) and math.isnan(b):
                    assert a is None or (isinstance(a, float) and math.isnan(a))
                elif isinstance(b, int | float):
                    assert a == pytest.approx(b), (key, col)
                else:
                    assert a == b, (key, col)
    rate_col = list(year_summary.by_city.columns).index("reporting_rate") + 1
    head = next(r for r in range(1, 6) if ws.cell(r, 1).value == "地市")
    assert ws.cell(head + 1, rate_col).number_format == "0.0%"
    assert ws.page_setup.paperSize == 9


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return re.sub(r"\s+", "", out)


def test_the_pdf_text_holds_the_figures(tmp_path, year_summary):
    p = write_summary_pdf(year_summary, tmp_path / "summary.pdf")
    text = _text(p)
    s = year_summary
    for phrase in ("2026年度供应链重点项目跟进汇总报告", "一、按期报送情况", "二、绩效指标完成情况",
                   "三、信贷（融资）情况", "四、退出预警", "太原市", "大同市", "忻州市", "营业收入",
                   "贷款类", "未按要求报告台账", "晋示例农产品(虚构)"):  # fmt: skip
        assert phrase in text, phrase
    total = s.by_city.iloc[-1]
    assert f"{total['reporting_rate'] * 100:.1f}%" in text  # 87.5%
    assert f"{total['on_time_rate'] * 100:.1f}%" in text  # 62.5%
    assert f"{s.financing.iloc[-1]['total']:,.2f}" in text  # 2,240.50
    fonts = subprocess.run(["pdffonts", str(p)], check=True, capture_output=True, text=True).stdout
    assert "yes" in fonts.splitlines()[-1].split()[-3:]  # embedded
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(p), str(tmp_path / "page")], check=True)
    assert sorted(tmp_path.glob("page*.png"))


def test_an_empty_scope_still_renders(tmp_path):
    empty = pd.DataFrame(columns=["project_id", "city", "period", "status"])
    s = summary_data(timeliness=empty, year=2027)
    assert s.by_city.empty and s.financing.iloc[-1]["total"] == 0.0
    assert write_summary_pdf(s, tmp_path / "e.pdf").stat().st_size > 0
    assert write_summary_xlsx(s, tmp_path / "e.xlsx").stat().st_size > 0
