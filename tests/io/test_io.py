"""Reading and writing tables: row numbers, header mapping, every problem at once, safe writing."""

from __future__ import annotations

import csv
import io as _io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import io
from scoring.programme import schema
from scoring.errors import InputError

CAND_EN = (
    "project_id,name,kind,city,enterprise_type,registered_capital,employees,has_sc_dept,"
    "sc_dept_headcount,revenue_2025,cash_cycle_2025\n"
    "E1,晋示例甲有限公司(虚构),enterprise,太原市,农业企业,5000,120,是,8,1.25,-3\n"
    "R1,示例县产业集群(虚构),region,大同市,,,,,,12.5,40\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(exc: pytest.ExceptionInfo[InputError]) -> list[tuple]:
    return [(p.row, p.column) for p in exc.value.problems]


def test_read_table_row_numbers_with_and_without_bom(tmp_path):
    a = write(tmp_path / "a.csv", "x,y\n1,2\n,\n3,4\n")
    b = write(tmp_path / "b.csv", "\ufeffx,y\n1,2\n,\n3,4\n")
    ta, tb = io.read_table(a), io.read_table(b)
    assert list(ta.columns) == ["x", "y"] == list(tb.columns)
    # header row 1, first data row 2; the blank row 3 is skipped but keeps its number
    assert list(ta.index) == [2, 4] == list(tb.index)
    assert ta.loc[4, "y"] == "4" and isinstance(ta.loc[2, "x"], str)


def test_non_utf8_csv_is_an_error_naming_the_file(tmp_path):
    p = write(tmp_path / "gbk.csv", "项目编号,企业名称\nE1,晋示例\n", encoding="gbk")
    with pytest.raises(InputError) as exc:
        io.read_table(p)
    msg = str(exc.value)
    assert "gbk.csv" in msg and "UTF-8" in msg


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "empty"),
        ("a,a\n1,2\n", "twice"),
        ("a,,c\n1,2,3\n", "blank"),
        ("a,b\n1,2,3\n", "beyond"),
    ],
)
def test_malformed_tables(tmp_path, text, fragment):
    with pytest.raises(InputError, match=fragment):
        io.read_table(write(tmp_path / "m.csv", text))


def test_unsupported_and_broken_files(tmp_path):
    with pytest.raises(InputError, match="unsupported"):
        io.read_table(write(tmp_path / "x.txt", "a,b\n"))
    with pytest.raises(InputError, match="xlsx"):
        io.read_table(write(tmp_path / "x.xlsx", "not a zip"))
    with pytest.raises(InputError, match="not found"):
        io.read_table(tmp_path / "missing.csv")


def test_xlsx_row_numbers_and_title_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["山西省供应链重点项目汇总表"])
    ws.append(["项目编号", "企业名称(区域名称)", "2025年营业收入(亿元)"])
    ws.append(["E1", "晋示例(虚构)", 1.5])
    ws.append(["E2", "=1+2", 3])
    wb.save(tmp_path / "t.xlsx")
    t = io.read_table(tmp_path / "t.xlsx")
    assert t.attrs["header_row"] == 2
    assert list(t.index) == [3, 4]
    assert t.loc[3, "2025年营业收入(亿元)"] == "1.5" and t.loc[4, "2025年营业收入(亿元)"] == "3"
    assert t.loc[4, "企业名称(区域名称)"] == "=1+2"  # formulas are read as text, never evaluated


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


def test_write_csv_bom_and_formula_neutralisation(tmp_path):
    df = pd.DataFrame(
        {
            "project_id": ["E1", "E2"],
            "name": ['=HYPERLINK("x")', "@SUM(1)"],
            "revenue_2025": [-2.5, 3.0],
        }
    )
    p = io.write_table(df, tmp_path / "out" / "t.csv")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "项目编号,企业名称(区域名称),2025年营业收入(亿元)"
    assert lines[1] == 'E1,"\'=HYPERLINK(""x"")",-2.5'  # text quoted, number untouched
    assert lines[2] == "E2,'@SUM(1),3"
    en = io.write_table(df, tmp_path / "en.csv", headers="en").read_text(encoding="utf-8-sig")
    assert en.splitlines()[0] == "project_id,name,revenue_2025"


