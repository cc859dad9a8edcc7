"""The city bureau's model (市局确认): the city's projects × periods matrix, a submission beside
the previous period and the targets, confirm / return (reason) / reopen (reason), and the
reminder list of what is due or late."""

from __future__ import annotations

from typing import Any

import traitlets as tl

from ..reporting.common import display_state, period_rows, submitted_late
from ..session import BaseModel


class ConfirmModel(BaseModel):
    """State and actions of the confirmation page (市商务局; the province for 省属企业)."""

    roles = ("city", "organizer")
    rows = tl.List()  # [{project_id, name, city, kind, states: {period: state}}]
    period_keys = tl.List()
    project_id = tl.Unicode("")
    period_key = tl.Unicode("")
    #: Bumped when the opened submission (or its previous period) is (re)loaded.
    detail = tl.Int(0)
    reminders = tl.Unicode("")

    def __init__(self, backend: Any, **kwargs: Any) -> None:
        super().__init__(backend, **kwargs)
        self.projects: dict[str, dict[str, Any]] = {}
        self.periods: list[dict[str, Any]] = []
        self.current: Any = None
        self.previous: Any = None
        self.previous_key: str | None = None
        self.project: dict[str, Any] = {}
        self.observe(self._on_lang, "lang")

    def after_logout(self) -> None:
        """Forget the city's projects and the submission shown."""
        self.projects, self.periods, self.project = {}, [], {}
        self.current = self.previous = self.previous_key = None

    def _on_lang(self, _change: Any = None) -> None:
        if self.logged_in:
            self.reminders = self.reminder_text()

    def today(self) -> Any:
        from scoring.followup.clock import today

        return today()

    def after_login(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Re-read the projects, the periods and the ledger states; the reminders."""
        df = self.run(self.backend.followed_projects, self.identity, clear=False)
        if df is None:
            return
        records = df.to_dict("records")
        if getattr(self.identity, "role", "") == "organizer":  # the province confirms 省属企业
            records = [r for r in records if _truthy(r.get("provincial"))]
        self.projects = {str(r["project_id"]): r for r in records}
        self.periods = period_rows(
            self.run(self.backend.followup_periods, self.identity, clear=False)
        )
        states = self.run(self.backend.ledger_matrix, self.identity, clear=False)
        stored: dict[tuple[str, str], str] = {}
        if states is not None and len(states):
            long = states if "period" in states.columns else _long(states)
            col = "state" if "state" in long.columns else "status"
            for pid, key, st in zip(long["project_id"], long["period"], long[col], strict=True):
                stored[(str(pid), str(key))] = str(st or "missing")
            if "first_submitted_at" in long.columns:
                firsts = zip(
                    long["project_id"], long["period"], long["first_submitted_at"], strict=True
                )
                first = {(str(p), str(k)): f for p, k, f in firsts if isinstance(f, str) and f}
            else:
                first = {}
        else:
            first = {}
        today = self.today()
        rows = []
        for pid, p in self.projects.items():
            states_of = {
                per["key"]: display_state(
                    stored.get((pid, per["key"]), "missing"), per["due"], per["lock"], today
                )
                for per in self.periods
            }
            rows.append(
                {
                    "project_id": pid,
                    "name": str(p.get("name", "")),
                    "city": str(p.get("city", "")),
                    "kind": str(p.get("kind", "")),
                    "states": states_of,
                    # reported after the due date (the first submission counts, as timeliness)
                    "late": {
                        per["key"]: submitted_late(first.get((pid, per["key"])), per["due"])
                        for per in self.periods
                    },
                }
            )
        self.period_keys = [p["key"] for p in self.periods]
        self.rows = rows
        self.reminders = self.reminder_text()

    def state_of(self, project_id: str, key: str) -> str:
        for r in self.rows:
            if r["project_id"] == project_id:
                return r["states"].get(key, "none")
        return "none"

    def to_confirm(self) -> list[tuple[str, str]]:
        """``(project_id, period)`` of the submissions awaiting confirmation."""
        return [
            (r["project_id"], k)
            for r in self.rows
            for k, s in r["states"].items()
            if s == "submitted"
        ]

    # -- a submission ------------------------------------------------------------------------
    def open(self, project_id: str, key: str) -> bool:
        """Open ``project_id`` × ``key`` with its previous period (the last one it reported)."""
        from scoring.followup.periods import previous_key

        st = self.run(self.backend.ledger, self.identity, project_id, key)
        if st is None:
            return False
        self.project = self.run(self.backend.followed_project, self.identity, project_id) or {}
        self.current = st
        self.previous, self.previous_key = None, None
        prev = previous_key(key)
        if prev is not None and prev in self.period_keys:
            got = self.run(self.backend.ledger, self.identity, project_id, prev, clear=False)
            if got is not None and got.status in ("submitted", "confirmed", "returned"):
                self.previous, self.previous_key = got, prev
        self.project_id, self.period_key = str(project_id), str(key)
        self.detail += 1
        return True

    def _done(self, what: str, st: Any) -> None:
        from scoring.followup.periods import period_label

        self.current = st
        name = self.projects.get(self.project_id, {}).get("name", self.project_id)
        self.notice = self.tr(what, project=name, period=period_label(self.period_key, self.lang))
        self.reload()
        self.detail += 1

    def confirm(self) -> bool:
        st = self.run(self.backend.confirm_ledger, self.identity, self.project_id, self.period_key)
        if st is None:
            return False
        self._done("conf.confirmed", st)
        return True

    def return_ledger(self, reason: str) -> bool:
        """Return the submission to its unit; the reason is required."""
        return self._with_reason(self.backend.return_ledger, reason, "conf.returned")

    def reopen(self, reason: str) -> bool:
        """Reopen a confirmed ledger (the unit may change it again); the reason is required."""
        return self._with_reason(self.backend.reopen_ledger, reason, "conf.reopened")

    def _with_reason(self, action: Any, reason: str, done_key: str) -> bool:
        """Run a store action that needs a reason (``action(identity, project, period, reason)``)."""
        if not (reason or "").strip():
            self.fail("fu.reason_needed")
            return False
        st = self.run(action, self.identity, self.project_id, self.period_key, reason.strip())
        if st is None:
            return False
        self._done(done_key, st)
        return True

    # -- reminders ---------------------------------------------------------------------------
    def reminder_text(self) -> str:
        """What is due or late, one line per project and period, ready to copy into a message.

        The store's reminder list (with its message text) when it gives one, else the page's
        states (late, missing, or due within 7 days and not submitted)."""
        from scoring.followup.periods import period_label

        df = self.run(self.backend.followup_reminders, self.identity, clear=False)
        if df is not None and len(df) and "message" in df.columns:
            return "\n".join(str(m) for m in df["message"] if str(m).strip())
        today = self.today()
        due = {p["key"]: p["due"] for p in self.periods}
        lines = []
        for r in self.rows:
            for k, s in r["states"].items():
                soon = due.get(k) is not None and 0 <= (due[k] - today).days <= 7
                if s in ("late", "missing", "returned") or (s in ("none", "draft") and soon):
                    lines.append(
                        self.tr(
                            "conf.reminder_line",
                            project=r["name"],
                            period=period_label(k, self.lang),
                            state=self.tr("fu.state." + s),
                            due=due.get(k),
                        )
                    )
        return "\n".join(lines)


def _truthy(x: Any) -> bool:
    if isinstance(x, str):
        return x.strip().lower() in ("1", "true", "yes", "是")
    return bool(x) and x == x


def _long(matrix: Any) -> Any:
    """A wide project × period matrix as long ``project_id, period, state``."""
    wide = matrix.copy()
    if "project_id" not in wide.columns:
        wide = wide.rename_axis("project_id").reset_index()
    keys = [c for c in wide.columns if c != "project_id" and str(c)[:4].isdigit()]
    return wide.melt(id_vars=["project_id"], value_vars=keys, var_name="period", value_name="state")
