"""Building conventions 楼门公约: versions, discussion, one vote per household, sign-ups."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Building, Household, User
from app.models.base import SyncedMixin, TimestampMixin, UTCDateTime, str_enum

DEFAULT_QUORUM = 0.5  # share of the building's households that must vote
DEFAULT_THRESHOLD = 0.5  # share of yes among yes+no that must be exceeded… or reached (see services)


class ConventionStatus(enum.StrEnum):
    """Where a convention is in its life."""

    DRAFT = "draft"
    DISCUSSION = "discussion"
    VOTING = "voting"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


STATUS_LABELS = {
    ConventionStatus.DRAFT: _l("Draft"),
    ConventionStatus.DISCUSSION: _l("Under discussion"),
    ConventionStatus.VOTING: _l("Voting"),
    ConventionStatus.ADOPTED: _l("Adopted"),
    ConventionStatus.REJECTED: _l("Rejected"),
    ConventionStatus.SUPERSEDED: _l("Replaced by a newer version"),
}


class Choice(enum.StrEnum):
    """A household's choice."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


CHOICE_LABELS = {Choice.YES: _l("Agree"), Choice.NO: _l("Disagree"), Choice.ABSTAIN: _l("Abstain")}


class VoteChannel(enum.StrEnum):
    """How the vote reached us."""

    ONLINE = "online"
    DOOR_TO_DOOR = "door_to_door"


CHANNEL_LABELS = {VoteChannel.ONLINE: _l("Online"), VoteChannel.DOOR_TO_DOOR: _l("At the door")}

# Who answered the door, when it was not a member the ledger names: a family member 家属.
FAMILY = "family"
FAMILY_LABEL = _l("Family member")
SIGNATURE = "convention_vote"  # the subject_type of a signature drawn at the door (app/uploads)


class Convention(SyncedMixin, db.Model):
    """A building's convention: its versions, its vote and the result."""

    __tablename__ = "convention"

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    status: Mapped[ConventionStatus] = mapped_column(str_enum(ConventionStatus, 16), default=ConventionStatus.DRAFT)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    quorum: Mapped[float | None] = mapped_column(Float)  # None: DEFAULT_QUORUM
    threshold: Mapped[float | None] = mapped_column(Float)  # None: DEFAULT_THRESHOLD
    vote_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vote_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tally: Mapped[dict | None] = mapped_column(JSON)  # the snapshot at close
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("convention.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    building: Mapped[Building] = relationship()
    created_by: Mapped[User] = relationship()
    versions: Mapped[list[ConventionVersion]] = relationship(
        back_populates="convention", order_by="ConventionVersion.number", cascade="all, delete-orphan")
    comments: Mapped[list[ConventionComment]] = relationship(
        back_populates="convention", order_by="ConventionComment.id", cascade="all, delete-orphan")

    @property
    def quorum_share(self) -> float:
        """The quorum in force: the convention's own, else its community's default, else the app's."""
        if self.quorum is not None:
            return self.quorum
        community = self.building.community
        return community.vote_quorum if community.vote_quorum is not None else DEFAULT_QUORUM

    @property
    def threshold_share(self) -> float:
        """The threshold in force: the convention's own, else its community's default, else the app's."""
        if self.threshold is not None:
            return self.threshold
        community = self.building.community
        return community.vote_threshold if community.vote_threshold is not None else DEFAULT_THRESHOLD

    @property
    def text(self) -> str:
        """The current version's text."""
        return self.version.text if self.version else ""

    @property
    def version(self) -> ConventionVersion | None:
        """The current version."""
        for v in self.versions:
            if v.number == self.current_version:
                return v
        return None

    def __repr__(self) -> str:
        return f"<Convention {self.id} {self.title!r} {self.status}>"


class ConventionVersion(db.Model):
    """One version of the text; every amendment keeps the earlier ones."""

    __tablename__ = "convention_version"
    __table_args__ = (UniqueConstraint("convention_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    convention: Mapped[Convention] = relationship(back_populates="versions")
    created_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ConventionVersion {self.convention_id} v{self.number}>"


class ConventionComment(TimestampMixin, db.Model):
    """A comment made during discussion."""

    __tablename__ = "convention_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)

    convention: Mapped[Convention] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ConventionComment {self.id}>"


class Vote(SyncedMixin, db.Model):
    """A household's current choice on a convention (one row per household)."""

    __tablename__ = "convention_vote"
    __table_args__ = (UniqueConstraint("convention_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    choice: Mapped[Choice] = mapped_column(str_enum(Choice, 16))
    channel: Mapped[VoteChannel] = mapped_column(str_enum(VoteChannel, 16))
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime)

    convention: Mapped[Convention] = relationship()
    household: Mapped[Household] = relationship()
    cast_by: Mapped[User] = relationship(foreign_keys=[cast_by_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    def __repr__(self) -> str:
        return f"<Vote {self.convention_id}/{self.household_id} {self.choice}>"


class VoteHistory(db.Model):
    """Every cast, kept (including door-to-door votes that lost to the household's own)."""

    __tablename__ = "convention_vote_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    choice: Mapped[Choice] = mapped_column(str_enum(Choice, 16))
    channel: Mapped[VoteChannel] = mapped_column(str_enum(VoteChannel, 16))
    cast_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime)
    counted: Mapped[bool] = mapped_column(default=True)  # False: a door-to-door vote that lost
    # At the door: the member of the household (as the ledger names them) or FAMILY; None online
    # and from devices older than the field.
    answered_by: Mapped[str | None] = mapped_column(String(60))

    cast_by: Mapped[User] = relationship(foreign_keys=[cast_by_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    household: Mapped[Household] = relationship()

    @property
    def answered_by_label(self) -> str:
        """Who answered the door, in the reader's language."""
        return str(FAMILY_LABEL) if self.answered_by == FAMILY else (self.answered_by or "")

    def __repr__(self) -> str:
        return f"<VoteHistory {self.convention_id}/{self.household_id} {self.choice}>"


class ConventionSignup(db.Model):
    """A household's commitment 承诺 to an adopted convention."""

    __tablename__ = "convention_signup"
    __table_args__ = (UniqueConstraint("convention_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ConventionSignup {self.convention_id}/{self.household_id}>"
