"""The accounts log 账户记录: every change of a person's roles, scope or account, who made it and when."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.models import Role, User
from app.models.accounts import ScopeMixin
from app.models.base import UTCDateTime, str_enum


class AccountChange(enum.StrEnum):
    """What was done to a person's account."""

    CREATED = "created"  # a new account, with its first role
    GRANTED = "granted"  # a role over a scope given
    REVOKED = "revoked"  # a role over a scope taken away
    DEACTIVATED = "deactivated"  # switched off: can no longer sign in, signed out everywhere
    REACTIVATED = "reactivated"
    MOVED_OUT = "moved_out"  # 搬离: left a household (its resident and head roles removed)


class AccountEvent(ScopeMixin, db.Model):
    """One entry of a person's accounts log, with the scope it concerned (kept when the role is gone)."""

    __tablename__ = "account_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    change: Mapped[AccountChange] = mapped_column(str_enum(AccountChange, 12))
    role: Mapped[Role | None] = mapped_column(str_enum(Role))
    note: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    def __repr__(self) -> str:
        return f"<AccountEvent {self.user_id} {self.change} {self.role or ''}>"
