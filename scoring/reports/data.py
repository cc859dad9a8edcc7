"""Plain data the report builders take: everything a panel report prints, already computed.

The builders in :mod:`scoring.reports.panel_report` and :mod:`scoring.reports.catalogue_pdf` are
pure functions of these objects; :mod:`scoring.reports.assemble` fills them from the demo files
or from the store.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from scoring.engine.criteria import CriteriaSet
from scoring.errors import InputError, Problem


@dataclass(frozen=True)
class ExpertSheet:
    """One expert's score sheet, as signed.

    Attributes
    ----------
    expert_id, name : str
        Who.
    employer, kind : str
        Employer and kind (``industry``/``official``/``bank``), printed in the sheet's heading.
    rows : DataFrame
        Index ``project_id`` in defense order; columns ``name`` (the candidate), one float column
        per criterion key (NaN where the expert is recused or did not score), ``comment`` (str)
        and ``confirmed_at`` (str or timestamp; empty when not confirmed) and ``recused`` (bool).
    """

    expert_id: str
    name: str
    rows: pd.DataFrame
    employer: str = ""
    kind: str = ""


@dataclass(frozen=True)
class ReportData:
    """Everything the panel report prints.

    Attributes
    ----------
    criteria : CriteriaSet
        The criteria as frozen (names, direction, weights).
    config : mapping
        The frozen configuration as plain data (``weights``, ``how``, ``method``, ``ties``, ``cut``
        and anything else the store froze); printed item by item.
    config_hash : str
        The configuration's content hash (printed on the first page and in every footer).
    ranking : DataFrame
        Index ``project_id``, sorted by rank; columns ``name``, ``city``, ``kind``, one panel score
        column per criterion key, ``score`` (the method's figure), ``rank`` and ``shortlisted``.
    p_top : Series, optional
        Probability of making the cut under weight uncertainty, indexed by ``project_id``.
    cut : int, optional
        Number of places on the shortlist (the ``k`` of ``p_top``).
    deviation : DataFrame
        Flagged deviations (rows the panel statistics flagged); printed as given.
    agreement : DataFrame
        Panel agreement per criterion and overall (Kendall's W, ICC ...); printed as given.
    recusals : DataFrame
        Columns ``expert_id``, ``expert``, ``project_id``, ``project``, ``reason``.
    corrections : DataFrame
        Columns ``time``, ``expert``, ``project``, ``criterion``, ``old``, ``new``, ``reason``,
        ``approved_by``.
    sheets : list of ExpertSheet
        One per panel member.
    title, panel, notes
        Document title, the panel's name/date line, and remarks printed under the title.
    chain_head : (int, str), optional
        The audit chain's head (``Workbench.chain_head()``) when the report was assembled from
        the store: printed on the first page and in every footer (``审计链 #seq hash…``).
    """

    criteria: CriteriaSet
    config: Mapping[str, Any]
    config_hash: str
    ranking: pd.DataFrame
    sheets: list[ExpertSheet]
    p_top: pd.Series | None = None
    cut: int | None = None
    deviation: pd.DataFrame = field(default_factory=pd.DataFrame)
    agreement: pd.DataFrame = field(default_factory=pd.DataFrame)
    recusals: pd.DataFrame = field(default_factory=pd.DataFrame)
    corrections: pd.DataFrame = field(default_factory=pd.DataFrame)
    title: str = "供应链重点项目竞争性答辩论证评审报告"
    panel: str = ""
    notes: tuple[str, ...] = ()
    chain_head: tuple[int, str] | None = None

    def __post_init__(self) -> None:
        check_report_data(self)

    @property
    def shortlisted(self) -> pd.DataFrame:
        """The shortlisted rows of the ranking."""
        if "shortlisted" not in self.ranking:
            return self.ranking.iloc[0:0]
        return self.ranking[self.ranking["shortlisted"].astype(bool)]


def check_report_data(data: ReportData) -> None:
    """Raise :class:`InputError` naming every missing column or inconsistency at once."""
    problems: list[Problem] = []
    need = ["name", "score", "rank", *data.criteria.keys]
    for col in need:
        if col not in data.ranking.columns:
            problems.append(Problem("ranking lacks a column", column=col))
    if data.p_top is not None:
        missing = [p for p in data.ranking.index if p not in data.p_top.index]
        for p in missing:
            problems.append(
                Problem("no robustness probability for this candidate", row=p, column="p_top")
            )
    if not data.config_hash:
        problems.append(Problem("the configuration hash is empty", column="config_hash"))
    for sheet in data.sheets:
        for col in ("name", *data.criteria.keys):
            if col not in sheet.rows.columns:
                problems.append(
                    Problem(f"score sheet of {sheet.expert_id} lacks a column", column=col)
                )
    if problems:
        raise InputError(problems)


def config_hash(config: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``config`` (sorted keys, no whitespace).

    Used for configurations that do not come from the store (the store hashes its own).
    """
    text = json.dumps(
        config, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def interval(lo: float, hi: float, digits: int = 2) -> str:
    """A confidence interval as printed: ``[0.12, 0.99]``, ``[−∞, 0.28]`` for a bound unbounded
    below, empty when not computed (NaN)."""

    def bound(x: float) -> str:
        x = float(x)
        if math.isinf(x):
            return "−∞" if x < 0 else "+∞"
        return f"{x:.{digits}f}"

    if math.isnan(float(lo)) or math.isnan(float(hi)):
        return ""
    return f"[{bound(lo)}, {bound(hi)}]"


def expert_sheets(
    scores: pd.DataFrame,
    experts: pd.DataFrame,
    order: list[str],
    names: Mapping[str, str],
    keys: tuple[str, ...],
    recused: set[tuple[str, str]],
    confirmations: pd.DataFrame | None,
    comments: pd.DataFrame | None,
) -> list[ExpertSheet]:
    """One :class:`ExpertSheet` per expert: the candidates in ``order``, NaN where not scored,
    recusals, comments (评语) and confirmation times."""
    wide = scores.pivot_table(
        index=["expert_id", "project_id"], columns="criterion", values="score", aggfunc="first"
    )
    conf = {}
    if confirmations is not None and not confirmations.empty:
        conf = {(r.expert_id, r.project_id): r.confirmed_at for r in confirmations.itertuples()}
    notes = {}
    if comments is not None and not comments.empty:
        notes = {(r.expert_id, r.project_id): r.comment for r in comments.itertuples()}
    sheets = []
    exp = experts.set_index("expert_id") if "expert_id" in experts.columns else experts
    for eid in exp.index:
        rows = []
        for pid in order:
            rec: dict[str, Any] = {"project_id": pid, "name": names.get(pid, "")}
            key = (eid, pid)
            for k in keys:
                rec[k] = (
                    float(wide.at[key, k])
                    if key in wide.index and k in wide.columns
                    else float("nan")
                )
            rec["recused"] = key in recused
            rec["comment"] = notes.get(key, "")
            rec["confirmed_at"] = conf.get(key, "")
            rows.append(rec)
        frame = pd.DataFrame(rows).set_index("project_id")
        e = exp.loc[eid]
        sheets.append(
            ExpertSheet(
                expert_id=str(eid),
                name=str(e.get("name", eid)),
                rows=frame,
                employer=str(e.get("employer", "") or ""),
                kind=str(e.get("kind", "") or ""),
            )
        )
    return sheets
