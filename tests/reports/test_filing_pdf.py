"""Issue 11: the PDF report prints no raw keys, times to the minute, a sane ICC interval and the
audit chain head; the catalogue PDF carries the anchor too."""

from __future__ import annotations

import dataclasses

import pytest

from scoring.programme.catalogue import catalogue
from scoring.reports import build_catalogue_pdf, build_panel_report
from scoring.reports.assemble import report_data_from_files

from .test_pdfs import _text as pdf_text


def _text(data: bytes, tmp_path, name: str) -> str:
    (tmp_path / name).write_bytes(data)
    return pdf_text(tmp_path / name)


@pytest.fixture(scope="module")
def data():
    return report_data_from_files(samples=200)


def test_report_prints_settings_in_chinese_and_the_chain_head(data, tmp_path) -> None:
    d = dataclasses.replace(data, chain_head=(77, "c" * 64))
    text = _text(build_panel_report(d), tmp_path, "r.pdf")
    for raw in ("ranking_method", "cut_min_score", "cut_size", "tie_rule", "null", "floors{"):
        assert raw not in text, raw
    assert "最低入围分" in text and "未设定" in text and "下限" in text
    assert "审计链#77cccccccccccccccc" in text


def test_icc_interval_is_printed_ordered() -> None:
    from scoring.reports.data import interval

    assert interval(float("-inf"), 0.2774) == "[−∞, 0.28]"
    assert interval(0.12, 0.99) == "[0.12, 0.99]" and interval(float("nan"), 1) == ""


def test_catalogue_pdf_prints_the_anchor(data, tmp_path) -> None:
    cat = catalogue(data.shortlisted, data.ranking.reset_index())
    text = _text(
        build_catalogue_pdf(cat, year=2026, anchor="审计链 #5 abcdef0123456789…"), tmp_path, "c.pdf"
    )
    assert text.count("审计链#5abcdef0123456789") >= 2  # under the title and in the footer
