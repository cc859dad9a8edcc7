"""Score sheets: validation of a sheet's values, idempotency keys and save outcomes.

A save carries ``base_version`` (the sheet version the page showed) and a ``request_id``
(derived from the content when the caller gives none). The store answers with a
:class:`SaveResult`:

* ``saved`` – a new version was written;
* ``duplicate`` – this very request was already stored (a double click): nothing new written;
* ``stale`` – the sheet changed since the page loaded it (``base_version`` is old): nothing
  written, the caller must reload.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from ..errors import InputError, Problem
from . import lookups, pg_chain
from .audit import canonical_json
from .config import PanelConfig
from .errors import RuleViolation

SAVED, DUPLICATE, STALE = "saved", "duplicate", "stale"
SHEET_STATUSES = ("empty", "draft", "confirmed", "recused")


@dataclass(frozen=True)
class SaveResult:
    """Outcome of a save, confirmation or correction.

    Attributes
    ----------
    status : {"saved", "duplicate", "stale"}
    version : int
        The sheet's version after the call (the current one for ``stale``).
    sheet_status : str
        ``draft`` or ``confirmed``.
    """

    status: Literal["saved", "duplicate", "stale"]
    version: int
    sheet_status: str

    @property
    def ok(self) -> bool:
        """True unless the save was refused as stale."""
        return self.status != STALE


def clean_scores(
    scores: Mapping[str, Any], config: PanelConfig, *, complete: bool = False
) -> dict[str, float]:
    """Validate a sheet's values against the frozen configuration.

    Parameters
    ----------
    scores : mapping
        criterion key -> score; ``None`` or ``""`` means not scored yet (dropped).
    config : PanelConfig
    complete : bool
        Require every criterion (confirmation, correction).

    Raises
    ------
    InputError
        Naming every unknown criterion, non-numeric, non-finite or out-of-scale value.
    """
    if not isinstance(scores, Mapping):
        raise InputError(
            [Problem("评分须为“指标 → 分数”的映射 / scores must be a mapping criterion -> score")]
        )
    lo, hi = config.scale
    keys = config.keys
    labels = criterion_labels(config)
    out: dict[str, float] = {}
    problems: list[Problem] = []

    def bad(k: str, message: str) -> None:
        problems.append(Problem(message, column=str(k), label=labels.get(k)))

    for k, v in scores.items():
        if k not in keys:
            bad(k, f"未知的评分指标“{k}” / unknown criterion '{k}'")
            continue
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        if isinstance(v, bool):
            bad(k, f"分数“{v}”不是数字 / score {v!r} is not a number")
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            bad(k, f"分数“{v}”不是数字 / score {v!r} is not a number")
            continue
        if not math.isfinite(f) or not lo <= f <= hi:
            bad(
                k,
                f"分数 {v!r} 超出评分范围 {lo:g}–{hi:g} / score {v!r} is outside the scale {lo:g}–{hi:g}",
            )
            continue
        out[k] = f
    if complete:
        for k in keys:
            if k not in out and not any(p.column == k for p in problems):
                bad(
                    k, "尚未评分（每项指标都须评分） / score is missing (every criterion is needed)"
                )
    if problems:
        raise InputError(problems)
    return {k: out[k] for k in keys if k in out}


def criterion_labels(config: PanelConfig) -> dict[str, tuple[str, str]]:
    """``key -> (中文, English)`` names of the configuration's criteria (as the sheet shows them)."""
    crit = config.criteria.get("criteria", {}) if isinstance(config.criteria, Mapping) else {}
    out = {}
    for k, spec in crit.items():
        if isinstance(spec, Mapping):
            out[str(k)] = (str(spec.get("zh") or k), str(spec.get("en") or k))
    return out


#: Longest comment (评语) a sheet keeps, in characters.
COMMENT_MAX = 2000
_COMMENT: dict[str, Any] = {"column": "comment", "label": ("评语", "Comment")}


