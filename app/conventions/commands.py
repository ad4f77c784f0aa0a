"""What people do with building conventions 楼门公约, one command each (app/commands.py).

The convention pages, care mode's vote page and sync (vote.cast) all run these. Every command
on a convention first closes the votes whose close time has passed, so a vote is counted as of
its close whichever way a request comes in.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask_babel import gettext as _
from pydantic import BaseModel, Field

from app.auth.permissions import require
from app.commands import Context, Refused, command, get_or_refuse
from app.conventions.models import Convention, ConventionStatus
from app.conventions.services import (
    add_comment,
    amend_convention,
    cast_vote,
    close_due_votes,
    draft_convention,
    edit_convention,
    open_discussion,
    open_vote,
    set_community_defaults,
    sign_up,
    vote_json,
)
from app.models import Building, Community, Household


def convention_json(convention: Convention) -> dict:
    """A convention as the commands answer it."""
    return {"id": convention.id, "building_id": convention.building_id, "title": convention.title,
            "status": convention.status.value, "version": convention.current_version,
            "closes_at": convention.vote_closes_at.isoformat() if convention.vote_closes_at else None}


def _convention(ctx: Context, convention_id: int, action: str) -> Convention:
    """Close the votes that are due, then the convention if `ctx.user` may `action` it."""
    close_due_votes(ctx.session, ctx.now)
    convention = get_or_refuse(ctx.session, Convention, convention_id, _("This convention no longer exists."))
    require(ctx.user, action, convention)
    return convention


def _household(ctx: Context, household_id: int) -> Household:
    return get_or_refuse(ctx.session, Household, household_id, _("This household is not in the ledger."))


class ConventionIn(BaseModel):
    """A new convention: its building, title and text, and optionally its own quorum and threshold."""

    building_id: int
    title: str = ""
    text: str = ""
    quorum: float | None = None
    threshold: float | None = None


@command("convention.create", ConventionIn)
def create(ctx: Context, data: ConventionIn) -> dict:
    """Draft a convention for a building I manage."""
    building = get_or_refuse(ctx.session, Building, data.building_id, _("This building does not exist."))
    require(ctx.user, "convention.manage", building)
    return convention_json(draft_convention(ctx.session, ctx.user, building, data.title, data.text, now=ctx.now,
                                            quorum=data.quorum, threshold=data.threshold))


class ConventionRef(BaseModel):
    """Which convention."""

    convention_id: int


class TextIn(ConventionRef):
    """A new text for a convention (a page sends "" when the person wrote none)."""

    text: str = ""


def _text(data: TextIn) -> str:
    if not data.text.strip():
        raise Refused(_("Write the text."), field="text")
    return data.text


@command("convention.edit", TextIn)
def edit(ctx: Context, data: TextIn) -> dict:
    """Save a new version of the text (before the vote)."""
    convention = _convention(ctx, data.convention_id, "convention.manage")
    edit_convention(ctx.session, ctx.user, convention, _text(data), now=ctx.now)
    return convention_json(convention)


@command("convention.open_discussion", ConventionRef)
def discuss(ctx: Context, data: ConventionRef) -> dict:
    """Open the draft for residents' comments."""
    convention = _convention(ctx, data.convention_id, "convention.manage")
    open_discussion(ctx.session, ctx.user, convention, now=ctx.now)
    return convention_json(convention)


class OpenVoteIn(ConventionRef):
    """When the vote closes (it opens now)."""

    closes_at: datetime | None = None


@command("convention.open_vote", OpenVoteIn)
def start_vote(ctx: Context, data: OpenVoteIn) -> dict:
    """Open the vote now, until the chosen close time."""
    convention = _convention(ctx, data.convention_id, "convention.manage")
    if data.closes_at is None:
        raise Refused(_("Choose when the vote closes."), field="closes_at")
    open_vote(ctx.session, ctx.user, convention, opens_at=ctx.now, closes_at=data.closes_at, now=ctx.now)
    return convention_json(convention)


class CommentIn(ConventionRef):
    """A comment during discussion."""

    body: str = ""


