"""xlsx laid out like the forms: title row, headers, widths, frozen header; it reads back."""

from __future__ import annotations

import openpyxl
import pandas as pd

from scoring import io


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
