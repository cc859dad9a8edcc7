"""Queries the store's services share: ids of the current round, panel rows, frozen
configurations, membership and the recusal pairs. They read; they decide nothing about rights
(that is :mod:`scoring.store.rights`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .config import PanelConfig
from .conflicts import recused_pairs
from .errors import NotFound, RuleViolation
from .models import (
    AuditRecord,
    Candidate,
    Conflict,
    Correction,
    Expert,
    Panel,
    PanelCandidate,
    PanelMember,
    Round,
    Sheet,
)
from .models import PanelConfig as PanelConfigRow

if TYPE_CHECKING:
    from .accounts import Actor
    from .unit_of_work import Store


def same_panel(left: Any, right: Any, key: str) -> sa.ColumnElement[bool]:
    """Join condition: rows of ``left`` and ``right`` of the same panel and the same ``key``."""
    return sa.and_(left.panel_id == right.panel_id, getattr(left, key) == getattr(right, key))


def named_sheets(query: sa.Select, panel_id: int) -> sa.Select:
    """``query`` limited to the panel's sheets, joined with their expert and candidate."""
    return (
        query.join(Expert, Expert.id == Sheet.expert_pk)
        .join(Candidate, Candidate.id == Sheet.candidate_pk)
        .where(Sheet.panel_id == panel_id)
    )


def round_id(conn: Connection) -> int:
    """The id of the current round.

    Raises
    ------
    RuleViolation
        Before ``scoring init``.
    """
    rid = conn.execute(sa.select(Round.id).where(Round.is_current)).scalar()
    if rid is None:
        raise RuleViolation(
            "尚无当前评审年度，请先运行 scoring init / no current round: run `scoring init`"
        )
    return int(rid)


def expert_pk(conn: Connection, expert_id: str) -> int:
    """The row id of expert ``expert_id`` in the current round (``NotFound`` if none)."""
    pk = conn.execute(
        sa.select(Expert.id).where(
            Expert.round_id == round_id(conn), Expert.expert_id == str(expert_id)
        )
    ).scalar()
    if pk is None:
        raise NotFound(f"无此专家 / no expert {expert_id}")
    return int(pk)


def candidate_pk(conn: Connection, project_id: str, round_pk: int | None = None) -> int:
    """The row id of candidate ``project_id`` in round ``round_pk`` (default: the current one)."""
    rid = round_pk if round_pk is not None else round_id(conn)
    pk = conn.execute(
        sa.select(Candidate.id).where(
            Candidate.round_id == rid, Candidate.project_id == str(project_id)
        )
    ).scalar()
    if pk is None:
        raise NotFound(f"无此项目 / no candidate {project_id}")
    return int(pk)


def panel_row(conn: Connection, panel_id: Any) -> Any:
    """The panel's row (``id, name, date, status, chair_pk, round_id, purpose, criteria_set``).

    Raises
    ------
    NotFound
        No such panel, or ``panel_id`` is not a number.
    """
    try:
        pid = int(panel_id)
    except (TypeError, ValueError):
        raise NotFound(f"无此评审组 / no panel {panel_id!r}") from None
    row = conn.execute(
        sa.select(
            Panel.id,
            Panel.name,
            Panel.date,
            Panel.status,
            Panel.chair_pk,
            Panel.round_id,
            Panel.purpose,
            Panel.criteria_set,
        ).where(Panel.id == pid)
    ).first()
    if row is None:
        raise NotFound(f"无此评审组 / no panel {panel_id}")
    return row


def frozen_config(store: Store, conn: Connection, panel_id: int) -> tuple[PanelConfig, str] | None:
    """The panel's frozen configuration and its content hash (``None`` before freezing).

    Cached in ``store.configs``: a frozen configuration never changes.
    """
    if panel_id in store.configs:
        return store.configs[panel_id]
    row = conn.execute(
        sa.select(PanelConfigRow.content, PanelConfigRow.content_hash).where(
            PanelConfigRow.panel_id == panel_id
        )
    ).first()
    if row is None:
        return None
    cfg = (PanelConfig.from_json(row.content), row.content_hash)
    store.configs[panel_id] = cfg
    return cfg


