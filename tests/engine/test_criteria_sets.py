"""Criteria sets as data: the registry, the evaluation sets of the follow-up notice, grades, fields."""

from __future__ import annotations

import copy
import json
import re

import pytest

from scoring.engine.criteria import (
    CRITERIA_KEYS,
    criteria_set,
    criteria_sets,
    default_criteria,
    parse_criteria,
)
from scoring.errors import InputError

ENTERPRISE = ("organisation", "groundwork", "goals", "performance", "innovation", "green", "global")
REGION = (
    "organisation", "groundwork", "goals", "performance", "innovation", "finance", "green", "global",
)  # fmt: skip


def _headings(seed: str, part: str, nxt: str) -> list[str]:
    """The (一)…(八) headings of one part of the follow-up notice."""
    body = seed.split(part, 1)[1].split(nxt, 1)[0]
    return re.findall(r"（[一二三四五六七八]）(\S+)", body)


@pytest.fixture(scope="module")
def notice(repo_root):
    return (repo_root / "data" / "notices" / "online-followup-2020.txt").read_text(encoding="utf-8")


def test_registry_lists_the_sets_with_their_purpose():
    assert criteria_sets() == {
        "defense": "defense",
        "evaluation-enterprise": "evaluation",
        "evaluation-region": "evaluation",
    }
    assert criteria_set("defense") is criteria_set("defense")  # cached
    assert default_criteria() == criteria_set("defense")
    assert CRITERIA_KEYS == ("strength", "market", "risk", "poverty", "demonstration")
    with pytest.raises(InputError, match="unknown criteria set 'nope'"):
        criteria_set("nope")


@pytest.mark.parametrize(
    ("name", "keys", "part", "nxt"),
    [
        ("evaluation-enterprise", ENTERPRISE, "三、企业项目跟进要点", "四、在线跟进有关要求"),
        ("evaluation-region", REGION, "二、区域项目跟进要点", "三、企业项目跟进要点"),
    ],
)
def test_evaluation_sets_follow_the_notice(name, keys, part, nxt, notice):
    cs = criteria_set(name)
    assert cs.purpose == "evaluation" and cs.name == name
    assert cs.keys == keys
    assert cs.scale == (0.0, 100.0)
    assert all(w == pytest.approx(1 / len(keys)) for w in cs.weights.values())  # equal weights
    assert set(cs.objectives.values()) == {"max"}
    headings = _headings(notice, part, nxt)
    assert len(headings) == len(keys)
    for c, heading in zip(cs, headings, strict=True):
        assert c.zh in heading, (c.zh, heading)
        assert c.rubric and c.descriptor(95) and c.en
    assert [(g.zh, g.min) for g in cs.grades] == [
        ("优秀", 90.0), ("良好", 75.0), ("合格", 60.0), ("不合格", None),
    ]  # fmt: skip
    assert cs.title("zh").endswith("年度绩效评估") and cs.title("en")


def test_grade_of_at_the_edges():
    cs = criteria_set("evaluation-enterprise")
    grade = {s: cs.grade_of(s).key for s in (100, 90, 89.99, 75, 74.99, 60, 59.99, 0)}
    assert grade == {
        100: "excellent", 90: "excellent", 89.99: "good", 75: "good", 74.99: "pass",
        60: "pass", 59.99: "fail", 0: "fail",
    }  # fmt: skip
    assert cs.grade_of(90 - 1e-12).key == "excellent"  # a rounding error under 90 is still 90
    assert cs.grade_of(float("nan")) is None
    assert criteria_set("defense").grade_of(95) is None  # the defense does not grade


def test_to_dict_round_trips_through_json_for_every_set():
    for name in criteria_sets():
        cs = criteria_set(name)
        frozen = json.loads(json.dumps(cs.to_dict(), sort_keys=True))
        assert parse_criteria(frozen) == cs
        assert list(parse_criteria(frozen).keys) == list(cs.keys)  # form order survives sorting


def test_defense_to_dict_only_gains_the_new_fields():
    d = criteria_set("defense").to_dict()
    assert set(d) == {"name", "purpose", "title", "scale", "order", "grades", "criteria"}
    assert d["name"] == "defense" and d["purpose"] == "defense" and d["grades"] == []
    assert d["order"] == list(CRITERIA_KEYS)
    assert d["title"] == {"zh": "竞争性答辩论证", "en": "Competitive defense"}
    old = {k: d[k] for k in ("scale", "criteria")}  # the frozen form before named sets
    assert parse_criteria(json.loads(json.dumps(old, sort_keys=True))) == criteria_set("defense")


def _evaluation(**changes):
    data = copy.deepcopy(criteria_set("evaluation-enterprise").to_dict())
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("change", "column"),
    [
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d["criteria"]["green"].update(colour="red"), "green.colour"),
        (lambda d: d["criteria"]["green"].pop("zh"), "green.zh"),
        (lambda d: d["criteria"]["green"].update(objective="up"), "green.objective"),
        (lambda d: d["criteria"]["green"].update(weight=0), "green.weight"),
        (lambda d: d["criteria"]["green"].update(weight=True), "green.weight"),
        (lambda d: d["criteria"]["green"].update(rubric={"x": "y"}), "green.rubric"),
        (
            lambda d: d["criteria"]["green"].update(rubric={120: {"zh": "a", "en": "b"}}),
            "green.rubric",
        ),
        (lambda d: d.update(scale={"min": 10, "max": 10}), "scale"),
        (lambda d: d["grades"][1].update(min=95), "grades[1].min"),
        (lambda d: d["grades"][0].update(min=120), "grades[0].min"),
        (lambda d: d["grades"][1].pop("min"), "grades[1].min"),
        (lambda d: d.update(purpose="fun"), "purpose"),
        (lambda d: d.update(order=["green"]), "order"),
        (lambda d: d["title"].pop("en"), "title.en"),
        (lambda d: d["criteria"].update(overall=d["criteria"]["green"]), "overall"),
        (lambda d: d["criteria"].pop("green"), "green"),  # a version of a registered set
    ],
)
def test_every_field_is_validated(change, column):
    data = _evaluation()
    change(data)
    with pytest.raises(InputError) as err:
        parse_criteria(data, source="evaluation-enterprise.yml")
    assert column in {p.column for p in err.value.problems}
    assert all(p.file == "evaluation-enterprise.yml" for p in err.value.problems)


def test_a_new_set_takes_its_keys_from_the_file():
    data = _evaluation(name="my-review", grades=[])
    data.pop("order")
    data["criteria"] = {"b": data["criteria"]["green"], "a": data["criteria"]["global"]}
    cs = parse_criteria(data)
    assert cs.keys == ("b", "a") and cs.name == "my-review" and cs.grades == ()


def test_explicit_keys_are_required():
    with pytest.raises(InputError) as err:
        parse_criteria(_evaluation(name="x", order=None) | {"order": list(ENTERPRISE)}, keys=REGION)
    assert "finance" in {p.column for p in err.value.problems}


def test_criteria_env_override_is_a_path(tmp_path, monkeypatch):
    from scoring.engine.criteria import load_criteria

    path = tmp_path / "mine.yml"
    path.write_text(
        "name: mine\npurpose: evaluation\ncriteria:\n"
        "  a: {zh: 甲, en: A, objective: max, weight: 1}\n"
        "  b: {zh: 乙, en: B, objective: min, weight: 3}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SCORING_CRITERIA", str(path))
    cs = load_criteria()
    assert cs.keys == ("a", "b") and cs.weights["b"] == pytest.approx(0.75)
