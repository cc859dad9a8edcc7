"""Exit (动态调整, 取消资格): risk records, exit candidates and the organizer's decisions
(``wb.exits``). Nothing is deleted: an exited project keeps its ledgers and is no longer
expected to report after its exit."""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa

from ..accounts import Actor
from ..audit import now
from ..errors import NotFound, RuleViolation, StoreError
from . import rights
from .base import FollowupService, project_row, stamp, today
from .models import ExitDecision, FollowedProject, Ledger, RiskRecord
from .stats import _timeliness, expected_frame, progress_frame

RISK_KINDS = ("violation", "major_risk", "poor_evaluation", "other")
CANDIDATE_COLUMNS = [
    "project_id",
    "name",
    "city",
    "ground",
    "evidence_zh",
    "evidence_en",
    "last_decision",
    "last_decision_at",
]


class ExitService(FollowupService):
    """Exit grounds and decisions (organizer)."""

    def record_risk(
        self, actor: Actor, project_id: str, kind: str, description: str, evidence: str = ""
    ) -> int:
        """Record a violation, major risk or failed evaluation (or ``other``) of a project;
        returns the record's id."""
        with self.refusing(actor, "exits.record_risk", f"followed:{project_id}"):
            if kind not in RISK_KINDS:
                raise StoreError(f"风险类型无效 / kind {kind!r} is not one of {RISK_KINDS}")
            text = rights.require_reason(description, "风险记录", "a risk record")
            with self.store.write(actor) as tx:
                rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
                if project_row(tx.conn, project_id) is None:
                    raise NotFound(f"无此跟进项目 / no followed project {project_id}")
                rid = tx.conn.execute(
                    sa.insert(RiskRecord)
                    .values(
                        project_id=str(project_id),
                        kind=kind,
                        description=text,
                        evidence=str(evidence or ""),
                        recorded_by=tx.actor,
                        created_at=now(),
                    )
                    .returning(RiskRecord.id)
                ).scalar_one()
                tx.audit(
                    "risk.record",
                    f"followed:{project_id}",
                    {"id": rid, "kind": kind, "description": text, "evidence": evidence or ""},
                )
                return int(rid)

    def risks(self, actor: Actor) -> pd.DataFrame:
        """Every risk record: ``id, project_id, kind, description, evidence, recorded_by,
        created_at`` (organizer)."""
        cols = ["id", "project_id", "kind", "description", "evidence", "recorded_by", "created_at"]
        with self.refusing(actor, "exits.risks", "followup"):
            with self.store.read() as conn:
                rights.require_current(self.store, conn, actor, *rights.ORGANIZER)
                rows = conn.execute(
                    sa.select(*(getattr(RiskRecord, c) for c in cols)).order_by(RiskRecord.id)
                ).all()
        return pd.DataFrame([dict(r._mapping) for r in rows], columns=cols)

    def candidates(self, actor: Actor) -> pd.DataFrame:
        """Active projects with an exit ground (:func:`scoring.followup.exits.exit_candidates`):
        :data:`CANDIDATE_COLUMNS`, one row per project × ground, with the last decision taken
        on the project (``exit`` / ``keep``, None). Organizer only."""
        from ...followup import ledger as led
        from ...followup.exits import exit_candidates

        with self.refusing(actor, "exits.candidates", "followup"):
            with self.store.read() as conn:
                s = rights.scope(self.store, conn, actor)
                rights.require_current(self.store, conn, actor, *rights.ORGANIZER)
                t = _timeliness(expected_frame(conn, s, None))
                projects = conn.execute(
                    sa.select(
                        FollowedProject.project_id,
                        FollowedProject.name,
                        FollowedProject.city,
                        FollowedProject.kind,
                        FollowedProject.indicator_group,
                        FollowedProject.plan,
                        FollowedProject.status,
                    )
                ).all()
                ledgers = conn.execute(
                    sa.select(
                        Ledger.project_id,
                        Ledger.period,
                        Ledger.status,
                        Ledger.content,
                        FollowedProject.kind,
                    )
                    .join(FollowedProject, FollowedProject.project_id == Ledger.project_id)
                    .where(Ledger.first_submitted_at.is_not(None))
                ).all()
                risks = conn.execute(
                    sa.select(RiskRecord.project_id, RiskRecord.kind, RiskRecord.description)
                ).all()
                decisions = conn.execute(
                    sa.select(
                        ExitDecision.project_id, ExitDecision.exit, ExitDecision.created_at
                    ).order_by(ExitDecision.id)
                ).all()
        active = {p.project_id for p in projects if p.status == "active"}
        confirmed = [r for r in ledgers if r.status == "confirmed"]
        prog = progress_frame(confirmed, projects)
        from ...followup.periods import period_order

        latest: dict[str, Any] = {}
        for r in sorted(ledgers, key=lambda r: period_order(r.period)):
            latest[r.project_id] = r
        meas = [
            {"project_id": pid, "period": r.period, **m}
            for pid, r in latest.items()
            for m in led.measures(r.content, r.kind)
        ]
        measures = pd.DataFrame(
            meas,
            columns=["project_id", "period", "block", "row", "measure", "deadline", "progress"],
        )
        risk_df = pd.DataFrame(
            [tuple(r) for r in risks], columns=["project_id", "kind", "description"]
        )
        c = exit_candidates(t, prog, measures, risk_df, today())
        c = c[c["project_id"].isin(active)]
        names = {p.project_id: (p.name, p.city) for p in projects}
        last = {d.project_id: ("exit" if d.exit else "keep", d.created_at) for d in decisions}
        c = c.assign(
            name=[names[p][0] for p in c["project_id"]],
            city=[names[p][1] for p in c["project_id"]],
            last_decision=[last.get(p, (None, None))[0] for p in c["project_id"]],
            last_decision_at=[last.get(p, (None, None))[1] for p in c["project_id"]],
        )
        return c.reset_index(drop=True).loc[:, CANDIDATE_COLUMNS]

    def decide(
        self,
        actor: Actor,
        project_id: str,
        *,
        exit: bool,
        reason: str,
        grounds: list[str] = (),  # type: ignore[assignment]
    ) -> int:
        """Decide on a project: ``exit=True`` cancels its qualification (status ``exited``,
        nothing deleted; no report expected for periods ending after today); ``False`` keeps it. A reason is
        required; returns the decision's id."""
        from ...followup.exits import GROUNDS

        with self.refusing(actor, "exits.decide", f"followed:{project_id}"):
            why = rights.require_reason(reason, "退出决定", "a decision")
            bad = [g for g in grounds if g not in GROUNDS]
            if bad:
                raise StoreError(f"未知退出情形 / unknown grounds: {', '.join(map(str, bad))}")
            with self.store.write(actor) as tx:
                rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
                row = project_row(tx.conn, project_id, lock=True)
                if row is None:
                    raise NotFound(f"无此跟进项目 / no followed project {project_id}")
                if row.status == "exited":
                    raise RuleViolation(
                        f"项目 {project_id} 已退出 / project {project_id} has exited already"
                    )
                ts = stamp()
                did = tx.conn.execute(
                    sa.insert(ExitDecision)
                    .values(
                        project_id=str(project_id),
                        exit=bool(exit),
                        reason=why,
                        grounds=list(grounds),
                        decided_by=tx.actor,
                        created_at=ts,
                    )
                    .returning(ExitDecision.id)
                ).scalar_one()
                if exit:
                    tx.conn.execute(
                        sa.update(FollowedProject)
                        .where(FollowedProject.project_id == str(project_id))
                        .values(status="exited", exited_at=ts, exit_reason=why)
                    )
                tx.audit(
                    "exit.decide",
                    f"followed:{project_id}",
                    {"id": did, "exit": bool(exit), "reason": why, "grounds": list(grounds)},
                )
                return int(did)
