"""Follow-up accounts: a project unit (项目单位) with its projects, a city bureau (市商务局) with
its city, or any review role (``wb.followup_access``)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from .. import accounts as acc
from ..accounts import Actor
from ..audit import now
from ..errors import NotFound, StoreError
from ..models import Account
from . import rights
from .base import FollowupService, project_row
from .models import FollowupScope


class FollowupAccessService(FollowupService):
    """Accounts of the follow-up stage (organizer only)."""

    def create_account(
        self,
        actor: Actor,
        login: str,
        role: str,
        *,
        project_ids: Iterable[str] = (),
        city: str | None = None,
        name: str | None = None,
    ) -> str:
        """Create an account with its follow-up scope; return its first access code.

        A ``unit`` account names the followed projects it reports for, a ``city`` account its
        city; other roles take neither (an ``expert``/``bank`` account is made with
        ``wb.access.create_account``, which names its expert record). Audited
        ``account.create`` with the scope.
        """
        login = acc.normalise_login(login)
        pids = [str(p) for p in project_ids]
        with self.refusing(actor, "followup_access.create_account", f"account:{login}"):
            if not acc.LOGIN_RE.match(login):
                raise StoreError(
                    f"登录名无效 / invalid login {login!r}: letters, digits, _ and . only"
                )
            rights.require_role_known(role)
            if rights.needs_expert_record(role):
                raise StoreError(
                    f"角色 {role} 需要专家编号，请用 access.create_account / role {role} needs"
                    " an expert id: use access.create_account"
                )
            pids, city = rights.scope_fields(role, pids, city)
            secret = acc.new_secret()
            hashed = acc.hash_secret(secret)
            with self.store.write(actor) as tx:
                rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
                for pid in pids:
                    if project_row(tx.conn, pid) is None:
                        raise NotFound(f"无此跟进项目 / no followed project {pid}")
                if tx.conn.execute(sa.select(Account.id).where(Account.login == login)).first():
                    raise StoreError(f"账户已存在 / account {login} already exists")
                aid = tx.conn.execute(
                    sa.insert(Account)
                    .values(
                        login=login,
                        role=role,
                        name=name or login,
                        expert_pk=None,
                        code_hash=hashed,
                        code_version=1,
                        active=True,
                        created_at=now(),
                    )
                    .returning(Account.id)
                ).scalar_one()
                for pid in pids:
                    tx.conn.execute(sa.insert(FollowupScope).values(account_id=aid, project_id=pid))
                if city:
                    tx.conn.execute(sa.insert(FollowupScope).values(account_id=aid, city=city))
                tx.audit(
                    "account.create",
                    f"account:{login}",
                    {"role": role, "expert_id": None, "projects": pids, "city": city},
                )
        return f"{login}-{secret}"
