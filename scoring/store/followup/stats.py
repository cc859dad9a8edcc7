"""Statistics of the follow-up (统计查询, 总结分析): timeliness and reporting rates, indicator
progress, financing, reminders (``wb.followup_stats``). Each builds DataFrames from the tables
in one or two queries and calls the pure core (:mod:`scoring.followup`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa

from ..accounts import Actor
from . import rights
from .base import FollowupService, today
from .models import FollowedProject, FollowupPeriod, Ledger, PeriodException

#: Columns of :meth:`FollowupStatsService.timeliness`.
TIMELINESS_COLUMNS = [
    "project_id",
    "name",
    "city",
    "kind",
    "provincial",
    "period",
    "due",
    "lock",
    "exception_until",
    "first_submitted",
    "ledger_status",
    "status",
    "days_late",
]
REMINDER_COLUMNS = [
    "city",
    "project_id",
    "name",
    "period",
    "due",
    "lock",
    "status",
    "days_late",
    "message",
]
#: Reports due within this many days are reminded of.
REMIND_BEFORE_DAYS = 7


def _dates(values: Any) -> list[date | None]:
    return [
        v
        if isinstance(v, date)
        else date.fromisoformat(v[:10])
        if isinstance(v, str) and v
        else None
        for v in values
    ]


def _frame(conn: Any, query: Any) -> pd.DataFrame:
    """A query's rows as a DataFrame, column by column (no per-row inspection)."""
    res = conn.execute(query)
    names = list(res.keys())
    rows = res.fetchall()
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pd.DataFrame({n: list(c) for n, c in zip(names, cols, strict=True)}, columns=names)


def expected_frame(conn: Any, s: rights.Scope, year: int | None) -> pd.DataFrame:
    """Every visible project × period expected to report (periods ending after a project's
    exit are not), with its exception and ledger: three small queries (projects, periods,
    ledgers and exceptions) joined in pandas."""
    projects = rights.restrict(
        sa.select(
            FollowedProject.project_id,
            FollowedProject.name,
            FollowedProject.city,
            FollowedProject.kind,
            FollowedProject.provincial,
            FollowedProject.exited_at,
        ),
        s,
        FollowedProject.project_id,
        FollowedProject.city,
    )
    periods = sa.select(
        FollowupPeriod.key.label("period"),
        FollowupPeriod.end.label("end"),
        FollowupPeriod.due,
        FollowupPeriod.lock.label("lock"),
    )
    ledgers = sa.select(
        Ledger.project_id,
        Ledger.period,
        Ledger.first_submitted_at,
        Ledger.status.label("ledger_status"),
    )
    exc = sa.select(
        PeriodException.project_id,
        PeriodException.period,
        sa.func.max(PeriodException.until).label("exception_until"),
    ).group_by(PeriodException.project_id, PeriodException.period)
    if year is not None:
        periods = periods.where(FollowupPeriod.year == int(year))
        keys = sa.select(FollowupPeriod.key).where(FollowupPeriod.year == int(year))
        ledgers = ledgers.where(Ledger.period.in_(keys))
    if not s.everything:
        visible = rights.restrict(
            sa.select(FollowedProject.project_id),
            s,
            FollowedProject.project_id,
            FollowedProject.city,
        )
        ledgers = ledgers.where(Ledger.project_id.in_(visible))
    p = _frame(conn, projects)
    per = _frame(conn, periods)
    led = _frame(conn, ledgers)
    ex = _frame(conn, exc)
    if p.empty or per.empty:
        return pd.DataFrame(
            columns=[
                *p.columns,
                *per.columns,
                "exception_until",
                "first_submitted_at",
                "ledger_status",
            ]
        )
    for c in ("end", "due", "lock"):
        per[c] = pd.Series(_dates(per[c]), index=per.index, dtype=object)
    ex["exception_until"] = pd.Series(_dates(ex["exception_until"]), index=ex.index, dtype=object)
    df = p.merge(per, how="cross")
    exited = [isinstance(x, str) for x in p["exited_at"]]
    if any(exited):
        from ...followup.clock import local_date

        ex_day = {
            pid: local_date(x)
            for pid, x in zip(p["project_id"], p["exited_at"], strict=True)
            if isinstance(x, str)
        }
        keep = [
            pid not in ex_day or end <= ex_day[pid]
            for pid, end in zip(df["project_id"], df["end"], strict=True)
        ]
        df = df[keep]
    df = df.merge(led, on=["project_id", "period"], how="left")
    df = df.merge(ex, on=["project_id", "period"], how="left")
    return df.reset_index(drop=True).astype(object)


