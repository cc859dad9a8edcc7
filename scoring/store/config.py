"""The frozen configuration of a panel and its content hash.

Before a panel opens, the organizer freezes its criteria, weights, aggregation rule, ranking
method, tie rule and cut line. The content hash is SHA-256 over the canonical JSON (sorted keys,
no spaces); reports print it so anyone can check the result was computed with what was frozen.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from ..engine.criteria import (
    CRITERIA_KEYS,
    CriteriaSet,
    criteria_set,
    default_criteria,
    parse_criteria,
    validate_weights,
)
from ..errors import InputError, Problem
from .audit import canonical_json

AGGREGATIONS = ("mean", "median", "trimmed_mean", "zscore")
#: Tie rules at the cut line, as :func:`scoring.programme.shortlist.shortlist` takes them.
TIE_RULES = ("include", "exclude", "chair")


@dataclass(frozen=True)
class PanelConfig:
    """What a panel is scored and ranked with.

    Attributes
    ----------
    criteria : dict
        ``CriteriaSet.to_dict()`` form: the set's name, purpose, title, scale, form order, grade
        thresholds and, per criterion, names, objective, weight, rubric.
    aggregation : str
        ``mean``, ``median``, ``trimmed_mean`` (drop one highest and one lowest) or ``zscore``.
    trim_min : int
        Fewest scores for which ``trimmed_mean`` trims.
    ranking_method : str
        A method of ``scoring.engine.ranking.METHODS`` (``weighted_sum`` by default).
    ranking_options : dict
        Extra keyword arguments of ``rank``.
    tie_rule : str
        How a tie at the cut line is treated by the shortlist (``include`` / ``exclude``).
    cut_size, cut_min_score : int or float, optional
        The cut line: shortlist size and/or minimum score.
    """

    criteria: dict[str, Any]
    aggregation: str = "trimmed_mean"
    trim_min: int = 5
    ranking_method: str = "weighted_sum"
    ranking_options: dict[str, Any] = field(default_factory=dict)
    tie_rule: str = "include"
    cut_size: int | None = None
    cut_min_score: float | None = None

    @classmethod
    def from_criteria(cls, criteria: CriteriaSet | str | None = None, **kwargs: Any) -> PanelConfig:
        """A configuration from a :class:`~scoring.engine.criteria.CriteriaSet` (default: the
        defense set, or the registered set named by ``criteria`` when it is a string)."""
        cs = (
            criteria_set(criteria)
            if isinstance(criteria, str)
            else (criteria or default_criteria())
        )
        return cls(criteria=json.loads(canonical_json(cs.to_dict())), **kwargs)

    # -- derived views -------------------------------------------------------------------
    @cached_property
    def criteria_set(self) -> CriteriaSet:
        """The frozen criteria as a :class:`~scoring.engine.criteria.CriteriaSet` (validated)."""
        return parse_criteria(self.criteria, source="panel configuration")

    @property
    def criteria_set_name(self) -> str:
        """The name of the criteria set the configuration was frozen from."""
        return self.criteria_set.name

    @property
    def purpose(self) -> str:
        """``defense`` or ``evaluation``: what the criteria set is for."""
        return self.criteria_set.purpose

    @property
    def keys(self) -> tuple[str, ...]:
        """Criterion keys in form order: the set's ``order`` (the stored JSON sorts mappings);
        a configuration frozen before sets had an order lists the defense criteria in theirs."""
        order = self.criteria.get("order")
        if order:
            return tuple(str(k) for k in order)
        rank = {k: i for i, k in enumerate(CRITERIA_KEYS)}
        return tuple(sorted(self.criteria["criteria"], key=lambda k: (rank.get(k, len(rank)), k)))

    @property
    def weights(self) -> dict[str, float]:
        return {k: float(self.criteria["criteria"][k]["weight"]) for k in self.keys}

    @property
    def objectives(self) -> dict[str, str]:
        return {k: str(self.criteria["criteria"][k]["objective"]) for k in self.keys}

    @property
    def scale(self) -> tuple[float, float]:
        s = self.criteria.get("scale", {"min": 0, "max": 100})
        return float(s["min"]), float(s["max"])

    def validate(self) -> PanelConfig:
        """Check every field; raise :class:`InputError` listing all problems."""
        problems: list[Problem] = []
        crit = self.criteria.get("criteria") if isinstance(self.criteria, dict) else None
        if not isinstance(crit, dict) or not crit:
            raise InputError([Problem("criteria are missing", column="criteria")])
        self.criteria_set  # noqa: B018 - parsing validates every field of the set (InputError)
        try:
            validate_weights(self.weights, self.keys)
        except InputError as exc:
            problems.extend(exc.problems)
        for k, o in self.objectives.items():
            if o not in ("max", "min"):
                problems.append(Problem(f"objective must be max or min, got {o!r}", column=k))
        if self.aggregation not in AGGREGATIONS:
            problems.append(
                Problem(f"unknown aggregation {self.aggregation!r}", column="aggregation")
            )
        if self.tie_rule not in TIE_RULES:
            problems.append(Problem(f"unknown tie rule {self.tie_rule!r}", column="tie_rule"))
        if self.cut_size is not None and (not isinstance(self.cut_size, int) or self.cut_size < 1):
            problems.append(Problem("cut size must be a positive integer", column="cut_size"))
        if self.cut_min_score is not None:
            lo, hi = self.scale
            if not math.isfinite(float(self.cut_min_score)):
                problems.append(Problem("cut score must be finite", column="cut_min_score"))
            elif not lo <= float(self.cut_min_score) <= hi:
                problems.append(
                    Problem(
                        f"cut score {self.cut_min_score:g} is outside the criteria scale "
                        f"{lo:g}–{hi:g}",
                        column="cut_min_score",
                    )
                )
        try:
            from ..engine.ranking import METHODS  # type: ignore[attr-defined]

            if self.ranking_method not in METHODS:
                problems.append(
                    Problem(
                        f"unknown ranking method {self.ranking_method!r}", column="ranking_method"
                    )
                )
        except ImportError:
            pass
        if problems:
            raise InputError(problems)
        return self

    def to_json(self) -> str:
        """Canonical JSON (the text that is hashed and stored)."""
        return canonical_json(asdict(self))

    @property
    def content_hash(self) -> str:
        """SHA-256 of :meth:`to_json`."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    @classmethod
    def from_json(cls, text: str) -> PanelConfig:
        """Rebuild from :meth:`to_json` output."""
        return cls(**json.loads(text))
