"""Render the panel report and the 附件5 catalogue from the demo data and read them back with
poppler (pdftotext, pdffonts, pdftoppm): the Chinese criterion names and every shortlisted
candidate are in the text, the CJK font is embedded, and every page renders."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from scoring.engine.criteria import default_criteria
from scoring.errors import InputError
from scoring.programme.catalogue import catalogue
from scoring.reports import ExpertSheet, ReportData, build_catalogue_pdf, build_panel_report
from scoring.reports.assemble import report_data_from_files
from scoring.reports.catalogue_pdf import catalogue_layout, chinese_numeral


def test_poppler_is_installed() -> None:
    missing = [t for t in ("pdftotext", "pdffonts", "pdftoppm", "pdfinfo") if not shutil.which(t)]
    assert not missing, f"poppler-utils missing ({missing}): run .ci/system-deps"


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def _text(path: Path) -> str:
    # pdftotext may break a long cell across lines; compare without whitespace
    return re.sub(r"\s+", "", _run("pdftotext", str(path), "-"))


@pytest.fixture(scope="module")
def data() -> ReportData:
    return report_data_from_files(samples=2000)


@pytest.fixture(scope="module")
def report(data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.pdf"
    steps: list[tuple[int, int]] = []
    out.write_bytes(build_panel_report(data, progress=lambda s, d, t: steps.append((d, t))))
    assert steps[-1][0] == steps[-1][1]
    return out


@pytest.fixture(scope="module")
def catalogue_pdf(
    data: ReportData, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, pd.DataFrame]:
    cat = catalogue(data.shortlisted, data.ranking.reset_index())
    out = tmp_path_factory.mktemp("catalogue") / "catalogue.pdf"
    out.write_bytes(build_catalogue_pdf(cat, year=2026))
    return out, cat


def test_report_text_has_criteria_shortlist_hash_and_sheets(report: Path, data: ReportData) -> None:
    text = _text(report)
    for c in default_criteria():
        assert c.zh in text
    assert len(data.shortlisted) >= 30
    for pid, name in data.shortlisted["name"].items():
        assert pid in text and re.sub(r"\s+", "", name) in text
    assert data.config_hash in text
    for sheet in data.sheets:
        assert f"{sheet.name}（{sheet.expert_id}）" in text
    assert text.count("专家签字") == len(data.sheets) == 9
    # the recusal of the demo (X09 from E010) is listed and its cell reads 回避
    assert "X09" in text and "E010" in text and "回避" in text
    assert "肯德尔W" in text and "ICC" in text


def test_panel_signatures_sit_on_one_page_with_dates_and_the_chairs_line(
    report: Path, data: ReportData
) -> None:
    pages = [
        re.sub(r"\s+", "", page)
        for page in _run("pdftotext", "-layout", str(report), "-").split("\f")
    ]
    where = [i for i, page in enumerate(pages) if "七、专家组签字" in page]
    assert len(where) == 1
    page = pages[where[0]]
    # every member, the date column and the chair's line on the page of the heading
    for sheet in data.sheets:
        assert sheet.expert_id in page and re.sub(r"\s+", "", sheet.name) in page
    assert "日期Date" in page and "评审组长签字Chair" in page


def test_report_embeds_cjk_font(report: Path) -> None:
    fonts = _run("pdffonts", str(report)).splitlines()[2:]
    assert fonts, "no font listed"
    for line in fonts:
        assert "CJK" in line
        cols = line.split()
        assert cols[-5] == "yes", f"font not embedded: {line}"  # emb column


def test_report_pages_render(report: Path, tmp_path: Path) -> None:
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(report))).group(1))
    assert pages >= 1 + len(["ranking", "robustness"]) + 9
    _run("pdftoppm", "-r", "20", "-png", str(report), str(tmp_path / "p"))
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == pages
    assert all(p.stat().st_size > 500 for p in pngs)


def test_catalogue_layout_and_font(
    catalogue_pdf: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    path, cat = catalogue_pdf
    text = _text(path)
    assert "年度供应链重点项目目录" in text
    assert "一、供应链重点企业项目" in text and "二、供应链重点区域项目" in text
    for rec in cat.itertuples():
        name = re.sub(r"\s+", "", rec.name)
        assert f"{rec.seq}.{name}" in text
    groups = cat.groupby(["section", "group"], sort=False).size()
    for (_, city), n in groups.items():
        assert re.search(rf"\([一二三四五六七八九十]+\){city}\({n}个\)", text)
    # enterprise projects come first and the numbering is continuous
    assert text.index("一、供应链重点企业项目") < text.index("二、供应链重点区域项目")
    fonts = _run("pdffonts", str(path)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)
    _run("pdftoppm", "-r", "20", "-png", str(path), str(tmp_path / "c"))
    assert list(tmp_path.glob("c-*.png"))


def test_catalogue_layout_groups_in_order() -> None:
    entries = pd.DataFrame(
        {
            "kind": ["region", "enterprise", "enterprise", "enterprise"],
            "city": ["晋中市", "太原市", "大同市", "太原市"],
            "name": ["R", "A", "B", "C"],
        }
    )
    layout = catalogue_layout(entries)
    assert layout == [
        ("enterprise", [("太原市", ["A", "C"]), ("大同市", ["B"])]),
        ("region", [("晋中市", ["R"])]),
    ]
    assert [chinese_numeral(n) for n in (1, 10, 11, 20, 23)] == [
        "一",
        "十",
        "十一",
        "二十",
        "二十三",
    ]


def test_bad_catalogue_names_every_problem() -> None:
    entries = pd.DataFrame(
        {"kind": ["enterprise", "bogus"], "city": ["太原市", ""], "name": ["", "X"]}
    )
    with pytest.raises(InputError) as err:
        build_catalogue_pdf(entries)
    msgs = [(p.row, p.column) for p in err.value.problems]
    assert (0, "name") in msgs and (1, "kind") in msgs and (1, "city") in msgs


def test_bad_report_data_names_every_problem(data: ReportData) -> None:
    ranking = data.ranking.drop(columns=["risk", "score"])
    sheet = ExpertSheet("X01", "赵", data.sheets[0].rows.drop(columns=["market"]))
    with pytest.raises(InputError) as err:
        ReportData(data.criteria, data.config, "", ranking, [sheet], p_top=data.p_top.iloc[:-1])
    cols = {p.column for p in err.value.problems}
    assert {"risk", "score", "config_hash", "p_top", "market"} <= cols


def test_report_without_a_frozen_cut_line_takes_the_top_half():
    """A small panel with no cut line must not fall back to the demo's 30 seats / 5 regions."""
    from scoring.demo import load_demo
    from scoring.reports.assemble import report_data

    demo = load_demo()
    some = ["E001", "E002", "E003", "R001", "R002"]
    scores = demo.scores[demo.scores["project_id"].isin(some)]
    cands = demo.candidates[demo.candidates["project_id"].isin(some)]
    data = report_data(scores, cands, demo.experts, config={"tie_rule": "include"}, samples=200)
    assert int(data.ranking["shortlisted"].sum()) == 3
