"""项目跟进查看 — the read-only project page for banks and experts: a followed project's
confirmed ledgers and its indicators over the periods, beside the baseline and the target."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..app import build_app
from ..markup import esc, html_table
from ..reporting.common import fmt_num, ledger_html
from ..widgets import PAGE_LAYOUT, PageView
from .model import ProjectModel


class ProjectView(PageView):
    """Widgets of the project page, linked to a :class:`ProjectModel`."""

    model: ProjectModel

    def __init__(self, model: ProjectModel) -> None:
        super().__init__(model, "app.project")
        m, safe = model, self.safe
        self.project = w.Dropdown(layout=w.Layout(width="480px"))
        self.project.add_class("scoring-fu-project")
        self.project.observe(safe(self._on_project), "value")
        self.info = w.HTML()
        self.over_time = w.HTML(layout=w.Layout(overflow="auto"))
        self.over_time.add_class("scoring-proj-indicators")
        self.ledgers = w.Accordion()
        self.ledgers.add_class("scoring-proj-ledgers")
        self.titles = (w.HTML(), w.HTML())
        self.main = w.VBox(
            [self.project, self.info, self.titles[0], self.over_time, self.titles[1], self.ledgers]
        )
        self.body = w.VBox()
        self.root = w.VBox([self.header.box, self.messages.box, self.body], layout=PAGE_LAYOUT)
        self.root.add_class("scoring-project")
        self._quiet = False
        m.observe(safe(self._render), ["logged_in", "lang", "projects", "version"])
        self._render()

    def _on_project(self, change: dict) -> None:
        if not self._quiet and change["new"] and change["new"] != self.model.project_id:
            self.model.select(change["new"])

    def _render(self, _change: Any = None) -> None:
        from scoring.followup.periods import period_label

        m = self.model
        tr = m.tr
        if not m.logged_in:
            self.body.children = [self.login.box]
            return
        self._quiet = True
        try:
            if list(self.project.options) != m.projects:
                self.project.options = m.projects
            self.project.value = m.project_id or None
        finally:
            self._quiet = False
        self.project.description = tr("proj.pick")
        p = m.project
        kind = str(p.get("kind") or "enterprise")
        self.info.value = f"<small>{esc(tr('proj.info', city=p.get('city', ''), kind=tr('fu.kind.' + kind), unit=p.get('unit_name', '') or ''))}</small>"
        self.titles[0].value = f"<h3 style='margin:8px 0 2px'>{esc(tr('proj.over_time'))}</h3>"
        self.titles[1].value = f"<h3 style='margin:8px 0 2px'>{esc(tr('proj.ledgers'))}</h3>"
        if not m.ledgers:
            self.over_time.value = f"<i>{esc(tr('proj.none'))}</i>"
            self.ledgers.children = []
        else:
            head, rows = m.indicator_table()
            self.over_time.value = html_table(
                [[r[0], *[fmt_num(v) for v in r[1:]]] for r in rows], head, cls="scoring-proj-table"
            )
            group = str(p.get("indicator_group") or "entity")
            kids = [
                w.HTML(
                    ledger_html(st.content, kind, m.lang, group=group, project=p, year=int(k[:4]))
                )
                for k, st in m.ledgers
            ]
            self.ledgers.children = kids
            self.ledgers.titles = tuple(period_label(k, m.lang) for k, _s in m.ledgers)
            self.ledgers.selected_index = len(kids) - 1
        self.body.children = [self.main]


def project_app(backend: Any = None, *, lang: str = "zh") -> w.Widget:
    """The read-only project page (banks, experts), ready to display."""
    return build_app(ProjectModel, ProjectView, backend, lang=lang, poll=False)
