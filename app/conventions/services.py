"""Convention rules: drafting, discussion, one vote per household, the result at close time.

Plain functions with explicit arguments; flush, never commit. The commands (commands.py) call
them for the pages, sync (vote.cast) and care mode; the CLI and the close-due loop too. A request
that does not fit the convention's state is Refused; a door-to-door vote for a household that
voted itself is a Conflict (its own vote stands).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from app.auth import scope
from app.auth.permissions import require
from app.commands import Conflict, Refused
from app.conventions import notifications
from app.conventions.models import (
    FAMILY,
    SIGNATURE,
    Choice,
    Convention,
    ConventionComment,
    ConventionSignup,
    ConventionStatus,
    ConventionVersion,
    Vote,
    VoteChannel,
    VoteHistory,
)
from app.database import lock_row, plain_rows
from app.models import Building, Community, Household, User
from app.uploads.models import Attachment
from app.uploads.services import attachments_of, link_attachments


@dataclass
class Tally:
    """The count of a convention's vote."""

    households: int
    yes: int = 0
    no: int = 0
    abstain: int = 0
    quorum: float = 0.5
    threshold: float = 0.5
    not_voted: list[int] = field(default_factory=list)
    # The same count split by how the vote came: {"online": {"yes": n, …}, "door_to_door": {…}};
    # empty for snapshots taken before the split was kept.
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, choice: Choice, channel: VoteChannel) -> None:
        """One more household's vote."""
        setattr(self, choice.value, getattr(self, choice.value) + 1)
        split = self.by_channel.setdefault(channel.value, {c.value: 0 for c in Choice})
        split[choice.value] += 1

    def channel_total(self, channel: str) -> int:
        """Households whose vote came this way."""
        return sum(self.by_channel.get(channel, {}).values())

    @property
    def voted(self) -> int:
        """Households that voted (yes + no + abstain)."""
        return self.yes + self.no + self.abstain

    @property
    def turnout(self) -> float:
        """Share of the building's households that voted."""
        return self.voted / self.households if self.households else 0.0

    @property
    def quorum_met(self) -> bool:
        """Enough households voted."""
        return self.households > 0 and self.turnout >= self.quorum

    @property
    def yes_share(self) -> float:
        """The share of agree among agree and disagree."""
        return self.yes / (self.yes + self.no) if (self.yes + self.no) else 0.0

    @property
    def adopted(self) -> bool:
        """Quorum met and the yes share is above the threshold."""
        return self.quorum_met and self.yes_share > self.threshold

    @property
    def quorum_needed(self) -> int:
        """How many households must vote for the quorum: the fewest for which quorum_met holds."""
        # ceil(quorum * households) alone can be one too many in floating point (0.55 * 100 is
        # 55.000…01, yet 55 of 100 meet a 0.55 quorum), so settle it with the rule's own division.
        needed = min(max(math.ceil(self.quorum * self.households), 0), self.households)
        while needed > 0 and (needed - 1) / self.households >= self.quorum:
            needed -= 1
        while needed < self.households and needed / self.households < self.quorum:
            needed += 1
        return needed

    def as_dict(self) -> dict:
        """The snapshot kept on the convention at close."""
        return {"households": self.households, "yes": self.yes, "no": self.no, "abstain": self.abstain,
                "quorum": self.quorum, "threshold": self.threshold, "voted": self.voted,
                "adopted": self.adopted, "not_voted": self.not_voted, "by_channel": self.by_channel}

    @classmethod
    def from_dict(cls, data: dict) -> Tally:
        """A tally from its snapshot."""
        return cls(households=data["households"], yes=data["yes"], no=data["no"], abstain=data["abstain"],
                   quorum=data["quorum"], threshold=data["threshold"], not_voted=list(data.get("not_voted", [])),
                   by_channel=dict(data.get("by_channel") or {}))


# -- drafting and discussion ------------------------------------------------------------


