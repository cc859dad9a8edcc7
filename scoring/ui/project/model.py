"""The read-only project model (banks and experts): a followed project's confirmed ledgers and
its indicators over the periods, beside the baseline and the target."""

from __future__ import annotations

from typing import Any

import traitlets as tl

from ..reporting.common import period_rows, plan_of
from ..session import BaseModel


class ProjectModel(BaseModel):
    """State of the read-only project page."""

    roles = ("bank", "expert", "chair", "organizer", "city")
    projects = tl.List()  # [(label, project_id)]
    project_id = tl.Unicode("")
    version = tl.Int(0)

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        super().__init__(backend, **kwargs)
        self.project: dict[str, Any] = {}
        self.ledgers: list[tuple[str, Any]] = []  # [(period, LedgerState)] confirmed, in order
        self.period_keys: list[str] = []

    def after_logout(self) -> None:
        self.project, self.ledgers, self.period_keys = {}, [], []

    def after_login(self) -> None:
        df = self.run(self.backend.followed_projects, self.identity)
        if df is None:
            return
        self.projects = [
            (f"{r['project_id']} {r.get('name', '')}", str(r["project_id"]))
            for r in df.to_dict("records")
        ]
        self.period_keys = [
            p["key"]
            for p in period_rows(
                self.run(self.backend.followup_periods, self.identity, clear=False)
            )
        ]
        if self.projects:
            self.select(self.projects[0][1])

    def select(self, project_id: str) -> None:
        """Read ``project_id`` and its confirmed ledgers."""
        project = self.run(self.backend.followed_project, self.identity, project_id)
        if project is None:
            return
        self.project = project
        self.project_id = str(project_id)
        out = []
        for key in self.period_keys:
            st = self.run(self.backend.ledger, self.identity, project_id, key, clear=False)
            if st is not None and st.status == "confirmed" and st.content:
                out.append((key, st))
        self.ledgers = out
        self.version += 1

    def indicator_table(self) -> tuple[list[str], list[list[Any]]]:
        """``(header, rows)``: one row per indicator; baseline, target of each year, then the value
        of each confirmed period (year to date)."""
        from scoring.followup.indicators import indicators, value_of
        from scoring.followup.periods import period_label

        group = str(self.project.get("indicator_group") or "entity")
        keys = [k for k, _s in self.ledgers]
        years = sorted({int(k[:4]) for k in keys}) or []
        head = [self.tr("fu.indicator"), self.tr("fu.baseline")]
        head += [f"{self.tr('fu.target')} {y}" for y in years]
        head += [period_label(k, self.lang) for k in keys]
        rows = []
        for ind in indicators(group):
            if not ind.entered:
                continue
            base, _t = plan_of(self.project, ind.key, years[0] if years else 0)
            vals = []
            for _k, st in self.ledgers:
                entry = (st.content.get("indicators") or {}).get(ind.key)
                vals.append(value_of(ind, entry) if entry else None)
                if base is None and entry and entry.get("baseline") is not None:
                    base = entry.get("baseline")
            targets = [plan_of(self.project, ind.key, y)[1] for y in years]
            rows.append([ind.label(self.lang), base, *targets, *vals])
        return head, rows
