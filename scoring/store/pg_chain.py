"""The audit chain's append on PostgreSQL: one server-side step, sent together with the commit.

On PostgreSQL a write transaction does its business writes first and only *defers* its audit
records (:func:`defer`); :func:`commit` then sends one call of the PL/pgSQL function
``scoring_audit_append`` and the ``COMMIT`` in a single pipelined round trip. The function

1. takes a transaction-level advisory lock (the chain lock, held until the commit ends),
2. reads the chain head in a statement of its own (under READ COMMITTED every statement of a
   PL/pgSQL function takes a new snapshot, so it sees the previous lock holder's commit — taking
   the lock in the statement that reads the head would read a stale head and fork the chain),
3. inserts each record with ``sha256()`` computed in the database over exactly the canonical
   JSON that :func:`scoring.store.audit.record_hash` computes (so :func:`~scoring.store.audit.
   verify` checks PostgreSQL records unchanged), and moves the head with a compare-and-set that
   fails loudly rather than fork if the head it read was not the newest.

With ``SCORING_AUDIT_KEY`` set the key is sent as the call's last parameter and the function
also stores each record's ``mac``, HMAC-SHA256 of its hash, written out over the built-in
``sha256()`` (RFC 2104: the key's inner and outer pads once per call, two hashes per record) so
that it equals :func:`scoring.store.audit.record_mac` and needs no extension: pgcrypto's
``hmac()`` (shipped in Debian's postgresql package) would do the same, but ``CREATE EXTENSION``
asks for rights per database that the store does not otherwise need. The key never lands in a
table; a server logging every statement with its parameters (``log_statement = all``) would log
it.

The chain lock is thus held for the function's few inserts and the commit's WAL flush only: never
across a client round trip. The head and the record's ``seq`` primary key still guard the chain
if the function were ever called under REPEATABLE READ (an error, never a fork).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .audit import audit_key, canonical_json


def server_prepares() -> bool:
    """Whether statements may be prepared on the server: not through a transaction-mode pooler.

    ``SCORING_PG_POOLER=pgbouncer`` says the URL is PgBouncer's: PgBouncer 1.18 (Debian 12) lends
    a server connection per transaction and does not carry prepared statements across them, so
    psycopg must never prepare (``prepare_threshold=None``, and no ``prepare=True`` anywhere).
    """
    pooler = (os.environ.get("SCORING_PG_POOLER") or "").strip().lower()
    if pooler not in ("", "none", "pgbouncer"):
        raise ValueError(f"SCORING_PG_POOLER must be 'pgbouncer' or empty, not {pooler!r}")
    return pooler != "pgbouncer"


#: Name of the append function (created in the schema first on the ``search_path``).
FUNCTION = "scoring_audit_append"
_SIGNATURE = f"{FUNCTION}(text[],text[],text[],text[],bytea)"
#: Signatures of earlier versions, dropped when the current one is installed.
_OLD_SIGNATURES = (f"{FUNCTION}(text[],text[],text[],text[])",)
#: ``conn.info`` key of the records a transaction has deferred until its commit.
PENDING_KEY = "scoring_audit_pending"
#: High 32 bits of the advisory lock keys (the low 32 bits are the ``audit_head`` table's oid).
_LOCK_SPACE = 0x5C0A0D17
_INSTALL_LOCK = (_LOCK_SPACE << 32) | 0xFFFFFFFF

_BODY = r"""
DECLARE
  head_seq integer;
  head_hash text;
  new_hash text;
  stamp text;
  payload text;
  n integer := coalesce(array_length(p_actions, 1), 0);
  moved integer;
  k bytea;
  ipad bytea;
  opad bytea;
  new_mac text;
