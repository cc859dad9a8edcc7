"""Criteria file: loading, validation, normalisation, rubric descriptors."""

from __future__ import annotations

import copy

import pytest
import yaml

from scoring.engine.criteria import CRITERIA_KEYS, load_criteria, parse_criteria, validate_weights
from scoring.errors import InputError


@pytest.fixture
def raw(repo_root):
    return yaml.safe_load(
        (repo_root / "data" / "criteria" / "defense.yml").read_text(encoding="utf-8")
    )


def test_default_file_loads_with_normalised_weights():
    cs = load_criteria()
    assert cs.keys == CRITERIA_KEYS
    assert sum(cs.weights.values()) == pytest.approx(1.0)
    assert cs.objectives["risk"] == "min"
    assert all(cs.objectives[k] == "max" for k in CRITERIA_KEYS if k != "risk")
    assert cs.names("zh")["poverty"] == "扶贫带动效果"
    assert cs.names("en")["demonstration"] == "Demonstration value"
    assert cs.scale == (0.0, 100.0)


def test_weights_are_normalised(raw):
    for spec in raw["criteria"].values():
        spec["weight"] = 2
    cs = parse_criteria(raw)
    assert all(w == pytest.approx(0.2) for w in cs.weights.values())


def test_rubric_descriptor_picks_the_band_below():
    risk = load_criteria()["risk"]
    assert risk.descriptor(95).startswith("风险高")
    assert risk.descriptor(70, "en").startswith("Elevated risk")
    assert risk.descriptor(69, "en").startswith("Moderate risk")
    assert risk.descriptor(0, "en") == "Very low risk"


def test_every_problem_is_reported_at_once(raw):
    bad = copy.deepcopy(raw)
    bad["criteria"]["speed"] = bad["criteria"]["market"]
    del bad["criteria"]["poverty"]
    bad["criteria"]["risk"]["weight"] = 0
    bad["criteria"]["strength"]["weight"] = "heavy"
    bad["criteria"]["market"]["objective"] = "up"
    with pytest.raises(InputError) as err:
        parse_criteria(bad, source="criteria.yml")
    fields = {p.column for p in err.value.problems}
    assert {"speed", "poverty", "risk.weight", "strength.weight", "market.objective"} <= fields
    assert all(p.file == "criteria.yml" for p in err.value.problems)
    assert "\n" not in str(err.value)


def test_missing_and_invalid_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_criteria(tmp_path / "nope.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("criteria: {strength: [", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_criteria(broken)


@pytest.mark.parametrize("weights", [{"strength": -1}, {"strength": float("nan")}, {"strength": 0}])
def test_validate_weights_rejects_non_positive(weights):
    full = dict.fromkeys(CRITERIA_KEYS, 1.0) | weights
    with pytest.raises(InputError, match="strength"):
        validate_weights(full)


def test_with_weights_returns_a_new_set():
    cs = load_criteria()
    heavy = cs.with_weights(
        {"strength": 1, "market": 1, "risk": 3, "poverty": 1, "demonstration": 1}
    )
    assert heavy.weights["risk"] == pytest.approx(3 / 7)
    assert cs.weights["risk"] == pytest.approx(0.2)
