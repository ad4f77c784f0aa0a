"""What a notice, a receipt and an "informed in person" look like on the wire."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from app.notices.models import InformChannel, Urgency

MAX_BODY = 2000


class NoticeIn(BaseModel):
    """A notice to send: its text, urgency, and where it goes (a street, communities or buildings)."""

    title: str = Field(min_length=1, max_length=60)
    body: str = Field(min_length=1, max_length=MAX_BODY)
    urgency: Urgency = Urgency.NORMAL
    expires_at: datetime | None = None
    street_id: int | None = None
    community_ids: list[int] = Field(default_factory=list, max_length=100)
    building_ids: list[int] = Field(default_factory=list, max_length=2000)
    unread_after_hours: float | None = Field(default=None, ge=0.25, le=168)
    # SMS and calls (app/sms), when the deployment has a provider: "auto" is by urgency (urgent: SMS
    # and calls; normal: SMS); sms_per_member sends one to each member instead of one per household.
    phone_channels: Literal["auto", "none", "sms", "sms_voice"] = "auto"
    sms_per_member: bool = False

    @field_validator("title", "body", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value


class NoticeReadIn(BaseModel):
    """A household member opened the notice."""

    notice_id: int


class NoticeInformedIn(BaseModel):
    """The building head told a household in person (上门告知)."""

    notice_id: int
    household_id: int
    channel: InformChannel = InformChannel.DOOR
    attachments: list[str] = Field(default_factory=list, max_length=0)
