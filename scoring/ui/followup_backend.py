"""The follow-up stage (阶段跟进) of :class:`scoring.ui.backend.StoreBackend`: a mixin over
``self.wb`` (wb.followed, wb.periods, wb.ledgers, wb.followup_stats, wb.exits)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas loads with the store, in the background, not at page start-up
    import pandas as pd


@dataclass(frozen=True)
class LedgerState:
    """A follow-up ledger as stored: content, workflow status, version, the return reason, the
    history, whether the actor may edit it now, and the store's findings on it."""

    content: dict[str, Any] = field(default_factory=dict)
    status: str = "missing"
    version: int = 0
    reason: str = ""
    history: list[dict[str, Any]] = field(default_factory=list)
    editable: bool = False
    findings: list[Any] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, got: Any) -> LedgerState:
        """From the dict of ``wb.ledgers.ledger`` (unknown keys kept in ``extra``)."""
        d = dict(got or {})
        known = {"content", "status", "version", "reason", "history", "editable", "findings"}
        return cls(
            content=dict(d.get("content") or {}),
            status=str(d.get("status") or "missing"),
            version=int(d.get("version") or 0),
            reason=str(d.get("reason") or ""),
            history=list(d.get("history") or []),
            editable=bool(d.get("editable")),
            findings=list(d.get("findings") or []),
            extra={k: v for k, v in d.items() if k not in known},
        )


