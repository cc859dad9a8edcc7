"""The dashboards' only door to the data: a thin adapter over :class:`scoring.store.Workbench`.

Every rule (roles, recusal, blind scoring, frozen configuration, confirmation) is enforced by the
store; this adapter only shapes its answers for the pages (a sheet as :class:`SheetState`, the
candidates indexed by ``project_id``) and re-reads after every write so that the page shows
what the database now holds.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .followup_backend import FollowupBackendMixin, LedgerState

if TYPE_CHECKING:  # pandas loads with the store, in the background, not at page start-up
    import pandas as pd


@dataclass(frozen=True)
class SheetState:
    """An expert's sheet for one candidate as stored: status, version and scores."""

    status: str = "empty"
    version: int = 0
    scores: dict[str, float] = field(default_factory=dict)
    comment: str = ""


__all__ = ["LazyBackend", "LedgerState", "SheetState", "StoreBackend", "default_backend"]


class StoreBackend(FollowupBackendMixin):
    """Adapter over :class:`scoring.store.service.Workbench`.

    Parameters
    ----------
    url : str, optional
        Database URL (default ``$SCORING_DB`` or the SQLite file of the store).
    workbench : Workbench, optional
        An existing store object (tests).
    """

    def __init__(self, url: str | None = None, *, workbench: Any = None) -> None:
        if workbench is None:
            from scoring.store.service import Workbench

            workbench = Workbench(url)
        self.wb = workbench

    # ---------------------------------------------------------------- accounts
    def login(self, code: str, *, client: str | None = None) -> Any:
        """The :class:`~scoring.store.accounts.Actor` of an access code (``ValueError`` if refused);
        ``client``: the page's client address, when known (the store throttles per address)."""
        return self.wb.login(code, client=client)

    # ---------------------------------------------------------------- panels
    def panels(self, actor: Any) -> list[dict[str, Any]]:
        """Panels the actor may see (store order)."""
        return list(self.wb.panels(actor))

    def expert_panels(self, actor: Any) -> list[dict[str, Any]]:
        """The panels the account scores on (it is a member), open ones first.

        The store lists every panel to a bank reviewer (for comparing); a bank reviewer scores
        only on the panels he is a member of, which the store tells through his declaration.
        """
        from scoring.store.errors import AccessDenied

        panels = self.panels(actor)
        if getattr(actor, "role", "") != "expert":
            mine = []
            for p in panels:
                try:
                    self.wb.conflict_declaration(actor, int(p["id"]))
                except AccessDenied:
                    continue
                mine.append(p)
            panels = mine
        rank = {"open": 0, "draft": 1, "closed": 2}
        return sorted(panels, key=lambda p: (rank.get(p["status"], 3), p["id"]))

    def panel_config(self, actor: Any, panel_id: Any) -> tuple[Any, str]:
        """``(PanelConfig, content hash)`` of a frozen panel."""
        return self.wb.panel_config(actor, int(panel_id))

    def panel_criteria(self, actor: Any, panel_id: Any) -> Any:
        """The frozen criteria of a panel as a :class:`~scoring.engine.criteria.CriteriaSet`."""
        from scoring.engine.criteria import parse_criteria

        cfg, _h = self.panel_config(actor, panel_id)
        return parse_criteria(cfg.criteria, source=f"panel {panel_id}")

    # ---------------------------------------------------------------- candidates
    def candidates(self, actor: Any, panel_id: Any) -> pd.DataFrame:
        """The panel's candidates visible to the actor, in defense order, indexed by project_id."""
        df = self.wb.panel_candidates(actor, int(panel_id))
        df = df.sort_values("position") if "position" in df else df
        return df.set_index("project_id", drop=False).rename_axis(None)

    def evaluation_grades(self, actor: Any, panel_id: Any, *, samples: int = 2000) -> pd.DataFrame:
        """A closed evaluation panel's grades with the probability of each grade."""
        return self.wb.evaluation.grades(actor, int(panel_id), samples=samples)

    def project_path(self, actor: Any, project_id: str) -> dict[str, Any]:
        """A project's whole path (defense, catalogue, ledgers, evaluations, exit)."""
        return self.wb.evaluation.project_path(actor, str(project_id))

    def evaluation_report(
        self,
        actor: Any,
        fmt: str,
        *,
        panel_id: Any = None,
        city: str | None = None,
        year: int | None = None,
    ) -> tuple[str, bytes]:
        """``(filename, bytes)`` of a city's 年度评估报告 (``panel_id`` and ``city``) or, with
        ``year``, the province's 年度汇总报告; ``fmt`` is ``pdf`` or ``xlsx``."""
        import tempfile
        from pathlib import Path

        from scoring.reports.evaluation import city_report, province_report

        with tempfile.TemporaryDirectory() as tmp:
            if year is not None:
                name = f"年度汇总报告_{int(year)}.{fmt}"
                path = province_report(self.wb, int(year), Path(tmp) / name, actor=actor)
            else:
                name = f"年度评估报告_{city}_{int(panel_id)}.{fmt}"
                path = city_report(self.wb, int(panel_id), str(city), Path(tmp) / name, actor=actor)
            return name, Path(path).read_bytes()

    def evidences(self, actor: Any, panel_id: Any) -> dict[str, Any]:
        """The evaluation panel's evidence cards the actor may read (project id -> Evidence)."""
        return self.wb.evaluation.evidences(actor, int(panel_id))

    def conflict_choices(self, actor: Any, panel_id: Any) -> list[tuple[str, str, str]]:
        """``(project_id, name, city)`` of the panel's candidates, for declaring conflicts."""
        df = self.candidates(actor, panel_id)
        return [
            (
                str(p),
                str(df.at[p, "name"]) if "name" in df else "",
                str(df.at[p, "city"]) if "city" in df else "",
            )
            for p in df.index
        ]

    def conflicts_declared(self, actor: Any, panel_id: Any) -> bool:
        """Whether the expert has declared (conflicts or none) for this panel, per the store."""
        return self.wb.conflict_declaration(actor, int(panel_id)) is not None

    def expert_id(self, actor: Any) -> str:
        """The expert id an expert/bank account scores as (the store's link of the account)."""
        return str(self.wb.expert_id(actor))

    def declare_conflicts(
        self, actor: Any, panel_id: Any, project_ids: list[str], reason: str
    ) -> int:
        """Record the actor's own declaration for the panel (none, or ``project_ids``); the
        store resolves the expert from the account. Returns how many projects were listed."""
        ids = [str(p) for p in project_ids]
        self.wb.declare_conflicts(actor, int(panel_id), ids, reason if ids else "")
        return len(ids)

    def declarations(self, actor: Any, panel_id: Any) -> pd.DataFrame:
        """Who of the panel has declared conflicts (chair / organizer)."""
        return self.wb.declarations(actor, int(panel_id))

    # ---------------------------------------------------------------- sheets
    def sheet(self, actor: Any, panel_id: Any, project_id: str) -> SheetState:
        """The actor's stored sheet for ``project_id``."""
        for r in self.wb.my_sheet_records(actor, int(panel_id)):
            if r["project_id"] == str(project_id):
                scores = {k: float(v) for k, v in r["scores"].items() if v is not None and v == v}
                return SheetState(str(r["status"]), int(r["version"]), scores, str(r["comment"]))
        raise PermissionError(f"您不能查看项目 {project_id} / you may not see {project_id}")

    def save_draft(
        self,
        actor: Any,
        panel_id: Any,
        project_id: str,
        scores: dict,
        comment: str,
        base_version: int,
    ) -> tuple[str, SheetState]:
        """Save a draft; returns the store's outcome and the sheet as now stored."""
        res = self.wb.save_scores(
            actor,
            int(panel_id),
            str(project_id),
            dict(scores),
            base_version=int(base_version),
            comment=comment,
        )
        return res.status, self.sheet(actor, panel_id, project_id)

    def confirm(
        self, actor: Any, panel_id: Any, project_id: str, code: str, base_version: int
    ) -> tuple[str, SheetState]:
        """Confirm (sign) the sheet; the store checks the access code again (a signature)."""
        res = self.wb.confirm_sheet(
            actor, int(panel_id), str(project_id), code=str(code), base_version=int(base_version)
        )
        return res.status, self.sheet(actor, panel_id, project_id)

    def my_progress(self, actor: Any, panel_id: Any) -> tuple[int, int]:
        """``(confirmed, total)`` of the actor's sheets (recused ones not counted)."""
        recs = self.wb.my_sheet_records(actor, int(panel_id))
        return sum(r["status"] == "confirmed" for r in recs), len(recs)

    def request_correction(
        self,
        actor: Any,
        panel_id: Any,
        project_id: str,
        scores: dict,
        reason: str,
        base_version: int,
    ) -> int:
        """Ask the chair to change a confirmed sheet; returns the request's id."""
        return self.wb.request_correction(
            actor, int(panel_id), str(project_id), dict(scores), reason, base_version=base_version
        )

    def my_requests(self, actor: Any, panel_id: Any) -> pd.DataFrame:
        """The actor's own requests in the panel and the chair's decisions (with reasons)."""
        return self.wb.my_requests(actor, int(panel_id))

    # ---------------------------------------------------------------- chair / organizer
    def progress(self, actor: Any, panel_id: Any) -> pd.DataFrame:
        """Long table of sheet statuses (never values): expert_id, expert_name, project_id, status."""
        return self.wb.progress(actor, int(panel_id))

    def open_panel(self, actor: Any, panel_id: Any) -> None:
        self.wb.open_panel(actor, int(panel_id))

    def close_panel(
        self, actor: Any, panel_id: Any, *, force: bool = False, reason: str = ""
    ) -> None:
        """Close the panel; the store refuses while sheets are unconfirmed unless ``force`` with
        a ``reason`` (audited)."""
        self.wb.close_panel(actor, int(panel_id), force=force, reason=reason)

    def close_record(self, actor: Any, panel_id: Any) -> dict[str, Any] | None:
        """How the panel was closed (forced, unconfirmed sheets, reason), per the store."""
        return self.wb.close_record(actor, int(panel_id))

    def reopen_panel(self, actor: Any, panel_id: Any, reason: str) -> None:
        """Reopen a closed panel with a reason (recorded; results hidden until it closes again)."""
        self.wb.reopen_panel(actor, int(panel_id), reason=reason)

    def corrections(self, actor: Any, panel_id: Any) -> pd.DataFrame:
        """The panel's requests to the chair: score corrections and late conflicts (``kind``)."""
        return self.wb.corrections(actor, int(panel_id))

    def late_conflicts(self, actor: Any, panel_id: Any) -> pd.DataFrame:
        """The panel's late conflicts (recusal requests of confirmed sheets), pending or decided."""
        return self.wb.late_conflicts(actor, int(panel_id))

    def decide_request(self, actor: Any, request_id: Any, *, approve: bool, note: str = "") -> Any:
        """The chair approves or rejects a correction or late conflict (the store's result)."""
        return self.wb.decide_correction(actor, int(request_id), approve=approve, note=note)

    def timer(self, actor: Any, panel_id: Any) -> Any:
        """The panel's defense timer (:class:`~scoring.store.timers.TimerState` or None)."""
        return self.wb.timer(actor, int(panel_id))

    def start_timer(self, actor: Any, panel_id: Any, project_id: str, **kwargs: Any) -> Any:
        """Start the panel's defense timer (chair or organizer; the store checks)."""
        return self.wb.start_timer(actor, int(panel_id), str(project_id), **kwargs)

    def stop_timer(self, actor: Any, panel_id: Any) -> Any:
        """Stop the panel's defense timer (chair or organizer)."""
        return self.wb.stop_timer(actor, int(panel_id))

    def basket(self, actor: Any) -> Any:
        """The account's stored portfolio basket (:class:`scoring.programme.portfolio.BankPortfolio`)."""
        return self.wb.basket(actor)

    def add_to_basket(self, actor: Any, project_ids: list[str]) -> Any:
        """Add projects (all or nothing; the 21st refused by the store)."""
        return self.wb.add_to_basket(actor, [str(p) for p in project_ids])

    def remove_from_basket(self, actor: Any, project_ids: list[str]) -> Any:
        return self.wb.remove_from_basket(actor, [str(p) for p in project_ids])

    def results(self, actor: Any, panel_id: Any) -> pd.DataFrame:
        """Ranking of a closed panel under its frozen configuration (see ``Workbench.results``)."""
        return self.wb.results(actor, int(panel_id))

    def panel_scores(self, actor: Any, panel_id: Any) -> pd.DataFrame:
        """Long scores of a closed panel (confirmed sheets)."""
        return self.wb.panel_scores(actor, int(panel_id))

    def panel_report(
        self,
        actor: Any,
        panel_id: Any,
        *,
        samples: int = 10_000,
        progress: Callable[[str, int, int], Any] | None = None,
    ) -> tuple[str, bytes]:
        """The panel report (PDF) of a closed panel, as ``(filename, bytes)``.

        Only for an actor who runs the panel and may read its results (its chair, or an
        organizer): the store checks that through :meth:`results` and :meth:`progress` first.
        The report needs every sheet version and the member experts, which the store gives only
        to organizers, so it is then assembled as the workbench's own organizer actor (reads only).

        Parameters
        ----------
        samples : int
            Robustness (SMAA) draws of the report.
        progress : callable, optional
            ``progress(step, done, total)``: data first (5 steps), then the PDF pages.
        """
        from scoring.reports.assemble import report_data_from_store
        from scoring.reports.panel_report import build_panel_report

        pid = int(panel_id)
        self.wb.results(actor, pid)  # refuses before closing or for a non-reader
        self.wb.progress(actor, pid)  # refuses anyone but the panel's chair or an organizer
        report = progress or (lambda _s, _d, _t: None)
        reader = self.wb.system_actor(f"board:{getattr(actor, 'login', 'board')}")
        data = report_data_from_store(self.wb, pid, actor=reader, samples=samples, progress=report)
        data = self._with_close_notes(actor, pid, data)
        pdf = build_panel_report(data, progress=report)
        return f"panel_report_{pid}.pdf", pdf

    def _with_close_notes(self, actor: Any, panel_id: int, data: Any) -> Any:
        """The report data with a note on a close with unconfirmed sheets (the store's record)."""
        import dataclasses

        rec = self.wb.close_record(actor, panel_id)
        if not rec or not rec["unconfirmed"]:
            return data
        at = str(rec["at"])[:16].replace("T", " ")
        note = (
            f"评审组在尚有 {rec['unconfirmed']} 份评分表未确认时结束（{rec['by']}，{at}），"
            f"理由：{rec['reason'] or '—'}。排名仅基于已确认的评分表。"
            f" Closed with {rec['unconfirmed']} unconfirmed sheet(s); reason: {rec['reason'] or '—'}."
        )
        return dataclasses.replace(data, notes=(*data.notes, note))

    # ---------------------------------------------------------------- organizer console
    def import_table(self, actor: Any, what: str, filename: str, data: bytes) -> Any:
        """Import uploaded candidates or experts (all or nothing); returns the store's result."""
        suffix = Path(filename).suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            raise ValueError(f"{filename}: 只接受 .xlsx 或 .csv / only .xlsx or .csv files")
        with tempfile.TemporaryDirectory(prefix="scoring-upload-") as tmp:
            path = Path(tmp) / Path(filename).name
            path.write_bytes(data)
            if what == "candidates":
                return self.wb.import_candidates(actor, path)
            if what == "experts":
                return self.wb.import_experts(actor, path)
        raise ValueError(f"unknown import {what!r}")

    def all_candidates(self, actor: Any) -> pd.DataFrame:
        return self.wb.candidates(actor)

    def experts(self, actor: Any) -> pd.DataFrame:
        return self.wb.experts(actor)

    def accounts(self, actor: Any) -> list[dict[str, Any]]:
        return self.wb.accounts(actor)

    def create_panel(self, actor: Any, name: str, **kwargs: Any) -> int:
        """Create a draft panel. A yearly evaluation (``purpose="evaluation"``) scores the
        followed projects of its set's kind (the chosen candidates, or every active one) and
        evaluates the latest year that has follow-up periods."""
        if kwargs.get("purpose") != "evaluation":
            return self.wb.create_panel(actor, name, **kwargs)
        set_name = str(kwargs.get("criteria_set") or "")
        kind = "region" if set_name.endswith("region") else "enterprise"
        periods = self.wb.periods.periods(actor)
        year = int(periods["year"].max()) if len(periods) else int(self.wb.current_year())
        return self.wb.evaluation.create_panel(
            actor,
            name,
            year=year,
            kind=kind,
            date=kwargs.get("date"),
            chair=kwargs.get("chair"),
            members=list(kwargs.get("members") or ()),
            projects=list(kwargs.get("candidates") or ()) or None,
            criteria_set=set_name or None,
        )

    def panel_setup(self, actor: Any, panel_id: Any) -> dict[str, Any]:
        """The panel as set up: name, date, status, chair, members, candidates, frozen."""
        return self.wb.panel_setup(actor, int(panel_id))

    def update_panel(self, actor: Any, panel_id: Any, **changes: Any) -> None:
        """Edit a draft panel that is not frozen (name, date, chair, members, candidates)."""
        self.wb.update_panel(actor, int(panel_id), **changes)

    def delete_panel(self, actor: Any, panel_id: Any, reason: str) -> None:
        """Delete a draft panel that is not frozen, with a reason."""
        self.wb.delete_panel(actor, int(panel_id), reason=reason)

    def freeze(self, actor: Any, panel_id: Any, config: Any) -> str:
        return self.wb.freeze_config(actor, int(panel_id), config)

    def issue_code(self, actor: Any, login: str, role: str | None = None, **kwargs: Any) -> str:
        """Reissue ``login``'s code, or create the account when ``role`` is given and it is new."""
        known = {a["login"] for a in self.accounts(actor)}
        if login.upper() in {k.upper() for k in known} or role is None:
            return self.wb.reissue_code(actor, login)
        return self.wb.create_account(actor, login, role, **kwargs)