def draft_convention(session: Session, user: User, building: Building, title: str, text: str, *, now: datetime,
                     quorum: float | None = None, threshold: float | None = None,
                     amends: Convention | None = None) -> Convention:
    """A new convention in draft, with version 1 of its text."""
    title, text = (title or "").strip(), (text or "").strip()
    if not title or not text:
        raise Refused(_("A convention needs a title and a text."), field="text")
    _check_shares(quorum, threshold)
    convention = Convention(building=building, title=title, status=ConventionStatus.DRAFT, current_version=1,
                            quorum=quorum, threshold=threshold, created_by=user, amends_id=amends.id if amends else None)
    convention.versions.append(ConventionVersion(number=1, text=text, created_by=user, created_at=now))
    session.add(convention)
    session.flush()
    return convention


def _check_shares(quorum: float | None, threshold: float | None) -> None:
    for value in (quorum, threshold):
        if value is not None and not 0 < value <= 1:
            raise _not_shares()


def _not_shares() -> Refused:
    # Shown under the quorum, the first of the two shares.
    return Refused(_("Quorum and threshold are shares between 0 and 1 (for example 0.5)."), field="quorum")


def edit_convention(session: Session, user: User, convention: Convention, text: str, *, now: datetime,
                    title: str | None = None) -> ConventionVersion:
    """A new version of the text (draft or discussion only); earlier versions are kept."""
    if convention.status not in (ConventionStatus.DRAFT, ConventionStatus.DISCUSSION):
        raise Refused(_("The text can only change before the vote opens."))
    text = (text or "").strip()
    if not text:
        raise Refused(_("A convention needs a title and a text."))
    if title and title.strip():
        convention.title = title.strip()
    if text == convention.text:
        return convention.version
    number = max(v.number for v in convention.versions) + 1
    version = ConventionVersion(number=number, text=text, created_by=user, created_at=now)
    convention.versions.append(version)
    convention.current_version = number
    session.flush()
    return version


def open_discussion(session: Session, user: User, convention: Convention, *, now: datetime) -> None:
    """Residents may now read and comment."""
    if convention.status != ConventionStatus.DRAFT:
        raise Refused(_("Only a draft can be opened for discussion."))
    convention.status = ConventionStatus.DISCUSSION
    session.flush()


def add_comment(session: Session, user: User, convention: Convention, body: str, *, now: datetime) -> ConventionComment:
    """A comment during discussion."""
    if convention.status != ConventionStatus.DISCUSSION:
        raise Refused(_("Comments are open only while the convention is under discussion."))
    body = (body or "").strip()
    if not body:
        raise Refused(_("Please write your comment."))
    comment = ConventionComment(convention=convention, author=user, version=convention.current_version, body=body[:2000])
    session.add(comment)
    session.flush()
    return comment


def set_community_defaults(session: Session, user: User, community: Community, *, quorum: float,
                           threshold: float) -> None:
    """The quorum and threshold a community's conventions get unless they set their own."""
    require(user, "convention.defaults", community)
    if quorum is None or threshold is None:
        raise _not_shares()
    _check_shares(quorum, threshold)
    community.vote_quorum, community.vote_threshold = quorum, threshold
    session.flush()


def open_vote(session: Session, user: User, convention: Convention, *, opens_at: datetime, closes_at: datetime,
              now: datetime) -> None:
    """Open the vote from `opens_at` to `closes_at`; the text is frozen."""
    if convention.status not in (ConventionStatus.DRAFT, ConventionStatus.DISCUSSION):
        raise Refused(_("The vote has already been held."))
    if closes_at <= opens_at or closes_at <= now:
        raise Refused(_("The vote must close after it opens, and in the future."))
    convention.status = ConventionStatus.VOTING
    convention.vote_opens_at, convention.vote_closes_at = opens_at, closes_at
    # The rule a vote is held under is fixed when it opens: a later change of the community's
    # defaults does not move the goalposts of a vote under way.
    convention.quorum, convention.threshold = convention.quorum_share, convention.threshold_share
    session.flush()
    notifications.vote_opened(session, convention, now=now)


# -- voting -----------------------------------------------------------------------------


def parse_choice(value: str | Choice | None) -> Choice:
    """The choice, or Refused with a clear message."""
    try:
        return Choice(value)
    except ValueError:
        raise Refused(_("Please choose agree, disagree or abstain.")) from None


def parse_channel(value: str | VoteChannel | None) -> VoteChannel:
    """The channel, or Refused with a clear message."""
    try:
        return VoteChannel(value)
    except ValueError:
        raise Refused(_("Unknown way of voting.")) from None


