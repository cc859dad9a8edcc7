"""Panels: who may run, oversee, time and read a panel; membership; conflicts declared and late ones; reopening.

Part of :mod:`scoring.store.rights` (see its docstring); import the rights from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import lookups
from ..accounts import Actor
from ..config import PanelConfig
from ..errors import AccessDenied, RuleViolation
from ..models import Panel, PanelMember

if TYPE_CHECKING:
    from ..unit_of_work import Store

from .roles import _NOT_ON_PANEL, STAFF, require_current


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


# ---------------------------------------------------------------- panel state
#: A panel's states as the Chinese half of a refusal names them.
STATUS_ZH = {"draft": "未开始", "open": "评审中", "closed": "已结束"}


def require_status(panel: Any, status: str) -> None:
    """Refuse unless the panel is ``status`` (``draft``, ``open``)."""
    if panel.status != status:
        now, want = (STATUS_ZH.get(x, x) for x in (panel.status, status))
        raise RuleViolation(
            f"评审组当前{now}，此操作需在{want}时进行 / the panel is {panel.status}, not {status}"
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


def may_edit_panel(panel: Any, config: tuple[PanelConfig, str] | None) -> None:
    """Refuse to edit or delete a panel once its configuration is frozen or it has opened."""
    if config is not None or panel.status != "draft":
        raise RuleViolation(
            "评审组配置已冻结或已开启，不能再修改或删除 / the panel is frozen or open: "
            "it can no longer be edited or deleted"
        )
