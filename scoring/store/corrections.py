"""Corrections of confirmed sheets: the expert asks, the panel's chair approves (a new
``correction`` version of the sheet) or rejects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa

from . import lookups, rights
from .accounts import Actor
from .audit import now
from .errors import NotFound, RuleViolation, StoreError
from .models import Candidate, Correction, Expert, Sheet, SheetVersion
from .scores import SAVED, STALE, SaveResult, clean_scores
from .unit_of_work import StoreService

_COLUMNS = [
    "id",
    "expert_id",
    "project_id",
    "reason",
    "status",
    "requested_by",
    "created_at",
    "scores",
]


class CorrectionService(StoreService):
    """Correction requests over the shared store."""

    def request_correction(
        self,
        actor: Actor,
        panel_id: int,
        project_id: str,
        scores: Mapping[str, Any],
        reason: str,
        *,
        base_version: int,
    ) -> int:
        """Ask the chair to change the actor's confirmed sheet. Returns the request id."""
        if not str(reason or "").strip():
            raise StoreError("更正需要说明原因 / a correction needs a reason")
        with self.store.read() as conn:
            rights.require_current(self.store, conn, actor, *rights.SCORERS)
            cfg = rights.require_frozen_to_score(
                lookups.frozen_config(self.store, conn, int(panel_id))
            )
        clean = clean_scores(scores, cfg, complete=True)
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.SCORERS)
            sheet = lookups.own_sheet_row(tx.conn, actor, panel_id, project_id, lock=True)
            rights.require_own_sheet(sheet, panel_id, project_id)
            rights.require_confirmed(sheet)
            if int(base_version) != sheet.version:
                raise RuleViolation(
                    f"评分表已更新（版本 {sheet.version}）/ the sheet changed (version {sheet.version}): reload"
                )
            cid = tx.conn.execute(
                sa.insert(Correction)
                .values(
                    sheet_id=sheet.id,
                    base_version=sheet.version,
                    scores=clean,
                    reason=str(reason).strip(),
                    requested_by=actor.label,
                    status="pending",
                    created_at=now(),
                )
                .returning(Correction.id)
            ).scalar_one()
            tx.audit(
                "correction.request",
                f"panel:{panel_id}/{project_id}/{actor.label}",
                {"correction": cid, "reason": reason, "scores": clean},
            )
            return int(cid)

    def corrections(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """Correction requests of a panel (its chair or the organizer). Values are shown only
        once the panel is closed (blind scoring)."""
        with self.store.read() as conn:
            panel = rights.overseen_panel(self.store, conn, actor, panel_id)
            requests = sa.select(
                Correction.id,
                Expert.expert_id,
                Candidate.project_id,
                Correction.reason,
                Correction.status,
                Correction.requested_by,
                Correction.created_at,
                Correction.scores,
            ).join(Sheet, Sheet.id == Correction.sheet_id)
            rows = conn.execute(
                lookups.named_sheets(requests, panel.id).order_by(Correction.id)
            ).all()
        recs = [dict(r._mapping) for r in rows]
        if not rights.values_visible(panel):
            for r in recs:
                r["scores"] = None
        return pd.DataFrame.from_records(recs, columns=_COLUMNS)

    def decide_correction(
        self, actor: Actor, correction_id: int, *, approve: bool, note: str = ""
    ) -> SaveResult | None:
        """Approve (a new ``correction`` version is written) or reject a correction request.

        Only the chair of the sheet's panel. Returns the save result when approved (``stale``
        when the sheet changed since the request).
        """
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.CORRECTION_DECIDERS)
            row = tx.conn.execute(
                sa.select(
                    Correction.id,
                    Correction.sheet_id,
                    Correction.base_version,
                    Correction.scores,
                    Correction.reason,
                    Correction.requested_by,
                    Correction.status,
                    Sheet.panel_id,
                    Sheet.version.label("sheet_version"),
                    Sheet.comment.label("sheet_comment"),
                )
                .join(Sheet, Sheet.id == Correction.sheet_id)
                .where(Correction.id == int(correction_id))
            ).first()
            if row is None:
                raise NotFound(f"无此更正申请 / no correction {correction_id}")
            corr, panel_id, sheet_version = row, row.panel_id, row.sheet_version
            panel = lookups.panel_row(tx.conn, panel_id)
            rights.may_run_panel(self.store, actor, panel)
            if corr.status != "pending":
                raise RuleViolation(
                    f"更正申请已处理 / correction {correction_id} is already {corr.status}"
                )
            ts = now()
            if not approve:
                self._set_status(tx.conn, corr.id, "rejected", actor, ts)
                tx.audit("correction.reject", f"correction:{corr.id}", {"note": note})
                return None
            if sheet_version != corr.base_version:
                self._set_status(tx.conn, corr.id, "stale", actor, ts)
                tx.audit(
                    "correction.stale", f"correction:{corr.id}", {"sheet_version": sheet_version}
                )
                return SaveResult(STALE, sheet_version, "confirmed")
            version = sheet_version + 1
            tx.conn.execute(
                sa.insert(SheetVersion).values(
                    sheet_id=corr.sheet_id,
                    version=version,
                    kind="correction",
                    scores=corr.scores,
                    comment=corr.sheet_comment or "",
                    request_id=f"correction:{corr.id}",
                    author=corr.requested_by,
                    approved_by=actor.label,
                    reason=corr.reason,
                    created_at=ts,
                )
            )
            tx.conn.execute(
                sa.update(Sheet)
                .where(Sheet.id == corr.sheet_id)
                .values(version=version, scores=corr.scores, updated_at=ts)
            )
            self._set_status(tx.conn, corr.id, "approved", actor, ts)
            tx.audit(
                "correction.approve",
                f"correction:{corr.id}",
                {
                    "panel": panel_id,
                    "version": version,
                    "scores": corr.scores,
                    "reason": corr.reason,
                    "note": note,
                },
            )
            return SaveResult(SAVED, version, "confirmed")

    @staticmethod
    def _set_status(conn: Any, correction_pk: int, status: str, actor: Actor, ts: str) -> None:
        """Record the decision on a correction request."""
        conn.execute(
            sa.update(Correction)
            .where(Correction.id == correction_pk)
            .values(status=status, decided_by=actor.label, decided_at=ts)
        )
