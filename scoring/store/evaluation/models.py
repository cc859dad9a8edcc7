"""The yearly evaluation's tables (schema 12), on the review store's declarative ``Base``.

An evaluation panel is an ordinary panel (``purpose = evaluation``: members, frozen
configuration, sheets, corrections, audit); :class:`EvaluationPanel` adds which year of the
follow-up it evaluates and which kind of project. :class:`RecommendOverride` lets an exited
project be recommended again in a later round, with the organizer's reason;
:class:`EvaluationCase` marks the replicable cases the panel names.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models import TS, Base


class EvaluationPanel(Base):
    """The evaluated year and project kind of an evaluation panel."""

    __tablename__ = "evaluation_panels"
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), primary_key=True)
    #: The follow-up year whose ledgers are the evidence (the catalogue year evaluated).
    year: Mapped[int] = mapped_column(Integer)
    #: ``enterprise`` or ``region``: the criteria set differs by kind.
    kind: Mapped[str] = mapped_column(String(20))


class RecommendOverride(Base):
    """The organizer's permission to recommend an exited project again in round ``year``."""

    __tablename__ = "recommend_overrides"
    __table_args__ = (UniqueConstraint("year", "project_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    project_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[str] = mapped_column(TS)


class EvaluationCase(Base):
    """A project the evaluation panel marks as a replicable case (可复制推广的典型案例), with the
    chair's note; the province's yearly report lists them."""

    __tablename__ = "evaluation_cases"
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    note: Mapped[str] = mapped_column(Text)
    marked_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[str] = mapped_column(TS)


#: The evaluation tables, in creation order.
TABLES = ("evaluation_panels", "recommend_overrides", "evaluation_cases")
