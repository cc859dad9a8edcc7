"""Reading a criteria set from plain data (a YAML file of ``data/criteria/`` or a frozen ``to_dict``).

Fields (every one is checked; all problems are reported at once, naming the file and the field):

``name``
    The set's registry name, e.g. ``defense`` (lower case, digits, ``-``/``_``). Data naming a set
    of the registry (``data/criteria/<name>.yml``) is a version of it — other weights, rubric or
    scale — and must have its criteria: an unknown or a missing criterion is an error; its
    ``purpose``, ``title`` and order are the defaults. Data
    without a name predates named sets: with the defense set's criteria it is read as the
    defense set, otherwise as a free set named ``custom``.
``purpose``
    ``defense`` (default) or ``evaluation``.
``title``
    ``{zh: …, en: …}``; optional.
``scale``
    ``{min: …, max: …}`` with ``min < max``; default 0–100.
``criteria``
    In form order: ``key: {zh, en, objective (max|min), weight (> 0), rubric}``; ``rubric`` maps
    an anchor score (on the scale) to ``{zh, en}``.
``order``
    Optional list of the criterion keys in form order (``to_dict`` writes it, since frozen JSON
    sorts the keys); otherwise the order of ``criteria`` (of the registered set, for a version).
``grades``
    Optional list, highest first, of ``{key, zh, en, min}``; ``min`` inside the scale and strictly
    descending; the last grade may have no ``min`` (every total below the others).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ...errors import InputError, Problem
from .model import OBJECTIVES, PURPOSES, CriteriaSet, Criterion, Grade, RubricBand

FIELDS = ("name", "purpose", "title", "scale", "criteria", "order", "grades")
CRITERION_FIELDS = ("zh", "en", "objective", "weight", "rubric")
GRADE_FIELDS = ("key", "zh", "en", "min")
#: Names no criterion may take (the panel statistics' row of weighted totals).
RESERVED_KEYS = ("overall",)
LEGACY_NAME = "custom"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _number(value: Any) -> float | None:
    """``value`` as a finite float, None when it is not one (a bool is not a number here)."""
    if isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _text(spec: Mapping[str, Any], field: str, column: str, problems: list[Problem]) -> str:
    value = spec.get(field)
    if not isinstance(value, str) or not value.strip():
        problems.append(
            Problem(f"“{field}”须为非空文本 / '{field}' must be a non-empty text", column=column)
        )
        return ""
    return value


def _unknown(
    spec: Mapping[str, Any], allowed: Sequence[str], prefix: str, problems: list[Problem]
) -> None:
    for k in spec:
        if k not in allowed:
            problems.append(
                Problem(
                    f"未知字段“{k}”（可用：{'、'.join(allowed)}） / "
                    f"unknown field '{k}' (known: {', '.join(allowed)})",
                    column=f"{prefix}{k}",
                )
            )


def _scale(data: Mapping[str, Any], problems: list[Problem]) -> tuple[float, float]:
    scale = data.get("scale", {"min": 0, "max": 100})
    if not isinstance(scale, Mapping):
        problems.append(
            Problem(
                "评分范围须写成 {min: …, max: …} / scale must be {min: …, max: …}", column="scale"
            )
        )
        return 0.0, 100.0
    _unknown(scale, ("min", "max"), "scale.", problems)
    lo, hi = _number(scale.get("min")), _number(scale.get("max"))
    if lo is None or hi is None or not lo < hi:
        problems.append(
            Problem(
                "评分范围须为数字且 min < max / scale must have numbers min < max", column="scale"
            )
        )
        return 0.0, 100.0
    return lo, hi


def _title(data: Mapping[str, Any], problems: list[Problem]) -> tuple[str, str]:
    title = data.get("title")
    if title is None:
        return "", ""
    if not isinstance(title, Mapping):
        problems.append(
            Problem("标题须写成 {zh: …, en: …} / title must be {zh: …, en: …}", column="title")
        )
        return "", ""
    _unknown(title, ("zh", "en"), "title.", problems)
    return _text(title, "zh", "title.zh", problems), _text(title, "en", "title.en", problems)


def _rubric(
    key: str, raw: Any, scale: tuple[float, float], problems: list[Problem]
) -> tuple[RubricBand, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        problems.append(
            Problem(
                "评分细则须为“分数 → {zh, en}”的映射 / rubric must map a score to {zh, en}",
                column=f"{key}.rubric",
            )
        )
        return ()
    bands = []
    for score, text in raw.items():
        s = _number(score)
        ok = isinstance(text, Mapping) and all(isinstance(text.get(f), str) for f in ("zh", "en"))
        if s is None or not ok:
            problems.append(
                Problem(
                    f"评分细则档位“{score}”须有数字分数及 zh、en 描述 / "
                    f"rubric band {score!r} needs a numeric score with zh and en",
                    column=f"{key}.rubric",
                )
            )
            continue
        if not scale[0] <= s <= scale[1]:
            problems.append(
                Problem(
                    f"评分细则档位“{score}”超出评分范围 {scale[0]:g}–{scale[1]:g} / "
                    f"rubric band {score!r} is outside the scale {scale[0]:g}–{scale[1]:g}",
                    column=f"{key}.rubric",
                )
            )
        bands.append(RubricBand(s, str(text["zh"]), str(text["en"])))
    return tuple(sorted(bands, key=lambda b: -b.score))


def _criterion(
    key: Any, spec: Any, scale: tuple[float, float], problems: list[Problem]
) -> tuple[Criterion, float] | None:
    if not isinstance(key, str) or not _KEY.match(key) or key in RESERVED_KEYS:
        problems.append(
            Problem(
                f"指标键“{key}”须为字母、数字和“_”组成的单词（不可为 {'、'.join(RESERVED_KEYS)}） / "
                f"criterion key {key!r} must be a word of letters, digits and '_' "
                f"(not {', '.join(RESERVED_KEYS)})",
                column=str(key),
            )
        )
        return None
    if not isinstance(spec, Mapping):
        problems.append(Problem("此处应为映射 / expected a mapping", column=key))
        return None
    _unknown(spec, CRITERION_FIELDS, f"{key}.", problems)
    objective = spec.get("objective")
    if objective not in OBJECTIVES:
        problems.append(
            Problem(
                f"方向须为 max 或 min，实为“{objective}” / "
                f"objective must be 'max' or 'min', got {objective!r}",
                column=f"{key}.objective",
            )
        )
    w = _number(spec.get("weight"))
    if w is None or w <= 0:
        problems.append(
            Problem(
                f"权重须为大于 0 的数字，实为“{spec.get('weight')}” / "
                f"weight must be a number > 0, got {spec.get('weight')!r}",
                column=f"{key}.weight",
            )
        )
    crit = Criterion(
        key=key,
        zh=_text(spec, "zh", f"{key}.zh", problems),
        en=_text(spec, "en", f"{key}.en", problems),
        objective=str(objective),
        weight=0.0,
        rubric=_rubric(key, spec.get("rubric"), scale, problems),
    )
    return crit, (w or 0.0)


def _grades(raw: Any, scale: tuple[float, float], problems: list[Problem]) -> tuple[Grade, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        problems.append(
            Problem(
                "等级须为列表，从高到低 / grades must be a list, highest first", column="grades"
            )
        )
        return ()
    out: list[Grade] = []
    for i, spec in enumerate(raw):
        col = f"grades[{i}]"
        if not isinstance(spec, Mapping):
            problems.append(
                Problem("此处应为 {key, zh, en, min} / expected {key, zh, en, min}", column=col)
            )
            continue
        _unknown(spec, GRADE_FIELDS, f"{col}.", problems)
        key = _text(spec, "key", f"{col}.key", problems)
        if key in {g.key for g in out}:
            problems.append(
                Problem(f"等级“{key}”重复出现 / grade '{key}' appears twice", column=f"{col}.key")
            )
        low: float | None = None
        if spec.get("min") is not None or i < len(raw) - 1:
            low = _number(spec.get("min"))
            if low is None or not scale[0] <= low <= scale[1]:
                problems.append(
                    Problem(
                        f"min 须为评分范围 {scale[0]:g}–{scale[1]:g} 内的数字（只有最后一个等级可以不填） / "
                        f"min must be a number inside the scale {scale[0]:g}–{scale[1]:g}"
                        " (only the last grade may have none)",
                        column=f"{col}.min",
                    )
                )
            elif out and out[-1].min is not None and not low < out[-1].min:
                problems.append(
                    Problem(
                        f"等级分数线须递减：{low:g} 不低于 {out[-1].min:g} / "
                        f"thresholds must descend: {low:g} is not below {out[-1].min:g}",
                        column=f"{col}.min",
                    )
                )
        zh = _text(spec, "zh", f"{col}.zh", problems)
        out.append(Grade(key, zh, _text(spec, "en", f"{col}.en", problems), low))
    return tuple(out)


def _reference(name: str | None, raw: Mapping[str, Any]) -> tuple[str, CriteriaSet | None]:
    """The name to give the set and the registered set it is a version of (None: none)."""
    from .registry import DEFAULT_SET, criteria_set, registered

    if name is None:
        default = criteria_set(DEFAULT_SET)
        return (DEFAULT_SET, default) if set(raw) == set(default.keys) else (LEGACY_NAME, None)
    if name in registered():
        return name, criteria_set(name)
    return name, None


def parse_criteria(
    data: Mapping[str, Any],
    *,
    source: str | None = None,
    keys: Sequence[str] | None = None,
    reference: bool = True,
) -> CriteriaSet:
    """Validate the plain-data form of a criteria set and build a :class:`CriteriaSet`.

    Parameters
    ----------
    data : mapping
        A criteria file's content or :meth:`CriteriaSet.to_dict` output (see the module docstring).
    source : str, optional
        Named in every problem (the file).
    keys : sequence of str, optional
        The criteria the set must have; default those of the registered set ``data`` names.
    reference : bool, default True
        False when ``data`` *is* the registered set (its file): no set to compare it with.

    Raises
    ------
    InputError
        Every problem at once, each naming ``source`` and the field.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("criteria"), Mapping):
        raise InputError(
            [
                Problem(
                    "应为含有 criteria 部分的映射 / expected a mapping with a 'criteria' section"
                )
            ],
            file=source,
        )
    problems: list[Problem] = []
    _unknown(data, FIELDS, "", problems)
    raw = data["criteria"]
    if not raw:
        problems.append(
            Problem(
                "指标集至少需要一项指标 / a criteria set needs at least one criterion",
                column="criteria",
            )
        )
    name = data.get("name")
    if name is not None and not (isinstance(name, str) and _NAME.match(name)):
        problems.append(
            Problem(
                f"名称“{name}”只能由小写字母、数字和“-”组成 / "
                f"name {name!r} must be lower-case letters, digits, '-'",
                column="name",
            )
        )
        name = None
    base: CriteriaSet | None = None
    if reference and keys is None:
        name, base = _reference(name, raw)
    ref = tuple(keys) if keys is not None else (base.keys if base is not None else None)
    name = name or LEGACY_NAME
    purpose = data.get("purpose", base.purpose if base is not None else "defense")
    if purpose not in PURPOSES:
        problems.append(
            Problem(
                f"用途须为 {'、'.join(PURPOSES)} 之一，实为“{purpose}” / "
                f"purpose must be one of {', '.join(PURPOSES)}, got {purpose!r}",
                column="purpose",
            )
        )
    scale = _scale(data, problems)
    title = _title(data, problems)
    if "title" not in data and base is not None:
        title = (base.title_zh, base.title_en)
    known = list(ref) if ref is not None else list(raw)
    for key in raw:
        if key not in known:
            problems.append(
                Problem(
                    f"未知的评分指标“{key}”（已知：{'、'.join(known)}） / "
                    f"unknown criterion '{key}' (known: {', '.join(known)})",
                    column=str(key),
                )
            )
    built: dict[str, tuple[Criterion, float]] = {}
    for key in known:
        if key not in raw:
            problems.append(
                Problem(f"缺少评分指标“{key}” / criterion '{key}' is missing", column=key)
            )
        elif (c := _criterion(key, raw[key], scale, problems)) is not None:
            built[key] = c
    order = data.get("order", known)
    if (
        not isinstance(order, Sequence)
        or isinstance(order, str)
        or sorted(map(str, order)) != sorted(map(str, raw))
    ):
        problems.append(
            Problem(
                "order 须列出每个指标键且各一次 / order must list every criterion key once",
                column="order",
            )
        )
        order = known
    grades = _grades(data.get("grades"), scale, problems)
    if problems:
        raise InputError(problems, file=source)
    total = math.fsum(w for _, w in built.values())  # round-trips normalised weights exactly
    return CriteriaSet(
        criteria=tuple(
            Criterion(c.key, c.zh, c.en, c.objective, w / total, c.rubric)
            for c, w in (built[k] for k in order)
        ),
        scale_min=scale[0],
        scale_max=scale[1],
        name=str(name),
        purpose=str(purpose),
        title_zh=title[0],
        title_en=title[1],
        grades=grades,
    )
