"""Every problem the score-table validation and the criteria reader report is written
"中文 / English" (issue 11, "one language at a time"): a page shows the Chinese half with the
column named by its Chinese label, the command line keeps the English wording and locations."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from scoring.engine.criteria import parse_criteria
from scoring.engine.validation import validate_matrix, validate_scores
from scoring.errors import InputError, Problem, split_pair
from scoring.ui.one_language import one_language

CJK = re.compile(r"[\u4e00-\u9fff]")


def _all_bilingual(exc: InputError) -> None:
    for p in exc.problems:
        assert split_pair(p.message) is not None, p.message
    zh, en = one_language(str(exc), "zh"), one_language(str(exc), "en")
    assert not CJK.search(en.replace("项目风险", "")), en
    assert CJK.search(zh), zh
    return zh, en


def test_score_table_problems_in_both_languages():
    df = pd.DataFrame(
        [
            ("P1", "E1", "strength", 80),
            ("P1", "E1", "strength", 81),
            ("P1", "E1", "speed", 70),
            ("P1", "E2", "risk", np.nan),
            ("P1", "E3", "risk", "high"),
            ("P1", "E4", "risk", 120),
            ("", "E4", "market", 50),
        ],
        columns=["project_id", "expert_id", "criterion", "score"],
        index=range(2, 9),
    )
    with pytest.raises(InputError) as err:
        validate_scores(df)
    zh, en = _all_bilingual(err.value)
    # the Chinese half names the columns by their labels, rows as 第 n 行
    assert "第 7 行，「分数」：分数 120 超出评分范围 0–100" in zh, zh
    assert "「项目编号」：值为空" in zh and "分数重复" in zh and "「评分指标」" in zh, zh
    # the English half is the wording the command line always printed
    assert "row 7, column 'score': score 120 is outside the scale 0–100" in en, en
    assert "row 5, column 'score': score is missing (NaN)" in en, en
    assert "row 6, column 'score': score 'high' is not a number" in en, en
    assert en.startswith("6 problems: "), en


def test_missing_columns_and_matrix_problems_in_both_languages():
    with pytest.raises(InputError) as err:
        validate_scores(pd.DataFrame({"project_id": ["P1"]}))
    zh, _ = _all_bilingual(err.value)
    assert "「专家编号」：缺少必填列" in zh and "「分数」" in zh, zh
    m = pd.DataFrame({"strength": [1.0, np.inf]}, index=["A", "A"])
    with pytest.raises(InputError) as err:
        validate_matrix(m, criteria=["strength", "risk"])
    zh, en = _all_bilingual(err.value)
    assert "「项目风险」：缺少该指标列" in zh and "项目“A”出现不止一次" in zh, zh
    assert "criterion column is missing" in en and "appears more than once" in en, en
    with pytest.raises(InputError) as err:
        validate_matrix(pd.DataFrame({"strength": [1.0, np.nan]}, index=["A", "B"]))
    zh, en = _all_bilingual(err.value)
    assert "「综合实力」：值“nan”不是有限数" in zh, zh
    assert "value nan is not a finite number" in en and "np.float64" not in en, en


@pytest.mark.parametrize(
    "data",
    [
        {"criteria": {}},
        {"criteria": {"x": {"zh": "", "en": "b", "objective": "up", "weight": -1, "extra": 1}}},
        {"name": "Bad Name", "purpose": "fun", "scale": {"min": 5, "max": 1}, "criteria": {"x": 1}},
        {
            "title": "t",
            "criteria": {
                "x": {
                    "zh": "a",
                    "en": "b",
                    "objective": "max",
                    "weight": 1,
                    "rubric": {"200": {"zh": "a", "en": "b"}, "a": 1},
                }
            },
        },
        {
            "order": ["y"],
            "grades": [{"key": "a", "zh": "a", "en": "a", "min": 500}, 3],
            "criteria": {"x": {"zh": "a", "en": "b", "objective": "max", "weight": 1}},
        },
        {"criteria": {"1bad": {}, "overall": {}}},
    ],
)
def test_criteria_file_problems_in_both_languages(data):
    with pytest.raises(InputError) as err:
        parse_criteria(data, source="c.yml", reference=False)
    assert all(p.file == "c.yml" for p in err.value.problems)
    zh, en = _all_bilingual(err.value)
    assert "文件 c.yml" in zh and "c.yml, column '" in en, (zh, en)


def test_not_a_mapping_and_a_version_of_a_registered_set():
    with pytest.raises(InputError) as err:
        parse_criteria({"nope": 1})
    _all_bilingual(err.value)
    with pytest.raises(InputError) as err:
        parse_criteria({"name": "defense", "criteria": {"charm": {}}})
    zh, en = _all_bilingual(err.value)
    assert "未知的评分指标“charm”" in zh and "缺少评分指标“risk”" in zh, zh
    assert "unknown criterion 'charm'" in en and "criterion 'risk' is missing" in en, en


def test_english_only_problems_keep_the_old_line():
    exc = InputError([Problem("bad thing", row=3, column="x"), "other"])
    assert str(exc) == "2 problems: row 3, column 'x': bad thing; other"
    assert (
        Problem("分数缺失 / score is missing", row="P2", column="s").where("zh")
        == "行「P2」，「s」"
    )
