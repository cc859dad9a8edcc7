"""Corrections of a confirmed sheet on the expert page: the expert asks the chair with a reason
and the new values; the page lists his requests for the candidate and the chair's decisions.

:class:`CorrectionsMixin` is the model side (mixed into :class:`~.model.ExpertModel`, no
widgets); :class:`~.correction_form.CorrectionForm` shows it.
"""

from __future__ import annotations

import traitlets as tl

#: Seconds between re-reads of the expert's requests while one is pending.
POLL_PENDING_S = 5.0


class CorrectionsMixin(tl.HasTraits):
    """The expert's correction requests (a part of the expert page's model)."""

    #: The expert's requests in the panel: dicts ``id, project_id, kind, reason, status,
    #: created_at, decided_at, note, scores``, oldest first.
    requests = tl.List()

    _requests_read_at = 0.0

    def refresh_requests(self) -> None:
        """Re-read the expert's requests in the panel (and so the chair's decisions)."""
        import time

        if not getattr(self, "logged_in", False) or not self.panel_id:
            return
        df = self.run(self.backend.my_requests, self.identity, self.panel_id, clear=False)
        self._requests_read_at = time.monotonic()
        if df is None:
            return
        from ..remote.wire import records

        recs = records(df)
        if recs != self.requests:
            self.requests = recs

    def requests_for(self, project_id: str) -> list[dict]:
        """The expert's requests about ``project_id``, newest first."""
        return [r for r in reversed(self.requests) if str(r["project_id"]) == str(project_id)]

    def has_pending(self, project_id: str | None = None) -> bool:
        """Whether a request (about ``project_id``, or any) waits for the chair."""
        return any(
            r["status"] == "pending" and (project_id is None or r["project_id"] == project_id)
            for r in self.requests
        )

    def poll_requests(self) -> None:
        """From the page's tick: re-read while a request is pending (the outcome shows up)."""
        import time

        if self.has_pending() and time.monotonic() - self._requests_read_at >= POLL_PENDING_S:
            before = {r["id"]: r["status"] for r in self.requests}
            self.refresh_requests()
            decided = [r for r in self.requests if before.get(r["id"]) == "pending" != r["status"]]
            if decided and any(r["project_id"] == self.current for r in decided):
                self.select(self.current)  # an approved correction changed the sheet

    def request_correction(self, values: dict[str, str], reason: str) -> bool:
        """Ask the chair to change the current (confirmed) sheet to ``values`` (typed text per
        criterion) for ``reason``. Every criterion is required; the store checks the rest."""
        if self.sheet_status != "confirmed":
            self.fail("correction.not_confirmed")
            return False
        if not (reason or "").strip():
            self.fail("correction.needs_reason")
            return False
        scores: dict[str, float] = {}
        names = self.criterion_names()
        for key in names:
            value = self.run(self.parse_score, key, values.get(key, ""))
            if self.error:
                return False
            if value is None:
                self.fail("correction.missing", name=names[key])
                return False
            scores[key] = value
        if scores == {k: float(v) for k, v in self.scores.items()}:
            self.fail("correction.unchanged")
            return False
        rid = self.run(
            self.backend.request_correction,
            self.identity,
            self.panel_id,
            self.current,
            scores,
            reason.strip(),
            self.version,
        )
        if rid is None:
            return False
        self.notice = self.tr("correction.sent", id=rid)
        self.refresh_requests()
        return True
