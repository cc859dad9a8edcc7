"""A criteria set as a value: criteria, directions, weights, scale, rubric and grade thresholds.

Immutable dataclasses built by :func:`scoring.engine.criteria.parse.parse_criteria` from a file of
``data/criteria/``; nothing here reads a file or knows how many criteria there are.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ...errors import InputError, Problem

OBJECTIVES = ("max", "min")
#: What a panel with this set is for: choosing projects, or grading them in the yearly review.
PURPOSES = ("defense", "evaluation")
#: Scores within this share of the scale's span below a grade threshold still reach it
#: (a weighted total of exact scores may land a rounding error under 90).
GRADE_RTOL = 1e-9


@dataclass(frozen=True)
class RubricBand:
    """What a score of ``score`` means for a criterion (an anchored descriptor)."""

    score: float
    zh: str
    en: str


@dataclass(frozen=True)
class Grade:
    """One grade of the yearly evaluation (优秀, 良好, …).

    Attributes
    ----------
    key : str
        Stable identifier (``excellent``, ``good``, ``pass``, ``fail``).
    zh, en : str
        Display names.
    min : float or None
        The least total that earns the grade; ``None`` for the last grade (every total below).
    """

    key: str
    zh: str
    en: str
    min: float | None

    def name(self, lang: str = "zh") -> str:
        """Display name in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Criterion:
    """One criterion.

    Attributes
    ----------
    key : str
        Stable identifier (e.g. ``strength`` of the defense set, ``organisation`` of an
        evaluation set).
    zh, en : str
        Display names.
    objective : {"max", "min"}
        ``"min"`` when a lower score is better (the defense's ``risk``).
    weight : float
        Normalised weight (the weights of a :class:`CriteriaSet` sum to 1).
    rubric : tuple of RubricBand
        Anchored descriptors, highest score first.
    """

    key: str
    zh: str
    en: str
    objective: str
    weight: float
    rubric: tuple[RubricBand, ...] = ()

    def name(self, lang: str = "zh") -> str:
        """Display name in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.zh if lang == "zh" else self.en

    def descriptor(self, score: float, lang: str = "zh") -> str:
        """The rubric descriptor of the band ``score`` falls in (the highest anchor <= score)."""
        bands = sorted(self.rubric, key=lambda b: b.score)
        chosen = None
        for band in bands:
            if score >= band.score:
                chosen = band
        if chosen is None and bands:
            chosen = bands[0]
        if chosen is None:
            return ""
        return chosen.zh if lang == "zh" else chosen.en


@dataclass(frozen=True)
class CriteriaSet:
    """The validated, immutable set of criteria with normalised weights.

    Attributes
    ----------
    criteria : tuple of Criterion
        In form order (the order of the file).
    scale_min, scale_max : float
        The scoring scale (scores outside it are rejected).
    name : str
        Registry name (``defense``, ``evaluation-enterprise``, …), the file's stem.
    purpose : {"defense", "evaluation"}
        What a panel with this set does.
    title_zh, title_en : str
        Display title (see :meth:`title`).
    grades : tuple of Grade
        Grade thresholds, highest first (empty for the defense).
    """

    criteria: tuple[Criterion, ...]
    scale_min: float = 0.0
    scale_max: float = 100.0
    name: str = "defense"
    purpose: str = "defense"
    title_zh: str = ""
    title_en: str = ""
    grades: tuple[Grade, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """Criterion keys in form order."""
        return tuple(c.key for c in self.criteria)

    @property
    def weights(self) -> dict[str, float]:
        """Criterion -> normalised weight."""
        return {c.key: c.weight for c in self.criteria}

    @property
    def objectives(self) -> dict[str, str]:
        """Criterion -> ``"max"`` or ``"min"``."""
        return {c.key: c.objective for c in self.criteria}

    @property
    def scale(self) -> tuple[float, float]:
        """``(scale_min, scale_max)``, inclusive."""
        return (self.scale_min, self.scale_max)

    def names(self, lang: str = "zh") -> dict[str, str]:
        """Criterion -> display name in ``lang``."""
        return {c.key: c.name(lang) for c in self.criteria}

    def title(self, lang: str = "zh") -> str:
        """The set's title in ``lang`` (its name when the file gives none)."""
        return (self.title_zh if lang == "zh" else self.title_en) or self.name

    def grade_of(self, score: float) -> Grade | None:
        """The grade a total of ``score`` (on the set's scale) earns; None without grades or for NaN.

        A grade is reached at its threshold (``score >= min``, up to :data:`GRADE_RTOL` of the
        scale's span); a total below every threshold gets the last grade when that one has no
        ``min``, else None.
        """
        if not self.grades or score is None or math.isnan(float(score)):
            return None
        slack = GRADE_RTOL * (self.scale_max - self.scale_min)
        for grade in self.grades:
            if grade.min is None or float(score) >= grade.min - slack:
                return grade
        return None

    def __getitem__(self, key: str) -> Criterion:
        for c in self.criteria:
            if c.key == key:
                return c
        raise KeyError(key)

    def __iter__(self) -> Iterator[Criterion]:
        return iter(self.criteria)

    def __len__(self) -> int:
        return len(self.criteria)

    def with_weights(self, weights: Mapping[str, float]) -> CriteriaSet:
        """A copy with ``weights`` (validated and normalised) in place of the current ones."""
        norm = validate_weights(weights, self.keys)
        return replace(self, criteria=tuple(replace(c, weight=norm[c.key]) for c in self.criteria))

    def rescaled(self, scale_min: float, scale_max: float) -> CriteriaSet:
        """The same set on another scale: rubric anchors and grade thresholds mapped linearly.

        A panel that scores the evaluation points out of 10 instead of 100 freezes
        ``criteria_set("evaluation-enterprise").rescaled(0, 10)``: it ranks exactly as the same
        scores x10 would on the 0–100 set, and its grades fall at 9 / 7.5 / 6.
        """
        lo, hi = float(scale_min), float(scale_max)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(
                f"scale must be finite with min < max, got {scale_min!r}–{scale_max!r}"
            )
        span = self.scale_max - self.scale_min

        def to_new(x: float) -> float:
            return lo + (x - self.scale_min) / span * (hi - lo)

        criteria = tuple(
            replace(c, rubric=tuple(replace(b, score=to_new(b.score)) for b in c.rubric))
            for c in self.criteria
        )
        grades = tuple(
            replace(g, min=None if g.min is None else to_new(g.min)) for g in self.grades
        )
        return replace(self, criteria=criteria, scale_min=lo, scale_max=hi, grades=grades)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (used to freeze a configuration and hash it).

        :func:`~scoring.engine.criteria.parse.parse_criteria` reads it back to an equal set;
        ``order`` keeps the form order through JSON with sorted keys.
        """
        return {
            "name": self.name,
            "purpose": self.purpose,
            "title": {"zh": self.title_zh, "en": self.title_en},
            "scale": {"min": self.scale_min, "max": self.scale_max},
            "order": list(self.keys),
            "grades": [{"key": g.key, "zh": g.zh, "en": g.en, "min": g.min} for g in self.grades],
            "criteria": {
                c.key: {
                    "zh": c.zh,
                    "en": c.en,
                    "objective": c.objective,
                    "weight": c.weight,
                    "rubric": {b.score: {"zh": b.zh, "en": b.en} for b in c.rubric},
                }
                for c in self.criteria
            },
        }


def _default_keys() -> tuple[str, ...]:
    from .registry import default_criteria

    return default_criteria().keys


def validate_weights(
    weights: Mapping[str, Any], keys: Sequence[str] | None = None
) -> dict[str, float]:
    """Check ``weights`` covers exactly ``keys`` with finite values > 0 and normalise to sum 1.

    Parameters
    ----------
    weights : mapping
        Criterion -> weight.
    keys : sequence of str, optional
        The criteria; default those of :func:`~scoring.engine.criteria.default_criteria`.

    Raises
    ------
    InputError
        Naming every unknown key, missing key and bad value at once.
    """
    problems: list[Problem] = []
    keys = _default_keys() if keys is None else tuple(keys)
    for k in weights:
        if k not in keys:
            problems.append(
                Problem(f"unknown criterion '{k}' (known: {', '.join(keys)})", column=k)
            )
    for k in keys:
        if k not in weights:
            problems.append(Problem(f"weight of criterion '{k}' is missing", column=k))
            continue
        v = weights[k]
        try:
            fv = float(v)
        except (TypeError, ValueError):
            problems.append(Problem(f"weight {_shown(v)!r} is not a number", column=k))
            continue
        if not math.isfinite(fv) or fv <= 0:
            problems.append(
                Problem(f"weight must be a finite number > 0, got {_shown(v)!r}", column=k)
            )
    if problems:
        raise InputError(problems)
    total = sum(float(weights[k]) for k in keys)
    return {k: float(weights[k]) / total for k in keys}


def validate_objectives(objectives: Mapping[str, str], keys: Sequence[str]) -> dict[str, str]:
    """Check ``objectives`` maps exactly ``keys`` to ``"max"`` or ``"min"``.

    Raises
    ------
    InputError
        Naming every unknown, missing and bad entry at once.
    """
    problems: list[Problem] = []
    for k in objectives:
        if k not in keys:
            problems.append(Problem(f"unknown criterion '{k}'", column=k))
    for k in keys:
        if k not in objectives:
            problems.append(Problem(f"objective of criterion '{k}' is missing", column=k))
        elif objectives[k] not in OBJECTIVES:
            problems.append(
                Problem(f"objective must be 'max' or 'min', got {objectives[k]!r}", column=k)
            )
    if problems:
        raise InputError(problems)
    return {k: objectives[k] for k in keys}


def _shown(value: Any) -> Any:
    """A NumPy scalar as the Python scalar it holds, for messages (``nan``, not ``np.float64``)."""
    return value.item() if hasattr(value, "item") and not isinstance(value, str | bytes) else value
