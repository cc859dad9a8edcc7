"""项目报送 — the project unit's page: its periods with state, due and lock dates (and the return
reason), the ledger (附件4-1/4-2) as an editable table of blocks and rows with numbered goals
and measures, the indicators beside their baseline and target, checks in place, autosave,
submission, an xlsx upload as an alternative and the download."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..app import build_app
from ..markup import download_link, esc, html_table
from ..widgets import PAGE_LAYOUT, PageView
from .common import one_language, state_badge
from .ledger_editor import LedgerEditorMixin, _text
from .model import ReportingModel


class ReportingView(LedgerEditorMixin, PageView):
    """Widgets of the reporting page, linked to a :class:`ReportingModel`."""

    model: ReportingModel

    def __init__(self, model: ReportingModel) -> None:
        super().__init__(model, "app.reporting")
        m, safe = model, self.safe
        self.project = w.Dropdown(layout=w.Layout(width="420px"))
        self.project.add_class("scoring-fu-project")
        self.project.observe(safe(self._on_project), "value")
        self.period = w.Dropdown(layout=w.Layout(width="320px"))
        self.period.add_class("scoring-fu-period")
        self.period.observe(safe(self._on_period), "value")
        self.periods = w.HTML(layout=w.Layout(overflow="auto"))
        self.periods.add_class("scoring-fu-periods")
        self.status = w.HTML()
        self.status.add_class("scoring-fu-status")
        self.contact = _text("", width="420px", cls="scoring-fu-contact")
        self.contact.observe(safe(lambda c: m.set_contact(c["new"])), "value")
        self.contact_msg = w.HTML()
        self.blocks = w.VBox()
        self.blocks.add_class("scoring-fu-blocks")
        self.add_block = w.Button(
            icon="plus", layout=w.Layout(width="auto", align_self="flex-start")
        )
        self.add_block.add_class("scoring-fu-add-block")
        self.add_block.on_click(safe(lambda _b: m.add_block()))
        self.indicators = w.VBox()
        self.indicators.add_class("scoring-fu-indicators")
        self.summary = w.VBox()
        self.findings = w.HTML(layout=w.Layout(overflow="auto", max_height="220px"))
        self.findings.add_class("scoring-fu-findings")
        self.saved = w.HTML()
        self.saved.add_class("scoring-saved")
        self.submit = w.Button(button_style="primary")
        self.submit.add_class("scoring-fu-submit")
        self.submit.on_click(safe(lambda _b: m.submit()))
        self.download = w.Button(icon="download")
        self.download.add_class("scoring-fu-download")
        self.download.on_click(safe(self._download))
        self.link = w.HTML()
        self.link.add_class("scoring-downloads")
        self.upload = w.FileUpload(accept=".xlsx", multiple=False)
        self.upload.add_class("scoring-fu-upload")
        self.upload.observe(safe(self._on_upload), "value")
        self.upload_label = w.HTML()
        self.report = w.HTML(layout=w.Layout(overflow="auto", max_height="240px"))
        self.report.add_class("scoring-import-report")
        self.titles = {k: w.HTML() for k in ("ledger", "indicators", "summary", "file")}
        self._row_widgets: dict[tuple, Any] = {}
        self.main = w.VBox(
            [
                w.HBox([self.project, self.period], layout=w.Layout(flex_flow="row wrap")),
                self.periods,
                self.status,
                self.titles["ledger"],
                w.HBox([self.contact, self.contact_msg], layout=w.Layout(flex_flow="row wrap")),
                self.blocks,
                self.add_block,
                self.titles["indicators"],
                self.indicators,
                self.summary,
                self.findings,
                self.saved,
                w.HBox(
                    [self.submit, self.download, self.link],
                    layout=w.Layout(flex_flow="row wrap", align_items="center"),
                ),
                self.titles["file"],
                w.HBox([self.upload_label, self.upload], layout=w.Layout(flex_flow="row wrap")),
                self.report,
            ]
        )
        self.body = w.VBox()
        self.root = w.VBox([self.header.box, self.messages.box, self.body], layout=PAGE_LAYOUT)
        self.root.add_class("scoring-reporting")
        self._quiet = False
        m.observe(safe(self._render), ["logged_in", "lang"])
        m.observe(safe(lambda _c: self._render_projects()), ["projects", "project_id"])
        m.observe(safe(lambda _c: self._render_periods()), ["periods", "period_key"])
        m.observe(safe(lambda _c: self._build_ledger()), "structure")
        m.observe(safe(lambda _c: self._render_checks()), ["findings", "edits"])
        m.observe(
            safe(lambda _c: self._render_status()), ["status", "version", "reason", "editable"]
        )
        m.observe(safe(lambda _c: self._render_saved()), "stored")
        m.observe(safe(lambda _c: self._render_report()), "report")
        self._render()

    # -- callbacks ---------------------------------------------------------------------------
    def _on_project(self, change: dict) -> None:
        if not self._quiet and change["new"] and change["new"] != self.model.project_id:
            self.model.select_project(change["new"])

    def _on_period(self, change: dict) -> None:
        if not self._quiet and change["new"] and change["new"] != self.model.period_key:
            self.model.select_period(change["new"])

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if files:
            f = files[0]
            self.model.upload(f["name"], bytes(f["content"]))

    def _download(self, _b: Any = None) -> None:
        got = self.model.download()
        self.link.value = download_link(got[0], got[1], got[0]) if got else ""

    # -- rendering ---------------------------------------------------------------------------
    def _render(self, _change: Any = None) -> None:
        m = self.model
        tr = m.tr
        if not m.logged_in:
            self.body.children = [self.login.box]
            return
        self.project.description = tr("fu.project")
        self.period.description = tr("fu.period")
        self.contact.description = tr("fu.contact")
        self.contact.placeholder = tr("fu.contact_hint")
        self.add_block.description = tr(
            "rep.add_region" if m.kind == "region" else "rep.add_partner"
        )
        self.submit.description = tr("rep.submit")
        self.download.description = tr("rep.download")
        self.upload.description = tr("rep.upload")
        self.upload_label.value = f"<small>{esc(tr('rep.upload_hint'))}</small>"
        self.titles[
            "ledger"
        ].value = f"<h3 style='margin:8px 0 2px'>{esc(tr('rep.ledger', form=self._form()))}</h3>"
        self.titles[
            "indicators"
        ].value = f"<h3 style='margin:8px 0 2px'>{esc(tr('rep.indicators'))}</h3>"
        self.titles["file"].value = f"<h3 style='margin:8px 0 2px'>{esc(tr('rep.file'))}</h3>"
        self._render_projects()
        self._render_periods()
        self._build_ledger()
        self._render_status()
        self._render_saved()
        self._render_report()
        self.body.children = [self.main]

    def _form(self) -> str:
        from scoring.followup.content import KINDS

        form = KINDS.get(self.model.kind, "")
        return form if self.model.lang == "zh" else form.replace("附件", "form ")

    def _render_projects(self) -> None:
        m = self.model
        self._quiet = True
        try:
            if list(self.project.options) != m.projects:
                self.project.options = m.projects
            self.project.value = m.project_id or None
        finally:
            self._quiet = False

    def _render_periods(self) -> None:
        from scoring.followup.periods import period_label

        m = self.model
        tr = m.tr
        self._quiet = True
        try:
            opts = [
                (f"{period_label(p['key'], m.lang)}（{tr('fu.state.' + p['state'])}）", p["key"])
                for p in m.periods
            ]
            if list(self.period.options) != opts:
                self.period.options = opts
            self.period.value = m.period_key or None
        finally:
            self._quiet = False
        rows = []
        for p in m.periods:
            mark = "▶ " if p["key"] == m.period_key else ""
            rows.append(
                "<tr>"
                f"<td style='padding:2px 8px'>{mark}{esc(period_label(p['key'], m.lang))}</td>"
                f"<td style='padding:2px 8px'>{state_badge(p['state'], tr('fu.state.' + p['state']))}</td>"
                f"<td style='padding:2px 8px'>{esc(p['due'])}</td>"
                f"<td style='padding:2px 8px'>{esc(p['lock'])}</td>"
                f"<td style='padding:2px 8px'>{esc(p['reason'] if p['status'] == 'returned' else '')}</td>"
                "</tr>"
            )
        head = "".join(
            f"<th style='padding:2px 8px;text-align:left'>{esc(tr(k))}</th>"
            for k in ("fu.period", "fu.state", "fu.due", "fu.lock", "fu.return_reason")
        )
        self.periods.value = (
            "<table class='scoring-table' style='border-collapse:collapse;font-size:13px'>"
            f"<thead><tr style='background:#eef2f7'>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def _render_status(self) -> None:
        from scoring.followup.periods import period_label

        m = self.model
        tr = m.tr
        if not m.period_key:
            self.status.value = ""
            return
        p = m.period
        state = p.get("state", "none")
        parts = [
            f"<b>{esc(period_label(m.period_key, m.lang))}</b> ",
            state_badge(state, tr("fu.state." + state)),
            f" <small>{esc(tr('fu.version', version=m.version))}</small>",
        ]
        if m.status == "returned" and m.reason:
            parts.append(
                "<div class='scoring-fu-returned' role='alert' style='background:#fce4ec;"
                "border-left:4px solid #880e4f;padding:4px 8px;margin:4px 0'>"
                f"{esc(tr('rep.returned', reason=m.reason))}</div>"
            )
        if not m.editable:
            parts.append(
                f"<div class='scoring-fu-locked' style='color:#555'>{esc(tr('rep.locked_' + (m.status if m.status in ('submitted', 'confirmed') else 'other')))}</div>"
            )
        self.status.value = "".join(parts)
        for box in (self.add_block, self.submit, self.contact):
            box.disabled = not m.editable
        self.upload.disabled = not m.editable

    def _render_saved(self) -> None:
        self.saved.value = (
            f"<div style='color:#1b5e20;font-size:13px'>{esc(self.model.stored)}</div>"
            if self.model.stored
            else ""
        )

    def _render_report(self) -> None:
        rep = self.model.report
        tr = self.model.tr
        lang = self.model.lang
        rows = [(r, c, one_language(msg, lang)) for r, c, msg in rep]
        self.report.value = (
            html_table(rows, [tr("fu.row"), tr("fu.column"), tr("fu.problem")]) if rep else ""
        )


def reporting_app(backend: Any = None, *, lang: str = "zh") -> w.Widget:
    """The project unit's reporting page, ready to display."""
    return build_app(ReportingModel, ReportingView, backend, lang=lang, poll=False)
