"""专家评分 — the expert scoring page: login, conflicts first, then one card per candidate with the
five criteria, rubric descriptors, automatic draft saves and confirmation with the code again."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..app import Poller, build_app
from ..markup import esc
from ..widgets import PAGE_LAYOUT, PageView
from .card import candidate_card
from .correction_form import CorrectionForm
from .evidence_card import evidence_card, suggestion_line
from .model import ExpertModel


class ExpertView(PageView):
    """Widgets of the expert page, linked to an :class:`ExpertModel`."""

    model: ExpertModel

    #: Widgets of the two steps after the login, built when first needed (a page opens with
    #: the header, the message lines and the login box only: fewer widgets for the server to
    #: send and the browser to draw before the page is usable).
    _CONFLICT_PARTS = frozenset(
        ("conflict_title", "conflict_boxes", "conflict_list", "conflict_reason", "no_conflict")
        + ("declare", "conflicts")
    )
    _SCORING_PARTS = frozenset(
        ("select", "card", "inputs", "labels", "descriptors", "criteria_box", "comment")
        + ("comment_label", "saved", "code", "confirm", "confirm_box", "scoring", "correction")
    )

    def __init__(self, model: ExpertModel) -> None:
        super().__init__(model, "app.expert")
        m, safe = model, self.safe
        self.status = w.HTML()  # panel, progress, timer
        self.status.add_class("scoring-status")
        # an expert on two panels picks the one to score (the open one is preselected)
        self.panel_pick = w.Dropdown(layout=w.Layout(width="auto", display="none"))
        self.panel_pick.add_class("scoring-panel-pick")
        self.panel_pick.observe(safe(self._on_panel_pick), "value")
        self.body = w.VBox()
        self.root = w.VBox(
            [self.header.box, self.messages.box, self.panel_pick, self.status, self.body],
            layout=PAGE_LAYOUT,
        )
        self.root.add_class("scoring-expert")

        for name in ("phase", "order", "current", "scores", "comment", "sheet_status", "lang"):
            m.observe(safe(self._refresh), name)
        for name in ("requests",):
            m.observe(safe(self._refresh), name)
        m.observe(safe(lambda _c: self._render_status()), ["progress_text", "timer_text"])
        m.observe(safe(self._on_saved_text), "saved_text")
        m.observe(safe(self._render_panels), ["panels", "panel_id"])
        m.observe(safe(self._on_panel_version), "panel_version")
        self.poller = Poller(m.tick, 1.0)
        self._refresh()

    def __getattr__(self, name: str) -> Any:
        # only reached for attributes not set yet: a step's widget asked for before its step
        if name in ExpertView._CONFLICT_PARTS and "conflicts" not in self.__dict__:
            self._build_conflicts()
            return getattr(self, name)
        if name in ExpertView._SCORING_PARTS and "scoring" not in self.__dict__:
            self._build_scoring()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _render_panels(self, _change: Any = None) -> None:
        m = self.model
        self._setting = True
        try:
            if list(self.panel_pick.options) != list(m.panels):
                self.panel_pick.options = list(m.panels)
            if m.panel_id and self.panel_pick.value != m.panel_id:
                self.panel_pick.value = m.panel_id
        finally:
            self._setting = False
        self.panel_pick.description = m.tr("panel")
        self.panel_pick.layout.display = None if len(m.panels) > 1 else "none"

    def _on_panel_pick(self, change: dict) -> None:
        if not self._setting and change["new"] and change["new"] != self.model.panel_id:
            self.model.choose_panel(change["new"])

    def _on_panel_version(self, _change: Any) -> None:
        # another panel: its candidates and possibly another criteria set
        if "scoring" in self.__dict__:
            self.inputs, self.labels, self.descriptors = {}, {}, {}
            self.criteria_box.children = ()
        if "conflicts" in self.__dict__:
            self.conflict_boxes = []
            self.conflict_list.children = ()
        self._refresh()

    def _on_saved_text(self, change: dict) -> None:
        if "scoring" in self.__dict__:
            self.saved.value = self._saved_html(change["new"])

    def _build_conflicts(self) -> None:
        m, safe = self.model, self.safe
        self.conflict_title = w.HTML()
        self.conflict_boxes: list[w.Checkbox] = []
        self.conflict_list = w.VBox(layout=w.Layout(max_height="320px", overflow="auto"))
        self.conflict_reason = w.Text(layout=w.Layout(width="420px"))
        self.no_conflict = w.Button(button_style="primary")
        self.no_conflict.add_class("scoring-no-conflict")
        self.declare = w.Button(button_style="warning")
        self.declare.add_class("scoring-declare")
        self.no_conflict.on_click(safe(lambda _b: m.declare_conflicts([])))
        self.declare.on_click(safe(self._declare))
        self.conflicts = w.VBox(
            [
                self.conflict_title,
                self.conflict_list,
                self.conflict_reason,
                w.HBox([self.no_conflict, self.declare]),
            ]
        )
        self._conflict_texts()

    def _build_scoring(self) -> None:
        safe = self.safe
        # wide enough for a full enterprise name (about 20 characters) on a 1024-wide tablet
        self.select = w.Select(rows=12, layout=w.Layout(width="360px", min_width="360px"))
        self.select.add_class("scoring-candidates")
        self.select.observe(safe(self._on_select), "value")
        # the card scrolls inside its box so that the scores, the comment and the confirm
        # button stay on a 1024x768 tablet's screen without scrolling the page
        self.card = w.HTML(layout=w.Layout(max_height="150px", overflow="auto"))
        self.inputs: dict[str, w.Text] = {}
        self.labels: dict[str, w.HTML] = {}
        self.descriptors: dict[str, w.HTML] = {}
        self.criteria_box = w.VBox()
        self.comment = w.Textarea(
            continuous_update=True, layout=w.Layout(width="100%", height="72px")
        )
        self.comment.add_class("scoring-comment")
        self.comment.observe(safe(self._on_comment), "value")
        self.comment_label = w.HTML()
        self.saved = w.HTML()
        self.saved.add_class("scoring-saved")
        self.code = w.Password(layout=w.Layout(width="260px"))
        self.code.add_class("scoring-confirm-code")
        self.confirm = w.Button(button_style="success")
        self.confirm.add_class("scoring-confirm")
        self.confirm.on_click(safe(self._confirm))
        self.confirm_box = w.HBox([self.code, self.confirm])
        self.correction = CorrectionForm(self.model, safe)
        right = w.VBox(
            [
                self.card,
                self.criteria_box,
                self.comment_label,
                self.comment,
                self.saved,
                self.confirm_box,
                self.correction.box,
            ],
            layout=w.Layout(flex="1 1 auto", min_width="0"),
        )
        self.scoring = w.HBox([self.select, right], layout=w.Layout(width="100%"))
        self.saved.value = self._saved_html(self.model.saved_text)
        self._scoring_texts()

    def _conflict_texts(self) -> None:
        m = self.model
        self.conflict_title.value = f"<b>{esc(m.tr('conflicts.title'))}</b>"
        self.conflict_reason.description = m.tr("conflicts.reason")
        self.no_conflict.description = m.tr("conflicts.none")
        self.declare.description = m.tr("conflicts.declare")

    def _scoring_texts(self) -> None:
        m = self.model
        self.confirm.description = m.tr("expert.confirm")
        self.code.placeholder = m.tr("expert.confirm_code")

    # -- rendering -------------------------------------------------------------------------
    def _saved_html(self, text: str) -> str:
        return f"<div style='color:#0d47a1'>{esc(text)}</div>" if text else ""

    def _render_status(self) -> None:
        m = self.model
        if not m.logged_in or m.phase != "scoring":
            self.status.value = ""
            return
        self.status.value = (
            f"<div style='display:flex;gap:24px;flex-wrap:wrap;font-size:15px'>"
            f"<span>{esc(m.tr('panel'))}：<b>{esc(m.panel_name)}</b>"
            + (f" · {esc(m.panel_date)}" if m.panel_date else "")
            + "</span>"
            f"<span class='scoring-progress'><b>{esc(m.progress_text)}</b></span>"
            f"<span class='scoring-timer'>{esc(m.timer_text)}</span></div>"
        )

    def _refresh(self, _change: Any = None) -> None:
        m = self.model
        if "conflicts" in self.__dict__:  # built: its texts follow the language
            self._conflict_texts()
        if "scoring" in self.__dict__:
            self._scoring_texts()
        if m.phase == "login":
            self.body.children = [self.login.box]
        elif m.phase == "conflicts":
            if len(self.conflict_boxes) != len(m.conflict_choices) or not self.conflict_boxes:
                self.conflict_boxes = [
                    w.Checkbox(
                        description=f"{p} {n}（{c}）",
                        indent=False,
                        value=False,
                        layout=w.Layout(width="auto"),
                    )
                    for p, n, c in m.conflict_choices
                ]
                self.conflict_list.children = self.conflict_boxes
            self.body.children = [self.conflicts]
        else:
            self._render_scoring()
            self.body.children = [self.scoring]
        self._render_status()

    def _option(self, pid: str) -> str:
        m = self.model
        name = ""
        if m.candidates is not None and "name" in m.candidates:
            name = str(m.candidates.at[pid, "name"])
        status = m.statuses.get(pid)
        mark = {"confirmed": "✔", "draft": "✎"}.get(status or "", "")
        pos = m.order.index(pid) + 1
        if len(name) > 26:  # the whole name fits a 1024-wide tablet's list up to about here
            name = name[:25] + "…"
        return " ".join(x for x in (f"{pos}.", mark, pid, name) if x)

    def _render_scoring(self) -> None:
        m = self.model
        opts = [(self._option(p), p) for p in m.order]
        self._setting = True
        try:
            if list(self.select.options) != opts:
                self.select.options = opts
            if m.current and self.select.value != m.current:
                self.select.value = m.current
        finally:
            self._setting = False
        if m.current and m.candidates is not None:
            ev = m.evidences.get(m.current)
            # the evidence of a year needs more room than an application's card
            self.card.layout.max_height = "150px" if ev is None else "300px"
            self.card.value = (
                evidence_card(ev, m.lang)
                if ev is not None
                else candidate_card(m.candidates.loc[m.current], m.lang)
            )
        if m.criteria is not None and not self.inputs:
            rows = []
            for c in m.criteria:
                lab = w.HTML(layout=w.Layout(width="150px", min_width="150px", flex="0 0 150px"))
                box = w.Text(continuous_update=False, layout=w.Layout(width="90px"))
                box.add_class(f"scoring-score-{c.key}")
                desc = w.HTML(layout=w.Layout(flex="1 1 auto"))
                box.observe(self.safe(self._on_score(c.key)), "value")
                self.inputs[c.key], self.labels[c.key], self.descriptors[c.key] = box, lab, desc
                rows.append(w.HBox([lab, box, desc], layout=w.Layout(align_items="center")))
            self.criteria_box.children = rows
        locked = m.sheet_status == "confirmed"
        for c in m.criteria or []:
            lo, hi = m.criteria.scale
            arrow = "↓" if c.objective == "min" else "↑"
            self.labels[
                c.key
            ].value = f"<b>{esc(c.name(m.lang))}</b> {arrow} <small>({c.weight:.0%})</small>"
            v = m.scores.get(c.key)
            text = "" if v is None else f"{v:g}"
            box = self.inputs[c.key]
            self._setting = True
            try:
                if box.value != text:
                    box.value = text
            finally:
                self._setting = False
            box.placeholder = f"{lo:g}–{hi:g}"
            box.disabled = locked
            bands = " | ".join(
                f"{b.score:g}: {b.zh if m.lang == 'zh' else b.en}"
                for b in sorted(c.rubric, key=lambda b: -b.score)
            )
            now = m.descriptor(c.key, v)
            sugg = m.suggestion(c.key)
            self.descriptors[c.key].value = (
                "<div style='font-size:12px;line-height:1.3'>"
                + (f"<b style='color:#0d47a1'>{esc(now)}</b><br>" if now else "")
                + f"<span style='color:#666'>{esc(bands)}</span>"
                + (suggestion_line(sugg, v, m.lang) if sugg is not None else "")
                + "</div>"
            )
        self.comment_label.value = f"<b>{esc(m.tr('expert.comment'))}</b>"
        self.comment.placeholder = m.tr("expert.comment_hint")
        self._setting = True
        try:
            if self.comment.value != m.comment:
                self.comment.value = m.comment
        finally:
            self._setting = False
        self.comment.disabled = locked
        self.confirm.disabled = locked
        self.code.disabled = locked
        if locked:
            self.confirm.description = m.tr("sheet.confirmed")
        self.correction.render()

    # -- callbacks -------------------------------------------------------------------------
    _setting = False

    def _on_score(self, key: str) -> Any:
        def handler(change: dict) -> None:
            if self._setting:
                return
            self.model.set_score(key, change["new"])
            self._render_scoring()

        handler.__name__ = f"on_score_{key}"
        return handler

    def _on_comment(self, change: dict) -> None:
        if self._setting or change["new"] == self.model.comment:
            return
        self.model.type_comment(change["new"])

    def _on_select(self, change: dict) -> None:
        if self._setting:
            return
        pid = change["new"]
        if pid and pid != self.model.current:
            self.model.select(pid)

    def _declare(self, _b: Any = None) -> None:
        chosen = [
            p
            for (p, _n, _c), box in zip(
                self.model.conflict_choices, self.conflict_boxes, strict=False
            )
            if box.value
        ]
        self.model.declare_conflicts(chosen, self.conflict_reason.value)

    def _confirm(self, _b: Any = None) -> None:
        # emptied whether the signature is accepted or not: no code stays in the widget state
        code, self.code.value = self.code.value, ""
        self.model.confirm(code)
        self._refresh()


def expert_app(backend: Any = None, *, lang: str = "zh", poll: bool = True) -> w.Widget:
    """The expert page, ready to display.

    ``backend`` defaults to the server's store process (:mod:`scoring.ui.remote`) when the page
    runs under ``scoring serve``, else to the store at ``$SCORING_DB`` in this kernel.
    """
    from ..remote.client import from_environment

    return build_app(
        ExpertModel, ExpertView, backend, lang=lang, poll=poll, default=from_environment
    )
