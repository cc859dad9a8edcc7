"""Followed projects (跟进项目): from a closed panel's catalogue, imported, listed (``wb.followed``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from ..accounts import Actor
from ..audit import now
from ..errors import NotFound, RuleViolation, StoreError
from ..models import Candidate
from . import rights
from .base import FollowupService, project_row
from .models import FollowedProject

#: Columns of :meth:`FollowedService.projects`.
COLUMNS = [
    "project_id",
    "name",
    "kind",
    "city",
    "provincial",
    "unit_name",
    "industry",
    "indicator_group",
    "catalogue_year",
    "source",
    "lender_bank",
    "status",
    "exited_at",
    "exit_reason",
]
PROVINCIAL = "省属企业"
SOURCES = ("catalogue", "import", "pilot")


def indicator_group(kind: str, enterprise_type: Any) -> str:
    """``region`` for a region project, ``finance`` for a financial institution, else ``entity``."""
    if str(kind) == "region":
        return "region"
    return "finance" if "金融" in str(enterprise_type or "") else "entity"


def _record(data: dict[str, Any], year: int, source: str, candidate_pk: int | None) -> dict:
    from ...followup.indicators import baseline_targets

    kind = str(data.get("kind") or "enterprise")
    group = str(data.get("indicator_group") or indicator_group(kind, data.get("enterprise_type")))
    city = str(data.get("city") or "")
    plan = baseline_targets(data, int(year), group)
    plan = {
        k: {**v, "targets": {str(y): t for y, t in v["targets"].items()}} for k, v in plan.items()
    }
    return {
        "project_id": str(data["project_id"]),
        "name": str(data.get("name") or data["project_id"]),
        "kind": kind,
        "city": city,
        "provincial": city == PROVINCIAL
        or str(data.get("provincial", "")).lower() in ("true", "1", "是"),
        "unit_name": str(data.get("unit_name") or data.get("name") or ""),
        "industry": data.get("industry") or None,
        "indicator_group": group,
        "catalogue_year": int(year),
        "source": source,
        "candidate_pk": candidate_pk,
        "lender_bank": data.get("lender_bank") or None,
        "plan": plan,
        "status": "active",
        "created_at": now(),
    }


class FollowedService(FollowupService):
    """The followed projects."""

    def follow_catalogue(self, actor: Actor, panel_id: int, *, year: int) -> int:
        """Follow every project of a closed panel's catalogue (its shortlist by the frozen cut
        line and tie rule) for ``year``; plan = the application's baselines and targets.
        Projects followed already are left as they are. Returns how many were added."""
        from ...programme.catalogue import catalogue
        from ...programme.shortlist import shortlist
        from ..panels import PanelService
        from ..results import ResultService
        from ..rounds import RoundService

        with self.refusing(actor, "followed.follow_catalogue", f"panel:{panel_id}"):
            with self.store.read() as conn:
                rights.require_current(self.store, conn, actor, *rights.ORGANIZER)
            cfg, _h = PanelService(self.store).panel_config(actor, panel_id)
            ranking = ResultService(self.store).results(actor, panel_id)
            cands = RoundService(self.store).panel_candidates(actor, panel_id)
            short = shortlist(
                ranking[["score", "rank"]],
                cands,
                size=cfg.cut_size,
                min_score=cfg.cut_min_score,
                ties=cfg.tie_rule,
            )
            ids = list(catalogue(short, cands)["project_id"])
            data = cands.set_index("project_id", drop=False)
            return self._add(actor, [data.loc[i].to_dict() for i in ids], year, "catalogue")

    def import_projects(
        self, actor: Actor, source: str | Path | pd.DataFrame, *, year: int | None = None
    ) -> int:
        """Follow projects from a table (``project_id, name, kind, city`` and any application
        fields; optional ``source`` — ``import`` or ``pilot`` — and ``catalogue_year``).
        Returns how many were added (followed ones are skipped)."""
        with self.refusing(actor, "followed.import_projects", "followed"):
            if isinstance(source, pd.DataFrame):
                df = source.copy()
            else:
                from ...io import read_table

                df = read_table(Path(source))
            missing = [c for c in ("project_id", "name", "kind", "city") if c not in df.columns]
            if missing:
                raise StoreError(f"缺少列 / missing columns: {', '.join(missing)}")
            recs = df.astype(object).where(df.notna(), None).to_dict("records")
            from ...followup.clock import today

            y = int(year or today().year)
            return self._add(actor, recs, y, None)

    def _add(self, actor: Actor, recs: list[dict], year: int, source: str | None) -> int:
        added = []
        with self.store.write(actor) as tx:
            rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
            have = set(tx.conn.execute(sa.select(FollowedProject.project_id)).scalars())
            pks = dict(tx.conn.execute(sa.select(Candidate.project_id, Candidate.id)).all())
            for rec in recs:
                pid = str(rec["project_id"])
                if pid in have:
                    continue
                src = source or str(rec.get("source") or "import")
                if src not in SOURCES:
                    raise StoreError(f"来源无效 / source {src!r} is not one of {SOURCES}")
                yr = int(rec.get("catalogue_year") or year)
                row = _record(rec, yr, src, pks.get(pid) if src == "catalogue" else None)
                if row["kind"] not in ("enterprise", "region"):
                    raise StoreError(f"项目类型无效 / project {pid}: kind {row['kind']!r}")
                tx.conn.execute(sa.insert(FollowedProject).values(**row))
                have.add(pid)
                added.append(row)
            for row in added:
                tx.audit(
                    "followed.add",
                    f"followed:{row['project_id']}",
                    {
                        k: row[k]
                        for k in ("name", "kind", "city", "source", "catalogue_year", "plan")
                    },
                )
        return len(added)

    def projects(self, actor: Actor, *, status: str | None = None) -> pd.DataFrame:
        """The followed projects the actor may see (a unit its own, a city bureau its city's,
        everyone else all), by project id. Columns :data:`COLUMNS`."""
        with self.refusing(actor, "followed.projects", "followed"):
            with self.store.read() as conn:
                s = rights.scope(self.store, conn, actor)
                q = sa.select(*(getattr(FollowedProject, c) for c in COLUMNS))
                q = rights.restrict(q, s, FollowedProject.project_id, FollowedProject.city)
                if status is not None:
                    q = q.where(FollowedProject.status == status)
                rows = conn.execute(q.order_by(FollowedProject.project_id)).all()
        return pd.DataFrame([dict(r._mapping) for r in rows], columns=COLUMNS)

    def project(self, actor: Actor, project_id: str) -> dict[str, Any]:
        """One followed project: :data:`COLUMNS` plus ``plan`` and ``confirmer`` (the role that
        confirms its ledgers)."""
        with self.refusing(actor, "followed.project", f"followed:{project_id}"):
            with self.store.read() as conn:
                s = rights.scope(self.store, conn, actor)
                row = project_row(conn, project_id)
                rights.require_sees(s, row, str(project_id))
        out = {c: getattr(row, c) for c in COLUMNS}
        out["plan"] = row.plan
        out["confirmer"] = rights.confirmer_role(row.provincial)
        return out

    def set_plan(self, actor: Actor, project_id: str, plan: dict[str, Any]) -> None:
        """Replace a project's plan (baselines and targets; organizer), audited with it."""
        with self.refusing(actor, "followed.set_plan", f"followed:{project_id}"):
            if not isinstance(plan, dict):
                raise StoreError("计划须为字典 / the plan must be a mapping")
            with self.store.write(actor) as tx:
                rights.require_current(self.store, tx.conn, actor, *rights.ORGANIZER)
                if project_row(tx.conn, project_id) is None:
                    raise NotFound(f"无此跟进项目 / no followed project {project_id}")
                tx.conn.execute(
                    sa.update(FollowedProject)
                    .where(FollowedProject.project_id == str(project_id))
                    .values(plan=plan)
                )
                tx.audit("followed.plan", f"followed:{project_id}", {"plan": plan})


def require_active(row: Any) -> None:
    """Refuse a change to the ledger of an exited project."""
    if row.status == "exited":
        raise RuleViolation(
            f"项目 {row.project_id} 已退出跟进 / project {row.project_id} has exited the follow-up"
        )
