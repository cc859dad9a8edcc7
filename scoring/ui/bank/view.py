"""银行审贷对比 — the bank reviewer's page: 2 to 6 candidates side by side (three-year indicators
with trends, a radar chart of the panel scores), the bank's own weights and ranking beside the
panel's, a portfolio basket of at most 20 projects, and an export."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..app import build_app
from ..config_summary import config_html
from ..markup import download_link, esc, html_table
from ..widgets import (
    PAGE_LAYOUT,
    FilteredSelect,
    PageView,
    png_image,
    show_png,
    weight_handler,
)
from .chart import radar_png
from .indicators import indicator_rows
from .model import BankModel


class BankView(PageView):
    """Widgets of the bank page, linked to a :class:`BankModel`."""

    model: BankModel

    def __init__(self, model: BankModel) -> None:
        super().__init__(model, "app.bank")
        m, safe = model, self.safe
        self.pick = w.SelectMultiple(rows=10, layout=w.Layout(width="100%"))
        self.pick.add_class("scoring-pick")
        self.pick_filter = FilteredSelect(self.pick, m)
        self.pick_label = w.HTML()
        self.compare = w.Button(button_style="primary")
        self.compare.add_class("scoring-compare")
        self.compare.on_click(safe(lambda _b: m.compare(list(self.pick.value))))
        self.sliders: dict[str, w.FloatSlider] = {}
        self.weights = w.VBox()
        self.table = w.HTML(layout=w.Layout(overflow="auto", max_width="100%"))
        self.table.add_class("scoring-comparison")
        self.radar = png_image("460px")
        self.add = w.Button(button_style="success")
        self.add.add_class("scoring-add-basket")
        self.add.on_click(safe(lambda _b: m.add_to_basket()))
        self.basket = w.HTML()
        self.basket.add_class("scoring-basket")
        self.basket_rows = w.VBox()
        self.basket_rows.add_class("scoring-basket-items")
        self.export = w.HTML()
        self.export.add_class("scoring-downloads")
        left = w.VBox(
            [self.pick_label, self.pick_filter.box, self.compare, self.weights],
            layout=w.Layout(width="380px", min_width="300px", flex="0 0 380px"),
        )
        right = w.VBox(
            [
                self.table,
                self.radar,
                w.HBox([self.add]),
                self.basket,
                self.basket_rows,
                self.export,
            ],
            layout=w.Layout(flex="1 1 0%", min_width="0"),
        )
        self.main = w.HBox([left, right], layout=w.Layout(width="100%"))
        self.body = w.VBox()
        self.root = w.VBox([self.header.box, self.messages.box, self.body], layout=PAGE_LAYOUT)
        self.root.add_class("scoring-bank")
        m.observe(safe(self._render), ["logged_in", "lang", "pool"])
        m.observe(safe(lambda _c: self._render_basket()), ["lang"])
        m.observe(safe(lambda _c: self._render_comparison()), ["compare_version"])
        m.observe(safe(lambda _c: self._render_basket()), ["basket"])
        self._render()

    def _names(self) -> dict[str, str]:
        m = self.model
        crit = m.config.criteria.get("criteria", {}) if m.config is not None else {}
        return {k: crit.get(k, {}).get("zh" if m.lang == "zh" else "en", k) for k in m.keys()}

    def _render(self, _change: Any = None) -> None:
        m = self.model
        self.compare.description = m.tr("bank.compare")
        self.add.description = m.tr("bank.add")
        self.pick_label.value = f"<b>{esc(m.tr('bank.pick'))}</b>"
        if not m.logged_in:
            self.body.children = [self.login.box]
            return
        self.pick_filter.set_options(m.pool)
        names = self._names()
        if not self.sliders and m.keys():
            for k in m.keys():
                s = w.FloatSlider(
                    value=m.weights.get(k, 0.2),
                    min=0.05,
                    max=1.0,
                    step=0.05,
                    continuous_update=False,
                    readout_format=".2f",
                    # room for the English names ("Poverty-alleviation effect"), cut at 80 px
                    style={"description_width": "170px"},
                    layout=w.Layout(width="100%"),
                )
                s.add_class(f"scoring-weight-{k}")
                s.observe(self.safe(weight_handler(m, k)), "value")
                self.sliders[k] = s
            self.weights.children = [w.HTML(), *self.sliders.values()]
        for k, s in self.sliders.items():
            s.description = names.get(k, k)
        if self.weights.children:
            frozen = ""
            if m.config is not None:
                frozen = (
                    f"<details><summary><small>{esc(m.tr('config.frozen_title'))} "
                    f"<code>{esc(m.config_hash[:12])}</code></small></summary>"
                    f"{config_html(m.config, m.lang)}</details>"
                )
            self.weights.children[0].value = f"<b>{esc(m.tr('bank.weights'))}</b>{frozen}"
        self.body.children = [self.main]
        self._render_comparison()
        self._render_basket()

    def _render_comparison(self) -> None:
        m = self.model
        comp = m.comparison
        if comp is None:
            self.table.value = ""
            show_png(self.radar, b"")
            return
        ids = list(comp.index)
        names = self._names()
        head = ["", *[f"{pid} {comp.at[pid, 'name']}" for pid in ids]]
        rows = [
            [m.tr("bank.panel_rank"), *[int(comp.at[p, "panel_rank"]) for p in ids]],
            [m.tr("bank.own_rank"), *[int(comp.at[p, "bank_rank"]) for p in ids]],
            [m.tr("col.score"), *[f"{comp.at[p, 'score']:.2f}" for p in ids]],
            *[[names[k], *[f"{comp.at[p, k]:.1f}" for p in ids]] for k in m.keys()],
            *indicator_rows(m.candidates, ids, m.lang),
        ]
        self.table.value = html_table(rows, head, cls="scoring-compare-table", sortable=True)
        minimised = {k for k, o in m.config.objectives.items() if o == "min"}
        labels = {
            k: m.tr("bank.reversed", name=v) if k in minimised else v for k, v in names.items()
        }
        png = radar_png(
            comp, m.keys(), labels, m.tr("bank.radar"), minimised=minimised, scale=m.config.scale
        )
        show_png(self.radar, png)
        got = m.export()
        self.export.value = download_link(got[0], got[1], m.tr("bank.export")) if got else ""

    def _render_basket(self) -> None:
        m = self.model
        if m.portfolio is None:
            self.basket.value = ""
            return
        self.basket.value = (
            f"<b>{esc(m.tr('bank.basket', cap=m.portfolio.limit))}</b> "
            f"<span class='scoring-basket-count'>{len(m.basket)} / {m.portfolio.limit}</span>"
            + ("" if m.basket else f"<br><small>{esc(m.tr('bank.empty_basket'))}</small>")
        )
        rows = []
        for i, (pid, label) in enumerate(m.basket_items(), 1):
            remove = w.Button(description=m.tr("bank.remove"), layout=w.Layout(width="auto"))
            remove.add_class("scoring-basket-remove")
            remove.on_click(self.safe(lambda _b, p=pid: m.remove_from_basket(p)))
            text = w.HTML(f"{i}. {esc(label)}", layout=w.Layout(flex="1 1 auto"))
            rows.append(w.HBox([text, remove], layout=w.Layout(align_items="center")))
        self.basket_rows.children = rows


def bank_app(backend: Any = None, *, lang: str = "zh") -> w.Widget:
    """The bank reviewer's comparison page, ready to display."""
    return build_app(BankModel, BankView, backend, lang=lang, poll=False)
