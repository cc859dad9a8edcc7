"""Widgets of the console's panel set-up beyond the form: load a draft panel back into the
form or delete it, the lists of panels, candidates (searchable) and accounts, and the printable
access-code sheet of a panel (see :mod:`.setup` for the model side)."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..i18n import panel_label
from ..markup import download_link, esc


def _table(head: list[str], rows: list[list[Any]]) -> str:
    th = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table class='scoring-table'><tr>{th}</tr>{body}</table>"


class PanelSetupView:
    """The set-up extras of the console, linked to a model with :class:`PanelSetupMixin`.

    Parameters
    ----------
    console : ConsoleView
        The console's view (its panel form widgets ``p_*`` are filled when a panel is loaded).
    """

    def __init__(self, console: Any) -> None:
        self.console, self.model, safe = console, console.model, console.safe
        m = self.model
        self.editing = w.HTML()
        self.edit_pick = w.Dropdown(layout=w.Layout(width="260px"))
        self.edit_go = w.Button()
        self.edit_go.add_class("scoring-panel-edit")
        self.edit_go.on_click(safe(lambda _b: m.load_panel(self.edit_pick.value)))
        self.new_go = w.Button()
        self.new_go.on_click(safe(lambda _b: m.clear_form()))
        self.delete_reason = w.Text(layout=w.Layout(width="260px"))
        self.delete_go = w.Button(button_style="danger")
        self.delete_go.add_class("scoring-panel-delete")
        self.delete_go.on_click(
            safe(lambda _b: m.delete_panel(self.edit_pick.value, self.delete_reason.value))
        )
        self.edit_box = w.HBox(
            [self.edit_pick, self.edit_go, self.new_go, self.delete_reason, self.delete_go],
            layout=w.Layout(flex_flow="row wrap"),
        )
        self.panels = w.HTML(layout=w.Layout(overflow="auto", max_width="100%"))
        self.panels.add_class("scoring-panel-list")
        self.search = w.Text(continuous_update=True, layout=w.Layout(width="260px"))
        self.search.add_class("scoring-candidate-search")
        self.search.observe(safe(lambda _c: self.render_candidates()), "value")
        self.candidates = w.HTML(layout=w.Layout(overflow="auto", max_height="260px"))
        self.candidates.add_class("scoring-candidate-list")
        self.lists = w.Accordion(children=[self.panels, w.VBox([self.search, self.candidates])])
        self.box = w.VBox([self.editing, self.edit_box])
        # codes tab: accounts and the printable sheet
        self.accounts = w.HTML(layout=w.Layout(overflow="auto", max_height="300px"))
        self.accounts.add_class("scoring-account-list")
        self.codes_panel = w.Dropdown(layout=w.Layout(width="260px"))
        self.codes_ack = w.Checkbox(indent=False, layout=w.Layout(width="auto"))
        self.codes_go = w.Button(button_style="warning", layout=w.Layout(width="auto"))
        self.codes_go.add_class("scoring-codes-sheet")
        self.codes_go.on_click(safe(self._codes))
        self.codes_out = w.HTML()
        self.codes_box = w.VBox(
            [
                w.HBox(
                    [self.codes_panel, self.codes_ack, self.codes_go],
                    layout=w.Layout(flex_flow="row wrap", align_items="center"),
                ),
                self.codes_out,
                self.accounts,
            ]
        )
        m.observe(safe(lambda _c: self.fill_form()), "form_version")
        m.observe(safe(lambda _c: self.render()), ["panels", "editing", "lang", "projects"])

    # -- rendering ----------------------------------------------------------------------------
    def render(self) -> None:
        """Texts in the page's language, the lists and the panels one may edit."""
        m, c = self.model, self.console
        tr = m.tr
        self.edit_go.description = tr("setup.edit")
        self.new_go.description = tr("setup.new")
        self.delete_go.description = tr("setup.delete")
        self.delete_reason.placeholder = tr("setup.delete_reason_ph")
        self.search.placeholder = tr("setup.search")
        self.codes_ack.description = tr("setup.codes_ack")
        self.codes_go.description = tr("setup.codes_go")
        self.lists.titles = (tr("setup.panels"), tr("setup.candidates"))
        editable = m.editable_panels()
        self.edit_pick.options = editable
        self.edit_box.layout.display = None if editable else "none"
        self.codes_panel.options = [
            (panel_label(p["name"], p["status"], m.lang), p["id"]) for p in m.panels
        ]
        name = next((p["name"] for p in m.panels if int(p["id"]) == m.editing), "")
        self.editing.value = (
            f"<b style='color:#e65100'>{esc(tr('setup.editing', name=name))}</b>"
            if m.editing
            else ""
        )
        c.p_create.description = tr("setup.save") if m.editing else tr("console.panel")
        self.render_panels()
        self.render_candidates()
        self.render_accounts()

    def render_panels(self) -> None:
        m = self.model
        tr = m.tr
        head = [tr("console.p_name"), tr("setup.col_state"), tr("setup.col_date")]
        head += [tr("setup.col_chair"), tr("setup.col_members"), tr("setup.col_candidates")]
        head += [tr("setup.col_hash")]
        rows = [
            [f"{r['name']} #{r['id']}", tr("status." + r["status"]), r["date"], r["chair"]]
            + [r["members"], r["candidates"], r["hash"] or "—"]
            for r in m.panel_rows()
        ]
        self.panels.value = _table(head, rows)

    def render_candidates(self) -> None:
        m = self.model
        hits, total = m.candidate_rows(self.search.value)
        rows = [[label] for _pid, label in hits]
        self.candidates.value = (
            f"<small>{esc(m.tr('setup.shown', shown=len(hits), total=total))}</small>"
            + _table([m.tr("setup.candidates")], rows)
        )

    def render_accounts(self) -> None:
        m = self.model
        tr = m.tr
        head = [tr("setup.col_login"), tr("setup.col_role"), tr("setup.col_name")]
        head += [tr("setup.col_active")]
        rows = [
            [a["login"], tr("role." + a["role"]), a.get("name") or "", "✔" if a["active"] else "✘"]
            for a in m.account_rows()
        ]
        self.accounts.value = f"<b>{esc(tr('setup.accounts'))}</b>" + _table(head, rows)

    def fill_form(self) -> None:
        """Put the loaded panel into the form (or empty it)."""
        c, f = self.console, self.model.form
        c.p_name.value = f.get("name") or ""
        c.p_date.value = f.get("date") or ""
        c.p_chair.value = f.get("chair") or ""
        c.members_filter.choose(tuple(f.get("members", ())))
        c.p_order.value = ", ".join(f.get("candidates", ()))
        self.render()

    def _codes(self, _b: Any = None) -> None:
        m = self.model
        if not self.codes_ack.value:
            m.fail("setup.codes_need_ack")
            return
        got = m.codes_sheet(self.codes_panel.value)
        self.codes_ack.value = False
        if got is not None:
            name, data = got
            self.codes_out.value = download_link(name, data, m.tr("setup.codes_ready"))
