"""Every follow-up right (阶段跟进), one function per decision (docs/FOLLOWUP-DESIGN.md).

* ``unit`` (项目单位) writes the ledgers of its own projects (its :class:`FollowupScope` rows)
  and reads them in every state;
* ``city`` (市商务局) confirms or returns the ledgers of its city's projects (省属企业 ones only
  if ``workflow.yml`` names ``city`` for them) and reads them from the first submission on;
* ``organizer`` runs periods, dates, exceptions, exits, risks, projects and accounts; reads
  every project as a city does; confirms the ledgers ``workflow.yml`` gives to it (省属企业);
* ``bank``, ``expert``, ``chair`` read confirmed ledgers of followed projects only.

Nobody confirms his own submission; a confirmed ledger is locked until its confirmer reopens it.
The services call these and never look at a role themselves (``tests/store/test_rights.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import rights as review_rights
from ..accounts import ROLES, Actor
from ..errors import AccessDenied, RuleViolation
from ..unit_of_work import SYSTEM_ID
from .models import FollowupScope

if TYPE_CHECKING:
    from ..unit_of_work import Store

ORGANIZER = ("organizer",)
UNITS = ("unit",)
CITIES = ("city",)
#: Who may read the follow-up at all (every role).
ANYONE: tuple[str, ...] = ()
#: Who reads confirmed ledgers only.
CONFIRMED_READERS = ("bank", "expert", "chair")
#: Roles whose accounts carry a follow-up scope.
SCOPED = ("unit", "city")
#: Ledger states a unit may still change.
EDITABLE = ("draft", "returned")


@dataclass(frozen=True)
class Scope:
    """What an actor sees: ``projects`` (a unit's), ``cities`` (a city bureau's) or everything
    (``everything``); ``confirmed_only`` for banks, experts and chairs."""

    role: str
    projects: frozenset[str] = frozenset()
    cities: frozenset[str] = frozenset()
    everything: bool = False
    confirmed_only: bool = False

    def sees(self, project: Any) -> bool:
        """Whether the project (a row with ``project_id``, ``city``) is visible at all."""
        if self.everything:
            return True
        if self.role == "unit":
            return str(project.project_id) in self.projects
        return str(project.city) in self.cities


def require_current(store: Store, conn: Connection, actor: Actor, *roles: str) -> Actor:
    """The review store's :func:`scoring.store.rights.require_current` (account re-read)."""
    return review_rights.require_current(store, conn, actor, *roles)


def require_role_known(role: str) -> None:
    """Refuse an unknown role for a new account."""
    if role not in ROLES:
        raise AccessDenied(f"未知角色 / unknown role {role!r} (known: {', '.join(ROLES)})")


def scope_fields(
    role: str, project_ids: list[str], city: str | None
) -> tuple[list[str], str | None]:
    """The scope a new account of ``role`` gets: a unit needs projects, a city bureau a city;
    other roles none."""
    if role == "unit":
        if not project_ids:
            raise RuleViolation("项目单位账户需要指定项目 / a unit account needs its project ids")
        return list(project_ids), None
    if role == "city":
        if not city:
            raise RuleViolation("市商务局账户需要指定城市 / a city account needs its city")
        return [], str(city)
    if project_ids or city:
        raise RuleViolation(f"角色 {role} 没有跟进范围 / role {role} takes no project ids or city")
    return [], None


def needs_expert_record(role: str) -> bool:
    """Whether an account of ``role`` must name an expert record (the review's rule)."""
    return review_rights.needs_expert_record(role)


def scope(store: Store, conn: Connection, actor: Actor) -> Scope:
    """Check the actor (account re-read) and return what it sees."""
    require_current(store, conn, actor)
    if actor.role == "organizer":
        return Scope(actor.role, everything=True)
    if actor.role in CONFIRMED_READERS:
        return Scope(actor.role, everything=True, confirmed_only=True)
    rows = conn.execute(
        sa.select(FollowupScope.project_id, FollowupScope.city).where(
            FollowupScope.account_id == actor.account_id
        )
    ).all()
    return Scope(
        actor.role,
        projects=frozenset(str(r.project_id) for r in rows if r.project_id),
        cities=frozenset(str(r.city) for r in rows if r.city),
    )


def restrict(query: sa.Select, s: Scope, project_id: Any, city: Any) -> sa.Select:
    """``query`` limited to the projects ``s`` sees (columns ``project_id``, ``city``)."""
    if s.everything:
        return query
    if s.role == "unit":
        return query.where(project_id.in_(sorted(s.projects)))
    return query.where(city.in_(sorted(s.cities)))


def confirmed_only(s: Scope) -> bool:
    """Whether the actor reads confirmed ledgers only (bank, expert, chair)."""
    return s.confirmed_only


def require_sees(s: Scope, project: Any, project_id: str) -> None:
    """Refuse a project the actor may not see (one message: it might as well not exist)."""
    if project is None or not s.sees(project):
        raise AccessDenied(f"您无权查看项目 {project_id} / you may not see project {project_id}")


