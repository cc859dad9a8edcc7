"""What the follow-up services share: audited refusals, lookups, today, content hashes."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..db import write_connection
from ..errors import NotFound, StoreError
from ..unit_of_work import StoreService, Transaction
from . import rights
from .models import FollowedProject, FollowupPeriod


class LedgerInvalid(StoreError):
    """A ledger with errors cannot be submitted; ``findings`` lists every error
    (:class:`scoring.followup.findings.Finding`, naming its field)."""

    def __init__(self, message: str, findings: list[Any]) -> None:
        super().__init__(message)
        self.findings = list(findings)


def content_hash(content: Any) -> str:
    """sha256 of the canonical JSON of a ledger content (sorted keys, UTF-8)."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def today() -> date:
    """The store's today (``SCORING_TODAY`` overrides it)."""
    from ...followup.clock import today as clock_today

    return clock_today()


def local_day(ts: Any) -> date | None:
    """The local date of a stored UTC timestamp (None stays None)."""
    if ts is None:
        return None
    from ...followup.clock import local_date

    return local_date(ts)


def day(text: Any) -> date | None:
    """A stored ``YYYY-MM-DD`` (or a date) as a date."""
    if text is None or text == "":
        return None
    if isinstance(text, date):
        return text
    return date.fromisoformat(str(text)[:10])


class FollowupService(StoreService):
    """Base of the follow-up services: every public call runs inside :meth:`refusing`."""

    @contextlib.contextmanager
    def refusing(self, actor: Any, action: str, target: str) -> Iterator[None]:
        """Run a call; a refusal (:class:`StoreError`) is audited as ``followup.denied`` in its
        own transaction (the refused call changed nothing) and raised again."""
        try:
            yield
        except StoreError as exc:
            self._audit_denied(actor, action, target, exc)
            raise

    def _audit_denied(self, actor: Any, action: str, target: str, exc: StoreError) -> None:
        details = {"action": action, "error": type(exc).__name__, "message": str(exc)}
        findings = getattr(exc, "findings", None)
        if findings:
            details["fields"] = [f.field for f in findings]
        try:
            with write_connection(self.store.engine) as conn:
                Transaction(conn, rights.label(actor)).audit("followup.denied", target, details)
        except Exception:  # never hide the refusal behind a failed audit record
            pass


def project_row(conn: Connection, project_id: str, *, lock: bool = False) -> Any:
    """The followed project's row (or None)."""
    q = sa.select(FollowedProject).where(FollowedProject.project_id == str(project_id))
    if lock and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    return conn.execute(q).first()


def period_row(conn: Connection, key: str) -> Any:
    """The period's row; refuse an unknown period."""
    cols = ("key", "year", "quarter", "start", "end", "due", "lock")
    row = conn.execute(
        sa.select(*(getattr(FollowupPeriod, c).label(c) for c in cols)).where(
            FollowupPeriod.key == str(key)
        )
    ).first()
    if row is None:
        raise NotFound(f"无此报告期 / no period {key}")
    return row


def period_of(row: Any) -> Any:
    """A stored period as :class:`scoring.followup.periods.Period`."""
    from ...followup.periods import Period

    return Period(
        row.key, row.year, row.quarter, day(row.start), day(row.end), day(row.due), day(row.lock)
    )


def stamp() -> str:
    """The UTC timestamp of a follow-up event: now, or — when ``SCORING_TODAY`` fixes the
    store's day (demo, tests) — that day at the current local time, so that timeliness counts
    the day the store believes it is. (The audit record keeps its own real time.)"""
    import os
    from datetime import UTC, datetime

    from ...followup.clock import LOCAL_TZ, TODAY_ENV

    if not os.environ.get(TODAY_ENV, "").strip():
        return datetime.now(UTC).isoformat(timespec="microseconds")
    local = datetime.now(LOCAL_TZ)
    fixed = datetime.combine(today(), local.timetz())
    return fixed.astimezone(UTC).isoformat(timespec="microseconds")
