"""The year-to-year cycle (``wb.recommend``): exited projects are not recommended again in a
later round without the organizer's override (with a reason).

A candidate imported into the current round that matches an exited followed project (same
``project_id``, or the same normalised name: :mod:`scoring.evaluation.cycle`) refuses the whole
import (:func:`check_import`, called by :mod:`scoring.store.import_service` inside its write
transaction), unless the organizer granted an override for that project in the round's year
(:meth:`RecommendService.override`, audited as ``recommend.override``). Only projects of an
earlier catalogue year than the round count: re-importing the round that made the catalogue
does not refuse its own candidates.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...errors import InputError
from .. import rights
from ..accounts import Actor
from ..audit import now
from ..errors import NotFound, RuleViolation
from ..followup.base import FollowupService, local_day
from ..followup.models import FollowedProject
from ..followup.rights import require_reason
from ..models import Round
from .models import RecommendOverride

#: Columns of :meth:`RecommendService.exited`.
EXITED_COLUMNS = [
    "project_id",
    "name",
    "city",
    "kind",
    "catalogue_year",
    "exited_at",
    "exit_reason",
    "override_reason",
    "override_by",
]


def round_year(conn: Connection) -> int:
    """The current round's year; refuse before ``scoring init``."""
    year = conn.execute(sa.select(Round.year).where(Round.is_current)).scalar()
    if year is None:
        raise RuleViolation(
            "尚无当前评审年度，请先运行 scoring init / no current round: run `scoring init`"
        )
    return int(year)


def exited_frame(conn: Connection, year: int) -> pd.DataFrame:
    """Exited followed projects with this year's override (if any): :data:`EXITED_COLUMNS`;
    ``exited_at`` is the local date of the exit."""
    o = (
        sa.select(
            RecommendOverride.project_id, RecommendOverride.reason, RecommendOverride.granted_by
        )
        .where(RecommendOverride.year == int(year))
        .subquery()
    )
    rows = conn.execute(
        sa.select(
            FollowedProject.project_id,
            FollowedProject.name,
            FollowedProject.city,
            FollowedProject.kind,
            FollowedProject.catalogue_year,
            FollowedProject.exited_at,
            FollowedProject.exit_reason,
            o.c.reason.label("override_reason"),
            o.c.granted_by.label("override_by"),
        )
        .outerjoin(o, o.c.project_id == FollowedProject.project_id)
        .where(FollowedProject.status == "exited")
        .order_by(FollowedProject.project_id)
    ).all()
    records = [{**r._mapping, "exited_at": local_day(r.exited_at)} for r in rows]
    return pd.DataFrame(records, columns=EXITED_COLUMNS)


def blocked_in(conn: Connection, candidates: pd.DataFrame, year: int | None = None) -> list[Any]:
    """The candidate rows of round ``year`` (default: the current round) that match an exited
    project of an earlier catalogue year without an override for ``year``
    (:class:`scoring.evaluation.cycle.CycleMatch`, in the candidates' order)."""
    from ...evaluation.cycle import exited_matches

    year = round_year(conn) if year is None else int(year)
    ex = exited_frame(conn, year)
    ex = ex[ex["catalogue_year"].astype(int) < year] if len(ex) else ex
    allowed = ex.loc[ex["override_reason"].notna(), "project_id"] if len(ex) else []
    return exited_matches(candidates, ex, overridden=allowed)


def check_import(
    conn: Connection, records: list[dict[str, Any]], rows: list[Any], file: str
) -> None:
    """Refuse a candidates import into the current round with a blocked row.

    Parameters
    ----------
    conn : Connection
        The import's write transaction.
    records : list of dict
        The checked candidate records (``project_id``, ``name``, …).
    rows : list
        Their spreadsheet row numbers.
    file : str
        The file's name, for the problems.

    Raises
    ------
    InputError
        One problem per blocked row: file, row, column, the exit date and reason, and that the
        organizer can grant an override.
    """
    from ...evaluation.cycle import problems

    if not records:
        return
    year = round_year(conn)
    frame = pd.DataFrame(
        {
            "project_id": [r.get("project_id") for r in records],
            "name": [r.get("name") for r in records],
        },
        index=rows,
    )
    matches = blocked_in(conn, frame, year)
    if matches:
        raise InputError(problems(matches, year), file=file)


class RecommendService(FollowupService):
    """Exited projects and the organizer's overrides for the current round (organizer only)."""

    def exited(self, actor: Actor) -> pd.DataFrame:
        """Every exited followed project with the current round's override, if any.

        Returns
        -------
        DataFrame
            :data:`EXITED_COLUMNS` (``override_reason`` / ``override_by`` None without one).
        """
        with self.refusing(actor, "recommend.exited", "followup"):
            with self.store.read() as conn:
                rights.require_current(self.store, conn, actor, *rights.ORGANIZER)
                return exited_frame(conn, round_year(conn))

    def override(self, actor: Actor, project_id: str, reason: str) -> int:
        """Allow an exited followed project to be recommended again in the current round.

        Parameters
        ----------
        actor : Actor
            An organizer.
        project_id : str
            The exited followed project.
        reason : str
            Why (required).

        Returns
        -------
        int
            The override's id.

        Raises
        ------
        AccessDenied
            Not an organizer (the refusal is audited).
        RuleViolation
            No reason, the project has not exited, or an override for this year exists already.
        NotFound
            No such followed project.
        """
        target = f"followed:{project_id}"
        with self.refusing(actor, "recommend.override", target):
            why = require_reason(reason, "再次推荐的例外", "an override")
            with self.store.write(actor) as tx:
                rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
                year = round_year(tx.conn)
                row = tx.conn.execute(
                    sa.select(FollowedProject.status).where(
                        FollowedProject.project_id == str(project_id)
                    )
                ).first()
                if row is None:
                    raise NotFound(f"无此跟进项目 / no followed project {project_id}")
                if row.status != "exited":
                    raise RuleViolation(
                        f"项目 {project_id} 未退出，无需例外 / project {project_id} has not "
                        "exited: no override is needed"
                    )
                old = tx.conn.execute(
                    sa.select(RecommendOverride.id).where(
                        RecommendOverride.year == year,
                        RecommendOverride.project_id == str(project_id),
                    )
                ).scalar()
                if old is not None:
                    raise RuleViolation(
                        f"项目 {project_id} 在 {year} 年已有例外 / project {project_id} has an "
                        f"override for {year} already"
                    )
                oid = tx.conn.execute(
                    sa.insert(RecommendOverride)
                    .values(
                        year=year,
                        project_id=str(project_id),
                        reason=why,
                        granted_by=tx.actor,
                        created_at=now(),
                    )
                    .returning(RecommendOverride.id)
                ).scalar_one()
                tx.audit("recommend.override", target, {"id": oid, "year": year, "reason": why})
                return int(oid)

    def blocked(self, actor: Actor, candidates: pd.DataFrame) -> list[Any]:
        """The rows of ``candidates`` (``project_id``, ``name``; index = row labels) that the
        current round would refuse (:class:`scoring.evaluation.cycle.CycleMatch`)."""
        with self.refusing(actor, "recommend.blocked", "followup"):
            with self.store.read() as conn:
                rights.require_current(self.store, conn, actor, *rights.ORGANIZER)
                return blocked_in(conn, candidates)
