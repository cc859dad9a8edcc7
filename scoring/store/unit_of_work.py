"""The unit of work every store service runs in: one :class:`Store` per :class:`Workbench`.

A :class:`Store` owns the engine and what the services share between calls: the cache of
frozen panel configurations, the system actors handed out by this very object and the memo of
requests already stored. Services read through :meth:`Store.read` and change through
:meth:`Store.write`, which yields a :class:`Transaction` whose :meth:`~Transaction.audit`
appends to the audit chain in the same transaction.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from . import pg_chain
from .accounts import Actor, seal_of
from .audit import ChainWriter
from .config import PanelConfig
from .db import make_engine, read_connection, resolve_url, write_connection
from .migrate import upgrade

#: ``Actor.account_id`` of the command line's actors (no account row has it).
SYSTEM_ID = -1

#: How many stored requests the memo keeps (oldest dropped first).
STORED_REQUESTS_MAX = 512

#: Key of a stored request: account id, panel id, project id, request id.
RequestKey = tuple[int, int, str, str]


@dataclass
class Transaction:
    """A write transaction whose audit records join the chain after its own row work.

    Every writer takes its row locks first and the chain lock last, so writers never wait for
    each other in a cycle. On SQLite (``BEGIN IMMEDIATE`` already serialises writers) the chain
    head is read at the first audit record and records are appended at once. On PostgreSQL the
    records are deferred and appended by one server-side call sent with the commit
    (:mod:`scoring.store.pg_chain`): the chain lock is held for that call and the commit's flush
    only, never across a client round trip.

    Attributes
    ----------
    conn : Connection
        The transaction's connection.
    actor : str
        How the audit trail names the writer.
    chain : ChainWriter or None
        The chain head (SQLite), from the first :meth:`audit` on.
    """

    conn: Connection
    actor: str
    chain: ChainWriter | None = None

    def audit(self, action: str, target: str = "", details: Any = None) -> int:
        """Append an audit record in this transaction.

        Returns
        -------
        int
            On SQLite the record's sequence number; on PostgreSQL, where the sequence number is
            given at the commit, the record's position among the transaction's records (1, 2 …).
        """
        if self.conn.dialect.name == "postgresql":
            return pg_chain.defer(self.conn, self.actor, action, target, details)
        if self.chain is None:
            self.chain = ChainWriter.lock(self.conn)
        return self.chain.append(self.actor, action, target, details)


class Store:
    """The database and the state the services share.

    Parameters
    ----------
    db_url : str, optional
        SQLAlchemy URL or SQLite file path (see :func:`scoring.store.db.resolve_url`).
    create : bool
        Create or upgrade the schema (idempotent). Default True.
    """

    def __init__(self, db_url: str | None = None, *, create: bool = True) -> None:
        self.url = resolve_url(db_url)
        self.engine = make_engine(self.url)
        #: Frozen configurations by panel id (a frozen configuration never changes).
        self.configs: dict[int, tuple[PanelConfig, str]] = {}
        #: Requests this object has stored (a double click repeats one): answered from a read
        #: transaction, without queueing for the SQLite writers' lock. Bounded, oldest dropped.
        self.stored_requests: dict[RequestKey, None] = {}
        self._system: list[Actor] = []
        key = secrets.token_bytes(32)
        #: Whether an actor carries this object's seal (see :meth:`issue`); also reachable from
        #: the engine, so that the save's hot path checks it without the store (O(1), no query).
        self.sealed = _sealer(key)
        self._key = key
        self.engine.info_actor_sealed = self.sealed  # type: ignore[attr-defined]
        if create:
            upgrade(self.engine)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @contextlib.contextmanager
    def write(self, actor: Actor) -> Iterator[Transaction]:
        """A write transaction audited as ``actor`` (committed when the block ends normally)."""
        with write_connection(self.engine) as conn:
            yield Transaction(conn, actor.label)

    def read(self) -> contextlib.AbstractContextManager[Connection]:
        """A read-only connection."""
        return read_connection(self.engine)

    def issue(
        self,
        account_id: int,
        login: str,
        role: str,
        name: str,
        expert_pk: int | None,
        code_version: int,
    ) -> Actor:
        """The sealed :class:`Actor` of an account: called only by ``login`` once the code is
        checked (see :meth:`sealed`)."""
        fields = (account_id, login, role, name, expert_pk, code_version)
        return Actor(*fields, seal=seal_of(self._key, fields))

    def system_actor(self, name: str | None = None) -> Actor:
        """An organizer actor for the local command line (audited as ``cli:<user>``).

        Only actors returned by this method of this very object are accepted as system actors.
        """
        user = name or os.environ.get("USER") or _safe_user()
        actor = Actor(SYSTEM_ID, f"cli:{user}", "organizer", f"命令行 {user}", None, 0)
        self._system.append(actor)
        return actor

    def is_system(self, actor: Actor) -> bool:
        """Whether ``actor`` is one of the system actors this object handed out."""
        return any(a is actor for a in self._system)

    def remember_request(self, key: RequestKey) -> None:
        """Note a stored request (see :attr:`stored_requests`)."""
        self.stored_requests[key] = None
        if len(self.stored_requests) > STORED_REQUESTS_MAX:
            del self.stored_requests[next(iter(self.stored_requests))]


class StoreService:
    """Base of the store's services: each is a small object over the shared :class:`Store`.

    Parameters
    ----------
    store : Store
    """

    def __init__(self, store: Store) -> None:
        self.store = store


def _sealer(key: bytes) -> Callable[[Actor], bool]:
    """``sealed(actor)``: whether ``actor``'s seal is the HMAC of its fields under ``key``."""
    import hmac

    def sealed(actor: Actor) -> bool:
        seal = actor.seal
        return bool(seal) and hmac.compare_digest(seal, seal_of(key, actor.fields()))

    return sealed


def _safe_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
