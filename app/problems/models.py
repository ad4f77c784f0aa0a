"""Problems 诉求 and their public timeline, and the work orders dispatched to departments (吹哨报到)."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Building, Department, Household, User
from app.models.base import SyncedMixin, TimestampMixin, UTCDateTime, str_enum


class Category(enum.StrEnum):
    """The first set of categories (DESIGN §2); also the Open311 services."""

    SANITATION = "sanitation"
    GREENERY = "greenery"
    REPAIRS = "repairs"
    ELEVATOR = "elevator"
    PARKING = "parking"
    FIRE_SAFETY = "fire_safety"
    PUBLIC_ORDER = "public_order"
    NOISE = "noise"
    PROPERTY_SERVICE = "property_service"
    NEIGHBOUR_DISPUTE = "neighbour_dispute"
    POLICY_QUESTION = "policy_question"
    CARE_NEEDS = "care_needs"
    OTHER = "other"


CATEGORY_LABELS = {
    Category.SANITATION: _l("Sanitation"), Category.GREENERY: _l("Greenery"), Category.REPAIRS: _l("Repairs"),
    Category.ELEVATOR: _l("Elevator"), Category.PARKING: _l("Parking"), Category.FIRE_SAFETY: _l("Fire safety"),
    Category.PUBLIC_ORDER: _l("Public order"), Category.NOISE: _l("Noise"),
    Category.PROPERTY_SERVICE: _l("Property service"), Category.NEIGHBOUR_DISPUTE: _l("Neighbour dispute"),
    Category.POLICY_QUESTION: _l("Policy question"), Category.CARE_NEEDS: _l("Care needs"), Category.OTHER: _l("Other"),
}
# Each category's picture is static/icons/categories/<value>.svg (decorative: the words carry the meaning).


class Source(enum.StrEnum):
    """Where the problem came from 来源."""

    APP = "app"
    VISIT = "visit"
    HOTLINE = "hotline"  # 12345
    WALK_IN = "walk_in"
    GROUP = "group"
    PLATFORM = "platform"  # a city platform, through Open311


class Status(enum.StrEnum):
    """The closed loop: reported → acknowledged → in progress / escalated → resolved → confirmed → closed."""

    REPORTED = "reported"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CONFIRMED = "confirmed"
    CLOSED = "closed"


OPEN_STATUSES = (Status.REPORTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.ESCALATED)


class Level(enum.IntEnum):
    """Who holds the problem now: one-click escalation moves it up one level."""

    BUILDING = 1
    COMMUNITY = 2
    STREET = 3


class Problem(SyncedMixin, db.Model):
    """A problem a resident (or someone on their behalf) raised, followed to the end on the record."""

    __tablename__ = "problem"
    __table_args__ = (
        # The building feed walks this newest-first and stops at one page (no sort of the building's year).
        Index("ix_problem_building_activity", "building_id", "last_activity_at"),
        # A report's problems: those of the scope's buildings received in the period. Through the
        # building index alone SQLite (no statistics) visited every problem of a street's year for
        # one month (bench/reports.py: 2.2 s → 0.3 s with this); migrations/versions/0024.
        Index("ix_problem_building_reported", "building_id", "reported_at"),
        # The queue picks its page of ids from this index alone, in deadline order (app/problems/queries.py).
        Index("ix_problem_status_due", "status", "feedback_due_at", "first_response_at", "building_id", "is_deleted"),
        # The queue's first tier (unanswered, past the deadline) walks one of these in deadline order and
        # stops at one page: through the index above it sorted every open problem of the street past its
        # deadline. Each database plans it with its own: SQLite takes "IS NULL" as an equality and reads
        # the deadlines in order after it, and does not weigh a partial index without statistics;
        # PostgreSQL does not take "IS NULL" as fixing the order, but reads this partial index of the
        # unanswered alone in order, without visiting the table (migrations/versions/0013 also gives it
        # statistics on status and first_response_at together, without which it expects ten rows).
        Index("ix_problem_unanswered_due", "first_response_at", "feedback_due_at", "status", "building_id",
              "is_deleted").ddl_if(dialect="sqlite"),
        Index("ix_problem_unanswered_due_pg", "feedback_due_at", "status", "building_id", "is_deleted", "id",
              postgresql_where=text("first_response_at IS NULL")).ddl_if(dialect="postgresql"),
        # The desk's counts per tier read the open problems of the asker's buildings from this alone,
        # building by building: through ix_problem_status_due they read every open problem of the
        # database (a district's, for one street: 4.2 → 0.9 ms at ten times the data). Spelled as the
        # queue writes its conditions (queries.IS_OPEN); migrations/versions/0025.
        Index("ix_problem_open_building_pg", "building_id", "feedback_due_at", "first_response_at", "level", "status",
              postgresql_where=text("status IN ('reported', 'acknowledged', 'in_progress', 'escalated') "
                                    "AND is_deleted IS false")).ddl_if(dialect="postgresql"),
        # The same on SQLite, which without statistics would not choose it: the counts name it (INDEXED BY;
        # 1.9 → 0.3 ms at ten times the data). Spelled as SQLite is given the queue's conditions; 0026.
        Index("ix_problem_open_building", "building_id", "feedback_due_at", "first_response_at", "level", "status",
              sqlite_where=text("status IN ('reported', 'acknowledged', 'in_progress', 'escalated') "
                                "AND is_deleted IS 0")).ddl_if(dialect="sqlite"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    category: Mapped[Category] = mapped_column(str_enum(Category), index=True)
    text: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[Source] = mapped_column(str_enum(Source), index=True)
    hotline_order_no: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[Status] = mapped_column(str_enum(Status), index=True)
    level: Mapped[int] = mapped_column(Integer, default=Level.BUILDING)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    feedback_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    rating: Mapped[int | None] = mapped_column(Integer)
    thanked: Mapped[bool] = mapped_column(Boolean, default=False)
    # The colleague at the desk who took it on (community staff or the street); None: whoever holds the level.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # A duplicate merged into the problem that stays: closed, its page points there.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"))

    building: Mapped[Building] = relationship()
    household: Mapped[Household | None] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    entered_by: Mapped[User] = relationship(foreign_keys=[entered_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list[ProblemEvent]] = relationship(back_populates="problem", order_by="ProblemEvent.id",
                                                      cascade="all, delete-orphan")
    dispatches: Mapped[list[Dispatch]] = relationship(back_populates="problem", order_by="Dispatch.id",
                                                      cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        """Still being handled."""
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: datetime) -> bool:
        """The 12-hour feedback deadline passed without a public response."""
        return self.first_response_at is None and now > self.feedback_due_at

    @property
    def reporter_label(self) -> str:
        """How neighbours see the reporter: the household (6号楼 2门 2103), never a phone number."""
        return self.household.label if self.household is not None else self.building.name

    def __repr__(self) -> str:
        return f"<Problem {self.id} {self.status}>"


class EventKind(enum.StrEnum):
    """Steps on a problem's timeline."""

    REPORTED = "reported"
    RESPONSE = "response"  # a public update (the first one meets the feedback deadline)
    NOTE = "note"  # internal, staff only
    COMMENT = "comment"  # from the reporter or a neighbour
    ESCALATED = "escalated"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"  # 报到
    DISPATCH_PROGRESS = "dispatch_progress"  # a department's public progress, often with photos
    DISPATCH_DONE = "dispatch_done"
    RESOLVED = "resolved"
    CONFIRMED = "confirmed"
    REOPENED = "reopened"
    CLOSED = "closed"
    ASSIGNED = "assigned"  # to a named colleague at the desk
    RECATEGORISED = "recategorised"
    MERGED = "merged"  # on the duplicate: it went into data["into"]
    MERGED_IN = "merged_in"  # on the one that stays: data["from"] came into it


class ProblemEvent(TimestampMixin, db.Model):
    """One step on the timeline: who, in what role, when, what (痕迹化)."""

    __tablename__ = "problem_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    text: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    mentions_reporter: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    problem: Mapped[Problem] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ProblemEvent {self.problem_id} {self.kind}>"


class DispatchStatus(enum.StrEnum):
    """A department's part: dispatched → accepted (报到) → done."""

    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    DONE = "done"


class Dispatch(TimestampMixin, db.Model):
    """A work order sent to one department (吹哨); the problem is resolved when every one is done."""

    __tablename__ = "dispatch"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    status: Mapped[DispatchStatus] = mapped_column(str_enum(DispatchStatus), default=DispatchStatus.DISPATCHED)
    dispatched_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    problem: Mapped[Problem] = relationship(back_populates="dispatches")
    department: Mapped[Department] = relationship()

    def __repr__(self) -> str:
        return f"<Dispatch {self.problem_id}→{self.department_id} {self.status}>"
