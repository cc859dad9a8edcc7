"""Requests to the chair on the board: score corrections asked by experts and late conflicts
(recusal of a confirmed sheet), each approved or rejected with a reason; a closed panel with
requests waiting is reopened first, with a recorded reason (model side, no widgets)."""

from __future__ import annotations

import time

import traitlets as tl

#: Seconds between re-reads of the panel's requests (the board polls every second).
POLL_S = 3.0


class RequestsMixin(tl.HasTraits):
    """The panel's requests to its chair (a part of the board's model)."""

    #: The panel's requests, oldest first: dicts ``id, kind, expert_id, expert_name,
    #: project_id, reason, status, created_at, decided_by, decided_at, note``.
    requests = tl.List()
    _requests_read_at = 0.0

    def refresh_requests(self, force: bool = False) -> None:
        """Re-read the panel's requests (every :data:`POLL_S` seconds unless ``force``)."""
        if not getattr(self, "logged_in", False) or not self.panel_id:
            return
        if not force and time.monotonic() - self._requests_read_at < POLL_S:
            return
        self._requests_read_at = time.monotonic()
        df = self.run(self.backend.corrections, self.identity, self.panel_id, clear=False)
        if df is None:
            return
        keep = [c for c in df.columns if c != "scores"]  # values stay hidden while open anyway
        recs = df[keep].astype(object).where(df[keep].notna(), None).to_dict("records")
        if recs != self.requests:
            self.requests = recs

    def pending_requests(self) -> list[dict]:
        """The requests waiting for the chair."""
        return [r for r in self.requests if r["status"] == "pending"]

    def decide(self, request_id: int, approve: bool, note: str = "") -> bool:
        """Approve or reject request ``request_id`` (a rejection needs a reason)."""
        if not approve and not (note or "").strip():
            self.fail("requests.needs_reason")
            return False
        res = self.run(
            self.backend.decide_request,
            self.identity,
            int(request_id),
            approve=approve,
            note=(note or "").strip(),
        )
        if res is None and self.error:
            return False
        if approve and res is not None and getattr(res, "status", "") == "stale":
            self.notice = self.tr("requests.stale", id=request_id)
        else:
            key = "requests.approved" if approve else "requests.rejected"
            self.notice = self.tr(key, id=request_id)
        self.refresh_requests(force=True)
        self.refresh(force=True)
        return True

    def reopen(self, reason: str) -> bool:
        """Reopen the closed panel (to decide requests) with a recorded reason."""
        if not (reason or "").strip():
            self.fail("requests.reopen_reason")
            return False
        done = self.run(self.backend.reopen_panel, self.identity, self.panel_id, reason.strip())
        if done is None and self.error:
            return False
        self.results = None
        self.notice = self.tr("requests.reopened")
        self.refresh(force=True)
        self.refresh_requests(force=True)
        return True
