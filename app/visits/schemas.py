"""What a visit looks like on the wire (sync payload and JSON API), validated by pydantic."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

from app.visits.models import NeedStatus, VisitKind


class NeedIn(BaseModel):
    """A need found on the visit."""

    text: str = Field(min_length=1, max_length=500)
    status: NeedStatus = NeedStatus.OPEN
    referral: str = Field(default="", max_length=200)


class VisitIn(BaseModel):
    """Payload of the `visit.add` mutation."""

    household_id: int
    visited_at: datetime
    kind: VisitKind = VisitKind.ROUTINE
    notes: str = Field(default="", max_length=4000)
    needs: list[NeedIn] = Field(default_factory=list, max_length=20)
    follow_up_on: date | None = None
    attachments: list[str] = Field(default_factory=list, max_length=6)

    @field_validator("visited_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        """Times without a zone are the device's local time in Beijing."""
        from app.clock import LOCAL_TZ

        return value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value