class FollowupStatsService(FollowupService):
    """Statistics over what the actor may see."""

    def timeliness(self, actor: Actor, *, year: int | None = None) -> pd.DataFrame:
        """The status of every expected report (:func:`scoring.followup.timeliness.timeliness`).

        Columns :data:`TIMELINESS_COLUMNS` (dates as :class:`datetime.date`; ``status`` ∈
        ``on_time, late, missing, overdue, pending``; ``first_submitted`` the local date of the
        first submission, kept through returns). Exited projects are not expected for periods ending after their
        exit.
        """
        with self.refusing(actor, "followup_stats.timeliness", "followup"):
            with self.store.read() as conn:
                s = rights.scope(self.store, conn, actor)
                df = expected_frame(conn, s, year)
        return _timeliness(df)

    def rates(self, actor: Actor, by: list[str], *, year: int | None = None) -> pd.DataFrame:
        """Reporting rates per group (:func:`scoring.followup.timeliness.rates`): ``by`` plus
        ``expected, reported, on_time, late, missing, reporting_rate, on_time_rate``."""
        from ...followup.timeliness import rates

        return rates(self.timeliness(actor, year=year), list(by))

    def ledger_rows(
        self, actor: Actor, *, year: int | None = None, confirmed: bool = True
    ) -> pd.DataFrame:
        """Every row of the visible (confirmed, by default) ledgers:
        ``project_id, period, city, kind, name_project`` and the columns of
        :func:`scoring.followup.statistics.ledger_rows`."""
        from ...followup.statistics import ledger_rows

        with self.refusing(actor, "followup_stats.ledger_rows", "followup"):
            rows = self._ledgers(actor, year, confirmed)
        frames = [
            ledger_rows(
                r.content,
                r.kind,
                project_id=r.project_id,
                period=r.period,
                city=r.city,
            ).assign(kind=r.kind)
            for r in rows
        ]
        frames = [f for f in frames if len(f)]
        if not frames:
            return ledger_rows({}, "enterprise", project_id=None, period=None, city=None).iloc[0:0]
        return pd.concat(frames, ignore_index=True)

    def financing(self, actor: Actor, by: list[str], *, year: int | None = None) -> pd.DataFrame:
        """Financing of the confirmed ledgers by ``by`` (:func:`scoring.followup.statistics.
        financing_by`: 贷款类 … 其它 and ``total``, 万元). Quarterly values are year-to-date:
        group by ``period`` (or pick one) rather than summing quarters."""
        from ...followup.statistics import financing_by

        return financing_by(self.ledger_rows(actor, year=year), list(by))

    def progress(self, actor: Actor, *, year: int | None = None) -> pd.DataFrame:
        """Each confirmed indicator value against its plan (:func:`scoring.followup.indicators.
        progress`): ``project_id, period, indicator, value, baseline, target, annualised,
        change, change_pct, gap_closed, status`` plus ``name, city, kind, indicator_group``."""
        with self.refusing(actor, "followup_stats.progress", "followup"):
            rows = self._ledgers(actor, year, True)
            with self.store.read() as conn:
                s = rights.scope(self.store, conn, actor)
                q = sa.select(
                    FollowedProject.project_id,
                    FollowedProject.name,
                    FollowedProject.city,
                    FollowedProject.kind,
                    FollowedProject.indicator_group,
                    FollowedProject.plan,
                )
                projects = conn.execute(
                    rights.restrict(q, s, FollowedProject.project_id, FollowedProject.city)
                ).all()
        return progress_frame(rows, projects)

    def reminders(self, actor: Actor) -> pd.DataFrame:
        """What to urge (督促): reports due within :data:`REMIND_BEFORE_DAYS` days, overdue,
        missing (lock passed), and returned ledgers not yet resubmitted, per city; columns
        :data:`REMINDER_COLUMNS` with a Chinese ``message``."""
        from ...followup.periods import period_label

        t = self.timeliness(actor)
        if t.empty:
            return pd.DataFrame(columns=REMINDER_COLUMNS)
        now = today()
        soon = (t["status"] == "pending") & (
            pd.Series(
                [d - now <= timedelta(days=REMIND_BEFORE_DAYS) for d in t["due"]], index=t.index
            )
        )
        returned = t["ledger_status"] == "returned"
        pick = t[soon | t["status"].isin(["overdue", "missing"]) | returned].copy()
        msgs = []
        for n, p, st, due, lock, d, ls in zip(
            pick["name"],
            pick["period"],
            pick["status"],
            pick["due"],
            pick["lock"],
            pick["days_late"],
            pick["ledger_status"],
            strict=True,
        ):
            label = period_label(p)
            if ls == "returned":
                msgs.append(f"{n}：{label}台帐已退回，请按意见修改后重新提交")
            elif st == "pending":
                msgs.append(f"{n}：{label}台帐将于{due:%Y年%m月%d日}截止报送，请按时提交")
            elif st == "overdue":
                msgs.append(f"{n}：{label}台帐已逾期{d}天，请于{lock:%m月%d日}锁定前尽快报送")
            else:
                msgs.append(f"{n}：{label}台帐未报送（已锁定），请联系组织方")
        pick["message"] = msgs
        pick = pick.sort_values(["city", "project_id", "period"]).reset_index(drop=True)
        return pick.loc[:, REMINDER_COLUMNS]

    def _ledgers(self, actor: Actor, year: int | None, confirmed: bool) -> list[Any]:
        with self.store.read() as conn:
            s = rights.scope(self.store, conn, actor)
            q = sa.select(
                Ledger.project_id,
                Ledger.period,
                Ledger.status,
                Ledger.content,
                FollowedProject.kind,
                FollowedProject.city,
            ).join(FollowedProject, FollowedProject.project_id == Ledger.project_id)
            q = rights.restrict(q, s, FollowedProject.project_id, FollowedProject.city)
            if confirmed or rights.confirmed_only(s):
                q = q.where(Ledger.status == "confirmed")
            else:
                q = q.where(Ledger.first_submitted_at.is_not(None))
            if year is not None:
                q = q.join(FollowupPeriod, FollowupPeriod.key == Ledger.period).where(
                    FollowupPeriod.year == int(year)
                )
            return list(conn.execute(q.order_by(Ledger.project_id, Ledger.period)).all())