def default_backend() -> StoreBackend:
    """The backend of a dashboard kernel: the store at ``$SCORING_DB`` (or the default file)."""
    return StoreBackend(os.environ.get("SCORING_DB") or None)


class LazyBackend:
    """A backend created on first use, so that a page shows its login box before the store's
    imports (pandas, SQLAlchemy) and schema check have run; :meth:`warm_on_change` starts
    them as soon as the user types into the access-code box.

    Parameters
    ----------
    factory : callable
        Returns the real backend (default :func:`default_backend`).
    """

    def __init__(self, factory: Callable[[], Any] = default_backend) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._real: Any = None
        self._error: BaseException | None = None

    def _get(self) -> Any:
        with self._lock:
            if self._real is None:
                self._real = self._factory()
            return self._real

    def warm(self) -> None:
        """Create the real backend now, without blocking the caller; errors surface on first
        real use.

        In a kernel the work is scheduled on its event loop (the main thread, when idle), not in
        a thread: a background thread importing pandas and SQLAlchemy competes for the GIL with
        the kernel answering the page, and with ten pages opening at once their websockets were
        seen to drop. Outside an event loop (plain Python, pytest) a daemon thread does it.
        """

        def run() -> None:
            try:
                self._get()
            except Exception as exc:
                self._error = exc

        try:
            asyncio.get_running_loop().call_soon(run)
        except RuntimeError:
            threading.Thread(target=run, name="scoring-backend-warm", daemon=True).start()

    def warm_on_change(self, widget: Any, name: str = "value") -> None:
        """Warm the store as soon as the user starts typing into ``widget`` (the access-code
        box), so that it loads while the code is typed instead of competing with the page's
        start-up (with ten pages opening at once, warming on a timer kept them from showing)."""
        on_first_change(widget, self.warm, name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._get(), name)


def on_first_change(widget: Any, callback: Callable[[], Any], name: str = "value") -> None:
    """Call ``callback`` once, at the first change of ``widget``'s trait ``name``."""

    def first(_change: Any) -> None:
        widget.unobserve(first, name)
        callback()

    widget.observe(first, name)
