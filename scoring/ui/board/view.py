"""评审组长 / 组织者 — the chair and organizer board: live progress (values hidden while open), open
and close the panel, the defense timer; after closing the ranking, panel scores, deviation flags,
agreement, robustness chart, shortlist and downloads."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..app import Poller, build_app
from ..config_summary import config_html
from ..i18n import panel_label
from ..markup import download_link, esc, html_table
from ..widgets import PAGE_LAYOUT, FilteredSelect, PageView, png_image, show_png
from .chart import p_cut_png
from .evaluation import CityReportView, PathView, grades_html
from .model import ALL_CONFIRMED, BoardModel
from .requests_view import RequestsView
from .results import export_bytes

#: The keyframes of the timer's end-of-time alarm.
_BLINK = "<style>@keyframes scoring-blink{50%{background:#fff;color:#b71c1c}}</style>"


def _fmt(v: Any, nd: int = 3) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return ""
    return "—" if f != f else f"{f:.{nd}f}"


#: The 附件5 catalogue downloads: format of ``export_bytes`` -> (zh label, en label).
CATALOGUE_DOWNLOADS = {
    "catalogue-xlsx": ("下载年度目录（附件5）xlsx", "Download the catalogue (附件5) xlsx"),
    "catalogue-pdf": ("下载年度目录（附件5）PDF", "Download the catalogue (附件5) PDF"),
}
PRINT_NOTE = (
    "正式存档请打印 PDF 评审报告或年度目录；浏览器打印本页仅供参考。",
    "To file, print the PDF panel report or catalogue; printing this page is for reference only.",
)
#: Print stylesheet of the board: every result on paper (the page's scrolling boxes let the
#: browser print a one-page fragment), buttons and inputs left out, table headers repeated.
PRINT_CSS = """<style>
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  html, body, #rendered_cells, .jp-Cell, .jp-OutputArea, .jp-OutputArea-output,
  .jupyter-widgets, .widget-box, .widget-vbox, .widget-hbox, .widget-html,
  .widget-html-content, .scoring-board, .scoring-results, .scoring-progress {
    overflow: visible !important; height: auto !important; max-height: none !important;
    position: static !important; display: block !important;
  }
  .scoring-board button, .scoring-board select, .scoring-board input,
  .scoring-board .widget-dropdown, .scoring-board .widget-text, .scoring-board progress,
  .scoring-board .widget-button, .scoring-downloads a { display: none !important; }
  .scoring-board table { border-collapse: collapse; width: 100%; page-break-inside: auto; }
  .scoring-board tr { page-break-inside: avoid; }
  .scoring-board thead { display: table-header-group; }
  .scoring-board img { max-width: 100% !important; page-break-inside: avoid; }
}
</style>"""


class BoardView(PageView):
    """Widgets of the board, linked to a :class:`BoardModel`."""

    model: BoardModel

    def __init__(self, model: BoardModel) -> None:
        super().__init__(model, "app.board")
        m, safe = model, self.safe
        self.panel = w.Dropdown(layout=w.Layout(width="360px"))
        self.panel.add_class("scoring-panel")
        self.panel.observe(safe(self._on_panel), "value")
        self.state = w.HTML()
        self.open = w.Button(button_style="primary")
        self.open.add_class("scoring-open")
        self.close = w.Button(button_style="danger")
        self.close.add_class("scoring-close")
        self.open.on_click(safe(lambda _b: m.open_panel()))
        self.close.on_click(safe(lambda _b: m.request_close()))
        self.close_ask = w.HTML()
        self.close_reason = w.Text(layout=w.Layout(width="420px"))
        self.close_reason.add_class("scoring-close-reason")
        self.close_force = w.Button(button_style="danger")
        self.close_force.add_class("scoring-force-close")
        self.close_force.on_click(safe(lambda _b: m.confirm_close(self.close_reason.value)))
        self.close_cancel = w.Button()
        self.close_cancel.add_class("scoring-close-cancel")
        self.close_cancel.on_click(safe(lambda _b: setattr(m, "close_pending", 0)))
        self.close_box = w.VBox(
            [
                self.close_ask,
                w.HBox([self.close_reason, self.close_force, self.close_cancel]),
            ],
            layout=w.Layout(
                display="none", border="1px solid #e57373", padding="6px", margin="4px 0"
            ),
        )
        self.close_box.add_class("scoring-close-confirm")
        self.timer_pick = w.Dropdown(layout=w.Layout(width="220px"))
        self.timer_pick.add_class("scoring-timer-pick")
        self.timer_filter = FilteredSelect(self.timer_pick, m)
        self.timer_go = w.Button()
        self.timer_go.add_class("scoring-start-timer")
        minutes = {"layout": w.Layout(width="150px"), "style": {"description_width": "initial"}}
        self.timer_talk = w.BoundedIntText(value=10, min=1, max=60, **minutes)
        self.timer_talk.add_class("scoring-timer-talk")
        self.timer_questions = w.BoundedIntText(value=5, min=0, max=60, **minutes)
        self.timer_questions.add_class("scoring-timer-questions")
        self.timer_go.on_click(
            safe(
                lambda _b: m.start_timer(
                    self.timer_pick.value or "",
                    presentation_s=60 * int(self.timer_talk.value),
                    questions_s=60 * int(self.timer_questions.value),
                )
            )
        )
        self.timer_stop = w.Button()
        self.timer_stop.add_class("scoring-stop-timer")
        self.timer_stop.on_click(safe(lambda _b: m.stop_timer()))
        self.timer = w.HTML()
        self.timer.add_class("scoring-timer")
        self.controls = w.HBox(
            [self.panel, self.open, self.close, self.timer_filter.box, self.timer_talk]
            + [self.timer_questions, self.timer_go, self.timer_stop],
            layout=w.Layout(flex_flow="row wrap", grid_gap="6px"),
        )
        self.progress = w.HTML(layout=w.Layout(overflow="auto", max_width="100%"))
        self.progress.add_class("scoring-progress")
        self.results = w.HTML(layout=w.Layout(overflow="auto", max_width="100%"))
        self.results.add_class("scoring-results")
        self.chart = png_image("640px")
        self.downloads = w.HTML()
        self.downloads.add_class("scoring-downloads")
        self.report_go = w.Button(icon="file-pdf-o", layout=w.Layout(width="auto"))
        self.report_go.add_class("scoring-report")
        self.report_go.on_click(safe(self._on_report))
        self.report_bar = w.IntProgress(min=0, max=1, layout=w.Layout(width="240px"))
        self.report_status = w.HTML()
        self.report_status.add_class("scoring-report-status")
        self.report_link = w.HTML()
        self.report_link.add_class("scoring-report-link")
        self.report_box = w.HBox(
            [self.downloads, self.report_go, self.report_bar, self.report_status, self.report_link],
            layout=w.Layout(flex_flow="row wrap", align_items="center", grid_gap="8px"),
        )
        self.body = w.VBox()
        self.requests = RequestsView(m, safe)
        self.config = w.HTML()
        self.config.add_class("scoring-frozen-config")
        self.path_view = PathView(m, safe)
        self.city_report = CityReportView(m, safe)
        self.main = w.VBox(
            [
                self.controls,
                self.close_box,
                self.state,
                self.config,
                self.timer,
                self.requests.box,
                self.progress,
                self.results,
                self.chart,
                self.city_report.box,
                self.path_view.box,
                self.report_box,
            ]
        )
        self.root = w.VBox([self.header.box, self.messages.box, self.body], layout=PAGE_LAYOUT)
        self.root.add_class("scoring-board")
        m.observe(
            safe(self._render), ["logged_in", "lang", "panels", "panel_status", "project_ids"]
        )
        m.observe(safe(lambda _c: self._render_progress()), "progress_version")
        m.observe(safe(lambda _c: self._render_results()), "results_version")
        m.observe(safe(lambda _c: self._render_timer()), ["timer_text", "timer_phase"])
        m.observe(safe(lambda _c: self._render_close()), "close_pending")
        m.observe(safe(lambda _c: self._render_computing()), "computing")
        m.observe(safe(lambda _c: self._render_config()), ["config_version", "lang"])
        m.observe(safe(lambda _c: self.requests.render()), ["requests", "panel_status", "lang"])
        m.observe(
            safe(lambda _c: self._render_report()),
            ["report_busy", "report_step", "report_done", "report_total", "lang"],
        )
        self.poller = Poller(m.tick, 1.0)
        self._render()

    # -- rendering -------------------------------------------------------------------------
    def _render(self, _change: Any = None) -> None:
        m = self.model
        self.open.description = m.tr("board.open")
        self.close.description = m.tr("board.close")
        self.timer_go.description = m.tr("timer.start")
        self.timer_stop.description = m.tr("timer.stop")
        self.report_go.description = m.tr("board.report")
        self.close_force.description = m.tr("board.force_close")
        self.close_cancel.description = m.tr("board.cancel")
        self.close_reason.placeholder = m.tr("board.close_reason")
        self._render_close()
        if not m.logged_in:
            self.body.children = [self.login.box]
            return
        opts = [(panel_label(p["name"], p["status"], m.lang), str(p["id"])) for p in m.panels]
        self._setting = True
        try:  # replacing a Dropdown's options resets its value: not a user's choice
            if list(self.panel.options) != opts:
                self.panel.options = opts
            if m.panel_id and self.panel.value != m.panel_id:
                self.panel.value = m.panel_id
            picks = [(f"{p} {m.project_names.get(p, '')}".strip(), p) for p in m.project_ids]
            self.timer_filter.set_options(picks)
        finally:
            self._setting = False
        st = m.panel_status
        self.open.disabled = st != "draft"
        self.close.disabled = st != "open" or bool(m.close_pending)
        self.timer_go.disabled = st != "open"
        self.state.value = f"<div class='scoring-panel-status'>{esc(m.tr('panel'))}：<b>{esc(m.tr('status.' + st) if st else '')}</b></div>"
        self.body.children = [self.main]
        self._render_progress()
        self._render_results()
        self._render_timer()

    def _render_computing(self) -> None:
        """While the results are computed after the close: say so where they will appear."""
        m = self.model
        if m.computing:
            self.results.value = (
                f"<div class='scoring-computing' style='color:#0d47a1'>⏳ "
                f"{esc(m.tr('board.computing'))}</div>"
            )

    def _render_config(self) -> None:
        """The frozen configuration in full (weights as %), folded under its hash."""
        m = self.model
        if m.config is None:
            self.config.value = ""
            return
        cfg, h = m.config
        self.config.value = (
            f"<details><summary>{esc(m.tr('config.frozen_title'))} · "
            f"{esc(m.tr('board.config_hash'))} <code>{esc(h[:12])}</code></summary>"
            f"{config_html(cfg, m.lang)}</details>"
        )

    def _render_close(self) -> None:
        """The confirmation asked before closing with unconfirmed sheets."""
        m = self.model
        n = m.close_pending
        self.close_box.layout.display = None if n else "none"
        self.close.disabled = bool(n) or m.panel_status != "open"
        everything = n == ALL_CONFIRMED
        self.close_reason.layout.display = "none" if everything else None
        self.close_force.description = m.tr(
            "board.confirm_close" if everything else "board.force_close"
        )
        if everything:
            self.close_ask.value = (
                f"<div style='color:#e65100'>{esc(m.tr('board.close_ask_all'))}</div>"
            )
        elif n:
            self.close_ask.value = (
                f"<div style='color:#b71c1c'>⚠ {esc(m.tr('board.close_missing', n=n))}</div>"
            )
        else:
            self.close_reason.value = ""

    def _render_timer(self) -> None:
        m = self.model
        self.timer_stop.disabled = not m.timer_running
        self.timer_talk.description = m.tr("board.timer_talk")
        self.timer_questions.description = m.tr("board.timer_questions")
        over = m.timer_phase == "over" and m.timer_running
        colour = "#b71c1c" if m.timer_phase == "over" else "#0d47a1"
        weight = "600" if m.timer_running else "400"
        if over:  # time is up: a blinking red bar the whole room sees
            self.timer.value = (
                f"{_BLINK}<div class='scoring-timer-over' style='background:#b71c1c;color:#fff;"
                f"padding:6px 10px;font-size:18px;font-weight:600;"
                f"animation:scoring-blink 1s step-start infinite'>{esc(m.timer_status())}</div>"
            )
            return
        self.timer.value = (
            f"<div style='color:{colour};font-weight:{weight}'>{esc(m.timer_status())}</div>"
        )

    def _render_progress(self) -> None:
        m = self.model
        mat = m.matrix
        if mat is None or len(mat) == 0:
            self.progress.value = ""
            return
        rows = [[eid, name, *mat.loc[(eid, name)].tolist()] for eid, name in mat.index]
        fixed = 2 if "declared" in mat.columns else 1
        header = [
            m.tr("col.expert"),
            "",
            m.tr("sheet.confirmed"),
            *([m.tr("board.declared")] if fixed == 2 else []),
            *mat.columns[fixed:],
        ]
        total = sum(int(v.split("/")[0]) for v in mat["confirmed"])
        n = sum(int(v.split("/")[1]) for v in mat["confirmed"])
        self.progress.value = (
            f"<h4 style='margin:6px 0'>{esc(m.tr('board.progress'))} — "
            f"<span class='scoring-confirmed-total'>{total} / {n}</span></h4>"
            + html_table(rows, header, cls="scoring-progress-matrix", sortable=True)
            + f"<div class='scoring-legend' style='font-size:12px;color:#555;margin-top:4px'>"
            f"{esc(m.tr('board.legend'))}</div>"
        )

    def _render_results(self) -> None:
        m = self.model
        res = m.results
        if res is None:
            self.results.value = (
                f"<p style='color:#666'>{esc(m.tr('board.hidden'))}</p>" if m.logged_in else ""
            )
            show_png(self.chart, b"")
            self.downloads.value = ""
            self._downloads_key = None
            self._render_report()
            return
        ranking, cfg = res["ranking"], res["config"]
        keys = list(cfg.keys)
        names = {c: c for c in keys}
        crit = cfg.criteria.get("criteria", {}) if isinstance(cfg.criteria, dict) else {}
        for k in keys:
            if isinstance(crit, dict) and k in crit:
                names[k] = crit[k].get("zh" if m.lang == "zh" else "en", k)
        pcut = res["p_cut"]
        # a yearly evaluation grades; it has no cut line, shortlist or catalogue
        graded = res.get("grades") is not None
        rows = [
            [
                int(r["rank"]),
                pid,
                r.get("name", ""),
                _fmt(r["score"]),
                *[_fmt(r[k], 1) for k in keys],
                *([] if graded else [_fmt(pcut.get(pid), 2)]),
            ]
            for pid, r in ranking.iterrows()
        ]
        head = [
            m.tr("col.rank"),
            m.tr("col.project_id"),
            m.tr("col.name"),
            m.tr("col.score"),
            *[names[k] for k in keys],
            *([] if graded else [m.tr("col.p_cut")]),
        ]
        parts = [
            f"<h4>{esc(m.tr('board.ranking'))} · {esc(m.tr('method.' + cfg.ranking_method))} · {esc(m.tr('aggregation.' + cfg.aggregation))}"
            f" · {esc(m.tr('board.config_hash'))} <code>{esc(res['hash'][:12])}</code></h4>",
            html_table(rows, head, cls="scoring-ranking", sortable=True),
        ]
        if graded:  # the grades first: what an evaluation decides
            parts.insert(0, grades_html(res["grades"], cfg.criteria_set, m.lang))
        ag = res.get("agreement")
        if ag is not None and "overall" in ag.index:
            parts.append(
                "<p>"
                + esc(
                    m.tr(
                        "board.agreement",
                        w=_fmt(ag.at["overall", "W"]),
                        icc=_fmt(ag.at["overall", "icc"]),
                    )
                )
                + "</p>"
            )
        dev = res["deviation"]
        dev_rows = [
            [
                r["expert_id"],
                names.get(r["criterion"], r["criterion"]),
                _fmt(r["mean_deviation"], 1),
                r["direction"],
            ]
            for _, r in dev.iterrows()
        ]
        parts.append(f"<h4>{esc(m.tr('board.deviation'))}（{len(dev_rows)}）</h4>")
        if dev_rows:
            parts.append(
                html_table(
                    dev_rows,
                    [m.tr("col.expert"), "", "Δ", ""],
                    cls="scoring-deviation",
                    sortable=True,
                )
            )
        if not graded:
            sl = res["shortlist"]
            parts.append(f"<h4>{esc(m.tr('board.shortlist', cut=res['cut']))}</h4>")
            parts.append(
                html_table(
                    [
                        [
                            int(r["rank"]),
                            pid,
                            r.get("name", ""),
                            r.get("city", ""),
                            m.tr("shortlist." + str(r.get("status", ""))),
                        ]
                        for pid, r in sl.iterrows()
                    ],
                    [
                        m.tr("col.rank"),
                        m.tr("col.project_id"),
                        m.tr("col.name"),
                        m.tr("col.city"),
                        m.tr("col.shortlist_status"),
                    ],
                    cls="scoring-shortlist",
                    sortable=True,
                )
            )
        self.results.value = "".join(parts)
        show_png(self.chart, b"" if graded else p_cut_png(pcut, res["cut"], m.lang))
        key = (id(res), m.lang)
        if key != self._downloads_key:
            self._downloads_key = key
            self.downloads.value = self._downloads_html(res)
        self._render_report()

    def _downloads_html(self, res: dict) -> str:
        """The download links (ranking xlsx/csv, the 附件5 catalogue xlsx/PDF), the print note
        and the print stylesheet. Built once per shown result and language."""
        m = self.model
        links = []
        for fmt in ("xlsx", "csv"):
            got = m.download(fmt)
            if got is not None:
                links.append(download_link(got[0], got[1], f"{m.tr('board.download')} {fmt}"))
        for fmt, label in CATALOGUE_DOWNLOADS.items():
            if res.get("grades") is not None:  # an evaluation has no catalogue
                break
            try:
                name, data = export_bytes(res, fmt, m.lang)
            except ValueError as exc:  # undecided ties: the chair decides before the catalogue
                links.append(f"<span class='scoring-catalogue-refused'>{esc(str(exc))}</span>")
                break
            links.append(download_link(name, data, label[m.lang == "en"]))
        note = PRINT_NOTE[m.lang == "en"]
        return (
            f"{PRINT_CSS}<div>{''.join(links)}</div>"
            f"<div class='scoring-print-note' style='color:#555;font-size:90%'>{esc(note)}</div>"
        )

    def _render_report(self) -> None:
        """The PDF button (after closing), its progress bar and status line."""
        m = self.model
        closed = m.results is not None
        self.report_go.layout.display = None if closed else "none"
        self.report_go.disabled = m.report_busy
        self.report_bar.layout.display = None if m.report_busy else "none"
        self.report_bar.max = max(1, m.report_total)
        self.report_bar.value = min(m.report_done, self.report_bar.max)
        step = m.report_step if closed else ""
        if closed and m.report_file is not None and not m.report_busy:
            step = m.tr("board.report_ready")  # in the page's language, also after a switch
        if m.report_busy:
            step = f"{m.tr('board.report_busy')} {m.report_step}".strip()
        self.report_status.value = f"<span style='color:#555'>{esc(step)}</span>" if step else ""
        got = m.report_file if closed else None
        key = None if got is None else (id(got[1]), m.lang)
        if key != self._link_key:
            self._link_key = key
            self.report_link.value = (
                "" if got is None else download_link(got[0], got[1], m.tr("board.report_download"))
            )

    def _on_report(self, _b: Any = None) -> None:
        self.model.report_pdf()
        self._render_report()

    # -- callbacks -------------------------------------------------------------------------
    _setting = False
    _link_key: Any = None
    _downloads_key: Any = None

    def _on_panel(self, change: dict) -> None:
        if self._setting:
            return
        if change["new"] and change["new"] != self.model.panel_id:
            self.model.choose(change["new"])
            self._render()


def board_app(backend: Any = None, *, lang: str = "zh", poll: bool = True) -> w.Widget:
    """The chair / organizer board, ready to display."""
    return build_app(BoardModel, BoardView, backend, lang=lang, poll=poll)
