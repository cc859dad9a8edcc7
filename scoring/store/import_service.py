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

from . import lookups, rights
from .accounts import Actor
from .conflict_service import sync_recusals
from .models import Candidate, Expert
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
        the same content changes nothing (not even the audit trail)."""
        from .imports import prepare_candidates

        rows, label = prepare_candidates(source)
        return self._import(actor, "candidates", rows, label)

    def import_experts(
        self, actor: Actor, source: str | os.PathLike[str] | pd.DataFrame
    ) -> ImportResult:
        """Import experts (same rules as :meth:`import_candidates`)."""
        from .imports import prepare_experts

        rows, label = prepare_experts(source)
        return self._import(actor, "experts", rows, label)

    def _import(
        self, actor: Actor, what: str, rows: list[dict[str, Any]], label: str
    ) -> ImportResult:
        model, key = (Candidate, "project_id") if what == "candidates" else (Expert, "expert_id")
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
            rid = lookups.round_id(tx.conn)
            existing = {
                r.key: (r.id, r.data)
                for r in tx.conn.execute(
                    sa.select(getattr(model, key).label("key"), model.id, model.data).where(
                        model.round_id == rid
                    )
                )
            }
            added, changed, same = [], [], 0
            for rec in rows:
                cols = _columns(what, rec)
                if rec[key] not in existing:
                    tx.conn.execute(sa.insert(model).values(round_id=rid, data=rec, **cols))
                    added.append(rec[key])
                elif existing[rec[key]][1] != rec:
                    tx.conn.execute(
                        sa.update(model)
                        .where(model.id == existing[rec[key]][0])
                        .values(data=rec, **cols)
                    )
                    changed.append(rec[key])
                else:
                    same += 1
            if added or changed:
                sync_recusals(tx)
                tx.audit(
                    f"import.{what}", label, {"added": added, "changed": changed, "unchanged": same}
                )
            return ImportResult(tuple(added), tuple(changed), same)


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
