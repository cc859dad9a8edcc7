"""Gather :class:`~scoring.reports.data.ReportData` from plain tables, the demo files or the store.

:func:`report_data` does the computing (aggregation, ranking, shortlist, robustness, panel
statistics, score sheets) from plain DataFrames; :func:`report_data_from_files` and
:func:`report_data_from_store` only fetch those tables.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from scoring.demo import DEMO_SHORTLIST
from scoring.engine.criteria import CriteriaSet, default_criteria, parse_criteria
from scoring.programme.panel_names import panel_base_name
from scoring.programme.shortlist import default_cut_size

from .data import ReportData, config_hash, expert_sheets, interval
from .pdf import Progress, no_progress

#: Chinese of a correction request's status.
CORRECTION_ZH = {"pending": "待审批", "approved": "已批准", "rejected": "已驳回"}
SYNTHETIC_NOTE = "本报告使用虚构示例数据，所有企业、人员与数字均为虚构。Synthetic demo data: every name and figure is invented."


def report_title(criteria: CriteriaSet) -> str:
    """The report's title: the defense's, or the evaluation's named by its criteria set."""
    if criteria.purpose == "defense":
        return ReportData.title
    return f"供应链重点项目{criteria.title('zh')}评审报告"


def _config_dict(config: Any, criteria: CriteriaSet) -> dict[str, Any]:
    if config is None:
        config = {}
    if dataclasses.is_dataclass(config) and not isinstance(config, type):
        config = dataclasses.asdict(config)
    out = dict(config)
    out.setdefault("criteria", criteria.to_dict())
    return out


def _shortlist_options(
    config: Mapping[str, Any], override: Mapping[str, Any] | None, n_candidates: int
) -> dict[str, Any]:
    if override is not None:
        return dict(override)
    opts: dict[str, Any] = {}
    if config.get("cut_size") is not None:
        opts["size"] = int(config["cut_size"])
    if config.get("cut_min_score") is not None:
        opts["min_score"] = float(config["cut_min_score"])
    opts["ties"] = config.get("tie_rule", "include")  # same names as scoring.programme.shortlist
    if "size" not in opts and "min_score" not in opts:  # no cut line frozen: the board's rule
        opts["size"] = default_cut_size(n_candidates)
    return opts


