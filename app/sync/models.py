"""The record of every mutation a device sent, so a retry never applies twice."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db
from app.models.base import UTCDateTime


class SyncMutation(db.Model):
    """One offline write, keyed by the client's UUID, with the result the device was given."""

    __tablename__ = "sync_mutation"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64), default="")
    type: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(10))  # applied | rejected | conflict
    result: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SyncMutation {self.id} {self.type} {self.status}>"
