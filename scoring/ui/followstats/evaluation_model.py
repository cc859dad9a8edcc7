"""The province page's yearly evaluation section (年度评估): the evaluation panels, a closed
panel's grades with the probability of each grade, sending the 不合格 projects to the exit list,
and any followed project's whole path. A mixin of :class:`FollowStatsModel`."""

from __future__ import annotations

from typing import Any


class EvaluationModelMixin:
    """State and actions of the 年度评估 tab (``self`` is a :class:`FollowStatsModel`)."""

    eval_panels: Any = None
    eval_panel: str = ""
    eval_grades: Any = None
    eval_criteria: Any = None
    path: dict | None = None
    path_project: str = ""
    #: The province reports built: fmt -> (filename, bytes).
    eval_files: dict = {}

    def _load_evaluation(self) -> None:
        wb = self.backend.wb
        self.eval_files = {}
        df = self.run(wb.evaluation.panels, self.identity)
        self.eval_panels = df
        closed = (
            []
            if df is None
            else [str(i) for i, s in zip(df["id"], df["status"], strict=True) if s == "closed"]
        )
        if self.eval_panel not in closed:
            self.eval_panel = closed[-1] if closed else ""
        self._load_grades()
        if self.projects is None:
            self.projects = self.run(self.backend.followed_projects, self.identity, clear=False)

    def _load_grades(self) -> None:
        self.eval_grades = self.eval_criteria = None
        if not self.eval_panel:
            return
        wb = self.backend.wb
        self.eval_grades = self.run(
            wb.evaluation.grades, self.identity, int(self.eval_panel), samples=2000
        )
        cfg = self.run(self.backend.panel_config, self.identity, self.eval_panel)
        self.eval_criteria = None if cfg is None else cfg[0].criteria_set

    def choose_evaluation(self, panel_id: str) -> None:
        """Show the grades of evaluation panel ``panel_id``."""
        self.eval_panel = str(panel_id or "")
        self.eval_files = {}
        self._load_grades()
        self.loaded = "evaluation"
        self.version += 1

    def send_failed_to_exit(self) -> list[str] | None:
        """Put the shown panel's 不合格 projects on the exit list (a poor-evaluation risk record
        each); says how many were sent."""
        if not self.eval_panel:
            return None
        sent = self.run(
            self.backend.wb.evaluation.send_to_exit, self.identity, int(self.eval_panel)
        )
        if sent is not None:
            self.say("ev.sent", n=len(sent), projects="、".join(sent) or "—")
            self.done.discard("exits")
            self.version += 1
        return sent

    def province_report(self, fmt: str) -> tuple[str, bytes] | None:
        """``(filename, bytes)`` of the province's 年度汇总报告 of the shown panel's year (kept
        in ``files`` under ``eval-<fmt>`` for the download link)."""
        df = self.eval_panels
        if df is None or not self.eval_panel:
            return None
        year = int(df.set_index(df["id"].astype(str)).at[self.eval_panel, "year"])
        got = self.run(self.backend.evaluation_report, self.identity, fmt, year=year)
        if got is not None:
            self.eval_files = {**self.eval_files, fmt: got}
            self.loaded = "evaluation"
            self.version += 1
        return got

    def show_path(self, project_id: str) -> None:
        """Read a followed project's whole path."""
        self.path_project = str(project_id or "")
        self.path = (
            self.run(self.backend.project_path, self.identity, self.path_project)
            if self.path_project
            else None
        )
        self.loaded = "evaluation"
        self.version += 1
