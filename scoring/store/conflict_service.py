"""Conflicts of interest (回避): declaring them, the experts' declarations per panel, and
keeping the sheets of open panels ``recused`` where a rule or declaration applies (the rules
themselves are :mod:`scoring.store.conflicts`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import lookups, rights
from .accounts import Actor
from .audit import now
from .corrections import request_recusals
from .errors import NotFound, StoreError
from .models import Conflict, ConflictDeclaration, Expert, Panel, PanelMember, Sheet
from .unit_of_work import StoreService, Transaction


def sync_recusals(tx: Transaction) -> list[int]:
    """Apply the recusal rules and declared conflicts that now hold to the sheets of the
    current round's panels.

    An unconfirmed sheet of an open panel becomes ``recused`` at once (audited
    ``sheet.recused``); a confirmed sheet, of an open or a closed panel, is never recused
    silently: a recusal request goes to the chair (see
    :func:`~scoring.store.corrections.request_recusals` and
    :func:`~scoring.store.rights.late_conflict_action`). Returns the new requests' ids.
    """
    conn = tx.conn
    changed, late = [], []
    panels = conn.execute(
        sa.select(Panel.id, Panel.status, Panel.purpose).where(
            Panel.round_id == lookups.round_id(conn), Panel.status.in_(("open", "closed"))
        )
    ).all()
    for pid, panel_status, purpose in panels:
        members = lookups.member_pks(conn, pid)
        pairs = lookups.recused_map(
            conn, members, lookups.panel_candidate_pks(conn, pid), purpose=purpose
        )
        if not pairs:
            continue
        sheets = conn.execute(
            sa.select(
                Sheet.id,
                Sheet.panel_id,
                Sheet.expert_pk,
                Sheet.candidate_pk,
                Sheet.status,
                Sheet.version,
            )
            .where(Sheet.panel_id == pid)
            .order_by(Sheet.expert_pk, Sheet.candidate_pk)
        ).all()
        for sheet in sheets:
            reasons = pairs.get((sheet.expert_pk, sheet.candidate_pk))
            if not reasons:
                continue
            action = rights.late_conflict_action(panel_status, sheet.status)
            if action == "request":
                late.append((sheet, reasons))
            elif action == "recuse":
                conn.execute(
                    sa.update(Sheet)
                    .where(Sheet.id == sheet.id)
                    .values(status="recused", updated_at=now())
                )
                changed.append((sheet, reasons))
    for sheet, reasons in changed:  # audit after the row work (see Transaction)
        tx.audit(
            "sheet.recused",
            f"panel:{sheet.panel_id}/expert:{sheet.expert_pk}/candidate:{sheet.candidate_pk}",
            {"reasons": reasons},
        )
    return request_recusals(tx, late)


def _declaration_of(conn: Connection, panel_id: int, expert_pk: int | None) -> dict | None:
    row = conn.execute(
        sa.select(
            ConflictDeclaration.projects,
            ConflictDeclaration.declared_at,
            ConflictDeclaration.declared_by,
        ).where(
            ConflictDeclaration.panel_id == panel_id,
            ConflictDeclaration.expert_pk == expert_pk,
        )
    ).first()
    if row is None:
        return None
    return {
        "projects": list(row.projects or []),
        "declared_at": row.declared_at,
        "declared_by": row.declared_by,
    }


def _require_reason(reason: str) -> None:
    if not str(reason or "").strip():
        raise StoreError("回避需要说明原因 / a conflict needs a reason")


class ConflictService(StoreService):
    """Conflicts and declarations over the shared store."""

    def declare_conflict(self, actor: Actor, expert_id: str, project_id: str, reason: str) -> None:
        """Record a conflict (回避). The organizer, or the expert about himself, may declare one.

        In a panel already open, that expert's unconfirmed sheet for the candidate becomes
        ``recused`` at once; a confirmed one (open or closed panel) stays in the results until
        the chair decides the recusal request this raises (see :func:`sync_recusals`).
        """
        _require_reason(reason)
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.DECLARERS)
            epk = lookups.expert_pk(tx.conn, expert_id)
            rights.may_declare_for(actor, epk)
            cpk = lookups.candidate_pk(tx.conn, project_id)
            if tx.conn.execute(
                sa.select(Conflict.id).where(
                    Conflict.expert_pk == epk, Conflict.candidate_pk == cpk
                )
            ).first():
                return
            tx.conn.execute(
                sa.insert(Conflict).values(
                    expert_pk=epk, candidate_pk=cpk, reason=str(reason).strip(), created_at=now()
                )
            )
            sync_recusals(tx)
            tx.audit("conflict.declare", f"conflict:{expert_id}/{project_id}", {"reason": reason})

    def declare_conflicts(
        self,
        actor: Actor,
        panel_id: int,
        project_ids: Iterable[str] = (),
        reason: str = "",
    ) -> dict[str, Any]:
        """The expert's own declaration of conflicts for a panel: none, or the projects listed.

        Only a member of the panel (expert or bank reviewer), for himself, while the panel is
        draft or open, and projects only before his first save in the panel (later the
        organizer records the conflict with :meth:`declare_conflict`). Each listed project becomes a declared conflict (回避; see
        :meth:`declare_conflict`), and the declaration itself is recorded per expert and panel,
        so the page asks only until the expert has declared. Declaring again adds projects (a
        declared conflict is never withdrawn). Audited as ``conflict.declaration``.

        Returns
        -------
        dict
            The declaration as stored (see :meth:`conflict_declaration`).
        """
        ids = list(dict.fromkeys(str(p).strip() for p in project_ids))
        if any(not p for p in ids):
            raise StoreError("项目编号为空 / an empty project id")
        if ids:
            _require_reason(reason)
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.SCORERS)
            panel = lookups.panel_row(tx.conn, panel_id)
            rights.require_member(tx.conn, actor, panel)
            rights.require_not_closed(panel)
            saved = lookups.has_saved_sheet(tx.conn, panel.id, actor.expert_pk)
            rights.may_declare_in_panel(ids, saved)
            on_panel = lookups.panel_project_pks(tx.conn, panel.id)
            unknown = [p for p in ids if p not in on_panel]
            if unknown:
                raise NotFound(f"项目不在本评审组 / not on this panel: {', '.join(unknown)}")
            have = set(
                tx.conn.execute(
                    sa.select(Conflict.candidate_pk).where(
                        Conflict.expert_pk == actor.expert_pk,
                        Conflict.candidate_pk.in_([on_panel[p] for p in ids] or [-1]),
                    )
                ).scalars()
            )
            ts = now()
            new = [p for p in ids if on_panel[p] not in have]
            if new:
                tx.conn.execute(
                    sa.insert(Conflict),
                    [
                        {
                            "expert_pk": actor.expert_pk,
                            "candidate_pk": on_panel[p],
                            "reason": str(reason).strip(),
                            "created_at": ts,
                        }
                        for p in new
                    ],
                )
            row = tx.conn.execute(
                sa.select(ConflictDeclaration.projects).where(
                    ConflictDeclaration.panel_id == panel.id,
                    ConflictDeclaration.expert_pk == actor.expert_pk,
                )
            ).first()
            if row is None:
                projects = ids
                tx.conn.execute(
                    sa.insert(ConflictDeclaration).values(
                        panel_id=panel.id,
                        expert_pk=actor.expert_pk,
                        projects=projects,
                        declared_by=actor.label,
                        declared_at=ts,
                    )
                )
            else:
                projects = list(dict.fromkeys([*row.projects, *ids]))
                if projects == list(row.projects):
                    return _declaration_of(tx.conn, panel.id, actor.expert_pk)
                tx.conn.execute(
                    sa.update(ConflictDeclaration)
                    .where(
                        ConflictDeclaration.panel_id == panel.id,
                        ConflictDeclaration.expert_pk == actor.expert_pk,
                    )
                    .values(projects=projects, declared_by=actor.label, declared_at=ts)
                )
            if new:
                sync_recusals(tx)
            tx.audit(
                "conflict.declaration",
                f"panel:{panel.id}/{actor.label}",
                {"projects": ids, "all": projects, "reason": str(reason).strip() if ids else ""},
            )
            return _declaration_of(tx.conn, panel.id, actor.expert_pk)

    def conflict_declaration(self, actor: Actor, panel_id: int) -> dict[str, Any] | None:
        """The actor's own declaration for a panel (``None`` until declared).

        Returns ``{"projects": [...], "declared_at": ..., "declared_by": ...}``; ``projects``
        is empty for "no conflict".
        """
        with self.store.read() as conn:
            rights.require_current(self.store, conn, actor, *rights.SCORERS)
            panel = lookups.panel_row(conn, panel_id)
            rights.require_member(conn, actor, panel)
            return _declaration_of(conn, panel.id, actor.expert_pk)

    def declarations(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """Who of the panel's members has declared conflicts (the chair's and organizer's view).

        Columns: ``expert_id, expert_name, declared`` (bool), ``declared_at``, ``projects``
        (the project ids declared; empty for "no conflict").
        """
        members = (
            sa.select(
                Expert.expert_id,
                Expert.name,
                ConflictDeclaration.declared_at,
                ConflictDeclaration.projects,
            )
            .join(PanelMember, PanelMember.expert_pk == Expert.id)
            .outerjoin(
                ConflictDeclaration,
                lookups.same_panel(ConflictDeclaration, PanelMember, "expert_pk"),
            )
            .order_by(Expert.expert_id)
        )
        with self.store.read() as conn:
            panel = rights.overseen_panel(self.store, conn, actor, panel_id)
            rows = conn.execute(members.where(PanelMember.panel_id == panel.id)).all()
        return pd.DataFrame.from_records(
            [
                {
                    "expert_id": r.expert_id,
                    "expert_name": r.name,
                    "declared": r.declared_at is not None,
                    "declared_at": r.declared_at or "",
                    "projects": list(r.projects or []),
                }
                for r in rows
            ],
            columns=["expert_id", "expert_name", "declared", "declared_at", "projects"],
        )
