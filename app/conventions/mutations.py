"""Offline door-to-door votes (vote.cast) and what the building head's device downloads."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask_babel import gettext as _
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import scope
from app.conventions.models import Convention, ConventionStatus, Vote
from app.conventions.services import ConventionError, VoteConflict, cast_vote, close_due_votes, live_tally
from app.models import Household, User
from app.sync.registry import Conflict, MutationContext, Rejected, mutation, pull_source


class VoteCastIn(BaseModel):
    """A vote recorded on a device: usually at the door, offline."""

    convention_id: int
    household_id: int
    choice: str
    channel: Literal["door_to_door", "online"] = "door_to_door"
    client_time: datetime | None = None


def vote_json(vote: Vote) -> dict:
    """A household's current vote as devices see it."""
    return {"id": vote.id, "convention_id": vote.convention_id, "household_id": vote.household_id,
            "choice": vote.choice.value, "channel": vote.channel.value, "cast_at": vote.cast_at.isoformat(),
            "recorded_by": vote.recorded_by_id}


@mutation("vote.cast", VoteCastIn)
def vote_cast(ctx: MutationContext, data: VoteCastIn) -> dict:
    """Apply a vote as of the moment it was cast (the device's time, never later than now); refused once closed."""
    close_due_votes(ctx.session, ctx.now)
    convention = ctx.session.get(Convention, data.convention_id)
    household = ctx.session.get(Household, data.household_id)
    if convention is None or convention.is_deleted:
        raise Rejected(_("This convention no longer exists."), "not_found")
    if household is None or household.is_deleted:
        raise Rejected(_("This household is not in the ledger."), "not_found")
    # The vote is dated when it was taken at the door (the device's time, never a future one). Votes
    # that reach the server after the close are refused, even if taken before it: the result is
    # fixed at the close time (close_due_votes above), whether or not a device is still offline.
    when = min(data.client_time or ctx.client_time or ctx.now, ctx.now)
    if convention.status != ConventionStatus.VOTING:
        when = ctx.now
    try:
        vote = cast_vote(ctx.session, ctx.user, household, convention, data.choice, channel=data.channel, now=when)
    except VoteConflict as exc:
        # the household's own vote stands; the head's attempt stays in the history as not counted
        raise Conflict(exc.message, vote_json(exc.vote), keep_writes=True) from None
    except ConventionError as exc:
        raise Rejected(str(exc)) from None
    return vote_json(vote)


@pull_source("conventions")
def open_votes(session: Session, user: User, since: int, until: int) -> list[dict]:
    """Open votes in the buildings I manage, with their households and who has not voted yet."""
    rows = session.scalars(select(Convention).where(
        Convention.building_id.in_(scope.managed_building_ids(user)), Convention.change_seq > since,
        Convention.change_seq <= until).order_by(Convention.id))
    out = []
    for c in rows:
        item = {"id": c.id, "building_id": c.building_id, "title": c.title, "status": c.status.value,
                "closes_at": c.vote_closes_at.isoformat() if c.vote_closes_at else None,
                "url": f"/conventions/{c.id}", "deleted": c.is_deleted}
        if c.status == ConventionStatus.VOTING:
            tally = live_tally(session, c)
            households = session.scalars(select(Household).where(Household.building_id == c.building_id,
                                                                 Household.is_deleted.is_(False)).order_by(Household.id))
            item["households"] = [{"id": h.id, "label": h.label} for h in households]
            item["not_voted"] = tally.not_voted
        out.append(item)
    return out


@pull_source("convention_votes")
def changed_votes(session: Session, user: User, since: int, until: int) -> list[dict]:
    """Current votes of the households in the buildings I manage (the door list stays right offline)."""
    rows = session.scalars(select(Vote).join(Household, Household.id == Vote.household_id).where(
        Vote.change_seq > since, Vote.change_seq <= until,
        Household.building_id.in_(scope.managed_building_ids(user))).order_by(Vote.id))
    return [{**vote_json(v), "deleted": v.is_deleted} for v in rows]
