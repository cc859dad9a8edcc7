"""Accounts and roles: the role sets naming who may call what, the account re-read on every call, access-code signatures.

Part of :mod:`scoring.store.rights` (see its docstring); import the rights from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import accounts as acc
from ..accounts import ROLES, Actor
from ..errors import AccessDenied
from ..models import Account
from ..scores import ACCOUNT, HotPath
from ..unit_of_work import SYSTEM_ID

if TYPE_CHECKING:
    from ..unit_of_work import Store


#: Any role (a call every logged-in account may make).
ANYONE: tuple[str, ...] = ()
ORGANIZER = ("organizer",)
#: Who runs panels: the organizer and the chairs.
STAFF = ("organizer", "chair")
#: Who scores: experts and bank reviewers.
SCORERS = ("expert", "bank")
#: Who may declare a conflict: the organizer, or a scorer about himself.
DECLARERS = ("organizer", "expert", "bank")
#: Who decides a correction request.
CORRECTION_DECIDERS = ("chair", "organizer")
#: Who keeps a portfolio basket.
BASKET_KEEPERS = ("bank", "organizer")

_REVOKED = "访问码已失效，请重新登录 / access code revoked or reissued: log in again"
_NOT_ON_PANEL = "您不属于该评审组 / you are not on this panel"
_INVALID = "无效的身份，请重新登录 / invalid actor: log in again"


# ---------------------------------------------------------------- accounts and roles
def require_role(actor: Actor, roles: tuple[str, ...]) -> None:
    """Refuse unless ``actor``'s role is one of ``roles`` (any role when ``roles`` is empty)."""
    if roles and actor.role not in roles:
        raise AccessDenied(
            f"需要角色 {'、'.join(ROLES[r] for r in roles)} / needs role "
            f"{', '.join(roles)} (you are {actor.role})"
        )


def _require_unchanged(row: Any, actor: Actor) -> None:
    """Refuse when the account ``row`` (role, active, code_version, expert_pk) no longer is
    what ``actor`` logged in as."""
    if row is None or not row.active or row.code_version != actor.code_version:
        raise AccessDenied(_REVOKED)
    if row.role != actor.role or row.expert_pk != actor.expert_pk:
        raise AccessDenied("账户已变更，请重新登录 / account changed: log in again")


def require_current(store: Store, conn: Connection, actor: Actor, *roles: str) -> Actor:
    """Re-read the account; refuse a revoked/reissued code or a role not in ``roles``.

    A system actor is accepted only if ``store`` handed it out.

    Returns
    -------
    Actor
        ``actor``, checked.
    """
    if not isinstance(actor, Actor):
        raise AccessDenied("未登录 / not logged in")
    if actor.account_id == SYSTEM_ID:
        if not store.is_system(actor):
            raise AccessDenied(_INVALID)
    else:
        row = conn.execute(
            sa.select(Account.role, Account.active, Account.code_version, Account.expert_pk).where(
                Account.id == actor.account_id
            )
        ).first()
        _require_unchanged(row, actor)
        require_issued(conn, actor)
    require_role(actor, roles)
    return actor


def require_current_fast(
    store: Store, conn: Connection, actor: Actor, roles: tuple[str, ...]
) -> None:
    """:func:`require_current` with a prepared statement (hot path)."""
    if not isinstance(actor, Actor) or actor.account_id == SYSTEM_ID:
        require_current(store, conn, actor, *roles)
        return
    _require_unchanged(conn.execute(ACCOUNT, {"id": actor.account_id}).first(), actor)
    require_issued(conn, actor)
    require_role(actor, roles)


def account_current(hot: HotPath, actor: Actor) -> bool:
    """Whether ``actor``'s account is active with the same code version, role and expert, and
    ``actor`` was issued by this store (its seal: one HMAC, no query)."""
    if not isinstance(actor, Actor) or actor.account_id == SYSTEM_ID:
        return False
    row = hot.account(actor.account_id)
    return (
        row is not None
        and row.active
        and row.code_version == actor.code_version
        and row.role == actor.role
        and row.expert_pk == actor.expert_pk
        and issued(hot.conn, actor)
    )


def issued(conn: Connection, actor: Actor) -> bool:
    """Whether ``actor`` was issued (sealed) by the store whose engine ``conn`` belongs to: an
    actor built or altered by the caller is not (O(1): one HMAC, no query)."""
    sealed = getattr(conn.engine, "info_actor_sealed", None)
    return sealed is not None and isinstance(actor, Actor) and sealed(actor)


def require_issued(conn: Connection, actor: Actor) -> None:
    """Refuse an actor the store did not issue (see :func:`issued`)."""
    if not issued(conn, actor):
        raise AccessDenied(_INVALID)


def require_current_scorer(hot: HotPath, actor: Actor) -> None:
    """Inside a save: refuse unless the account is current and scores (expert or bank)."""
    if not account_current(hot, actor):
        forged = isinstance(actor, Actor) and not issued(hot.conn, actor)
        raise AccessDenied(_INVALID if forged else _REVOKED)
    if actor.role not in SCORERS:
        raise AccessDenied(f"需要评审专家角色 / needs role expert or bank (you are {actor.role})")


def may_score_fast(hot: HotPath, actor: Actor) -> bool:
    """Whether ``actor`` scores and is current (the lock-free repeat answer's check)."""
    return actor.role in SCORERS and account_current(hot, actor)


def needs_expert_record(role: str) -> bool:
    """Whether an account of ``role`` must name the expert record it scores as."""
    return role in SCORERS


def may_chair(role: str) -> bool:
    """Whether an account of ``role`` may be named a panel's chair."""
    return role == "chair"


def require_expert_account(expert_id: str | None) -> str:
    """The expert id an account scores as; refuse an account without one."""
    if expert_id is None:
        raise AccessDenied("该账户不是评审专家 / this account is not an expert")
    return str(expert_id)


def require_signature(store: Store, actor: Actor, code: str | None) -> None:
    """Refuse unless ``code`` is ``actor``'s current access code (one scrypt, no lock held)."""
    denied = AccessDenied("访问码不正确，未确认 / wrong access code: the sheet is not confirmed")
    if not isinstance(actor, Actor) or actor.account_id == SYSTEM_ID:
        raise AccessDenied("需要评审专家账户签字 / only an expert's account can sign a sheet")
    parts = acc.split_code(code) if isinstance(code, str) else None
    if parts is None:
        raise denied
    login, secret = parts
    with store.read() as conn:
        row = HotPath(conn).credentials(actor.account_id)
        genuine = issued(conn, actor)
    if row is None or not row.active or row.code_version != actor.code_version or not genuine:
        acc.check_secret(secret, acc.dummy_hash())
        raise AccessDenied(_REVOKED if genuine else _INVALID)
    if not acc.check_secret(secret, row.code_hash) or login != row.login:
        raise denied