def report_data(
    scores: pd.DataFrame,
    candidates: pd.DataFrame,
    experts: pd.DataFrame,
    *,
    criteria: CriteriaSet | None = None,
    config: Any = None,
    hash_: str | None = None,
    conflicts: pd.DataFrame | None = None,
    corrections: pd.DataFrame | None = None,
    confirmations: pd.DataFrame | None = None,
    comments: pd.DataFrame | None = None,
    shortlist_options: Mapping[str, Any] | None = None,
    samples: int = 10_000,
    seed: int = 0,
    title: str | None = None,
    panel: str = "",
    notes: tuple[str, ...] = (),
    chain_head: tuple[int, str] | None = None,
    progress: Progress = no_progress,
) -> ReportData:
    """Compute everything the panel report prints from plain tables.

    Parameters
    ----------
    scores : DataFrame
        Long scores (``project_id, expert_id, criterion, score``), recused pairs absent.
    candidates, experts : DataFrame
        As read by :mod:`scoring.io` (``project_id``/``expert_id`` columns).
    criteria : CriteriaSet, optional
        Default: the criteria of ``config`` when it has them, else the defense set ``data/criteria/defense.yml``.
    config : PanelConfig or mapping, optional
        The frozen configuration (``aggregation``, ``trim_min``, ``ranking_method``,
        ``ranking_options``, ``tie_rule``, ``cut_size``, ``cut_min_score``).
    hash_ : str, optional
        The configuration's hash (the store's); default SHA-256 of its canonical JSON.
    conflicts : DataFrame, optional
        ``expert_id, project_id, reason`` (recusals).
    corrections : DataFrame, optional
        Printed as given (time, expert, project, reason ...).
    confirmations, comments : DataFrame, optional
        ``expert_id, project_id, confirmed_at`` / ``expert_id, project_id, comment``.
    shortlist_options : mapping, optional
        Keyword arguments of :func:`scoring.programme.shortlist.shortlist`; default from the config's cut
        line, else the top half (:func:`scoring.programme.shortlist.default_cut_size`, as on the board).
    samples, seed : int
        Robustness (SMAA) draws and seed.
    title, panel, notes
        Printed on the first page.
    chain_head : (int, str), optional
        The audit chain head to print (from the store).
    progress : callable, optional
        ``progress(step, done, total)``.

    Returns
    -------
    ReportData
    """
    from scoring.engine.aggregation import aggregate
    from scoring.engine.panel import expert_deviation, panel_agreement
    from scoring.engine.ranking import rank
    from scoring.engine.sensitivity import sensitivity
    from scoring.programme.shortlist import shortlist

    cfg = _config_dict(config, criteria or default_criteria())
    if criteria is None:
        criteria = parse_criteria(cfg["criteria"]) if "criteria" in cfg else default_criteria()
    keys = criteria.keys
    how = cfg.setdefault("aggregation", "trimmed_mean")
    trim_min = int(cfg.setdefault("trim_min", 5))
    method = cfg.setdefault("ranking_method", "weighted_sum")
    options = dict(cfg.get("ranking_options") or {})
    total = 5
    matrix = aggregate(scores, how=how, trim_min=trim_min, criteria=criteria)
    ranking = rank(matrix, criteria=criteria, method=method, **options)
    progress("汇总与排序 aggregate and rank", 1, total)
    cand = candidates.set_index("project_id") if "project_id" in candidates.columns else candidates
    opts = _shortlist_options(cfg, shortlist_options, len(ranking))
    short = shortlist(ranking, cand.reset_index(), **opts)
    selected = short[short["status"] == "selected"] if "status" in short else short
    cut = int(opts.get("size") or len(selected))
    table = ranking[["score", "rank"]].copy()
    for col in ("name", "city", "kind"):
        table[col] = [cand.at[p, col] if p in cand.index else "" for p in table.index]
    for k in keys:
        table[k] = matrix.loc[table.index, k].to_numpy(dtype=float)
    table["shortlisted"] = [p in selected.index for p in table.index]
    table = table[["name", "city", "kind", *keys, "score", "rank", "shortlisted"]]
    table.index.name = "project_id"
    progress("入围名单 shortlist", 2, total)
    sens = sensitivity(
        matrix,
        weights=criteria.weights,
        objectives=criteria.objectives,
        method=method,
        samples=samples,
        seed=seed,
        scale=criteria.scale,
    )
    p_top = sens.p_top(min(cut, len(matrix)))
    progress("稳健性 robustness", 3, total)
    dev = expert_deviation(scores, criteria=criteria)
    flagged = dev[dev["flag"].astype(bool)] if not dev.empty else dev
    exp = experts.set_index("expert_id") if "expert_id" in experts.columns else experts
    zh = criteria.names("zh")
    flagged = pd.DataFrame(
        {
            "expert": [
                f"{e} {exp.at[e, 'name']}" if e in exp.index else e for e in flagged["expert_id"]
            ],
            "criterion": [zh.get(c, c) for c in flagged["criterion"]],
            "n": flagged["n"].to_numpy(),
            "mean_deviation": flagged["mean_deviation"].astype(float).round(2).to_numpy(),
            "robust_z": flagged["robust_z"].astype(float).round(2).to_numpy(),
            "方向": [
                "偏高 higher" if d == "higher" else "偏低 lower" for d in flagged["direction"]
            ],
        }
    )
    agreement = panel_agreement(
        scores, criteria=criteria, weights=criteria.weights, objectives=criteria.objectives
    )
    agree = pd.DataFrame(
        {
            "指标 criterion": [zh.get(c, "总体 overall") for c in agreement.index],
            "kendall_w": agreement["W"].astype(float).round(3).to_numpy(),
            "p_value": agreement["p"].astype(float).to_numpy(),
            "icc": agreement["icc"].astype(float).round(3).to_numpy(),
            "ICC 95% CI": [
                interval(lo, hi)
                for lo, hi in zip(
                    agreement["icc_ci95_low"], agreement["icc_ci95_high"], strict=True
                )
            ],
            "项目数": agreement["n_projects"].to_numpy(),
            "专家数": agreement["n_experts"].to_numpy(),
        }
    )
    progress("专家组统计 panel statistics", 4, total)
    names = {str(p): str(table.at[p, "name"]) for p in table.index}
    conflicts = (
        conflicts if conflicts is not None else pd.DataFrame(columns=["expert_id", "project_id"])
    )
    pairs = [(str(r.expert_id), str(r.project_id)) for r in conflicts.itertuples()]
    recused = set(pairs)
    reasons = (
        [str(x) if pd.notna(x) else "回避" for x in conflicts["reason"]]
        if "reason" in conflicts
        else ["回避"] * len(pairs)
    )
    recusals = pd.DataFrame(
        {
            "expert": [f"{e} {exp.at[e, 'name']}" if e in exp.index else e for e, _ in pairs],
            "project": [f"{p} {cand.at[p, 'name']}" if p in cand.index else p for _, p in pairs],
            "reason": reasons,
        }
    )
    order = [p for p in cand.index if p in set(scores["project_id"])]
    sheets = expert_sheets(
        scores, exp.reset_index(), order, names, keys, recused, confirmations, comments
    )
    progress("评分表 score sheets", 5, total)
    return ReportData(
        criteria=criteria,
        config=cfg,
        config_hash=hash_ or config_hash(cfg),
        ranking=table,
        sheets=sheets,
        p_top=p_top,
        cut=cut,
        deviation=flagged,
        agreement=agree,
        recusals=recusals,
        corrections=corrections if corrections is not None else pd.DataFrame(),
        title=title or report_title(criteria),
        panel=panel,
        notes=notes,
        chain_head=chain_head,
    )


