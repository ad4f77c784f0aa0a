"""The organisation: street 街道 → community 社区 → building 楼 → room 房间 / household 户, and departments."""
from __future__ import annotations

import enum
import re
import secrets

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import SyncedMixin, TimestampMixin, str_enum


class Street(TimestampMixin, db.Model):
    """A street office 街道 (e.g. 方庄地区)."""

    __tablename__ = "street"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    district: Mapped[str] = mapped_column(String(80), default="")

    communities: Mapped[list[Community]] = relationship(back_populates="street", order_by="Community.name")

    def __repr__(self) -> str:
        return f"<Street {self.name}>"


class Community(TimestampMixin, db.Model):
    """A community 社区 under a street; it sets the feedback deadline for its problems."""

    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    feedback_hours: Mapped[int] = mapped_column(Integer, default=12)
    # Defaults for its buildings' convention votes (楼门公约); None: the app's (0.5 and 0.5).
    vote_quorum: Mapped[float | None] = mapped_column(Float)
    vote_threshold: Mapped[float | None] = mapped_column(Float)
    # The problem categories (app/problems Category values, space-separated) this community does not
    # use; empty: all of them, including any added later. The report form and Open311 follow it.
    disabled_categories: Mapped[str] = mapped_column(Text, default="", server_default="")

    street: Mapped[Street] = relationship(back_populates="communities")
    buildings: Mapped[list[Building]] = relationship(back_populates="community", order_by="Building.name")

    __table_args__ = (UniqueConstraint("street_id", "name"),)

    def offers(self, category: str) -> bool:
        """True when residents of this community may report problems of `category` (a Category value)."""
        return category not in (self.disabled_categories or "").split()

    def __repr__(self) -> str:
        return f"<Community {self.name}>"


def new_join_code() -> str:
    """A short unguessable code printed on the building's join QR poster."""
    return secrets.token_urlsafe(9)


class Building(TimestampMixin, db.Model):
    """A residential building 楼 (楼门), the unit residents belong to."""

    __tablename__ = "building"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    name: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(200), default="")
    join_code: Mapped[str] = mapped_column(String(32), unique=True, default=new_join_code)
    group_rules: Mapped[str] = mapped_column(Text, default="")
    property_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    # Raised by the database (triggers, migrations/versions/0028) whenever one of the building's problems is written,
    # one of its households updated, or it is renamed or moved: the staff desk keeps what it read under the sum over
    # the buildings it reaches (app/problems/desk.py). Never written by the app.
    problems_version: Mapped[int] = mapped_column(default=0, server_default="0")

    community: Mapped[Community] = relationship(back_populates="buildings")
    households: Mapped[list[Household]] = relationship(
        back_populates="building", order_by="(Household.unit, Household.room)"
    )
    rooms: Mapped[list[Room]] = relationship(back_populates="building", order_by="(Room.unit, Room.floor, Room.number)")
    property_department: Mapped[Department | None] = relationship()

    __table_args__ = (
        UniqueConstraint("community_id", "name"),
        # A street's or a community's buildings read from the index alone: with the id in it, PostgreSQL
        # need not read the table (at a district's 2,230 buildings it did, for every queue page;
        # migrations/versions/0027). SQLite's indexes hold the id anyway.
        Index("ix_building_community_id_id", "community_id", "id"),
    )

    @property
    def full_name(self) -> str:
        """Community and building, as people say it: 芳群园一区 6号楼."""
        return f"{self.community.name} {self.name}"

    def __repr__(self) -> str:
        return f"<Building {self.name}>"


class Room(db.Model):
    """A flat as the building has it (单元, 楼层, 房号), whether or not anyone is on record there.

    The ledger's household for a room is the Household with the same building, unit and room number
    (`Household.room`): the ledger was imported before rooms existed, so the pair is matched by those
    three values, not by a key. A person joining picks a room; approval finds or creates its household.
    """

    __tablename__ = "room"

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    unit: Mapped[str] = mapped_column(String(20), default="")  # 单元 / 门
    floor: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))  # 房号, e.g. 2103

    building: Mapped[Building] = relationship(back_populates="rooms")

    __table_args__ = (UniqueConstraint("building_id", "unit", "number"),)

    @property
    def label(self) -> str:
        """The room as people say it: 2门 2103."""
        return f"{self.unit} {self.number}".strip()

    def __repr__(self) -> str:
        return f"<Room {self.building_id}/{self.unit}/{self.number}>"


class ContactPreference(enum.StrEnum):
    """How a household prefers to be reached."""

    PUSH = "push"
    PHONE = "phone"
    DOOR = "door"


class Household(SyncedMixin, db.Model):
    """A household 户: one flat, the unit that votes and receives notices."""

    __tablename__ = "household"

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    unit: Mapped[str] = mapped_column(String(20), default="")  # 单元 / 门
    floor: Mapped[int | None] = mapped_column(Integer)
    room: Mapped[str] = mapped_column(String(20))
    members: Mapped[str] = mapped_column(Text, default="")  # names as the ledger keeps them
    member_count: Mapped[int] = mapped_column(Integer, default=1)
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    empty_nest: Mapped[bool] = mapped_column(Boolean, default=False)  # 空巢
    lives_alone: Mapped[bool] = mapped_column(Boolean, default=False)  # 独居
    limited_mobility: Mapped[bool] = mapped_column(Boolean, default=False)  # 行动不便
    no_smartphone: Mapped[bool] = mapped_column(Boolean, default=False)  # 无智能手机
    preferred_contact: Mapped[ContactPreference] = mapped_column(
        str_enum(ContactPreference, 10),
        default=ContactPreference.PUSH,
    )
    notes: Mapped[str] = mapped_column(Text, default="")

    building: Mapped[Building] = relationship(back_populates="households")

    __table_args__ = (UniqueConstraint("building_id", "unit", "room"),)

    @property
    def member_names(self) -> list[str]:
        """The members' names, as the ledger lists them (王建国、李秀英; commas, semicolons or spaces also part them)."""
        return [name for name in re.split(r"[、,，;；/\s]+", self.members or "") if name]

    @property
    def label(self) -> str:
        """How the household is shown to neighbours: 6号楼 2门 2103 (never a phone number)."""
        parts = [self.building.name]
        if self.unit:
            parts.append(self.unit)
        parts.append(self.room)
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"<Household {self.building_id}/{self.unit}/{self.room}>"


class DepartmentKind(enum.StrEnum):
    """Property companies answer for buildings; city departments are dispatched by streets."""

    PROPERTY = "property"
    CITY = "city"


class Department(TimestampMixin, db.Model):
    """A department or property company 部门 / 物业 that reports for duty (报到)."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[DepartmentKind] = mapped_column(
        str_enum(DepartmentKind, 10)
    )
    street_id: Mapped[int | None] = mapped_column(ForeignKey("street.id"))
    duty_phone: Mapped[str] = mapped_column(String(20), default="")

    def __repr__(self) -> str:
        return f"<Department {self.name}>"
