"""跟进统计 — the management tabs of :class:`~scoring.ui.followstats.view.FollowStatsView`: exit
candidates with their grounds and the decision form, the periods' dates and exceptions, and the
summary xlsx and PDF (each built and read when first opened)."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..markup import download_link, esc, html_table


class ManageTabsMixin:
    """The exits, periods and files tabs of the statistics page (needs ``self.model``)."""

    # -- exits -------------------------------------------------------------------------------
    def _build_exits(self) -> None:
        m, safe = self.model, self.safe
        self.exit_title = w.HTML()
        self.exit_table = w.HTML(layout=w.Layout(overflow="auto", max_height="360px"))
        self.exit_table.add_class("scoring-fs-exits")
        self.exit_project = w.Dropdown(layout=w.Layout(width="320px"))
        self.exit_project.add_class("scoring-fs-exit-project")
        self.exit_choice = w.ToggleButtons()
        self.exit_choice.add_class("scoring-fs-exit-choice")
        self.exit_reason = w.Text(layout=w.Layout(width="420px"))
        self.exit_reason.add_class("scoring-fs-exit-reason")
        self.exit_go = w.Button(button_style="danger")
        self.exit_go.add_class("scoring-fs-exit-go")
        self.exit_go.on_click(safe(self._decide))
        self.panes["exits"].children = [
            self.exit_title,
            self.exit_table,
            w.HBox(
                [self.exit_project, self.exit_choice, self.exit_reason, self.exit_go],
                layout=w.Layout(flex_flow="row wrap", align_items="center"),
            ),
        ]
        del m

    def _decide(self, _b: Any = None) -> None:
        pid = self.exit_project.value
        if pid and self.model.decide(pid, self.exit_choice.value == "exit", self.exit_reason.value):
            self.exit_reason.value = ""

    def _fill_exits(self) -> None:
        from scoring.followup.workflow import exit_settings

        m = self.model
        tr = m.tr
        self.exit_title.value = f"<h3 style='margin:8px 0 2px'>{esc(tr('fs.exits'))}</h3>"
        grounds = exit_settings().get("grounds", {})
        df = m.exits
        zh = m.lang == "zh"
        if df is None or not len(df):
            self.exit_table.value = f"<i>{esc(tr('fs.no_exits'))}</i>"
        else:
            rows = [
                [
                    r["project_id"],
                    r.get("name", ""),
                    r.get("city", ""),
                    grounds.get(r["ground"], {}).get("zh" if zh else "en", r["ground"]),
                    r.get("evidence_zh" if zh else "evidence_en", ""),
                ]
                for r in df.to_dict("records")
            ]
            head = [
                tr("col.project_id"),
                tr("col.name"),
                tr("fs.by.city"),
                tr("fs.ground"),
                tr("fs.evidence"),
            ]
            self.exit_table.value = html_table(rows, head, cls="scoring-fs-exit-table")
        keep = self.exit_project.value
        self.exit_project.options = m.exit_projects()
        ids = [p for _l, p in m.exit_projects()]
        self.exit_project.value = keep if keep in ids else (ids[0] if ids else None)
        self.exit_project.description = tr("fu.project")
        self.exit_choice.options = [(tr("fs.decide_exit"), "exit"), (tr("fs.decide_keep"), "keep")]
        self.exit_choice.value = "keep"
        self.exit_reason.placeholder = tr("fs.decision_reason")
        self.exit_go.description = tr("conf.confirm")
        self.exit_go.disabled = not m.exit_projects()

    # -- periods -----------------------------------------------------------------------------
    def _build_periods(self) -> None:
        m, safe = self.model, self.safe
        self.per_title = w.HTML()
        self.per_rows = w.VBox()
        self.per_rows.add_class("scoring-fs-periods")
        self.exc_title = w.HTML()
        self.exc_project = w.Combobox(ensure_option=True, layout=w.Layout(width="320px"))
        self.exc_project.add_class("scoring-fs-exc-project")
        self.exc_period = w.Dropdown(layout=w.Layout(width="220px"))
        self.exc_until = w.DatePicker(layout=w.Layout(width="200px"))
        self.exc_reason = w.Text(layout=w.Layout(width="320px"))
        self.exc_go = w.Button()
        self.exc_go.add_class("scoring-fs-exc-go")
        self.exc_go.on_click(safe(self._grant))
        self.panes["periods"].children = [
            self.per_title,
            self.per_rows,
            self.exc_title,
            w.HBox(
                [self.exc_project, self.exc_period, self.exc_until, self.exc_reason, self.exc_go],
                layout=w.Layout(flex_flow="row wrap"),
            ),
        ]
        del m

    def _grant(self, _b: Any = None) -> None:
        pid = (self.exc_project.value or "").split(" ", 1)[0]
        if self.model.grant(
            pid, self.exc_period.value or "", self.exc_until.value, self.exc_reason.value
        ):
            self.exc_reason.value = ""

    def _fill_periods(self) -> None:
        from scoring.followup.periods import period_label

        m = self.model
        tr = m.tr
        self.per_title.value = f"<h3 style='margin:8px 0 2px'>{esc(tr('fs.periods'))}</h3>"
        rows = []
        for p in m.periods:
            due = w.DatePicker(
                value=p["due"], description=tr("fu.due"), layout=w.Layout(width="230px")
            )
            lock = w.DatePicker(
                value=p["lock"], description=tr("fu.lock"), layout=w.Layout(width="230px")
            )
            go = w.Button(description=tr("fs.save_dates"))
            go.add_class(f"scoring-fs-save-{p['key']}")
            go.on_click(
                self.safe(lambda _b, k=p["key"], d=due, lk=lock: m.set_dates(k, d.value, lk.value))
            )
            rows.append(
                w.HBox(
                    [
                        w.HTML(
                            f"<b>{esc(period_label(p['key'], m.lang))}</b>",
                            layout=w.Layout(width="170px"),
                        ),
                        due,
                        lock,
                        go,
                    ],
                    layout=w.Layout(flex_flow="row wrap", align_items="center"),
                )
            )
        self.per_rows.children = rows
        self.exc_title.value = f"<h3 style='margin:8px 0 2px'>{esc(tr('fs.exception'))}</h3>"
        proj = m.projects
        self.exc_project.options = (
            [f"{r['project_id']} {r.get('name', '')}" for r in proj.to_dict("records")]
            if proj is not None
            else []
        )
        self.exc_project.placeholder = tr("fu.project")
        keep = self.exc_period.value
        self.exc_period.options = [(period_label(p["key"], m.lang), p["key"]) for p in m.periods]
        keys = [p["key"] for p in m.periods]
        self.exc_period.value = keep if keep in keys else (keys[0] if keys else None)
        self.exc_until.description = tr("fs.until")
        self.exc_reason.placeholder = tr("fs.decision_reason")
        self.exc_go.description = tr("fs.grant")

    # -- files -------------------------------------------------------------------------------
    def _build_files(self) -> None:
        m, safe = self.model, self.safe
        self.file_xlsx = w.Button(icon="table")
        self.file_xlsx.add_class("scoring-fs-xlsx")
        self.file_xlsx.on_click(safe(lambda _b: m.build_file("xlsx")))
        self.file_pdf = w.Button(icon="file")
        self.file_pdf.add_class("scoring-fs-pdf")
        self.file_pdf.on_click(safe(lambda _b: m.build_file("pdf")))
        self.file_links = w.HTML()
        self.file_links.add_class("scoring-downloads")
        self.panes["files"].children = [w.HBox([self.file_xlsx, self.file_pdf]), self.file_links]

    def _fill_files(self) -> None:
        m = self.model
        self.file_xlsx.description = m.tr("fs.download_xlsx")
        self.file_pdf.description = m.tr("fs.download_pdf")
        self.file_links.value = "".join(
            download_link(name, data, name) for name, data in m.files.values()
        )
