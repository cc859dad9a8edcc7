"""The yearly evaluation reports gathered from the store (``wb.evaluation`` and friends).

:func:`city_report_from_store` reads one closed evaluation panel for one city: the grades with
their SMAA probabilities, the evidence cards, the departures from the suggested bands, the panel
(members, chair, frozen configuration and its hash) and the signatures (each expert's confirmed
sheets with their time, or 回避). :func:`province_report_from_store` reads every closed
evaluation panel of a year for the ministry's summary, with the exits of the year and the
replicable cases. Both only use the store's public API, as ``actor`` (default: the command
line's organizer).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..store.errors import NotFound, RuleViolation, StoreError
from .evaluation import CityReport, PanelInfo, ProvinceReport, city_order, normalise_city

__all__ = ["city_report_from_store", "panel_info", "province_report_from_store"]


def _actor(wb: Any, actor: Any) -> Any:
    return actor if actor is not None else wb.system_actor()


def _evaluation_row(wb: Any, actor: Any, panel_id: int) -> dict[str, Any]:
    panels = wb.evaluation.panels(actor)
    row = panels[panels["id"] == int(panel_id)]
    if row.empty:
        raise NotFound(
            f"无此年度评估组 / no evaluation panel {panel_id} (see wb.evaluation.panels)"
        )
    rec = row.iloc[0].to_dict()
    if rec["status"] != "closed":
        raise RuleViolation(
            f"评估组 {panel_id} 尚未结束 / evaluation panel {panel_id} is not closed: the report "
            "is made from the closed panel's results"
        )
    return rec


def _chair_name(wb: Any, actor: Any, panel_id: int) -> str:
    try:
        login = wb.panel_setup(actor, panel_id).get("chair")
    except StoreError:  # the panel setup is the organizer's: a chair prints his own name
        name, login = getattr(actor, "name", "") or "", getattr(actor, "login", "") or ""
        return f"{name}（{login}）" if name and name != login else str(login)
    if not login:
        return ""
    try:
        names = {a["login"]: a.get("name") for a in wb.accounts(actor)}
    except StoreError:
        return str(login)
    name = names.get(login) or ""
    return f"{name}（{login}）" if name and name != login else str(login)


def panel_info(wb: Any, panel_id: int, *, actor: Any = None) -> PanelInfo:
    """The closed evaluation panel as its reports print it: name, date, year, kind, members
    (from the panel's progress), chair, the frozen configuration, its hash and the chain head."""
    actor = _actor(wb, actor)
    rec = _evaluation_row(wb, actor, panel_id)
    cfg, h = wb.panel_config(actor, panel_id)
    status = wb.progress(actor, panel_id)
    try:
        experts = wb.experts(actor).set_index("expert_id")
    except StoreError:  # the experts' records are the organizer's: a chair's copy has no employer
        experts = pd.DataFrame(columns=["employer"])
    members = []
    for e, n in dict.fromkeys(zip(status["expert_id"], status["expert_name"], strict=True)):
        employer = experts.at[e, "employer"] if e in experts.index else ""
        members.append((str(e), str(n or ""), "" if pd.isna(employer) else str(employer)))
    head = wb.chain_head() if hasattr(wb, "chain_head") else None
    return PanelInfo(
        id=int(panel_id),
        name=str(rec["name"]),
        date=str(rec.get("date") or ""),
        year=int(rec["year"]),
        kind=str(rec["kind"]),
        criteria=cfg.criteria_set,
        weights=dict(cfg.weights),
        method=str(cfg.ranking_method),
        aggregation=str(cfg.aggregation),
        config_hash=str(h),
        chair=_chair_name(wb, actor, panel_id),
        members=members,
        chain_head=head,
    )


def _signatures(wb: Any, actor: Any, panel_id: int, projects: list[str]) -> pd.DataFrame:
    """``expert_id, expert_name, project_id, status, confirmed_at`` of the city's projects:
    the last write of each confirmed sheet (its confirmation or an approved correction);
    recused pairs ``recused``."""
    status = wb.progress(actor, panel_id)
    status = status[status["project_id"].astype(str).isin(projects)]
    # a confirmed sheet changes only by an approved correction: its last write is its signature
    # (the progress is the chair's to read; every version is the organizer's only)
    when = {
        (r["expert_id"], r["project_id"]): r["updated_at"]
        for r in status.to_dict("records")
        if r["status"] == "confirmed"
    }
    rows = [
        {
            "expert_id": str(r["expert_id"]),
            "expert_name": str(r.get("expert_name") or ""),
            "project_id": str(r["project_id"]),
            "status": str(r["status"]),
            "confirmed_at": None
            if r["status"] == "recused"
            else when.get((r["expert_id"], r["project_id"])),
        }
        for r in status.to_dict("records")
    ]
    return pd.DataFrame(
        rows, columns=["expert_id", "expert_name", "project_id", "status", "confirmed_at"]
    )


def city_report_from_store(
    wb: Any,
    panel_id: int,
    city: str,
    *,
    actor: Any = None,
    samples: int = 4_000,
) -> CityReport:
    """One city's 年度评估报告 of a closed evaluation panel.

    Raises
    ------
    NotFound
        No such evaluation panel, or the panel has no project of ``city`` (a bilingual
        message naming the cities it has).
    RuleViolation
        The panel is not closed.
    """
    actor = _actor(wb, actor)
    info = panel_info(wb, panel_id, actor=actor)
    the_city = normalise_city(city)
    grades = wb.evaluation.grades(actor, panel_id, samples=samples)
    mine = grades[grades["city"].astype(str) == the_city]
    if mine.empty:
        have = "、".join(city_order(grades["city"]))
        raise NotFound(
            f"评估组 {panel_id}（{info.name}）没有{the_city or '该地市'}的项目，无法生成年度评估报告"
            f"（有项目的地市：{have or '无'}） / evaluation panel {panel_id} has no project of "
            f"{the_city or city!r}: no city report (cities with projects: {have or 'none'})"
        )
    ids = [str(p) for p in mine.index]
    evidences = wb.evaluation.evidences(actor, panel_id)
    dep = wb.evaluation.departures(actor, panel_id)
    dep = dep[dep["project_id"].astype(str).isin(ids)].reset_index(drop=True)
    return CityReport(
        city=the_city,
        panel=info,
        grades=mine.copy(),
        evidences={p: evidences[p] for p in ids if p in evidences},
        departures=dep,
        signatures=_signatures(wb, actor, panel_id, ids),
    )


def _year_of(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return int(pd.Timestamp(value).year)
    except (TypeError, ValueError):
        return None


def province_report_from_store(
    wb: Any, year: int, *, actor: Any = None, samples: int = 4_000
) -> ProvinceReport:
    """The province's 年度汇总报告 of ``year``: every closed evaluation panel of the year.

    Raises
    ------
    NotFound
        No closed evaluation panel of ``year``.
    """
    actor = _actor(wb, actor)
    panels = wb.evaluation.panels(actor)
    rows = panels[(panels["year"] == int(year)) & (panels["status"] == "closed")]
    if rows.empty:
        raise NotFound(
            f"{year} 年没有已结束的年度评估组，无法生成年度汇总报告 / no closed evaluation "
            f"panel of {year}: no province report"
        )
    infos, grades, evidences = [], [], {}
    for pid in rows["id"]:
        info = panel_info(wb, int(pid), actor=actor)
        infos.append(info)
        g = wb.evaluation.grades(actor, int(pid), samples=samples).copy()
        g["panel_id"] = int(pid)
        grades.append(g)
        for p, e in wb.evaluation.evidences(actor, int(pid)).items():
            evidences[p] = e
    all_grades = pd.concat(grades)
    all_grades.index.name = "project_id"
    followed = wb.followed.projects(actor)
    exited = followed[followed["status"] == "exited"].copy()
    exited = exited[[_year_of(x) == int(year) for x in exited["exited_at"]]]
    cases = wb.evaluation.cases(actor)
    cases = cases[cases["panel_id"].isin([i.id for i in infos])].reset_index(drop=True)
    return ProvinceReport(
        year=int(year),
        panels=infos,
        grades=all_grades,
        evidences=evidences,
        exits=exited.reset_index(drop=True),
        cases=cases,
    )
