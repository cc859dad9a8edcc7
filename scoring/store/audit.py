"""Append-only, hash-chained audit trail.

Each record holds ``seq`` (1, 2, 3 … without gaps), when, who, what (action, target, details)
and the hash of the previous record; its own hash is SHA-256 over the canonical JSON of all
of these. The single ``audit_head`` row names the last record, and :func:`verify` compares it
with the last record so that deleting the newest records is detected too. Concurrent
transactions append one after another: on SQLite ``BEGIN IMMEDIATE`` already serialises writers
and :class:`ChainWriter` appends; on PostgreSQL the store appends at the commit through one
server-side function that computes the very same hash (:mod:`scoring.store.pg_chain`), so
:func:`verify` checks records of both kinds alike.

Two things outside the database make the chain evidence rather than a claim: the *anchor*, the
``(seq, hash)`` of the head printed in every report and export (:func:`format_head`), against
which :func:`verify` checks that the chain still holds that very record (a truncated tail with a
rewound head fails); and an optional key, ``SCORING_AUDIT_KEY``, under which every record also
carries an HMAC-SHA256 of its hash (``mac``), so that a chain edited and re-hashed without the
key fails. What the records say about the sheets and configurations is checked against the
tables by :mod:`scoring.store.audit_state`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Callable
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


#: Environment variable holding the audit key (kept outside the database).
KEY_ENV = "SCORING_AUDIT_KEY"


def audit_key() -> bytes | None:
    """The audit key from ``SCORING_AUDIT_KEY`` (UTF-8), or ``None`` when unset or empty."""
    value = os.environ.get(KEY_ENV)
    return value.encode("utf-8") if value else None


def record_mac(key: bytes, record_hash_hex: str) -> str:
    """HMAC-SHA256 (hex) of a record's hash under ``key`` (also computed by the database's
    append function, :mod:`scoring.store.pg_chain`)."""
    return hmac.new(key, record_hash_hex.encode("ascii"), hashlib.sha256).hexdigest()


#: An anchor: the printed ``(seq, hash)`` of a chain head; ``seq`` may be unknown (``None``)
#: and ``hash`` a prefix of at least :data:`MIN_PREFIX` hex digits.
Anchor = tuple[int | None, str]
MIN_PREFIX = 12
_ANCHOR_RE = re.compile(r"^\s*(?:#?(?P<seq>\d+)\s*[:/ ]\s*)?(?P<hash>[0-9a-fA-F]+)\s*$")


def format_head(seq: int, head_hash: str) -> str:
    """The anchor as reports and exports print it: ``SEQ:HASH`` (read back by :func:`parse_head`)."""
    return f"{int(seq)}:{head_hash}"


def parse_head(text: str) -> Anchor:
    """Read a printed anchor: ``SEQ:HASH``, ``#SEQ:HASH`` or ``HASH`` (whole or a prefix).

    Raises
    ------
    ValueError
        Not an anchor (bilingual message).
    """
    m = _ANCHOR_RE.match(str(text))
    if m is None or not MIN_PREFIX <= len(m["hash"]) <= 64:
        raise ValueError(
            f"链头格式应为 序号:哈希 或 哈希（至少 {MIN_PREFIX} 位十六进制）/ a head is SEQ:HASH "
            f"or HASH (at least {MIN_PREFIX} hex digits), got {text!r}"
        )
    return (int(m["seq"]) if m["seq"] else None, m["hash"].lower())


_HEAD = sa.text("SELECT seq, hash FROM audit_head WHERE id = 1")
_HEAD_LOCK = sa.text("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
_INSERT = sa.text(
    "INSERT INTO audit_log (seq, ts, actor, action, target, details, prev_hash, hash, mac) "
    "VALUES (:seq, :ts, :actor, :action, :target, :details, :prev_hash, :hash, :mac)"
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
    key: bytes | None = None

    @classmethod
    def lock(cls, conn: Connection) -> ChainWriter:
        """Lock the chain head row for this transaction and return a writer positioned at it.

        On SQLite the writer uses the transaction's raw ``sqlite3`` cursor (``BEGIN IMMEDIATE``
        already holds the write lock); on PostgreSQL ``SELECT … FOR UPDATE`` locks the head row.
        The audit key is read once here (:func:`audit_key`).
        """
        if conn.dialect.name == "sqlite":
            cur = conn.connection.dbapi_connection.cursor()
            seq, h = cur.execute(_HEAD.text).fetchone()
            return cls(conn, int(seq), h, cur, audit_key())
        row = conn.execute(_HEAD_LOCK).one()
        return cls(conn, int(row.seq), row.hash, None, audit_key())

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
            "mac": None if self.key is None else record_mac(self.key, h),
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
    """Outcome of :func:`verify` (and of the state check of
    :meth:`scoring.store.audit_service.AuditService.verify`).

    Attributes
    ----------
    ok : bool
    records : int
        Records checked.
    bad_seq : int or None
        The first bad record's ``seq`` (or where a missing one should be).
    message : str
        What is wrong (Chinese first, English after), or a summary when ``ok``.
    problems : tuple of str
        Every difference found (``message`` names the first and how many there are).
    head : tuple of (int, str) or None
        ``(seq, hash)`` of the chain's last record (the anchor to print).
    macs : int
        Records whose keyed MAC was checked (0 without a key).
    """

    ok: bool
    records: int
    bad_seq: int | None
    message: str
    problems: tuple[str, ...] = ()
    head: tuple[int, str] | None = None
    macs: int = 0


def _record_problem(
    r: Any, prev: str, expected_seq: int, key: bytes | None, keyed_from: int
) -> str | None:
    """What is wrong with record ``r`` at this place of the chain (``None``: nothing)."""
    if r.seq != expected_seq:
        return (
            f"审计记录 #{expected_seq} 缺失（被删除） / audit record #{expected_seq} "
            f"is missing (deleted); next is #{r.seq}"
        )
    if r.prev_hash != prev:
        return (
            f"审计记录 #{r.seq} 的前序哈希不符 / audit record #{r.seq}: "
            "previous hash does not match (a record before it was changed)"
        )
    if record_hash(r.seq, r.ts, r.actor, r.action, r.target, r.details, r.prev_hash) != r.hash:
        return (
            f"审计记录 #{r.seq} 被修改 / audit record #{r.seq} was edited "
            f"({r.action} {r.target} by {r.actor} at {r.ts})"
        )
    if key is None or r.seq < keyed_from:
        return None
    if not r.mac:
        return (
            f"审计记录 #{r.seq} 没有密钥校验码 / audit record #{r.seq} carries no MAC "
            f"(written without {KEY_ENV}, or its MAC was removed)"
        )
    if not hmac.compare_digest(record_mac(key, r.hash), str(r.mac)):
        return (
            f"审计记录 #{r.seq} 的密钥校验码不符，审计链被重算 / audit record #{r.seq}: the keyed "
            f"MAC does not match (the chain was re-hashed without the key, or under another key)"
        )
    return None


def _anchor_problem(anchor: Anchor, found: tuple[int, str] | None, last: int) -> str | None:
    """Whether the chain still holds the printed head ``anchor`` (``found``: the record that
    answers it, by its ``seq`` or its hash)."""
    seq, want = anchor
    shown = want[:16]
    if seq is not None and found is None:
        return (
            f"打印的链头 #{seq} 不在审计链中：链只到 #{last}，其后的记录被删除（链尾截断、链头回退）"
            f" / the printed head #{seq} ({shown}…) is past the chain's last record #{last}: "
            f"records after #{last} were deleted (tail truncated, head rewound)"
        )
    if found is None:
        return (
            f"没有一条审计记录的哈希是打印的链头 {shown}…，审计链被截断或改写 / no audit record has "
            f"the printed head hash {shown}…: the chain was truncated or rewritten"
        )
    if not found[1].startswith(want):
        return (
            f"审计记录 #{found[0]} 与打印的链头不符，审计链被改写 / audit record #{found[0]} does "
            f"not match the printed head ({shown}… vs {found[1][:16]}…): the chain was rewritten"
        )
    return None


def verify(
    conn: Connection,
    *,
    batch: int = 5000,
    key: bytes | None = None,
    keyed_from: int = 1,
    head: Anchor | None = None,
    visit: Callable[[Any], None] | None = None,
) -> VerifyReport:
    """Recompute the whole chain and name the first record that was edited, inserted or deleted.

    Parameters
    ----------
    conn : Connection
    batch : int
        Records read per query.
    key : bytes, optional
        The audit key: every record from ``keyed_from`` on must carry its valid MAC.
    keyed_from : int
        The first record written with the key (an older chain took it later); default 1.
    head : Anchor, optional
        A printed head (:func:`parse_head`): the chain must still hold that record.
    visit : callable, optional
        Called with every record that verifies, in order (the state check replays them).
    """
    expected_seq, prev = 1, GENESIS_HASH
    count = last = macs = 0
    found: tuple[int, str] | None = None
    while True:
        rows = conn.execute(
            sa.select(AuditRecord)
            .where(AuditRecord.seq >= last + 1)
            .order_by(AuditRecord.seq)
            .limit(batch)
        ).all()
        for r in rows:
            count += 1
            problem = _record_problem(r, prev, expected_seq, key, keyed_from)
            if problem is not None:
                bad = expected_seq if r.seq != expected_seq else r.seq
                return VerifyReport(False, count, bad, problem, (problem,))
            macs += key is not None and r.seq >= keyed_from
            if head is not None and (
                r.seq == head[0] or (head[0] is None and r.hash.startswith(head[1]))
            ):
                found = (r.seq, r.hash)
            if visit is not None:
                visit(r)
            prev, expected_seq = r.hash, r.seq + 1
            last = r.seq
        if len(rows) < batch:
            break
    row = conn.execute(sa.select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)).first()
    problem, bad = None, None
    if row is None:
        problem = "审计链头缺失 / the audit chain head row is missing"
    elif row.seq != last or row.hash != prev:
        problem, bad = (
            f"审计记录 #{last + 1} 起被删除 / audit records from #{last + 1} were deleted "
            f"(the chain head names #{row.seq})",
            last + 1,
        )
    elif head is not None:
        problem = _anchor_problem(head, found, last)
        bad = found[0] if found else (last + 1 if head[0] else None)
    if problem is not None:
        return VerifyReport(False, count, bad, problem, (problem,), (last, prev), macs)
    zh, en = (f"，其中 {macs} 条经密钥校验", f", {macs} with a keyed MAC") if key else ("", "")
    return VerifyReport(
        True,
        count,
        None,
        f"审计链完整，共 {count} 条记录{zh} / audit chain intact: {count} records{en}",
        (),
        (last, prev),
        macs,
    )
