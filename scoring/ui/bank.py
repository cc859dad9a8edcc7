"""银行审贷对比 — the bank reviewer's page: 2 to 6 candidates side by side (three-year indicators
with trends, a radar chart of the panel scores), the bank's own weights and ranking beside the
panel's, a portfolio basket of at most 20 projects, and an export."""

from __future__ import annotations

import io
from typing import Any

import ipywidgets as w

from .models import BankModel
from .views import (
    PAGE_LAYOUT,
    Header,
    LoginBox,
    Messages,
    build_app,
    download_link,
    esc,
    png_image,
    show_png,
    weight_handler,
)

TREND = {1: "↑", -1: "↓", 0: "→"}


def radar_png(comparison: Any, keys: list[str], names: dict[str, str], title: str) -> bytes:
    """Radar chart of the panel scores of the compared candidates (PNG bytes)."""
    import numpy as np
    from matplotlib.figure import Figure

    from scoring.fonts import setup_matplotlib

    setup_matplotlib()
    angles = np.linspace(0, 2 * np.pi, len(keys), endpoint=False).tolist()
    fig = Figure(figsize=(4.6, 4.2), dpi=90)
    ax = fig.add_subplot(projection="polar")
    for pid, row in comparison.iterrows():
        vals = [float(row[k]) for k in keys]
        ax.plot([*angles, angles[0]], [*vals, vals[0]], label=str(pid))
        ax.fill([*angles, angles[0]], [*vals, vals[0]], alpha=0.08)
    ax.set_xticks(angles)
    ax.set_xticklabels([names.get(k, k) for k in keys])
    ax.set_ylim(0, 100)
    ax.set_title(title)
    ax.legend(loc="upper right", bbox_to_anchor=(1.25, 1.1), fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def indicator_rows(candidates: Any, ids: list[str], lang: str = "zh") -> list[list[str]]:
    """One row per indicator: for each candidate, the three years and the trend arrow."""
    from scoring.programme.schema import INDICATORS

    years = sorted(
        {int(c.rsplit("_", 1)[1]) for c in candidates.columns if c.rsplit("_", 1)[-1].isdigit()}
    )[-3:]
    rows = []
    for key, (zh, unit) in INDICATORS.items():
        cols = [f"{key}_{y}" for y in years if f"{key}_{y}" in candidates]
        if not cols:
            continue
        row = [f"{zh}({unit})" if lang == "zh" else f"{key} ({unit})"]
        for pid in ids:
            vals = [candidates.at[pid, c] for c in cols]
            try:
                nums = [float(v) for v in vals]
                trend = TREND[(nums[-1] > nums[0]) - (nums[-1] < nums[0])]
                row.append(" / ".join(f"{v:g}" for v in nums) + f" {trend}")
            except (TypeError, ValueError):
                row.append("")
        rows.append(row)
    return rows


class BankView:
    """Widgets of the bank page, linked to a :class:`BankModel`."""

    def __init__(self, model: BankModel) -> None:
        self.model = m = model
        self.header = Header(m, "app.bank")
        safe = self.header.safe
        self.messages = Messages(m)
        self.login = LoginBox(m, safe)
        self.pick = w.SelectMultiple(rows=10, layout=w.Layout(width="100%"))
        self.pick.add_class("scoring-pick")
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
        self.export = w.HTML()
        self.export.add_class("scoring-downloads")
        left = w.VBox(
            [self.pick_label, self.pick, self.compare, self.weights],
            layout=w.Layout(width="340px", min_width="300px", flex="0 0 340px"),
        )
        right = w.VBox(
            [self.table, self.radar, w.HBox([self.add]), self.basket, self.export],
            layout=w.Layout(flex="1 1 0%", min_width="0"),
        )
        self.main = w.HBox([left, right], layout=w.Layout(width="100%"))
        self.body = w.VBox()
        self.root = w.VBox([self.header.box, self.messages.box, self.body], layout=PAGE_LAYOUT)
        self.root.add_class("scoring-bank")
        m.observe(safe(self._render), ["logged_in", "lang", "pool"])
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
        if list(self.pick.options) != m.pool:
            self.pick.options = m.pool
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
                )
                s.add_class(f"scoring-weight-{k}")
                s.observe(self.header.safe(weight_handler(m, k)), "value")
                self.sliders[k] = s
            self.weights.children = [w.HTML(), *self.sliders.values()]
        for k, s in self.sliders.items():
            s.description = names.get(k, k)
        if self.weights.children:
            self.weights.children[0].value = f"<b>{esc(m.tr('bank.weights'))}</b>"
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
        from .views import html_table

        self.table.value = html_table(rows, head, cls="scoring-compare-table")
        show_png(self.radar, radar_png(comp, m.keys(), names, m.tr("bank.radar")))
        got = m.export()
        self.export.value = download_link(got[0], got[1], m.tr("bank.export")) if got else ""

    def _render_basket(self) -> None:
        m = self.model
        if m.portfolio is None:
            self.basket.value = ""
            return
        items = "".join(f"<li>{esc(p)}</li>" for p in m.basket)
        self.basket.value = (
            f"<b>{esc(m.tr('bank.basket', cap=m.portfolio.limit))}</b> "
            f"<span class='scoring-basket-count'>{len(m.basket)} / {m.portfolio.limit}</span>"
            f"<ol>{items}</ol>"
        )


def bank_app(backend: Any = None, *, lang: str = "zh") -> w.Widget:
    """The bank reviewer's comparison page, ready to display."""
    return build_app(BankModel, BankView, backend, lang=lang, poll=False)
