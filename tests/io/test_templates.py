"""The committed import templates are current and a filled-in one imports."""

from __future__ import annotations

import openpyxl

from scoring import io
from scoring.programme import schema


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
