"""Notices 通知 to a street, community or chosen buildings, and each household's receipt."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Building, Household, User
from app.models.base import SyncedMixin, UTCDateTime, str_enum


class Urgency(enum.StrEnum):
    """Normal notices wait 12 hours before a door is knocked; urgent ones half an hour."""

    NORMAL = "normal"
    URGENT = "urgent"


URGENCY_LABELS = {Urgency.NORMAL: _l("Normal"), Urgency.URGENT: _l("Urgent")}
DEFAULT_UNREAD_HOURS = {Urgency.NORMAL: 12.0, Urgency.URGENT: 0.5}


class Notice(SyncedMixin, db.Model):
    """A notice 通知 sent by staff; delivered by push, the inbox, the door and the blackboard."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, 10), default=Urgency.NORMAL)
    scope_label: Mapped[str] = mapped_column(String(200), default="")  # "芳群园三区", "方庄地区", "6号楼, 7号楼"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unread_after_hours: Mapped[float] = mapped_column(Float, default=12.0)
    image_upload_id: Mapped[int | None] = mapped_column(Integer)  # reserved for an attached picture

    sender: Mapped[User] = relationship()
    targets: Mapped[list[NoticeTarget]] = relationship(back_populates="notice", cascade="all, delete-orphan")

    @property
    def is_urgent(self) -> bool:
        """True for urgent notices (they require interaction on the phone)."""
        return self.urgency == Urgency.URGENT

    @property
    def building_ids(self) -> list[int]:
        """The buildings the notice reaches."""
        return [t.building_id for t in self.targets]

    def __repr__(self) -> str:
        return f"<Notice {self.id} {self.title!r}>"


class NoticeTarget(db.Model):
    """One building a notice reaches (a street or community notice lists all its buildings)."""

    __tablename__ = "notice_target"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), primary_key=True, index=True)

    notice: Mapped[Notice] = relationship(back_populates="targets")
    building: Mapped[Building] = relationship()

    def __repr__(self) -> str:
        return f"<NoticeTarget {self.notice_id}/{self.building_id}>"


class InformChannel(enum.StrEnum):
    """How a household was told in person."""

    DOOR = "door"
    PHONE = "phone"


class NoticeReceipt(SyncedMixin, db.Model):
    """A household's receipt for a notice: read in the app, and/or informed in person 上门告知."""

    __tablename__ = "notice_receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    informed_in_person_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    informed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    channel: Mapped[InformChannel | None] = mapped_column(str_enum(InformChannel, 10))
    note: Mapped[str] = mapped_column(String(200), default="")

    household: Mapped[Household] = relationship()
    informed_by: Mapped[User | None] = relationship(foreign_keys=[informed_by_id])

    __table_args__ = (UniqueConstraint("notice_id", "household_id"),)

    def __repr__(self) -> str:
        return f"<NoticeReceipt {self.notice_id}/{self.household_id}>"
