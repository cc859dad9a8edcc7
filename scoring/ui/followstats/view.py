"""跟进统计 — the province's page: reporting and on-time rates by city and period (table and
chart), indicators against targets (filter by city, kind, industry, indicator), financing by
kind, exit candidates with their grounds and the decision form, the periods' dates and
exceptions, and the summary xlsx and PDF.

Only the rates are built at login; each other tab is built and read when first opened.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..app import build_app
from ..markup import esc, html_table
from ..widgets import PAGE_LAYOUT, PageView, png_image, show_png
from .evaluation_tab import EvaluationTabMixin
from .manage_tabs import ManageTabsMixin
from .model import INDICATOR_BY, SECTIONS, FollowStatsModel


def _pct(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "—"
    return "—" if v != v else f"{v * 100:.0f}%"


class FollowStatsView(EvaluationTabMixin, ManageTabsMixin, PageView):
    """Widgets of the statistics page, linked to a :class:`FollowStatsModel`."""

    model: FollowStatsModel

    def __init__(self, model: FollowStatsModel) -> None:
        super().__init__(model, "app.followstats")
        m, safe = model, self.safe
        self.summary = w.HTML()
        self.summary.add_class("scoring-fs-summary")
        self.refresh = w.Button(icon="refresh", layout=w.Layout(width="auto"))
        self.refresh.add_class("scoring-fs-refresh")
        self.refresh.on_click(safe(lambda _b: m.refresh()))
        self.panes = {s: w.VBox() for s in SECTIONS}
        self.built: set[str] = set()
        self.tabs = w.Tab(children=[self.panes[s] for s in SECTIONS])
        self.tabs.add_class("scoring-fs-tabs")
        self.tabs.observe(safe(self._on_tab), "selected_index")
        self.body = w.VBox()
        self.root = w.VBox([self.header.box, self.messages.box, self.body], layout=PAGE_LAYOUT)
        self.root.add_class("scoring-followstats")
        m.observe(safe(self._render), ["logged_in", "lang"])
        m.observe(safe(self._on_loaded), "version")
        self._render()

    # -- frame -------------------------------------------------------------------------------
    def _render(self, _change: Any = None) -> None:
        m = self.model
        if not m.logged_in:
            self.body.children = [self.login.box]
            return
        self.tabs.titles = tuple(m.tr(f"fs.tab.{s}") for s in SECTIONS)
        if "rates" not in m.done:  # a new login: start on the rates
            self.tabs.selected_index = 0
        self.refresh.description = m.tr("board.refresh")
        self.body.children = [
            w.HBox(
                [self.summary, self.refresh],
                layout=w.Layout(align_items="center", flex_flow="row wrap"),
            ),
            self.tabs,
        ]
        for s in list(self.built):
            self._fill(s)
        if "rates" not in self.built:
            self._ensure("rates")

    def _on_tab(self, change: dict) -> None:
        idx = change["new"]
        if idx is not None and self.model.logged_in:
            self._ensure(SECTIONS[idx])

    def _ensure(self, section: str) -> None:
        if section not in self.built:
            getattr(self, f"_build_{section}")()
            self.built.add(section)
        self.model.load(section)
        self._fill(section)

    def _on_loaded(self, _change: Any = None) -> None:
        if self.model.loaded in self.built:
            self._fill(self.model.loaded)
        if "files" in self.built:
            self._fill("files")

    def _fill(self, section: str) -> None:
        getattr(self, f"_fill_{section}")()

    # -- rates -------------------------------------------------------------------------------
    def _build_rates(self) -> None:
        self.rates_title = w.HTML()
        self.rates_city = w.HTML(layout=w.Layout(overflow="auto"))
        self.rates_city.add_class("scoring-fs-rates-city")
        self.rates_chart = png_image("760px")
        self.rates_chart.add_class("scoring-fs-chart")
        self.rates_period = w.HTML(layout=w.Layout(overflow="auto"))
        self.rates_period.add_class("scoring-fs-rates-period")
        self.rates_cross = w.HTML(layout=w.Layout(overflow="auto"))
        self.rates_cross.add_class("scoring-fs-rates-cross")
        self.panes["rates"].children = [
            self.rates_title,
            self.rates_city,
            self.rates_chart,
            self.rates_period,
            self.rates_cross,
        ]

    def _rate_rows(self, df: Any, key: str, label: Any = str) -> list[list[Any]]:
        if df is None:
            return []
        return [
            [
                label(r[key]),
                int(r["expected"]),
                int(r["reported"]),
                int(r["on_time"]),
                int(r["late"]),
                int(r["missing"]),
                _pct(r["reporting_rate"]),
                _pct(r["on_time_rate"]),
            ]
            for r in df.to_dict("records")
        ]

    def _rate_head(self, first: str) -> list[str]:
        tr = self.model.tr
        return [
            first,
            *[tr(k) for k in ("fs.expected", "fs.reported", "fs.on_time", "fs.late", "fs.missing")],
            tr("fs.reporting_rate"),
            tr("fs.on_time_rate"),
        ]

    def _fill_rates(self) -> None:
        from scoring.followup.periods import period_label

        m = self.model
        tr = m.tr
        t = m.totals
        self.summary.value = (
            "<div style='font-size:14px;margin:4px 0'>"
            + esc(
                tr(
                    "fs.summary_head",
                    projects=t.get("projects", 0),
                    expected=int(t.get("expected", 0) or 0),
                    reported=int(t.get("reported", 0) or 0),
                    rate=_pct(t.get("reporting_rate")),
                    on_time=int(t.get("on_time", 0) or 0),
                    on_rate=_pct(t.get("on_time_rate")),
                )
            )
            + f" <small>（{esc(tr('fs.year'))} {m.year}）</small></div>"
        )
        if "rates" not in self.built:
            return
        self.rates_title.value = f"<h3 style='margin:8px 0 2px'>{esc(tr('fs.rates'))}</h3>"
        self.rates_city.value = html_table(
            self._rate_rows(m.by_city, "city"),
            self._rate_head(tr("fs.by.city")),
            cls="scoring-fs-city",
        )
        show_png(self.rates_chart, m.rates_chart())
        self.rates_period.value = html_table(
            self._rate_rows(m.by_period, "period", lambda k: period_label(str(k), m.lang)),
            self._rate_head(tr("fu.period")),
            cls="scoring-fs-period",
        )
        cross = m.by_city_period
        if cross is not None and len(cross):
            keys = sorted({str(k) for k in cross["period"]})
            cell = {(str(r["city"]), str(r["period"])): r for r in cross.to_dict("records")}
            cities = list(dict.fromkeys(str(c) for c in cross["city"]))
            rows = [
                [
                    c,
                    *[
                        f"{_pct(cell[(c, k)]['reporting_rate'])} / {_pct(cell[(c, k)]['on_time_rate'])}"
                        if (c, k) in cell
                        else "—"
                        for k in keys
                    ],
                ]
                for c in cities
            ]
            head = [tr("fs.by.city"), *[period_label(k, m.lang) for k in keys]]
            self.rates_cross.value = f"<b>{esc(tr('fs.cross'))}</b>" + html_table(
                rows, head, cls="scoring-fs-cross"
            )
        else:
            self.rates_cross.value = ""

    # -- indicators --------------------------------------------------------------------------
    def _build_indicators(self) -> None:
        m, safe = self.model, self.safe
        self.f_widgets: dict[str, w.Dropdown] = {}
        for col in ("city", "kind", "industry", "indicator"):
            d = w.Dropdown(layout=w.Layout(width="220px"))
            d.add_class(f"scoring-fs-filter-{col}")
            d.observe(safe(lambda c, col=col: self._on_filter(col, c["new"])), "value")
            self.f_widgets[col] = d
        self.f_by = w.Dropdown(layout=w.Layout(width="220px"))
        self.f_by.add_class("scoring-fs-by")
        self.f_by.observe(safe(self._on_by), "value")
        self.ind_title = w.HTML()
        self.ind_table = w.HTML(layout=w.Layout(overflow="auto", max_height="480px"))
        self.ind_table.add_class("scoring-fs-indicators")
        self.panes["indicators"].children = [
            self.ind_title,
            w.HBox([*self.f_widgets.values(), self.f_by], layout=w.Layout(flex_flow="row wrap")),
            self.ind_table,
        ]
        del m

    _filling = False

    def _on_filter(self, col: str, value: Any) -> None:
        if not self._filling:
            self.model.set_filter(col, value or "")
            self._fill_indicator_table()

    def _on_by(self, change: dict) -> None:
        if not self._filling and change["new"]:
            self.model.indicator_by = change["new"]
            self._fill_indicator_table()

    def _fill_indicators(self) -> None:
        from scoring.followup.catalogue import indicator

        m = self.model
        tr = m.tr
        self.ind_title.value = f"<h3 style='margin:8px 0 2px'>{esc(tr('fs.indicator_status'))}</h3>"
        labels = {
            "city": tr("fs.by.city"),
            "kind": tr("fu.kind"),
            "industry": tr("fs.by.industry"),
            "indicator": tr("fu.indicator"),
        }
        self._filling = True
        try:
            for col, d in self.f_widgets.items():
                vals = m.filter_choices(col)
                if col == "indicator":
                    names = [(self._ind_name(v, indicator), v) for v in vals]
                elif col == "kind":
                    names = [(tr(f"fu.kind.{v}"), v) for v in vals]
                else:
                    names = [(v, v) for v in vals]
                d.options = [(tr("fs.all"), "")] + names
                d.value = m.filters.get(col, "")
                d.description = labels[col]
            self.f_by.options = [(tr(f"fs.by.{b}"), b) for b in INDICATOR_BY]
            self.f_by.value = m.indicator_by
            self.f_by.description = tr("fs.by")
        finally:
            self._filling = False
        self._fill_indicator_table()

    def _ind_name(self, key: str, indicator: Any) -> str:
        try:
            return indicator(key).label(self.model.lang)
        except KeyError:
            return key

    def _fill_indicator_table(self) -> None:
        from scoring.followup.catalogue import indicator

        m = self.model
        tr = m.tr
        tab = m.indicator_table()
        if tab is None or not len(tab):
            self.ind_table.value = "<i>—</i>"
            return
        by = [c for c in tab.columns if c in INDICATOR_BY]
        rows = []
        for r in tab.to_dict("records"):
            first = [tr(f"fu.kind.{r[c]}") if c == "kind" else r[c] for c in by]
            rows.append(
                [
                    *first,
                    self._ind_name(str(r["indicator"]), indicator),
                    int(r["projects"]),
                    int(r["met"]),
                    int(r["improving"]),
                    int(r["below_baseline"]),
                    int(r["no_baseline"]),
                    "—"
                    if r["mean_change_pct"] != r["mean_change_pct"]
                    else f"{r['mean_change_pct']:+.1f}%",
                    _pct(r["median_gap_closed"]),
                ]
            )
        head = [
            *[tr(f"fs.by.{c}") for c in by],
            tr("fu.indicator"),
            tr("fs.projects"),
            tr("fs.status.met"),
            tr("fs.status.improving"),
            tr("fs.status.below_baseline"),
            tr("fs.status.no_baseline"),
            "Δ% " + tr("fu.baseline"),
            "→ " + tr("fu.target"),
        ]
        self.ind_table.value = html_table(rows, head, cls="scoring-fs-ind-table")

    # -- financing ---------------------------------------------------------------------------
    def _build_financing(self) -> None:
        self.fin_title = w.HTML()
        self.fin_table = w.HTML(layout=w.Layout(overflow="auto"))
        self.fin_table.add_class("scoring-fs-financing")
        self.panes["financing"].children = [self.fin_title, self.fin_table]

    def _fill_financing(self) -> None:
        from scoring.followup.content import FINANCING

        m = self.model
        tr = m.tr
        zh = m.lang == "zh"
        self.fin_title.value = f"<h3 style='margin:8px 0 2px'>{esc(tr('fs.financing'))}</h3>"
        df = m.financing
        if df is None or not len(df):
            self.fin_table.value = "<i>—</i>"
            return
        head = [
            tr("fu.kind"),
            *[z if zh else e for z, e in FINANCING.values()],
            "合计" if zh else "Total",
        ]
        rows = [
            [
                tr(f"fu.kind.{r.get('kind', '')}"),
                *[f"{float(r[k]):,.1f}" for k in (*FINANCING, "total")],
            ]
            for r in df.to_dict("records")
        ]
        self.fin_table.value = html_table(rows, head, cls="scoring-fs-fin-table")


def followstats_app(backend: Any = None, *, lang: str = "zh") -> w.Widget:
    """The province's follow-up statistics page, ready to display."""
    return build_app(FollowStatsModel, FollowStatsView, backend, lang=lang, poll=False)
