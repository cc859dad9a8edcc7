"""Correcting a panel set up by mistake: edit its name, date, chair, members and candidates, or
delete it — until its configuration is frozen (after that the frozen record is what the
experts score against, and a panel changes only by the recorded steps of its life cycle)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from . import lookups, rights
from .accounts import Actor
from .errors import StoreError
from .models import ConflictDeclaration, Panel, PanelCandidate, PanelMember
from .panels import checked_name_and_date, require_unique_name, resolve_chair, resolve_lists
from .unit_of_work import StoreService

_KEEP = object()


class PanelEditService(StoreService):
    """Edit or delete a draft panel whose configuration is not frozen (organizer only)."""

    def update_panel(
        self,
        actor: Actor,
        panel_id: int,
        *,
        name: str | None = None,
        date: Any = _KEEP,
        chair: Any = _KEEP,
        members: Iterable[str] | None = None,
        candidates: Iterable[str] | None = None,
    ) -> None:
        """Change what is given (``None`` / unset keeps it): name, date (``None`` clears it),
        chair's login (``None`` clears it), members (expert ids) and candidates (project ids in
        defense order). Audited ``panel.update`` with the panel as it now is."""
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
            panel = lookups.panel_row(tx.conn, panel_id)
            rights.may_edit_panel(panel, lookups.frozen_config(self.store, tx.conn, panel.id))
            values: dict[str, Any] = {}
            new_name, new_date = checked_name_and_date(
                panel.name if name is None else name, panel.date if date is _KEEP else date
            )
            if new_name != panel.name:
                require_unique_name(tx.conn, panel.round_id, new_name, other_than=panel.id)
            values.update(name=new_name, date=new_date)
            if chair is not _KEEP:
                values["chair_pk"] = resolve_chair(tx.conn, chair)
            tx.conn.execute(sa.update(Panel).where(Panel.id == panel.id).values(**values))
            if members is not None or candidates is not None:
                old_m, old_c = _lists(tx.conn, panel.id)
                m_ids = list(members) if members is not None else old_m
                c_ids = list(candidates) if candidates is not None else old_c
                mpks, cpks = resolve_lists(tx.conn, panel.round_id, m_ids, c_ids)
                tx.conn.execute(sa.delete(PanelMember).where(PanelMember.panel_id == panel.id))
                tx.conn.execute(
                    sa.delete(PanelCandidate).where(PanelCandidate.panel_id == panel.id)
                )
                if mpks:
                    tx.conn.execute(
                        sa.insert(PanelMember),
                        [{"panel_id": panel.id, "expert_pk": m} for m in mpks],
                    )
                if cpks:
                    tx.conn.execute(
                        sa.insert(PanelCandidate),
                        [
                            {"panel_id": panel.id, "candidate_pk": c, "position": i}
                            for i, c in enumerate(cpks, 1)
                        ],
                    )
            members_now, candidates_now = _lists(tx.conn, panel.id)
            tx.audit(
                "panel.update",
                f"panel:{panel.id}",
                {
                    "name": new_name,
                    "date": new_date,
                    "chair_pk": values.get("chair_pk", panel.chair_pk),
                    "members": members_now,
                    "candidates": candidates_now,
                },
            )

    def panel_setup(self, actor: Actor, panel_id: int) -> dict[str, Any]:
        """The panel as set up (organizer only): ``id, name, date, status, chair`` (login or
        None), ``members`` (expert ids), ``candidates`` (project ids in order), ``frozen``."""
        from .models import Account

        with self.store.read() as conn:
            rights.require_current(self.store, conn, actor, *rights.ORGANIZER)
            panel = lookups.panel_row(conn, panel_id)
            chair = None
            if panel.chair_pk is not None:
                chair = conn.execute(
                    sa.select(Account.login).where(Account.id == panel.chair_pk)
                ).scalar()
            members, candidates = _lists(conn, panel.id)
            frozen = lookups.frozen_config(self.store, conn, panel.id) is not None
        return {
            "id": int(panel.id),
            "name": panel.name,
            "date": panel.date,
            "status": panel.status,
            "chair": chair,
            "members": members,
            "candidates": candidates,
            "frozen": frozen,
        }

    def delete_panel(self, actor: Actor, panel_id: int, *, reason: str) -> None:
        """Delete a draft panel (not frozen) with a reason; audited ``panel.delete``."""
        if not str(reason or "").strip():
            raise StoreError("删除评审组需要说明原因 / deleting a panel needs a reason")
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
            panel = lookups.panel_row(tx.conn, panel_id)
            rights.may_edit_panel(panel, lookups.frozen_config(self.store, tx.conn, panel.id))
            members, candidates = _lists(tx.conn, panel.id)
            for table in (PanelMember, PanelCandidate, ConflictDeclaration):
                tx.conn.execute(sa.delete(table).where(table.panel_id == panel.id))
            tx.conn.execute(sa.delete(Panel).where(Panel.id == panel.id))
            tx.audit(
                "panel.delete",
                f"panel:{panel.id}",
                {"name": panel.name, "reason": reason.strip(), "members": members,
                 "candidates": candidates},
            )  # fmt: skip


def _lists(conn: Any, panel_id: int) -> tuple[list[str], list[str]]:
    """The panel's members (expert ids) and candidates (project ids in order)."""
    from .models import Candidate, Expert

    members = conn.execute(
        sa.select(Expert.expert_id)
        .join(PanelMember, PanelMember.expert_pk == Expert.id)
        .where(PanelMember.panel_id == panel_id)
        .order_by(Expert.expert_id)
    ).scalars()
    cands = conn.execute(
        sa.select(Candidate.project_id)
        .join(PanelCandidate, PanelCandidate.candidate_pk == Candidate.id)
        .where(PanelCandidate.panel_id == panel_id)
        .order_by(PanelCandidate.position)
    ).scalars()
    return list(members), list(cands)
