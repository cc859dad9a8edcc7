"""市局确认 — the city bureau's page: its projects × periods matrix (colour and word), a
submission beside the previous period and the targets, confirm / return with a reason /
reopen with a reason, and the reminders as text to copy into a message to the units."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..app import build_app
from ..markup import esc
from ..reporting.common import STATES, ledger_html, state_badge
from ..widgets import PAGE_LAYOUT, PageView
from .model import ConfirmModel


class ConfirmView(PageView):
    """Widgets of the confirmation page, linked to a :class:`ConfirmModel`."""

    model: ConfirmModel

    def __init__(self, model: ConfirmModel) -> None:
        super().__init__(model, "app.confirm")
        m, safe = model, self.safe
        self.matrix_title = w.HTML()
        self.refresh = w.Button(icon="refresh")
        self.refresh.add_class("scoring-fu-refresh")
        self.refresh.on_click(safe(lambda _b: m.reload()))
        self.legend = w.HTML()
        self.matrix = w.HTML(layout=w.Layout(overflow="auto", max_height="360px"))
        self.matrix.add_class("scoring-fu-matrix")
        self.pending = w.Select(rows=3, layout=w.Layout(width="100%"))
        self.pending.add_class("scoring-fu-pending")
        self.pending.observe(safe(self._on_pending), "value")
        self.pending_title = w.HTML()
        self.project = w.Dropdown(layout=w.Layout(width="360px"))
        self.project.add_class("scoring-fu-project")
        self.period = w.Dropdown(layout=w.Layout(width="260px"))
        self.period.add_class("scoring-fu-period")
        self.open = w.Button(button_style="info")
        self.open.add_class("scoring-fu-open")
        self.open.on_click(
            safe(lambda _b: m.open(self.project.value or "", self.period.value or ""))
        )
        self.head = w.HTML()
        self.head.add_class("scoring-fu-detail-head")
        self.current = w.HTML(layout=w.Layout(overflow="auto", flex="1 1 460px", min_width="0"))
        self.current.add_class("scoring-fu-current")
        self.previous = w.HTML(layout=w.Layout(overflow="auto", flex="1 1 460px", min_width="0"))
        self.previous.add_class("scoring-fu-previous")
        self.reason = w.Textarea(layout=w.Layout(width="100%", height="56px"))
        self.reason.add_class("scoring-fu-reason")
        self.confirm = w.Button(button_style="success")
        self.confirm.add_class("scoring-fu-confirm")
        self.confirm.on_click(safe(lambda _b: m.confirm()))
        self.give_back = w.Button(button_style="warning")
        self.give_back.add_class("scoring-fu-return")
        self.give_back.on_click(safe(self._return))
        self.reopen = w.Button()
        self.reopen.add_class("scoring-fu-reopen")
        self.reopen.on_click(safe(self._reopen))
        self.actions = w.VBox([self.reason, w.HBox([self.confirm, self.give_back, self.reopen])])
        self.reminders_title = w.HTML()
        self.reminders = w.Textarea(layout=w.Layout(width="100%", height="140px"))
        self.reminders.add_class("scoring-fu-reminders")
        self.detail_box = w.VBox(
            [
                self.head,
                self.actions,
                w.HBox(
                    [self.current, self.previous],
                    layout=w.Layout(flex_flow="row wrap", width="100%"),
                ),
            ]
        )
        self.main = w.VBox(
            [
                w.HBox([self.matrix_title, self.refresh], layout=w.Layout(align_items="center")),
                self.legend,
                self.matrix,
                self.pending_title,
                self.pending,
                w.HBox(
                    [self.project, self.period, self.open], layout=w.Layout(flex_flow="row wrap")
                ),
                self.detail_box,
                self.reminders_title,
                self.reminders,
            ]
        )
        self.body = w.VBox()
        self.root = w.VBox([self.header.box, self.messages.box, self.body], layout=PAGE_LAYOUT)
        self.root.add_class("scoring-confirm")
        m.observe(safe(self._render), ["logged_in", "lang", "rows"])
        m.observe(safe(lambda _c: self._render_detail()), "detail")
        m.observe(safe(lambda _c: self._render_reminders()), "reminders")
        self._render()

    def _on_pending(self, change: dict) -> None:
        if change["new"]:
            pid, key = change["new"].split("|", 1)
            self.project.value = pid
            self.period.value = key
            self.model.open(pid, key)

    def _return(self, _b: Any = None) -> None:
        if self.model.return_ledger(self.reason.value):
            self.reason.value = ""

    def _reopen(self, _b: Any = None) -> None:
        if self.model.reopen(self.reason.value):
            self.reason.value = ""

    def _render(self, _change: Any = None) -> None:
        from scoring.followup.periods import period_label

        m = self.model
        tr = m.tr
        if not m.logged_in:
            self.body.children = [self.login.box]
            return
        self.matrix_title.value = f"<h3 style='margin:8px 0 2px'>{esc(tr('conf.matrix'))}</h3>"
        self.legend.value = f"<small>{esc(tr('conf.legend'))}：</small>" + " ".join(
            state_badge(s, tr("fu.state." + s)) for s in STATES
        )
        self.pending_title.value = (
            f"<b>{esc(tr('fu.state.submitted'))}（{len(m.to_confirm())}）</b>"
        )
        self.project.description = tr("fu.project")
        self.period.description = tr("fu.period")
        self.open.description = tr("conf.open")
        self.refresh.description = tr("board.refresh")
        self.reason.placeholder = tr("conf.reason")
        self.confirm.description = tr("conf.confirm")
        self.give_back.description = tr("conf.return")
        self.reopen.description = tr("conf.reopen")
        self.reminders_title.value = (
            f"<h3 style='margin:8px 0 2px'>{esc(tr('conf.reminders'))}</h3>"
        )
        head = "".join(
            f"<th style='padding:2px 6px;text-align:left'>{esc(h)}</th>"
            for h in [
                tr("col.project_id"),
                tr("col.name"),
                *[period_label(k, m.lang) for k in m.period_keys],
            ]
        )
        body = []
        for r in m.rows:
            late = f"<small style='color:#b71c1c'>（{esc(tr('fu.submitted_late'))}）</small>"
            cells = "".join(
                f"<td style='padding:2px 6px'>{state_badge(r['states'][k], tr('fu.state.' + r['states'][k]))}"
                f"{late if r.get('late', {}).get(k) else ''}</td>"
                for k in m.period_keys
            )
            body.append(
                f"<tr><td style='padding:2px 6px'>{esc(r['project_id'])}</td>"
                f"<td style='padding:2px 6px'>{esc(r['name'])}</td>{cells}</tr>"
            )
        self.matrix.value = (
            "<table class='scoring-table' style='border-collapse:collapse;font-size:13px'>"
            f"<thead><tr style='background:#eef2f7'>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
        names = {r["project_id"]: r["name"] for r in m.rows}
        self.pending.options = [
            (f"{pid} {names.get(pid, '')} · {period_label(k, m.lang)}", f"{pid}|{k}")
            for pid, k in m.to_confirm()
        ]
        self.pending.value = None
        pid = self.project.value
        self.project.options = [(f"{r['project_id']} {r['name']}", r["project_id"]) for r in m.rows]
        if pid in names:
            self.project.value = pid
        key = self.period.value
        self.period.options = [(period_label(k, m.lang), k) for k in m.period_keys]
        if key in m.period_keys:
            self.period.value = key
        self.body.children = [self.main]
        self._render_detail()
        self._render_reminders()

    def _render_detail(self) -> None:
        from scoring.followup.periods import period_label

        m = self.model
        tr = m.tr
        st = m.current
        if st is None:
            self.head.value = f"<i>{esc(tr('conf.pick'))}</i>"
            self.current.value = self.previous.value = ""
            self.actions.layout.display = "none"
            return
        kind = str(m.project.get("kind") or "enterprise")
        group = str(m.project.get("indicator_group") or "entity")
        year = int(m.period_key[:4])
        state = m.state_of(m.project_id, m.period_key)
        self.head.value = (
            f"<h3 style='margin:8px 0 2px'>{esc(m.project_id)} {esc(m.project.get('name', ''))} · "
            f"{esc(period_label(m.period_key, m.lang))} {state_badge(state, tr('fu.state.' + state))}"
            f" <small>{esc(tr('fu.version', version=st.version))}</small></h3>"
            + (f"<div>{esc(tr('fu.return_reason'))}：{esc(st.reason)}</div>" if st.reason else "")
        )
        self.current.value = f"<b>{esc(tr('conf.current'))}</b>" + (
            ledger_html(
                st.content,
                kind,
                m.lang,
                group=group,
                project=m.project,
                year=year,
                cls="scoring-fu-current-ledger",
                previous=m.previous.content if m.previous is not None else None,
            )
            if st.content
            else ""
        )
        if m.previous is not None:
            self.previous.value = (
                f"<b>{esc(tr('conf.previous', period=period_label(m.previous_key, m.lang)))}</b>"
                + ledger_html(
                    m.previous.content,
                    kind,
                    m.lang,
                    group=group,
                    project=m.project,
                    year=int(m.previous_key[:4]),
                )
            )
            self.previous.layout.display = None
        else:
            self.previous.value = ""
            self.previous.layout.display = "none"
            self.current.value += f"<p><i>{esc(tr('conf.no_previous'))}</i></p>"
        self.actions.layout.display = None
        self.confirm.disabled = st.status != "submitted"
        self.give_back.disabled = st.status != "submitted"
        self.reopen.disabled = st.status != "confirmed"

    def _render_reminders(self) -> None:
        m = self.model
        self.reminders.value = m.reminders or m.tr("conf.no_reminders")


def confirm_app(backend: Any = None, *, lang: str = "zh") -> w.Widget:
    """The city bureau's confirmation page, ready to display."""
    return build_app(ConfirmModel, ConfirmView, backend, lang=lang, poll=False)