def is_open(convention: Convention, now: datetime) -> bool:
    """True while the household can vote."""
    return (convention.status == ConventionStatus.VOTING and convention.vote_opens_at is not None
            and convention.vote_opens_at <= now < convention.vote_closes_at)


def household_vote(session: Session, convention: Convention, household: Household) -> Vote | None:
    """The household's current vote, if any."""
    return session.scalar(select(Vote).where(Vote.convention_id == convention.id, Vote.household_id == household.id))


def answerer(household: Household, answered_by: str | None) -> str | None:
    """Who answered the door as stored: one of the household's members, FAMILY, or None (not said).

    Devices older than the field send nothing; what they recorded stays accepted.
    """
    answered_by = (answered_by or "").strip()
    if not answered_by:
        return None
    if answered_by == FAMILY or answered_by in household.member_names:
        return answered_by
    raise Refused(_("%(name)s is not a member of this household in the ledger; choose a member or "
                    "\"family member\".", name=answered_by[:60]), field="answered_by")


def cast_vote(session: Session, user: User, household: Household, convention: Convention, choice: str | Choice, *,
              channel: str | VoteChannel, now: datetime, recorded_by: User | None = None,
              answered_by: str | None = None, signature: Attachment | None = None) -> Vote:
    """Record `household`'s choice on `convention` and return its (single) current vote.

    - Online: `user` must be a member of the household (rule "convention.vote"); the last choice
      counts, and a household's own vote replaces a door-to-door one. A second account of the same
      household replaces the household's vote too.
    - Door to door: `user` is the building head recording at the door (rule "convention.record");
      if the household already voted itself, Conflict is raised with its vote, which stands (the
      attempt is kept in the history as not counted: the conflict keeps the writes). Who answered
      the door (`answered_by`: a member the ledger names, or FAMILY) and the signature they drew
      (an uploaded picture) are kept with the attempt.
    Raises Refused (bad choice, vote not open) and Forbidden (not your household).
    """
    choice, channel = parse_choice(choice), parse_channel(channel)
    if channel == VoteChannel.DOOR_TO_DOOR:
        require(user, "convention.record", household)
        recorded_by = recorded_by or user
    else:
        require(user, "convention.vote", household)
    if household.building_id != convention.building_id:
        raise Refused(_("This household is not in the convention's building."))
    at_door = channel == VoteChannel.DOOR_TO_DOOR
    answered_by = answerer(household, answered_by) if at_door else None
    if signature is not None and (not at_door or signature.kind != "image"):
        raise Refused(_("A signature is a picture drawn at the door."), field="signature")
    lock_row(session, household)  # a double tap, or a head at the door while the family votes online
    if not is_open(convention, now):
        if convention.vote_closes_at is not None and now >= convention.vote_closes_at:
            raise Refused(_("The vote closed on %(when)s; votes are no longer accepted.",
                            when=_local(convention.vote_closes_at)))
        raise Refused(_("This convention is not open for voting."))
    vote = household_vote(session, convention, household)
    history = VoteHistory(convention_id=convention.id, household_id=household.id, choice=choice, channel=channel,
                          cast_by_id=user.id, recorded_by_id=recorded_by.id if recorded_by else None, cast_at=now,
                          answered_by=answered_by)
    session.add(history)
    if signature is not None:
        session.flush()  # the history's id names the signature
        link_attachments(session, [signature], SIGNATURE, history.id)
    if (channel == VoteChannel.DOOR_TO_DOOR and vote is not None and vote.channel == VoteChannel.ONLINE):
        history.counted = False
        session.flush()
        raise Conflict(_("This household already voted itself (%(choice)s); its own vote stands.",
                         choice=choice_label(vote.choice)), vote_json(vote), keep_writes=True)
    if vote is None:
        vote = Vote(convention_id=convention.id, household_id=household.id)
        session.add(vote)
    vote.choice, vote.channel, vote.cast_by_id, vote.cast_at = choice, channel, user.id, now
    vote.recorded_by_id = recorded_by.id if recorded_by else None
    session.flush()
    return vote


def vote_json(vote: Vote) -> dict:
    """A household's current vote as devices see it."""
    return {"id": vote.id, "convention_id": vote.convention_id, "household_id": vote.household_id,
            "choice": vote.choice.value, "channel": vote.channel.value, "cast_at": vote.cast_at.isoformat(),
            "recorded_by": vote.recorded_by_id}


