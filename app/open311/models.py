"""API keys issued to integrators (city platforms) for Open311."""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.models import User
from app.models.base import UTCDateTime


def key_hash(key: str) -> str:
    """Keys are stored hashed; the integrator holds the only copy."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(db.Model):
    """One integrator's key; requests it posts are entered as its staff account."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiKey {self.name}>"
