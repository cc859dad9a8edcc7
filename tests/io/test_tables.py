"""Reading raw tables: row numbers, encodings, malformed and unsupported files."""

from __future__ import annotations

import openpyxl
import pytest

from scoring import io
from scoring.errors import InputError

from .conftest import both_languages, write


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


def test_an_unreadable_workbook_and_a_missing_sheet_are_told_in_both_languages(tmp_path):
    with pytest.raises(InputError) as exc:
        io.read_table(write(tmp_path / "bad.xlsx", "not a zip"))
    zh, en = both_languages(exc)
    assert zh == "文件 bad.xlsx：不是可读取的 xlsx 工作簿（BadZipFile），请另存为 .xlsx", zh
    assert en == "bad.xlsx: not a readable xlsx workbook (BadZipFile); save it as .xlsx", en
    wb = openpyxl.Workbook()
    wb.active.title = "名单"
    wb.active.append(["a", "b"])
    wb.create_sheet("备用")
    wb.save(tmp_path / "two.xlsx")
    with pytest.raises(InputError) as exc:
        io.read_table(tmp_path / "two.xlsx", sheet=5)
    zh, en = both_languages(exc)
    assert zh == "文件 two.xlsx：没有第 5 个工作表（工作表：名单、备用）", zh
    assert en == "two.xlsx: no sheet number 5 (sheets: 名单, 备用)", en
    with pytest.raises(InputError) as exc:
        io.read_table(tmp_path / "two.xlsx", sheet="汇总")
    zh, en = both_languages(exc)
    assert zh == "文件 two.xlsx：没有名为「汇总」的工作表（工作表：名单、备用）", zh
    assert en == "two.xlsx: no sheet named '汇总' (sheets: 名单, 备用)", en