def is_member(conn: Connection, panel_id: int, expert_pk: int | None) -> bool:
    """Whether expert ``expert_pk`` is a member of the panel."""
    if expert_pk is None:
        return False
    return (
        conn.execute(
            sa.select(PanelMember.expert_pk).where(
                PanelMember.panel_id == panel_id, PanelMember.expert_pk == expert_pk
            )
        ).first()
        is not None
    )


def member_pks(conn: Connection, panel_id: int) -> list[int]:
    """The row ids of the panel's members."""
    return list(
        conn.execute(
            sa.select(PanelMember.expert_pk).where(PanelMember.panel_id == panel_id)
        ).scalars()
    )


def panel_candidate_pks(conn: Connection, panel_id: int) -> list[int]:
    """The row ids of the panel's candidates."""
    return list(
        conn.execute(
            sa.select(PanelCandidate.candidate_pk).where(PanelCandidate.panel_id == panel_id)
        ).scalars()
    )


def panel_candidate_rows(conn: Connection, panel_id: int) -> list[Any]:
    """The panel's candidates in defense order: ``id, project_id, data, position``."""
    return conn.execute(
        sa.select(Candidate.id, Candidate.project_id, Candidate.data, PanelCandidate.position)
        .join(PanelCandidate, PanelCandidate.candidate_pk == Candidate.id)
        .where(PanelCandidate.panel_id == panel_id)
        .order_by(PanelCandidate.position)
    ).all()


def panel_project_pks(conn: Connection, panel_id: int) -> dict[str, int]:
    """The panel's candidates: project id -> row id."""
    return dict(
        conn.execute(
            sa.select(Candidate.project_id, Candidate.id)
            .join(PanelCandidate, PanelCandidate.candidate_pk == Candidate.id)
            .where(PanelCandidate.panel_id == panel_id)
        ).all()
    )


def recused_sheet_pks(conn: Connection, panel_id: int, expert_pk: int) -> set[int]:
    """The candidates whose sheet of this expert in the panel is ``recused``."""
    return set(
        conn.execute(
            sa.select(Sheet.candidate_pk).where(
                Sheet.panel_id == panel_id,
                Sheet.expert_pk == expert_pk,
                Sheet.status == "recused",
            )
        ).scalars()
    )


def recused_map(
    conn: Connection,
    expert_pks: Iterable[int],
    candidate_pks: Iterable[int],
    *,
    purpose: str = "defense",
) -> dict[tuple[int, int], list[str]]:
    """The (expert, candidate) pairs a recusal rule or declared conflict applies to, with the
    reasons (see :func:`scoring.store.conflicts.recused_pairs`); a panel of ``purpose``
    ``evaluation`` adds the same-city rule."""
    e_ids, c_ids = list(expert_pks), list(candidate_pks)
    if not e_ids or not c_ids:
        return {}
    experts = [
        dict(r._mapping)
        for r in conn.execute(
            sa.select(Expert.id, Expert.employer, Expert.kind, Expert.bank, Expert.city).where(
                Expert.id.in_(e_ids)
            )
        )
    ]
    cands = [
        dict(r._mapping)
        for r in conn.execute(
            sa.select(Candidate.id, Candidate.name, Candidate.lender_bank, Candidate.city).where(
                Candidate.id.in_(c_ids)
            )
        )
    ]
    declared = {
        (r.expert_pk, r.candidate_pk): r.reason
        for r in conn.execute(
            sa.select(Conflict.expert_pk, Conflict.candidate_pk, Conflict.reason).where(
                Conflict.expert_pk.in_(e_ids), Conflict.candidate_pk.in_(c_ids)
            )
        )
    }
    return recused_pairs(experts, cands, declared, same_city=purpose == "evaluation")


