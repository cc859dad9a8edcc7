"""The follow-up stage's tables (schema 11), on the review store's declarative ``Base``.

Dates (``start``, ``due``, ``lock``, ``until``) are local ISO dates ``YYYY-MM-DD``
(Asia/Shanghai); timestamps are ISO-8601 UTC strings like the rest of the store. Ledger contents
are the JSON of docs/FOLLOWUP-DESIGN.md §1, normalised (:func:`scoring.followup.ledger.normalise`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models import TS, Base

DAY = String(10)


class FollowedProject(Base):
    """A project of the catalogue (or imported, or a national pilot) followed through the year.

    ``plan`` is :func:`scoring.followup.indicators.baseline_targets` of its application;
    ``status`` ``active`` or ``exited`` (nothing is deleted: an exited project keeps its ledgers).
    """

    __tablename__ = "followed_projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(50))
    provincial: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_name: Mapped[str | None] = mapped_column(String(300))
    industry: Mapped[str | None] = mapped_column(String(200))
    indicator_group: Mapped[str] = mapped_column(String(20))
    catalogue_year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))
    candidate_pk: Mapped[int | None] = mapped_column(ForeignKey("candidates.id"))
    lender_bank: Mapped[str | None] = mapped_column(String(300))
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="active")
    exited_at: Mapped[str | None] = mapped_column(TS)
    exit_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(TS)


class FollowupPeriod(Base):
    """A reporting period: ``2026Q1`` … ``2026Q4`` (季度台帐) and ``2026Y`` (年度工作总结)."""

    __tablename__ = "followup_periods"
    key: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[str] = mapped_column("start_date", DAY)
    end: Mapped[str] = mapped_column("end_date", DAY)
    due: Mapped[str] = mapped_column(DAY)
    lock: Mapped[str] = mapped_column("lock_date", DAY)


class PeriodException(Base):
    """The organizer's lock exception: a project may still report a period until ``until``."""

    __tablename__ = "period_exceptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(8))
    until: Mapped[str] = mapped_column(DAY)
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[str] = mapped_column(TS)


class Ledger(Base):
    """The current state of one project's ledger of one period.

    ``status``: ``draft`` → ``submitted`` → ``confirmed``, or ``returned`` (``reason``) →
    editable again → ``submitted``. ``submitted_by`` / ``confirmed_by`` are account ids (the
    command line is -1); ``first_submitted_at`` is kept through returns (timeliness).
    """

    __tablename__ = "ledgers"
    __table_args__ = (UniqueConstraint("project_id", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    first_submitted_at: Mapped[str | None] = mapped_column(TS)
    submitted_at: Mapped[str | None] = mapped_column(TS)
    submitted_by: Mapped[int | None] = mapped_column(Integer)
    confirmed_at: Mapped[str | None] = mapped_column(TS)
    confirmed_by: Mapped[int | None] = mapped_column(Integer)
    returned_at: Mapped[str | None] = mapped_column(TS)
    reason: Mapped[str | None] = mapped_column(Text)
    changes_after_confirm: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[str] = mapped_column(TS)
    updated_by: Mapped[str] = mapped_column(String(100))


class LedgerVersion(Base):
    """Every version of a ledger (append-only): each save, submission, confirmation, return and
    reopening, with the content and its sha256."""

    __tablename__ = "ledger_versions"
    __table_args__ = (UniqueConstraint("ledger_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledgers.id"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(TS)


class FollowupScope(Base):
    """What a ``unit`` account reports for (a project) or a ``city`` account oversees (a city)."""

    __tablename__ = "followup_scopes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    project_id: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(50))


class RiskRecord(Base):
    """The organizer's record of a violation (违法违规), major risk (重大风险隐患) or failed
    evaluation (绩效评估不合格) of a project: an exit ground by itself."""

    __tablename__ = "risk_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[str] = mapped_column(TS)


class ExitDecision(Base):
    """The organizer's decision on an exit candidate: exit (取消资格) or keep, with the reason."""

    __tablename__ = "exit_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64))
    exit: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    grounds: Mapped[list[str]] = mapped_column(JSON)
    decided_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[str] = mapped_column(TS)


#: The follow-up tables, in creation order.
TABLES = (
    "followed_projects",
    "followup_periods",
    "period_exceptions",
    "ledgers",
    "ledger_versions",
    "followup_scopes",
    "risk_records",
    "exit_decisions",
)
