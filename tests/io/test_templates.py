"""The import templates: data/forms/template-*.yml, the committed templates current, a new one a file."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

from scoring import io
from scoring.errors import InputError
from scoring.io.templates import load_template, template_kinds
from scoring.programme import schema

_STAMPS = re.compile(rb"<dcterms:(created|modified)[^<]*</dcterms:\1>")


def _parts(path):
    """Every zip part of an xlsx file, the docProps timestamps left out."""
    with zipfile.ZipFile(path) as z:
        return {n: _STAMPS.sub(b"", z.read(n)) for n in z.namelist()}


def test_templates_are_current_and_importable(tmp_path, repo_root):
    committed = repo_root / "data" / "templates"
    written = io.write_templates(tmp_path)
    names = ["candidates.xlsx", "candidates.csv", "experts.xlsx", "experts.csv", "scores.csv"]
    assert [p.name for p in written] == names
    for name in ("candidates.csv", "experts.csv", "scores.csv"):
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name
    for name in ("candidates.xlsx", "experts.xlsx"):
        fresh, old = _parts(tmp_path / name), _parts(committed / name)
        assert list(fresh) == list(old), name
        for part in old:
            assert fresh[part] == old[part], (name, part)
        assert io.read_table(committed / name).attrs["header_row"] == 2
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


def test_every_template_of_data_forms_checks():
    assert template_kinds() == ["candidates", "experts", "scores"]
    assert dict(io.TEMPLATE_TITLES) == {
        "candidates": "山西省供应链重点项目汇总表(导入模板)",
        "experts": "评审专家名单(导入模板)",
        "scores": "专家评分表(导入模板)",
    }
    cand = load_template("candidates")
    assert cand.layout.sheet == "模板" and cand.help is not None and cand.rows == 1000
    assert cand.notes["city"] == f"必填：{'、'.join(schema.CITIES)} 或 {schema.PROVINCIAL}"
    assert cand.choices["city"] == (*schema.CITIES, schema.PROVINCIAL)
    cols = io.template_columns("candidates", years=[2026])
    assert list(cols)[-1] == "market_share_2026" and cols["revenue_2026"] == "2026年营业收入(亿元)"
    assert io.template_columns("scores") == io.SCORE_FIELDS
    with pytest.raises(
        InputError, match=r"unknown template 'banks' \(candidates, experts, scores\)"
    ):
        io.template_columns("banks")


def _template_file(tmp_path, text, name="template-regions"):
    (tmp_path / "template.yml").write_text(
        (io.FORMS_DIR / "template.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    p = tmp_path / f"{name}.yml"
    p.write_text(
        "extends: template\ntitle: {zh: 区域项目(导入模板), en: Regions}\n" + text, "utf-8"
    )
    return p


def test_a_new_template_is_a_file(tmp_path):
    p = _template_file(
        tmp_path,
        "template:\n  table: candidates\n  years: [2025]\n  rows: 10\n"
        "  notes: {city: '必填：{cities}', name: 必填}\n"
        "  choices: {city: ['{cities}'], kind: [区域项目]}\n",
    )
    out = io.write_template(p, tmp_path / "regions.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb["模板"]
    assert ws["A1"].value == "区域项目(导入模板)" and ws.freeze_panes == "A3"
    header = [c.value for c in ws[2]]
    assert header[-1] == "2025年市场占有率(%)" and "2024年营业收入(亿元)" not in header
    city = header.index("所属城市")
    assert ws.cell(2, city + 1).comment.text == "必填：" + "、".join(schema.CITIES)
    rules = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    letter = openpyxl.utils.get_column_letter(city + 1)
    assert rules[f"{letter}3:{letter}12"] == '"' + ",".join(schema.CITIES) + '"'
    help_rows = list(wb["填写说明"].values)
    assert help_rows[0] == ("列名(中文)", "英文列名", "说明")
    assert help_rows[2] == ("企业名称(区域名称)", "name", "必填")
    assert help_rows[3][2] == "选填 / optional"


#: A bad template file and what its problem says: the field at fault, then the message.
BAD_TEMPLATES = [
    ("", "template.table missing field"),
    ("template: {table: banks}", "template.table 'banks' is not one of: candidates, experts"),
    ("template: {table: scores, colour: red}", "template.colour unknown key"),
    ("template: {table: scores, files: [pdf]}", "template.files[0] 'pdf' is not one of: xlsx"),
    ("template: {table: scores, rows: 0}", "template.rows must be at least 1"),
    ("template: {table: scores, years: [soon]}", "template.years[0] must be a whole number"),
    ("template: {table: scores, notes: {city: x}}", "template.notes.city unknown key"),
    ("template: {table: scores, notes: {score: '{banks}'}}", "template.notes.score the text"),
    ("template: {table: experts, choices: {kind: ['{banks}']}}", "kind[0] unknown list {banks}"),
    (
        "template: {table: scores}\nhelp: {sheet: 说明, columns: [{key: x, zh: 甲, en: A}]}",
        "help.columns[0].key 'x' is not one of: header, key, note",
    ),
    ("template: {table: scores}\nhelp: {columns: []}", "help.sheet missing field"),
]


@pytest.mark.parametrize("text, says", BAD_TEMPLATES)
def test_a_bad_template_file_names_file_and_field(tmp_path, text, says):
    p = _template_file(tmp_path, text + "\n")
    with pytest.raises(InputError) as exc:
        load_template(p)
    said = [f"{pr.column} {pr.message}" for pr in exc.value.problems if pr.file == str(p)]
    assert any(says in s for s in said), said
