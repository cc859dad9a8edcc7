"""Every "may this actor do or see this" decision of the store, one function per decision.

The services call these and never compare an actor's role or check membership themselves
(``tests/store/test_rights.py`` reads the sources to keep it so). A ``require_*`` / ``may_*``
function that refuses raises :class:`~scoring.store.errors.AccessDenied` (who) or
:class:`~scoring.store.errors.RuleViolation` (the state of the panel or sheet) with the
bilingual message the pages show; a function answering a question returns a ``bool`` or the
set of things hidden.

Roles are defined in :mod:`scoring.store.accounts`; the role sets below name who may call what.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import accounts as acc
from . import lookups
from .accounts import ROLES, Actor
from .config import PanelConfig
from .errors import AccessDenied, RuleViolation
from .models import Account, Panel, PanelMember
from .scores import ACCOUNT, HotPath
from .unit_of_work import SYSTEM_ID

if TYPE_CHECKING:
    from .unit_of_work import Store

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


# ---------------------------------------------------------------- panels: who
def may_run_panel(store: Store, actor: Actor, panel: Any) -> None:
    """Refuse unless ``actor`` runs the panel: its chair; an organizer only when the panel has
    no chair (or from the command line)."""
    if actor.role == "organizer" and (panel.chair_pk is None or store.is_system(actor)):
        return
    if actor.role == "chair" and panel.chair_pk == actor.account_id:
        return
    raise AccessDenied("只有本组主持人可以操作 / only the panel's chair may do this")


def may_oversee_panel(store: Store, actor: Actor, panel: Any) -> None:
    """For an organizer or chair: refuse a chair of another panel (an organizer oversees all)."""
    if actor.role == "chair":
        may_run_panel(store, actor, panel)


def overseen_panel(store: Store, conn: Connection, actor: Actor, panel_id: Any) -> Any:
    """The panel's row for its overseers (an organizer, or its chair): the pages that follow a
    panel (progress, declarations, corrections) and opening it."""
    require_current(store, conn, actor, *STAFF)
    panel = lookups.panel_row(conn, panel_id)
    may_oversee_panel(store, actor, panel)
    return panel


def readable_panel(store: Store, conn: Connection, actor: Actor, panel_id: Any) -> Any:
    """The panel's row for a reader of the panel (see :func:`may_read_panel`)."""
    require_current(store, conn, actor)
    panel = lookups.panel_row(conn, panel_id)
    may_read_panel(conn, actor, panel)
    return panel


def may_time_panel(actor: Actor, panel: Any) -> None:
    """Refuse unless ``actor`` is the panel's chair or an organizer."""
    if actor.role == "organizer":
        return
    if actor.role == "chair" and panel.chair_pk == actor.account_id:
        return
    raise AccessDenied(
        "只有本组主持人或组织方可以计时 / only the panel's chair or an organizer runs the timer"
    )


def may_read_panel(conn: Connection, actor: Actor, panel: Any) -> None:
    """Refuse unless ``actor`` reads the panel: organizers and bank reviewers (all panels), its
    chair, its expert members."""
    if actor.role in ("organizer", "bank"):
        return
    if actor.role == "chair" and panel.chair_pk == actor.account_id:
        return
    if actor.role == "expert" and lookups.is_member(conn, panel.id, actor.expert_pk):
        return
    raise AccessDenied(_NOT_ON_PANEL)


def require_member(conn: Connection, actor: Actor, panel: Any) -> None:
    """Refuse unless ``actor`` is a member of the panel."""
    if not lookups.is_member(conn, panel.id, actor.expert_pk):
        raise AccessDenied(_NOT_ON_PANEL)


def restrict_panels(query: sa.Select, actor: Actor) -> sa.Select:
    """``query`` over panels limited to those ``actor`` may list: all (organizer, bank
    reviewer), chaired (chair) or joined (expert)."""
    if actor.role == "chair":
        return query.where(Panel.chair_pk == actor.account_id)
    if actor.role == "expert":
        return query.join(PanelMember, PanelMember.panel_id == Panel.id).where(
            PanelMember.expert_pk == actor.expert_pk
        )
    return query


def may_declare_for(actor: Actor, expert_pk: int) -> None:
    """Refuse a scorer declaring a conflict for another expert (the organizer may)."""
    if actor.role != "organizer" and actor.expert_pk != expert_pk:
        raise AccessDenied("只能申报本人的回避 / you may declare only your own conflicts")


def may_declare_in_panel(project_ids: list[str], saved: bool) -> None:
    """Refuse an expert's own conflicts for a panel once he ``saved`` a sheet in it ("no
    conflict" adds nothing and passes); the organizer records a later one."""
    if project_ids and saved:
        raise RuleViolation(
            "您已在本组保存过评分，不能再自行申报回避；请联系组织方登记，由主持人决定"
            " / you have already saved a sheet in this panel: a conflict found now is recorded"
            " by the organizer and decided by the chair"
        )


