"""Import templates (``data/templates/``): empty candidates, experts and scores files to fill in.

The xlsx templates have a title row, the Chinese headers, drop-down lists for the enumerated
columns, a comment on each required column and a 填写说明 sheet; the csv templates only the header.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from ..programme import schema
from .cells import _display_width
from .fields import SCORE_FIELDS
from .tables import PathLike
from .writer import atomic_file, write_table

_REQUIRED_NOTE = {
    "candidates": {
        "project_id": "必填，唯一 / required, unique",
        "name": "必填 / required",
        "kind": "必填：企业项目 或 区域项目 / required: enterprise or region",
        "city": f"必填：{'、'.join(schema.CITIES)} 或 {schema.PROVINCIAL}",
        "enterprise_type": f"企业项目必填：{'、'.join(schema.ENTERPRISE_TYPES)}",
        "has_sc_dept": "是 / 否",
    },
    "experts": {
        "expert_id": "必填，唯一 / required, unique",
        "name": "必填 / required",
        "kind": f"必填：{'、'.join(schema.EXPERT_KINDS.values())}",
        "bank": "银行评审必填，其他类别留空 / bank reviewers only",
    },
    "scores": {
        "criterion": "评审指标键名或中文名，如 strength 或 综合实力",
        "score": "0–100 的数字；回避或缺评留空行 / a number; leave recused scores out",
    },
}
TEMPLATE_TITLES = {
    "candidates": "山西省供应链重点项目汇总表(导入模板)",
    "experts": "评审专家名单(导入模板)",
    "scores": "专家评分表(导入模板)",
}


def template_columns(kind: str, years: Iterable[int] = (2023, 2024, 2025)) -> dict[str, str]:
    """Canonical column -> Chinese header of an import template (``candidates``, ``experts``,
    ``scores``); the candidates template has the 附件1 indicators for ``years``."""
    if kind == "candidates":
        cols = dict(schema.CANDIDATE_FIELDS)
        for key in schema.INDICATORS:
            for y in years:
                cols[schema.indicator_column(key, y)] = schema.indicator_header(key, y)
        return cols
    if kind == "experts":
        return dict(schema.EXPERT_FIELDS)
    if kind == "scores":
        return dict(SCORE_FIELDS)
    raise InputError([Problem(f"unknown template {kind!r} (candidates, experts, scores)")])


def write_template(kind: str, path: PathLike, years: Iterable[int] = (2023, 2024, 2025)) -> Path:
    """Write an empty import template with Chinese headers (csv, or xlsx with a title row,
    drop-down lists for the enumerated columns and a 填写说明 sheet)."""
    cols = template_columns(kind, years)
    empty = pd.DataFrame(columns=list(cols))
    p = Path(path)
    if p.suffix.lower() == ".csv":
        return write_table(empty, p, headers=cols)
    if p.suffix.lower() != ".xlsx":
        raise InputError([Problem(f"unsupported template type '{p.suffix}'")], file=p.name)
    import xlsxwriter

    notes = _REQUIRED_NOTE.get(kind, {})
    lists = {
        "kind": list(schema.PROJECT_KINDS.values())
        if kind == "candidates"
        else list(schema.EXPERT_KINDS.values()),
        "city": [*schema.CITIES, schema.PROVINCIAL] if kind == "candidates" else None,
        "enterprise_type": list(schema.ENTERPRISE_TYPES),
        "has_sc_dept": ["是", "否"],
    }
    with atomic_file(p) as tmp:
        wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False})
        wb.set_properties({"created": datetime(2026, 1, 1), "title": TEMPLATE_TITLES[kind]})
        title = wb.add_format(
            {"bold": True, "font_size": 16, "align": "center", "font_name": "宋体"}
        )
        head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                              "text_wrap": True, "bg_color": "#D9D9D9", "font_name": "宋体"})  # fmt: skip
        ws = wb.add_worksheet("模板")
        ws.merge_range(0, 0, 0, len(cols) - 1, TEMPLATE_TITLES[kind], title)
        ws.set_row(0, 32)
        for j, (key, zh) in enumerate(cols.items()):
            ws.write_string(1, j, zh, head)
            ws.set_column(j, j, min(max(_display_width(zh) + 2, 10), 40))
            if lists.get(key):
                ws.data_validation(2, j, 1001, j, {"validate": "list", "source": lists[key]})
            if key in notes:
                ws.write_comment(1, j, notes[key])
        ws.freeze_panes(2, 0)
        help_ws = wb.add_worksheet("填写说明")
        help_ws.write_row(0, 0, ["列名(中文)", "英文列名", "说明"], head)
        for i, (key, zh) in enumerate(cols.items(), start=1):
            help_ws.write_row(i, 0, [zh, key, notes.get(key, "选填 / optional")])
        help_ws.set_column(0, 0, 28)
        help_ws.set_column(1, 1, 24)
        help_ws.set_column(2, 2, 70)
        last = len(cols) + 2
        help_ws.write_string(
            last,
            0,
            "从第3行起每行一个项目；表头中文或英文列名均可；整份文件有任何错误都不会导入，并列出所有错误的行和列。",
        )
        help_ws.write_string(
            last + 1,
            0,
            "One row per record from row 3; Chinese or English headers; a file with any error imports nothing and every problem is listed with row and column.",
        )
        wb.close()
    return p


def write_templates(folder: PathLike) -> list[Path]:
    """Write the import templates of ``data/templates/``: candidates and experts (xlsx and csv),
    scores (csv)."""
    out = Path(folder)
    return [
        write_template("candidates", out / "candidates.xlsx"),
        write_template("candidates", out / "candidates.csv"),
        write_template("experts", out / "experts.xlsx"),
        write_template("experts", out / "experts.csv"),
        write_template("scores", out / "scores.csv"),
    ]
