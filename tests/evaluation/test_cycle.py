"""The year-to-year cycle's pure matcher (scoring.evaluation.cycle)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from scoring.errors import split_pair
from scoring.evaluation.cycle import (
    COLUMNS,
    CycleMatch,
    exited_matches,
    normalise_name,
    problems,
)

EXITED = pd.DataFrame(
    [
        {
            "project_id": "E001",
            "name": "晋示例（远帆）物流有限公司",
            "exited_at": date(2026, 11, 3),
            "exit_reason": "年度评估不合格",
        },
        {
            "project_id": "R002",
            "name": "大同市示例区域",
            "exited_at": "2026-10-01T02:00:00+00:00",
            "exit_reason": "重大风险",
        },
    ]
)


def _cands(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["project_id", "name"], index=range(2, 2 + len(rows)))


def test_normalise_name() -> None:
    assert normalise_name(" 晋示例（远帆） 物流\t有限公司 ") == "晋示例(远帆)物流有限公司"
    assert normalise_name("ABC Co") == normalise_name("abcco")
    assert normalise_name(None) == "" == normalise_name(float("nan"))


def test_match_by_id_and_by_name() -> None:
    c = _cands(
        [
            ("E001", "another name"),
            ("E002", "unrelated"),
            ("E900", "晋示例(远帆)物流 有限公司"),
            ("R002", "大同市示例区域"),
        ]
    )
    m = exited_matches(c, EXITED)
    assert [(x.row, x.candidate_id, x.exited_id, x.by) for x in m] == [
        (2, "E001", "E001", "project_id"),
        (4, "E900", "E001", "name"),
        (5, "R002", "R002", "project_id"),  # same id and name: matched once, by id
    ]
    assert m[1].column == COLUMNS["name"] == "项目名称 / name"
    assert m[0].column == "项目编号 / project_id"
    assert m[0].exit_reason == "年度评估不合格"


def test_overridden_projects_do_not_match() -> None:
    c = _cands([("E001", "x"), ("E900", "晋示例（远帆）物流有限公司"), ("R002", "y")])
    m = exited_matches(c, EXITED, overridden=["E001"])
    assert [x.exited_id for x in m] == ["R002"]
    assert exited_matches(c, EXITED, overridden={"E001", "R002"}) == []


def test_nothing_exited_or_no_candidates() -> None:
    assert exited_matches(_cands([("E001", "x")]), EXITED.iloc[0:0]) == []
    assert exited_matches(_cands([]), EXITED) == []
    # empty names never match each other
    ex = pd.DataFrame([{"project_id": "E5", "name": "", "exited_at": None, "exit_reason": ""}])
    assert exited_matches(_cands([("E6", "")]), ex) == []


def test_problems_are_bilingual_and_located() -> None:
    m = exited_matches(_cands([("E001", "x"), ("E900", "晋示例（远帆）物流有限公司")]), EXITED)
    ps = problems(m, 2027, file="c.csv")
    assert [(p.row, p.column, p.label, p.file) for p in ps] == [
        (2, "project_id", ("项目编号", "project_id"), "c.csv"),
        (3, "name", ("项目名称", "name"), "c.csv"),
    ]
    # the location names the column as the user sees it, one language at a time
    assert ps[0].where("zh") == "文件 c.csv，第 2 行，「项目编号」" or "「项目编号」" in ps[
        0
    ].where("zh")
    for p in ps:
        assert " / " in p.message
        assert "2026-11-03" in p.message and "年度评估不合格" in p.message
        assert "2027" in p.message and "override" in p.message and "例外" in p.message
    assert "same name" in ps[1].message and "同名" in ps[1].message
    for p in ps:
        zh, en = split_pair(p.message)
        assert "年度评估不合格" in zh and "例外" in zh and "override" in en
    # a bilingual exit reason goes half to each side; a stray " / " is closed up
    pair = CycleMatch(2, "X", "X", "project_id", "a / b", "2026-01-02", "不合格 / failed")
    zh, en = split_pair(problems([pair], 2027)[0].message)
    assert "不合格" in zh and "failed" not in zh and "failed" in en and "不合格" not in en
    stray = CycleMatch(2, "Y", "X", "name", "甲 / 乙", "2026-01-02", "a / b")
    zh, en = split_pair(problems([stray], 2027)[0].message)
    assert "甲/乙" in zh and "a/b" in zh and "a/b" in en
    odd = CycleMatch(2, "X", "X", "project_id", "n", None, "")
    assert "?" in problems([odd], 2027)[0].message
