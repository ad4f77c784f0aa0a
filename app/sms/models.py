"""The SMS and voice-notice outbox 短信 / 语音通知, and the phone numbers that replied 回T退订."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db
from app.models.base import UTCDateTime, str_enum


class SmsKind(enum.StrEnum):
    """Which provider product a delivery goes through."""

    SMS = "sms"
    VOICE = "voice"  # 语音通知: an automated call reading the template aloud


class SmsStatus(enum.StrEnum):
    """An outbox row's state.

    pending → sending (claimed, leased) → sent (the provider took it) → delivered | undelivered (its
    receipt); failed (refused for good: an invalid number, retries used up); skipped (no longer
    needed when it came due: the household was reached by push or read the notice, or opted out).
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    SKIPPED = "skipped"


class SmsDelivery(db.Model):
    """One SMS or voice call to one household's phone about one notice: claimed by the push worker."""

    __tablename__ = "sms_delivery"
    # As ix_push_delivery_due: the claim walks only the rows still to send (app.sms.worker.DUE).
    __table_args__ = (
        Index("ix_sms_delivery_due", "next_attempt_at", "id",
              sqlite_where=text("status IN ('pending', 'sending')"),
              postgresql_where=text("status IN ('pending', 'sending')")),
        # The worker asks, for each row it claimed, about its household's other rows for the same
        # notice (a call waits for its SMS): one index lookup each, not a walk over the notice's 40,000.
        Index("ix_sms_delivery_notice_household", "notice_id", "household_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SmsKind] = mapped_column(str_enum(SmsKind, 10), default=SmsKind.SMS)
    # Named by table only, so this channel imports no feature (the notice is app/notices').
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id", ondelete="SET NULL"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id", ondelete="SET NULL"), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    template: Mapped[str] = mapped_column(String(40))  # the provider's template code, as configured when written
    params: Mapped[str] = mapped_column(Text, default="{}")  # the template's parameters, JSON
    status: Mapped[SmsStatus] = mapped_column(str_enum(SmsStatus, 12), default=SmsStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str] = mapped_column(String(60), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    provider_id: Mapped[str] = mapped_column(String(80), default="", index=True)  # BizId / CallId, for receipts
    price_fen: Mapped[int] = mapped_column(Integer, default=0)  # what it cost (分), once sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<SmsDelivery {self.id} {self.kind} {self.status}>"


class SmsOptOut(db.Model):
    """A phone number that must get no SMS or call: it replied 回T退订, or its owner asked staff."""

    __tablename__ = "sms_opt_out"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[str] = mapped_column(String(20), default="staff")  # "reply", "staff", "self"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SmsOptOut {self.phone}>"


class SmsChoice(db.Model):
    """What staff chose for one notice: SMS, calls, one per member instead of one per household."""

    __tablename__ = "sms_notice_choice"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), primary_key=True)
    sms: Mapped[bool] = mapped_column(Boolean, default=True)
    voice: Mapped[bool] = mapped_column(Boolean, default=False)
    per_member: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return f"<SmsChoice notice={self.notice_id} sms={self.sms} voice={self.voice}>"


class SmsEventChoice(db.Model):
    """A kind of event (a problem's update, a deadline reminder) a person also wants by SMS; off unless chosen."""

    __tablename__ = "sms_event_choice"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)  # "issue.update", "issue.deadline"

    def __repr__(self) -> str:
        return f"<SmsEventChoice {self.user_id} {self.kind}>"