BEGIN
  IF n = 0 THEN
    RETURN NULL;
  END IF;
  IF p_key IS NOT NULL THEN
    -- HMAC-SHA256 pads of the key (RFC 2104), once per call
    k := CASE WHEN length(p_key) > 64 THEN sha256(p_key) ELSE p_key END;
    k := k || decode(repeat('00', 64 - length(k)), 'hex');
    ipad := k;
    opad := k;
    FOR j IN 0 .. 63 LOOP
      ipad := set_byte(ipad, j, get_byte(k, j) # 54);
      opad := set_byte(opad, j, get_byte(k, j) # 92);
    END LOOP;
  END IF;
  -- 1. the chain lock, until the end of the transaction (after the commit's flush)
  PERFORM pg_advisory_xact_lock((x'SPACE'::bigint << 32) | 'audit_head'::regclass::oid::bigint);
  -- 2. the head, in its own statement: a snapshot taken after the lock was granted
  SELECT seq, hash INTO head_seq, head_hash FROM audit_head WHERE id = 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit chain head row is missing';
  END IF;
  FOR i IN 1 .. n LOOP
    head_seq := head_seq + 1;
    -- datetime.now(UTC).isoformat(timespec="microseconds")
    stamp := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
             || '+00:00';
    -- canonical_json([seq, ts, actor, action, target, details, prev_hash])
    payload := '[' || head_seq::text || ',' || to_json(stamp)::text || ','
               || to_json(p_actors[i])::text || ',' || to_json(p_actions[i])::text || ','
               || to_json(p_targets[i])::text || ',' || to_json(p_details[i])::text || ','
               || to_json(head_hash)::text || ']';
    new_hash := encode(sha256(convert_to(payload, 'UTF8')), 'hex');
    new_mac := CASE WHEN p_key IS NULL THEN NULL
               ELSE encode(sha256(opad || sha256(ipad || convert_to(new_hash, 'UTF8'))), 'hex')
               END;
    INSERT INTO audit_log (seq, ts, actor, action, target, details, prev_hash, hash, mac)
    VALUES (head_seq, stamp, p_actors[i], p_actions[i], p_targets[i], p_details[i],
            head_hash, new_hash, new_mac);
    head_hash := new_hash;
  END LOOP;
  -- 3. compare-and-set: a stale head (which the lock rules out) fails instead of forking
  UPDATE audit_head SET seq = head_seq, hash = head_hash WHERE id = 1 AND seq = head_seq - n;
  GET DIAGNOSTICS moved = ROW_COUNT;
  IF moved <> 1 THEN
    RAISE EXCEPTION 'audit chain head moved under the chain lock (stale read)';
  END IF;
  RETURN head_seq;
END
""".replace("SPACE", f"{_LOCK_SPACE:08x}")

_DDL = (
    f"CREATE OR REPLACE FUNCTION {FUNCTION}("
    "p_actors text[], p_actions text[], p_targets text[], p_details text[], "
    "p_key bytea DEFAULT NULL) "
    "RETURNS integer LANGUAGE plpgsql VOLATILE AS $fn$" + _BODY + "$fn$"
)
#: Version tag of the function's source, kept as its comment: reinstalled when it changes.
VERSION = "scoring pg_chain " + hashlib.sha256(_DDL.encode()).hexdigest()[:16]

_CALL = f"SELECT {FUNCTION}(%s, %s, %s, %s, %s::bytea)"


def install_pg_functions(conn: Connection) -> bool:
    """Create or replace the append function unless the current version is installed.

    Idempotent and safe to run from concurrent processes (an advisory lock serialises
    installers). A no-op on other databases than PostgreSQL.

    Parameters
    ----------
    conn : Connection
        A connection inside a write transaction.

    Returns
    -------
    bool
        Whether the function was (re)created.
    """
    if conn.dialect.name != "postgresql":
        return False
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _to_int64(_INSTALL_LOCK)})
    have = conn.execute(
        sa.text("SELECT obj_description(to_regprocedure(:sig), 'pg_proc')"), {"sig": _SIGNATURE}
    ).scalar()
    if have == VERSION:
        return False
    for old in _OLD_SIGNATURES:
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {old}")
    conn.exec_driver_sql(_DDL)
    conn.exec_driver_sql(f"COMMENT ON FUNCTION {_SIGNATURE} IS '{VERSION}'")
    return True


def _to_int64(key: int) -> int:
    """``key`` as a signed 64-bit integer (PostgreSQL's ``bigint``)."""
    return key - (1 << 64) if key >= 1 << 63 else key


def defer(conn: Connection, actor: str, action: str, target: str, details: Any) -> int:
    """Keep one audit record for the commit of ``conn``'s transaction.

    Returns
    -------
    int
        How many records the transaction has deferred so far (the chain's ``seq`` is known
        only at the commit).
    """
    pending = conn.info.setdefault(PENDING_KEY, [])
    text = canonical_json(details if details is not None else {})
    pending.append((actor, action, target, text))
    return len(pending)


def discard(conn: Connection) -> None:
    """Forget the deferred records (the transaction rolled back or was committed)."""
    conn.info.pop(PENDING_KEY, None)


def send_append(raw: Any, pending: list, *, prepare: bool | None = None) -> Any:
    """Queue the append call for ``pending`` records on the psycopg connection ``raw`` (inside
    its pipeline) and return the cursor; the one place the call and its parameters are built.

    ``prepare`` is psycopg's (``None``: as the connection's ``prepare_threshold`` says).
    """
    columns = [list(col) for col in zip(*pending, strict=True)]
    return raw.execute(_CALL, (*columns, audit_key()), prepare=prepare)


def commit(conn: Connection) -> int | None:
    """Append the deferred records and commit, in one round trip (psycopg's pipeline mode).

    Without deferred records nothing is sent: the caller's transaction commits as usual.

    Returns
    -------
    int or None
        The ``seq`` of the last appended record, or ``None`` when there was none.
    """
    pending = conn.info.pop(PENDING_KEY, None)
    if not pending:
        return None
    raw = conn.connection.dbapi_connection
    with raw.pipeline():
        cur = send_append(raw, pending, prepare=server_prepares())
        raw.commit()
    row = cur.fetchone()
    return None if row is None else int(row[0])
