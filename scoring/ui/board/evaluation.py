"""The board's parts of the yearly evaluation: the grades of a closed evaluation panel with the
probability of each grade, and a project's whole path (defense, catalogue, ledgers,
evaluations, exit) — HTML over what the store returns (``wb.evaluation``)."""

from __future__ import annotations

from typing import Any

from ...followup.periods import period_label
from ..i18n import t
from ..markup import esc, html_table


def _pct(v: Any) -> str:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return ""
    return "" if x != x else f"{x:.0%}"


def grades_html(grades: Any, criteria: Any, lang: str = "zh") -> str:
    """The grades table (sortable): rank, project, city, total, grade, the probability of each
    grade under uncertain weights (SMAA), and the fragile mark; the distribution above it."""
    labels = [(g.key, g.zh if lang == "zh" else g.en) for g in criteria.grades]
    zh_of = {g.zh: (g.zh if lang == "zh" else g.en) for g in criteria.grades}
    counts = grades["grade"].value_counts() if len(grades) else {}
    dist = " · ".join(
        f"{esc(lab)} {int(counts.get(g.zh, 0))}"
        for g, (_k, lab) in zip(criteria.grades, labels, strict=True)
    )
    rows = [
        [
            int(r["rank"]),
            pid,
            r.get("name", ""),
            r.get("city", ""),
            f"{float(r['score']):.1f}",
            zh_of.get(r.get("grade"), r.get("grade")),
            *[_pct(r.get(f"p_{k}")) for k, _lab in labels],
            f"⚠ {t('ev.fragile', lang)}" if r.get("fragile") else "",
        ]
        for pid, r in grades.iterrows()
    ]
    head = [
        t("col.rank", lang),
        t("col.project_id", lang),
        t("col.name", lang),
        t("col.city", lang),
        t("col.score", lang),
        t("ev.grades", lang),
        *[f"P({lab})" for _k, lab in labels],
        "",
    ]
    return (
        f"<h4>{esc(t('ev.grades', lang))}：{dist}</h4>"
        f"<p style='color:#555;margin:2px 0'>{esc(t('ev.p_grade', lang))}</p>"
        + html_table(rows, head, cls="scoring-grades", sortable=True)
    )


def path_html(path: dict[str, Any] | None, lang: str = "zh") -> str:
    """A project's whole path as a short timeline."""
    if not path:
        return ""
    items: list[str] = []
    for d in path.get("defenses", []):
        score = (
            ""
            if d.get("score") is None
            else f"{d['score']:.1f}，{t('col.rank', lang)} {d['rank']}/{d.get('of', '')}"
        )
        items.append(
            f"{esc(t('ev.path.defense', lang))} {esc(d['panel'])}（{esc(d['date'] or '')}）{esc(score)}"
        )
    f = path.get("followed")
    if f:
        items.append(f"{esc(t('ev.path.catalogue', lang))} {esc(f.get('catalogue_year'))}")
        if path.get("ledgers"):
            marks = "，".join(
                f"{period_label(x['period'], lang)} {t('ev.t.' + x['timeliness'], lang)}"
                for x in path["ledgers"]
            )
            items.append(f"{esc(t('ev.quarters', lang))}：{esc(marks)}")
    for e in path.get("evaluations", []):
        score = "" if e.get("score") is None else f"{e['score']:.1f} {e.get('grade') or ''}"
        items.append(
            f"{esc(t('ev.path.evaluation', lang))} {esc(e['year'])} {esc(e['panel'])}：{esc(score)}"
        )
    if f:
        if f.get("status") == "exited":
            items.append(
                f"<b style='color:#b91c1c'>{esc(t('ev.path.exit', lang))}</b> "
                f"{esc(str(f.get('exited_at') or '')[:10])}：{esc(f.get('exit_reason') or '')}"
            )
        else:
            items.append(esc(t("ev.path.active", lang)))
    li = "".join(f"<li>{x}</li>" for x in items)
    return (
        f"<div class='scoring-path'><b>{esc(t('ev.path', lang))}：{esc(path['project_id'])} "
        f"{esc(path.get('name') or '')}</b><ol style='margin:4px 0'>{li}</ol></div>"
    )


class PathView:
    """The board's "project's path" picker: choose one of the panel's projects, see its path."""

    def __init__(self, model: Any, safe: Any) -> None:
        import ipywidgets as w

        self.model = model
        self.pick = w.Dropdown(layout=w.Layout(width="360px"))
        self.pick.add_class("scoring-path-pick")
        self.html = w.HTML()
        self.box = w.VBox([self.pick, self.html])
        self._setting = False
        self.pick.observe(safe(self._on_pick), "value")
        model.observe(safe(lambda _c: self.render()), ["project_ids", "project_names", "lang"])
        model.observe(safe(lambda _c: self._render_path()), "path_version")
        self.render()

    def render(self) -> None:
        m = self.model
        self.box.layout.display = None if m.logged_in and m.project_ids else "none"
        opts = [("—", "")] + [(f"{p} {m.project_names.get(p, '')}", p) for p in m.project_ids]
        self._setting = True
        try:
            self.pick.description = t("ev.path.pick", m.lang)
            if list(self.pick.options) != opts:
                self.pick.options = opts
            self.pick.value = m.path_project if m.path_project in m.project_ids else ""
        finally:
            self._setting = False
        self._render_path()

    def _render_path(self) -> None:
        m = self.model
        self.html.value = path_html(m.path, m.lang) if m.path_project else ""

    def _on_pick(self, change: dict) -> None:
        if not self._setting:
            self.model.show_path(change["new"] or "")


class CityReportView:
    """The board's download of a city's 年度评估报告 (PDF, xlsx) once an evaluation panel is
    closed: pick the city, build the file, a download link appears."""

    def __init__(self, model: Any, safe: Any) -> None:
        import ipywidgets as w

        self.model = model
        self.city = w.Dropdown(layout=w.Layout(width="220px"))
        self.city.add_class("scoring-report-city")
        self.pdf = w.Button(icon="file", layout=w.Layout(width="auto"))
        self.pdf.add_class("scoring-city-pdf")
        self.xlsx = w.Button(icon="table", layout=w.Layout(width="auto"))
        self.xlsx.add_class("scoring-city-xlsx")
        self.links = w.HTML()
        self.links.add_class("scoring-city-links")
        self.pdf.on_click(safe(lambda _b: self._build("pdf")))
        self.xlsx.on_click(safe(lambda _b: self._build("xlsx")))
        self.box = w.VBox([w.HBox([self.city, self.pdf, self.xlsx]), self.links])
        model.observe(safe(lambda _c: self.render()), ["results_version", "lang"])
        self.render()

    def render(self) -> None:
        m = self.model
        grades = None if m.results is None else m.results.get("grades")
        self.box.layout.display = None if grades is not None else "none"
        if grades is None:
            self.links.value = ""
            return
        cities = sorted({str(c) for c in grades["city"] if str(c)})
        if list(self.city.options) != cities:
            self.city.options = cities
            self.links.value = ""
        self.city.description = t("ev.city_report", lang=m.lang)
        self.pdf.description = "PDF"
        self.xlsx.description = "xlsx"

    def _build(self, fmt: str) -> None:
        from ..markup import download_link

        got = self.model.city_report(self.city.value, fmt)
        if got is not None:
            name, data = got
            self.links.value = download_link(name, data, name)
