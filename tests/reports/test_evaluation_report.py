"""The yearly evaluation reports (issue 14): a city's 年度评估报告 and the province's 年度汇总报告,
as PDF and xlsx, on the seeded demo (one closed evaluation panel, one 不合格 that became an exit,
one replicable case)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from scoring.reports.evaluation import city_report, province_report
from scoring.store.errors import NotFound

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils (pdftotext, pdffonts) not installed: run .ci/system-deps",
)

CITY = "太原市"
POINTS = ("组织保障", "基础工作", "项目目标完成情况", "企业供应链绩效情况", "工作创新与示范带动",
          "绿色供应链", "全球供应链")  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from scoring.store import Workbench
    from scoring.store.demo import seed_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('evreport') / 'demo.db'}"
    wb = Workbench(url)
    seed_demo(wb)
    org = wb.system_actor("demo")
    panels = wb.evaluation.panels(org)
    pid = int(panels[panels["status"] == "closed"]["id"].iloc[0])
    grades = wb.evaluation.grades(org, pid, samples=1_000)
    yield {"url": url, "wb": wb, "org": org, "panel": pid, "grades": grades}
    wb.close()


@pytest.fixture(scope="module")
def files(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("evfiles")
    wb, org, pid = demo["wb"], demo["org"], demo["panel"]
    paths = {
        "city.pdf": city_report(wb, pid, "太原", out / "city.pdf", actor=org, samples=1_000),
        "city.xlsx": city_report(wb, pid, CITY, out / "city.xlsx", actor=org, samples=1_000),
        "prov.pdf": province_report(wb, 2026, out / "prov.pdf", actor=org, samples=1_000),
        "prov.xlsx": province_report(wb, 2026, out / "prov.xlsx", actor=org, samples=1_000),
    }
    return paths


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(out.stdout.split())  # table cells may wrap: compare without whitespace


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def _print_setup(ws) -> None:
    ps = ws.page_setup
    assert ps.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ps.fitToWidth in (None, 1)
    assert ps.fitToHeight == 0  # as many pages tall as needed
    assert ws.print_title_rows == "$2:$2"  # the header row repeats on every page


def _members(demo) -> list[tuple[str, str]]:
    status = demo["wb"].progress(demo["org"], demo["panel"])
    return list(dict.fromkeys(zip(status["expert_id"], status["expert_name"], strict=True)))


# ---------------------------------------------------------------- the city report
def test_the_city_xlsx_holds_the_panel_and_every_project(demo, files):
    wb = openpyxl.load_workbook(files["city.xlsx"])
    assert wb.sheetnames == ["评估结果", "指标完成", "按期报送", "融资情况", "偏离建议", "专家签字"]
    ws = wb["评估结果"]
    rows = _rows(ws)
    title = rows[0][0]
    h = demo["grades"].attrs["config_hash"]
    assert title.startswith(f"{CITY}2026年度供应链重点项目年度评估报告")
    assert "年度绩效评估（企业项目）" in title and "评估日期：" in title and "主持人：" in title
    assert h in title  # the full configuration hash
    assert "组织保障 14.3%" in title  # frozen weights in percent
    for e, n in _members(demo):
        assert f"{e} {n}" in title
    head = list(rows[1])
    assert head[:2] == ["项目编号", "项目名称"] and tuple(head[2:9]) == POINTS
    assert {"总分", "等级", "本等级概率", "等级不稳"} <= set(head)
    mine = demo["grades"][demo["grades"]["city"] == CITY]
    body = [r for r in rows[2:] if r[0]]
    assert sorted(r[0] for r in body) == sorted(mine.index)  # every project of the city
    g, frag = head.index("等级"), head.index("等级不稳")
    assert {r[g] for r in body} <= {"优秀", "良好", "合格", "不合格"} and "不合格" in {
        r[g] for r in body
    }
    assert {r[frag] for r in body} <= {"是", "否"}  # Chinese values, not keys or booleans
    score = head.index("总分")
    for r in body:  # rounded to the 0–100 scale's precision (two places)
        for v in r[2 : score + 1]:
            assert round(v, 2) == v
    assert ws.cell(row=3, column=score + 1).number_format == "0.00"
    assert ws.cell(row=3, column=head.index("本等级概率") + 1).number_format == "0.0%"
    for sheet in wb.worksheets:
        _print_setup(sheet)
    assert ws.page_setup.orientation == "landscape"  # wide: 18 columns


def test_the_city_xlsx_signatures_and_departures(demo, files):
    wb = openpyxl.load_workbook(files["city.xlsx"])
    sig = _rows(wb["专家签字"])
    assert sig[1][:3] == ("专家编号", "专家姓名", "工作单位")
    cells = {c for r in sig[2:] for c in r[3:]}
    assert "回避" in cells  # the demo's same-city recusals
    assert any(isinstance(c, str) and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", c) for c in cells)
    assert [r[0] for r in sig[2:]] == [e for e, _ in _members(demo)]
    dep = _rows(wb["偏离建议"])
    assert dep[1] == ("项目编号", "项目名称", "专家", "评估要点", "评分", "测算值", "建议区间",
                      "建议等级", "偏离")  # fmt: skip
    assert all(r[3] in POINTS for r in dep[2:])
    assert {r[8] for r in dep[2:]} <= {"高于建议", "低于建议"}
    quarters = _rows(wb["按期报送"])
    assert quarters[1][2:] == ("第一季度", "第二季度", "第三季度", "第四季度", "年度总结")
    fin = _rows(wb["融资情况"])
    assert fin[-1][0] == "合计"


def test_the_city_pdf_text(demo, files):
    text = _text(files["city.pdf"])
    assert f"{CITY}2026年度供应链重点项目年度评估报告" in text
    for point in POINTS:
        assert point in text
    mine = demo["grades"][demo["grades"]["city"] == CITY]
    for pid, name in mine["name"].items():
        assert pid in text and name in text
    assert demo["grades"].attrs["config_hash"] in text
    for e, n in _members(demo):  # the signatures: every expert, confirmed or 回避
        assert e in text and n in text
    assert "专家签字确认" in text and "回避" in text and "不合格" in text
    assert "14.3%" in text and "按期" in text and "贷款类" in text


@pytest.mark.parametrize("name", ["city.pdf", "prov.pdf"])
def test_the_pdfs_embed_the_cjk_font(files, name):
    out = subprocess.run(["pdffonts", str(files[name])], capture_output=True, text=True)
    lines = [x for x in out.stdout.splitlines()[2:] if x.strip()]
    assert lines and all(" yes " in x for x in lines)  # every font embedded
    assert any("CJK" in x for x in lines)


def test_a_city_without_projects_is_refused(demo, tmp_path):
    out = tmp_path / "none.pdf"
    with pytest.raises(NotFound, match="没有阳曲县的项目.*no project of") as err:
        city_report(demo["wb"], demo["panel"], "阳曲县", out, actor=demo["org"], samples=200)
    assert isinstance(err.value, ValueError)
    assert not out.exists()


def test_a_wrong_format_is_refused(demo, tmp_path):
    with pytest.raises(ValueError, match=r"\.pdf 或 \.xlsx"):
        city_report(demo["wb"], demo["panel"], CITY, tmp_path / "x.csv", actor=demo["org"])


# ---------------------------------------------------------------- the province report
def test_the_province_pdf_text(demo, files):
    text = _text(files["prov.pdf"])
    assert "山西省2026年度供应链重点项目年度评估汇总报告" in text
    for city in set(demo["grades"]["city"]):
        assert city in text
    assert "不合格" in text and "等级不稳" in text
    wb, org = demo["wb"], demo["org"]
    exited = wb.followed.projects(org)
    reason = exited[exited["status"] == "exited"]["exit_reason"].iloc[0]
    assert "".join(reason.split()) in text
    note = wb.evaluation.cases(org)["note"].iloc[0]
    assert "".join(note.split()) in text
    assert demo["grades"].attrs["config_hash"] in text


def test_the_province_xlsx(demo, files):
    wb = openpyxl.load_workbook(files["prov.xlsx"])
    assert wb.sheetnames == ["等级分布(地市)", "等级分布(类型)", "指标趋势", "融资情况",
                             "退出项目", "典型案例", "等级不稳", "评估等级一览"]  # fmt: skip
    dist = _rows(wb["等级分布(地市)"])
    assert dist[1] == ("地市", "优秀", "良好", "合格", "不合格", "合计")
    assert dist[-1][0] == "合计" and dist[-1][-1] == len(demo["grades"])
    assert dist[-1][4] == int((demo["grades"]["grade"] == "不合格").sum()) >= 1
    kinds = _rows(wb["等级分布(类型)"])
    assert kinds[2][0] == "企业项目"
    ex = _rows(wb["退出项目"])
    assert ex[1][-1] == "退出原因" and ex[2][0] == "E006" and "不合格" in ex[2][-1]
    cases = _rows(wb["典型案例"])
    assert cases[2][0] in demo["grades"].index and cases[2][5]
    trends = _rows(wb["指标趋势"])
    assert trends[1][:3] == ("指标", "单位", "项目数") and len(trends) > 2
    assert wb["指标趋势"].cell(row=3, column=8).number_format == "0.0%"
    for sheet in wb.worksheets:
        _print_setup(sheet)


# ---------------------------------------------------------------- the command line
def test_the_command_line(demo, tmp_path, capsys):
    from scoring.cli import main

    url, pid = demo["url"], str(demo["panel"])
    args = ["--db", url, "export", "evaluation", "--panel", pid, "--city", CITY,
            "--format", "xlsx", "-o", str(tmp_path / "city"), "--samples", "300"]  # fmt: skip
    assert main(args) == 0
    assert (tmp_path / "city.xlsx").is_file()
    args = ["--db", url, "export", "evaluation-summary", "--year", "2026", "--out",
            str(tmp_path / "prov.pdf"), "--samples", "300"]  # fmt: skip
    assert main(args) == 0
    assert (tmp_path / "prov.pdf").read_bytes().startswith(b"%PDF")
    bad = ["--db", url, "export", "evaluation", "--panel", pid, "--city", "阳曲县", "-o",
           str(tmp_path / "x.pdf")]  # fmt: skip
    assert main(bad) == 2
    assert "no project of" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
