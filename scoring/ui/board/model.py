"""The chair / organizer board's model: panel status and progress (polled), opening and
closing, the defense timer, results once closed, downloads and the PDF report."""

from __future__ import annotations

import threading
from typing import Any

import traitlets as tl

from ..session import BaseModel
from ..timer import TimerMixin
from .requests import RequestsMixin
from .results import export_bytes, panel_results, progress_matrix

#: ``close_pending`` when every sheet is confirmed and the page asks for a yes.
ALL_CONFIRMED = -1
_warmed: list[threading.Thread] = []


def warm_up() -> None:
    """Import the results' statistics (scipy, pingouin, the engine) in a background thread,
    once per process."""
    if _warmed:
        return

    def imports() -> None:
        import scoring.engine.panel
        import scoring.engine.sensitivity
        import scoring.programme.shortlist  # noqa: F401

    thread = threading.Thread(target=imports, name="board-warm-up", daemon=True)
    _warmed.append(thread)
    thread.start()


class BoardModel(RequestsMixin, TimerMixin, BaseModel):
    """State and actions of the chair / organizer board."""

    roles = ("chair", "organizer")
    panels = tl.List()
    panel_status = tl.Unicode("")
    progress_version = tl.Int(0)
    results_version = tl.Int(0)
    project_ids = tl.List()
    #: Unconfirmed sheets the chair is asked about before a forced close (0: not asking).
    close_pending = tl.Int(0)
    #: project_id -> name, for the timer's picker and line.
    project_names = tl.Dict()
    #: PDF report: building, the step being built, steps done / total.
    #: Bumped when ``config`` (the frozen ``(PanelConfig, hash)`` or None) is re-read.
    config_version = tl.Int(0)
    #: Whether the closed panel's results are being computed.
    computing = tl.Bool(False)
    report_busy = tl.Bool(False)
    report_step = tl.Unicode("")
    report_done = tl.Int(0)
    report_total = tl.Int(0)
    #: Robustness draws of the PDF report (the command line's default).
    report_samples = 10_000
    #: The project whose whole path is shown ("" none) and that path (a dict, see
    #: ``wb.evaluation.project_path``), bumped in ``path_version``.
    path_project = tl.Unicode("")
    path_version = tl.Int(0)

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        super().__init__(backend, **kwargs)
        self.progress: Any = None
        self.declarations: Any = None
        self.matrix: Any = None
        self.results: dict | None = None
        self.config: tuple[Any, str] | None = None
        self._progress_key: Any = None
        #: The last PDF report built for the shown panel: ``(filename, bytes)``.
        self.report_file: tuple[str, bytes] | None = None
        self.path: dict | None = None

    def after_logout(self) -> None:
        """Forget the progress, results, configuration and report read for the last user."""
        self.progress = self.declarations = self.matrix = self.results = None
        self.config = self.report_file = None
        self._progress_key = None

    def after_login(self) -> None:
        """List the panels and show the first open one; load the statistics libraries in the
        background meanwhile (their first import takes seconds: not at the close)."""
        warm_up()
        self.load_panels()

    def load_panels(self) -> None:
        """List the panels the account may run; select the first open one."""
        panels = self.run(self.backend.panels, self.identity)
        if panels is None:
            return
        self.panels = [{k: p[k] for k in ("id", "name", "status", "config_hash")} for p in panels]
        if not self.panels:
            self.fail("panel.none")
            return
        order = {"open": 0, "draft": 1, "closed": 2}
        best = sorted(self.panels, key=lambda p: (order.get(p["status"], 3), p["id"]))[0]
        self.choose(str(best["id"]))

    def choose(self, panel_id: str) -> None:
        """Show panel ``panel_id``."""
        self.panel_id = str(panel_id)
        self.results = None
        self.report_file = None
        self.report_step = ""
        self.close_pending = 0
        self.refresh(force=True)
        cands = self.run(self.backend.candidates, self.identity, self.panel_id, clear=False)
        self.project_ids = [] if cands is None else [str(p) for p in cands.index]
        names = {} if cands is None or "name" not in cands else cands["name"].to_dict()
        self.project_names = {str(k): str(v) for k, v in names.items()}
        self.refresh_timer()
        self.refresh_requests(force=True)
        self.load_config()

    def show_path(self, project_id: str) -> None:
        """Read ``project_id``'s whole path (defense, catalogue, ledgers, evaluations, exit)."""
        self.path_project = str(project_id or "")
        self.path = (
            self.run(self.backend.project_path, self.identity, self.path_project)
            if self.path_project
            else None
        )
        self.path_version += 1

    def city_report(self, city: str, fmt: str) -> tuple[str, bytes] | None:
        """``(filename, bytes)`` of ``city``'s 年度评估报告 of the shown (closed) evaluation panel."""
        if not city:
            return None
        return self.run(
            self.backend.evaluation_report, self.identity, fmt, panel_id=self.panel_id, city=city
        )

    def load_config(self) -> None:
        """The shown panel's frozen configuration (``config`` None while it is not frozen)."""
        from scoring.store import NotFound

        try:
            self.config = self.backend.panel_config(self.identity, self.panel_id)
        except NotFound:
            self.config = None
        except Exception as exc:
            self.config = None
            self.explain(exc)
        self.config_version += 1

    def _status(self) -> str:
        panels = self.run(self.backend.panels, self.identity, clear=False) or []
        fresh = [{k: p[k] for k in ("id", "name", "status", "config_hash")} for p in panels]
        if fresh and fresh != self.panels:
            self.panels = fresh
        for p in panels:
            if str(p["id"]) == self.panel_id:
                return str(p["status"])
        return ""

    def refresh(self, force: bool = False) -> None:
        """Re-read status and progress (polled every second); results once closed."""
        if not self.logged_in or not self.panel_id:
            return
        status = self._status()
        changed = status != self.panel_status
        self.panel_status = status
        if changed and self.config is None:
            self.load_config()
        prog = self.run(self.backend.progress, self.identity, self.panel_id, clear=False)
        decl = self.run(self.backend.declarations, self.identity, self.panel_id, clear=False)
        if prog is not None:
            key = tuple(map(tuple, prog[["expert_id", "project_id", "status", "version"]].values))
            if decl is not None:
                key += tuple(
                    (r.expert_id, r.declared_at, len(r.projects)) for r in decl.itertuples()
                )
            if force or key != self._progress_key:
                self._progress_key = key
                self.progress = prog
                self.declarations = decl
                self.matrix = progress_matrix(prog, decl)
                self.progress_version += 1
        if status == "closed" and (force or changed or self.results is None):
            self.load_results()

    def load_results(self) -> None:
        """Compute the closed panel's results (``computing`` meanwhile, for the page)."""
        self.computing = True
        try:
            res = self.run(panel_results, self.backend, self.identity, self.panel_id, clear=False)
        finally:
            self.computing = False
        if res is not None:
            self.results = res
            self.results_version += 1

    def open_panel(self) -> None:
        """Open the shown panel for scoring."""
        if self.run(self.backend.open_panel, self.identity, self.panel_id) is None and self.error:
            return
        self.refresh(force=True)

    def unconfirmed(self) -> int:
        """Sheets of the panel that are neither confirmed nor recused (the store's progress)."""
        self.refresh(force=True)
        if self.progress is None or len(self.progress) == 0:
            return 0
        return int((~self.progress["status"].isin(["confirmed", "recused"])).sum())

    def request_close(self) -> bool:
        """The chair's "close" asks first (closing cannot be undone, only recorded reopening
        changes results): ``close_pending`` is the number of unconfirmed sheets (the page asks
        for a reason: a forced close) or :data:`ALL_CONFIRMED` (the page asks for a yes)."""
        missing = self.run(self.unconfirmed)
        if missing is None:
            return False
        self.close_pending = missing or ALL_CONFIRMED
        return False

    def confirm_close(self, reason: str = "") -> bool:
        """The chair's yes to the question of :meth:`request_close`."""
        if self.close_pending == ALL_CONFIRMED:
            return self.close_panel()
        return self.close_panel(force=True, reason=reason)

    def close_panel(self, force: bool = False, reason: str = "") -> bool:
        """Close the panel (``force`` with a ``reason`` while sheets are unconfirmed)."""
        done = self.run(
            self.backend.close_panel, self.identity, self.panel_id, force=force, reason=reason
        )
        if done is None and self.error:
            return False
        self.close_pending = 0
        self.refresh(force=True)
        return True

    def start_timer(
        self, project_id: str, presentation_s: int = 600, questions_s: int = 300
    ) -> None:
        """Start the defense timer for ``project_id`` on every page of the panel."""
        if project_id not in self.project_ids:
            self.error = f"unknown project {project_id}"
            return
        done = self.run(
            self.backend.start_timer,
            self.identity,
            self.panel_id,
            project_id,
            presentation_s=presentation_s,
            questions_s=questions_s,
        )
        if done is None:
            return
        self.refresh_timer()

    def stop_timer(self) -> None:
        """Stop the panel's defense timer (every page of the panel shows it stopped)."""
        if self.timer_phase in ("", "stopped"):
            self.fail("timer.not_running")
            return
        self.run(self.backend.stop_timer, self.identity, self.panel_id)
        self.refresh_timer()

    @property
    def timer_running(self) -> bool:
        """Whether a defense is being timed (presentation or questions, or over but not stopped)."""
        return self.timer_phase in ("presentation", "questions", "over")

    def timer_status(self) -> str:
        """The chair's line: which candidate is timed and in which phase, with the time left."""
        if not self.timer_project:
            return self.tr("timer.idle")
        name = self.project_names.get(self.timer_project, "")
        rest = self.timer_text.split("：", 1)[-1]
        return self.tr("timer.board", project=f"{self.timer_project} {name}".strip(), state=rest)

    def download(self, fmt: str) -> tuple[str, bytes] | None:
        """``(filename, bytes)`` of the export, or None before results exist."""
        if self.results is None:
            self.fail("board.hidden")
            return None
        return self.run(export_bytes, self.results, fmt, self.lang)

    def report_pdf(self) -> tuple[str, bytes] | None:
        """Build the panel report (PDF) of the closed panel: ``(filename, bytes)`` or None.

        ``report_busy``, ``report_step`` and ``report_done`` / ``report_total`` follow the
        build (data, then each page section and score sheet) so that the page shows progress.
        """
        if self.results is None:
            self.fail("board.hidden")
            return None
        phase = {"offset": 0}

        def progress(step: str, done: int, total: int) -> None:
            if done == total and phase["offset"] == 0:
                phase["offset"] = total  # data assembled; the PDF pages follow
                return
            self.report_step = step
            self.report_done = phase["offset"] + done
            self.report_total = max(self.report_total, phase["offset"] + total)

        self.report_file = None
        self.report_busy = True
        self.report_step = ""
        self.report_done = 0
        self.report_total = 5 + 5 + len(self.results["long"]["expert_id"].unique())
        try:
            got = self.run(
                self.backend.panel_report,
                self.identity,
                self.panel_id,
                samples=self.report_samples,
                progress=progress,
            )
        finally:
            self.report_busy = False
        if got is not None:
            self.report_file = got
            self.report_done = self.report_total
            self.report_step = self.tr("board.report_ready")
        else:
            self.report_step = ""
        return got

    def tick(self) -> None:
        """Periodic refresh: status, progress, timer and the requests to the chair."""
        self.refresh()
        self.refresh_timer()
        self.refresh_requests()