class FollowupBackendMixin:
    """The follow-up methods of :class:`~scoring.ui.backend.StoreBackend` (needs ``self.wb``)."""

    wb: Any

    # The services of docs/FOLLOWUP-DESIGN.md §2: wb.followed, wb.periods, wb.ledgers,
    # wb.followup_stats, wb.exits. Every write is followed by a re-read (the page shows what the
    # database now holds).
    def followed_projects(self, actor: Any, *, status: str | None = None) -> pd.DataFrame:
        """The followed projects the actor may see, indexed by ``project_id``."""
        df = self.wb.followed.projects(actor, status=status)
        if "project_id" in df.columns:
            df = df.set_index("project_id", drop=False).rename_axis(None)
        return df

    def followed_project(self, actor: Any, project_id: str) -> dict[str, Any]:
        """One followed project (name, kind, city, indicator_group, plan …)."""
        return dict(self.wb.followed.project(actor, str(project_id)))

    def followup_periods(self, actor: Any, year: int | None = None) -> pd.DataFrame:
        """The periods (key, year, quarter, start, end, due, lock), in order."""
        return self.wb.periods.periods(actor, year)

    def set_period_dates(self, actor: Any, key: str, *, due: Any, lock: Any) -> None:
        self.wb.periods.set_dates(actor, str(key), due=due, lock=lock)

    def grant_exception(
        self, actor: Any, project_id: str, key: str, until: Any, reason: str
    ) -> None:
        self.wb.periods.grant_exception(actor, str(project_id), str(key), until, reason)

    def ledger(self, actor: Any, project_id: str, key: str) -> LedgerState:
        """The ledger of ``project_id`` × ``key`` as stored (:class:`LedgerState`)."""
        from scoring.store.errors import NotFound

        try:
            got = self.wb.ledgers.ledger(actor, str(project_id), str(key))
        except NotFound:
            # no ledger yet: a unit may start one (the store decides when it is saved)
            return LedgerState(editable=getattr(actor, "role", "") == "unit")
        return LedgerState.of(got)

    def save_ledger(
        self, actor: Any, project_id: str, key: str, content: dict, base_version: int
    ) -> LedgerState:
        """Save a draft over ``base_version``; the ledger as now stored."""
        self.wb.ledgers.save_draft(
            actor, str(project_id), str(key), content, base_version=int(base_version)
        )
        return self.ledger(actor, project_id, key)

    def submit_ledger(self, actor: Any, project_id: str, key: str) -> tuple[list, LedgerState]:
        """Submit; ``(warnings, ledger)``. Raises the store's ``LedgerInvalid`` (its
        ``findings`` name every field at fault) when the ledger has errors."""
        warnings = self.wb.ledgers.submit(actor, str(project_id), str(key)) or []
        return list(warnings), self.ledger(actor, project_id, key)

    def confirm_ledger(self, actor: Any, project_id: str, key: str) -> LedgerState:
        self.wb.ledgers.confirm(actor, str(project_id), str(key))
        return self.ledger(actor, project_id, key)

    def return_ledger(self, actor: Any, project_id: str, key: str, reason: str) -> LedgerState:
        """Return a submitted ledger to its unit with a (mandatory) reason."""
        self.wb.ledgers.return_ledger(actor, str(project_id), str(key), reason)
        return self.ledger(actor, project_id, key)

    def reopen_ledger(self, actor: Any, project_id: str, key: str, reason: str) -> LedgerState:
        """Reopen a confirmed ledger with a reason."""
        self.wb.ledgers.reopen(actor, str(project_id), str(key), reason)
        return self.ledger(actor, project_id, key)

    def ledger_versions(self, actor: Any, project_id: str, key: str) -> pd.DataFrame:
        return self.wb.ledgers.versions(actor, str(project_id), str(key))

    def import_ledger(
        self, actor: Any, project_id: str, key: str, filename: str, data: bytes
    ) -> LedgerState:
        """Import a filled 附件4-1/4-2 xlsx as the draft (all or nothing; the store's
        ``InputError`` lists the problems by row and column)."""
        if Path(filename).suffix.lower() != ".xlsx":
            raise ValueError(f"{filename}: 只接受 .xlsx / only .xlsx files")
        with tempfile.TemporaryDirectory(prefix="scoring-ledger-") as tmp:
            path = Path(tmp) / Path(filename).name
            path.write_bytes(data)
            self.wb.ledgers.import_file(actor, str(project_id), str(key), path)
        return self.ledger(actor, project_id, key)

    def export_ledger(self, actor: Any, project_id: str, key: str) -> tuple[str, bytes]:
        """The ledger as a 附件4-1/4-2 xlsx, ``(filename, bytes)`` (what the actor may read)."""
        from scoring.io import ledger_export

        state = self.ledger(actor, project_id, key)
        project = self.followed_project(actor, project_id)
        with tempfile.TemporaryDirectory(prefix="scoring-ledger-") as tmp:
            path = Path(tmp) / f"ledger_{project_id}_{key}.xlsx"
            ledger_export.export_ledger(
                state.content, project.get("kind", "enterprise"), path, project=project, period=key
            )
            return path.name, path.read_bytes()

    def ledger_matrix(self, actor: Any, *, year: int | None = None) -> pd.DataFrame:
        """Ledger states, long: ``project_id, period, state`` (+ what the store adds)."""
        return self.wb.ledgers.matrix(actor, year=year)

    def followup_timeliness(self, actor: Any, *, year: int | None = None) -> pd.DataFrame:
        return self.wb.followup_stats.timeliness(actor, year=year)

    def followup_rates(self, actor: Any, by: list[str], *, year: int | None = None) -> pd.DataFrame:
        return self.wb.followup_stats.rates(actor, list(by), year=year)

    def followup_progress(self, actor: Any, *, year: int | None = None) -> pd.DataFrame:
        return self.wb.followup_stats.progress(actor, year=year)

    def followup_financing(
        self, actor: Any, by: list[str], *, year: int | None = None
    ) -> pd.DataFrame:
        return self.wb.followup_stats.financing(actor, list(by), year=year)

    def followup_reminders(self, actor: Any) -> pd.DataFrame:
        """What is due or late, per city, with a message text."""
        return self.wb.followup_stats.reminders(actor)

    def exit_candidates(self, actor: Any) -> pd.DataFrame:
        return self.wb.exits.candidates(actor)

    def decide_exit(
        self, actor: Any, project_id: str, *, exit: bool, reason: str, grounds: list[str]
    ) -> None:
        self.wb.exits.decide(
            actor, str(project_id), exit=bool(exit), reason=reason, grounds=list(grounds)
        )

    def followup_report(self, actor: Any, *, year: int, fmt: str) -> tuple[str, bytes]:
        """The follow-up summary report (``fmt``: ``xlsx`` or ``pdf``) as ``(filename, bytes)``."""
        from scoring.reports import followup as report

        with tempfile.TemporaryDirectory(prefix="scoring-followup-") as tmp:
            path = Path(tmp) / f"followup_summary_{year}.{fmt}"
            build = report.summary_xlsx if fmt == "xlsx" else report.summary_pdf
            build(self.wb, actor, year, path)
            return path.name, path.read_bytes()
