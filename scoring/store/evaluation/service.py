"""The yearly evaluation (``wb.evaluation``): evaluation panels over followed projects, the
evidence card, the measurable points' suggestions, grades with their SMAA probabilities, the
departures from the suggestions, replicable cases, the exit list.

An evaluation panel is an ordinary panel (purpose ``evaluation``): the defense's rules hold
unchanged — frozen configuration and its hash, recusal (with the same-city rule), blind
scoring, signed sheets, chair-approved corrections, the audit chain. This service adds what the
evaluation needs around it; every refusal is audited (``followup.denied``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa

from ...evaluation.evidence import Evidence, build_evidence
from ...evaluation.suggestions import Suggestion, departures, suggestions
from .. import lookups
from .. import rights as review_rights
from ..accounts import Actor
from ..audit import now
from ..errors import NotFound, RuleViolation, StoreError
from ..followup.base import FollowupService
from ..followup.models import FollowedProject, RiskRecord
from ..models import Candidate
from ..panels import checked_name_and_date, insert_panel, panel_criteria_set
from . import gather
from .models import EvaluationCase, EvaluationPanel
from .path import ProjectPathMixin

KINDS = ("enterprise", "region")


class EvaluationService(ProjectPathMixin, FollowupService):
    """The yearly evaluation over the review and follow-up stores."""

    # ------------------------------------------------------------ panels
    def create_panel(
        self,
        actor: Actor,
        name: str,
        *,
        year: int,
        kind: str,
        date: str | None = None,
        chair: str | None = None,
        members: list[str] | tuple[str, ...] = (),
        projects: list[str] | None = None,
        criteria_set: str | None = None,
    ) -> int:
        """Create a draft evaluation panel of ``year``'s followed projects of ``kind``.

        ``projects`` defaults to every active followed project of the kind catalogued in or
        before ``year`` (by city, then id); ``criteria_set`` to ``evaluation-<kind>``. Followed
        projects without a candidate row in the current round get one (their follow-up
        record's name, city and lender bank). Organizer only; returns the panel id.
        """
        with self.refusing(actor, "evaluation.create_panel", f"evaluation:{year}:{kind}"):
            if kind not in KINDS:
                raise StoreError(
                    f"项目类型无效 / kind must be one of {', '.join(KINDS)}, got {kind!r}"
                )
            set_name = panel_criteria_set("evaluation", criteria_set or f"evaluation-{kind}")
            name, date = checked_name_and_date(name, date)
            with self.store.write(actor) as tx:
                review_rights.require_current(self.store, tx.conn, actor, *review_rights.ORGANIZER)
                rows = self._projects(tx.conn, int(year), kind, projects)
                ids = [r.project_id for r in rows]
                self._candidates(tx.conn, rows)
                pid = insert_panel(
                    tx, name, date, chair, list(members), ids, "evaluation", set_name
                )
                tx.conn.execute(
                    sa.insert(EvaluationPanel).values(panel_id=pid, year=int(year), kind=kind)
                )
                tx.audit(
                    "evaluation.create",
                    f"panel:{pid}",
                    {"year": int(year), "kind": kind, "projects": ids},
                )
                return pid

    def _projects(self, conn: Any, year: int, kind: str, projects: list[str] | None) -> list[Any]:
        q = sa.select(*FollowedProject.__table__.c).where(FollowedProject.kind == kind)
        if projects is None:
            q = q.where(
                FollowedProject.status == "active", FollowedProject.catalogue_year <= year
            ).order_by(FollowedProject.city, FollowedProject.project_id)
            rows = list(conn.execute(q).all())
        else:
            found = {
                r.project_id: r
                for r in conn.execute(
                    q.where(FollowedProject.project_id.in_([str(p) for p in projects]))
                ).all()
            }
            missing = [str(p) for p in projects if str(p) not in found]
            if missing:
                raise NotFound(
                    f"不是该类型的跟进项目 / not followed projects of kind {kind}: "
                    + "、".join(missing)
                )
            rows = [found[str(p)] for p in projects]
        if not rows:
            raise RuleViolation(
                f"{year} 年没有可评估的跟进项目 / no followed {kind} project to evaluate for {year}"
            )
        return rows

    def _candidates(self, conn: Any, rows: list[Any]) -> None:
        rid = lookups.round_id(conn)
        have = set(
            conn.execute(
                sa.select(Candidate.project_id).where(
                    Candidate.round_id == rid,
                    Candidate.project_id.in_([r.project_id for r in rows]),
                )
            ).scalars()
        )
        new = [
            {
                "round_id": rid,
                "project_id": r.project_id,
                "name": r.name,
                "kind": r.kind,
                "city": r.city,
                "industry": r.industry,
                "enterprise_type": None,
                "lender_bank": r.lender_bank,
                # the imported-fields record, as an imported candidate's (the bank's pool,
                # the candidates list read it); marked as taken from the follow-up
                "data": {
                    "project_id": r.project_id,
                    "name": r.name,
                    "kind": r.kind,
                    "city": r.city,
                    "industry": r.industry or "",
                    "lender_bank": r.lender_bank or "",
                    "followed": True,
                    "catalogue_year": r.catalogue_year,
                },
            }
            for r in rows
            if r.project_id not in have
        ]
        if new:
            conn.execute(sa.insert(Candidate), new)

    def panels(self, actor: Actor) -> pd.DataFrame:
        """The evaluation panels ``actor`` may see: ``id, name, date, status, criteria_set,
        year, kind``."""
        with self.store.read() as conn:
            review_rights.require_current(self.store, conn, actor)
            readable = {p["id"] for p in _readable_panels(self.store, conn, actor)}
            rows = [r for r in gather.evaluation_panels(conn) if r.id in readable]
            out = []
            for r in rows:
                year, kind = (r.year, r.kind) if r.year is not None else gather.evaluated(conn, r)
                out.append(
                    {
                        "id": r.id,
                        "name": r.name,
                        "date": r.date,
                        "status": r.status,
                        "criteria_set": r.criteria_set,
                        "year": int(year),
                        "kind": kind,
                    }
                )
        cols = ["id", "name", "date", "status", "criteria_set", "year", "kind"]
        return pd.DataFrame(out, columns=cols)

    # ------------------------------------------------------------ evidence
    def evidence(self, actor: Actor, panel_id: int, project_id: str) -> Evidence:
        """The evidence card of one of the panel's projects (see :class:`Evidence`). Readers
        of the panel; a member recused from the project is refused as if it did not exist."""
        with self.refusing(actor, "evaluation.evidence", f"panel:{panel_id}:{project_id}"):
            cards = self._evidences(actor, panel_id, [str(project_id)])
            if str(project_id) not in cards:
                raise NotFound(f"无此项目 / no project {project_id} in panel {panel_id}")
            return cards[str(project_id)]

    def evidences(self, actor: Actor, panel_id: int) -> dict[str, Evidence]:
        """Every visible project's evidence card (project id -> :class:`Evidence`), in the
        panel's order."""
        with self.refusing(actor, "evaluation.evidences", f"panel:{panel_id}"):
            return self._evidences(actor, panel_id, None)

    def _evidences(
        self, actor: Actor, panel_id: int, only: list[str] | None
    ) -> dict[str, Evidence]:
        with self.store.read() as conn:
            panel = review_rights.readable_panel(self.store, conn, actor, panel_id)
            _require_evaluation(panel)
            cfg = lookups.frozen_config(self.store, conn, panel.id)
            from ...engine.criteria.registry import criteria_set

            criteria = cfg[0].criteria_set if cfg else criteria_set(panel.criteria_set)
            year, _kind = gather.evaluated(conn, panel)
            visible = review_rights.visible_candidates(conn, actor, panel)
            ids = [str(r.project_id) for r in visible]
            if only is not None:
                ids = [p for p in ids if p in set(only)]
            names = {
                str(r.project_id): r
                for r in conn.execute(
                    sa.select(
                        Candidate.project_id,
                        Candidate.name,
                        Candidate.city,
                        Candidate.kind,
                        Candidate.lender_bank,
                    ).where(Candidate.round_id == panel.round_id, Candidate.project_id.in_(ids))
                ).all()
            }
            followed = gather.followed_rows(conn, ids)
            ledgers = gather.ledger_rows(conn, year, ids)
            timeliness = gather.timeliness_frame(conn, year, ids)
            progress = gather.progress_rows(ledgers, followed)
            risks = gather.risk_rows(conn, ids)
        by_ledgers: dict[str, list[dict[str, Any]]] = {p: [] for p in ids}
        for r in ledgers:
            by_ledgers[str(r.project_id)].append(
                {"period": r.period, "status": r.status, "content": r.content}
            )
        out: dict[str, Evidence] = {}
        for p in ids:
            project = followed.get(p)
            if project is None:
                c = names.get(p)
                project = {
                    "project_id": p,
                    "name": getattr(c, "name", ""),
                    "city": getattr(c, "city", ""),
                    "kind": getattr(c, "kind", ""),
                    "lender_bank": getattr(c, "lender_bank", None),
                    "status": None,
                }
            t = timeliness[timeliness["project_id"].astype(str) == p]
            g = progress[progress["project_id"].astype(str) == p] if len(progress) else progress
            sugg = suggestions(criteria, t, g)
            out[p] = build_evidence(year, project, by_ledgers[p], t, g, risks.get(p, []), sugg)
        return out

    def suggestions(self, actor: Actor, panel_id: int) -> dict[str, dict[str, Suggestion]]:
        """project id -> criterion -> :class:`Suggestion` for every visible project."""
        return {p: e.suggestions for p, e in self.evidences(actor, panel_id).items()}

    # ------------------------------------------------------------ results
    def grades(
        self,
        actor: Actor,
        panel_id: int,
        *,
        samples: int = 4_000,
        seed: int = 0,
        spread: float | None = None,
    ) -> pd.DataFrame:
        """The closed panel's results with each project's grade and the SMAA probability of
        every grade (columns ``p_<grade key>``), ``grade_key``, ``fragile`` (the probability of
        its own grade below 0.8) and ``city, kind``. Readers of the panel's results."""
        from ...engine.sensitivity import grade_acceptability
        from ..results import ResultService

        res = ResultService(self.store).results(actor, panel_id)
        with self.store.read() as conn:
            panel = lookups.panel_row(conn, panel_id)
            _require_evaluation(panel)
            cfg, _h = lookups.frozen_config(self.store, conn, panel.id)  # type: ignore[misc]
            meta = {
                str(r.project_id): (r.city, r.kind)
                for r in conn.execute(
                    sa.select(Candidate.project_id, Candidate.city, Candidate.kind).where(
                        Candidate.round_id == panel.round_id,
                        Candidate.project_id.in_([str(p) for p in res.index]),
                    )
                )
            }
        criteria = cfg.criteria_set
        keys = list(criteria.keys)
        out = res.copy()
        out["city"] = [meta.get(str(p), ("", ""))[0] for p in out.index]
        out["kind"] = [meta.get(str(p), ("", ""))[1] for p in out.index]
        out["grade_key"] = [getattr(criteria.grade_of(s), "key", None) for s in out["score"]]
        probs = grade_acceptability(
            out[keys],
            weights=cfg.weights,
            objectives=cfg.objectives,
            grades=criteria.grades,
            scale=criteria.scale,
            samples=samples,
            seed=seed,
            spread=spread,
        )
        for g in criteria.grades:
            out[f"p_{g.key}"] = probs.probabilities[g.key].reindex(out.index).to_numpy()
        own = [
            out.at[p, f"p_{k}"] if k else float("nan")
            for p, k in zip(out.index, out["grade_key"], strict=True)
        ]
        out["p_own"] = own
        out["fragile"] = [bool(x < 0.8) for x in own]
        out.attrs.update(res.attrs)
        return out

    def departures(self, actor: Actor, panel_id: int) -> pd.DataFrame:
        """The confirmed scores of a closed panel outside their suggested band (see
        :func:`scoring.evaluation.suggestions.departures`), with the project's name."""
        from ..results import ResultService

        results = ResultService(self.store)
        long = results.panel_scores(actor, panel_id)
        names = results.results(actor, panel_id)["name"].to_dict()
        sugg = self.suggestions(actor, panel_id)
        out = departures(long, sugg)
        out.insert(1, "name", [names.get(p, "") for p in out["project_id"]])
        return out

    # ------------------------------------------------------------ cases and the exit list
    def mark_case(self, actor: Actor, panel_id: int, project_id: str, note: str) -> None:
        """Mark a project as a replicable case (可复制推广的典型案例) with a note (chair or
        organizer; the note is required; marking again replaces the note)."""
        from ..followup import rights as followup_rights

        with self.refusing(actor, "evaluation.mark_case", f"panel:{panel_id}:{project_id}"):
            text = followup_rights.require_reason(note, "典型案例说明", "a case note")
            with self.store.write(actor) as tx:
                panel = review_rights.overseen_panel(self.store, tx.conn, actor, panel_id)
                _require_evaluation(panel)
                if str(project_id) not in lookups.panel_project_pks(tx.conn, panel.id):
                    raise NotFound(f"无此项目 / no project {project_id} in panel {panel_id}")
                tx.conn.execute(
                    sa.delete(EvaluationCase).where(
                        EvaluationCase.panel_id == panel.id,
                        EvaluationCase.project_id == str(project_id),
                    )
                )
                tx.conn.execute(
                    sa.insert(EvaluationCase).values(
                        panel_id=panel.id,
                        project_id=str(project_id),
                        note=text,
                        marked_by=tx.actor,
                        created_at=now(),
                    )
                )
                tx.audit("evaluation.case", f"panel:{panel.id}:{project_id}", {"note": text})

    def cases(self, actor: Actor, panel_id: int | None = None) -> pd.DataFrame:
        """The marked replicable cases (``panel_id, project_id, note, marked_by, created_at``)
        of one panel or of every evaluation panel the actor may read."""
        with self.store.read() as conn:
            review_rights.require_current(self.store, conn, actor)
            readable = {p["id"] for p in _readable_panels(self.store, conn, actor)}
            q = sa.select(
                EvaluationCase.panel_id,
                EvaluationCase.project_id,
                EvaluationCase.note,
                EvaluationCase.marked_by,
                EvaluationCase.created_at,
            ).order_by(EvaluationCase.panel_id, EvaluationCase.project_id)
            if panel_id is not None:
                q = q.where(EvaluationCase.panel_id == int(panel_id))
            rows = [dict(r._mapping) for r in conn.execute(q) if r.panel_id in readable]
        return pd.DataFrame(
            rows, columns=["panel_id", "project_id", "note", "marked_by", "created_at"]
        )

    def send_to_exit(self, actor: Actor, panel_id: int) -> list[str]:
        """Put the closed panel's failed projects (the set's last grade, 不合格) on the
        follow-up's exit list: a ``poor_evaluation`` risk record each, with the panel, the
        total, the grade and the configuration hash as evidence. Idempotent (a project already
        sent by this panel is not sent twice). Organizer only; returns the project ids sent."""
        with self.refusing(actor, "evaluation.send_to_exit", f"panel:{panel_id}"):
            from ..results import ResultService

            # the grades only: the SMAA probabilities of grades() are not needed here
            res = ResultService(self.store).results(actor, panel_id)
            with self.store.write(actor) as tx:
                review_rights.require_current(self.store, tx.conn, actor, *review_rights.ORGANIZER)
                panel = lookups.panel_row(tx.conn, panel_id)
                _require_evaluation(panel)
                cfg, h = lookups.frozen_config(self.store, tx.conn, panel.id)  # type: ignore[misc]
                criteria = cfg.criteria_set
                fail = criteria.grades[-1].key if criteria.grades else None
                tag = f"panel:{panel.id}"
                sent_before = set(
                    tx.conn.execute(
                        sa.select(RiskRecord.project_id).where(
                            RiskRecord.kind == "poor_evaluation",
                            RiskRecord.evidence.like(f"%{tag}%"),
                        )
                    ).scalars()
                )
                followed = gather.followed_rows(tx.conn, [str(p) for p in res.index])
                sent = []
                for p in res.index:
                    p = str(p)
                    grade = criteria.grade_of(float(res.at[p, "score"]))
                    if getattr(grade, "key", None) != fail or p in sent_before:
                        continue
                    if followed.get(p, {}).get("status") != "active":
                        continue
                    score = float(res.at[p, "score"])
                    tx.conn.execute(
                        sa.insert(RiskRecord).values(
                            project_id=p,
                            kind="poor_evaluation",
                            description=(
                                f"{panel.name}：年度绩效评估总分 {score:.1f}，"
                                f"等级 {res.at[p, 'grade']}"
                            ),
                            evidence=f"{tag} config:{h[:12]} score:{score:.2f}",
                            recorded_by=tx.actor,
                            created_at=now(),
                        )
                    )
                    sent.append(p)
                tx.audit("evaluation.exit_list", tag, {"projects": sent})
                return sent


def _require_evaluation(panel: Any) -> None:
    if panel.purpose != "evaluation":
        raise RuleViolation(
            f"评审组 {panel.id} 不是年度评估组 / panel {panel.id} is not an evaluation panel"
        )


def _readable_panels(store: Any, conn: Any, actor: Actor) -> list[dict[str, Any]]:
    from ..panels import PanelService

    del conn
    return PanelService(store).panels(actor)
