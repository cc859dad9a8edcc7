"""Results of a closed panel: the confirmed scores (or every version, for organizers) and the
ranking computed with the panel's frozen configuration."""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa

from . import lookups, rights
from .accounts import Actor
from .errors import RuleViolation
from .models import Candidate, Expert, PanelCandidate, Sheet, SheetVersion
from .unit_of_work import StoreService

_SCORE_COLUMNS = ["project_id", "expert_id", "criterion", "score", "comment"]
_HISTORY_COLUMNS = ["version", "kind", "author", "approved_by", "reason", "created_at"]


class ResultService(StoreService):
    """Scores and rankings of closed panels over the shared store."""

    def panel_scores(self, actor: Actor, panel_id: int, *, history: bool = False) -> pd.DataFrame:
        """Scores of a closed panel as the long table (``project_id, expert_id, criterion, score``)
        plus the sheet's ``comment`` (评语, repeated on each criterion row of the sheet).

        Only confirmed sheets (their current version). With ``history=True`` (organizer only),
        every version of every sheet with ``version, kind, author, approved_by, reason,
        created_at``. Candidates the actor is recused from are left out.
        """
        with self.store.read() as conn:
            panel = lookups.panel_row(conn, panel_id)
            rights.may_read_results(self.store, conn, actor, panel)
            if history:
                rights.may_read_history(actor)
            cfg = lookups.frozen_config(self.store, conn, panel.id)
            keys = list(cfg[0].keys) if cfg else []
            all_c = lookups.panel_candidate_pks(conn, panel.id)
            hidden = rights.hidden_candidates(conn, actor, panel, all_c)
            base = lookups.named_sheets(
                sa.select(Candidate.project_id, Expert.expert_id, Sheet.candidate_pk), panel.id
            )
            if history:
                rows = conn.execute(
                    base.add_columns(
                        SheetVersion.version,
                        SheetVersion.kind,
                        SheetVersion.scores,
                        SheetVersion.comment,
                        SheetVersion.author,
                        SheetVersion.approved_by,
                        SheetVersion.reason,
                        SheetVersion.created_at,
                    )
                    .join(SheetVersion, SheetVersion.sheet_id == Sheet.id)
                    .order_by(Candidate.project_id, Expert.expert_id, SheetVersion.version)
                ).all()
            else:
                rows = conn.execute(
                    base.add_columns(Sheet.scores, Sheet.comment)
                    .where(Sheet.status == "confirmed")
                    .order_by(Candidate.project_id, Expert.expert_id)
                ).all()
        recs = []
        for r in rows:
            if r.candidate_pk in hidden:
                continue
            extra = {c: getattr(r, c) for c in _HISTORY_COLUMNS} if history else {}
            for k in keys:
                if k in (r.scores or {}):
                    recs.append(
                        {
                            "project_id": r.project_id,
                            "expert_id": r.expert_id,
                            "criterion": k,
                            "score": float(r.scores[k]),
                            "comment": r.comment or "",
                            **extra,
                        }
                    )
        cols = _SCORE_COLUMNS + (_HISTORY_COLUMNS if history else [])
        df = pd.DataFrame.from_records(recs, columns=cols)
        df["score"] = df["score"].astype(float)
        return df

    def results(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """The ranking of a closed panel, computed with its frozen configuration.

        Returns the ``scoring.engine.ranking.rank`` frame (index ``project_id``; ``score``, ``rank``)
        with the aggregated criteria columns and ``name``; ``attrs["config_hash"]`` names the
        configuration.
        """
        long = self.panel_scores(actor, panel_id)
        with self.store.read() as conn:
            cfg, h = lookups.frozen_config(self.store, conn, int(panel_id))  # type: ignore[misc]
            names = dict(
                conn.execute(
                    sa.select(Candidate.project_id, Candidate.name)
                    .join(PanelCandidate, PanelCandidate.candidate_pk == Candidate.id)
                    .where(PanelCandidate.panel_id == int(panel_id))
                ).all()
            )
        if long.empty:
            raise RuleViolation("没有已确认的评分 / no confirmed scores in this panel")
        criteria = cfg.criteria_set
        matrix, ranking = rank_scores(long, cfg)
        out = ranking.join(matrix)
        out.insert(0, "name", [names.get(p, "") for p in out.index])
        if criteria.grades and ranking.attrs.get("scale") is not None:
            # The total is on the set's scale: its grade (优秀 / 良好 / 合格 / 不合格).
            out["grade"] = [_grade_label(criteria, s) for s in out["score"]]
        out.attrs.update(ranking.attrs)
        out.attrs["config_hash"] = h
        out.attrs["panel_id"] = int(panel_id)
        return out


def rank_scores(long: pd.DataFrame, cfg: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The aggregated matrix and the ranking of confirmed long scores under the frozen
    configuration ``cfg`` (a :class:`~scoring.store.config.PanelConfig`); also used by the
    audit's state check (:mod:`scoring.store.audit_diff`)."""
    from ..engine.aggregation import aggregate
    from ..engine.ranking import rank

    criteria = cfg.criteria_set
    matrix = aggregate(long, how=cfg.aggregation, trim_min=cfg.trim_min, criteria=criteria)
    ranking = rank(
        matrix,
        weights=cfg.weights,
        objectives=cfg.objectives,
        criteria=criteria,
        method=cfg.ranking_method,
        **cfg.ranking_options,
    )
    return matrix, ranking


def _grade_label(criteria: Any, score: float) -> str:
    grade = criteria.grade_of(score)
    return "" if grade is None else grade.zh
