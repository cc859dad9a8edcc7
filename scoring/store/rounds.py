"""Rounds and their candidates and experts: the current round, and reading what was imported
(see :mod:`scoring.store.import_service` for writing it)."""

from __future__ import annotations

from datetime import date as _date
from typing import Any

import pandas as pd
import sqlalchemy as sa

from . import lookups, rights
from .accounts import Actor
from .audit import now
from .models import Candidate, Expert, Round
from .unit_of_work import StoreService


class RoundService(StoreService):
    """The review round and its records over the shared store."""

    def init(self, year: int | None = None, *, actor: Actor | None = None) -> int:
        """Create the schema and make ``year`` (default: this year) the current round.

        Returns the round's id. Idempotent: an existing current round of that year is kept.
        """
        year = int(year or _date.today().year)
        actor = actor or self.store.system_actor()
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
            row = tx.conn.execute(
                sa.select(Round.id, Round.is_current).where(Round.year == year)
            ).first()
            if row is not None and row.is_current:
                return int(row.id)
            tx.conn.execute(sa.update(Round).values(is_current=False))
            if row is None:
                rid = tx.conn.execute(
                    sa.insert(Round)
                    .values(
                        year=year,
                        name=f"{year}年度供应链重点项目评审",
                        is_current=True,
                        created_at=now(),
                    )
                    .returning(Round.id)
                ).scalar_one()
                tx.audit("round.create", f"round:{year}", {"year": year})
            else:
                rid = int(row.id)
                tx.conn.execute(sa.update(Round).where(Round.id == rid).values(is_current=True))
                tx.audit("round.current", f"round:{year}", {"year": year})
            return int(rid)

    def current_year(self) -> int | None:
        """The year of the current round (``None`` before :meth:`init`)."""
        with self.store.read() as conn:
            return conn.execute(sa.select(Round.year).where(Round.is_current)).scalar()

    def panel_candidates(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """The panel's candidates in defense order (recused ones left out for that expert).

        Columns: ``position``, ``project_id`` and every imported candidate field.
        """
        with self.store.read() as conn:
            panel = rights.readable_panel(self.store, conn, actor, panel_id)
            rows = rights.visible_candidates(conn, actor, panel)
        records = [{"position": r.position, **r.data, "project_id": r.project_id} for r in rows]
        return (
            pd.DataFrame.from_records(records)
            if records
            else pd.DataFrame(columns=["position", "project_id"])
        )

    def candidates(self, actor: Actor) -> pd.DataFrame:
        """Every candidate of the current round with every imported field (organizer only)."""
        return self._round_records(actor, Candidate, "project_id")

    def experts(self, actor: Actor) -> pd.DataFrame:
        """Every expert of the current round (organizer only)."""
        return self._round_records(actor, Expert, "expert_id")

    def _round_records(self, actor: Actor, model: Any, key: str) -> pd.DataFrame:
        """The imported records (``data``) of ``model`` in the current round, in import order."""
        with self.store.read() as conn:
            rights.require_current(self.store, conn, actor, *rights.ORGANIZER)
            rows = (
                conn.execute(
                    sa.select(model.data)
                    .where(model.round_id == lookups.round_id(conn))
                    .order_by(model.id)
                )
                .scalars()
                .all()
            )
        return pd.DataFrame.from_records(list(rows)) if rows else pd.DataFrame(columns=[key])
