"""Door-to-door visits 走访 / 入户 and the needs found on them."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Household, User
from app.models.base import SyncedMixin, TimestampMixin, UTCDateTime, str_enum


class VisitKind(enum.StrEnum):
    """Why the visit was made."""

    ROUTINE = "routine"  # 例行走访
    ELDERLY_CARE = "elderly_care"  # 关爱老人
    NOTICE_DELIVERY = "notice_delivery"  # 送达通知
    VOTE_COLLECTION = "vote_collection"  # 收集投票
    SURVEY = "survey"  # 调查


class NeedStatus(enum.StrEnum):
    """Where a need found on a visit stands (未诉先办: tracked to the end)."""

    OPEN = "open"
    TO_REPORT = "to_report"  # to become a problem report
    REFERRED = "referred"
    DONE = "done"


class Visit(SyncedMixin, db.Model):
    """One visit to one household by a building head or staff member."""

    __tablename__ = "visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # the device's mutation id
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[VisitKind] = mapped_column(str_enum(VisitKind))
    notes: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    follow_up_done: Mapped[bool] = mapped_column(Boolean, default=False)

    household: Mapped[Household] = relationship()
    visitor: Mapped[User] = relationship()
    needs: Mapped[list[VisitNeed]] = relationship(back_populates="visit", cascade="all, delete-orphan",
                                                  order_by="VisitNeed.id", lazy="selectin")

    def __repr__(self) -> str:
        return f"<Visit {self.uuid} household={self.household_id}>"


class VisitNeed(TimestampMixin, db.Model):
    """A need found on a visit (e.g. loneliness → referral to a companionship service)."""

    __tablename__ = "visit_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    status: Mapped[NeedStatus] = mapped_column(str_enum(NeedStatus), default=NeedStatus.OPEN)
    referral: Mapped[str] = mapped_column(String(200), default="")

    visit: Mapped[Visit] = relationship(back_populates="needs")

    def __repr__(self) -> str:
        return f"<VisitNeed {self.id} {self.status}>"
