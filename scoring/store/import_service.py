"""Importing candidates and experts into the current round: all or nothing, and re-importing
the same content changes nothing (not even the audit trail). Reading and checking the files is
:mod:`scoring.store.imports`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import lookups, rights
from .accounts import Actor
from .conflict_service import sync_recusals
from .models import AuditRecord, Candidate, Expert
from .unit_of_work import StoreService


@dataclass(frozen=True)
class ImportResult:
    """What an import did: ids added, ids changed and how many rows were already identical."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: int

    @property
    def changed_anything(self) -> bool:
        """Whether anything was added or changed."""
        return bool(self.added or self.changed)


class ImportService(StoreService):
    """Candidate and expert imports over the shared store."""

    def import_candidates(
        self, actor: Actor, source: str | os.PathLike[str] | pd.DataFrame
    ) -> ImportResult:
        """Import candidates from an xlsx/csv file or a DataFrame: all or nothing; re-importing
        the same content changes nothing (not even the audit trail).

        A row matching an exited followed project of an earlier catalogue year (same id or
        name) without the organizer's override for this round refuses the whole import
        (:mod:`scoring.store.evaluation.recommend`): an ``InputError`` naming file, row and
        column."""
        from .imports import prepare_candidate_rows

        rows, label, numbers = prepare_candidate_rows(source)
        return self._import(actor, "candidates", rows, label, numbers)

    def import_experts(
        self, actor: Actor, source: str | os.PathLike[str] | pd.DataFrame
    ) -> ImportResult:
        """Import experts (same rules as :meth:`import_candidates`)."""
        from .imports import prepare_experts

        rows, label = prepare_experts(source)
        return self._import(actor, "experts", rows, label)

    def _import(
        self,
        actor: Actor,
        what: str,
        rows: list[dict[str, Any]],
        label: str,
        numbers: list[Any] | None = None,
    ) -> ImportResult:
        """Write checked records: the plan (what to add, change, leave) is made from a read
        snapshot, outside the writers' lock; the write transaction only re-checks that no
        import of the same table came in between (else it plans again, inside) and writes
        every row in one ``executemany`` per statement."""
        model, key = (Candidate, "project_id") if what == "candidates" else (Expert, "expert_id")
        with self.store.read() as conn:
            rights.require_current(self.store, conn, actor, *rights.ORGANIZER)
            rid = lookups.round_id(conn)
            seen = _last_import(conn, what)
            plan = _plan(rows, key, _existing(conn, model, key, rid))
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
            if (lookups.round_id(tx.conn), _last_import(tx.conn, what)) != (rid, seen):
                rid = lookups.round_id(tx.conn)
                plan = _plan(rows, key, _existing(tx.conn, model, key, rid))
            if what == "candidates":
                from .evaluation.recommend import check_import

                check_import(tx.conn, rows, numbers or list(range(2, len(rows) + 2)), label)
            if plan.added:
                tx.conn.execute(
                    sa.insert(model),
                    [{"round_id": rid, "data": r, **_columns(what, r)} for r in plan.added],
                )
            if plan.changed:
                tx.conn.execute(
                    sa.update(model).where(model.id == sa.bindparam("pk")),
                    [{"pk": pk, "data": r, **_columns(what, r)} for pk, r in plan.changed],
                )
            added = [r[key] for r in plan.added]
            changed = [r[key] for _, r in plan.changed]
            if added or changed:
                sync_recusals(tx)
                tx.audit(
                    f"import.{what}",
                    label,
                    {"added": added, "changed": changed, "unchanged": plan.unchanged},
                )
            return ImportResult(tuple(added), tuple(changed), plan.unchanged)


@dataclass(frozen=True)
class _Plan:
    """What an import writes: new records, (row id, record) to change, how many are the same."""

    added: list[dict[str, Any]]
    changed: list[tuple[int, dict[str, Any]]]
    unchanged: int


def _existing(
    conn: Connection, model: type[Candidate] | type[Expert], key: str, rid: int
) -> dict[str, tuple[int, Any]]:
    """The round's stored records: {id: (row id, data)}."""
    rows = conn.execute(
        sa.select(getattr(model, key), model.id, model.data).where(model.round_id == rid)
    )
    return {k: (pk, data) for k, pk, data in rows}


def _plan(rows: list[dict[str, Any]], key: str, existing: dict[str, tuple[int, Any]]) -> _Plan:
    added, changed, same = [], [], 0
    for rec in rows:
        old = existing.get(rec[key])
        if old is None:
            added.append(rec)
        elif old[1] != rec:
            changed.append((old[0], rec))
        else:
            same += 1
    return _Plan(added, changed, same)


def _last_import(conn: Connection, what: str) -> int | None:
    """The audit sequence number of the last import of ``what`` (imports are the only writers
    of candidates and experts, and every import that changes anything is audited)."""
    return conn.execute(
        sa.select(sa.func.max(AuditRecord.seq)).where(AuditRecord.action == f"import.{what}")
    ).scalar()


def _columns(what: str, rec: Mapping[str, Any]) -> dict[str, Any]:
    """The indexed columns of an imported record (the whole record is kept in ``data``)."""

    def s(k: str) -> str | None:
        v = rec.get(k)
        return None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)

    if what == "candidates":
        return {
            "project_id": s("project_id"),
            "name": s("name") or "",
            "kind": s("kind") or "",
            "city": s("city") or "",
            "industry": s("industry"),
            "enterprise_type": s("enterprise_type"),
            "lender_bank": s("lender_bank"),
        }
    return {
        "expert_id": s("expert_id"),
        "name": s("name") or "",
        "employer": s("employer"),
        "kind": s("kind") or "",
        "bank": s("bank"),
        "city": s("city"),
    }
