"""Consultations 议事协商 / 微会议室: a question to a community or chosen buildings, in phases, with comments and a poll."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Building, User
from app.models.base import TimestampMixin, UTCDateTime


class Consultation(TimestampMixin, db.Model):
    """A consultation: phase 1 for party members and building heads, phase 2 for all residents."""

    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text)
    scope_label: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    phase1_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phase1_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phase2_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    phase2_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    poll_question: Mapped[str] = mapped_column(String(200), default="")
    poll_multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str] = mapped_column(Text, default="")
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User] = relationship()
    targets: Mapped[list[ConsultationBuilding]] = relationship(cascade="all, delete-orphan")
    options: Mapped[list[ConsultationOption]] = relationship(order_by="ConsultationOption.id",
                                                            cascade="all, delete-orphan")
    comments: Mapped[list[ConsultationComment]] = relationship(order_by="ConsultationComment.id",
                                                              cascade="all, delete-orphan")

    @property
    def building_ids(self) -> list[int]:
        """The buildings asked."""
        return [t.building_id for t in self.targets]

    def __repr__(self) -> str:
        return f"<Consultation {self.id} {self.title!r}>"


class ConsultationBuilding(db.Model):
    """One building a consultation asks (a community consultation lists all its buildings)."""

    __tablename__ = "consultation_building"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), primary_key=True, index=True)

    building: Mapped[Building] = relationship()

    def __repr__(self) -> str:
        return f"<ConsultationBuilding {self.consultation_id}/{self.building_id}>"


class ConsultationOption(db.Model):
    """One answer of the poll."""

    __tablename__ = "consultation_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(120))

    def __repr__(self) -> str:
        return f"<ConsultationOption {self.id} {self.label!r}>"


class ConsultationAnswer(db.Model):
    """A person's choice in the poll (several rows for a multiple-choice poll)."""

    __tablename__ = "consultation_answer"
    __table_args__ = (UniqueConstraint("option_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("consultation_option.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ConsultationAnswer {self.option_id} by {self.user_id}>"


class ConsultationComment(db.Model):
    """A comment made in a phase; staff may mark it adopted into the plan."""

    __tablename__ = "consultation_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    phase: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    adopted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ConsultationComment {self.id} phase {self.phase}>"