def own_sheet_row(
    conn: Connection, actor: Actor, panel_id: Any, project_id: str, *, lock: bool
) -> Any:
    """The actor's sheet for ``project_id`` in the panel (``None`` if there is none):
    ``id, status, version, scores, panel_status``; row-locked with ``lock``."""
    q = (
        sa.select(
            Sheet.id,
            Sheet.status,
            Sheet.version,
            Sheet.scores,
            Panel.status.label("panel_status"),
        )
        .join(Panel, Panel.id == Sheet.panel_id)
        .join(Candidate, Candidate.id == Sheet.candidate_pk)
        .where(
            Sheet.panel_id == int(panel_id),
            Sheet.expert_pk == actor.expert_pk,
            Candidate.project_id == str(project_id),
            Candidate.round_id == Panel.round_id,
        )
    )
    if lock:
        q = q.with_for_update(of=Sheet)
    return conn.execute(q).first()


#: :func:`own_sheet_row` as plain SQL for the save's hot path (``:name`` parameters, see
#: :class:`scoring.store.scores.HotPath`), with the version an identical request stored
#: (``dup_version``) and the comment; ``{lock}`` is empty or PostgreSQL's row lock.
OWN_SHEET_SQL = (
    "SELECT s.id, s.status, s.version, s.scores, p.status AS panel_status, "
    "(SELECT v.version FROM sheet_versions v WHERE v.sheet_id = s.id "
    "AND v.request_id = :request_id) AS dup_version, s.comment "
    "FROM sheets s JOIN panels p ON p.id = s.panel_id JOIN candidates c ON c.id = s.candidate_pk "
    "WHERE s.panel_id = :panel_id AND s.expert_pk = :expert_pk AND c.project_id = :project_id "
    "AND c.round_id = p.round_id{lock}"
)
#: The account's current state and :data:`OWN_SHEET_SQL` in one statement: the account's row
#: even when it has no such sheet (then the sheet's columns are NULL), no row for no account.
ACCOUNT_AND_OWN_SHEET_SQL = (
    "SELECT a.role, a.active, a.code_version, a.expert_pk, s.id, s.status, s.version, s.scores, "
    f"s.panel_status, s.dup_version, s.comment FROM accounts a LEFT JOIN ({OWN_SHEET_SQL}) s "
    "ON 1 = 1 WHERE a.id = :account_id"
)


def has_saved_sheet(conn: Connection, panel_id: int, expert_pk: int | None) -> bool:
    """Whether the expert has saved any sheet in the panel (a version, even if now recused)."""
    return (
        conn.execute(
            sa.select(Sheet.id).where(
                Sheet.panel_id == panel_id, Sheet.expert_pk == expert_pk, Sheet.version > 0
            )
        ).first()
        is not None
    )


def pending_requests(conn: Connection, panel_id: int) -> dict[str, int]:
    """The panel's requests awaiting the chair: kind (``scores``, ``recusal``) -> how many."""
    return dict(
        conn.execute(
            sa.select(Correction.kind, sa.func.count())
            .join(Sheet, Sheet.id == Correction.sheet_id)
            .where(Sheet.panel_id == panel_id, Correction.status == "pending")
            .group_by(Correction.kind)
        ).all()
    )


def recusal_requests(conn: Connection, sheet_ids: Iterable[int]) -> dict[int, list[Any]]:
    """The recusal requests of the sheets: sheet id -> rows ``status, reason``."""
    ids = list(sheet_ids)
    out: dict[int, list[Any]] = {}
    if not ids:
        return out
    for r in conn.execute(
        sa.select(Correction.sheet_id, Correction.status, Correction.reason).where(
            Correction.kind == "recusal", Correction.sheet_id.in_(ids)
        )
    ):
        out.setdefault(r.sheet_id, []).append(r)
    return out


def panel_audit(conn: Connection, panel_id: int, action: str) -> list[Any]:
    """The audit records ``action`` on the panel, oldest first: ``seq, ts, actor, details``."""
    return conn.execute(
        sa.select(AuditRecord.seq, AuditRecord.ts, AuditRecord.actor, AuditRecord.details)
        .where(AuditRecord.action == action, AuditRecord.target == f"panel:{panel_id}")
        .order_by(AuditRecord.seq)
    ).all()