def content_visible(s: Scope, status: str | None, first_submitted: Any) -> bool:
    """Whether the actor reads a ledger's content: a unit always; a city or the organizer from
    the first submission on; the confirmed readers only when confirmed."""
    if s.role == "unit":
        return True
    if s.confirmed_only:
        return status == "confirmed"
    return first_submitted is not None


def require_writer(s: Scope, project: Any, project_id: str) -> None:
    """Refuse unless the actor is the unit of the project (the only one who writes a ledger)."""
    if s.role != "unit" or str(project.project_id) not in s.projects:
        raise AccessDenied(
            f"只有项目单位可以填报本项目台帐 / only the project's unit writes the ledger of {project_id}"
        )


def may_write(s: Scope, project: Any) -> bool:
    """Whether the actor is the project's unit."""
    return s.role == "unit" and str(project.project_id) in s.projects


def require_status(ledger: Any, *allowed: str) -> None:
    """Refuse unless the ledger exists and is in one of ``allowed`` states."""
    status = "missing" if ledger is None else ledger.status
    if status not in allowed:
        if status == "confirmed":
            raise RuleViolation(
                "台帐已确认并锁定，需确认人退回后才能修改 / the ledger is confirmed and locked:"
                " only its confirmer may reopen it"
            )
        raise RuleViolation(
            f"台帐状态为 {status}，不能进行此操作 / the ledger is {status}:"
            f" this needs {' or '.join(allowed)}"
        )


def require_editable(ledger: Any, status_ok: bool = True) -> None:
    """Refuse a save or a submission unless the ledger is new, a draft or returned."""
    if ledger is not None:
        require_status(ledger, *EDITABLE)


def window_open(
    today: date, lock: date, exception_until: date | None, returned_at: date | None, grace: int
) -> bool:
    """Whether a unit may still save or submit: until the lock (whole day), until an exception's
    date, or ``grace`` days after a return."""
    if today <= lock:
        return True
    if exception_until is not None and today <= exception_until:
        return True
    return returned_at is not None and today <= returned_at + timedelta(days=grace)


def require_window(
    today: date,
    lock: date,
    exception_until: date | None,
    returned_at: date | None,
    grace: int,
    key: str,
) -> None:
    """Refuse a save or submission after the lock without an exception or a recent return."""
    if not window_open(today, lock, exception_until, returned_at, grace):
        raise RuleViolation(
            f"{key} 已于 {lock.isoformat()} 截止填报，如需补报请联系组织方申请例外 / {key}"
            f" locked on {lock.isoformat()}: ask the organizer for an exception"
        )


def confirmer_role(provincial: bool) -> str:
    """Who confirms a project's ledgers (``workflow.yml``): ``city`` or ``organizer``."""
    from ...followup.workflow import confirmer

    return confirmer(bool(provincial))


def require_confirmer(s: Scope, actor: Actor, project: Any) -> None:
    """Refuse unless the actor confirms (and returns) the project's ledgers: the role
    ``workflow.yml`` names for it, and for a city bureau the project's city."""
    want = confirmer_role(project.provincial)
    if actor.role != want:
        raise AccessDenied(
            f"项目 {project.project_id} 的台帐由{ROLES.get(want, want)}确认 / the ledgers of"
            f" {project.project_id} are confirmed by role {want}"
        )
    if want == "city" and str(project.city) not in s.cities:
        raise AccessDenied(
            f"项目 {project.project_id} 不属于本市 / project {project.project_id} is not in your city"
        )


def may_confirm(s: Scope, actor: Actor, project: Any) -> bool:
    """Whether :func:`require_confirmer` passes."""
    try:
        require_confirmer(s, actor, project)
    except AccessDenied:
        return False
    return True


def require_not_own(actor: Actor, ledger: Any) -> None:
    """Refuse a confirmation by the account that submitted the ledger."""
    if ledger.submitted_by is not None and int(ledger.submitted_by) == actor.account_id:
        raise AccessDenied("不能确认本人提交的台帐 / nobody confirms their own submission")


def require_reopener(actor: Actor, ledger: Any) -> None:
    """Refuse a reopening by anyone but the ledger's confirmer."""
    if ledger.confirmed_by is None or int(ledger.confirmed_by) != actor.account_id:
        raise AccessDenied(
            "只有确认人可以退回已确认的台帐 / only the confirmer may reopen a confirmed ledger"
        )


def require_reason(reason: Any, what_zh: str, what_en: str) -> str:
    """The stripped reason; refuse an empty one."""
    text = str(reason or "").strip()
    if not text:
        raise RuleViolation(f"{what_zh}需要说明理由 / {what_en} needs a reason")
    return text


def account_id(actor: Actor) -> int:
    """The id stored as ``submitted_by`` / ``confirmed_by`` (the command line: -1)."""
    return int(actor.account_id) if isinstance(actor, Actor) else SYSTEM_ID


def label(actor: Any) -> str:
    """How a refusal's audit record names a caller that may not even be an actor."""
    return actor.label if isinstance(actor, Actor) else "?"
