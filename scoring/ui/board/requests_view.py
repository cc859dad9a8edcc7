"""The board's requests section: each request waiting for the chair with its approve and reject
buttons and a reason field; decided requests as a table; the reopening form of a closed panel
with requests waiting."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..markup import esc

STATUS_COLOURS = {"pending": "#e65100", "approved": "#2e7d32", "rejected": "#b71c1c"}


class RequestsView:
    """Widgets of the requests to the chair, linked to a board model with :class:`RequestsMixin`.

    Parameters
    ----------
    model : BoardModel
    safe : callable
        The page's callback guard.
    """

    def __init__(self, model: Any, safe: Any) -> None:
        self.model, self.safe = model, safe
        self.title = w.HTML()
        self.pending = w.VBox()
        self.decided = w.HTML(layout=w.Layout(overflow="auto", max_width="100%"))
        self.reopen_reason = w.Text(layout=w.Layout(width="420px"))
        self.reopen_reason.add_class("scoring-reopen-reason")
        self.reopen_go = w.Button(button_style="warning")
        self.reopen_go.add_class("scoring-reopen")
        self.reopen_go.on_click(safe(lambda _b: model.reopen(self.reopen_reason.value)))
        self.reopen_box = w.HBox([self.reopen_reason, self.reopen_go])
        self.box = w.VBox([self.title, self.reopen_box, self.pending, self.decided])
        self.box.add_class("scoring-requests")
        #: request id -> its reason field (kept across re-renders while typing).
        self.notes: dict[int, w.Text] = {}

    def _kind(self, r: dict) -> str:
        key = "requests.kind_recusal" if r["kind"] == "recusal" else "requests.kind_scores"
        return self.model.tr(key)

    def _who(self, r: dict) -> str:
        m = self.model
        name = m.project_names.get(str(r["project_id"]), "")
        return f"{r['expert_id']} {r.get('expert_name') or ''} → {r['project_id']} {name}".strip()

    def render(self) -> None:
        """Show the requests (nothing when there are none)."""
        m = self.model
        rows = m.requests
        self.box.layout.display = None if rows else "none"
        if not rows:
            return
        waiting = m.pending_requests()
        self.title.value = (
            f"<h4 style='margin:8px 0 4px'>{esc(m.tr('requests.title'))}"
            f"（{esc(m.tr('requests.waiting', n=len(waiting)))}）</h4>"
        )
        closed = m.panel_status == "closed"
        self.reopen_box.layout.display = None if closed and waiting else "none"
        self.reopen_go.description = m.tr("requests.reopen")
        self.reopen_reason.placeholder = m.tr("requests.reopen_reason")
        items = []
        for r in waiting:
            rid = int(r["id"])
            note = self.notes.get(rid) or w.Text(layout=w.Layout(width="260px"))
            note.placeholder = m.tr("requests.note")
            note.add_class(f"scoring-request-note-{rid}")
            self.notes[rid] = note
            yes = w.Button(description=m.tr("requests.approve"), button_style="success")
            no = w.Button(description=m.tr("requests.reject"), button_style="danger")
            yes.add_class(f"scoring-request-approve-{rid}")
            no.add_class(f"scoring-request-reject-{rid}")
            yes.disabled = no.disabled = closed
            yes.on_click(self.safe(lambda _b, rid=rid: m.decide(rid, True, self.notes[rid].value)))
            no.on_click(self.safe(lambda _b, rid=rid: m.decide(rid, False, self.notes[rid].value)))
            text = w.HTML(
                f"<div style='min-width:320px'><b>#{rid} {esc(self._kind(r))}</b> "
                f"{esc(self._who(r))}<br><small>{esc(m.tr('requests.reason'))}："
                f"{esc(r['reason'])}</small></div>"
            )
            items.append(
                w.HBox(
                    [text, note, yes, no],
                    layout=w.Layout(flex_flow="row wrap", align_items="center"),
                )
            )
        self.pending.children = items
        done = [r for r in rows if r["status"] != "pending"]
        if not done:
            self.decided.value = ""
            return
        head = "".join(
            f"<th>{esc(m.tr(k))}</th>"
            for k in ("requests.id", "requests.kind", "requests.who", "requests.reason")
            + ("requests.status", "requests.note_label")
        )
        body = "".join(
            f"<tr><td>#{int(r['id'])}</td><td>{esc(self._kind(r))}</td><td>{esc(self._who(r))}</td>"
            f"<td>{esc(r['reason'])}</td><td style='color:{STATUS_COLOURS.get(r['status'], '#333')}'>"
            f"{esc(m.tr('correction.' + r['status']))}</td><td>{esc(r.get('note') or '')}</td></tr>"
            for r in done
        )
        self.decided.value = f"<table class='scoring-table'><tr>{head}</tr>{body}</table>"