def report_data_from_files(
    folder: str | os.PathLike[str] | None = None,
    *,
    method: str = "weighted_sum",
    how: str = "trimmed_mean",
    trim_min: int = 5,
    criteria: CriteriaSet | None = None,
    shortlist_options: Mapping[str, Any] | None = None,
    samples: int = 10_000,
    seed: int = 0,
    progress: Progress = no_progress,
) -> ReportData:
    """Report data from a folder of csv files laid out like ``data/demo/``.

    ``candidates.csv``, ``experts.csv``, ``scores.csv`` and optionally ``conflicts.csv``
    (``expert_id, project_id, reason``). The configuration is built from ``criteria`` and the
    options (hashed like the store's :class:`~scoring.store.config.PanelConfig`).
    """
    from scoring.demo import DEMO_DIR, load_demo

    folder = Path(folder or DEMO_DIR)
    demo = load_demo(folder)
    criteria = criteria or default_criteria()
    opts = dict(shortlist_options if shortlist_options is not None else DEMO_SHORTLIST)
    cfg: dict[str, Any] = {
        "criteria": criteria.to_dict(),
        "aggregation": how,
        "trim_min": trim_min,
        "ranking_method": method,
        "ranking_options": {},
        "tie_rule": opts.get("ties", "include"),
        "cut_size": opts.get("size"),
        "cut_min_score": opts.get("min_score"),
    }
    if opts.get("floors"):
        cfg["floors"] = opts["floors"]
    if opts.get("caps"):
        cfg["caps"] = opts["caps"]
    h = None
    try:
        from scoring.store.config import PanelConfig

        keep = {f.name for f in dataclasses.fields(PanelConfig)}
        h = PanelConfig(**{k: v for k, v in cfg.items() if k in keep}).content_hash
    except (ImportError, TypeError):
        h = None
    synthetic = (
        "note" in demo.candidates
        and demo.candidates["note"].astype(str).str.contains("synthetic").any()
    )
    return report_data(
        demo.scores,
        demo.candidates,
        demo.experts,
        criteria=criteria,
        config=cfg,
        hash_=h,
        conflicts=demo.conflicts,
        shortlist_options=opts,
        samples=samples,
        seed=seed,
        panel=f"数据 {folder.name}",
        notes=(SYNTHETIC_NOTE,) if synthetic else (),
        progress=progress,
    )