def choice_label(choice: Choice) -> str:
    """The choice in the person's language."""
    from app.conventions.models import CHOICE_LABELS

    return str(CHOICE_LABELS[choice])


def _local(moment: datetime) -> str:
    from app.clock import LOCAL_TZ

    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def vote_history(session: Session, convention: Convention, household: Household | None = None) -> list[VoteHistory]:
    """Every cast on the convention (of one household if given), oldest first."""
    q = select(VoteHistory).where(VoteHistory.convention_id == convention.id)
    if household is not None:
        q = q.where(VoteHistory.household_id == household.id)
    return list(session.scalars(q.order_by(VoteHistory.cast_at, VoteHistory.id)))


def door_records(session: Session, convention: Convention) -> list[tuple[VoteHistory, Attachment | None]]:
    """Every vote recorded at the door, by household then time, with the signature drawn (if any)."""
    rows = list(session.scalars(select(VoteHistory).join(Household, Household.id == VoteHistory.household_id).where(
        VoteHistory.convention_id == convention.id, VoteHistory.channel == VoteChannel.DOOR_TO_DOOR)
        .order_by(Household.unit, Household.room, VoteHistory.cast_at, VoteHistory.id)))
    signatures = attachments_of(session, SIGNATURE, [r.id for r in rows])
    return [(r, (signatures.get(r.id) or [None])[0]) for r in rows]


def live_tally(session: Session, convention: Convention) -> Tally:
    """The count as it stands now, from the current votes."""
    household_ids = list(session.scalars(select(Household.id).where(
        Household.building_id == convention.building_id, Household.is_deleted.is_(False)).order_by(Household.id)))
    tally = Tally(households=len(household_ids), quorum=convention.quorum_share, threshold=convention.threshold_share)
    voted = set()
    tally.by_channel = {c.value: {choice.value: 0 for choice in Choice} for c in VoteChannel}
    for household_id, choice, channel in session.execute(select(Vote.household_id, Vote.choice, Vote.channel).where(
            Vote.convention_id == convention.id, Vote.is_deleted.is_(False))):
        if household_id not in household_ids:
            continue
        voted.add(household_id)
        tally.count(Choice(choice), VoteChannel(channel))
    tally.not_voted = [h for h in household_ids if h not in voted]
    return tally


def tally_for(session: Session, convention: Convention, now: datetime) -> Tally:
    """The frozen tally after close, or the live one (computed on the fly, never written here)."""
    if convention.tally is not None:
        return Tally.from_dict(convention.tally)
    return live_tally(session, convention)


def display_status(convention: Convention, now: datetime, session: Session | None = None) -> ConventionStatus:
    """The status as it is at `now`: a vote past its close time shows its result even before close_vote ran."""
    if (convention.status == ConventionStatus.VOTING and convention.vote_closes_at is not None
            and now >= convention.vote_closes_at and session is not None):
        return ConventionStatus.ADOPTED if live_tally(session, convention).adopted else ConventionStatus.REJECTED
    return convention.status


def close_vote(session: Session, convention: Convention, *, now: datetime) -> Tally:
    """Freeze the tally and set adopted/rejected (as of the close time). Idempotent."""
    if convention.status != ConventionStatus.VOTING:
        return tally_for(session, convention, now)
    tally = live_tally(session, convention)
    closed_at = convention.vote_closes_at or now
    convention.tally = tally.as_dict()
    convention.result_computed_at = now
    if tally.adopted:
        convention.status = ConventionStatus.ADOPTED
        convention.adopted_at = closed_at
        if convention.amends_id:
            older = session.get(Convention, convention.amends_id)
            if older is not None and older.status == ConventionStatus.ADOPTED:
                older.status = ConventionStatus.SUPERSEDED
    else:
        convention.status = ConventionStatus.REJECTED
    session.flush()
    notifications.vote_closed(session, convention, tally, now=now)
    return tally


def close_due_votes(session: Session, now: datetime) -> list[Convention]:
    """Close every vote whose close time has passed (safe to run again and again)."""
    due = list(session.scalars(select(Convention).where(
        Convention.status == ConventionStatus.VOTING, Convention.vote_closes_at <= now).order_by(Convention.id)))
    for convention in due:
        close_vote(session, convention, now=now)
    return due


