"""The visits feature's command payloads (a visit is also a sync mutation's), validated by pydantic."""
from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
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


# A household's contact phone, the one rule for the ledger page and the imported sheet:
# - a mainland mobile: 11 digits starting with 1 (13912345678);
# - or a landline: 7 or 8 digits, with the area code (0 and 2 or 3 more digits) in front if the
#   number is outside Beijing or written in full: 62345678, 010-62345678, 01062345678, 0755-1234567.
# Spaces are dropped; one hyphen may part the area code from the number. Nothing else is a phone.
MOBILE = re.compile(r"1\d{10}")
LANDLINE = re.compile(r"(0\d{2,3}-?)?[1-9]\d{6,7}")


def phone_problem(value: str) -> str | None:
    """Why `value` is not a phone number, in plain words; None when it is one (or empty)."""
    if not value:
        return None
    if not re.fullmatch(r"[\d-]+", value):
        return str(_l("Write only digits (a hyphen may follow the area code): \"%(value)s\" has other characters.",
                      value=value[:30]))
    if MOBILE.fullmatch(value) or LANDLINE.fullmatch(value):
        return None
    digits = value.replace("-", "")
    if digits.startswith("1"):
        return str(_l("A mobile number has 11 digits starting with 1; %(value)s has %(n)d.", value=value, n=len(digits)))
    return str(_l("A landline number has 7 or 8 digits, with its area code in front if needed (010-62345678); "
                  "%(value)s is not one.", value=value))


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

    @field_validator("contact_phone", mode="before")
    @classmethod
    def _phone(cls, value):
        """A mobile or landline number (see phone_problem), spaces dropped; empty when unknown."""
        text = re.sub(r"\s+", "", str(value)) if value is not None else ""
        problem = phone_problem(text)
        if problem:
            raise ValueError(problem)
        return text


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
