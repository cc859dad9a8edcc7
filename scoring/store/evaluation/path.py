"""A project's whole path (项目全过程): its defenses, catalogue year, ledgers, evaluations, risks
and exit decisions — ``wb.evaluation.project_path`` (a mixin of
:class:`~scoring.store.evaluation.service.EvaluationService`)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa

from .. import rights as review_rights
from ..accounts import Actor
from ..errors import NotFound, StoreError
from ..models import Candidate, Round
from . import gather


class ProjectPathMixin:
    """``project_path`` over the review and follow-up stores (``self`` is a follow-up service)."""

    def project_path(self, actor: Actor, project_id: str) -> dict[str, Any]:
        """A project's whole path (organizer, chair): its defenses (panel, date, score, rank),
        catalogue year and status, the ledgers (period, state, timeliness), its evaluations
        (panel, year, score, grade), the risks and the exit decisions. Panels whose results
        are not yet visible are listed without scores."""
        from ..followup.models import ExitDecision
        from ..results import ResultService

        pid = str(project_id)
        with self.refusing(actor, "evaluation.project_path", f"followed:{pid}"):
            with self.store.read() as conn:
                review_rights.require_current(self.store, conn, actor, *review_rights.STAFF)
                from ..models import Panel, PanelCandidate

                rows = conn.execute(
                    sa.select(
                        Panel.id,
                        Panel.name,
                        Panel.date,
                        Panel.status,
                        Panel.purpose,
                        Round.year,
                    )
                    .join(PanelCandidate, PanelCandidate.panel_id == Panel.id)
                    .join(Candidate, Candidate.id == PanelCandidate.candidate_pk)
                    .join(Round, Round.id == Panel.round_id)
                    .where(Candidate.project_id == pid)
                    .order_by(Panel.date, Panel.id)
                ).all()
                followed = gather.followed_rows(conn, [pid]).get(pid)
                year_of = {
                    r.id: gather.evaluated(conn, r)[0] for r in rows if r.purpose == "evaluation"
                }
                decisions = [
                    dict(r._mapping)
                    for r in conn.execute(
                        sa.select(
                            ExitDecision.exit,
                            ExitDecision.reason,
                            ExitDecision.grounds,
                            ExitDecision.decided_by,
                            ExitDecision.created_at,
                        )
                        .where(ExitDecision.project_id == pid)
                        .order_by(ExitDecision.id)
                    )
                ]
                risks = gather.risk_rows(conn, [pid])[pid]
                timeliness = (
                    gather.timeliness_frame(conn, int(followed["catalogue_year"]), [pid])
                    if followed
                    else pd.DataFrame()
                )
            if not rows and followed is None:
                raise NotFound(f"无此项目 / no project {pid}")
            results = ResultService(self.store)
            defenses, evaluations = [], []
            for r in rows:
                entry: dict[str, Any] = {
                    "panel_id": r.id,
                    "panel": r.name,
                    "date": r.date,
                    "status": r.status,
                    "year": int(r.year),
                    "score": None,
                    "rank": None,
                    "grade": None,
                }
                if r.status == "closed":
                    try:
                        res = results.results(actor, r.id)
                    except StoreError:
                        res = None
                    if res is not None and pid in res.index:
                        entry["score"] = float(res.at[pid, "score"])
                        entry["rank"] = int(res.at[pid, "rank"])
                        entry["of"] = int(len(res))
                        if "grade" in res.columns:
                            entry["grade"] = res.at[pid, "grade"]
                if r.purpose == "evaluation":
                    entry["year"] = year_of[r.id]
                    evaluations.append(entry)
                else:
                    defenses.append(entry)
            ledgers = (
                [
                    {
                        "period": t["period"],
                        "ledger_status": t.get("ledger_status")
                        if isinstance(t.get("ledger_status"), str)
                        else None,
                        "timeliness": t["status"],
                        "days_late": int(t.get("days_late") or 0),
                    }
                    for t in timeliness.to_dict("records")
                ]
                if len(timeliness)
                else []
            )
            return {
                "project_id": pid,
                "name": (followed or {}).get("name") or _candidate_name_of(self.store, pid),
                "defenses": defenses,
                "followed": None
                if followed is None
                else {
                    k: followed.get(k)
                    for k in (
                        "catalogue_year",
                        "status",
                        "city",
                        "kind",
                        "exited_at",
                        "exit_reason",
                    )
                },
                "ledgers": ledgers,
                "evaluations": evaluations,
                "risks": risks,
                "decisions": decisions,
            }


def _candidate_name_of(store: Any, project_id: str) -> str:
    with store.read() as conn:
        name = conn.execute(
            sa.select(Candidate.name).where(Candidate.project_id == project_id).limit(1)
        ).scalar()
    return str(name or "")
