"""The panel's defense timer as stored: started and stopped by the chair or an organizer, read
by every page of the panel (the timer's arithmetic is :mod:`scoring.store.timers`)."""

from __future__ import annotations

import dataclasses
import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import lookups, rights
from .accounts import Actor
from .errors import NotFound
from .models import Candidate, PanelCandidate, PanelTimer
from .timers import PRESENTATION_S, QUESTIONS_S, TimerState, check_lengths
from .unit_of_work import StoreService


def _timer_of(conn: Connection, panel_id: int) -> TimerState | None:
    r = conn.execute(sa.select(PanelTimer).where(PanelTimer.panel_id == panel_id)).first()
    if r is None:
        return None
    return TimerState(
        str(panel_id),
        r.project_id,
        float(r.started_at),
        int(r.presentation_s),
        int(r.questions_s),
        None if r.stopped_at is None else float(r.stopped_at),
        r.started_by,
    )


class TimerService(StoreService):
    """The defense timer over the shared store."""

    def start_timer(
        self,
        actor: Actor,
        panel_id: int,
        project_id: str,
        *,
        phase: str = "presentation",
        presentation_s: int = PRESENTATION_S,
        questions_s: int = QUESTIONS_S,
    ) -> TimerState:
        """Start (or restart) the panel's defense timer for ``project_id`` (audited).

        Only the panel's chair or an organizer, while the panel is open, for a candidate of the
        panel. ``phase="questions"`` starts at the questions (the presentation counted as over).
        Every page of the panel reads it with :meth:`timer`.
        """
        pres, ques = check_lengths(phase, presentation_s, questions_s)
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.STAFF)
            panel = lookups.panel_row(tx.conn, panel_id)
            rights.may_time_panel(actor, panel)
            rights.require_status(panel, "open")
            on_panel = tx.conn.execute(
                sa.select(PanelCandidate.candidate_pk)
                .join(Candidate, Candidate.id == PanelCandidate.candidate_pk)
                .where(
                    PanelCandidate.panel_id == panel.id,
                    Candidate.project_id == str(project_id),
                )
            ).first()
            if on_panel is None:
                raise NotFound(f"项目不在本评审组 / {project_id} is not on this panel")
            t0 = time.time() - (pres if phase == "questions" else 0)
            values = {
                "project_id": str(project_id),
                "phase": phase,
                "started_at": t0,
                "presentation_s": pres,
                "questions_s": ques,
                "started_by": actor.label,
                "stopped_at": None,
            }
            n = tx.conn.execute(
                sa.update(PanelTimer).where(PanelTimer.panel_id == panel.id).values(**values)
            ).rowcount
            if not n:
                tx.conn.execute(sa.insert(PanelTimer).values(panel_id=panel.id, **values))
            tx.audit(
                "timer.start",
                f"panel:{panel.id}/{project_id}",
                {"phase": phase, "presentation_s": pres, "questions_s": ques, "at": t0},
            )
        return TimerState(str(panel.id), str(project_id), t0, pres, ques, None, actor.label)

    def stop_timer(self, actor: Actor, panel_id: int) -> TimerState | None:
        """Stop the panel's timer (chair or organizer; audited). ``None`` if none is running."""
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.STAFF)
            panel = lookups.panel_row(tx.conn, panel_id)
            rights.may_time_panel(actor, panel)
            t1 = time.time()
            n = tx.conn.execute(
                sa.update(PanelTimer)
                .where(PanelTimer.panel_id == panel.id, PanelTimer.stopped_at.is_(None))
                .values(stopped_at=t1)
            ).rowcount
            if not n:
                return None
            tx.audit("timer.stop", f"panel:{panel.id}", {"at": t1})
            return _timer_of(tx.conn, panel.id)

    def timer(self, actor: Actor, panel_id: int) -> TimerState | None:
        """The panel's defense timer (``None`` before the first start). Any reader of the panel
        (its experts, its chair, organizers, bank reviewers); a reader recused from the
        candidate being heard sees the timer without its id (``project_id`` empty)."""
        with self.store.read() as conn:
            panel = rights.readable_panel(self.store, conn, actor, panel_id)
            state = _timer_of(conn, panel.id)
            if state is not None and rights.hides_project(conn, actor, panel, state.project_id):
                state = dataclasses.replace(state, project_id="")
            return state
