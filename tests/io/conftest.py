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
