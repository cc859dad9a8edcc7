"""Panel state, own sheets and the bank basket.

Part of :mod:`scoring.store.rights` (see its docstring); import the rights from there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from ..accounts import Actor
from ..errors import AccessDenied, RuleViolation
from ..unit_of_work import SYSTEM_ID

if TYPE_CHECKING:
    from ..unit_of_work import Store

from .panels import require_member
from .roles import BASKET_KEEPERS, require_current


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
