"""The database schema (SQLAlchemy 2 declarative ORM).

Timestamps are ISO-8601 UTC strings (portable between SQLite and PostgreSQL and hashed as such
by the audit trail). Free-form records (every field of an imported row, score sheets) are JSON.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TS = String(40)


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class Meta(Base):
    """Key/value facts about the database itself (``schema_version``)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Round(Base):
    """A yearly review round."""

    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(TS)


class Candidate(Base):
    """An applicant (enterprise or region project) of a round; ``data`` keeps every imported field."""

    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("round_id", "project_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    project_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(50))
    industry: Mapped[str | None] = mapped_column(String(200))
    enterprise_type: Mapped[str | None] = mapped_column(String(50))
    lender_bank: Mapped[str | None] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class Expert(Base):
    """A reviewer: industry expert, department official or bank reviewer."""

    __tablename__ = "experts"
    __table_args__ = (UniqueConstraint("round_id", "expert_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    expert_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    employer: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    bank: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(50))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class Account(Base):
    """A login. The access code is stored only as a salted scrypt hash."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    expert_pk: Mapped[int | None] = mapped_column(ForeignKey("experts.id"))
    code_hash: Mapped[str | None] = mapped_column(String(300))
    code_version: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[str] = mapped_column(TS)


class Panel(Base):
    """A scoring session: a defense (答辩) of candidates or a yearly evaluation (绩效评估) of
    followed projects; date, chair, members, candidates in order, and the criteria set it scores on."""

    __tablename__ = "panels"
    __table_args__ = (UniqueConstraint("round_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    name: Mapped[str] = mapped_column(String(200))
    date: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft / open / closed
    #: ``defense`` or ``evaluation`` (:data:`scoring.engine.criteria.PURPOSES`).
    purpose: Mapped[str] = mapped_column(String(20), default="defense")
    #: Name of the registered criteria set (``data/criteria/<name>.yml``) the panel scores on.
    criteria_set: Mapped[str] = mapped_column(String(60), default="defense")
    chair_pk: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    opened_at: Mapped[str | None] = mapped_column(TS)
    closed_at: Mapped[str | None] = mapped_column(TS)


class PanelMember(Base):
    """An expert who scores in a panel."""

    __tablename__ = "panel_members"
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), primary_key=True)
    expert_pk: Mapped[int] = mapped_column(ForeignKey("experts.id"), primary_key=True)


class PanelCandidate(Base):
    """A candidate heard by a panel; ``position`` is the defense order (1 = first)."""

    __tablename__ = "panel_candidates"
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), primary_key=True)
    candidate_pk: Mapped[int] = mapped_column(ForeignKey("candidates.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class Conflict(Base):
    """A declared conflict of interest (回避); rule-based ones are computed, not stored."""

    __tablename__ = "conflicts"
    __table_args__ = (UniqueConstraint("expert_pk", "candidate_pk"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    expert_pk: Mapped[int] = mapped_column(ForeignKey("experts.id"))
    candidate_pk: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(TS)


class ConflictDeclaration(Base):
    """An expert's declaration of conflicts for a panel (schema 3): ``projects`` lists the
    project ids declared (empty: "no conflict"). One row per expert and panel; declaring again
    adds projects (the audit trail keeps each declaration)."""

    __tablename__ = "conflict_declarations"
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), primary_key=True)
    expert_pk: Mapped[int] = mapped_column(ForeignKey("experts.id"), primary_key=True)
    projects: Mapped[list[str]] = mapped_column(JSON)
    declared_by: Mapped[str] = mapped_column(String(64))
    declared_at: Mapped[str] = mapped_column(TS)


class PanelTimer(Base):
    """The defense timer of a panel (schema 4): which candidate, when it started (epoch
    seconds), the phase it started in and the two phases' lengths; ``stopped_at`` once stopped.
    One row per panel, replaced at every start (the audit trail keeps each start and stop)."""

    __tablename__ = "panel_timers"
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64))
    phase: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[float] = mapped_column(Float)
    presentation_s: Mapped[int] = mapped_column(Integer)
    questions_s: Mapped[int] = mapped_column(Integer)
    started_by: Mapped[str] = mapped_column(String(64))
    stopped_at: Mapped[float | None] = mapped_column(Float)


class BankBasket(Base):
    """A bank reviewer's portfolio basket (schema 5): the project ids chosen, in order (at most
    20, :data:`scoring.programme.portfolio.BANK_LIMIT`). One row per account."""

    __tablename__ = "bank_baskets"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    projects: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[str] = mapped_column(TS)


class LoginAttempt(Base):
    """Recent login attempts of one login or one client address (schema 9), shared by every
    server process: ``key`` is ``login:<LOGIN>``, ``client:<address>`` or ``audit:`` (the
    ``auth.fail`` records of the current minute). ``attempts`` counts the attempts of the window
    that began at ``window_start`` (epoch seconds). A login's failures not yet audited:
    ``unaudited`` of them since ``pending_since``, the last from ``client``, ``locked`` when one
    was refused as locked out."""

    __tablename__ = "login_attempts"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[float] = mapped_column(Float)
    unaudited: Mapped[int] = mapped_column(Integer, default=0)
    pending_since: Mapped[float] = mapped_column(Float, default=0.0)
    client: Mapped[str | None] = mapped_column(String(64), nullable=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)


class PanelConfig(Base):
    """The frozen configuration of a panel (written once; never updated)."""

    __tablename__ = "panel_configs"
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), primary_key=True)
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    frozen_at: Mapped[str] = mapped_column(TS)
    frozen_by: Mapped[str] = mapped_column(String(64))


class Sheet(Base):
    """One expert's score sheet for one candidate in one panel (current state).

    ``comment`` is the expert's written opinion (评语), saved with the drafts (schema 2).

    ``status``: ``empty`` / ``draft`` / ``confirmed`` / ``recused``. Created for every member and
    candidate when the panel opens. ``version`` counts the rows of :class:`SheetVersion`.
    """

    __tablename__ = "sheets"
    __table_args__ = (UniqueConstraint("panel_id", "expert_pk", "candidate_pk"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"))
    expert_pk: Mapped[int] = mapped_column(ForeignKey("experts.id"))
    candidate_pk: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    status: Mapped[str] = mapped_column(String(10), default="empty")
    version: Mapped[int] = mapped_column(Integer, default=0)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(Text, default="")
    updated_at: Mapped[str | None] = mapped_column(TS)


class SheetVersion(Base):
    """Every saved version of a sheet (append-only): draft, confirm or correction."""

    __tablename__ = "sheet_versions"
    __table_args__ = (
        UniqueConstraint("sheet_id", "version"),
        UniqueConstraint("sheet_id", "request_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id"))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text, default="")
    request_id: Mapped[str] = mapped_column(String(80))
    author: Mapped[str] = mapped_column(String(64))
    approved_by: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(TS)


class Correction(Base):
    """A requested change to a confirmed sheet, waiting for the chair's decision.

    ``kind`` (schema 7): ``scores`` (new values in ``scores``) or ``recusal`` (a conflict that
    arose after the confirmation: approved, the sheet becomes ``recused``; ``scores`` is empty).
    """

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id"))
    kind: Mapped[str] = mapped_column(String(12), default="scores")
    base_version: Mapped[int] = mapped_column(Integer)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[str | None] = mapped_column(TS)
    #: The chair's reason for the decision (schema 10), shown to the expert who asked.
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[str] = mapped_column(TS)


class AuditRecord(Base):
    """One hash-chained audit record; ``seq`` runs 1, 2, 3 … without gaps."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(TS)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    #: HMAC-SHA256 of ``hash`` under ``SCORING_AUDIT_KEY`` (schema 8); ``None`` without a key.
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ChainHead(Base):
    """The single row naming the last audit record; writers lock it to append in order."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


# The follow-up stage's tables (schema 11) live in their own module, on the same Base.
# The yearly evaluation's tables (schema 12).
from .evaluation import models as _evaluation_models  # noqa: E402, F401
from .followup import models as _followup_models  # noqa: E402, F401

T = {m.__tablename__: m.__table__ for m in Base.__subclasses__()}
