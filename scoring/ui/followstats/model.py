"""The province's model (跟进统计): reporting and on-time rates by city and period, indicators
against targets (filterable), financing by kind, exit candidates and decisions, the periods'
dates and per-project exceptions, the summary xlsx and PDF.

The summary (rates) is read at login; every other section is read when first shown
(:meth:`load`), so that the first widget appears fast with thousands of projects.
"""

from __future__ import annotations

from typing import Any

import traitlets as tl

from ..reporting.common import as_date, period_rows
from ..session import BaseModel
from .evaluation_model import EvaluationModelMixin

#: The sections read on demand, in tab order.
SECTIONS = ("rates", "indicators", "financing", "exits", "periods", "files", "evaluation")
#: Group-by choices of the indicator table.
INDICATOR_BY = ("city", "kind", "industry", "project_id")


class FollowStatsModel(EvaluationModelMixin, BaseModel):
    """State and actions of the province's statistics page."""

    roles = ("organizer",)
    year = tl.Int(0)
    #: Bumped when a section's data is (re)read: the section's name.
    loaded = tl.Unicode("")
    version = tl.Int(0)
    filters = tl.Dict()  # {city, kind, industry, indicator}: "" = all
    indicator_by = tl.Unicode("city")

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        super().__init__(backend, **kwargs)
        self.done: set[str] = set()
        self.totals: dict[str, Any] = {}
        self.by_city: Any = None
        self.by_period: Any = None
        self.by_city_period: Any = None
        self.progress: Any = None
        self.financing: Any = None
        self.exits: Any = None
        self.periods: list[dict[str, Any]] = []
        self.projects: Any = None
        self.files: dict[str, tuple[str, bytes]] = {}

    def after_logout(self) -> None:
        """Forget every table read for the last user."""
        self.done = set()
        self.totals, self.files, self.periods = {}, {}, []
        self.by_city = self.by_period = self.by_city_period = None
        self.progress = self.financing = self.exits = self.projects = None
        self.eval_panels = self.eval_grades = self.eval_criteria = self.path = None
        self.eval_panel = self.path_project = ""

    def after_login(self) -> None:
        from scoring.followup.clock import today

        if not self.year:
            self.year = today().year
        self.done = set()
        self.load("rates")

    def load(self, section: str, *, force: bool = False) -> None:
        """Read ``section`` (once, unless ``force``)."""
        if section in self.done and not force:
            return
        getattr(self, f"_load_{section}")()
        self.done.add(section)
        self.loaded = section
        self.version += 1

    def refresh(self) -> None:
        """Read again every section already shown (built files are dropped: they are stale)."""
        self.files = {}
        for s in list(self.done):
            self.load(s, force=True)

    # -- rates -------------------------------------------------------------------------------
    def _load_rates(self) -> None:
        """One read of the timeliness table; the rates by city, by period and by both are the
        core's :func:`~scoring.followup.timeliness.rates` of it (one store query, not four)."""
        from scoring.followup.timeliness import rates

        a, y = self.identity, self.year
        t = self.run(self.backend.followup_timeliness, a, year=y, clear=False)
        if t is None:
            return
        self.by_city = _city_sorted(rates(t, ["city"])) if len(t) else None
        self.by_period = rates(t, ["period"]) if len(t) else None
        self.by_city_period = _city_sorted(rates(t, ["city", "period"])) if len(t) else None
        all_ = rates(t, [])
        tot = all_.iloc[0].to_dict() if len(all_) else {}
        projects = self.run(self.backend.followed_projects, a, clear=False)
        self.projects = projects
        tot["projects"] = 0 if projects is None else len(projects)
        self.totals = tot

    def rates_chart(self) -> bytes:
        """Bar chart (PNG) of the reporting and on-time rates by city, Chinese labels."""
        df = self.by_city
        if df is None or not len(df):
            return b""
        from .chart import rates_png

        return rates_png(
            df,
            title=self.tr("fs.rates_chart"),
            labels=(self.tr("fs.reporting_rate"), self.tr("fs.on_time_rate")),
        )

    # -- indicators --------------------------------------------------------------------------
    def _load_indicators(self) -> None:
        prog = self.run(self.backend.followup_progress, self.identity, year=self.year, clear=False)
        if prog is not None and len(prog):
            missing = [c for c in ("city", "kind", "industry") if c not in prog.columns]
            if missing:
                prog = self._with_projects(prog, missing)
        self.progress = prog

    def _with_projects(self, df: Any, cols: list[str]) -> Any:
        if self.projects is None:
            self.projects = self.run(self.backend.followed_projects, self.identity, clear=False)
        meta = self.projects
        if meta is None:
            return df
        meta = meta.reset_index(drop=True)
        if "industry" not in meta.columns and "industries" in meta.columns:
            meta = meta.assign(industry=[_first(x) for x in meta["industries"]])
        have = [c for c in cols if c in meta.columns]
        return df.merge(meta[["project_id", *have]], on="project_id", how="left")

    def filter_choices(self, column: str) -> list[str]:
        """The values a filter may take (from the progress table)."""
        if column == "city":
            from scoring.programme.schema import CITIES

            return list(CITIES)
        if column == "kind":
            return ["enterprise", "region"]
        p = self.progress
        if p is None or not len(p) or column not in p.columns:
            return []
        return sorted({str(x) for x in p[column].dropna()})

    def set_filter(self, column: str, value: str) -> None:
        self.filters = {**self.filters, column: value or ""}

    def indicator_table(self) -> Any:
        """Indicators against baseline and target, per group (``indicator_by``) and indicator,
        filtered (:mod:`scoring.followup.statistics`)."""
        from scoring.followup.statistics import indicator_summary

        p = self.progress
        if p is None or not len(p):
            return None
        for col, value in self.filters.items():
            if value and col in p.columns:
                p = p[p[col].astype(str) == value]
        by = [self.indicator_by] if self.indicator_by in p.columns else []
        return indicator_summary(p, by)

    # -- financing ---------------------------------------------------------------------------
    def _load_financing(self) -> None:
        self.financing = self.run(
            self.backend.followup_financing, self.identity, ["kind"], year=self.year, clear=False
        )

    # -- exits -------------------------------------------------------------------------------
    def _load_exits(self) -> None:
        df = self.run(self.backend.exit_candidates, self.identity, clear=False)
        if df is not None and len(df) and "name" not in df.columns:
            df = self._with_projects(df, ["name", "city"])
        self.exits = df

    def exit_projects(self) -> list[tuple[str, str]]:
        """``(label, project_id)`` of the exit candidates, each once."""
        df = self.exits
        if df is None or not len(df):
            return []
        out, seen = [], set()
        for r in df.to_dict("records"):
            pid = str(r["project_id"])
            if pid not in seen:
                seen.add(pid)
                out.append((f"{pid} {r.get('name', '') or ''}".strip(), pid))
        return out

    def grounds_of(self, project_id: str) -> list[str]:
        df = self.exits
        if df is None or not len(df):
            return []
        return [str(g) for g in df.loc[df["project_id"].astype(str) == project_id, "ground"]]

    def decide(self, project_id: str, exit: bool, reason: str) -> bool:
        """Record the decision on an exit candidate (exit or keep) with its reason."""
        if not (reason or "").strip():
            self.fail("fu.reason_needed")
            return False
        got = self.run(
            self.backend.decide_exit,
            self.identity,
            project_id,
            exit=exit,
            reason=reason.strip(),
            grounds=self.grounds_of(project_id),
        )
        if self.error:
            return False
        del got
        self.notice = self.tr(
            "fs.decided",
            project=project_id,
            decision=self.tr("fs.decide_exit" if exit else "fs.decide_keep"),
        )
        self.load("exits", force=True)
        return True

    # -- periods -----------------------------------------------------------------------------
    def _load_periods(self) -> None:
        self.periods = period_rows(
            self.run(self.backend.followup_periods, self.identity, clear=False)
        )
        if self.projects is None:
            self.projects = self.run(self.backend.followed_projects, self.identity, clear=False)

    def set_dates(self, key: str, due: Any, lock: Any) -> bool:
        from scoring.followup.periods import period_label

        d, lk = as_date(due), as_date(lock)
        self.run(self.backend.set_period_dates, self.identity, key, due=d, lock=lk)
        if self.error:
            return False
        self.notice = self.tr("fs.dates_saved", period=period_label(key, self.lang), due=d, lock=lk)
        self.load("periods", force=True)
        if "rates" in self.done:
            self.load("rates", force=True)
        return True

    def grant(self, project_id: str, key: str, until: Any, reason: str) -> bool:
        if not (reason or "").strip():
            self.fail("fu.reason_needed")
            return False
        u = as_date(until)
        self.run(self.backend.grant_exception, self.identity, project_id, key, u, reason.strip())
        if self.error:
            return False
        self.notice = self.tr("fs.granted", project=project_id, period=key, until=u)
        return True

    # -- files -------------------------------------------------------------------------------
    def _load_files(self) -> None:
        pass

    def build_file(self, fmt: str) -> tuple[str, bytes] | None:
        """The summary report (``xlsx`` or ``pdf``) of the year."""
        got = self.run(self.backend.followup_report, self.identity, year=self.year, fmt=fmt)
        if got is not None:
            self.files[fmt] = got
            self.version += 1
        return got


def _city_sorted(df: Any) -> Any:
    """Rows in the province's city order (太原市 first, as the notices list them); other
    groups (省属企业) after the cities."""
    from scoring.programme.schema import CITIES

    rank = {c: i for i, c in enumerate(CITIES)}
    order = sorted(
        range(len(df)),
        key=lambda i: (rank.get(str(df["city"].iloc[i]), 99), str(df["city"].iloc[i])),
    )
    return df.iloc[order].reset_index(drop=True)


def _first(x: Any) -> str:
    if isinstance(x, list | tuple):
        return str(x[0]) if x else ""
    return "" if x is None else str(x).split("、")[0]
