"""Reporting periods, their dates and lock exceptions (``wb.periods``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa

from ..accounts import Actor
from ..audit import now
from ..errors import NotFound, RuleViolation, StoreError
from . import rights
from .base import FollowupService, day, period_row, project_row
from .models import FollowupPeriod, PeriodException

COLUMNS = ["key", "year", "quarter", "start", "end", "due", "lock"]


def _iso(x: Any, what: str) -> str:
    try:
        d = x if isinstance(x, date) else date.fromisoformat(str(x)[:10])
    except ValueError:
        raise StoreError(f"日期无效 / {what}: {x!r} is not a date YYYY-MM-DD") from None
    return d.isoformat()


class PeriodService(FollowupService):
    """The periods of the follow-up (organizer writes, everyone reads)."""

    def create_year(self, actor: Actor, year: int) -> list[str]:
        """Create ``YYYYQ1`` … ``YYYYQ4`` and ``YYYYY`` with the default dates (periods that
        exist are kept). Returns the keys created."""
        from ...followup.periods import default_periods

        with self.refusing(actor, "periods.create_year", f"year:{year}"):
            made = []
            with self.store.write(actor) as tx:
                rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
                have = set(tx.conn.execute(sa.select(FollowupPeriod.key)).scalars())
                for p in default_periods(int(year)):
                    if p.key in have:
                        continue
                    row = {
                        "key": p.key,
                        "year": p.year,
                        "quarter": p.quarter,
                        "start": p.start.isoformat(),
                        "end": p.end.isoformat(),
                        "due": p.due.isoformat(),
                        "lock": p.lock.isoformat(),
                    }
                    tx.conn.execute(sa.insert(FollowupPeriod).values(**row))
                    made.append(row)
                for row in made:
                    tx.audit("period.create", f"period:{row['key']}", row)
            return [r["key"] for r in made]

    def set_dates(self, actor: Actor, key: str, *, due: Any, lock: Any) -> None:
        """Set a period's due and lock dates (lock ≥ due ≥ the period's end)."""
        with self.refusing(actor, "periods.set_dates", f"period:{key}"):
            d, lk = _iso(due, "due"), _iso(lock, "lock")
            with self.store.write(actor) as tx:
                rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
                row = period_row(tx.conn, key)
                if not (row.end <= d <= lk):
                    raise RuleViolation(
                        f"须满足 期末 {row.end} ≤ 报送截止 ≤ 锁定日 / needs period end {row.end}"
                        f" ≤ due {d} ≤ lock {lk}"
                    )
                tx.conn.execute(
                    sa.update(FollowupPeriod)
                    .where(FollowupPeriod.key == str(key))
                    .values(due=d, lock=lk)
                )
                tx.audit("period.dates", f"period:{key}", {"due": d, "lock": lk})

    def periods(self, actor: Actor, year: int | None = None) -> pd.DataFrame:
        """The periods (of ``year``), in order: ``key, year, quarter, start, end, due, lock``
        (dates as :class:`datetime.date`)."""
        from ...followup.periods import period_order

        with self.refusing(actor, "periods.periods", "periods"):
            with self.store.read() as conn:
                rights.require_current(self.store, conn, actor)
                q = sa.select(*(getattr(FollowupPeriod, c).label(c) for c in COLUMNS))
                if year is not None:
                    q = q.where(FollowupPeriod.year == int(year))
                rows = [dict(r._mapping) for r in conn.execute(q)]
        rows.sort(key=lambda r: period_order(r["key"]))
        for r in rows:
            for c in ("start", "end", "due", "lock"):
                r[c] = day(r[c])
        return pd.DataFrame(rows, columns=COLUMNS)

    def grant_exception(
        self, actor: Actor, project_id: str, key: str, until: Any, reason: str
    ) -> None:
        """Let a project report ``key`` until ``until`` despite the lock (organizer; a reason)."""
        with self.refusing(actor, "periods.grant_exception", f"ledger:{project_id}/{key}"):
            u = _iso(until, "until")
            why = rights.require_reason(reason, "例外", "an exception")
            with self.store.write(actor) as tx:
                rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
                period_row(tx.conn, key)
                if project_row(tx.conn, project_id) is None:
                    raise NotFound(f"无此跟进项目 / no followed project {project_id}")
                tx.conn.execute(
                    sa.insert(PeriodException).values(
                        project_id=str(project_id),
                        period=str(key),
                        until=u,
                        reason=why,
                        granted_by=tx.actor,
                        created_at=now(),
                    )
                )
                tx.audit(
                    "period.exception",
                    f"ledger:{project_id}/{key}",
                    {"until": u, "reason": why},
                )

    def exceptions(self, actor: Actor) -> pd.DataFrame:
        """Every exception granted: ``project_id, period, until, reason, granted_by, created_at``."""
        cols = ["project_id", "period", "until", "reason", "granted_by", "created_at"]
        with self.refusing(actor, "periods.exceptions", "periods"):
            with self.store.read() as conn:
                rights.require_current(self.store, conn, actor, *rights.ORGANIZER)
                rows = conn.execute(
                    sa.select(*(getattr(PeriodException, c) for c in cols)).order_by(
                        PeriodException.id
                    )
                ).all()
        return pd.DataFrame([dict(r._mapping) for r in rows], columns=cols)


def exception_until(conn: Any, project_id: str, key: str) -> date | None:
    """The latest date an exception lets ``project_id`` report ``key`` (None: none)."""
    u = conn.execute(
        sa.select(sa.func.max(PeriodException.until)).where(
            PeriodException.project_id == str(project_id), PeriodException.period == str(key)
        )
    ).scalar()
    return day(u)
