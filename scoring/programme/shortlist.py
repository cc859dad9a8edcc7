"""The shortlist (入选名单): a cut line on the ranking, quotas per city or type, and ties.

Rules, applied in this order (documented here because organizers must be able to explain them):

1. **Eligibility.** With ``min_score`` only candidates whose score passes it are eligible (``>=``
   when a higher score is better, ``<=`` when lower is better, e.g. VIKOR's Q). A candidate that
   fails the bar is never selected, not even to meet a floor. The bar is on the score's own
   scale: for a weighted total (``ranking.attrs["scale"]``, the criteria set's scale) it must lie
   inside that scale — 6 on a 0–10 set, 60 on 0–100.
2. **Floors** (保底名额), e.g. ``floors={"kind": {"region": 5}}``: for each floor, the best-ranked
   eligible candidates of that group are reserved first, as many as the floor asks, skipping
   any that a cap forbids. Fewer such candidates than the floor is infeasible.
3. **Seats.** With ``size`` the shortlist has ``size`` seats (floors count towards them); without
   it every eligible candidate may enter. The remaining seats go down the ranking (rank, then
   ``project_id``), skipping a candidate whose city / kind / type has reached its **cap**
   (上限), e.g. ``caps={"city": {"太原市": 10}}``. Caps that leave seats empty although enough
   eligible candidates exist are infeasible.
4. **Ties at the cut line.** When the seats run out in the middle of a group of candidates with
   the same rank (equal score), ``ties`` decides:

   - ``"include"`` (default): all tied candidates enter (the list is longer than ``size``);
   - ``"exclude"``: none of the tied group enters through the open seats (the list is shorter);
   - ``"chair"``: the candidates that are certain are selected, and the whole tied group is
     returned with status ``chair`` for the chair (主任委员) to decide; ``attrs["chair_seats"]``
     says how many seats are left for them.

Infeasible or unknown quotas raise one :class:`~scoring.errors.InputError` listing every problem.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..errors import InputError, Problem
from . import schema

TIE_RULES: tuple[str, ...] = ("include", "exclude", "chair")
#: Candidate fields a quota may be set on, with their allowed values.
QUOTA_FIELDS: dict[str, tuple[str, ...]] = {
    "city": (*schema.CITIES, schema.PROVINCIAL),
    "kind": tuple(schema.PROJECT_KINDS),
    "enterprise_type": schema.ENTERPRISE_TYPES,
}
STATUS_SELECTED = "selected"


def default_cut_size(n_candidates: int) -> int:
    """Seats when a panel froze no cut line: the top half, rounded up (at least 1).

    Used by the chair's board and the panel report alike, so both show the same shortlist.
    """
    return max(1, (int(n_candidates) + 1) // 2)


STATUS_CHAIR = "chair"

_REASONS = {
    "rank": "名次在入选线内 (within the cut line)",
    "floor": "保底名额 (floor)",
    "tie": "与入选线并列，按规则全部入选 (tied at the cut line, all included)",
    "chair": "与入选线并列，待主任委员决定 (tied at the cut line, chair decides)",
}


def _candidate_table(candidates: pd.DataFrame) -> pd.DataFrame:
    if "project_id" in candidates.columns:
        return candidates.set_index("project_id", drop=False)
    df = candidates.copy()
    df["project_id"] = df.index.astype(str)
    return df


def _check_quotas(name: str, quotas: Any) -> tuple[dict[tuple[str, str], int], list[Problem]]:
    problems: list[Problem] = []
    out: dict[tuple[str, str], int] = {}
    if quotas is None:
        return out, problems
    if not isinstance(quotas, Mapping):
        return out, [
            Problem(f"{name} must be a mapping like {{'city': {{'太原市': 10}}}}", column=name)
        ]
    for field, groups in quotas.items():
        if field not in QUOTA_FIELDS:
            problems.append(
                Problem(
                    f"{name} on unknown field '{field}' (allowed: {', '.join(QUOTA_FIELDS)})",
                    column=name,
                )
            )
            continue
        if not isinstance(groups, Mapping):
            problems.append(Problem(f"{name}['{field}'] must map a value to a count", column=name))
            continue
        for value, count in groups.items():
            where = f"{name}['{field}']['{value}']"
            if value not in QUOTA_FIELDS[field]:
                problems.append(
                    Problem(
                        f"{where}: unknown {field} '{value}' (allowed: {', '.join(QUOTA_FIELDS[field])})",
                        column=name,
                    )
                )
            elif isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 0:
                problems.append(
                    Problem(
                        f"{where}: count must be a whole number >= 0, got {count!r}", column=name
                    )
                )
            else:
                out[(field, value)] = int(count)
    return out, problems


def shortlist(
    ranking: pd.DataFrame,
    candidates: pd.DataFrame,
    *,
    size: int | None = None,
    min_score: float | None = None,
    higher_is_better: bool | None = None,
    caps: Mapping[str, Mapping[str, int]] | None = None,
    floors: Mapping[str, Mapping[str, int]] | None = None,
    ties: str = "include",
) -> pd.DataFrame:
    """Select the shortlist from a ranking (see the module docstring for the rules).

    Parameters
    ----------
    ranking : DataFrame
        Index ``project_id``; columns ``score`` and ``rank`` (1 = best), as from
        :func:`scoring.engine.ranking.rank`.
    candidates : DataFrame
        Candidate table with ``project_id`` (column or index), ``name``, ``city``, ``kind`` and
        ``enterprise_type`` (the latter three as needed by the quotas).
    size : int, optional
        Number of seats (the cut line by size).
    min_score : float, optional
        The cut line by score, on the score's scale (inside ``ranking.attrs["scale"]`` when the
        ranking gives one).
    higher_is_better : bool, optional
        Direction of ``score``; default ``ranking.attrs["higher_is_better"]``, else True.
    caps, floors : mapping, optional
        ``{field: {value: count}}`` with field ``city``, ``kind`` or ``enterprise_type``.
    ties : {"include", "exclude", "chair"}
        Rule for candidates tied at the cut line.

    Returns
    -------
    DataFrame
        Index ``project_id``; columns ``rank``, ``score``, ``name``, ``city``, ``kind``,
        ``enterprise_type`` (those present), ``status`` (``selected`` or ``chair``), ``reason``
        (Chinese and English) and ``flags`` (``rank``, ``floor:kind=region``, ``tie``,
        ``chair``), sorted by rank then project_id. ``attrs``: ``size``, ``min_score``,
        ``ties``, ``cut_rank`` (rank of the last seat), ``skipped`` ({project_id: reason} for
        better-ranked candidates left out by a cap), ``chair_seats``.

    Raises
    ------
    InputError
        Bad ranking, unknown project, bad size / min_score / tie rule, unknown quota field or
        value, infeasible quotas — all at once.
    """
    problems: list[Problem] = []
    if not isinstance(ranking, pd.DataFrame) or not {"score", "rank"} <= set(ranking.columns):
        raise InputError([Problem("ranking must be a DataFrame with columns 'score' and 'rank'")])
    if not isinstance(candidates, pd.DataFrame):
        raise InputError([Problem("candidates must be a DataFrame")])
    cand = _candidate_table(candidates)
    if ties not in TIE_RULES:
        problems.append(
            Problem(f"ties must be one of {', '.join(TIE_RULES)}, got {ties!r}", column="ties")
        )
    if size is not None and (
        isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1
    ):
        problems.append(Problem(f"size must be a whole number >= 1, got {size!r}", column="size"))
    if min_score is not None and (
        isinstance(min_score, bool)
        or not isinstance(min_score, numbers.Real)
        or not math.isfinite(float(min_score))
    ):
        problems.append(
            Problem(f"min_score must be a finite number, got {min_score!r}", column="min_score")
        )
    elif min_score is not None and (scale := ranking.attrs.get("scale")) is not None:
        lo, hi = (float(v) for v in scale)
        if not lo <= float(min_score) <= hi:
            problems.append(
                Problem(
                    f"min_score {min_score:g} is outside the scale {lo:g}–{hi:g} of the scores",
                    column="min_score",
                )
            )
    cap_q, p = _check_quotas("caps", caps)
    problems += p
    floor_q, p = _check_quotas("floors", floors)
    problems += p
    for key, k in floor_q.items():
        if key in cap_q and cap_q[key] < k:
            problems.append(
                Problem(
                    f"floor {k} for {key[0]}={key[1]} exceeds its cap {cap_q[key]}", column="floors"
                )
            )
    ids = [str(i) for i in ranking.index]
    unknown = [i for i in ids if i not in cand.index]
    for i in unknown:
        problems.append(
            Problem(f"ranked project '{i}' is not among the candidates", row=i, column="project_id")
        )
    fields = {f for f, _ in (*cap_q, *floor_q)}
    for f in sorted(fields):
        if f not in cand.columns:
            problems.append(Problem(f"candidates have no column '{f}' for the quotas", column=f))
    if ranking.index.has_duplicates:
        problems.append(Problem("ranking lists a project more than once", column="project_id"))
    if problems:
        raise InputError(problems)

    hib = (
        ranking.attrs.get("higher_is_better", True)
        if higher_is_better is None
        else higher_is_better
    )
    table = pd.DataFrame(
        {
            "rank": ranking["rank"].astype(int).to_numpy(),
            "score": ranking["score"].astype(float).to_numpy(),
        },
        index=pd.Index(ids, name="project_id"),
    )
    for col in ("name", "city", "kind", "enterprise_type"):
        if col in cand.columns:
            table[col] = cand.loc[ids, col].to_numpy()
    table = table.sort_values(["rank"], kind="stable")
    table = table.loc[sorted(table.index, key=lambda i: (table.at[i, "rank"], i))]
    if min_score is not None:
        ok = table["score"] >= min_score if hib else table["score"] <= min_score
        eligible = table[ok.to_numpy()]
    else:
        eligible = table
    seats = size if size is not None else len(eligible)

    count: dict[tuple[str, str], int] = {}
    chosen: dict[str, list[str]] = {}
    skipped: dict[str, str] = {}

    def groups(pid: str) -> list[tuple[str, str]]:
        return [(f, str(eligible.at[pid, f])) for f in fields]

    def blocked(pid: str) -> tuple[str, str] | None:
        for g in groups(pid):
            if g in cap_q and count.get(g, 0) >= cap_q[g]:
                return g
        return None

    def take(pid: str, flag: str) -> None:
        chosen[pid] = [flag]
        for g in groups(pid):
            count[g] = count.get(g, 0) + 1

    # 2. floors
    for (field, value), k in floor_q.items():
        have = sum(1 for pid in chosen if eligible.at[pid, field] == value)
        for pid in eligible.index:
            if have >= k:
                break
            if pid in chosen or eligible.at[pid, field] != value or blocked(pid):
                continue
            take(pid, f"floor:{field}={value}")
            have += 1
        if have < k:
            pool = int((eligible[field] == value).sum()) if field in eligible else 0
            problems.append(
                Problem(
                    f"floor {k} for {field}={value} cannot be met: only {have} eligible candidate(s) "
                    f"can take it ({pool} pass the cut score)",
                    column="floors",
                )
            )
    if len(chosen) > seats:
        problems.append(
            Problem(f"the floors need {len(chosen)} seats but size is {seats}", column="floors")
        )
    if problems:
        raise InputError(problems)

    # 3. open seats down the ranking
    last_open: str | None = None
    for pid in eligible.index:
        if pid in chosen:
            continue
        if len(chosen) >= seats:
            break
        g = blocked(pid)
        if g is not None:
            skipped[pid] = f"{g[0]}={g[1]} 已达上限 (cap {cap_q[g]} reached)"
            continue
        take(pid, "rank")
        last_open = pid
    if size is not None and len(chosen) < seats and len(eligible) >= seats:
        raise InputError(
            [Problem(f"the caps allow only {len(chosen)} of the {seats} seats", column="caps")]
        )

    # 4. ties at the cut line
    status = dict.fromkeys(chosen, STATUS_SELECTED)
    chair_seats = 0
    if last_open is not None and len(chosen) >= seats:
        cut = int(eligible.at[last_open, "rank"])
        outside = [
            pid
            for pid in eligible.index
            if pid not in chosen and int(eligible.at[pid, "rank"]) == cut and blocked(pid) is None
        ]
        inside = [
            pid
            for pid in chosen
            if chosen[pid] == ["rank"] and int(eligible.at[pid, "rank"]) == cut
        ]
        if outside:
            if ties == "include":
                for pid in outside:
                    if blocked(pid) is None:
                        take(pid, "tie")
                        status[pid] = STATUS_SELECTED
                    else:
                        skipped[pid] = "cap reached among tied candidates"
            elif ties == "exclude":
                for pid in inside:
                    del chosen[pid]
                    del status[pid]
            else:
                chair_seats = len(inside)
                for pid in inside + outside:
                    chosen[pid] = ["chair"]
                    status[pid] = STATUS_CHAIR
    out = table.loc[[pid for pid in table.index if pid in chosen]].copy()
    out["status"] = [status[pid] for pid in out.index]
    out["reason"] = [
        _REASONS[chosen[pid][0].split(":")[0]] + _floor_note(chosen[pid][0]) for pid in out.index
    ]
    out["flags"] = [";".join(chosen[pid]) for pid in out.index]
    out.attrs.update(
        {
            "size": size,
            "min_score": min_score,
            "ties": ties,
            "higher_is_better": bool(hib),
            "cut_rank": None if last_open is None else int(eligible.at[last_open, "rank"]),
            "skipped": skipped,
            "chair_seats": chair_seats,
        }
    )
    return out


def _floor_note(flag: str) -> str:
    if flag.startswith("floor:"):
        return f" {flag.removeprefix('floor:')}"
    return ""
