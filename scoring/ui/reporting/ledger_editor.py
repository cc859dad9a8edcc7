"""项目报送 — the ledger editor of :class:`~scoring.ui.reporting.view.ReportingView`: the blocks
and rows (附件4-1/4-2) with numbered goals and measures, the indicators beside their baseline and
target, the summary, and the checks in place (red borders, messages)."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..markup import esc
from .common import fmt_num

AMOUNT_W = "76px"
RED = "1px solid #c62828"


def _text(value: Any, placeholder: str = "", width: str = "auto", cls: str = "") -> w.Text:
    box = w.Text(
        value="" if value is None else (f"{value:g}" if isinstance(value, float) else str(value)),
        placeholder=placeholder,
        continuous_update=False,
        layout=w.Layout(width=width, min_width="0"),
    )
    if cls:
        box.add_class(cls)
    return box


def _msgs(findings: list, pick: Any) -> str:
    items = [
        f"<li style='color:{'#b71c1c' if lvl == 'error' else '#8d6e00'}'>{'✗' if lvl == 'error' else '!'} {esc(t)}</li>"
        for lvl, f, t in findings
        if pick(f)
    ]
    return (
        f"<ul class='scoring-fu-msgs' style='margin:2px 0;padding-left:18px;font-size:12px'>{''.join(items)}</ul>"
        if items
        else ""
    )


class LedgerEditorMixin:
    """The ledger table, indicators, summary and checks of the reporting page (needs ``self.model``)."""

    # -- the ledger table --------------------------------------------------------------------
    def _build_ledger(self) -> None:
        """(Re)build the blocks, rows and indicator inputs from the model's content."""
        m = self.model
        if not m.logged_in or not m.period_key:
            self.blocks.children = []
            self.indicators.children = []
            return
        from scoring.followup import ledger as led
        from scoring.followup.codes import industry_label
        from scoring.followup.workflow import progress_codes
        from scoring.programme.schema import CITIES

        tr = m.tr
        zh = m.lang == "zh"
        self.add_block.description = tr(
            "rep.add_region" if m.kind == "region" else "rep.add_partner"
        )
        self.titles[
            "ledger"
        ].value = f"<h3 style='margin:8px 0 2px'>{esc(tr('rep.ledger', form=self._form()))}</h3>"
        self._row_widgets = {}
        self._quiet = True
        try:
            self.contact.value = str(m.content.get("contact") or "")
        finally:
            self._quiet = False
        progress = [("—", "")] + [
            (spec["zh"] if zh else spec["en"], code) for code, spec in progress_codes().items()
        ]
        fin = list(led.FINANCING)
        cols = ["goal_no", "goal", "measure_no", "measure", "deadline", "progress"]
        if m.kind == "region":
            cols.append("enterprise")
        cols += [*fin, "result", "del"]
        widths = {
            "goal_no": "28px",
            "measure_no": "30px",
            "goal": "minmax(120px,1.2fr)",
            "measure": "minmax(120px,1.2fr)",
            "deadline": "78px",
            "progress": "88px",
            "enterprise": "minmax(90px,1fr)",
            "result": "minmax(110px,1fr)",
            "del": "34px",
            **{k: AMOUNT_W for k in fin},
        }
        template = " ".join(widths[c] for c in cols)
        names = {**led.ROW_TEXT, **led.ROW_OTHER, **led.FINANCING}
        boxes = []
        numbered = m.numbered()
        editable = m.editable
        for b, block in enumerate(m.blocks()):
            nb = numbered["blocks"][b]
            role = block.get("role") or ("core" if b == 0 else "partner")
            name = _text(block.get("name"), tr("rep.block_name"), "260px", "scoring-fu-block-name")
            name.observe(self.safe(self._block_handler(b, "name")), "value")
            city = w.Dropdown(
                options=[("—", "")]
                + [(c, c) for c in CITIES]
                + (
                    [(block["city"], block["city"])]
                    if block.get("city") and block["city"] not in CITIES
                    else []
                ),
                value=block.get("city") or "",
                layout=w.Layout(width="110px"),
            )
            city.add_class("scoring-fu-block-city")
            city.observe(self.safe(self._block_handler(b, "city")), "value")
            ind_text = "；".join(industry_label(c) for c in block.get("industries") or [])
            industries = _text(
                ind_text, tr("rep.industries_hint"), "300px", "scoring-fu-block-industries"
            )
            industries.observe(self.safe(self._block_handler(b, "industries")), "value")
            remove = w.Button(
                icon="trash", tooltip=tr("rep.remove_block"), layout=w.Layout(width="36px")
            )
            remove.add_class("scoring-fu-remove-block")
            remove.on_click(self.safe(lambda _b, b=b: m.remove_block(b)))
            remove.disabled = not editable or (m.kind == "enterprise" and b == 0)
            for box in (name, city, industries):
                box.disabled = not editable
            head = w.HBox(
                [
                    w.HTML(
                        f"<b>{nb['seq']}. {esc(tr('rep.role.' + role))}</b>",
                        layout=w.Layout(width="150px"),
                    ),
                    name,
                    w.HTML(f"{esc(tr('fu.city'))}"),
                    city,
                    w.HTML(f"{esc(tr('fu.industry'))}"),
                    industries,
                    remove,
                ],
                layout=w.Layout(flex_flow="row wrap", align_items="center"),
            )
            self._row_widgets[(b, "name")] = name
            self._row_widgets[(b, "city")] = city
            self._row_widgets[(b, "industries")] = industries
            cells: list[w.Widget] = []
            for c in cols:
                if c in ("goal_no", "measure_no", "del"):
                    label = "" if c == "del" else "No."
                else:
                    z, e = names[c]
                    label = z if zh else e
                cells.append(w.HTML(f"<small><b>{esc(label)}</b></small>"))
            for r, row in enumerate(block.get("rows") or []):
                nr = nb["rows"][r]
                for c in cols:
                    if c in ("goal_no", "measure_no"):
                        cell = w.HTML(f"{esc(nr.get(c, ''))}")
                        cell.add_class(f"scoring-fu-{c.replace('_', '-')}")
                    elif c == "del":
                        cell = w.Button(
                            icon="minus",
                            tooltip=tr("rep.remove_row"),
                            layout=w.Layout(width="32px"),
                        )
                        cell.add_class("scoring-fu-remove-row")
                        cell.on_click(self.safe(lambda _b, b=b, r=r: m.remove_row(b, r)))
                        cell.disabled = not editable
                    elif c == "progress":
                        value = row.get("progress")
                        opts = progress + (
                            [(str(value), value)] if value and value not in progress_codes() else []
                        )
                        cell = w.Dropdown(
                            options=opts, value=value or None, layout=w.Layout(width="auto")
                        )
                        cell.add_class("scoring-fu-progress")
                        cell.observe(self.safe(self._row_handler(b, r, c)), "value")
                        cell.disabled = not editable
                    else:
                        ph = "2026-06" if c == "deadline" else (tr("fu.wan") if c in fin else "")
                        cell = _text(row.get(c), ph, "auto", f"scoring-fu-{c}")
                        cell.observe(self.safe(self._row_handler(b, r, c)), "value")
                        cell.disabled = not editable
                    self._row_widgets[(b, r, c)] = cell
                    cells.append(cell)
            grid = w.GridBox(
                cells,
                layout=w.Layout(
                    grid_template_columns=template, grid_gap="2px 4px", min_width="980px"
                ),
            )
            add_row = w.Button(icon="plus", description=tr("rep.add_row"))
            add_row.add_class("scoring-fu-add-row")
            add_row.on_click(self.safe(lambda _b, b=b: m.add_row(b)))
            add_row.disabled = not editable
            msg = w.HTML()
            msg.add_class("scoring-fu-block-msg")
            self._row_widgets[(b, "msg")] = msg
            box = w.VBox(
                [
                    head,
                    w.Box([grid], layout=w.Layout(overflow="auto", width="100%")),
                    add_row,
                    msg,
                ],
                layout=w.Layout(border="1px solid #cfd8dc", padding="4px", margin="4px 0"),
            )
            box.add_class("scoring-fu-block")
            boxes.append(box)
        self.blocks.children = boxes
        self._build_indicators()
        self._build_summary()
        self._render_checks()

    def _block_handler(self, b: int, name: str) -> Any:
        def handler(change: dict) -> None:
            if not self._quiet:
                self.model.set_block(b, name, change["new"])

        handler.__name__ = f"on_block_{b}_{name}"
        return handler

    def _row_handler(self, b: int, r: int, name: str) -> Any:
        def handler(change: dict) -> None:
            if not self._quiet:
                self.model.set_row(b, r, name, change["new"])

        handler.__name__ = f"on_row_{b}_{r}_{name}"
        return handler

    def _ind_handler(self, key: str, name: str) -> Any:
        def handler(change: dict) -> None:
            if not self._quiet:
                self.model.set_indicator(key, name, change["new"])

        handler.__name__ = f"on_indicator_{key}_{name}"
        return handler

    def _build_indicators(self) -> None:
        m = self.model
        tr = m.tr
        rows = []
        head = w.GridBox(
            [
                w.HTML(f"<small><b>{esc(tr(k))}</b></small>")
                for k in (
                    "fu.indicator",
                    "fu.baseline",
                    "fu.target",
                    "rep.value_inputs",
                    "rep.computed",
                )
            ],
            layout=w.Layout(
                grid_template_columns="200px 96px 80px minmax(300px,660px) 120px",
                grid_gap="2px 6px",
            ),
        )
        rows.append(head)
        for spec in m.indicator_rows():
            ind = spec["ind"]
            entry = spec["entry"]
            inputs_box: list[w.Widget] = []
            if ind.inputs:
                for name in ind.inputs:
                    box = _text(
                        (entry.get("inputs") or {}).get(name),
                        "",
                        "110px",
                        f"scoring-fu-input-{ind.key}-{name}",
                    )
                    box.description = tr(f"fu.input.{name}")
                    box.style.description_width = "auto"
                    box.layout.width = "190px"
                    box.observe(self.safe(self._ind_handler(ind.key, f"inputs.{name}")), "value")
                    box.disabled = not m.editable
                    self._row_widgets[("ind", ind.key, f"inputs.{name}")] = box
                    inputs_box.append(box)
            value = _text(
                entry.get("value"), tr("rep.value"), "110px", f"scoring-fu-value-{ind.key}"
            )
            value.observe(self.safe(self._ind_handler(ind.key, "value")), "value")
            value.disabled = not m.editable
            self._row_widgets[("ind", ind.key, "value")] = value
            parts: list[w.Widget] = [value, *inputs_box]
            base_cell: w.Widget = w.HTML(fmt_num(spec["baseline"]))
            if spec["needs_baseline"]:
                base_cell = _text(
                    entry.get("baseline"),
                    tr("rep.first_baseline"),
                    "86px",
                    f"scoring-fu-baseline-{ind.key}",
                )
                base_cell.observe(self.safe(self._ind_handler(ind.key, "baseline")), "value")
                base_cell.disabled = not m.editable
                self._row_widgets[("ind", ind.key, "baseline")] = base_cell
            computed = w.HTML()
            computed.add_class(f"scoring-fu-computed-{ind.key}")
            self._row_widgets[("ind", ind.key, "computed")] = computed
            msg = w.HTML()
            self._row_widgets[("ind", ind.key, "msg")] = msg
            grid = w.GridBox(
                [
                    w.HTML(f"{esc(ind.label(m.lang))}"),
                    base_cell,
                    w.HTML(fmt_num(spec["target"])),
                    w.HBox(parts, layout=w.Layout(flex_flow="row wrap")),
                    computed,
                ],
                layout=w.Layout(
                    grid_template_columns="200px 96px 80px minmax(300px,660px) 120px",
                    grid_gap="2px 6px",
                    align_items="center",
                ),
            )
            rows.append(w.VBox([grid, msg]))
        self.indicators.children = rows

    def _build_summary(self) -> None:
        m = self.model
        if not m.yearly:
            self.summary.children = []
            return
        from scoring.engine.criteria.registry import criteria_set

        cs = criteria_set(f"evaluation-{m.kind}")
        boxes: list[w.Widget] = [
            w.HTML(f"<h3 style='margin:8px 0 2px'>{esc(m.tr('rep.summary'))}</h3>")
        ]
        for c in cs.criteria:
            area = w.Textarea(
                value=str((m.content.get("summary") or {}).get(c.key) or ""),
                description=c.name(m.lang),
                continuous_update=False,
                layout=w.Layout(width="100%", height="60px"),
                style={"description_width": "140px"},
            )
            area.add_class(f"scoring-fu-summary-{c.key}")
            area.disabled = not m.editable
            area.observe(
                self.safe(lambda ch, k=c.key: None if self._quiet else m.set_summary(k, ch["new"])),
                "value",
            )
            boxes.append(area)
            self._row_widgets[("summary", c.key)] = area
        self.summary.children = boxes

    def _render_checks(self) -> None:
        """Numbers, computed ratios and the findings in place (red borders on the fields)."""
        m = self.model
        if not m.logged_in or not m.period_key:
            self.findings.value = ""
            return
        numbered = m.numbered()
        errors = {f for lvl, f, _t in m.findings if lvl == "error"}
        for key, box in self._row_widgets.items():
            if key[0] == "ind":
                continue
            if len(key) == 3 and key[2] in ("goal_no", "measure_no"):
                b, r, c = key
                try:
                    box.value = esc(numbered["blocks"][b]["rows"][r].get(c, ""))
                except (IndexError, KeyError):
                    pass
            elif len(key) == 3 and isinstance(key[1], int):
                b, r, c = key
                if hasattr(box, "layout") and not isinstance(box, w.Button):
                    box.layout.border = RED if f"blocks.{b}.rows.{r}.{c}" in errors else None
            elif len(key) == 2 and key[1] in ("name", "city", "industries"):
                b, c = key
                box.layout.border = RED if f"blocks.{b}.{c}" in errors else None
            elif len(key) == 2 and key[1] == "msg":
                b = key[0]
                msgs = [
                    t
                    for lvl, f, t in m.findings
                    if f.startswith(f"blocks.{b}.") or f == f"blocks.{b}"
                ]
                box.value = (
                    _msgs(
                        m.findings,
                        lambda f, b=b: f == f"blocks.{b}" or f.startswith(f"blocks.{b}."),
                    )
                    if msgs
                    else ""
                )
        for spec in m.indicator_rows():
            k = spec["ind"].key
            comp = self._row_widgets.get(("ind", k, "computed"))
            if comp is not None:
                v = m.computed(k)
                comp.value = (
                    f"<b>{fmt_num(v)}</b> {esc(spec['ind'].unit_of(m.lang))}"
                    if v is not None
                    else "—"
                )
            for name in ("value", "baseline", *[f"inputs.{i}" for i in spec["ind"].inputs]):
                box = self._row_widgets.get(("ind", k, name))
                if box is not None:
                    box.layout.border = RED if f"indicators.{k}.{name}" in errors else None
            msg = self._row_widgets.get(("ind", k, "msg"))
            if msg is not None:
                msg.value = _msgs(m.findings, lambda f, k=k: f.startswith(f"indicators.{k}"))
        self.contact.layout.border = RED if "contact" in errors else None
        self.contact_msg.value = _msgs(m.findings, lambda f: f == "contact")
        tr = m.tr
        n_err = sum(1 for lvl, _f, _t in m.findings if lvl == "error")
        n_warn = len(m.findings) - n_err
        if not n_err:
            self.findings.value = (
                f"<div style='color:#1b5e20'>✓ {esc(tr('rep.no_findings'))}"
                + (f" {esc(tr('rep.warnings_only', n=n_warn))}" if n_warn else "")
                + "</div>"
            )
        else:
            errs = [(lvl, f, t) for lvl, f, t in m.findings if lvl == "error"]
            self.findings.value = (
                f"<b>{esc(tr('rep.findings', errors=n_err, warnings=n_warn))}</b>"
                + _msgs(errs, lambda f: True)
            )
