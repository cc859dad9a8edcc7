"""Form layouts as data: every layout of data/forms loads; a new form (附件4-1, 附件4-2) is only a file."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from scoring import io
from scoring.errors import InputError
from scoring.io.forms import fill
from scoring.programme.catalogue import catalogue_title

ENTERPRISE = pd.DataFrame(
    {
        "seq": ["1", "", "2"],
        "name": ["晋示例核心企业有限公司(虚构)", "", "晋示例上游企业(虚构)"],
        "city": ["太原市", "", "晋中市"],
        "industry": ["36汽车制造业", "", "33金属制品业"],
        "goals": ["1.上线供应链协同平台", "2.库存周转率提高10%", "1.接入核心企业平台"],
        "measures": ["1.2026年6月前完成系统对接", "2.2026年9月前推广至上下游", "1.=SUM(A1)"],
        "loan": [1200.5, None, 300.0],
        "bill": [None, None, 50.0],
        "lease": [None, None, None],
        "letter": [None, None, None],
        "other": [20.0, None, None],
        "deadline": ["2026-12", "", "2026-09"],
        "results": ["形成可复制推广经验", "", ""],
    }
)
REGION = pd.DataFrame(
    {
        "seq": [1, 2],
        "name": ["示例县杂粮产业供应链(虚构)", "示例开发区装备制造供应链(虚构)"],
        "city": ["忻州市", "长治市"],
        "goals": ["1.建设县域冷链集配中心", "1.培育链主企业"],
        "measures": ["1.2026年底前建成", "1.2026年10月前出台支持政策"],
        "enterprise": ["晋示例粮食(虚构)", "晋示例装备(虚构)"],
        "loan": [800.0, 1500.0],
        "deadline": ["2026-12", "2026-10"],
        "results": ["重要公共服务", "重大政策创新"],
    }
)


def test_every_layout_of_data_forms_loads():
    names = io.layout_names()
    assert {"table", "ranking", "catalogue", "summary", "scores"} <= set(names)
    assert {"ledger-enterprise", "ledger-region"} <= set(names)
    for name in names:
        layout = io.load_layout(name)
        assert layout.name == name and layout.formats["header"]["font_name"] == "宋体"
        for c in layout.columns:
            assert c.zh and c.en, (name, c.key)


def test_catalogue_layout_title_is_the_catalogues_title():
    layout = io.load_layout("catalogue")
    for year in (2026, None):
        assert layout.title_text({"year": year}) == "".join(catalogue_title(year))


def test_title_placeholders_and_optional_parts():
    assert (
        fill("[{year}年度]供应链重点项目汇总表", {"year": 2026}) == "2026年度供应链重点项目汇总表"
    )
    assert fill("[{year}年度]供应链重点项目汇总表", {"year": None}) == "供应链重点项目汇总表"
    with pytest.raises(InputError, match="panel"):
        fill("评审组 {panel}", {})


@pytest.mark.parametrize(
    "name, frame, form, group_cell, notes",
    [
        ("ledger-enterprise", ENTERPRISE, "附件4-1", "G5", 5),
        ("ledger-region", REGION, "附件4-2", "F5", 5),
    ],
)
def test_ledger_forms_are_written_by_the_same_code_path(
    tmp_path, name, frame, form, group_cell, notes
):
    layout = io.load_layout(name)
    p = io.write_table(frame, tmp_path / f"{name}.xlsx", layout=name)
    wb = openpyxl.load_workbook(p)
    ws = wb[layout.sheet]
    ncol = len(layout.columns)
    last = openpyxl.utils.get_column_letter(ncol)
    merged = {str(r) for r in ws.merged_cells.ranges}
    # lines above, the title, the unit line: each merged across the form
    assert ws["A1"].value == form and ws["A2"].value == "项目单位（公章）："
    assert ws["A3"].value == layout.title.zh and f"A3:{last}3" in merged
    assert ws["A3"].font.size == 16 and ws["A3"].font.b
    assert ws["A4"].value.startswith("单位：万元")
    # two header rows: the financing kinds under one merged header, the other headers merged down
    head = [c.value for c in ws[5]]
    sub = [c.value for c in ws[6]]
    assert head[0] == "序号" and "A5:A6" in merged
    assert ws[group_cell].value == "其中：信贷（融资）情况"
    financing = [c for c in layout.columns if c.group == "financing"]
    first = layout.keys.index(financing[0].key)
    assert sub[first : first + len(financing)] == [c.zh for c in financing]
    assert [c.zh for c in layout.columns if c.group is None] == [
        h for h in head if h and h != ws[group_cell].value
    ]
    assert "贷款类" in sub and "函证类" in sub and "其它" in sub
    # data from row 7, numbers as numbers in 万元 with two decimals, formulas neutralised
    loan = 7, layout.keys.index("loan") + 1
    assert ws.cell(*loan).value == frame["loan"].iloc[0] and ws.cell(*loan).number_format == "0.00"
    assert all(
        not str(c.value).startswith("=") for row in ws.iter_rows(min_row=7) for c in row if c.value
    )
    # widths of the layout, frozen header, 注 lines under the data
    for j, c in enumerate(layout.columns, start=1):
        width = next(d.width for d in ws.column_dimensions.values() if d.min <= j <= d.max)
        assert width == pytest.approx(c.width + 0.71, abs=0.1), c.key
    assert ws.freeze_panes == "A7"
    first_note = 7 + len(frame)
    assert (
        ws.cell(first_note, 1).value.startswith("注：1.")
        and f"A{first_note}:{last}{first_note}" in merged
    )
    assert ws.cell(first_note + notes - 1, 1).value.startswith("5.")
    # print setup: landscape A4, one page wide, header rows repeated, margins
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert (
        ws.sheet_properties.pageSetUpPr.fitToPage and (ws.page_setup.fitToWidth or 1) == 1
    )  # 1 is the default
    assert ws.page_setup.fitToHeight == 0  # as many pages down as needed
    assert ws.print_title_rows == "$5:$6"
    assert ws.page_margins.left == pytest.approx(0.4) and ws.print_options.horizontalCentered
    # the csv of the same form: one header row of the column headers, no title
    csv = io.write_table(frame, tmp_path / f"{name}.csv", layout=name).read_text(
        encoding="utf-8-sig"
    )
    assert csv.splitlines()[0].split(",") == [c.zh for c in layout.columns]


def test_a_form_lays_out_its_own_columns_only(tmp_path):
    with pytest.raises(InputError, match="colour"):
        io.write_table(REGION.assign(colour="red"), tmp_path / "r.xlsx", layout="ledger-region")


def _layout_file(tmp_path, text, name="form"):
    (tmp_path / "table.yml").write_text(
        (io.FORMS_DIR / "table.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    p = tmp_path / f"{name}.yml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "text, field, fragment",
    [
        ("extends: table\ntitel: {zh: x, en: x}\n", "titel", "unknown key"),
        ("extends: table\ntitle: {zh: 台帐}\n", "title.en", "missing field"),
        ("extends: table\ntitle: 台帐\n", "title", "zh and en"),
        ("extends: table\ncolumns:\n  - {key: a, zh: 甲}\n", "columns[0].en", "missing field"),
        (
            "extends: table\ncolumns:\n  - {key: a, zh: 甲, en: A, colour: red}\n",
            "columns[0].colour",
            "unknown key",
        ),
        (
            "extends: table\ncolumns:\n  - {key: a, zh: 甲, en: A, group: money}\n",
            "columns[0].group",
            "unknown group",
        ),
        (
            "extends: table\ncolumns:\n  - {key: a, zh: 甲, en: A, width: wide}\n",
            "columns[0].width",
            "number",
        ),
        ("extends: table\nprint: {paper: A9}\n", "print.paper", "A4"),
        ("extends: table\nprint: {orientation: sideways}\n", "print.orientation", "landscape"),
        ("extends: table\nprint: {margins: {inner: 1}}\n", "print.margins.inner", "unknown key"),
        ("extends: table\nfreeze: sometimes\n", "freeze", "true/false"),
        ("extends: form\n", "extends", "cycle"),
    ],
)
def test_a_bad_layout_file_names_file_and_field(tmp_path, text, field, fragment):
    p = _layout_file(tmp_path, text)
    with pytest.raises(InputError) as exc:
        io.load_layout(p)
    assert any(pr.file == str(p) and pr.column == field for pr in exc.value.problems), exc.value
    assert fragment in str(exc.value)


def test_unknown_layout_lists_the_known_ones(tmp_path):
    with pytest.raises(InputError, match="ledger-enterprise"):
        io.write_table(REGION, tmp_path / "r.xlsx", layout="ledger-quarterly")


def test_a_new_form_is_a_file(tmp_path):
    p = _layout_file(
        tmp_path,
        "extends: table\nform: 附件X\ntitle: {zh: '{year}年度台帐', en: '{year} ledger'}\n"
        "columns:\n  - {key: a, zh: 甲, en: A, width: 12}\n"
        "print: {orientation: landscape, paper: A3}\n",
    )
    out = io.write_table(
        pd.DataFrame({"a": [1]}),
        tmp_path / "x.xlsx",
        layout=io.load_layout(p),
        fields={"year": 2027},
    )
    ws = openpyxl.load_workbook(out).active
    assert (
        ws["A1"].value == "2027年度台帐" and ws["A2"].value == "甲" and ws.page_setup.paperSize == 8
    )
