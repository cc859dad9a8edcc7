"""The 年度评估 tab of the province page: pick an evaluation panel, see its grades (with the
probability of each grade), send the 不合格 projects to the exit list, and read any followed
project's whole path. A mixin of :class:`FollowStatsView`."""

from __future__ import annotations

import ipywidgets as w

from ..board.evaluation import grades_html, path_html
from ..markup import download_link, esc


class EvaluationTabMixin:
    """Widgets of the 年度评估 tab (``self`` is a :class:`FollowStatsView`)."""

    def _build_evaluation(self) -> None:
        m, safe = self.model, self.safe
        self.ev_pick = w.Dropdown(layout=w.Layout(width="420px"))
        self.ev_pick.add_class("scoring-ev-panel")
        self.ev_pick.observe(safe(self._on_ev_pick), "value")
        self.ev_send = w.Button(
            icon="sign-out", button_style="warning", layout=w.Layout(width="auto")
        )
        self.ev_send.add_class("scoring-ev-send")
        self.ev_send.on_click(safe(lambda _b: m.send_failed_to_exit()))
        self.ev_grades = w.HTML(layout=w.Layout(overflow="auto", max_width="100%"))
        self.ev_grades.add_class("scoring-ev-grades")
        self.ev_path_pick = w.Dropdown(layout=w.Layout(width="420px"))
        self.ev_path_pick.add_class("scoring-ev-path-pick")
        self.ev_path_pick.observe(safe(self._on_ev_path), "value")
        self.ev_path = w.HTML()
        self.ev_pdf = w.Button(icon="file", layout=w.Layout(width="auto"))
        self.ev_pdf.add_class("scoring-province-pdf")
        self.ev_pdf.on_click(safe(lambda _b: m.province_report("pdf")))
        self.ev_xlsx = w.Button(icon="table", layout=w.Layout(width="auto"))
        self.ev_xlsx.add_class("scoring-province-xlsx")
        self.ev_xlsx.on_click(safe(lambda _b: m.province_report("xlsx")))
        self.ev_links = w.HTML()
        self.ev_links.add_class("scoring-province-links")
        self._ev_setting = False
        self.panes["evaluation"].children = [
            w.HBox([self.ev_pick, self.ev_send], layout=w.Layout(flex_flow="row wrap")),
            self.ev_grades,
            w.HBox([self.ev_pdf, self.ev_xlsx]),
            self.ev_links,
            self.ev_path_pick,
            self.ev_path,
        ]

    def _fill_evaluation(self) -> None:
        m = self.model
        df = m.eval_panels
        opts = [("—", "")]
        if df is not None:
            opts += [
                (f"{r['name']}（{r['year']}，{m.tr('status.' + r['status'])}）", str(r["id"]))
                for r in df.to_dict("records")
            ]
        projects = [("—", "")]
        if m.projects is not None and len(m.projects):
            projects += [
                (f"{p} {n}", str(p))
                for p, n in zip(m.projects["project_id"], m.projects["name"], strict=True)
            ]
        self._ev_setting = True
        try:
            self.ev_pick.description = m.tr("ev.panel")
            if list(self.ev_pick.options) != opts:
                self.ev_pick.options = opts
            self.ev_pick.value = m.eval_panel if m.eval_panel in [o[1] for o in opts] else ""
            self.ev_path_pick.description = m.tr("ev.path.pick")
            if list(self.ev_path_pick.options) != projects:
                self.ev_path_pick.options = projects
            self.ev_path_pick.value = (
                m.path_project if m.path_project in [o[1] for o in projects] else ""
            )
        finally:
            self._ev_setting = False
        self.ev_send.description = m.tr("ev.send")
        self.ev_pdf.description = m.tr("ev.province_report") + " PDF"
        self.ev_xlsx.description = m.tr("ev.province_report") + " xlsx"
        self.ev_pdf.disabled = self.ev_xlsx.disabled = m.eval_grades is None
        self.ev_links.value = "".join(
            download_link(name, data, name) for name, data in m.eval_files.values()
        )
        self.ev_send.disabled = m.eval_grades is None
        if m.eval_grades is not None and m.eval_criteria is not None:
            self.ev_grades.value = grades_html(m.eval_grades, m.eval_criteria, m.lang)
        else:
            self.ev_grades.value = f"<p style='color:#666'>{esc(m.tr('ev.no_grades'))}</p>"
        self.ev_path.value = path_html(m.path, m.lang) if m.path_project else ""

    def _on_ev_pick(self, change: dict) -> None:
        if not self._ev_setting:
            self.model.choose_evaluation(change["new"] or "")

    def _on_ev_path(self, change: dict) -> None:
        if not self._ev_setting:
            self.model.show_path(change["new"] or "")
