"""Requests to the chair about confirmed sheets: a score correction (the expert asks; approved,
a new ``correction`` version of the sheet) or a late conflict (a recusal rule or declared
conflict that arose after the confirmation, raised by :func:`request_recusals`; approved, the
sheet becomes ``recused``). The chair approves or rejects either while the panel is open; after
the close only once the panel is reopened (:meth:`PanelService.reopen_panel`)."""

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
from .unit_of_work import StoreService, Transaction

_COLUMNS = [
    "id",
    "expert_id",
    "project_id",
    "reason",
    "status",
    "requested_by",
    "created_at",
    "scores",
    "kind",
    "expert_name",
    "decided_by",
    "decided_at",
    "note",
]
_LATE_COLUMNS = [
    "id",
    "expert_id",
    "expert_name",
    "project_id",
    "reason",
    "status",
    "requested_by",
    "created_at",
    "decided_by",
    "decided_at",
    "note",
]
#: How a late conflict's request names itself (its reason follows).
RECUSAL_PREFIX = "迟报回避 / late conflict: "


def request_recusals(tx: Transaction, sheets: list[tuple[Any, list[str]]]) -> list[int]:
    """Raise a recusal request for each confirmed ``(sheet row, reasons)`` (the sheet row has
    ``id, panel_id, expert_pk, candidate_pk, version``), audited ``recusal.request``.

    None is raised for a sheet with a pending recusal request, nor one the chair already
    rejected for the same reasons. Returns the new requests' ids.
    """
    have = lookups.recusal_requests(tx.conn, [s.id for s, _ in sheets])
    raised = []
    for sheet, reasons in sheets:
        reason = RECUSAL_PREFIX + "; ".join(reasons)
        old = have.get(sheet.id, [])
        if any(r.status == "pending" or (r.status, r.reason) == ("rejected", reason) for r in old):
            continue
        cid = tx.conn.execute(
            sa.insert(Correction)
            .values(
                sheet_id=sheet.id,
                kind="recusal",
                base_version=sheet.version,
                scores={},
                reason=reason,
                requested_by=tx.actor,
                status="pending",
                created_at=now(),
            )
            .returning(Correction.id)
        ).scalar_one()
        raised.append((int(cid), sheet, reason))
    for cid, sheet, reason in raised:  # audit after the row work (see Transaction)
        tx.audit(
            "recusal.request",
            f"panel:{sheet.panel_id}/expert:{sheet.expert_pk}/candidate:{sheet.candidate_pk}",
            {"correction": cid, "reason": reason},
        )
    return [cid for cid, _, _ in raised]


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
        """Requests of a panel to its chair (its chair or the organizer), score corrections and
        late conflicts alike (``kind``: ``scores`` / ``recusal``). Values are shown only once
        the panel is closed (blind scoring)."""
        panel, recs = self._requests(actor, panel_id, _COLUMNS)
        if not rights.values_visible(panel):
            for r in recs:
                r["scores"] = None
        return pd.DataFrame.from_records(recs, columns=_COLUMNS)

    def late_conflicts(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """The panel's late conflicts (its chair or the organizer): the recusal requests of
        confirmed sheets, pending or decided, oldest first.

        Columns: ``id, expert_id, expert_name, project_id, reason, status, requested_by,
        created_at, decided_by, decided_at``. Decided with :meth:`decide_correction`.
        """
        _panel, recs = self._requests(actor, panel_id, _LATE_COLUMNS, kind="recusal")
        return pd.DataFrame.from_records(recs, columns=_LATE_COLUMNS)

    def my_requests(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """The actor's own requests in the panel (an expert or bank reviewer), oldest first:
        what was asked and what the chair decided, with the chair's reason.

        Columns: ``id, project_id, kind, reason, status, created_at, decided_at, note, scores``
        (``scores``: the values the actor asked for; they are the actor's own).
        """
        names = ["id", "project_id", "kind", "reason", "status", "created_at", "decided_at"]
        names += ["note", "scores"]
        with self.store.read() as conn:
            rights.require_current(self.store, conn, actor, *rights.SCORERS)
            panel = lookups.panel_row(conn, panel_id)
            rights.may_list_own_sheets(conn, actor, panel)
            query = (
                sa.select(
                    Correction.id,
                    Candidate.project_id,
                    *(getattr(Correction, n) for n in names[2:]),
                )
                .join(Sheet, Sheet.id == Correction.sheet_id)
                .where(Sheet.expert_pk == actor.expert_pk)
            )
            rows = conn.execute(lookups.named_sheets(query, panel.id).order_by(Correction.id))
            recs = [dict(r._mapping) for r in rows]
        return pd.DataFrame.from_records(recs, columns=names)

    def _requests(
        self, actor: Actor, panel_id: int, names: list[str], kind: str | None = None
    ) -> tuple[Any, list[dict[str, Any]]]:
        """The panel's row (for its overseers) and its requests (of ``kind``; all by default)
        as records of the fields ``names``, oldest first."""
        fields = {
            "id": Correction.id,
            "expert_id": Expert.expert_id,
            "expert_name": Expert.name.label("expert_name"),
            "project_id": Candidate.project_id,
            **{n: getattr(Correction, n) for n in names if hasattr(Correction, n)},
        }
        with self.store.read() as conn:
            panel = rights.overseen_panel(self.store, conn, actor, panel_id)
            query = sa.select(*(fields[n] for n in names)).join(
                Sheet, Sheet.id == Correction.sheet_id
            )
            if kind is not None:
                query = query.where(Correction.kind == kind)
            rows = conn.execute(lookups.named_sheets(query, panel.id).order_by(Correction.id))
            return panel, [dict(r._mapping) for r in rows]

    def decide_correction(
        self, actor: Actor, correction_id: int, *, approve: bool, note: str = ""
    ) -> SaveResult | None:
        """Approve or reject a request: a score correction (approved: a new ``correction``
        version) or a late conflict (approved: the sheet becomes ``recused`` and leaves the
        results).

        Only the chair of the sheet's panel, while it is open (a closed panel is reopened
        first). A rejection needs a reason (``note``); the note is kept with the request and
        shown to the expert who asked (:meth:`my_requests`). Returns the save result when
        approved (``stale`` when the sheet changed since a score correction was requested, or is
        no longer confirmed).
        """
        note = str(note or "").strip()
        if not approve and not note:
            raise StoreError("驳回需要说明理由 / a rejection needs a reason")
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
                    Correction.kind,
                    Sheet.panel_id,
                    Sheet.expert_pk,
                    Sheet.candidate_pk,
                    Sheet.status.label("sheet_status"),
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
            rights.require_open_to_decide(panel)
            ts = now()
            what = "recusal" if corr.kind == "recusal" else "correction"
            if not approve:
                self._set_status(tx.conn, corr.id, "rejected", actor, ts, note)
                tx.audit(f"{what}.reject", f"correction:{corr.id}", {"note": note})
                return None
            if not rights.request_applies(corr.sheet_status) or (
                what == "correction" and sheet_version != corr.base_version
            ):
                self._set_status(tx.conn, corr.id, "stale", actor, ts, note)
                tx.audit(
                    f"{what}.stale",
                    f"correction:{corr.id}",
                    {"sheet_version": sheet_version, "sheet_status": corr.sheet_status},
                )
                return SaveResult(STALE, sheet_version, corr.sheet_status)
            if what == "recusal":
                return self._approve_recusal(tx, corr, actor, ts, note)
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
            self._set_status(tx.conn, corr.id, "approved", actor, ts, note)
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

    def _approve_recusal(
        self, tx: Transaction, corr: Any, actor: Actor, ts: str, note: str
    ) -> SaveResult:
        """The approved late conflict: the confirmed sheet becomes ``recused`` (audited)."""
        tx.conn.execute(
            sa.update(Sheet)
            .where(Sheet.id == corr.sheet_id)
            .values(status="recused", updated_at=ts)
        )
        self._set_status(tx.conn, corr.id, "approved", actor, ts, note)
        tx.audit(
            "recusal.approve",
            f"correction:{corr.id}",
            {
                "panel": corr.panel_id,
                "sheet": f"expert:{corr.expert_pk}/candidate:{corr.candidate_pk}",
                "reason": corr.reason,
                "note": note,
            },
        )
        return SaveResult(SAVED, corr.sheet_version, "recused")

    @staticmethod
    def _set_status(
        conn: Any, correction_pk: int, status: str, actor: Actor, ts: str, note: str = ""
    ) -> None:
        """Record the decision on a correction request (and the chair's reason)."""
        conn.execute(
            sa.update(Correction)
            .where(Correction.id == correction_pk)
            .values(status=status, decided_by=actor.label, decided_at=ts, note=note or None)
        )