def _timeliness(df: pd.DataFrame) -> pd.DataFrame:
    """The core's timeliness over :func:`expected_frame`."""
    from ...followup.timeliness import timeliness

    if df.empty:
        return pd.DataFrame(columns=TIMELINESS_COLUMNS)
    #: the expected reports: the timeliness columns the core computes left out
    expected = [
        c for c in TIMELINESS_COLUMNS if c not in ("first_submitted", "status", "days_late")
    ]
    exp = df.loc[:, expected].copy()
    exp["exception_until"] = exp["exception_until"].where(exp["exception_until"].notna(), None)
    has = [isinstance(x, str) for x in df["first_submitted_at"]]
    sub = df.loc[has, ["project_id", "period"]].copy()
    stamps = pd.to_datetime(df.loc[has, "first_submitted_at"], utc=True, format="ISO8601")
    sub["first_submitted"] = stamps.dt.tz_convert("Asia/Shanghai").dt.date
    out = timeliness(exp, sub, today())
    from ...followup.periods import period_order

    order = {k: period_order(k) for k in set(out["period"])}
    out["_o"] = out["period"].map(order)
    out = out.sort_values(["project_id", "_o"]).reset_index(drop=True)
    return out.loc[:, TIMELINESS_COLUMNS]


def progress_frame(rows: list[Any], projects: list[Any]) -> pd.DataFrame:
    """:func:`scoring.followup.indicators.progress` of confirmed ledger ``rows`` against the
    plans of ``projects``, with the projects' name, city, kind and group."""
    from ...followup.indicators import progress
    from ...followup.plans import plan_frame, values_frame

    values = values_frame((r.project_id, r.period, r.content) for r in rows)
    plans = {p.project_id: p.plan or {} for p in projects}
    plan = plan_frame(plans, values)
    out = progress(values, plan)
    meta = pd.DataFrame(
        [(p.project_id, p.name, p.city, p.kind, p.indicator_group) for p in projects],
        columns=["project_id", "name", "city", "kind", "indicator_group"],
    )
    return out.merge(meta, on="project_id", how="left")