def late_conflict_action(panel_status: str, sheet_status: str) -> str | None:
    """What a recusal that now applies does to a sheet: ``"recuse"`` at once (unconfirmed, open
    panel), ``"request"`` to the chair (confirmed), or ``None`` (recused; closed and unconfirmed)."""
    if sheet_status == "recused":
        return None
    if sheet_status == "confirmed":
        return "request"
    return "recuse" if panel_status == "open" else None


def may_reopen_panel(store: Store, conn: Connection, actor: Actor, panel_id: Any) -> Any:
    """The row of a closed panel ``actor`` may reopen: an organizer, or the panel's chair."""
    panel = overseen_panel(store, conn, actor, panel_id)
    require_status(panel, "closed")
    return panel


def require_open_to_decide(panel: Any) -> None:
    """Refuse a decision on a closed panel's request (only a recorded reopening changes it)."""
    if panel.status == "closed":
        raise RuleViolation(
            "评审组已结束，须先登记重新开启（说明理由）才能处理申请 / the panel is closed:"
            " reopen it (with a reason, recorded) before deciding a request"
        )


def request_applies(sheet_status: str) -> bool:
    """Whether an approved request still changes the sheet (only a confirmed one)."""
    return sheet_status == "confirmed"


# ---------------------------------------------------------------- blind scoring and recusal
def values_visible(panel: Any) -> bool:
    """Whether scores of the panel may be shown (blind scoring: only once it is closed)."""
    return panel.status == "closed"


def may_read_results(store: Store, conn: Connection, actor: Actor, panel: Any) -> None:
    """Refuse unless ``actor`` reads the panel and the panel is closed (blind scoring)."""
    require_current(store, conn, actor)
    may_read_panel(conn, actor, panel)
    if not values_visible(panel):
        raise AccessDenied(
            "评审组尚未结束，结果不可见（盲评）/ results are hidden until the chair closes the panel"
        )


def may_read_history(actor: Actor) -> None:
    """Refuse every sheet version to anyone but an organizer."""
    if actor.role != "organizer":
        raise AccessDenied("需要组织方角色 / every version is for organizers only")


def hidden_candidates(
    conn: Connection, actor: Actor, panel: Any, candidate_pks: list[int]
) -> set[int]:
    """The candidates (of ``candidate_pks``) hidden from ``actor``: those he is recused from,
    by his sheets in the panel or by a rule or declared conflict."""
    if actor.expert_pk is None:
        return set()
    if panel.status != "draft" and lookups.is_member(conn, panel.id, actor.expert_pk):
        hidden = lookups.recused_sheet_pks(conn, panel.id, actor.expert_pk)
    else:
        hidden = set()
    hidden |= {c for (_e, c) in lookups.recused_map(conn, [actor.expert_pk], candidate_pks)}
    return hidden


def hides_project(conn: Connection, actor: Actor, panel: Any, project_id: str) -> bool:
    """Whether the panel's candidate ``project_id`` is hidden from ``actor`` (even its id)."""
    pk = lookups.panel_project_pks(conn, panel.id).get(str(project_id))
    return pk is not None and pk in hidden_candidates(conn, actor, panel, [pk])


def visible_candidates(conn: Connection, actor: Actor, panel: Any) -> list[Any]:
    """Panel candidates (defense order) minus those the actor is recused from."""
    rows = lookups.panel_candidate_rows(conn, panel.id)
    hidden = hidden_candidates(conn, actor, panel, [r.id for r in rows])
    return [r for r in rows if r.id not in hidden]


@dataclass(frozen=True)
class AuditHidden:
    """What an audit view hides from its reader (see :func:`audit_hidden`): the panels whose
    values are blind, the sheets ``(panel id, project id, scorer login)`` and the candidates
    ``(panel id, project id)`` whose records show no details."""

    blind_panels: frozenset[int]
    sheets: frozenset[tuple[int, str, str]]
    candidates: frozenset[tuple[int, str]]


def audit_hidden(
    conn: Connection, actor: Actor, recused_sheets: set[tuple[int, str, str]]
) -> AuditHidden:
    """What the audit log hides from ``actor``, by the rules of every other read: the values of
    every panel not closed (blind scoring, :func:`values_visible`), the details of every recused
    sheet (``recused_sheets``: a recused pair never scores) and of the candidates ``actor`` is
    recused from (:func:`hidden_candidates`)."""
    panels = conn.execute(sa.select(Panel.id, Panel.status)).all()
    mine: set[tuple[int, str]] = set()
    for p in panels if actor.expert_pk is not None else ():
        rows = lookups.panel_candidate_rows(conn, p.id)
        off = hidden_candidates(conn, actor, p, [r.id for r in rows])
        mine |= {(p.id, r.project_id) for r in rows if r.id in off}
    blind = frozenset(p.id for p in panels if not values_visible(p))
    return AuditHidden(blind, frozenset(recused_sheets), frozenset(mine))


