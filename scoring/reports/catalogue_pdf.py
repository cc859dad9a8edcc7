"""The annual catalogue as a PDF, laid out like form 附件5.

Layout (as the 2019 catalogue in 晋商建〔2020〕24号): the title, then "一、供应链重点企业项目" and
"二、供应链重点区域项目"; inside each, one heading per city with its count, "(一)太原市(13个)",
and the projects numbered continuously across the whole catalogue ("1.", "2.", ... "50.").
Numerals and headings are those of :mod:`scoring.programme.catalogue` (``chinese_numeral`` is re-exported).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from fpdf.enums import XPos, YPos

from scoring.errors import InputError, Problem
from scoring.programme.catalogue import (
    SECTION_TITLES,
    chinese_numeral,
    group_heading,
    section_heading,
)

from .panel_report import write_pdf
from .pdf import FAMILY, Progress, ReportPDF, no_progress

__all__ = [
    "SECTIONS",
    "build_catalogue_pdf",
    "catalogue_layout",
    "chinese_numeral",
    "write_catalogue_pdf",
]

SECTIONS: dict[str, str] = SECTION_TITLES
_KIND_ALIASES = {
    "enterprise": "enterprise",
    "企业": "enterprise",
    "企业项目": "enterprise",
    "region": "region",
    "区域": "region",
    "区域项目": "region",
}


def catalogue_layout(entries: pd.DataFrame) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Group catalogue entries into sections and cities, keeping the given order within each.

    Parameters
    ----------
    entries : DataFrame
        One row per catalogued project with columns ``kind`` (``enterprise``/``region``, or
        企业/区域), ``city`` and ``name``, in catalogue order (the order of
        :func:`scoring.programme.catalogue.catalogue`). Cities appear in order of first appearance.

    Returns
    -------
    list
        ``[(section_key, [(city, [name, ...]), ...]), ...]``, enterprise projects first.

    Raises
    ------
    InputError
        Naming every missing column, unknown kind or empty name.
    """
    problems: list[Problem] = []
    for col in ("kind", "city", "name"):
        if col not in entries.columns:
            problems.append(Problem("catalogue lacks a column", column=col))
    if problems:
        raise InputError(problems)
    for idx, rec in entries.iterrows():
        if str(rec["kind"]) not in _KIND_ALIASES:
            problems.append(
                Problem(f"unknown project kind {rec['kind']!r}", row=idx, column="kind")
            )
        if not str(rec["name"] if pd.notna(rec["name"]) else "").strip():
            problems.append(Problem("project name is empty", row=idx, column="name"))
        if not str(rec["city"] if pd.notna(rec["city"]) else "").strip():
            problems.append(Problem("city is empty", row=idx, column="city"))
    if problems:
        raise InputError(problems)
    out = []
    for section in SECTIONS:
        rows = entries[entries["kind"].map(_KIND_ALIASES) == section]
        cities: dict[str, list[str]] = {}
        for rec in rows.itertuples(index=False):
            cities.setdefault(str(rec.city), []).append(str(rec.name).strip())
        if cities:
            out.append((section, list(cities.items())))
    return out


def build_catalogue_pdf(
    entries: pd.DataFrame,
    *,
    year: int | str | None = None,
    title: str | None = None,
    anchor: str = "",
    progress: Progress = no_progress,
) -> bytes:
    """Render the catalogue in the 附件5 layout.

    Parameters
    ----------
    entries : DataFrame
        See :func:`catalogue_layout`.
    year : int or str, optional
        The catalogue year, printed as "(2025年度目录)".
    title : str, optional
        Default "{year}年度供应链重点项目目录".
    anchor : str, optional
        The configuration hash and audit chain head (``审计链 #seq hash…``), printed under the
        title and in every page's footer, so that ``scoring verify --head`` can check the copy.
    progress : callable, optional
        ``progress(step, done, total)`` per city group.

    Returns
    -------
    bytes
        The PDF (A4 portrait, CJK font embedded).
    """
    layout = catalogue_layout(entries)
    title = title or f"{year or ''}年度供应链重点项目目录"
    pdf = ReportPDF(title, orientation="P", footer_note=anchor)
    pdf.show_header = False
    pdf.set_margins(22, 20, 22)
    pdf.add_page()
    pdf.set_font(FAMILY, size=11)
    pdf.cell(0, 7, "附件5", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.title_block(title, "山西省供应链重点培育项目")
    if anchor:
        pdf.paragraph(anchor, size=8)
    total = sum(len(cities) for _, cities in layout)
    done = 0
    number = 0
    for s, (section, cities) in enumerate(layout, start=1):
        pdf.heading(section_heading(s, section))
        for c, (city, names) in enumerate(cities, start=1):
            # "(一)太原市(13个)": the numeral restarts in each section, the number runs on
            if pdf.will_page_break(16):
                pdf.add_page()
            with pdf.bold(11.5):
                pdf.cell(
                    0, 8, group_heading(c, city, len(names)), new_x=XPos.LMARGIN, new_y=YPos.NEXT
                )
            pdf.set_font(FAMILY, size=11)
            for name in names:
                number += 1
                pdf.set_x(pdf.l_margin + 8)
                pdf.multi_cell(0, 7, f"{number}.{name}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1.5)
            done += 1
            progress(f"{SECTIONS[section]} {city}", done, total)
    return pdf.to_bytes()


def write_catalogue_pdf(
    entries: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    year: int | str | None = None,
    title: str | None = None,
    anchor: str = "",
    progress: Progress = no_progress,
) -> Path:
    """Render the catalogue and write it to ``path`` atomically. Returns the path."""
    pdf = build_catalogue_pdf(entries, year=year, title=title, anchor=anchor, progress=progress)
    return write_pdf(pdf, path)