def clean_comment(comment: Any) -> str:
    """Validate an expert's comment: text of at most :data:`COMMENT_MAX` characters, stripped.

    Raises
    ------
    InputError
        When it is not text or too long (column ``comment``).
    """
    if comment is None:
        return ""
    if not isinstance(comment, str):
        raise InputError([Problem(f"评语不是文本 / comment {comment!r} is not text", **_COMMENT)])
    text = comment.replace("\r\n", "\n").strip()
    if len(text) > COMMENT_MAX:
        raise InputError(
            [
                Problem(
                    f"评语有 {len(text)} 个字符（最多 {COMMENT_MAX} 个） / "
                    f"comment has {len(text)} characters (at most {COMMENT_MAX})",
                    **_COMMENT,
                )
            ]
        )
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise InputError(
            [Problem("评语含有控制字符 / comment holds control characters", **_COMMENT)]
        )
    return text


def request_key(
    action: str, base_version: int, scores: Mapping[str, float], extra: str = ""
) -> str:
    """The default idempotency key: the same action on the same version with the same values."""
    text = canonical_json([action, base_version, dict(scores), extra])
    return action + ":" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


# ---------------------------------------------------------------- the hot path
# A save runs in every expert's page at once: its statements are plain SQL on the driver's own
# connection (a save costs a fraction of a millisecond of Python). Written with ``:name``
# parameters (sqlite3); :func:`_pg` gives PostgreSQL's copy with ``%(name)s`` (psycopg).
_INSERT_VERSION_SQL = (
    "INSERT INTO sheet_versions (sheet_id, version, kind, scores, comment, request_id, author, "
    "approved_by, reason, created_at) VALUES (:sheet_id, :version, :kind, :scores, :comment, "
    ":request_id, :author, NULL, NULL, :created_at)"
)
_UPDATE_SHEET_SQL = (
    "UPDATE sheets SET version = :version, status = :status, scores = :scores, "
    "comment = :comment, updated_at = :created_at WHERE id = :sheet_id AND version = :base_version"
)
# PostgreSQL: one statement moves the sheet and inserts its version (only if the sheet moved);
# it fails unless exactly that sheet moved, and with it the audit call and COMMIT sent behind it.
_GUARD = "scoring: the sheet did not move from its base version"
_WRITE_SQL = (
    "WITH u AS (UPDATE sheets SET version = :version, status = :status, "
    "scores = CAST(:scores AS json), comment = :comment, updated_at = :created_at "
    "WHERE id = :sheet_id AND version = :base_version RETURNING id), "
    "v AS (INSERT INTO sheet_versions (sheet_id, version, kind, scores, comment, request_id, "
    "author, approved_by, reason, created_at) SELECT id, :version, :kind, CAST(:scores AS json), "
    ":comment, :request_id, :author, NULL, NULL, :created_at FROM u RETURNING sheet_id) "
    f"SELECT CASE WHEN count(*) = 1 THEN 1 ELSE CAST('{_GUARD} ' || count(*) AS integer) END "
    "FROM v"
)
_ACCOUNT_SQL = "SELECT role, active, code_version, expert_pk FROM accounts WHERE id = :id"
_CREDENTIALS_SQL = "SELECT login, code_hash, code_version, active FROM accounts WHERE id = :id"
#: The account check as a SQLAlchemy statement (:func:`scoring.store.rights.require_current_fast`).
ACCOUNT = sa.text(_ACCOUNT_SQL)
_CONCURRENT = "并发冲突，请重试 / concurrent change: retry"


