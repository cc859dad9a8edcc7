"""The criteria sets of ``data/criteria/``: one YAML file per set, looked up by name.

``criteria_set("defense")`` is the five aspects of the competitive defense; the evaluation sets
(``evaluation-enterprise``, ``evaluation-region``) are the yearly follow-up points. A file's stem
is the set's name and must equal its ``name`` field. ``$SCORING_CRITERIA`` (a path) replaces the
default set of :func:`load_criteria` and :func:`default_criteria`.
"""

from __future__ import annotations

import os
from functools import cache, lru_cache
from pathlib import Path

from ...datafile import read_yaml
from ...errors import InputError, Problem
from ...paths import DATA_DIR
from .model import CriteriaSet
from .parse import parse_criteria

#: The folder of the criteria sets (``$SCORING_DATA/criteria``).
CRITERIA_DIR = DATA_DIR / "criteria"
#: The set a panel gets when nothing else is said.
DEFAULT_SET = "defense"
#: Its file (``$SCORING_CRITERIA`` overrides it for :func:`load_criteria`).
DEFAULT_CRITERIA_PATH = CRITERIA_DIR / f"{DEFAULT_SET}.yml"


def _read(path: Path) -> object:
    return read_yaml(path, "criteria")


def registered() -> tuple[str, ...]:
    """Names of the sets in :data:`CRITERIA_DIR` (file stems), sorted."""
    return tuple(sorted(p.stem for p in CRITERIA_DIR.glob("*.yml")))


@cache
def criteria_set(name: str) -> CriteriaSet:
    """The registered set ``name`` (``data/criteria/<name>.yml``), validated and cached.

    Raises
    ------
    InputError
        Unknown name (the known ones are listed), or any problem of the file, naming it.
    """
    if name not in registered():
        raise InputError(
            [
                Problem(
                    f"unknown criteria set {name!r} (known: {', '.join(registered())})",
                    column="criteria_set",
                )
            ]
        )
    path = CRITERIA_DIR / f"{name}.yml"
    data = _read(path)
    cs = parse_criteria(data, source=str(path), reference=False)  # type: ignore[arg-type]
    if isinstance(data, dict) and data.get("name") != name:
        raise InputError(
            [Problem(f"name must be the file's stem {name!r}", column="name")], file=str(path)
        )
    return cs


def criteria_sets() -> dict[str, str]:
    """Every registered set's name -> purpose (``defense`` / ``evaluation``), in name order."""
    return {name: criteria_set(name).purpose for name in registered()}


def load_criteria(path: str | os.PathLike[str] | None = None) -> CriteriaSet:
    """Load and validate a criteria file.

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``$SCORING_CRITERIA`` or :data:`DEFAULT_CRITERIA_PATH` (the defense set).
    """
    p = Path(path or os.environ.get("SCORING_CRITERIA") or DEFAULT_CRITERIA_PATH)
    return parse_criteria(_read(p), source=str(p))  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def default_criteria() -> CriteriaSet:
    """The default set: :func:`load_criteria` with no path — the defense set (cached)."""
    return load_criteria()
