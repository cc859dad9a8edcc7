"""Reading the canonical tables: header mapping, typed values, every problem at once."""

from __future__ import annotations

import csv
import io as _io
import time

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import io
from scoring.errors import InputError
from scoring.programme import schema

from .conftest import CAND_EN, both_languages, problems_of, write


def test_candidates_chinese_and_english_headers_agree(tmp_path):
    en = io.read_candidates(write(tmp_path / "en.csv", CAND_EN))
    zh_header = [
        "项目编号", "企业名称(区域名称)", "项目类型", "所属城市", "企业类型", "注册资本(万元)", "企业员工数",
        "是否设立供应链部门", "供应链部门人数", "2025年营业收入(亿元)", "2025年现金周转期(天)",
    ]  # fmt: skip
    body = CAND_EN.split("\n", 1)[1].replace("enterprise", "企业项目").replace("region", "区域项目")
    zh = io.read_candidates(write(tmp_path / "zh.csv", ",".join(zh_header) + "\n" + body))
    pd.testing.assert_frame_equal(en, zh)
    assert list(en.columns[: len(schema.CANDIDATE_FIELDS)]) == list(schema.CANDIDATE_FIELDS)
    assert en.loc[2, "kind"] == "enterprise" and en.loc[3, "kind"] == "region"
    assert en.loc[2, "registered_capital"] == 5000.0 and en.loc[2, "employees"] == 120
    assert bool(en.loc[2, "has_sc_dept"]) is True and pd.isna(en.loc[3, "has_sc_dept"])
    assert en.loc[2, "cash_cycle_2025"] == -3.0  # a negative cash cycle is legitimate
    assert pd.isna(en.loc[3, "registered_capital"])  # blank optional -> missing, not zero


def test_candidates_every_problem_at_once(tmp_path):
    text = (
        "project_id,name,kind,city,enterprise_type,employees,revenue_2025,market_share_2025\n"
        "E1,甲,enterprise,太原市,农业企业,10,1.5,3\n"
        "E1,乙,enterprise,北京市,农业企业,ten,1.5,3\n"  # duplicate id, unknown city, bad int
        'E3,丙,company,大同市,,10.5,"1,200",130\n'  # bad kind, bad int, separator, share > 100
        "E4,丁,enterprise,朔州市,,1,=A1,1\n"  # missing enterprise type, formula
        "R1,戊,region,省属企业,,,,\n"  # region under 省属企业
    )
    with pytest.raises(InputError) as exc:
        io.read_candidates(write(tmp_path / "bad.csv", text))
    got = problems_of(exc)
    for expected in [
        (3, "project_id"), (3, "city"), (3, "employees"), (4, "kind"), (4, "employees"),
        (4, "revenue_2025"), (4, "market_share_2025"), (5, "enterprise_type"), (5, "revenue_2025"),
        (6, "city"),
    ]:  # fmt: skip
        assert expected in got, (expected, got)
    assert all(p.file == "bad.csv" for p in exc.value.problems)
    assert "formula" in str(exc.value) and "thousands" in str(exc.value)


def test_candidates_missing_and_unknown_columns(tmp_path):
    with pytest.raises(InputError) as exc:
        io.read_candidates(write(tmp_path / "c.csv", "project_id,name,colour\nE1,甲,red\n"))
    got = problems_of(exc)
    assert (1, "colour") in got and (None, "kind") in got and (None, "city") in got


def test_header_only_file_has_no_data_rows(tmp_path):
    with pytest.raises(InputError, match="no data rows"):
        io.read_candidates(write(tmp_path / "h.csv", "project_id,name,kind,city\n"))


def test_experts(tmp_path):
    ok = io.read_experts(
        write(
            tmp_path / "e.csv",
            "专家编号,姓名,专家类别,所属银行\nX1,赵示例,行业专家,\nX2,钱示例,bank,示例银行(虚构)\n",
        )
    )
    assert list(ok["kind"]) == ["industry", "bank"] and ok.loc[3, "bank"] == "示例银行(虚构)"
    with pytest.raises(InputError) as exc:
        io.read_experts(
            write(
                tmp_path / "bad.csv",
                "expert_id,name,kind,bank\nX1,赵,bank,\nX1,钱,industry,示例银行\nX3,孙,judge,\n",
            )
        )
    assert problems_of(exc) == [(4, "kind"), (2, "bank"), (3, "bank"), (3, "expert_id")]


