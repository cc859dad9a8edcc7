"""The ledgers' part of ``scoring verify``: every ledger version row must be vouched for by
its ``ledger.*`` audit record (same version, status and content hash), its content must still
hash to that, and every ledger's current state must be its last record (a version edited,
deleted or a status flipped in the database is named)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from ..models import AuditRecord
from .base import content_hash
from .models import Ledger, LedgerVersion


def ledger_problems(conn: Any) -> list[str]:
    """Every difference between the ledger tables and the audit trail (bilingual; ``[]``)."""
    records = conn.execute(
        sa.select(AuditRecord.seq, AuditRecord.target, AuditRecord.details)
        .where(AuditRecord.action.like("ledger.%"))
        .order_by(AuditRecord.seq)
    ).all()
    versions = conn.execute(
        sa.select(
            Ledger.project_id,
            Ledger.period,
            LedgerVersion.version,
            LedgerVersion.status,
            LedgerVersion.content,
            LedgerVersion.content_hash,
        ).join(Ledger, Ledger.id == LedgerVersion.ledger_id)
    ).all()
    current = conn.execute(
        sa.select(
            Ledger.project_id,
            Ledger.period,
            Ledger.version,
            Ledger.status,
            Ledger.content_hash,
        )
    ).all()

    vouched: dict[tuple[str, str, int], tuple[str, str]] = {}
    last: dict[tuple[str, str], tuple[int, str, str]] = {}
    for r in records:
        pid, key = r.target.split(":", 1)[1].rsplit("/", 1)
        d = json.loads(r.details or "{}")
        vouched[(pid, key, int(d["version"]))] = (d["status"], d["hash"])
        last[(pid, key)] = (int(d["version"]), d["status"], d["hash"])
    problems = []
    for v in versions:
        k = (v.project_id, v.period, v.version)
        if vouched.get(k) != (v.status, v.content_hash):
            problems.append(
                f"台帐 {v.project_id} {v.period} 第{v.version}版与审计记录不符 / ledger"
                f" {v.project_id} {v.period} version {v.version} differs from its audit record"
            )
        elif content_hash(v.content) != v.content_hash:
            problems.append(
                f"台帐 {v.project_id} {v.period} 第{v.version}版内容被改动 / ledger"
                f" {v.project_id} {v.period} version {v.version}: content changed"
            )
    for c in current:
        if last.get((c.project_id, c.period)) != (c.version, c.status, c.content_hash):
            problems.append(
                f"台帐 {c.project_id} {c.period} 当前状态与审计记录不符 / ledger"
                f" {c.project_id} {c.period}: current state differs from the audit trail"
            )
    have = {(v.project_id, v.period, v.version) for v in versions}
    problems += [
        f"审计记录的台帐版本缺失 / ledger version missing: {p} {k} v{n}"
        for (p, k, n) in sorted(set(vouched) - have)
    ]
    return problems