def test_write_xlsx_layout(tmp_path):
    df = pd.DataFrame(
        {"rank": [1, 2], "name": ["+cmd", "晋示例很长的名称有限公司(虚构)"], "score": [-1.5, 2.0]}
    )
    df.index = pd.Index(["E1", "E2"], name="project_id")
    p = io.write_table(
        {"排名": df, "other": df.reset_index(drop=True)}, tmp_path / "r.xlsx", title="评审排名"
    )
    wb = openpyxl.load_workbook(p)
    ws = wb["排名"]
    assert ws["A1"].value == "评审排名" and "A1:D1" in [str(r) for r in ws.merged_cells.ranges]
    assert [c.value for c in ws[2]] == ["项目编号", "名次", "企业名称(区域名称)", "得分"]
    assert ws["C3"].value == "'+cmd" and ws["C3"].data_type == "s"
    assert ws["D3"].value == -1.5 and ws["D3"].data_type == "n"
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["C"].width > ws.column_dimensions["B"].width
    assert wb.sheetnames == ["排名", "other"]
    # our own export reads back: the title row is recognised, rows keep their sheet numbers
    back = io.read_table(p)
    assert list(back.index) == [3, 4] and back.loc[3, "项目编号"] == "E1"


def test_xlsx_round_trip_of_demo_candidates(tmp_path, demo_dir):
    original = io.read_candidates(demo_dir / "candidates.csv")
    p = io.write_table(
        original.reset_index(drop=True), tmp_path / "c.xlsx", title="山西省供应链重点项目汇总表"
    )
    back = io.read_candidates(p)
    pd.testing.assert_frame_equal(
        original.reset_index(drop=True), back.reset_index(drop=True), check_dtype=False
    )


def test_write_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "keep.xlsx"
    target.write_bytes(b"previous")

    def boom(*args, **kwargs):
        Path(args[1]).write_bytes(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(io, "_write_xlsx", boom)
    with pytest.raises(RuntimeError):
        io.write_table(pd.DataFrame({"a": [1]}), target)
    assert target.read_bytes() == b"previous"
    assert [f.name for f in tmp_path.iterdir()] == ["keep.xlsx"]
    with pytest.raises(InputError, match="unsupported"):
        io.write_table(pd.DataFrame({"a": [1]}), tmp_path / "x.json")
    with pytest.raises(InputError, match="one table"):
        io.write_table({"a": pd.DataFrame(), "b": pd.DataFrame()}, tmp_path / "x.csv")


def test_templates_are_current_and_importable(tmp_path, repo_root):
    committed = repo_root / "data" / "templates"
    io.write_templates(tmp_path)
    for name in ("candidates.csv", "experts.csv", "scores.csv"):
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name
    for name in ("candidates.xlsx", "experts.xlsx"):
        fresh, old = io.read_table(tmp_path / name), io.read_table(committed / name)
        assert list(fresh.columns) == list(old.columns) and old.attrs["header_row"] == 2
    # a filled-in xlsx template imports, with the user's spreadsheet row numbers
    wb = openpyxl.load_workbook(committed / "candidates.xlsx")
    ws = wb["模板"]
    header = [c.value for c in ws[2]]
    row = dict.fromkeys(header)
    row.update({"项目编号": "E1", "企业名称(区域名称)": "晋示例(虚构)", "项目类型": "企业项目",
                "所属城市": "太原市", "企业类型": "流通企业", "2025年营业收入(亿元)": 2.5})  # fmt: skip
    ws.append([row[h] for h in header])
    wb.save(tmp_path / "filled.xlsx")
    got = io.read_candidates(tmp_path / "filled.xlsx")
    assert list(got.index) == [3] and got.loc[3, "revenue_2025"] == 2.5
    assert got.loc[3, "kind"] == "enterprise"
    experts = io.read_table(committed / "experts.csv")
    assert list(experts.columns) == list(schema.EXPERT_FIELDS.values())


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
