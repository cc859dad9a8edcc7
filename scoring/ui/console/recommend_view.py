"""The console's box of exited projects and the override form (widgets over
:class:`~scoring.ui.console.recommend.RecommendMixin`)."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..i18n import t
from ..markup import esc, html_table


class RecommendView:
    """The console's 已退出项目 box (in the imports tab)."""

    def __init__(self, model: Any, safe: Any) -> None:
        self.model = model
        self.title = w.HTML()
        self.table = w.HTML(layout=w.Layout(overflow="auto", max_height="220px"))
        self.table.add_class("scoring-exited")
        self.pick = w.Dropdown(layout=w.Layout(width="320px"))
        self.pick.add_class("scoring-override-pick")
        self.reason = w.Text(layout=w.Layout(width="360px"))
        self.reason.add_class("scoring-override-reason")
        self.go = w.Button(button_style="warning", layout=w.Layout(width="auto"))
        self.go.add_class("scoring-override")
        self.go.on_click(safe(lambda _b: model.grant_override(self.pick.value, self.reason.value)))
        self.box = w.VBox([self.title, self.table, w.HBox([self.pick, self.reason, self.go])])
        model.observe(safe(lambda _c: self.render()), ["exited_version", "lang"])
        self.render()

    def render(self) -> None:
        m, lang = self.model, self.model.lang
        df = m.exited
        self.title.value = f"<b>{esc(t('cycle.title', lang))}</b>"
        self.reason.placeholder = t("cycle.reason", lang)
        self.go.description = t("cycle.grant", lang)
        if df is None or not len(df):
            self.table.value = f"<p style='color:#666'>{esc(t('cycle.none', lang))}</p>"
            self.pick.options = [("—", "")]
            self.box.children = [self.title, self.table]
            return
        rows = [
            [
                r["project_id"],
                r["name"],
                r["city"],
                r["catalogue_year"],
                str(r["exited_at"] or "")[:10],
                r["exit_reason"] or "",
                r["override_reason"] or "",
            ]
            for r in df.to_dict("records")
        ]
        head = [
            t(f"cycle.col.{c}", lang)
            for c in ("id", "name", "city", "year", "exited", "reason", "override")
        ]
        self.table.value = html_table(rows, head, sortable=True)
        opts = [("—", "")] + [
            (f"{r['project_id']} {r['name']}", str(r["project_id"]))
            for r in df.to_dict("records")
            if not r["override_reason"]
        ]
        keep = self.pick.value
        self.pick.options = opts
        self.pick.value = keep if keep in [o[1] for o in opts] else ""
        self.box.children = [self.title, self.table, w.HBox([self.pick, self.reason, self.go])]