# ---------------------------------------------------------------- panel state
def require_status(panel: Any, status: str) -> None:
    """Refuse unless the panel is ``status`` (``draft``, ``open``)."""
    if panel.status != status:
        raise RuleViolation(
            f"评审组状态为 {panel.status} / the panel is {panel.status}, not {status}"
        )


def require_not_closed(panel: Any) -> None:
    """Refuse once the panel is closed."""
    if panel.status == "closed":
        raise RuleViolation("评审组已结束 / the panel is closed")


def may_freeze_config(
    panel_id: Any, panel: Any, existing: tuple[PanelConfig, str] | None, content_hash: str
) -> str | None:
    """Whether the configuration of panel ``panel_id`` (its row ``panel``, the frozen
    configuration ``existing``) may be frozen as ``content_hash``.

    Returns
    -------
    str or None
        ``None``: freeze it; the stored hash: the identical configuration is already frozen.

    Raises
    ------
    RuleViolation
        Another configuration is frozen (no change after freezing), or the panel is not draft.
    """
    if existing is not None:
        if existing[1] == content_hash:
            return existing[1]
        raise RuleViolation(
            f"配置已冻结，不能修改 / the configuration of panel {panel_id} is frozen "
            f"(hash {existing[1][:12]}) and cannot change"
        )
    if panel.status != "draft":
        raise RuleViolation("评审组已开启 / the panel is already open")
    return None


def require_frozen_to_open(config: tuple[PanelConfig, str] | None) -> None:
    """Refuse to open a panel without a frozen configuration."""
    if config is None:
        raise RuleViolation("请先冻结配置 / freeze the configuration before opening the panel")


def require_frozen_to_score(config: tuple[PanelConfig, str] | None) -> PanelConfig:
    """The frozen configuration to score with; refuse before it is frozen."""
    if config is None:
        raise RuleViolation(
            "配置尚未冻结，不能评分 / scoring is not possible before the configuration is frozen"
        )
    return config[0]


# ---------------------------------------------------------------- own sheet
def require_own_sheet(
    sheet: Any,
    panel_id: Any,
    project_id: str,
    panel_status: Callable[[], str] | None = None,
) -> None:
    """Refuse unless ``sheet`` (the actor's, looked up) exists and is not recused.

    One message for "not on the panel", "no such candidate" and "recused". When there is no
    sheet and ``panel_status`` (called only then) says ``draft``, the panel is refused as not
    open yet.
    """
    if sheet is None and panel_status is not None and panel_status() == "draft":
        raise RuleViolation(f"评审组尚未开放评分 / panel {panel_id} is not open for scoring yet")
    if not is_own_sheet(sheet):
        raise AccessDenied(
            f"您不能为项目 {project_id} 评分 / you may not score {project_id} in panel {panel_id}"
        )


def is_own_sheet(sheet: Any) -> bool:
    """Whether the looked-up ``sheet`` is one the actor may score (it exists, not recused)."""
    return sheet is not None and sheet.status != "recused"


def may_list_own_sheets(conn: Connection, actor: Actor, panel: Any) -> None:
    """Refuse a non-member the list of his sheets in a draft panel (an open or closed panel
    simply has none of his)."""
    if panel.status == "draft":
        require_member(conn, actor, panel)


def may_change_sheet(sheet: Any, panel_id: Any) -> None:
    """Refuse a new draft or confirmation unless the panel is open and the sheet unconfirmed."""
    if sheet.panel_status != "open":
        raise RuleViolation(
            f"评审组未开放评分 / panel {panel_id} is {sheet.panel_status}, not open for scoring"
        )
    if sheet.status == "confirmed":
        raise RuleViolation(
            "评分表已确认，修改需主持人批准 / the sheet is confirmed: "
            "a change needs a correction approved by the chair"
        )


def require_confirmed(sheet: Any) -> None:
    """Refuse a correction request for a sheet not yet confirmed (a draft is saved instead)."""
    if sheet.status != "confirmed":
        raise RuleViolation(
            "评分表尚未确认，可直接修改 / the sheet is not confirmed: save a draft instead"
        )


# ---------------------------------------------------------------- bank basket
def may_keep_basket(store: Store, conn: Connection, actor: Actor) -> None:
    """Refuse roles without a basket (and the command line)."""
    require_current(store, conn, actor, *BASKET_KEEPERS)
    if actor.account_id == SYSTEM_ID:
        raise AccessDenied("命令行没有项目篮 / the command line has no basket")
