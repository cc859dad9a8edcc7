"""Exit candidates (动态调整、退出): projects that meet a ground for losing the qualification.

The notices cancel the qualification of a project with 违法违规行为 or 重大风险隐患, or that
未按要求报告台账并推进或进展缓慢 (S0 三(四), S1 四(五)). This module lists *candidates* with
their evidence; the organizer decides. Grounds and thresholds are in
``data/followup/workflow.yml`` (``exit``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd

from .periods import period_label, period_order
from .workflow import exit_settings

#: The exit grounds: key -> (Chinese, English), in display order.
GROUNDS: dict[str, tuple[str, str]] = {
    key: (str(v["zh"]), str(v["en"])) for key, v in exit_settings()["grounds"].items()
}
#: The columns of :func:`exit_candidates`.
COLUMNS = ["project_id", "ground", "evidence_zh", "evidence_en"]
#: Risk kinds recorded by the organizer that are grounds by themselves.
RISK_GROUNDS = ("violation", "major_risk", "poor_evaluation")


def _labels(keys: Iterable[str]) -> tuple[str, str]:
    ks = sorted(keys, key=period_order)
    return "、".join(period_label(k, "zh") for k in ks), ", ".join(
        period_label(k, "en") for k in ks
    )


def _missing(t: pd.DataFrame, need: int) -> list[tuple[Any, str, str, str]]:
    out = []
    for pid, g in t[t["status"] == "missing"].groupby("project_id", sort=True):
        if len(g) >= need:
            zh, en = _labels(g["period"])
            out.append(
                (
                    pid,
                    "missing_ledger",
                    f"未报送台账 {len(g)} 期：{zh}",
                    f"{len(g)} ledger(s) never reported: {en}",
                )
            )
    return out


def _late_runs(t: pd.DataFrame, run: int) -> list[tuple[Any, str, str, str]]:
    out = []
    counted = t[t["status"].isin(["on_time", "late", "missing"])]
    for pid, g in counted.groupby("project_id", sort=True):
        seq = sorted(zip(g["period"], g["status"], strict=True), key=lambda x: period_order(x[0]))
        streak: list[str] = []
        best: list[str] = []
        for key, status in seq:
            streak = [*streak, key] if status == "late" else []
            if len(streak) > len(best):
                best = streak
        if len(best) >= run:
            zh, en = _labels(best)
            out.append(
                (
                    pid,
                    "late_twice",
                    f"连续 {len(best)} 期迟报：{zh}",
                    f"late {len(best)} periods running: {en}",
                )
            )
    return out


def _below(progress: pd.DataFrame, share: float, periods: int) -> list[tuple[Any, str, str, str]]:
    out = []
    p = progress[progress["status"] != "no_baseline"]
    for pid, g in p.groupby("project_id", sort=True):
        keys = sorted(g["period"].unique(), key=period_order)[-periods:]
        if len(keys) < periods:
            continue
        parts_zh, parts_en, ok = [], [], True
        for key in keys:
            gk = g[g["period"] == key]
            below = int((gk["status"] == "below_baseline").sum())
            if not below > share * len(gk):
                ok = False
                break
            parts_zh.append(f"{period_label(key, 'zh')} {len(gk)} 项指标中 {below} 项低于基线")
            parts_en.append(
                f"{period_label(key, 'en')}: {below} of {len(gk)} indicators below the baseline"
            )
        if ok:
            out.append((pid, "below_baseline", "；".join(parts_zh), "; ".join(parts_en)))
    return out


def _overdue(measures: pd.DataFrame, today: date, need: int) -> list[tuple[Any, str, str, str]]:
    out = []
    m = measures
    if "period" in m.columns and len(m):
        latest = m.groupby("project_id")["period"].transform(lambda s: max(s, key=period_order))
        m = m[m["period"] == latest]
    for pid, g in m.groupby("project_id", sort=True):
        late = []
        for _, r in g.iterrows():
            d = str(r.get("deadline") or "")
            if len(d) != 7 or d[4] != "-" or not (d[:4] + d[5:]).isdigit():
                continue
            if (int(d[:4]), int(d[5:])) < (today.year, today.month) and r.get("progress") != "done":
                late.append(r)
        if len(late) >= need:
            first = late[0]
            zh = f"{len(late)} 项举措已过完成时限未完成，如第{first['block']}块第{first['row']}行“{first['measure']}”（{first['deadline']}）"
            en = f"{len(late)} measure(s) past their deadline and not done, e.g. block {first['block']}, row {first['row']} {first['measure']!r} ({first['deadline']})"
            out.append((pid, "overdue_measures", zh, en))
    return out


def _risks(risks: pd.DataFrame) -> list[tuple[Any, str, str, str]]:
    out = []
    r = risks[risks["kind"].isin(RISK_GROUNDS)]
    for (pid, kind), g in r.groupby(["project_id", "kind"], sort=True):
        texts = [str(x) for x in g["description"] if isinstance(x, str) and x.strip()]
        zh_kind, en_kind = GROUNDS[str(kind)]
        detail = "；".join(texts)
        out.append(
            (
                pid,
                str(kind),
                f"{zh_kind}：{detail}" if detail else zh_kind,
                f"{en_kind}: {detail}" if detail else en_kind,
            )
        )
    return out


def exit_candidates(
    timeliness: pd.DataFrame,
    progress: pd.DataFrame,
    measures: pd.DataFrame,
    risks: pd.DataFrame,
    today: date,
) -> pd.DataFrame:
    """Every project × ground that makes an exit candidate, with its evidence.

    Parameters
    ----------
    timeliness : DataFrame
        :func:`scoring.followup.timeliness.timeliness` (``project_id, period, status``).
    progress : DataFrame
        :func:`scoring.followup.indicators.progress` of the *confirmed* ledgers
        (``project_id, period, indicator, status``).
    measures : DataFrame
        ``project_id, block, row, measure, deadline (YYYY-MM), progress`` (and optionally
        ``period``: then only each project's latest period counts), e.g. from
        :func:`scoring.followup.ledger.measures` of the latest ledgers.
    risks : DataFrame
        ``project_id, kind, description``: the organizer's records; kinds ``violation``,
        ``major_risk`` and ``poor_evaluation`` (绩效评估不合格) are grounds by themselves.
    today : date
        Measures whose deadline month ended before this date's month and that are not done
        are overdue.

    Returns
    -------
    DataFrame
        ``project_id, ground, evidence_zh, evidence_en``, by project then ground order
        (:data:`GROUNDS`).
    """
    s = exit_settings()
    rows: list[tuple[Any, str, str, str]] = []
    if len(timeliness):
        rows += _missing(timeliness, int(s.get("missing_periods", 1)))
        rows += _late_runs(timeliness, int(s.get("late_consecutive", 2)))
    if len(progress):
        rows += _below(
            progress,
            float(s.get("below_baseline_share", 0.5)),
            int(s.get("below_baseline_periods", 2)),
        )
    if len(measures):
        rows += _overdue(measures, today, int(s.get("overdue_measures", 1)))
    if len(risks):
        rows += _risks(risks)
    order = {g: i for i, g in enumerate(GROUNDS)}
    rows.sort(key=lambda r: (str(r[0]), order.get(r[1], len(order))))
    return pd.DataFrame(rows, columns=COLUMNS)
