"""组织者配置 — the organizer console: upload candidates and experts (validation report in the
page), criteria and weights with a live ranking preview, panels (members, order, conflicts),
freezing the configuration, access codes."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from scoring.programme.schema import field_label

from ..app import build_app
from ..config_summary import config_html
from ..i18n import panel_label
from ..markup import esc, html_table
from ..one_language import one_language
from ..widgets import PAGE_LAYOUT, FilteredSelect, PageView, weight_handler
from .model import CUT_MAX, DEFAULT_CUT, ConsoleModel
from .recommend_view import RecommendView
from .setup_view import PanelSetupView

METHODS = ("weighted_sum", "weighted_product", "topsis", "vikor", "moora")
AGGREGATIONS = ("trimmed_mean", "mean", "median", "zscore")
ROLES = ("expert", "bank", "chair", "organizer")


class ConsoleView(PageView):
    """Widgets of the console, linked to a :class:`ConsoleModel`."""

    model: ConsoleModel

    def __init__(self, model: ConsoleModel) -> None:
        super().__init__(model, "app.console")
        m, safe = model, self.safe

        # The four tabs (about 150 widgets) are built at the first login: widget models are sent
        # to the browser when created, so building them up front delayed the login box.
        self.tabs: w.Tab | None = None
        self.body = w.VBox()
        self.root = w.VBox([self.header.box, self.messages.box, self.body], layout=PAGE_LAYOUT)
        self.root.add_class("scoring-console")
        m.observe(safe(self._render), ["logged_in", "lang", "panels", "experts", "projects"])
        m.observe(safe(lambda _c: self._render_report()), ["report", "lang"])
        m.observe(safe(lambda _c: self._render_preview()), "preview_version")
        m.observe(safe(self._on_issued), "issued")
        self._render()

    def _code_html(self, code: str) -> str:
        return (
            (
                f"<p>访问码（只显示一次）/ code (shown once): <code class='scoring-issued'>"
                f"{esc(code)}</code></p>"
            )
            if code
            else ""
        )

    def _label_options(self) -> None:
        """Localized labels, keys as values (replacing options keeps the chosen key)."""
        m = self.model
        self._relabel = True
        try:
            self.method.options = [(m.tr(f"method.{k}"), k) for k in METHODS]
            self.method.value = m.method
            self.aggregation.options = [(m.tr(f"aggregation.{k}"), k) for k in AGGREGATIONS]
            self.aggregation.value = m.aggregation
            if hasattr(self, "k_role"):
                role = self.k_role.value or ROLES[0]
                self.k_role.options = [(m.tr(f"role.option.{k}"), k) for k in ROLES]
                self.k_role.value = role
        finally:
            self._relabel = False

    _relabel = False

    def _set(self, name: str, value: Any) -> None:
        if self._relabel or value is None:
            return
        setattr(self.model, name, value)
        self.model.update_preview()

    def _on_cut(self, change: dict) -> None:
        value = int(change["new"] or 0)
        if not 0 <= value <= CUT_MAX:  # said, not clamped without a word
            kept = self.model.cut_size
            self.model.fail("console.cut_range", max=CUT_MAX, value=value, kept=kept)
            self._cut_refusal = self.model.error
            self._cut_reverting = True
            try:
                self.cut.value = kept
            finally:
                self._cut_reverting = False
            return
        if not self._cut_reverting and self.model.error == self._cut_refusal:
            self.model.error = ""  # a right value typed: the refusal of the wrong one goes
        self.model.cut_size = value
        self._render()

    _cut_refusal = ""
    _cut_reverting = False

    def _on_upload(self, what: str) -> Any:
        def handler(change: dict) -> None:
            files = change["new"]
            if not files:
                return
            f = files[0]
            self.model.upload(what, f["name"], bytes(f["content"]))

        handler.__name__ = f"on_upload_{what}"
        return handler

    def _create_panel(self, _b: Any = None) -> None:
        order = [
            p.strip()
            for p in self.p_order.value.replace("，", ",").replace("\n", ",").split(",")
            if p.strip()
        ]
        self.model.save_panel_form(
            self.p_name.value,
            list(self.p_members.value),
            order,
            self.p_chair.value,
            self.p_date.value,
            self.p_set.value or "defense",
        )

    def _on_issued(self, change: Any) -> None:
        if self.tabs is not None:
            self.k_out.value = self._code_html(change["new"])

    def _build_tabs(self) -> None:
        m, safe = self.model, self.safe
        # imports
        self.up_cands = w.FileUpload(accept=".xlsx,.csv", multiple=False)
        self.up_experts = w.FileUpload(accept=".xlsx,.csv", multiple=False)
        self.up_cands.observe(safe(self._on_upload("candidates")), "value")
        self.up_experts.observe(safe(self._on_upload("experts")), "value")
        self.up_labels = (w.HTML(), w.HTML())
        self.upload_limit = w.HTML()
        self.upload_limit.add_class("scoring-upload-limit")
        self.report = w.HTML(layout=w.Layout(overflow="auto", max_height="300px"))
        self.report.add_class("scoring-import-report")
        self.recommend = RecommendView(m, safe)
        imports = w.VBox(
            [
                w.HBox([self.up_labels[0], self.up_cands]),
                w.HBox([self.up_labels[1], self.up_experts]),
                self.upload_limit,
                self.report,
                self.recommend.box,
            ]
        )

        # criteria
        self.sliders: dict[str, w.FloatSlider] = {}
        self.sliders_box = w.VBox()
        self.sliders_box.add_class("scoring-weights")
        self.criteria_title = w.HTML()
        self._build_sliders()
        m.observe(safe(lambda _c: self._build_sliders()), "criteria_name")
        wide = {"description_width": "96px"}
        self.method = w.Dropdown(value=None, style=wide, layout=w.Layout(width="400px"))
        self.method.add_class("scoring-method")
        self.aggregation = w.Dropdown(value=None, style=wide, layout=w.Layout(width="400px"))
        self.aggregation.add_class("scoring-aggregation")
        self._label_options()
        self.cut = w.IntText(value=m.cut_size, style=wide)  # range checked in _on_cut
        self.cut.add_class("scoring-cut")
        self.cut_hint = w.HTML()
        self.method.observe(safe(lambda c: self._set("method", c["new"])), "value")
        self.aggregation.observe(safe(lambda c: self._set("aggregation", c["new"])), "value")
        self.cut.observe(safe(self._on_cut), "value")
        self.preview = w.HTML(layout=w.Layout(overflow="auto", max_height="360px"))
        self.preview.add_class("scoring-preview")
        self.weights_title = w.HTML()
        criteria = w.HBox(
            [
                w.VBox(
                    [
                        self.weights_title,
                        self.criteria_title,
                        self.sliders_box,
                        self.method,
                        self.aggregation,
                        self.cut,
                        self.cut_hint,
                    ],
                    layout=w.Layout(width="440px"),
                ),
                self.preview,
            ],
            layout=w.Layout(flex_flow="row wrap"),
        )

        # panels
        self.p_name = w.Text()
        self.p_set = w.Dropdown(options=m.criteria_choices(), value="defense")
        self.p_set.add_class("scoring-criteria-set")
        self.p_date = w.Text(placeholder="2026-03-20")
        self.p_chair = w.Text(placeholder="CHAIR")
        self.p_members = w.SelectMultiple(rows=8, layout=w.Layout(width="360px"))
        for name in ("p_name", "p_date", "p_chair", "p_members"):
            getattr(self, name).add_class("scoring-" + name.replace("_", "-"))
        self.members_filter = FilteredSelect(self.p_members, m)
        self.p_order = w.Textarea(placeholder="E001, E002, …", layout=w.Layout(width="100%"))
        self.p_create = w.Button(button_style="primary")
        self.p_create.add_class("scoring-p-create")
        self.p_order.add_class("scoring-p-order")
        self.p_create.on_click(safe(self._create_panel))
        self.c_expert = w.Dropdown(layout=w.Layout(width="260px"))
        self.c_expert.add_class("scoring-c-expert")
        self.c_project = w.Dropdown(layout=w.Layout(width="300px"))
        self.c_project.add_class("scoring-c-project")
        self.expert_filter = FilteredSelect(self.c_expert, m)
        self.project_filter = FilteredSelect(self.c_project, m)
        self.c_reason = w.Text()
        self.c_go = w.Button()
        self.c_go.on_click(
            safe(
                lambda _b: m.declare_conflict(
                    self.c_expert.value or "", self.c_project.value or "", self.c_reason.value
                )
            )
        )
        self.f_panel = w.Dropdown()
        self.f_panel.add_class("scoring-f-panel")
        self.f_panel.observe(safe(lambda c: m.select_panel(c["new"])), "value")
        self.f_go = w.Button(button_style="warning")
        self.f_go.on_click(safe(lambda _b: m.ask_freeze(self.f_panel.value)))
        self.f_go.add_class("scoring-freeze")
        self.f_summary = w.HTML()
        self.f_yes = w.Button(button_style="danger")
        self.f_yes.add_class("scoring-freeze-confirm")
        self.f_yes.on_click(safe(lambda _b: m.confirm_freeze()))
        self.f_no = w.Button()
        self.f_no.on_click(safe(lambda _b: m.cancel_freeze()))
        self.f_confirm = w.VBox(
            [self.f_summary, w.HBox([self.f_yes, self.f_no])],
            layout=w.Layout(display="none", border="2px solid #e65100", padding="8px"),
        )
        self.f_confirm.add_class("scoring-freeze-box")
        m.observe(
            safe(lambda _c: self._render_freeze()),
            ["freeze_pending", "lang", "weights", "cut_size", "method", "aggregation"],
        )
        self.members_title, self.order_title, self.conflicts_title = w.HTML(), w.HTML(), w.HTML()
        panels = w.VBox(
            [
                w.HBox(
                    [self.p_name, self.p_set, self.p_date, self.p_chair],
                    layout=w.Layout(flex_flow="row wrap"),
                ),
                self.members_title,
                self.members_filter.box,
                self.order_title,
                self.p_order,
                self.p_create,
                self.conflicts_title,
                w.HBox(
                    [self.expert_filter.box, self.project_filter.box, self.c_reason, self.c_go],
                    layout=w.Layout(flex_flow="row wrap", align_items="flex-end"),
                ),
                w.HBox([self.f_panel, self.f_go]),
                self.f_confirm,
            ]
        )
        self.setup = PanelSetupView(self)
        panels.children = (self.setup.box, *panels.children, self.setup.lists)

        # codes
        self.k_login = w.Text()
        self.k_role = w.Dropdown(options=ROLES)
        self.k_role.add_class("scoring-role")
        self.k_expert = w.Text()
        self.k_go = w.Button(button_style="primary")
        self.k_go.on_click(
            safe(lambda _b: m.issue(self.k_login.value, self.k_role.value, self.k_expert.value))
        )
        self.k_out = w.HTML()
        codes = w.VBox(
            [
                w.HBox(
                    [self.k_login, self.k_role, self.k_expert, self.k_go],
                    layout=w.Layout(flex_flow="row wrap"),
                ),
                self.k_out,
            ]
        )
        codes.children = (*codes.children, self.setup.codes_box)

        # recent internal errors of every page (the references users were shown)
        self.e_refresh = w.Button(icon="refresh")
        self.e_refresh.add_class("scoring-errors-refresh")
        self.e_refresh.on_click(safe(lambda _b: self._render_errors()))
        self.e_list = w.HTML(layout=w.Layout(overflow="auto", max_width="100%"))
        self.e_list.add_class("scoring-error-list")
        errors = w.VBox([self.e_refresh, self.e_list])

        self.tabs = w.Tab(children=[imports, criteria, panels, codes, errors])
        self.tabs.observe(safe(lambda c: c["new"] == 4 and self._render_errors()), "selected_index")

    def _render(self, _change: Any = None) -> None:
        m = self.model
        tr = m.tr
        if not m.logged_in:
            self.body.children = [self.login.box]
            return
        if self.tabs is None:
            self._build_tabs()
        self.tabs.titles = (
            tr("console.tab_upload"),
            tr("console.tab_weights"),
            tr("console.panel"),
            tr("console.codes"),
            tr("console.errors"),
        )
        self.e_refresh.description = tr("console.errors_refresh")
        self.up_cands.description = self.up_experts.description = tr("console.choose_file")
        self.up_labels[0].value = f"<b>{esc(tr('console.upload_candidates'))}</b>"
        self.up_labels[1].value = f"<b>{esc(tr('console.upload_experts'))}</b>"
        limits = m.upload_limits()
        self.upload_limit.value = (
            "<small style='color:#666'>"
            + esc(
                tr(
                    "console.upload_limit",
                    rows=f"{limits.max_rows:,}",
                    mb=f"{limits.max_bytes / 2**20:g}",
                )
            )
            + "</small>"
        )
        self.weights_title.value = f"<b>{esc(tr('console.weights'))}</b>"
        self._label_sliders()
        set_value = self.p_set.value
        self.p_set.options = m.criteria_choices()
        self.p_set.value = set_value
        self.p_set.description = tr("console.criteria_set")
        self.method.description = tr("console.method")
        self.aggregation.description = tr("console.aggregation")
        self.cut.description = tr("console.cut")
        self._label_options()
        self.p_name.description = tr("console.p_name")
        self.p_date.description = tr("console.p_date")
        self.p_chair.description = tr("console.p_chair")
        self.c_reason.placeholder = tr("conflicts.reason")
        self.k_login.placeholder = tr("console.k_login")
        self.k_expert.placeholder = tr("console.k_expert")
        self.cut_hint.value = (
            f"<small style='color:#666'>{esc(tr('console.cut_hint', default=DEFAULT_CUT))}"
            + (f" — <b>{esc(tr('console.cut_unset'))}</b>" if not m.cut_size else "")
            + "</small>"
        )
        self.p_create.description = tr("console.panel")
        self.members_title.value = f"<b>{esc(tr('console.members'))}</b>"
        self.order_title.value = f"<b>{esc(tr('console.order'))}</b>"
        self.conflicts_title.value = f"<b>{esc(tr('console.conflicts'))}</b>"
        self.c_go.description = tr("console.conflicts")
        self.f_go.description = tr("console.freeze")
        self.k_go.description = tr("console.codes")
        self.members_filter.set_options(m.experts)
        self.expert_filter.set_options(m.experts)
        self.project_filter.set_options(m.projects)
        self.f_panel.options = [
            (panel_label(p["name"], p["status"], m.lang), p["id"])
            for p in m.panels
            if p["status"] == "draft"
        ]
        self.body.children = [self.tabs]
        self.setup.render()
        self._render_report()
        self._render_preview()

    def _build_sliders(self) -> None:
        """One weight slider per criterion of the criteria set being configured."""
        m = self.model
        self.sliders = {}
        for c in m.criteria:
            s = w.FloatSlider(
                value=m.weights[c.key],
                min=0.05,
                max=1.0,
                step=0.05,
                continuous_update=False,
                readout_format=".2f",
            )
            s.observe(self.safe(weight_handler(m, c.key)), "value")
            self.sliders[c.key] = s
        self.sliders_box.children = list(self.sliders.values())
        self._label_sliders()

    def _label_sliders(self) -> None:
        m = self.model
        self.criteria_title.value = (
            f"<small>{esc(m.tr('console.criteria_set'))}：{esc(m.criteria.title(m.lang))}</small>"
        )
        for c in m.criteria:
            self.sliders[c.key].description = c.name(m.lang)

    def _render_errors(self) -> None:
        """The newest internal errors (time, reference, where, what), from the journal."""
        m = self.model
        rows = m.recent_errors()
        if not rows:
            self.e_list.value = f"<p>{esc(m.tr('console.errors_none'))}</p>"
            return
        head = "".join(
            f"<th>{esc(m.tr(k))}</th>"
            for k in (
                "console.err_time",
                "console.err_ref",
                "console.err_where",
                "console.err_what",
            )
        )
        body = "".join(
            f"<tr><td>{esc(r['time'])}</td><td><code>{esc(r['ref'])}</code></td>"
            f"<td>{esc(r['where'])}</td><td>{esc(r['what'])}</td></tr>"
            for r in rows
        )
        self.e_list.value = (
            f"<p><small>{esc(m.tr('console.errors_hint'))}</small></p>"
            f"<table class='scoring-table'><tr>{head}</tr>{body}</table>"
        )

    def _render_freeze(self) -> None:
        """The confirmation asked before freezing: the whole configuration, then yes or back."""
        m = self.model
        self.f_yes.description = m.tr("console.freeze_confirm")
        self.f_no.description = m.tr("console.freeze_cancel")
        self.f_go.disabled = bool(m.freeze_pending)
        if not m.freeze_pending:
            self.f_confirm.layout.display = "none"
            return
        self.f_summary.value = (
            f"<p style='color:#e65100;font-weight:600'>"
            f"{esc(m.tr('console.freeze_ask', panel=m.freeze_panel_name()))}</p>"
            + config_html(m.config(), m.lang)
        )
        self.f_confirm.layout.display = None

    def _render_report(self) -> None:
        if self.tabs is None:
            return
        m = self.model
        rows = [
            (
                row,
                field_label(str(col), m.report_form) if col and m.lang == "zh" else col,
                one_language(msg, m.lang),
            )
            for row, col, msg in m.report
        ]
        head = [m.tr("report.row"), m.tr("report.column"), m.tr("report.problem")]
        self.report.value = html_table(rows, head) if rows else ""

    def _render_preview(self) -> None:
        if self.tabs is None:
            return
        m = self.model
        p = m.preview
        if p is None:
            self.preview.value = ""
            return
        rows = [
            [
                int(r["rank"]),
                pid,
                f"{r['score']:.3f}",
                int(r["default_rank"]),
                ("▲" if r["move"] > 0 else "▼" if r["move"] < 0 else "＝")
                + f"{abs(int(r['move']))}",
            ]
            for pid, r in p.iterrows()
        ]
        self.preview.value = f"<b>{esc(m.tr('console.preview_moves'))}</b>" + html_table(
            rows,
            [
                m.tr("col.rank"),
                m.tr("col.project_id"),
                m.tr("col.score"),
                m.tr("col.default_rank"),
                "Δ",
            ],
        )


def console_app(backend: Any = None, *, lang: str = "zh") -> w.Widget:
    """The organizer console, ready to display."""
    return build_app(ConsoleModel, ConsoleView, backend, lang=lang, poll=False)
