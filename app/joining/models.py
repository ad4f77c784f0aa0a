"""Joining 实名入群: join requests from a building's poster, the codes a poster no longer holds, password resets."""
from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import as_utc, utcnow
from app.extensions import db
from app.models import Building, Household, Room, User
from app.models.base import TimestampMixin, UTCDateTime, str_enum

# A reset code works this long after the head gave it, and survives this many wrong tries.
CODE_VALID_FOR = timedelta(hours=24)
CODE_TRIES = 5
# A reset nobody gave a code for drops off the heads' list after this long (the person can ask again).
RESET_LISTED_FOR = timedelta(days=14)


class JoinStatus(enum.StrEnum):
    """Where a join request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class JoinRequest(TimestampMixin, db.Model):
    """A person asking to join their building (实名入群): who, which room, and the head's decision.

    The password is kept only as its hash, and only until the decision: approval moves it to the
    new account. `password_hash` is None when the person asked for a login card instead.
    At most one request per phone waits at a time (the partial unique index).
    """

    __tablename__ = "join_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"))
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    wants_card: Mapped[bool] = mapped_column(Boolean, default=False)  # 请楼长为我打印登录卡
    status: Mapped[JoinStatus] = mapped_column(str_enum(JoinStatus, 10), default=JoinStatus.PENDING)
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was declined, shown to the person
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))  # the account made
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))

    building: Mapped[Building] = relationship()
    room: Mapped[Room] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    household: Mapped[Household | None] = relationship()

    __table_args__ = (
        Index("uq_join_request_pending_phone", "phone", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    def __repr__(self) -> str:
        return f"<JoinRequest {self.id} {self.status}>"


class RetiredJoinCode(db.Model):
    """A join code a building's poster used to hold: scanning it says the poster was replaced."""

    __tablename__ = "retired_join_code"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id", ondelete="CASCADE"), index=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    def __repr__(self) -> str:
        return f"<RetiredJoinCode {self.building_id}>"


class PasswordReset(db.Model):
    """忘记密码: a person asked to set a new password; a head or staff gives them a one-time code.

    Only a hash of the code is kept. It works within CODE_VALID_FOR of being given, once, and
    CODE_TRIES wrong codes use it up (a new one must be given).
    """

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    code_hash: Mapped[str | None] = mapped_column(String(255))
    code_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    code_given_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    wrong_tries: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    code_given_by: Mapped[User | None] = relationship(foreign_keys=[code_given_by_id])

    def code_works(self, now: datetime) -> bool:
        """A code was given, is not used, not too old and not used up by wrong tries."""
        return (self.code_hash is not None and self.used_at is None and self.wrong_tries < CODE_TRIES
                and as_utc(self.code_given_at) + CODE_VALID_FOR > now)

    def __repr__(self) -> str:
        return f"<PasswordReset {self.id} user={self.user_id}>"
