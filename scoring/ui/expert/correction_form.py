"""The correction widgets under a confirmed sheet of the expert page: the expert's requests
about the candidate with the chair's decisions, and the form to ask (new values, reason)."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..markup import esc

#: Status of a request -> its colour on the page.
STATUS_COLOURS = {
    "pending": "#e65100",
    "approved": "#2e7d32",
    "rejected": "#b71c1c",
    "stale": "#616161",
}


class CorrectionForm:
    """The widgets under a confirmed sheet: the requests about it and the form to ask.

    Parameters
    ----------
    model : ExpertModel
    safe : callable
        The page's callback guard.
    """

    def __init__(self, model: Any, safe: Any) -> None:
        self.model = model
        self.history = w.HTML()
        self.history.add_class("scoring-corrections")
        self.open = w.Button(icon="pencil")
        self.open.add_class("scoring-correction-open")
        self.open.on_click(safe(self._toggle))
        self.inputs: dict[str, w.Text] = {}
        self.values = w.HBox(layout=w.Layout(flex_flow="row wrap"))
        self.reason = w.Textarea(layout=w.Layout(width="100%", height="56px"))
        self.reason.add_class("scoring-correction-reason")
        self.send = w.Button(button_style="warning")
        self.send.add_class("scoring-correction-send")
        self.send.on_click(safe(self._send))
        self.cancel = w.Button()
        self.cancel.on_click(safe(self._toggle))
        self.form = w.VBox(
            [self.values, self.reason, w.HBox([self.send, self.cancel])],
            layout=w.Layout(display="none", border="1px solid #ffcc80", padding="8px"),
        )
        self.form.add_class("scoring-correction-form")
        self.box = w.VBox([self.history, self.open, self.form])

    def render(self) -> None:
        """Show the requests about the current candidate; the form only for a confirmed sheet."""
        m = self.model
        confirmed = m.sheet_status == "confirmed"
        self.box.layout.display = None if confirmed or m.requests_for(m.current) else "none"
        self.open.description = m.tr("correction.open")
        self.open.layout.display = None if confirmed else "none"
        self.open.disabled = m.has_pending(m.current)
        self.send.description = m.tr("correction.send")
        self.cancel.description = m.tr("correction.cancel")
        self.reason.placeholder = m.tr("correction.reason")
        if not confirmed:
            self.form.layout.display = "none"
        self.history.value = self._history_html()
        names = m.criterion_names()
        if list(self.inputs) != list(names):
            self.inputs = {
                k: w.Text(layout=w.Layout(width="200px"), style={"description_width": "initial"})
                for k in names
            }
            for k, box in self.inputs.items():
                box.add_class(f"scoring-correction-{k}")
            self.values.children = list(self.inputs.values())
        for k, box in self.inputs.items():
            # set once at creation: assigning a dict to ``style`` makes a new style widget (a
            # comm opened towards the browser) on every render, i.e. ten per save
            box.description = names[k]

    def _history_html(self) -> str:
        m = self.model
        rows = m.requests_for(m.current)
        if not rows:
            return ""
        names = m.criterion_names()
        items = []
        for r in rows:
            colour = STATUS_COLOURS.get(r["status"], "#333")
            asked = "，".join(
                f"{names.get(k, k)} {v:g}" for k, v in (r.get("scores") or {}).items()
            )
            what = m.tr("correction.kind_recusal") if r["kind"] == "recusal" else asked
            note = f" — {m.tr('correction.chair_note')}：{esc(r['note'])}" if r.get("note") else ""
            items.append(
                f"<li><b style='color:{colour}'>{esc(m.tr('correction.' + r['status']))}</b> "
                f"{esc(what)}；{esc(m.tr('correction.reason_label'))}：{esc(r['reason'])}{note}</li>"
            )
        return (
            f"<div style='font-size:13px'><b>{esc(m.tr('correction.title'))}</b>"
            f"<ul style='margin:4px 0'>{''.join(items)}</ul></div>"
        )

    def _toggle(self, _b: Any = None) -> None:
        showing = self.form.layout.display != "none"
        if not showing:
            for k, box in self.inputs.items():
                v = self.model.scores.get(k)
                box.value = "" if v is None else f"{v:g}"
            self.reason.value = ""
        self.form.layout.display = "none" if showing else None

    def _send(self, _b: Any = None) -> None:
        values = {k: box.value for k, box in self.inputs.items()}
        if self.model.request_correction(values, self.reason.value):
            self.form.layout.display = "none"
            self.reason.value = ""
        self.render()
