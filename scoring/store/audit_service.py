"""Reading the audit trail: verify the chain and list the newest records (the chain itself is
:mod:`scoring.store.audit`)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from . import rights
from .accounts import Actor
from .audit import VerifyReport, verify
from .models import AuditRecord, ChainHead
from .unit_of_work import StoreService

_COLUMNS = ["seq", "ts", "actor", "action", "target", "details", "hash"]


class AuditService(StoreService):
    """The audit trail over the shared store."""

    def verify(self) -> VerifyReport:
        """Recompute the audit chain (see :func:`scoring.store.audit.verify`)."""
        with self.store.read() as conn:
            return verify(conn)

    def chain_head(self) -> tuple[int, str]:
        """``(seq, hash)`` of the newest audit record: the anchor printed in reports and exports,
        so that a chain later truncated and re-headed is caught by ``scoring verify --head``."""
        with self.store.read() as conn:
            row = conn.execute(
                sa.select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)
            ).one()
        return int(row.seq), str(row.hash)

    def audit_log(self, actor: Actor, *, limit: int = 200) -> pd.DataFrame:
        """The newest audit records (organizer only)."""
        with self.store.read() as conn:
            rights.require_current(self.store, conn, actor, *rights.ORGANIZER)
            rows = conn.execute(
                sa.select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)
            ).all()
        return pd.DataFrame.from_records(
            [{c: getattr(r, c) for c in _COLUMNS} for r in rows], columns=_COLUMNS
        )
