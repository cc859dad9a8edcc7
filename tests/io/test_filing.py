"""Issue 11: tables a department can file — the title block in the title's cell, the footer,
number formats, A4 print setup (landscape when wide), values rounded and in Chinese."""

from __future__ import annotations

import openpyxl
import pandas as pd

from scoring import io
from scoring.io.filing import chain_line, local_minute, score_decimals, title_block, zh_values


def test_title_block_footer_formats_and_print_setup(tmp_path) -> None:
    wide = pd.DataFrame(
        {f"c{i}": [74.33333333333333] for i in range(14)}, index=pd.Index(["P1"], name="project_id")
    )
    narrow = pd.DataFrame({"seq": [1], "name": ["甲"]})
    block = title_block(panel={"id": 3, "name": "第一组", "date": "2026-03-20"}, members=["X01 赵某"],
                        weights={"risk": 0.2}, names={"risk": "项目风险"}, method="weighted_sum",
                        how="zscore", config_hash="ab" * 32, chain_head=(42, "f" * 64))  # fmt: skip
    p = io.write_table(wide, tmp_path / "w.xlsx", title="排名", block=block, footer=chain_line((42, "f" * 64)),
                       number_formats={"c0": "0.00"})  # fmt: skip
    ws = openpyxl.load_workbook(p).active
    cell = ws.cell(1, 1).value
    assert cell.startswith("排名\n") and "第一组（编号 3）" in cell and "2026-03-20" in cell
    assert (
        "X01 赵某" in cell and "项目风险 0.20" in cell and "加权和法" in cell and "ab" * 32 in cell
    )
    assert "审计链 #42 ffffffffffffffff…" in cell
    assert [c.value for c in ws[2]][:2] == ["project_id", "c0"] or ws.cell(2, 1).value
    assert ws.cell(3, 2).number_format == "0.00"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == "$2:$2" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert "审计链 #42" in ws.oddFooter.left.text and "&P" in ws.oddFooter.right.text
    assert ws.row_dimensions[1].height > 32  # room for the block
    ws2 = openpyxl.load_workbook(io.write_table(narrow, tmp_path / "n.xlsx", title="目录")).active
    assert ws2.page_setup.orientation == "portrait" and ws2.cell(1, 1).value == "目录"
    assert io.read_table(p).attrs["header_row"] == 2  # reads back as before


def test_values_rounded_and_in_chinese() -> None:
    assert score_decimals((0, 100)) == 2 and score_decimals((0, 10)) == 3
    assert score_decimals(None) == 4
    t = pd.DataFrame({"kind": ["enterprise", "region", "draft"], "status": ["selected", "chair", "x"],
                      "criterion": ["risk", "risk", "other"],
                      "created_at": ["2026-12-02T15:28:09.929603+00:00", "", None]})  # fmt: skip
    z = zh_values(t, {"risk": "项目风险"})
    assert list(z["kind"]) == ["企业项目", "区域项目", "草稿"]
    assert list(z["status"]) == ["入选", "待组长裁定", "x"]
    assert list(z["criterion"]) == ["项目风险", "项目风险", "other"]
    assert len(z.at[0, "created_at"]) == 16 and z.at[1, "created_at"] == ""
    assert local_minute("2026-12-02T15:28:09+00:00") == local_minute(
        pd.Timestamp("2026-12-02 15:28:59Z")
    )
