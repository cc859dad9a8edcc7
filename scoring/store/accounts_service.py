"""Accounts and access codes: log in, create, reissue, revoke, list (see
:mod:`scoring.store.accounts` for the codes themselves)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from . import accounts as acc
from . import lookups, rights
from .accounts import ROLES, Actor
from .audit import now
from .errors import AccessDenied, NotFound, StoreError
from .models import Account, Expert
from .unit_of_work import StoreService


class AccountService(StoreService):
    """Accounts and access codes over the shared :class:`~scoring.store.unit_of_work.Store`."""

    def login(self, code: str) -> Actor:
        """Check an access code and return the :class:`Actor` to pass to every other call.

        Raises
        ------
        AccessDenied
            Unknown, revoked or wrong code (one message for all, not saying which).
        """
        parts = acc.split_code(code)
        denied = AccessDenied("访问码无效 / invalid access code")
        if parts is None:
            raise denied
        login, secret = parts
        with self.store.read() as conn:
            row = conn.execute(
                sa.select(
                    Account.id,
                    Account.login,
                    Account.role,
                    Account.name,
                    Account.expert_pk,
                    Account.code_version,
                    Account.active,
                    Account.code_hash,
                ).where(Account.login == login)
            ).first()
        if row is None:
            acc.check_secret(secret, acc.dummy_hash())  # the same work as for a real account
            raise denied
        if not row.active or not acc.check_secret(secret, row.code_hash):
            raise denied
        return Actor(row.id, row.login, row.role, row.name, row.expert_pk, row.code_version)

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
