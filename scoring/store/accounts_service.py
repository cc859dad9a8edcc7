"""Accounts and access codes: log in, create, reissue, revoke, list (see
:mod:`scoring.store.accounts` for the codes themselves)."""

from __future__ import annotations

import logging
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import accounts as acc
from . import lookups, rights
from .accounts import ROLES, Actor
from .audit import now
from .db import write_connection
from .errors import AccessDenied, NotFound, StoreError
from .models import Account, Expert, LoginAttempt
from .unit_of_work import StoreService, Transaction


class AccountService(StoreService):
    """Accounts and access codes over the shared :class:`~scoring.store.unit_of_work.Store`."""

    def login(self, code: str, *, client: str | None = None) -> Actor:
        """Check an access code and return the :class:`Actor` to pass to every other call.

        Every refusal costs the same: one scrypt of the current cost and the same statements,
        whether the login is unknown, revoked, the code wrong or the login locked out. Attempts
        are counted in the database (every server process sees them): past
        :data:`~scoring.store.accounts.LOGIN_LIMIT` attempts of one login or
        :data:`~scoring.store.accounts.CLIENT_LIMIT` failures from one client within
        :data:`~scoring.store.accounts.WINDOW_S` seconds, even the right code is refused until
        the window ends. Failures are audited as ``auth.fail`` (login, client and count, never
        the code), at most one record per login per minute.

        Parameters
        ----------
        code : str
            The access code ``<LOGIN>-XXXX-XXXX-XXXX``.
        client : str, optional
            The client's address, when the page knows it (throttled per address too).

        Raises
        ------
        AccessDenied
            Unknown, revoked, wrong or locked out (one message for all, not saying which).
        """
        parts = acc.split_code(code)
        typed, secret = parts if parts is not None else (None, "")
        client = acc.clean_client(client)
        keys = (acc.login_key(typed), acc.client_key(client))
        started = time.time()
        with write_connection(self.store.engine) as conn:
            tries = _count_attempt(conn, keys[0], started, acc.LOGIN_LIMIT)
            if keys[1] is not None:
                tries += _count_attempt(conn, keys[1], started, acc.CLIENT_LIMIT)
            row = conn.execute(_ACCOUNT.where(Account.login == (typed or ""))).first()
        locked = tries > 0  # over a limit: refused, whatever the code
        usable = row is not None and row.active and not locked
        if acc.check_once(secret, row.code_hash if usable else None):
            _succeeded(self.store.engine, keys, started)
            return self.store.issue(
                row.id, row.login, row.role, row.name, row.expert_pk, row.code_version
            )
        _failed(self.store.engine, keys, client, locked=locked, at=started)
        raise AccessDenied("访问码无效 / invalid access code")

    def create_account(
        self,
        actor: Actor,
        login: str,
        role: str,
        *,
        name: str | None = None,
        expert_id: str | None = None,
    ) -> str:
        """Create an account and return its first access code (shown once, stored hashed).

        ``expert`` and ``bank`` accounts must name the expert record they score as; a chair may.
        """
        login = acc.normalise_login(login)
        if not acc.LOGIN_RE.match(login):
            raise StoreError(f"登录名无效 / invalid login {login!r}: letters, digits, _ and . only")
        if role not in ROLES:
            raise StoreError(f"未知角色 / unknown role {role!r} (known: {', '.join(ROLES)})")
        if rights.needs_expert_record(role) and not expert_id:
            raise StoreError(f"角色 {role} 需要专家编号 / role {role} needs an expert id")
        secret = acc.new_secret()
        hashed = acc.hash_secret(secret)
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
            expert_pk = None
            if expert_id:
                expert_pk = lookups.expert_pk(tx.conn, expert_id)
            if tx.conn.execute(sa.select(Account.id).where(Account.login == login)).first():
                raise StoreError(
                    f"账户已存在 / account {login} already exists (use `scoring codes` to reissue)"
                )
            tx.conn.execute(
                sa.insert(Account).values(
                    login=login,
                    role=role,
                    name=name or login,
                    expert_pk=expert_pk,
                    code_hash=hashed,
                    code_version=1,
                    active=True,
                    created_at=now(),
                )
            )
            tx.audit("account.create", f"account:{login}", {"role": role, "expert_id": expert_id})
        return f"{login}-{secret}"

    def reissue_code(self, actor: Actor, login: str) -> str:
        """Issue a new access code for ``login`` (the old one stops working); reactivates it."""
        login = acc.normalise_login(login)
        secret = acc.new_secret()
        hashed = acc.hash_secret(secret)
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
            row = tx.conn.execute(
                sa.select(Account.id, Account.code_version).where(Account.login == login)
            ).first()
            if row is None:
                raise NotFound(f"无此账户 / no account {login}")
            tx.conn.execute(
                sa.update(Account)
                .where(Account.id == row.id)
                .values(code_hash=hashed, code_version=row.code_version + 1, active=True)
            )
            unlock(tx.conn, acc.login_key(login), time.time())  # a new code ends a lockout
            tx.audit("account.code", f"account:{login}", {"code_version": row.code_version + 1})
        return f"{login}-{secret}"

    def revoke(self, actor: Actor, login: str) -> None:
        """Deactivate ``login``: its code stops working at once."""
        login = acc.normalise_login(login)
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
            n = tx.conn.execute(
                sa.update(Account)
                .where(Account.login == login)
                .values(active=False, code_hash=None)
            ).rowcount
            if not n:
                raise NotFound(f"无此账户 / no account {login}")
            tx.audit("account.revoke", f"account:{login}")

    def expert_id(self, actor: Actor) -> str:
        """The expert id an ``expert``/``bank`` account scores as (``AccessDenied`` for others)."""
        with self.store.read() as conn:
            rights.require_current(self.store, conn, actor)
            eid = (
                None
                if actor.expert_pk is None
                else conn.execute(
                    sa.select(Expert.expert_id).where(Expert.id == actor.expert_pk)
                ).scalar()
            )
        return rights.require_expert_account(eid)

    def accounts(self, actor: Actor) -> list[dict[str, Any]]:
        """Every account (never a code or hash). Organizer only."""
        with self.store.read() as conn:
            rights.require_current(self.store, conn, actor, *rights.ORGANIZER)
            rows = conn.execute(
                sa.select(
                    Account.login, Account.role, Account.name, Account.active, Expert.expert_id
                )
                .outerjoin(Expert, Expert.id == Account.expert_pk)
                .order_by(Account.login)
            ).all()
        return [dict(r._mapping) for r in rows]