@command("convention.comment", CommentIn)
def comment(ctx: Context, data: CommentIn) -> dict:
    """Add a comment while the convention is under discussion."""
    convention = _convention(ctx, data.convention_id, "convention.comment")
    if not data.body.strip():
        raise Refused(_("Please write your comment."), field="body")
    added = add_comment(ctx.session, ctx.user, convention, data.body, now=ctx.now)
    return {"id": added.id, "convention_id": convention.id, "version": added.version, "body": added.body}


class VoteCastIn(BaseModel):
    """A household's vote: online by one of its members, or recorded at the door (often offline)."""

    convention_id: int
    household_id: int
    choice: str
    channel: Literal["door_to_door", "online"] = "door_to_door"
    client_time: datetime | None = None
    # At the door (both optional: devices older than these fields send neither): who answered,
    # a member the ledger names or "family"; and the signature they drew, uploaded first
    # (PUT /api/v1/uploads/<uuid>) and named here.
    answered_by: str | None = Field(default=None, max_length=60)
    attachments: list[str] = Field(default_factory=list, max_length=1)


@command("vote.cast", VoteCastIn, offline=True)
def vote(ctx: Context, data: VoteCastIn) -> dict:
    """Apply a vote as of the moment it was cast (the device's time, never later than now); refused once closed.

    A door-to-door vote for a household that voted itself is a Conflict answered with the
    household's own vote, which stands; the attempt stays in the history as not counted.
    """
    # Anyone who sees the convention may vote for their own household (the rule "convention.vote");
    # who may see its tally may record the vote of a household of its building ("convention.record").
    recording = data.channel == "door_to_door"
    convention = _convention(ctx, data.convention_id, "convention.tally" if recording else "convention.view")
    household = _household(ctx, data.household_id)
    # The vote is dated when it was taken at the door (the device's time, never a future one). Votes
    # that reach the server after the close are refused, even if taken before it: the result is
    # fixed at the close time (closed above), whether or not a device is still offline.
    when = min(data.client_time or ctx.client_time or ctx.now, ctx.now)
    if convention.status != ConventionStatus.VOTING:
        when = ctx.now
    signature = ctx.attachments[0] if ctx.attachments else None
    return vote_json(cast_vote(ctx.session, ctx.user, household, convention, data.choice, channel=data.channel,
                               now=when, answered_by=data.answered_by, signature=signature))


@command("convention.close", ConventionRef)
def close(ctx: Context, data: ConventionRef) -> dict:
    """Compute the result of a vote whose close time has passed (the close-due loop does it too)."""
    return convention_json(_convention(ctx, data.convention_id, "convention.manage"))


class SignUpIn(ConventionRef):
    """The household that commits to an adopted convention."""

    household_id: int


@command("convention.sign_up", SignUpIn)
def signup(ctx: Context, data: SignUpIn) -> dict:
    """My household commits to the adopted convention (承诺), once."""
    convention = _convention(ctx, data.convention_id, "convention.view")
    signed = sign_up(ctx.session, ctx.user, _household(ctx, data.household_id), convention, now=ctx.now)
    return {"convention_id": signed.convention_id, "household_id": signed.household_id,
            "signed_at": signed.signed_at.isoformat()}


@command("convention.amend", TextIn)
def amend(ctx: Context, data: TextIn) -> dict:
    """Start an amendment of the adopted convention: a new convention (the next version) through the same steps."""
    convention = _convention(ctx, data.convention_id, "convention.manage")
    return convention_json(amend_convention(ctx.session, ctx.user, convention, _text(data), now=ctx.now))


class DefaultsIn(BaseModel):
    """A community's default quorum and threshold."""

    community_id: int
    quorum: float | None = None
    threshold: float | None = None


@command("convention.defaults", DefaultsIn)
def defaults(ctx: Context, data: DefaultsIn) -> dict:
    """Set the quorum and threshold the community's conventions get unless they set their own."""
    community = get_or_refuse(ctx.session, Community, data.community_id, _("This community does not exist."))
    set_community_defaults(ctx.session, ctx.user, community, quorum=data.quorum, threshold=data.threshold)
    return {"community_id": community.id, "quorum": community.vote_quorum, "threshold": community.vote_threshold}
