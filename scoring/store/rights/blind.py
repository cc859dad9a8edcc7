"""Blind scoring and recusal: when values are visible, results readers, hidden candidates, the audit view.

Part of :mod:`scoring.store.rights` (see its docstring); import the rights from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import lookups
from ..accounts import Actor
from ..errors import AccessDenied
from ..models import Panel

if TYPE_CHECKING:
    from ..unit_of_work import Store

from .panels import may_read_panel
from .roles import require_current


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
    pairs = lookups.recused_map(
        conn, [actor.expert_pk], candidate_pks, purpose=getattr(panel, "purpose", "defense")
    )
    hidden |= {c for (_e, c) in pairs}
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
