"""The set-up commands' payloads, checked by pydantic (app/organisation/commands.py)."""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.models import DepartmentKind
from app.problems.models import Category


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class StreetIn(_In):
    """Payload of `organisation.street.save`: a new street (no id) or the street's name and district."""

    street_id: int | None = None
    name: str = Field(min_length=1, max_length=80)
    district: str = Field(default="", max_length=80)


class CommunityIn(_In):
    """Payload of `organisation.community.save`: a community 社区 of a street and its settings."""

    community_id: int | None = None
    street_id: int
    name: str = Field(min_length=1, max_length=80)
    feedback_hours: int = Field(default=12, ge=1, le=720)
    vote_quorum: float | None = Field(default=None, gt=0, le=1)
    vote_threshold: float | None = Field(default=None, gt=0, le=1)


class CategoriesIn(_In):
    """Payload of `organisation.community.categories`: the problem categories the community uses."""

    community_id: int
    categories: list[Category] = Field(min_length=1)


class BuildingIn(_In):
    """Payload of `organisation.building.save`: a building 楼 of a community."""

    building_id: int | None = None
    community_id: int
    name: str = Field(min_length=1, max_length=80)
    address: str = Field(default="", max_length=200)
    property_department_id: int | None = None


def split_units(text: str) -> list[str]:
    """"1门,2门" (commas, 、 or spaces) as the list of units; none written: one nameless unit."""
    units = [u for u in re.split(r"[,，、;；\s]+", text or "") if u]
    return units or [""]


class RoomsGenerateIn(_In):
    """Payload of `organisation.rooms.generate`: units × floors × rooms per floor (101, 102 … 603)."""

    building_id: int
    units: list[str] = Field(default_factory=lambda: [""], max_length=40)
    floors: int = Field(ge=1, le=99)
    per_floor: int = Field(ge=1, le=40)

    @field_validator("units")
    @classmethod
    def _units(cls, value: list[str]) -> list[str]:
        """Each unit's name fits the column; none given is one nameless unit."""
        value = [u.strip() for u in value] or [""]
        if any(len(u) > 20 for u in value):
            raise ValueError("at most 20 characters per unit")
        if len(set(value)) != len(value):
            raise ValueError("a unit is named twice")
        return value


class RoomIn(_In):
    """Payload of `organisation.room.save`: a room added to a building (no room_id) or renumbered."""

    room_id: int | None = None
    building_id: int
    unit: str = Field(default="", max_length=20)
    floor: int | None = Field(default=None, ge=-9, le=200)
    number: str = Field(min_length=1, max_length=20)


class RoomRemoveIn(_In):
    """Payload of `organisation.room.remove`."""

    room_id: int


class DepartmentIn(_In):
    """Payload of `organisation.department.save`: a city department or property company of a street."""

    department_id: int | None = None
    street_id: int
    name: str = Field(min_length=1, max_length=80)
    kind: DepartmentKind
    duty_phone: str = Field(default="", max_length=20)


class ServedBuildingsIn(_In):
    """Payload of `organisation.department.buildings`: the buildings a property company serves."""

    department_id: int
    building_ids: list[int] = Field(default_factory=list, max_length=5000)
