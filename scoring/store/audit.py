"""Append-only, hash-chained audit trail.

Each record holds ``seq`` (1, 2, 3 … without gaps), when, who, what (action, target, details)
and the hash of the previous record; its own hash is SHA-256 over the canonical JSON of all
of these. The single ``audit_head`` row names the last record, and :func:`verify` compares it
with the last record so that deleting the newest records is detected too. Concurrent
transactions append one after another: on SQLite ``BEGIN IMMEDIATE`` already serialises writers
and :class:`ChainWriter` appends; on PostgreSQL the store appends at the commit through one
server-side function that computes the very same hash (:mod:`scoring.store.pg_chain`), so
:func:`verify` checks records of both kinds alike.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .models import AuditRecord, ChainHead

GENESIS_HASH = "0" * 64


def now() -> str:
    """The current UTC time as ISO-8601 with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def canonical_json(obj: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def record_hash(
    seq: int, ts: str, actor: str, action: str, target: str, details: str, prev_hash: str
) -> str:
    """SHA-256 (hex) of one record's fields and the previous hash."""
    payload = canonical_json([seq, ts, actor, action, target, details, prev_hash])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_HEAD = sa.text("SELECT seq, hash FROM audit_head WHERE id = 1")
_HEAD_LOCK = sa.text("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
_INSERT = sa.text(
    "INSERT INTO audit_log (seq, ts, actor, action, target, details, prev_hash, hash) "
    "VALUES (:seq, :ts, :actor, :action, :target, :details, :prev_hash, :hash)"
)
_MOVE_HEAD = sa.text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1")


@dataclass
class ChainWriter:
    """Appends records inside one write transaction, after locking the chain head.

    Plain prepared SQL (not the expression language): this runs in every write transaction.
    """

    conn: Connection
    seq: int
    hash: str
    cursor: Any = None

    @classmethod
    def lock(cls, conn: Connection) -> ChainWriter:
        """Lock the chain head row for this transaction and return a writer positioned at it.

        On SQLite the writer uses the transaction's raw ``sqlite3`` cursor (``BEGIN IMMEDIATE``
        already holds the write lock); on PostgreSQL ``SELECT … FOR UPDATE`` locks the head row.
        """
        if conn.dialect.name == "sqlite":
            cur = conn.connection.dbapi_connection.cursor()
            seq, h = cur.execute(_HEAD.text).fetchone()
            return cls(conn, int(seq), h, cur)
        row = conn.execute(_HEAD_LOCK).one()
        return cls(conn, int(row.seq), row.hash)

    def append(self, actor: str, action: str, target: str = "", details: Any = None) -> int:
        """Append one record; returns its ``seq``."""
        seq = self.seq + 1
        ts = now()
        text = canonical_json(details if details is not None else {})
        h = record_hash(seq, ts, actor, action, target, text, self.hash)
        rec = {
            "seq": seq,
            "ts": ts,
            "actor": actor,
            "action": action,
            "target": target,
            "details": text,
            "prev_hash": self.hash,
            "hash": h,
        }
        if self.cursor is not None:
            self.cursor.execute(_INSERT.text, rec)
            self.cursor.execute(_MOVE_HEAD.text, {"seq": seq, "hash": h})
        else:
            self.conn.execute(_INSERT, rec)
            self.conn.execute(_MOVE_HEAD, {"seq": seq, "hash": h})
        self.seq, self.hash = seq, h
        return seq


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of :func:`verify`.

    Attributes
    ----------
    ok : bool
    records : int
        Records checked.
    bad_seq : int or None
        The first bad record's ``seq`` (or where a missing one should be).
    message : str
        What is wrong (Chinese first, English after), or a summary when ``ok``.
    """

    ok: bool
    records: int
    bad_seq: int | None
    message: str


def verify(conn: Connection, *, batch: int = 5000) -> VerifyReport:
    """Recompute the whole chain and name the first record that was edited, inserted or deleted."""
    expected_seq, prev = 1, GENESIS_HASH
    count = 0
    last = 0
    while True:
        rows = conn.execute(
            sa.select(AuditRecord)
            .where(AuditRecord.seq >= last + 1)
            .order_by(AuditRecord.seq)
            .limit(batch)
        ).all()
        for r in rows:
            count += 1
            if r.seq != expected_seq:
                return VerifyReport(
                    False,
                    count,
                    expected_seq,
                    f"审计记录 #{expected_seq} 缺失（被删除） / audit record #{expected_seq} "
                    f"is missing (deleted); next is #{r.seq}",
                )
            if r.prev_hash != prev:
                return VerifyReport(
                    False,
                    count,
                    r.seq,
                    f"审计记录 #{r.seq} 的前序哈希不符 / audit record #{r.seq}: "
                    "previous hash does not match (a record before it was changed)",
                )
            h = record_hash(r.seq, r.ts, r.actor, r.action, r.target, r.details, r.prev_hash)
            if h != r.hash:
                return VerifyReport(
                    False,
                    count,
                    r.seq,
                    f"审计记录 #{r.seq} 被修改 / audit record #{r.seq} was edited "
                    f"({r.action} {r.target} by {r.actor} at {r.ts})",
                )
            prev, expected_seq = r.hash, r.seq + 1
            last = r.seq
        if len(rows) < batch:
            break
    head = conn.execute(sa.select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)).first()
    if head is None:
        return VerifyReport(
            False, count, None, "审计链头缺失 / the audit chain head row is missing"
        )
    if head.seq != last or head.hash != prev:
        return VerifyReport(
            False,
            count,
            last + 1,
            f"审计记录 #{last + 1} 起被删除 / audit records from #{last + 1} were deleted "
            f"(the chain head names #{head.seq})",
        )
    return VerifyReport(
        True, count, None, f"审计链完整，共 {count} 条记录 / audit chain intact: {count} records"
    )