def amend_convention(session: Session, user: User, convention: Convention, text: str, *, now: datetime) -> Convention:
    """Amend an adopted convention: a new convention (the next version) going through the same lifecycle."""
    if convention.status != ConventionStatus.ADOPTED:
        raise Refused(_("Only an adopted convention can be amended."))
    amendment = draft_convention(session, user, convention.building, convention.title, text, now=now,
                                 quorum=convention.quorum, threshold=convention.threshold, amends=convention)
    amendment.versions[0].number = convention.current_version + 1
    amendment.current_version = convention.current_version + 1
    session.flush()
    return amendment


# -- sign-ups 承诺 ---------------------------------------------------------------------------


def sign_up(session: Session, user: User, household: Household, convention: Convention, *, now: datetime) -> ConventionSignup:
    """The household commits to an adopted convention (once)."""
    require(user, "convention.vote", household)
    if convention.status != ConventionStatus.ADOPTED:
        raise Refused(_("Only an adopted convention can be signed."))
    if household.building_id != convention.building_id:
        raise Refused(_("This household is not in the convention's building."))
    lock_row(session, household)  # a double tap: one sign-up, not a unique-constraint error
    existing = session.scalar(select(ConventionSignup).where(ConventionSignup.convention_id == convention.id,
                                                             ConventionSignup.household_id == household.id))
    if existing is not None:
        return existing
    signup = ConventionSignup(convention_id=convention.id, household_id=household.id, user_id=user.id, signed_at=now)
    session.add(signup)
    session.flush()
    return signup


def signup_count(session: Session, convention: Convention) -> int:
    """How many households signed up."""
    return session.scalar(select(func.count()).select_from(ConventionSignup)
                          .where(ConventionSignup.convention_id == convention.id)) or 0


def signup_counts(session: Session, conventions: list[Convention]) -> dict[int, int]:
    """How many households signed up, for many conventions in one query (by convention id)."""
    ids = [c.id for c in conventions]
    counts = dict(session.execute(select(ConventionSignup.convention_id, func.count())
                                  .where(ConventionSignup.convention_id.in_(ids))
                                  .group_by(ConventionSignup.convention_id)).all()) if ids else {}
    return {i: counts.get(i, 0) for i in ids}


class InForce(NamedTuple):
    """An adopted convention as the building page lists it."""

    id: int
    title: str
    version: int
    adopted_at: datetime | None
    signups: int


@cache
def _in_force() -> Select:
    # Built once: every building page asks.
    signups = (select(func.count()).where(ConventionSignup.convention_id == Convention.id)
               .correlate(Convention).scalar_subquery())
    return (select(Convention.id, Convention.title, Convention.current_version, Convention.adopted_at, signups)
            .where(Convention.building_id == bindparam("building_id"), Convention.status == ConventionStatus.ADOPTED,
                   Convention.is_deleted.is_(False))
            .order_by(Convention.adopted_at.desc(), Convention.id.desc()))


def in_force(session: Session, building_id: int) -> list[InForce]:
    """The building's adopted conventions, newest first, with how many households signed up (one query).

    An adopted amendment supersedes the convention it amends, so only the version in force is listed.
    """
    return [InForce(*row) for row in plain_rows(session, _in_force(), {"building_id": building_id})]


def conventions_for(session: Session, user: User) -> list[Convention]:
    """Conventions of the buildings the user's roles reach (drafts only for those who manage)."""
    managed = scope.managed_building_ids(user)
    rows = session.scalars(select(Convention).where(
        Convention.is_deleted.is_(False), Convention.building_id.in_(scope.building_ids(user)))
        .order_by(Convention.building_id, Convention.id.desc()))
    managed_ids = set(session.scalars(managed))
    return [c for c in rows if c.status != ConventionStatus.DRAFT or c.building_id in managed_ids]


def user_household_in(user: User, building_id: int, session: Session) -> Household | None:
    """The user's own household in the building, if they live there."""
    for household_id in scope.own_household_ids(user):
        household = session.get(Household, household_id)
        if household is not None and household.building_id == building_id:
            return household
    return None
