"""Login cards 登录卡: a printed QR code that signs an elderly resident in, and the log of its use."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.models import User
from app.models.base import UTCDateTime, str_enum


class LoginCard(db.Model):
    """A personal login card 登录卡.

    Only the SHA-256 of its token is kept: the token itself exists on paper alone, so a copy of
    the database cannot sign anyone in.
    """

    __tablename__ = "login_card"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    care_mode: Mapped[bool] = mapped_column(Boolean, default=True)  # switch 关怀模式 on at sign-in
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def is_revoked(self) -> bool:
        """A revoked card (作废) never signs anyone in again."""
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<LoginCard {self.id} user={self.user_id}{' revoked' if self.is_revoked else ''}>"


class SignInOutcome(enum.StrEnum):
    """What came of one use of a card."""

    OK = "ok"
    REVOKED = "revoked"  # the card was revoked or replaced by a reissue
    INACTIVE = "inactive"  # the person's account is deactivated
    UNKNOWN = "unknown"  # no card has this token (mistyped, forged or a card from another server)


class LoginCardSignIn(db.Model):
    """One attempt to sign in through a card, kept so the issuer sees who used it and when."""

    __tablename__ = "login_card_sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("login_card.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    outcome: Mapped[SignInOutcome] = mapped_column(
        str_enum(SignInOutcome, 10)
    )
    # The sign-in (session) a good use opened, which cancelling the card ends; None for a refused use,
    # and for a use from before sign-ins were recorded.
    sign_in_id: Mapped[int | None] = mapped_column(ForeignKey("sign_in.id", ondelete="SET NULL"), index=True)

    card: Mapped[LoginCard | None] = relationship()
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<LoginCardSignIn card={self.card_id} {self.outcome}>"
