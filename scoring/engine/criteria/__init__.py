"""Criteria sets as data: the defense's five aspects and the yearly evaluation points.

A criteria set (criteria in form order, directions, default weights, scale, rubric, grade
thresholds) lives in ``data/criteria/<name>.yml``: :mod:`.model` is the value, :mod:`.parse`
reads and validates it, :mod:`.registry` finds the sets by name.

``CRITERIA_KEYS`` is kept for the callers of the five-criteria days: it is computed on first use
as ``default_criteria().keys`` (the defense set's keys unless ``$SCORING_CRITERIA`` says
otherwise). New code takes the keys from a :class:`CriteriaSet`.
"""

from __future__ import annotations

from typing import Any

from .model import (
    GRADE_RTOL,
    OBJECTIVES,
    PURPOSES,
    CriteriaSet,
    Criterion,
    Grade,
    RubricBand,
    validate_objectives,
    validate_weights,
)
from .parse import parse_criteria
from .registry import (
    CRITERIA_DIR,
    DEFAULT_CRITERIA_PATH,
    DEFAULT_SET,
    criteria_set,
    criteria_sets,
    default_criteria,
    load_criteria,
    registered,
)

CRITERIA_KEYS: tuple[str, ...]  # computed on first use, see __getattr__

__all__ = [
    "CRITERIA_DIR",
    "CRITERIA_KEYS",
    "DEFAULT_CRITERIA_PATH",
    "DEFAULT_SET",
    "GRADE_RTOL",
    "OBJECTIVES",
    "PURPOSES",
    "CriteriaSet",
    "Criterion",
    "Grade",
    "RubricBand",
    "criteria_set",
    "criteria_sets",
    "default_criteria",
    "load_criteria",
    "parse_criteria",
    "registered",
    "validate_objectives",
    "validate_weights",
]


def __getattr__(name: str) -> Any:
    if name == "CRITERIA_KEYS":
        return default_criteria().keys
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
