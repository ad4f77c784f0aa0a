"""Photos and voice notes (附件) attached to visits, problems and notices."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db
from app.models.base import UTCDateTime


class Attachment(db.Model):
    """One uploaded file, verified and stored under instance/uploads; linked to what it belongs to."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # made by the device, so retries are idempotent
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # image | voice
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200), default="")
    subject_type: Mapped[str | None] = mapped_column(String(30), index=True)
    subject_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def extension(self) -> str:
        """File extension of the stored original."""
        return {
            "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
            "audio/webm": "webm", "audio/ogg": "ogg", "audio/mp4": "m4a",
        }.get(self.content_type, "bin")

    def __repr__(self) -> str:
        return f"<Attachment {self.uuid} {self.kind}>"
