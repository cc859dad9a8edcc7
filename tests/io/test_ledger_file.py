"""Reading a filled 附件4-1/4-2 ledger (xlsx or csv): blocks, numbering, dates, every problem."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from scoring.errors import InputError
from scoring.followup.content import normalise
from scoring.io.ledger_export import export_ledger
from scoring.io.ledger_file import detect_kind, read_ledger, strip_number

from .conftest import both_languages, write

HEAD_E = (
    "序号,供应链核心企业及上下游企业名称,所在地市,所属行业,工作目标,具体举措,"
    "贷款类,票据类,租赁类,函证类,其它,完成时限（年月）,预期成果"
)
CSV_E = (
    "附件4-1\n"
    "山西省供应链重点企业项目季度台帐（样表）\n"
    "项目单位（公章）：晋示例物流(虚构)\n"
    "单位：万元　　联系人姓名及电话：王五 0351-1234567\n"
    f"{HEAD_E},进展情况\n"
    "1,晋示例物流(虚构),太原,54 道路运输业；59装卸搬运和仓储业,1.建成协同平台,1、上线订单系统,"
    '"1,200.5",,,,,2026.6,订单响应缩短30%,已完成\n'
    ",,,,,2.接入上下游20家,,50,,,,2026年9月,,推进中\n"
    "2,晋示例配件厂(虚构),晋中市,36,1.接入平台,（1）完成对接,80,,,,,202608,,\n"
    "注：1.所属行业细化至大类。\n"
    "2.按项目申报方案确定的方向和主要任务填写工作目标。\n"
)
EXPECTED_E = {
    "contact": "王五 0351-1234567",
    "blocks": [
        {
            "role": "core",
            "name": "晋示例物流(虚构)",
            "city": "太原市",
            "industries": ["54", "59"],
            "rows": [
                {"goal": "建成协同平台", "measure": "上线订单系统", "deadline": "2026-06",
                 "progress": "done", "loan": 1200.5, "result": "订单响应缩短30%"},
                {"measure": "接入上下游20家", "deadline": "2026-09", "progress": "ongoing",
                 "bill": 50.0},
            ],
        },
        {
            "role": "partner",
            "name": "晋示例配件厂(虚构)",
            "city": "晋中市",
            "industries": ["36"],
            "rows": [{"goal": "接入平台", "measure": "完成对接", "deadline": "2026-08",
                      "loan": 80.0}],
        },
    ],
    "indicators": {},
}  # fmt: skip


def test_a_csv_ledger_reads_as_the_contract_content(tmp_path):
    got = read_ledger(write(tmp_path / "e.csv", CSV_E))
    assert got == normalise(EXPECTED_E, "enterprise") == EXPECTED_E


def test_a_gbk_csv_reads_the_same(tmp_path):
    got = read_ledger(write(tmp_path / "gbk.csv", CSV_E.replace("，", ","), "gbk"), "enterprise")
    assert got == EXPECTED_E


def test_numbers_are_stripped_but_not_numbers_of_the_text():
    assert strip_number("1.建成平台") == "建成平台"
    assert strip_number("1、建成平台") == "建成平台"
    assert strip_number("（2）完成对接") == "完成对接"
    assert strip_number("一、完善体系") == "完善体系"
    assert strip_number("12. 推广") == "推广"
    assert strip_number("2026年建成平台") == "2026年建成平台"
    assert strip_number("1.5亿元融资") == "1.5亿元融资"
    assert strip_number("30家企业接入") == "30家企业接入"


def _xlsx(path, rows, merges=(), hidden_first=False):
    wb = openpyxl.Workbook()
    ws = wb.active
    if hidden_first:
        ws.title = "说明"
        ws["A1"] = "请勿修改"
        ws.sheet_state = "hidden"
        ws = wb.create_sheet("台帐")
        wb.active = 1
    for r in rows:
        ws.append(list(r))
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


TOP = ["序号", "区域名称", "所在地市", "工作目标", "具体举措", "其中：信贷（融资）情况", None, None,
       None, None, None, "完成时限（年月）", "预期成果"]  # fmt: skip
SUB = [None] * 5 + ["企业名称", "贷款类", "票据类", "租赁类", "函证类", "其它", None, None]


def test_a_region_xlsx_with_merged_block_cells_and_excel_dates(tmp_path):
    rows = [
        ["附件4-2"],
        ["山西省供应链重点区域项目季度台帐（样表）"],
        ["单位：万元  联系人姓名及电话：赵六"],
        TOP,
        SUB,
        [1, "示例县杂粮产业供应链(虚构)", "忻州市", "1.建设冷链集配中心", "1.建成", "晋示例粮食(虚构)",
         800, None, None, None, None, dt.datetime(2026, 12, 1), "重要公共服务"],
        [None, None, None, None, "2.投运", "晋示例冷链(虚构)", None, 20, None, None, None, 46296,
         None],
        [2, "示例区装备供应链(虚构)", "长治市", "1.培育链主", "1.出台政策", None, None, None, None,
         None, None, "2026/10", "政策创新"],
    ]  # fmt: skip
    p = _xlsx(tmp_path / "r.xlsx", rows, ["F4:K4", "A4:A5", "A6:A7", "B6:B7", "C6:C7", "D6:D7"])
    got = read_ledger(p)
    assert [b["role"] for b in got["blocks"]] == ["region", "region"]
    first = got["blocks"][0]
    assert first["name"] == "示例县杂粮产业供应链(虚构)" and first["city"] == "忻州市"
    assert first["rows"] == [
        {
            "goal": "建设冷链集配中心",
            "measure": "建成",
            "deadline": "2026-12",
            "enterprise": "晋示例粮食(虚构)",
            "loan": 800.0,
            "result": "重要公共服务",
        },
        {"measure": "投运", "deadline": "2026-10", "enterprise": "晋示例冷链(虚构)", "bill": 20.0},
    ]  # fmt: skip  (the merged goal belongs to its first row; 46296 is 2026-10-01)
    assert got["blocks"][1]["rows"][0]["deadline"] == "2026-10"
    assert got["contact"] == "赵六"


def test_a_hidden_first_sheet_is_passed_over(tmp_path):
    rows = [TOP, SUB, [1, "示例区(虚构)", "大同市", "目标", "举措", None, 5, None, None, None, None,
                       "2026-06", None]]  # fmt: skip
    got = read_ledger(_xlsx(tmp_path / "h.xlsx", rows, ["F1:K1"], hidden_first=True), "region")
    assert got["blocks"][0]["rows"][0] == {"goal": "目标", "measure": "举措",
                                           "deadline": "2026-06", "loan": 5.0}  # fmt: skip


def test_every_problem_is_named_by_row_and_column(tmp_path):
    text = (
        f"{HEAD_E},进展情况\n"
        "1,甲企业,太原市,98 未知行业,1.目标,1.举措,五百,,,,,2026-13,,差不多\n"  # row 2
        ",,北京市,,,2.举措二,=A1*2,,,,-5,下月,,\n"  # row 3
        ",,,,,2.举措二,,,,,,,,\n"  # row 4
        ",,,,,2.举措二,,,,,,,,\n"  # row 5: the same as row 4
        "2,甲企业,晋中市,36,,举措,,,,,,2026-06,,\n"  # row 6: the enterprise again
    )
    with pytest.raises(InputError) as exc:
        read_ledger(write(tmp_path / "bad.csv", text), "enterprise")
    got = {(p.row, p.column) for p in exc.value.problems}
    assert {
        (2, "所属行业"), (2, "贷款类"), (2, "完成时限（年月）"), (2, "进展情况"),
        (3, "所在地市"), (3, "贷款类"), (3, "其它"), (3, "完成时限（年月）"),
        (5, "具体举措"), (6, "供应链核心企业及上下游企业名称"),
    } <= got, got  # fmt: skip
    assert all(p.file == "bad.csv" for p in exc.value.problems)
    text_all = str(exc.value)
    assert "formula" in text_all and "98" in text_all and "not a number" in text_all


def test_missing_and_unknown_columns_refuse_the_file(tmp_path):
    text = "序号,供应链核心企业及上下游企业名称,所在地市,工作目标,具体举措,贷款类,颜色\n1,甲,太原市,a,b,1,红\n"
    with pytest.raises(InputError) as exc:
        read_ledger(write(tmp_path / "cols.csv", text), "enterprise")
    msgs = " ".join(p.message for p in exc.value.problems)
    for col in ("所属行业", "票据类", "租赁类", "函证类", "其它", "完成时限（年月）", "预期成果"):
        assert f"'{col}' is missing" in msgs, col
    assert any(p.column == "颜色" and "unknown" in p.message for p in exc.value.problems)


def test_an_xlsx_formula_cell_and_a_wrong_kind_are_refused(tmp_path):
    export = export_ledger(EXPECTED_E, "enterprise", tmp_path / "e.xlsx")
    wb = openpyxl.load_workbook(export)
    wb.active["G7"] = "=100*2"
    wb.save(tmp_path / "f.xlsx")
    with pytest.raises(InputError) as exc:
        read_ledger(tmp_path / "f.xlsx", "enterprise")
    assert [(p.row, p.column) for p in exc.value.problems] == [(7, "贷款类")]
    with pytest.raises(InputError, match="附件4-1"):
        read_ledger(export, "region")


def test_a_unit_other_than_wan_is_refused(tmp_path):
    text = CSV_E.replace("单位：万元", "单位：元")
    with pytest.raises(InputError, match="万元") as exc:
        read_ledger(write(tmp_path / "yuan.csv", text))
    assert exc.value.problems[0].row == 4


def test_no_header_or_no_rows(tmp_path):
    with pytest.raises(InputError, match="no header"):
        read_ledger(write(tmp_path / "x.csv", "a,b\n1,2\n"))
    with pytest.raises(InputError, match="no data rows"):
        read_ledger(write(tmp_path / "y.csv", HEAD_E + "\n"), "enterprise")
    with pytest.raises(InputError, match="unsupported"):
        read_ledger(write(tmp_path / "z.txt", HEAD_E))


def test_kind_is_told_from_the_file():
    assert detect_kind(["序号", "区域名称"]) == "region"
    assert detect_kind(["序号", "所属行业"]) == "enterprise"
    assert detect_kind(["序号"], ["附件4-2"]) == "region"
    assert detect_kind(["序号", "工作目标"]) is None


# --------------------------------------------------------------------------------------------
# fuzz: random cells never crash the reader and never give half a ledger
# --------------------------------------------------------------------------------------------

_CELL = st.one_of(
    st.none(),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.sampled_from(["", " ", "=SUM(A1)", "已完成", "推进中", "太原市", "北京", "36", "98 行业",
                     "2026-06", "2026年6月", "1.目标", "五百", "1,000", "-3", "注：", "序号",
                     "贷款类", "'=x", "１２", "2026.13"]),
    st.text(max_size=12),
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.lists(st.lists(_CELL, min_size=0, max_size=15), min_size=0, max_size=6))
def test_random_cells_give_an_input_error_or_a_valid_ledger(tmp_path, body):
    head = [["附件4-1"], HEAD_E.split(",") + ["进展情况"]]
    wb = openpyxl.Workbook()
    ws = wb.active
    p = tmp_path / "fuzz.xlsx"
    try:
        for r in head + body:
            ws.append(r)
        wb.save(p)
    except (ValueError, TypeError, IllegalCharacterError):  # openpyxl's own refusals
        return
    try:
        got = read_ledger(p, "enterprise")
    except InputError as exc:
        assert exc.problems and all(pr.file == "fuzz.xlsx" for pr in exc.problems)
        return
    assert got == normalise(got, "enterprise")
    assert got["blocks"] and set(got) == {"contact", "blocks", "indicators"}
    for block in got["blocks"]:
        assert all(isinstance(c, str) and len(c) == 2 for c in block["industries"])
        for row in block["rows"]:
            for k in ("loan", "bill", "lease", "letter", "other"):
                assert k not in row or (isinstance(row[k], float) and row[k] >= 0)
            assert "deadline" not in row or len(row["deadline"]) == 7


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(st.tuples(st.integers(1, 16), st.integers(1, 15), _CELL), min_size=1, max_size=6)
)
def test_a_filed_ledger_edited_at_random_reads_or_is_refused_whole(tmp_path, edits):
    base = tmp_path / "base.xlsx"
    if not base.exists():
        export_ledger(EXPECTED_E, "enterprise", base, period="2026Q2")
    wb = openpyxl.load_workbook(base)
    ws = wb.active
    p = tmp_path / "edited.xlsx"
    try:
        for r, c, v in edits:
            if type(ws.cell(r, c)).__name__ == "MergedCell":
                continue
            ws.cell(r, c).value = v
        wb.save(p)
    except (ValueError, TypeError, IllegalCharacterError):
        return
    try:
        got = read_ledger(p)
    except InputError as exc:
        assert exc.problems and all(pr.file == "edited.xlsx" for pr in exc.problems)
        return
    kind = "region" if got["blocks"][0]["role"] == "region" else "enterprise"
    assert got == normalise(got, kind)
    assert got["blocks"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.binary(max_size=400)
    | st.text(max_size=300).map(lambda s: (HEAD_E + "\n" + s).encode("gb18030"))
)
def test_random_csv_bytes_never_crash(tmp_path, raw):
    p = tmp_path / "raw.csv"
    p.write_bytes(raw)
    try:
        got = read_ledger(p, "enterprise")
    except InputError:
        return
    assert got == normalise(got, "enterprise") and got["blocks"]


def test_a_date_with_a_time_and_a_value_far_right(tmp_path):
    rows = [TOP, SUB, [1, "示例区(虚构)", "大同市", "目标", "举措", None, 5, None, None, None, None,
                       dt.datetime(2026, 6, 3, 10, 30), None]]  # fmt: skip
    got = read_ledger(_xlsx(tmp_path / "t.xlsx", rows, ["F1:K1"]), "region")
    assert got["blocks"][0]["rows"][0]["deadline"] == "2026-06"
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    wb.active.cell(3, 300).value = "stray"
    wb.save(tmp_path / "far.xlsx")
    with pytest.raises(InputError, match="beyond the last header column") as exc:
        read_ledger(tmp_path / "far.xlsx", "region")
    assert exc.value.problems[0].row == 3


def test_files_that_cannot_be_read_are_told_in_both_languages(tmp_path):
    cases = [
        (write(tmp_path / "x.txt", "a"), "不支持的文件类型“.txt”", "unsupported file type '.txt'"),
        (write(tmp_path / "old.xls", "a"), "请另存为 .xlsx", "save it as .xlsx"),
        (tmp_path / "missing.csv", "找不到文件", "file not found"),
        (write(tmp_path / "nul.csv", "a,\x00b\n"), "文件含空字节", "contains NUL bytes"),
        (write(tmp_path / "q.csv", 'a,"b\n'), "csv 格式错误", "malformed csv"),
        (write(tmp_path / "bad.xlsx", "not a zip"), "不是可读取的 xlsx 工作簿", "readable xlsx"),
    ]
    for path, zh_part, en_part in cases:
        with pytest.raises(InputError) as exc:
            read_ledger(path, "enterprise")
        zh, en = both_languages(exc)
        assert zh.startswith("文件 ") and zh.split("：")[0].endswith(path.name), zh
        assert zh_part in zh and en.split(": ")[0].endswith(path.name) and en_part in en, en
        assert not any(ch in en for ch in "文件找不到支持"), en
