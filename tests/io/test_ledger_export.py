"""The 附件4-1/4-2 export: the form laid out (title, merges, widths, print setup), read back the same."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import io
from scoring.followup.content import normalise
from scoring.io.ledger_export import (
    export_ledger,
    ledger_layout,
    write_ledger_template,
    write_ledger_templates,
)
from scoring.io.ledger_file import read_ledger

ENTERPRISE = {
    "contact": "王五 0351-1234567",
    "blocks": [
        {"role": "core", "name": "晋示例远帆物流有限公司(虚构)", "city": "太原市",
         "industries": ["54", "59"],
         "rows": [
             {"goal": "建成供应链协同平台", "measure": "上线订单协同系统", "deadline": "2026-06",
              "progress": "done", "loan": 500.0, "bill": 0.0, "result": "订单响应时间缩短30%"},
             {"measure": "接入上下游企业20家", "deadline": "2026-09", "progress": "ongoing",
              "lease": 120.5},
             {"goal": "降低库存", "measure": "-建设共享仓", "deadline": "2026-12",
              "progress": "not_started", "other": 30.0, "result": "=库存周转率提高10%"},
         ]},
        {"role": "partner", "name": "晋示例上游配件厂(虚构)", "city": "晋中市", "industries": ["36"],
         "rows": [{"goal": "接入核心企业平台", "measure": "完成系统对接", "deadline": "2026-08",
                   "loan": 80.0}]},
        {"role": "partner", "name": "晋示例下游经销商(虚构)", "city": "运城市", "industries": ["51"],
         "rows": []},
    ],
    "indicators": {},
}  # fmt: skip
REGION = {
    "contact": "赵六 0350-7654321",
    "blocks": [
        {"role": "region", "name": "示例县杂粮产业供应链(虚构)", "city": "忻州市", "industries": [],
         "rows": [
             {"goal": "建设县域冷链集配中心", "measure": "2026年底前建成", "deadline": "2026-12",
              "enterprise": "晋示例粮食(虚构)", "loan": 800.0, "result": "重要公共服务"},
             {"measure": "出台冷链补助办法", "deadline": "2026-10", "progress": "ongoing"},
         ]},
    ],
    "indicators": {},
}  # fmt: skip


def _merged(ws):
    return {str(r) for r in ws.merged_cells.ranges}


def test_the_enterprise_form_as_filed(tmp_path):
    p = export_ledger(
        ENTERPRISE, "enterprise", tmp_path / "e.xlsx",
        project={"unit_name": "晋示例远帆物流有限公司(虚构)"}, period="2026Q2",
    )  # fmt: skip
    ws = openpyxl.load_workbook(p).active
    layout = ledger_layout("enterprise")
    merged = _merged(ws)
    assert ws.title == "企业项目季度台帐"
    assert ws["A1"].value == "附件4-1"
    assert ws["A2"].value == "项目单位（公章）：晋示例远帆物流有限公司(虚构)"
    assert (
        ws["A3"].value == "山西省供应链重点企业项目季度台帐（2026年第二季度）" and "A3:N3" in merged
    )
    assert ws["A4"].value.startswith("单位：万元") and ws["A4"].value.endswith("王五 0351-1234567")
    # the two-row header, 进展情况 at the end
    assert ws["G5"].value == "其中：信贷（融资）情况" and "G5:K5" in merged
    assert [ws.cell(6, j).value for j in range(7, 12)] == [
        "贷款类",
        "票据类",
        "租赁类",
        "函证类",
        "其它",
    ]
    assert ws["N5"].value == "进展情况" and "N5:N6" in merged and "A5:A6" in merged
    # block cells merged down over the block's rows, goals over their measures
    assert {"A7:A9", "B7:B9", "C7:C9", "D7:D9", "E7:E8"} <= merged
    assert ws["A7"].value == 1 and ws["A10"].value == 2 and ws["A11"].value == 3
    assert ws["D7"].value == "54 道路运输业\n59 装卸搬运和仓储业"
    assert ws["E7"].value == "1、建成供应链协同平台" and ws["E9"].value == "2、降低库存"
    assert [ws.cell(r, 6).value for r in (7, 8, 9)] == ["1.上线订单协同系统", "2.接入上下游企业20家",
                                                       "3.-建设共享仓"]  # fmt: skip
    assert ws["G7"].value == 500 and ws["G7"].number_format == "0.00"
    assert (
        ws["L7"].value == "2026年6月" and ws["N7"].value == "已完成" and ws["N9"].value == "未开始"
    )
    assert ws["M9"].value == "'=库存周转率提高10%"  # neutralised, not a formula
    # the 注 lines under the data
    assert ws["A12"].value.startswith("注：1.") and ws["A16"].value.startswith("5.")
    # widths of the form, row heights for the wrapped text
    for j, c in enumerate(layout.columns, start=1):
        width = next(d.width for d in ws.column_dimensions.values() if d.min <= j <= d.max)
        assert width == pytest.approx(c.width + 0.71, abs=0.1), c.key
    assert ws.row_dimensions[7].height > 15
    # print: A4 landscape, one page wide, the header rows on every page, frozen under the header
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$5:$6" and ws.freeze_panes == "A7"


def test_the_region_form_as_filed(tmp_path):
    p = export_ledger(REGION, "region", tmp_path / "r.xlsx", project={"name": "示例县商务局"})
    ws = openpyxl.load_workbook(p).active
    merged = _merged(ws)
    assert (
        ws["A1"].value == "附件4-2" and ws["A3"].value == "山西省供应链重点区域项目季度台帐（样表）"
    )
    assert ws["F5"].value == "其中：信贷（融资）情况" and "F5:K5" in merged
    assert ws["F6"].value == "企业名称" and ws["F7"].value == "晋示例粮食(虚构)"
    assert {"A7:A8", "B7:B8", "C7:C8", "D7:D8"} <= merged
    assert ws["N5"].value == "进展情况"


@pytest.mark.parametrize("content, kind", [(ENTERPRISE, "enterprise"), (REGION, "region")])
def test_export_then_import_gives_the_same_content(tmp_path, content, kind):
    p = export_ledger(content, kind, tmp_path / f"{kind}.xlsx", period="2026Q2")
    assert read_ledger(p, kind) == normalise(content, kind)
    assert read_ledger(p) == normalise(content, kind)  # the kind told from the file


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)
_AMOUNT = st.one_of(st.none(), st.floats(0, 1e7, allow_nan=False).map(lambda x: round(x, 2)))
_ROW = st.fixed_dictionaries(
    {},
    optional={
        "goal": _TEXT, "measure": _TEXT, "result": _TEXT, "loan": _AMOUNT, "bill": _AMOUNT,
        "other": _AMOUNT,
        "deadline": st.tuples(st.integers(2020, 2030), st.integers(1, 12)).map(
            lambda t: f"{t[0]}-{t[1]:02d}"
        ),
        "progress": st.sampled_from(["done", "ongoing", "not_started"]),
    },
)  # fmt: skip


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(_TEXT.filter(lambda s: s.strip()), min_size=1, max_size=3, unique_by=str.strip),
    rows=st.lists(st.lists(_ROW, max_size=3), min_size=3, max_size=3),
    cities=st.lists(st.sampled_from(["太原市", "大同市", "晋城市"]), min_size=3, max_size=3),
)
def test_any_ledger_survives_the_round_trip(tmp_path, names, rows, cities):
    blocks = [
        {"name": n, "city": cities[i], "industries": ["36", "54"][: i + 1], "rows": rows[i]}
        for i, n in enumerate(names)
    ]
    content = normalise({"contact": "王五", "blocks": blocks}, "enterprise")
    if any(not b["rows"] for b in content["blocks"][:1]):
        return
    p = export_ledger(content, "enterprise", tmp_path / "rt.xlsx")
    assert read_ledger(p, "enterprise") == content


_STAMPS = re.compile(rb"<dcterms:(created|modified)[^<]*</dcterms:\1>")


def _parts(path):
    with zipfile.ZipFile(path) as z:
        return {n: _STAMPS.sub(b"", z.read(n)) for n in z.namelist()}


def test_the_committed_templates_are_current_and_read_back(tmp_path, repo_root):
    written = write_ledger_templates(tmp_path)
    assert [p.name for p in written] == ["ledger-enterprise.xlsx", "ledger-region.xlsx"]
    for p in written:
        assert _parts(p) == _parts(repo_root / "data" / "templates" / p.name), p.name
    ws = openpyxl.load_workbook(written[0]).active
    assert (
        ws["A3"].value == "山西省供应链重点企业项目季度台帐（样表）"
        and ws["N5"].value == "进展情况"
    )
    rules = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert rules["N7:N18"] == '"已完成,推进中,未开始"' and "太原市" in rules["C7:C18"]
    # a template filled in by hand reads as a ledger
    ws["A7"], ws["B7"], ws["C7"], ws["D7"] = 1, "晋示例企业(虚构)", "太原市", "36汽车制造业"
    ws["E7"], ws["F7"], ws["G7"], ws["L7"], ws["N7"] = "1.目标", "1.举措", 12, "2026.6", "推进中"
    ws.parent.save(tmp_path / "filled.xlsx")
    got = read_ledger(tmp_path / "filled.xlsx")
    assert got["blocks"] == [
        {"role": "core", "name": "晋示例企业(虚构)", "city": "太原市", "industries": ["36"],
         "rows": [{"goal": "目标", "measure": "举措", "deadline": "2026-06", "progress": "ongoing",
                   "loan": 12.0}]},
    ]  # fmt: skip
    with pytest.raises(ValueError):
        write_ledger_template("bank", tmp_path / "x.xlsx")


def test_only_xlsx(tmp_path):
    with pytest.raises(ValueError, match="xlsx"):
        export_ledger(ENTERPRISE, "enterprise", tmp_path / "e.csv")
    assert io.load_layout("ledger-enterprise").column("progress") is None  # the form is untouched