def decision_notes(record: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The report's notes from the store's :meth:`close_record`: every reopening, and the
    requests (corrections, late conflicts) left undecided by a forced close."""
    rec, out = record or {}, []
    for r in rec.get("reopenings", []):
        at = str(r["at"])[:16].replace("T", " ")
        out.append(
            f"评审组结束后经登记重新开启（{r['by']}，{at}），理由：{r['reason']}；结果以再次结束时为准。"
            f" Reopened after its close ({r['by']}, {at}): {r['reason']}; results as closed again."
        )
    if n := sum(rec.get("pending", {}).values()):
        out.append(f"结束时尚有 {n} 项申请未决定。 {n} request(s) were undecided at the close.")
    return tuple(out)


def report_data_from_store(
    workbench: Any,
    panel_id: int,
    *,
    actor: Any = None,
    samples: int = 10_000,
    seed: int = 0,
    progress: Progress = no_progress,
) -> ReportData:
    """Report data of a closed panel from the store (:class:`scoring.store.Workbench`).

    Uses only the store's public API as ``actor`` (default: the command line's organizer):
    the frozen configuration and its hash, the confirmed scores with each sheet's comment (评语),
    every sheet version (for the confirmation times), the chair's progress view (recusals), and
    the correction requests.
    """
    actor = actor or workbench.system_actor()
    cfg, h = workbench.panel_config(actor, panel_id)
    scores = workbench.panel_scores(actor, panel_id)
    history = workbench.panel_scores(actor, panel_id, history=True)
    candidates = workbench.panel_candidates(actor, panel_id)
    status = workbench.progress(actor, panel_id)
    members = list(dict.fromkeys(status["expert_id"]))
    experts = workbench.experts(actor)
    experts = experts[experts["expert_id"].isin(members)]
    conf = history[history["kind"].isin(["confirm", "correction"])]
    confirmations = (
        conf.groupby(["expert_id", "project_id"], as_index=False)["created_at"]
        .max()
        .rename(columns={"created_at": "confirmed_at"})
    )
    comments = (
        scores[["expert_id", "project_id", "comment"]].drop_duplicates(["expert_id", "project_id"])
        if "comment" in scores
        else None
    )
    recused = status[status["status"] == "recused"][["expert_id", "project_id"]].assign(
        reason="回避（利益冲突）"
    )
    corr = workbench.corrections(actor, panel_id)
    zh = cfg.criteria_set.names("zh")
    corrections = pd.DataFrame(
        {
            "time": corr["created_at"],
            "expert": corr["expert_id"],
            "project": corr["project_id"],
            "新分 new": [
                "，".join(f"{zh.get(k, k)} {v:g}" for k, v in (s or {}).items())
                for s in corr["scores"]
            ],
            "reason": corr["reason"],
            "状态 status": [CORRECTION_ZH.get(x, x) for x in corr["status"]],
        }
    )
    name = ""
    for p in workbench.panels(actor):
        if int(p["id"]) == int(panel_id):
            date = f"评审日期 {p['date']}" if p.get("date") else ""
            name = " · ".join(str(x) for x in (panel_base_name(p.get("name")), date) if x)
    head = workbench.chain_head() if hasattr(workbench, "chain_head") else None
    return report_data(
        scores,
        candidates,
        experts,
        config=cfg,
        hash_=h,
        conflicts=recused,
        corrections=corrections,
        confirmations=confirmations,
        comments=comments,
        samples=samples,
        seed=seed,
        panel=name,
        notes=decision_notes(workbench.close_record(actor, panel_id)),
        chain_head=head,
        progress=progress,
    )