def test_scores_chinese_names_and_all_problems(tmp_path):
    ok = io.read_scores(
        write(
            tmp_path / "s.csv",
            "项目编号,专家编号,评审指标,分数\nE1,X1,综合实力,80\nE1,X1,risk,40.5\n",
        )
    )
    assert list(ok["criterion"]) == ["strength", "risk"] and list(ok["score"]) == [80.0, 40.5]
    text = (
        "project_id,expert_id,criterion,score\n"
        "E1,X1,strength,80\nE1,X1,strength,81\n"  # duplicate
        "E1,X1,luck,50\nE1,X1,market,abc\nE1,X1,risk,101\nE9,X1,poverty,50\nE1,X1,demonstration,\n"
    )
    with pytest.raises(InputError) as exc:
        io.read_scores(write(tmp_path / "bad.csv", text), projects=["E1"])
    got = problems_of(exc)
    for expected in [
        (4, "criterion"),
        (5, "score"),
        (6, "score"),
        (7, "project_id"),
        (8, "score"),
        (2, "project_id/expert_id/criterion"),
    ]:
        assert expected in got, (expected, got)


_CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "E1",
            "太原市",
            "北京市",
            "enterprise",
            "region",
            "农业企业",
            "是",
            "=1+2",
            "1,200",
            "-5",
            "1e3",
            "nan",
            "inf",
            "'@x",
            "\u00a0",
            "10.5",
        ]
    ),  # fmt: skip
    st.text(max_size=6),
)
_HEADERS = st.sampled_from(
    [
        "project_id",
        "name",
        "kind",
        "city",
        "enterprise_type",
        "employees",
        "revenue_2025",
        "2024年市场占有率(%)",
        "项目编号",
        "colour",
        "",
        "project_id",
    ]  # fmt: skip
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(header=st.lists(_HEADERS, min_size=0, max_size=6),
       rows=st.lists(st.lists(_CELLS, max_size=7), max_size=5),
       raw=st.binary(max_size=40))  # fmt: skip
def test_fuzz_never_crashes_and_names_rows(tmp_path, header, rows, raw):
    """Malformed csv (wrong columns, types, duplicates, empty, binary) -> InputError or a result."""
    buf = _io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    for i, data in enumerate((buf.getvalue().encode("utf-8"), raw)):
        p = tmp_path / f"f{i}.csv"
        p.write_bytes(data)
        for reader in (io.read_candidates, io.read_experts, io.read_scores):
            try:
                out = reader(p)
            except InputError as exc:
                for prob in exc.problems:
                    assert prob.file == p.name
                    assert (
                        prob.row is not None
                        or prob.column is not None
                        or "file" in prob.message
                        or "UTF-8" in prob.message
                        or "csv" in prob.message
                        or "NUL" in prob.message
                        or "empty" in prob.message
                        or "no data" in prob.message
                    ), prob
            else:
                assert len(out) >= 1


# ---------------------------------------------------------------- workbook fuzz (issue 10 §4, §5)
_WB_HEADER = ["project_id", "name", "kind", "city", "enterprise_type", "perfect_order_rate",
              "lender_bank"]  # fmt: skip
_WB_ROWS = [
    ["E1", "晋示例甲(虚构)", "enterprise", "太原市", "农业企业", 90, "示例银行甲(虚构)"],
    ["E2", "晋示例乙(虚构)", "enterprise", "大同市", "工业企业", 80, "示例银行乙(虚构)"],
    ["E3", "晋示例丙(虚构)", "enterprise", "朔州市", "流通企业", 70, None],
]
#: The checks in the order read_table runs them; a refusal names the first one that applies.
_ORDER = ("sheet", "header", "rows", "merged", "formula")
#: Mutation -> the check that must refuse it (None: must be read, and read right).
_WB_MUTATIONS = {
    "hidden_first_sheet": None,
    "merged_title": None,
    "percent": None,
    "ambiguous_sheet": "sheet",
    "bad_header": "header",
    "row_bomb": "rows",
    "blank_bomb": "rows",
    "merged_data": "merged",
    "formula_text": "formula",
}
_BOMB_ROW = b"<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c><c><v>4</v></c></row>"


def _workbook(path, chosen, header):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    if "hidden_first_sheet" in chosen or "ambiguous_sheet" in chosen:
        old = ws
        old.title = "旧数据"
        old.append(header)
        old.append(["E9", "旧企业(虚构)", "enterprise", "太原市", "农业企业", 1, None])
        old.sheet_state = "hidden"
        ws = wb.create_sheet("数据")
        if "ambiguous_sheet" in chosen:
            wb.create_sheet("说明").append(["填写说明", "见模板"])
    if "merged_title" in chosen:
        ws.append(["山西省供应链重点项目汇总表(虚构)"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    top = ws.max_row
    for r in _WB_ROWS:
        ws.append(r)
    if "percent" in chosen:
        cell = ws.cell(row=top + 1, column=6, value=0.953)
        cell.number_format = "0.0%"
    if "formula_text" in chosen:
        ws.cell(row=top + 2, column=2, value='=A3&"(虚构)"')
    if "merged_data" in chosen:  # E2's lender bank spread over E3's row: E3's bank came in blank
        ws.merge_cells(start_row=top + 2, start_column=7, end_row=top + 3, end_column=7)
    wb.save(path)
    if "ambiguous_sheet" in chosen:  # Excel never saves a hidden active sheet; a crafted file can
        _set_active(path, 0)
    return path


def _set_active(path, index):
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    xml = parts["xl/workbook.xml"].decode()
    parts["xl/workbook.xml"] = re.sub(r'activeTab="\d+"', f'activeTab="{index}"', xml).encode()
    if "activeTab" not in xml:
        parts["xl/workbook.xml"] = xml.replace(
            "<workbookView", f'<workbookView activeTab="{index}"'
        ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    from .conftest import xlsx_with_rows

    d = tmp_path_factory.mktemp("bombs")
    return {
        "row_bomb": xlsx_with_rows(d / "rows.xlsx", _WB_HEADER, _BOMB_ROW, 1_000_000),
        "blank_bomb": xlsx_with_rows(
            d / "blank.xlsx", _WB_HEADER, b'<row r="{r}" ht="20"/>', 500_000
        ),
        "bad_header": xlsx_with_rows(d / "header.xlsx", ["编号", "colour"], _BOMB_ROW, 1_000_000),
    }


def test_fuzz_workbooks_refused_by_the_right_check_quickly(tmp_path, bombs, capsys):
    """Hidden sheets, merged cells, percent formats, formulas and row bombs: never read wrong,
    refused by the check that applies (sheet, header, row cap, merged, formula) within 5 s."""
    import shutil

    from scoring.io.tables import TableError

    times: dict[str, list[float]] = {}

    @settings(max_examples=40, deadline=None)
    @given(chosen=st.lists(st.sampled_from(sorted(_WB_MUTATIONS)), min_size=1, max_size=3,
                           unique=True))  # fmt: skip
    def run(chosen):
        path = tmp_path / "候选.xlsx"
        bomb = next((m for m in ("bad_header", "row_bomb", "blank_bomb") if m in chosen), None)
        if bomb:  # a bomb is a whole file: the other mutations do not apply
            chosen = [bomb]
            shutil.copy(bombs[bomb], path)
        else:
            header = ["编号", "colour"] if "bad_header" in chosen else _WB_HEADER
            _workbook(path, chosen, header)
        expected = sorted({c for m in chosen if (c := _WB_MUTATIONS[m])}, key=_ORDER.index)
        t0 = time.perf_counter()
        try:
            out = io.read_candidates(path)
        except TableError as exc:
            took = time.perf_counter() - t0
            assert expected and exc.check == expected[0], (chosen, exc.check, str(exc))
            assert all(p.file == path.name for p in exc.problems)
            if exc.check == "merged":
                assert any(p.column == "lender_bank" and p.row for p in exc.problems), str(exc)
            if exc.check == "formula":
                assert any(p.column == "name" and p.row is not None for p in exc.problems)
        else:
            took = time.perf_counter() - t0
            assert not expected, (chosen, "should have been refused")
            assert list(out["project_id"]) == ["E1", "E2", "E3"]  # the visible sheet's rows
            assert list(out["lender_bank"].fillna("")) == [
                "示例银行甲(虚构)",
                "示例银行乙(虚构)",
                "",
            ]
            rate = 95.3 if "percent" in chosen else 90.0  # 95.3% is 95.3, not 0.953
            assert out["perfect_order_rate"].iloc[0] == pytest.approx(rate)
        times.setdefault("+".join(sorted(chosen)), []).append(took)

    run()
    with capsys.disabled():
        print("\nworkbook fuzz, slowest answer per case:")
        for case, ts in sorted(times.items(), key=lambda kv: -max(kv[1])):
            print(f"  {max(ts):6.3f} s  ({len(ts)}x) {case}")


def test_the_rules_across_columns_are_told_in_both_languages(tmp_path):
    text = (
        "project_id,name,kind,city,has_sc_dept,sc_dept_headcount\n"
        "E1,甲,enterprise,太原市,否,3\n"  # no enterprise_type column; headcount without a dept
        "R1,戊,region,省属企业,,\n"  # region under 省属企业
    )
    with pytest.raises(InputError) as exc:
        io.read_candidates(write(tmp_path / "c.csv", text))
    zh, en = both_languages(exc)
    assert "文件 c.csv，第 2 行，「enterprise_type」：企业项目须有“企业类型”列" in zh, zh
    assert "文件 c.csv，第 2 行，「sc_dept_headcount」：填写了供应链部门人数" in zh, zh
    assert "文件 c.csv，第 3 行，「city」：区域项目属于地市，不能填“省属企业”" in zh, zh
    assert "c.csv, row 2, column 'enterprise_type': enterprise projects need column" in en, en
    assert "c.csv, row 3, column 'city': a region project belongs to a city" in en, en
    text = "project_id,name,kind,city,enterprise_type\nE1,甲,enterprise,太原市,\n"
    with pytest.raises(InputError) as exc:
        io.read_candidates(write(tmp_path / "d.csv", text))
    zh, en = both_languages(exc)
    assert zh == "文件 d.csv，第 2 行，「enterprise_type」：必填项为空（企业项目必填）", zh
    assert en == (
        "d.csv, row 2, column 'enterprise_type': value is empty (required for enterprise projects)"
    ), en
    text = "expert_id,name,kind,bank\nX1,赵,bank,\nX2,钱,industry,示例银行\n"
    with pytest.raises(InputError) as exc:
        io.read_experts(write(tmp_path / "e.csv", text))
    zh, en = both_languages(exc)
    assert "文件 e.csv，第 2 行，「bank」：银行评审须填写所属银行" in zh, zh
    assert "文件 e.csv，第 3 行，「bank」：只有银行评审填写所属银行" in zh, zh
    assert "e.csv, row 2, column 'bank': a bank reviewer needs their bank" in en, en


def test_missing_columns_are_named_by_the_headers_of_the_file_being_read(tmp_path):
    with pytest.raises(InputError) as exc:
        io.read_experts(write(tmp_path / "e.csv", "专家编号,工作单位\nX1,示例单位\n"))
    zh = [p.text("zh") for p in exc.value.problems]
    assert "文件 e.csv，「name」：缺少必填列“姓名”" in zh, zh
    assert "文件 e.csv，「kind」：缺少必填列“专家类别”" in zh, zh
    assert not any("企业名称" in z or "项目类型" in z for z in zh), zh
    with pytest.raises(InputError) as exc:
        io.read_candidates(write(tmp_path / "c.csv", "项目编号,所属城市\nE1,太原市\n"))
    zh = [p.text("zh") for p in exc.value.problems]
    assert "文件 c.csv，「name」：缺少必填列“企业名称(区域名称)”" in zh, zh
    assert "文件 c.csv，「kind」：缺少必填列“项目类型”" in zh, zh
    with pytest.raises(InputError) as exc:
        io.read_scores(write(tmp_path / "s.csv", "项目编号,专家编号\nP1,X1\n"))
    zh = [p.text("zh") for p in exc.value.problems]
    assert "文件 s.csv，「criterion」：缺少必填列“评审指标”" in zh, zh
    assert "文件 s.csv，「score」：缺少必填列“分数”" in zh, zh


def test_field_label_reads_the_fields_of_the_form_it_is_asked_for():
    assert schema.field_label("name", "experts") == "姓名"
    assert schema.field_label("kind", "experts") == "专家类别"
    assert schema.field_label("phone", "experts") == "联系方式"
    assert schema.field_label("name", "candidates") == "企业名称(区域名称)"
    assert schema.field_label("revenue_2025", "candidates") == "2025年营业收入(亿元)"
    assert schema.field_label("revenue_2025", "experts") == "revenue_2025"
    assert schema.field_label("expert_id", "candidates") == "expert_id"
    with pytest.raises(ValueError, match="unknown form"):
        schema.field_label("name", "scores")
