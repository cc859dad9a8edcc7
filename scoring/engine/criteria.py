"""The five criteria of the competitive defense: names, direction, weights and rubric.

Loaded from ``data/criteria.yml`` (which organizers edit), validated and immutable.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, Problem
from ..paths import DATA_DIR

#: Criterion keys in their canonical (form) order.
CRITERIA_KEYS: tuple[str, ...] = ("strength", "market", "risk", "poverty", "demonstration")
OBJECTIVES = ("max", "min")
DEFAULT_CRITERIA_PATH = DATA_DIR / "criteria.yml"


@dataclass(frozen=True)
class RubricBand:
    """What a score of ``score`` means for a criterion (an anchored descriptor)."""

    score: float
    zh: str
    en: str


@dataclass(frozen=True)
class Criterion:
    """One criterion.

    Attributes
    ----------
    key : str
        Stable identifier (``strength``, ``market``, ``risk``, ``poverty``, ``demonstration``).
    zh, en : str
        Display names.
    objective : {"max", "min"}
        ``"min"`` when a lower score is better (``risk``).
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
        In canonical order.
    scale_min, scale_max : float
        The scoring scale (scores outside it are rejected).
    """

    criteria: tuple[Criterion, ...]
    scale_min: float = 0.0
    scale_max: float = 100.0

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.criteria)

    @property
    def weights(self) -> dict[str, float]:
        return {c.key: c.weight for c in self.criteria}

    @property
    def objectives(self) -> dict[str, str]:
        return {c.key: c.objective for c in self.criteria}

    @property
    def scale(self) -> tuple[float, float]:
        return (self.scale_min, self.scale_max)

    def names(self, lang: str = "zh") -> dict[str, str]:
        return {c.key: c.name(lang) for c in self.criteria}

    def __getitem__(self, key: str) -> Criterion:
        for c in self.criteria:
            if c.key == key:
                return c
        raise KeyError(key)

    def __iter__(self):
        return iter(self.criteria)

    def __len__(self) -> int:
        return len(self.criteria)

    def with_weights(self, weights: Mapping[str, float]) -> CriteriaSet:
        """A copy with ``weights`` (validated and normalised) in place of the current ones."""
        norm = validate_weights(weights, self.keys)
        return replace(self, criteria=tuple(replace(c, weight=norm[c.key]) for c in self.criteria))

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (used to freeze a configuration and hash it)."""
        return {
            "scale": {"min": self.scale_min, "max": self.scale_max},
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


def validate_weights(
    weights: Mapping[str, Any], keys: tuple[str, ...] | list[str] = CRITERIA_KEYS
) -> dict[str, float]:
    """Check ``weights`` covers exactly ``keys`` with finite values > 0 and normalise to sum 1.

    Raises
    ------
    InputError
        Naming every unknown key, missing key and bad value at once.
    """
    problems: list[Problem] = []
    keys = tuple(keys)
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
            problems.append(Problem(f"weight {v!r} is not a number", column=k))
            continue
        if not math.isfinite(fv) or fv <= 0:
            problems.append(Problem(f"weight must be a finite number > 0, got {v!r}", column=k))
    if problems:
        raise InputError(problems)
    total = sum(float(weights[k]) for k in keys)
    return {k: float(weights[k]) / total for k in keys}


def validate_objectives(
    objectives: Mapping[str, str], keys: tuple[str, ...] | list[str]
) -> dict[str, str]:
    """Check ``objectives`` maps exactly ``keys`` to ``"max"`` or ``"min"``."""
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


def parse_criteria(data: Mapping[str, Any], *, source: str | None = None) -> CriteriaSet:
    """Validate the plain-data form of ``criteria.yml`` and build a :class:`CriteriaSet`."""
    problems: list[Problem] = []
    if not isinstance(data, Mapping) or not isinstance(data.get("criteria"), Mapping):
        raise InputError([Problem("expected a mapping with a 'criteria' section")], file=source)
    scale = data.get("scale") or {"min": 0, "max": 100}
    try:
        smin, smax = float(scale["min"]), float(scale["max"])
        if not smin < smax:
            raise ValueError
    except (KeyError, TypeError, ValueError):
        problems.append(Problem("scale must have numbers min < max", column="scale"))
        smin, smax = 0.0, 100.0
    raw = data["criteria"]
    for key in raw:
        if key not in CRITERIA_KEYS:
            problems.append(
                Problem(
                    f"unknown criterion '{key}' (known: {', '.join(CRITERIA_KEYS)})", column=key
                )
            )
    weights: dict[str, Any] = {}
    built: list[Criterion] = []
    for key in CRITERIA_KEYS:
        spec = raw.get(key)
        if spec is None:
            problems.append(Problem(f"criterion '{key}' is missing", column=key))
            continue
        if not isinstance(spec, Mapping):
            problems.append(Problem("expected a mapping", column=key))
            continue
        objective = spec.get("objective", "max")
        if objective not in OBJECTIVES:
            problems.append(
                Problem(
                    f"objective must be 'max' or 'min', got {objective!r}",
                    column=f"{key}.objective",
                )
            )
        w = spec.get("weight")
        try:
            fw = float(w)
            if not math.isfinite(fw) or fw <= 0:
                raise ValueError
            weights[key] = fw
        except (TypeError, ValueError):
            problems.append(
                Problem(f"weight must be a number > 0, got {w!r}", column=f"{key}.weight")
            )
        bands = []
        for score, text in (spec.get("rubric") or {}).items():
            try:
                bands.append(RubricBand(float(score), str(text["zh"]), str(text["en"])))
            except (TypeError, ValueError, KeyError):
                problems.append(
                    Problem(
                        f"rubric band {score!r} needs a numeric score with zh and en",
                        column=f"{key}.rubric",
                    )
                )
        built.append(
            Criterion(
                key=key,
                zh=str(spec.get("zh", key)),
                en=str(spec.get("en", key)),
                objective=objective,
                weight=0.0,
                rubric=tuple(sorted(bands, key=lambda b: -b.score)),
            )
        )
    if problems:
        raise InputError(problems, file=source)
    total = sum(weights.values())
    return CriteriaSet(
        criteria=tuple(replace(c, weight=weights[c.key] / total) for c in built),
        scale_min=smin,
        scale_max=smax,
    )


def load_criteria(path: str | os.PathLike[str] | None = None) -> CriteriaSet:
    """Load and validate the criteria file.

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``$SCORING_CRITERIA`` or the repository's ``data/criteria.yml``.
    """
    p = Path(path or os.environ.get("SCORING_CRITERIA") or DEFAULT_CRITERIA_PATH)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(
            [Problem(f"cannot read criteria file: {exc.strerror}")], file=str(p)
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError([Problem(f"not valid YAML: {exc}")], file=str(p)) from exc
    return parse_criteria(data, source=str(p))


def default_criteria() -> CriteriaSet:
    """The criteria of ``data/criteria.yml`` (cached)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_criteria()
    return _DEFAULT


_DEFAULT: CriteriaSet | None = None
