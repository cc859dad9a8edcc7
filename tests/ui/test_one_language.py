"""One language at a time (issue 11): store refusals ("中文 / English", possibly several joined
with "；") are shown in the page's language only."""

from __future__ import annotations

import re

import pytest

from scoring.ui.errors import describe
from scoring.ui.one_language import one_language

CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"\b[a-z]{3,}\b")


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("评审组已存在 / panel 'P' already exists", "评审组已存在", "panel 'P' already exists"),
        (
            "评审组已存在 / panel '第二组' already exists",
            "评审组已存在",
            "panel '第二组' already exists",
        ),
        (
            "评审组没有主持人 / the panel has no chair；评审组没有项目 / the panel has no candidates",
            "评审组没有主持人；评审组没有项目",
            "the panel has no chair; the panel has no candidates",
        ),
        ("评分 80 / 100", "评分 80 / 100", "评分 80 / 100"),  # not a bilingual pair
        (  # an input error's summary: the English half starts with its count
            "共 2 个问题：「项目风险」：尚未评分 / 2 problems: column 'Project risk': score is "
            "missing；「市场前景」：尚未评分 / column 'Market prospect': score is missing",
            "共 2 个问题：「项目风险」：尚未评分；「市场前景」：尚未评分",
            "2 problems: column 'Project risk': score is missing; "
            "column 'Market prospect': score is missing",
        ),
        ("plain English", "plain English", "plain English"),
    ],
)
def test_one_language(text, zh, en) -> None:
    assert one_language(text, "zh") == zh
    assert one_language(text, "en") == en


def test_real_store_refusals_show_one_language(store) -> None:
    backend, info = store
    chair = backend.login(info["codes"]["chair"])
    org = backend.login(info["codes"]["organizer"])
    refusals = []
    for call in (
        lambda: backend.decide_request(chair, 1, approve=False, note=""),
        lambda: backend.create_panel(org, "P1"),
        lambda: backend.create_panel(org, "新组", date="明天"),
        lambda: backend.reopen_panel(chair, info["panels"]["P1"], reason="x"),
    ):
        with pytest.raises(ValueError) as err:
            call()
        refusals.append(err.value)
    for exc in refusals:
        zh, en = describe(exc, "zh"), describe(exc, "en")
        assert CJK.search(zh) and not WORD.search(zh.replace("P1", "")), zh
        assert not CJK.search(en.replace("明天", "")) and WORD.search(en), en


def test_a_shown_error_follows_the_language_switch(store) -> None:
    """An error on the page is said again in the new language (it stayed in the old one)."""
    from scoring.ui.i18n import t
    from scoring.ui.session import BaseModel

    backend, info = store
    model = BaseModel(backend, lang="zh")
    assert model.login("WRONG-CODE") is False
    assert model.error == t("error.login", "zh")
    model.toggle_lang()
    assert model.error == t("error.login", "en") != t("error.login", "zh")

    org = backend.login(info["codes"]["organizer"])
    model.run(backend.create_panel, org, "P1")  # a store refusal: "中文 / English"
    refused_en = model.error
    assert refused_en and not CJK.search(refused_en)
    model.toggle_lang()
    assert CJK.search(model.error) and model.error != refused_en

    model.fail("login.wrong_role", role_key="role.bank")  # a text key inside the message
    model.toggle_lang()
    assert model.error == t("login.wrong_role", "en", role=t("role.bank", "en"))

    model.error = ""  # cleared, then a switch brings nothing back
    model.toggle_lang()
    assert model.error == ""
