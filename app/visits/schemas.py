"""The visits feature's command payloads (a visit is also a sync mutation's), validated by pydantic."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

from app.models import ContactPreference
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


class HouseholdFields(BaseModel):
    """What the ledger keeps about a household that staff may change: on its page, or with an imported sheet."""

    members: str = Field(default="", max_length=500)
    member_count: int = Field(default=1, ge=0, le=30)
    contact_phone: str = Field(default="", max_length=20)
    empty_nest: bool = False
    lives_alone: bool = False
    limited_mobility: bool = False
    no_smartphone: bool = False
    preferred_contact: ContactPreference = ContactPreference.PUSH


class HouseholdIn(HouseholdFields):
    """Payload of `household.edit`: a household's ledger entry."""

    household_id: int
    notes: str = Field(default="", max_length=2000)

    @field_validator("member_count", mode="before")
    @classmethod
    def _unknown_is_none(cls, value):
        """An empty count is stored as 0."""
        return 0 if value is None else value


class NeedRef(BaseModel):
    """Payload of `visit.need_done` and `visit.need_report`."""

    need_id: int


class FollowUpDoneIn(BaseModel):
    """Payload of `visit.follow_up_done`."""

    visit_id: int