# ---------------------------------------------------------------- login attempts
log = logging.getLogger(__name__)

#: How the audit trail names the author of an ``auth.fail`` record (nobody logged in).
AUTH_ACTOR = "auth"
_ACCOUNT = sa.select(
    Account.id,
    Account.login,
    Account.role,
    Account.name,
    Account.expert_pk,
    Account.code_version,
    Account.active,
    Account.code_hash,
)
_AUDIT_KEY = "audit:"


def _upsert(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(LoginAttempt)


def _bump(conn: Connection, key: str, at: float, window: float, n: int = 1) -> int:
    """Count ``n`` attempts of ``key`` (a new window when the last one ended); its count now."""
    expired = LoginAttempt.window_start < at - window
    stmt = (
        _upsert(conn)
        .values(key=key, attempts=n, window_start=at, unaudited=0, pending_since=0.0)
        .on_conflict_do_update(
            index_elements=[LoginAttempt.key],
            set_={
                "attempts": sa.case((expired, n), else_=LoginAttempt.attempts + n),
                "window_start": sa.case((expired, at), else_=LoginAttempt.window_start),
            },
        )
        .returning(LoginAttempt.attempts)
    )
    return int(conn.execute(stmt).scalar_one())


def _count_attempt(conn: Connection, key: str, at: float, limit: int) -> int:
    """Count the attempt before the code is checked (parallel attempts cannot pass the limit
    together); 1 when ``key`` is over ``limit`` in its window, else 0."""
    return int(_bump(conn, key, at, acc.WINDOW_S) > limit)


def _succeeded(engine: Engine, keys: tuple[str, str | None], at: float) -> None:
    """A success starts a new window of the login (its failures stay to be audited); the
    client's count gives the attempt back."""
    with write_connection(engine) as conn:
        unlock(conn, keys[0], at)
        if keys[1] is not None:
            conn.execute(
                sa.update(LoginAttempt)
                .where(LoginAttempt.key == keys[1], LoginAttempt.attempts > 0)
                .values(attempts=LoginAttempt.attempts - 1)
            )
        _audit_due(conn, at)


def unlock(conn: Connection, key: str, at: float) -> None:
    """Start a new window for throttling ``key`` (a success, a new code)."""
    conn.execute(
        sa.update(LoginAttempt).where(LoginAttempt.key == key).values(attempts=0, window_start=at)
    )


def _failed(
    engine: Engine, keys: tuple[str, str | None], client: str | None, *, locked: bool, at: float
) -> None:
    """Note a refusal among the login's failures to audit (see :func:`_audit_due`)."""
    first = sa.case((LoginAttempt.unaudited == 0, at), else_=LoginAttempt.pending_since)
    with write_connection(engine) as conn:
        n = conn.execute(
            sa.update(LoginAttempt)
            .where(LoginAttempt.key == keys[0])
            .values(
                unaudited=LoginAttempt.unaudited + 1,
                pending_since=first,
                client=client,
                locked=sa.or_(LoginAttempt.locked, sa.literal(locked)),
            )
            .returning(LoginAttempt.unaudited)
        ).scalar()
        _audit_due(conn, at)
    if n == 1 and _LOG_BUDGET.take(at):  # the first failure of a batch, at once
        log.warning(
            "login refused: login %r, client %s%s",
            keys[0].removeprefix("login:"),
            client or "unknown",
            " (locked out)" if locked else "",
        )


def _audit_due(conn: Connection, at: float) -> None:
    """Write the ``auth.fail`` records that are due: one per login whose oldest unaudited
    failure is :data:`~scoring.store.accounts.AUDIT_EVERY_S` old, with the count, at most
    :data:`~scoring.store.accounts.AUDIT_PER_MINUTE` a minute over all logins (the rest wait,
    still counted). Runs at every login attempt; old windows are forgotten."""
    used = conn.execute(
        sa.select(LoginAttempt.attempts).where(
            LoginAttempt.key == _AUDIT_KEY, LoginAttempt.window_start >= at - 60.0
        )
    ).scalar()
    room = acc.AUDIT_PER_MINUTE - (used or 0)
    due = conn.execute(
        sa.select(
            LoginAttempt.key, LoginAttempt.unaudited, LoginAttempt.client, LoginAttempt.locked
        )
        .where(LoginAttempt.unaudited > 0, LoginAttempt.pending_since <= at - acc.AUDIT_EVERY_S)
        .order_by(LoginAttempt.pending_since)
        .limit(max(room, 0))
    ).all()
    tx = Transaction(conn, AUTH_ACTOR)
    for row in due:
        login = row.key.removeprefix("login:")
        details = {"login": login, "client": row.client, "failures": row.unaudited}
        tx.audit("auth.fail", f"account:{login}", {**details, "locked": bool(row.locked)})
        conn.execute(
            sa.update(LoginAttempt)
            .where(LoginAttempt.key == row.key)
            .values(unaudited=0, pending_since=0.0, locked=False)
        )
    if due:
        _bump(conn, _AUDIT_KEY, at, 60.0, len(due))
    conn.execute(
        sa.delete(LoginAttempt).where(
            LoginAttempt.unaudited == 0, LoginAttempt.window_start < at - acc.WINDOW_S
        )
    )


class _Budget:
    """At most ``per_minute`` log lines a minute in this process (a flood of invented logins
    does not flood the log either)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute, self.minute, self.used = per_minute, -1, 0

    def take(self, at: float) -> bool:
        minute = int(at // 60)
        if minute != self.minute:
            self.minute, self.used = minute, 0
        self.used += 1
        return self.used <= self.per_minute


_LOG_BUDGET = _Budget(acc.AUDIT_PER_MINUTE)
