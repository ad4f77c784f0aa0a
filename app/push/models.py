"""Push subscriptions (one per device), the messages pushed and the outbox of deliveries (推送).

The inbox, muted kinds and send-once markers are the notifications core's (app/notifications/models.py).
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.models import User
from app.models.base import UTCDateTime, str_enum


class PushSubscription(db.Model):
    """A browser's Web Push subscription (RFC 8030): where to POST, and the keys to encrypt for."""

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(40))
    device_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def info(self) -> dict:
        """The subscription as pywebpush wants it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

    def __repr__(self) -> str:
        return f"<PushSubscription {self.id} user={self.user_id}>"


class PushMessage(db.Model):
    """What is pushed (title, short body, where it opens); shared by all deliveries of one notice or event."""

    __tablename__ = "push_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str] = mapped_column(String(300), default="/")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def payload(self) -> dict:
        """The JSON the service worker receives."""
        return {"title": self.title, "body": self.body, "url": self.url, "urgent": self.urgent,
                "tag": f"{self.kind}-{self.notice_id or self.id}"}

    def __repr__(self) -> str:
        return f"<PushMessage {self.id} {self.kind}>"


class DeliveryStatus(enum.StrEnum):
    """An outbox row's state: waiting, sent, given up, or the device is gone."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    GONE = "gone"


class Delivery(db.Model):
    """One message to one device: the outbox row the push worker claims and sends."""

    __tablename__ = "push_delivery"
    # The worker's claim walks only the rows still to send, in order: without this partial index a
    # claim sorted every pending row (SQLite, through the status index) or stepped over every row
    # ever sent (PostgreSQL, through next_attempt_at). A query uses it by spelling the condition the
    # same way (app.push.worker.DUE).
    __table_args__ = (
        Index("ix_push_delivery_due", "next_attempt_at", "id",
              sqlite_where=text("status IN ('pending', 'sending')"),
              postgresql_where=text("status IN ('pending', 'sending')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("push_message.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("push_subscription.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(20), default="webpush")
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, 10),
        default=DeliveryStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str] = mapped_column(String(60), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    message: Mapped[PushMessage] = relationship()
    subscription: Mapped[PushSubscription | None] = relationship()

    def __repr__(self) -> str:
        return f"<Delivery {self.id} {self.status}>"
