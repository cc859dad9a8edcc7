"""The refusals of a score sheet in one language (issue 11, "one language at a time"): an
incomplete sheet refused at confirmation names each criterion by the label the expert sees
(项目风险, not ``risk``), and the Chinese page shows no English, the English page no Chinese."""

from __future__ import annotations

import re

import pytest

from scoring.errors import InputError
from scoring.store.config import PanelConfig
from scoring.store.scores import clean_comment, clean_scores
from scoring.ui.errors import describe

CJK = re.compile(r"[\u4e00-\u9fff]")
#: An English word in a Chinese message (ids such as E001 and the scale 0–100 are allowed).
WORD = re.compile(r"[A-Za-z]{3,}")


def _zh_en(exc: BaseException) -> tuple[str, str]:
    return describe(exc, "zh"), describe(exc, "en")


def test_incomplete_sheet_refusal_names_the_labels_in_one_language(panel) -> None:
    wb, me = panel.wb, panel.open().a["X01"]
    wb.save_scores(me, panel.id, "E001", {"strength": 80, "market": 70}, base_version=0)
    with pytest.raises(InputError) as exc:
        wb.confirm_sheet(me, panel.id, "E001", code=panel.codes["X01"], base_version=1)
    assert {p.column for p in exc.value.problems} == {"risk", "poverty", "demonstration"}
    zh, en = _zh_en(exc.value)
    assert "项目风险" in zh and "扶贫带动效果" in zh and "示范引领作用" in zh, zh
    assert zh.startswith("共 3 个问题："), zh
    assert not WORD.search(zh), zh  # no "problems", "column", "risk", "score is missing"
    assert en.startswith("3 problems: "), en
    assert "score is missing" in en and not CJK.search(en), en


@pytest.mark.parametrize(
    ("scores", "zh_has", "en_has"),
    [
        ({"risk": "很高"}, "项目风险", "is not a number"),
        ({"risk": 120}, "超出评分范围 0–100", "outside the scale 0–100"),
        ({"charm": 50}, "未知的评分指标", "unknown criterion 'charm'"),
        ({"market": True}, "市场前景", "is not a number"),
    ],
)
def test_bad_values_are_refused_in_one_language(scores, zh_has, en_has) -> None:
    with pytest.raises(InputError) as exc:
        clean_scores(scores, PanelConfig.from_criteria())
    zh, en = _zh_en(exc.value)
    assert zh_has in zh and not WORD.search(re.sub(r"charm|True", "", zh)), zh  # echoed input
    assert en_has in en and not CJK.search(en.replace("很高", "")), en


def test_comment_refusals_in_one_language() -> None:
    for bad in (123, "x" * 3000, "a\x00b"):
        with pytest.raises(InputError) as exc:
            clean_comment(bad)
        zh, en = _zh_en(exc.value)
        assert "评语" in zh and not WORD.search(zh), zh
        assert "comment" in en and not CJK.search(en), en


def test_the_command_line_keeps_the_english_half() -> None:
    with pytest.raises(InputError) as exc:
        clean_scores({"strength": 1}, PanelConfig.from_criteria(), complete=True)
    text = str(exc.value)  # what the command line prints: both languages
    assert "4 problems: column 'Market prospect': score is missing" in text, text
    assert "共 4 个问题：「市场前景」：尚未评分" in text, text
