"""What people do with consultations 议事协商, one command each (app/commands.py); the pages run them."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from pydantic import BaseModel, Field

from app.auth.permissions import require
from app.commands import Context, Refused, command, get_or_refuse
from app.consultations.models import Consultation, ConsultationComment
from app.consultations.queries import chosen_buildings, in_audience
from app.consultations.services import (
    add_comment,
    answer_poll,
    create_consultation,
    publish_outcome,
    set_adopted,
    set_party_member,
)
from app.models import User
from app.uploads.services import link_attachments


def _consultation(ctx: Context, consultation_id: int, action: str = "consultation.view") -> Consultation:
    """The consultation if `ctx.user` may `action` it; while only phase 1 is open, not found outside its audience."""
    consultation = get_or_refuse(ctx.session, Consultation, consultation_id, _("This consultation does not exist."))
    require(ctx.user, action, consultation)
    if not in_audience(ctx.user, consultation, ctx.now):
        raise Refused(_("This consultation does not exist."), "not_found")
    return consultation


class ConsultationIn(BaseModel):
    """A new consultation: whom to ask ("c:<community id>" or "b:<building id>"), its phases and an optional poll.

    Its pictures are uploads sent first, given as the command's attachments.
    """

    title: str = ""
    description: str = ""
    targets: list[str] = Field(default_factory=list)
    phase1_opens_at: datetime | None = None
    phase1_closes_at: datetime | None = None
    phase2_opens_at: datetime
    phase2_closes_at: datetime
    poll_question: str = ""
    poll_options: list[str] = Field(default_factory=list)
    poll_multiple: bool = False


@command("consultation.create", ConsultationIn)
def create(ctx: Context, data: ConsultationIn) -> dict:
    """Start a consultation of the chosen communities and buildings, with its pictures."""
    require(ctx.user, "consultation.compose")
    buildings, label = chosen_buildings(ctx.session, ctx.user, data.targets)
    consultation = create_consultation(
        ctx.session, ctx.user, title=data.title, description=data.description, buildings=buildings, scope_label=label,
        phase1_opens_at=data.phase1_opens_at, phase1_closes_at=data.phase1_closes_at,
        phase2_opens_at=data.phase2_opens_at, phase2_closes_at=data.phase2_closes_at,
        poll_question=data.poll_question, poll_options=data.poll_options, poll_multiple=data.poll_multiple, now=ctx.now)
    if ctx.attachments:
        link_attachments(ctx.session, ctx.attachments, "consultation", consultation.id)
    return {"id": consultation.id, "title": consultation.title, "building_ids": consultation.building_ids,
            "images": [a.uuid for a in ctx.attachments]}


class ConsultationRef(BaseModel):
    """Which consultation."""

    consultation_id: int


class CommentIn(ConsultationRef):
    """A comment in the phase now open."""

    body: str = ""


@command("consultation.comment", CommentIn)
def comment(ctx: Context, data: CommentIn) -> dict:
    """Add my comment in the phase now open."""
    added = add_comment(ctx.session, ctx.user, _consultation(ctx, data.consultation_id), data.body, now=ctx.now)
    return {"id": added.id, "consultation_id": added.consultation_id, "phase": added.phase, "body": added.body}


class PollIn(ConsultationRef):
    """The poll's options I choose."""

    option_ids: list[int] = Field(default_factory=list)


@command("consultation.poll", PollIn)
def poll(ctx: Context, data: PollIn) -> dict:
    """My answer to the poll (replaces an earlier one)."""
    answers = answer_poll(ctx.session, ctx.user, _consultation(ctx, data.consultation_id), data.option_ids, now=ctx.now)
    return {"consultation_id": data.consultation_id, "option_ids": [a.option_id for a in answers]}


class AdoptIn(ConsultationRef):
    """A comment marked as adopted into the plan, or not."""

    comment_id: int
    adopted: bool


@command("consultation.adopt", AdoptIn)
def adopt(ctx: Context, data: AdoptIn) -> dict:
    """Mark a comment as adopted into the plan (or undo it)."""
    consultation = _consultation(ctx, data.consultation_id, "consultation.manage")
    found = ctx.session.get(ConsultationComment, data.comment_id)
    if found is None or found.consultation_id != consultation.id:
        raise Refused(_("This comment does not exist."), "not_found")
    set_adopted(ctx.session, found, data.adopted)
    return {"id": found.id, "adopted": found.adopted}


class OutcomeIn(ConsultationRef):
    """What changed because of the comments; `close_phase` confirms closing a phase 2 that still runs."""

    text: str = ""
    close_phase: bool = False


@command("consultation.outcome", OutcomeIn)
def outcome(ctx: Context, data: OutcomeIn) -> dict:
    """Publish the outcome and tell everyone who took part."""
    consultation = _consultation(ctx, data.consultation_id, "consultation.manage")
    people = publish_outcome(ctx.session, ctx.user, consultation, data.text, now=ctx.now, close_phase=data.close_phase)
    return {"id": consultation.id, "outcome": consultation.outcome, "told": len(people)}


class PartyMemberIn(BaseModel):
    """A resident marked as a party member 党员, or not."""

    user_id: int
    member: bool


@command("consultation.party_member", PartyMemberIn)
def party_member(ctx: Context, data: PartyMemberIn) -> dict:
    """Mark or unmark a resident of my community as a party member."""
    member = get_or_refuse(ctx.session, User, data.user_id, _("This person does not exist."))
    require(ctx.user, "consultation.party", member)
    set_party_member(ctx.session, member, data.member)
    return {"user_id": member.id, "is_party_member": member.is_party_member}