def _pg(sql: str) -> str:
    """``sql`` with psycopg's ``%(name)s`` parameters."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


_LOAD_SQL = lookups.ACCOUNT_AND_OWN_SHEET_SQL
_LOAD_SQLITE = _LOAD_SQL.format(lock="")
_PG = {
    "load": _pg(_LOAD_SQLITE),
    "load_lock": _pg(_LOAD_SQL.format(lock=" FOR UPDATE OF s")),
    "write": _pg(_WRITE_SQL),
    "account": _pg(_ACCOUNT_SQL),
    "credentials": _pg(_CREDENTIALS_SQL),
}


@dataclass(frozen=True)
class SheetRow:
    """The sheet a save addresses, with its panel's status and an earlier identical request."""

    id: int
    status: str
    version: int
    scores: dict[str, float] | None
    panel_status: str
    dup_version: int | None
    comment: str = ""


@dataclass(frozen=True)
class AccountRow:
    role: str
    active: bool
    code_version: int
    expert_pk: int | None


@dataclass(frozen=True)
class Credentials:
    login: str
    code_hash: str
    code_version: int
    active: bool


class HotPath:
    """The statements of a save on the driver's own connection of ``conn``.

    SQLite: the raw ``sqlite3`` cursor, in the transaction SQLAlchemy began (``BEGIN
    IMMEDIATE``): this cuts the time the writers' lock is held by about two thirds.
    PostgreSQL: psycopg, two round trips a save. Used as a context manager in a write
    transaction, :meth:`load` sends ``BEGIN`` with the statement that reads the account and
    locks the sheet, :meth:`finish` the write with the audit call and ``COMMIT``; in between the
    connection is in autocommit mode (psycopg sends no ``BEGIN`` of its own). The block's end
    commits a transaction that wrote nothing (duplicate, stale), rolls back on an error and
    restores the connection's mode. A read outside a transaction is one round trip. Statements
    are prepared as psycopg's ``prepare_threshold`` says (never with ``None``, as PgBouncer's
    transaction mode needs).

    Parameters
    ----------
    conn : Connection
        The transaction's connection.
    """

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        raw = conn.connection.dbapi_connection
        self.raw = raw if self.pg else None
        self.cur = None if self.pg else raw.cursor()
        if self.pg:
            from psycopg.pq import TransactionStatus

            self._idle, self._intrans = TransactionStatus.IDLE, TransactionStatus.INTRANS
        self._account: tuple[int, AccountRow | None] | None = None
        self._entered = self._began = False

    def __enter__(self) -> HotPath:
        self._entered = True
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._entered = False
        if self._began:
            self._end(commit=exc_type is None)

    def load(
        self,
        account_id: int,
        panel_id: int,
        expert_pk: int | None,
        project_id: str,
        request_id: str,
        *,
        lock: bool = True,
    ) -> SheetRow | None:
        """The sheet a save addresses (``None``: no such sheet of the account's expert), read
        in one statement with the account's current state (then given by :meth:`account`).

        ``lock``: lock the sheet row until the transaction ends (PostgreSQL; it begins here).
        """
        params = {
            "account_id": account_id,
            "panel_id": panel_id,
            "expert_pk": expert_pk,
            "project_id": project_id,
            "request_id": request_id,
        }
        if self.pg:
            row = self._pg_row("load_lock" if lock else "load", params, begin=lock)
        else:
            row = self.cur.execute(_LOAD_SQLITE, params).fetchone()
        account = None if row is None else AccountRow(row[0], bool(row[1]), int(row[2]), row[3])
        self._account = (account_id, account)
        if row is None or row[4] is None:
            return None
        scores = row[7] if self.pg or row[7] is None else json.loads(row[7])
        return SheetRow(int(row[4]), row[5], int(row[6]), scores, row[8], row[9], row[10] or "")

    def account(self, account_id: int) -> AccountRow | None:
        """The account's role, state and code version (as :meth:`load` read it, if it did)."""
        if self._account is not None and self._account[0] == account_id:
            return self._account[1]
        if self.pg:
            row = self._pg_row("account", {"id": account_id})
        else:
            row = self.cur.execute(_ACCOUNT_SQL, {"id": account_id}).fetchone()
        return None if row is None else AccountRow(row[0], bool(row[1]), int(row[2]), row[3])

    def credentials(self, account_id: int) -> Credentials | None:
        """What a signature check needs of an account."""
        if self.pg:
            row = self._pg_row("credentials", {"id": account_id})
        else:
            row = self.cur.execute(_CREDENTIALS_SQL, {"id": account_id}).fetchone()
        return None if row is None else Credentials(row[0], row[1], int(row[2]), bool(row[3]))

    def finish(
        self,
        sheet_id: int,
        base_version: int,
        version: int,
        kind: str,
        status: str,
        scores: dict[str, float],
        request_id: str,
        author: str,
        ts: str,
        comment: str = "",
    ) -> None:
        """Insert the version and move the sheet to it: the transaction's last work.

        On PostgreSQL this commits: one statement writes both rows, sent in one round trip with
        the call of :func:`scoring.store.pg_chain.commit` for the deferred audit records (which
        then has nothing left to send) and ``COMMIT``. On SQLite the unit of work commits.

        Raises
        ------
        RuleViolation
            The sheet was not at ``base_version`` (cannot happen under the row lock or the
            writers' lock; nothing is written rather than a fork).
        """
        params = {
            "sheet_id": sheet_id,
            "base_version": base_version,
            "version": version,
            "kind": kind,
            "status": status,
            "scores": json.dumps(scores),
            "comment": comment,
            "request_id": request_id,
            "author": author,
            "created_at": ts,
        }
        if self.pg:
            self._write_and_commit(params)
            return
        self.cur.execute(_INSERT_VERSION_SQL, params)
        if self.cur.execute(_UPDATE_SHEET_SQL, params).rowcount != 1:
            raise RuleViolation(_CONCURRENT)

    def _pg_row(self, name: str, params: dict[str, Any], *, begin: bool = False) -> Any:
        """The first row of statement ``name``: inside the open transaction if there is one;
        else with ``BEGIN`` in the same round trip (``begin``) or as a single statement."""
        raw = self.raw
        if raw.info.transaction_status != self._idle:
            return raw.execute(_PG[name], params).fetchone()
        if begin and not self._entered:
            raise RuntimeError("HotPath.load(lock=True) must run in `with HotPath(conn)`")
        raw.autocommit = True  # local: psycopg then sends no BEGIN of its own
        self._began = begin  # if so, the block's end ends the transaction
        try:
            with raw.pipeline():  # one round trip, also when psycopg prepares the statement
                if begin:
                    raw.execute("BEGIN")
                cur = raw.execute(_PG[name], params)
        finally:
            if not begin:
                self._restore()
        return cur.fetchone()

    def _write_and_commit(self, params: dict[str, Any]) -> None:
        import psycopg

        raw = self.raw
        pending = self.conn.info.pop(pg_chain.PENDING_KEY, None)
        try:
            with raw.pipeline():
                raw.execute(_PG["write"], params)
                if pending:  # the very call pg_chain.commit makes
                    pg_chain.send_append(raw, pending)
                raw.execute("COMMIT")
        except psycopg.errors.InvalidTextRepresentation as exc:
            if _GUARD not in str(exc):
                raise
            raise RuleViolation(_CONCURRENT) from exc

    def _end(self, *, commit: bool) -> None:
        """End the transaction :meth:`load` began, unless :meth:`finish` committed it."""
        raw = self.raw
        self._began = False
        try:
            state = raw.info.transaction_status
            if state == self._intrans and commit:
                raw.commit()  # nothing was written: a duplicate or stale answer
            elif state != self._idle:
                raw.rollback()
        finally:
            self._restore()

    def _restore(self) -> None:
        """Psycopg's default mode again, for the next user of the pooled connection (a broken
        connection, that cannot be, is invalidated: the pool never hands it out again)."""
        raw = self.raw
        if not raw.closed and raw.info.transaction_status == self._idle:
            raw.autocommit = False
        else:
            self.conn.invalidate()
