"""The year-to-year cycle (年度循环): an exited project is not recommended again without the
organizer's override.

A candidate of a new round *matches* an exited followed project when its ``project_id`` equals
the exited project's, or when its normalised name (:func:`normalise_name`: full-width brackets
as half-width, no white space, lower case — the comparison the store's recusal rules use)
equals the exited project's. A match is *blocked* unless the organizer granted an override for
the exited project in this round's year. Pure: the store reads the exited projects and the
overrides, this module matches and words the problems.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from ..errors import Problem

#: The columns a problem names (the canonical column, in both languages).
#: The column a match names, as the user sees it: (中文, English).
LABELS = {"project_id": ("项目编号", "project_id"), "name": ("项目名称", "name")}
COLUMNS = {"project_id": "项目编号 / project_id", "name": "项目名称 / name"}
#: The exited projects' columns :func:`exited_matches` reads.
EXITED_COLUMNS = ("project_id", "name", "exited_at", "exit_reason")

_SPACE = re.compile(r"\s+")


def normalise_name(name: Any) -> str:
    """Comparable form of a project or organisation name.

    Parameters
    ----------
    name : Any
        The name (``None`` gives ``""``).

    Returns
    -------
    str
        Full-width brackets made half-width, white space removed, lower case.
    """
    if name is None or (isinstance(name, float) and name != name):
        return ""
    text = str(name).replace("（", "(").replace("）", ")")
    return _SPACE.sub("", text).strip().lower()


@dataclass(frozen=True)
class CycleMatch:
    """A candidate row that matches an exited followed project.

    Attributes
    ----------
    row : Any
        The candidate's row label (the spreadsheet row number when read from a file).
    candidate_id : str
        The candidate's ``project_id``.
    exited_id : str
        The exited followed project's ``project_id``.
    by : str
        ``"project_id"`` (same id) or ``"name"`` (same normalised name, another id).
    name : str
        The exited project's name.
    exited_at : date or str or None
        When it exited.
    exit_reason : str
        Why it exited.
    """

    row: Any
    candidate_id: str
    exited_id: str
    by: str
    name: str
    exited_at: date | str | None
    exit_reason: str

    @property
    def column(self) -> str:
        """The column the problem names (``项目编号 / project_id`` or ``项目名称 / name``)."""
        return COLUMNS[self.by]


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def exited_matches(
    candidates: pd.DataFrame, exited: pd.DataFrame, *, overridden: Iterable[str] = ()
) -> list[CycleMatch]:
    """The candidate rows that match an exited project without an override.

    Parameters
    ----------
    candidates : DataFrame
        With ``project_id`` and ``name``; the index labels the rows (spreadsheet row numbers).
    exited : DataFrame
        The exited followed projects: :data:`EXITED_COLUMNS`.
    overridden : iterable of str
        Exited projects' ids the organizer allowed again in this round.

    Returns
    -------
    list of CycleMatch
        In the candidates' order; one per (row, exited project). A row with the same id as an
        exited project is matched by ``project_id`` (its name is not checked again).
    """
    allowed = {str(p) for p in overridden}
    by_id: dict[str, Any] = {}
    by_name: dict[str, list[Any]] = {}
    for rec in exited.to_dict("records") if len(exited) else []:
        pid = _text(rec.get("project_id"))
        if not pid or pid in allowed:
            continue
        by_id[pid] = rec
        key = normalise_name(rec.get("name"))
        if key:
            by_name.setdefault(key, []).append(rec)
    if not by_id:
        return []
    ids = candidates["project_id"] if "project_id" in candidates else [None] * len(candidates)
    names = candidates["name"] if "name" in candidates else [None] * len(candidates)
    out: list[CycleMatch] = []
    for row, cid, cname in zip(candidates.index, ids, names, strict=True):
        cid_s = _text(cid)
        hits: list[tuple[str, Any]] = []
        if cid_s in by_id:
            hits.append(("project_id", by_id[cid_s]))
        for rec in by_name.get(normalise_name(cname), []) if normalise_name(cname) else []:
            if _text(rec.get("project_id")) != cid_s:
                hits.append(("name", rec))
        for by, rec in hits:
            out.append(
                CycleMatch(
                    row=row,
                    candidate_id=cid_s,
                    exited_id=_text(rec.get("project_id")),
                    by=by,
                    name=_text(rec.get("name")),
                    exited_at=rec.get("exited_at"),
                    exit_reason=_text(rec.get("exit_reason")),
                )
            )
    return out


def _day(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "?"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def _halves(text: str) -> tuple[str, str]:
    """A free text for both halves of a "中文 / English" message: a pair is split, any other
    " / " is closed up so that the message still splits at its own separator."""
    from ..errors import split_pair

    pair = split_pair(text)
    zh, en = pair if pair is not None else (text, text)
    return zh.replace(" / ", "/"), en.replace(" / ", "/")


def problems(matches: Iterable[CycleMatch], year: int, file: str | None = None) -> list[Problem]:
    """One :class:`~scoring.errors.Problem` per match, worded "中文 / English".

    Parameters
    ----------
    matches : iterable of CycleMatch
    year : int
        The round's year (the override is for that year).
    file : str, optional
        The file the candidates came from.

    Returns
    -------
    list of Problem
        Naming the row, the column, the exited project, its exit date and reason, and that the
        organizer can grant an override.
    """
    out: list[Problem] = []
    for m in matches:
        name = m.name.replace(" / ", "/")
        same = (
            f"项目 {m.exited_id}" if m.by == "project_id" else f"同名项目 {m.exited_id}（{name}）"
        )
        same_en = (
            f"project {m.exited_id}"
            if m.by == "project_id"
            else f"project {m.exited_id} of the same name ({name})"
        )
        reason_zh, reason_en = _halves(m.exit_reason or "?")
        out.append(
            Problem(
                f"{same}已于 {_day(m.exited_at)} 退出（{reason_zh}），{year} 年不得再次推荐，"
                f"除非组织方准予例外（scoring recommend-override {m.exited_id} --reason …）"
                f" / {same_en} exited on {_day(m.exited_at)} ({reason_en}) and cannot be "
                f"recommended again in {year} unless the organizer grants an override "
                f"(scoring recommend-override {m.exited_id} --reason …)",
                row=m.row,
                column=m.by,
                label=LABELS[m.by],
                file=file,
            )
        )
    return out
