"""Helpers of the io tests: a sample candidates csv, writing a file, locating problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.errors import InputError

CAND_EN = (
    "project_id,name,kind,city,enterprise_type,registered_capital,employees,has_sc_dept,"
    "sc_dept_headcount,revenue_2025,cash_cycle_2025\n"
    "E1,晋示例甲有限公司(虚构),enterprise,太原市,农业企业,5000,120,是,8,1.25,-3\n"
    "R1,示例县产业集群(虚构),region,大同市,,,,,,12.5,40\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(exc: pytest.ExceptionInfo[InputError]) -> list[tuple]:
    return [(p.row, p.column) for p in exc.value.problems]


def both_languages(exc: pytest.ExceptionInfo[InputError]) -> tuple[str, str]:
    """Every problem's Chinese and English text; each problem must be written in both."""
    problems = exc.value.problems
    assert problems and all(p.is_bilingual for p in problems), [p.message for p in problems]
    return (
        " | ".join(p.text("zh") for p in problems),
        " | ".join(p.text("en") for p in problems),
    )


def xlsx_with_rows(path: Path, header: list[str], row: bytes, n: int, *, start: int = 2) -> Path:
    """An xlsx whose sheet is ``header`` (row 1) then ``n`` copies of the raw row xml ``row``
    (numbered from ``start`` when it holds ``{r}``): row bombs built in a fraction of a second."""
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(header)
    wb.save(path)
    head = "".join(
        f'<c r="{chr(65 + j)}1" t="inlineStr"><is><t>{h}</t></is></c>' for j, h in enumerate(header)
    )
    body = (
        b"".join(row.replace(b"{r}", str(i).encode()) for i in range(start, start + n))
        if b"{r}" in row
        else row * n
    )
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
        b'org/spreadsheetml/2006/main"><sheetData><row r="1">'
        + head.encode()
        + b"</row>"
        + body
        + b"</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path
