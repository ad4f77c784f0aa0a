"""Joining's use cases, one command each (app/commands.py); `join.decide` also from a head's outbox."""
from __future__ import annotations

from flask_babel import gettext as _
from pydantic import BaseModel, Field

from app.auth.passwords import password_problem
from app.auth.permissions import require
from app.commands import Context, Refused, command, get_or_refuse
from app.joining import channels, notifications, services
from app.joining.models import JoinRequest, PasswordReset
from app.models import Building


class SubmitIn(BaseModel):
    """What the join page sends: the poster's code, the rules accepted, who and where, a password or a card."""

    code: str = Field(max_length=32)
    rules_accepted: bool
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(pattern=r"^1[3-9]\d{9}$")
    room_id: int
    password: str | None = Field(default=None, max_length=128)  # None: print me a login card instead


@command("join.submit", SubmitIn)
def submit(ctx: Context, data: SubmitIn) -> dict:
    """Ask to join the building whose poster holds `code` (实名入群); no one need be signed in."""
    building, retired = services.find_code(ctx.session, data.code)
    if building is None:
        raise Refused(_("This QR code has been replaced. Please scan the new one at your building's entrance.")
                      if retired else _("This QR code is not valid. Please scan the one at your building's entrance."),
                      "gone", field="code")
    if not data.rules_accepted:
        raise Refused(_("Please read the group rules and tick that you accept them."), field="rules_accepted")
    if data.password is not None and (problem := password_problem(data.password, phone=data.phone)):
        raise Refused(str(problem), field="password")
    request = services.submit_request(ctx.session, building, room_id=data.room_id, name=data.name, phone=data.phone,
                                      password=data.password, now=ctx.now)
    owner = services.account_for_phone(ctx.session, data.phone)
    if owner is not None:
        notifications.phone_used(ctx.session, owner, request, now=ctx.now)
    notifications.new_request(ctx.session, services.heads_of(ctx.session, building.id), request, now=ctx.now)
    return {"id": request.id, "building_id": building.id}


class DecideIn(BaseModel):
    """A head's decision on a join request; a reason is required to decline."""

    request_id: int
    approve: bool
    reason: str = Field(default="", max_length=300)


@command("join.decide", DecideIn, offline=True)
def decide(ctx: Context, data: DecideIn) -> dict:
    """Approve (the account is made and linked to the room's household) or decline with a reason."""
    request = get_or_refuse(ctx.session, JoinRequest, data.request_id, _("This join request does not exist."))
    require(ctx.user, "join.decide", request)
    services.decide(ctx.session, request, ctx.user, approve=data.approve, reason=data.reason, now=ctx.now)
    if data.approve:
        notifications.welcome(ctx.session, request.user, request, now=ctx.now)
    return services.request_json(request)


class BuildingIn(BaseModel):
    """Which building."""

    building_id: int


@command("join.replace_code", BuildingIn)
def replace_code(ctx: Context, data: BuildingIn) -> dict:
    """A new join code for the building: old posters stop working (and say so)."""
    building = get_or_refuse(ctx.session, Building, data.building_id, _("This building does not exist."))
    require(ctx.user, "join.manage", building)
    return {"building_id": building.id, "join_code": services.replace_code(ctx.session, building, now=ctx.now)}


class RulesIn(BaseModel):
    """The building's group rules 群规."""

    building_id: int
    group_rules: str = Field(max_length=4000)


@command("join.rules", RulesIn)
def save_rules(ctx: Context, data: RulesIn) -> dict:
    """Write the group rules people accept before they join."""
    building = get_or_refuse(ctx.session, Building, data.building_id, _("This building does not exist."))
    require(ctx.user, "join.manage", building)
    building.group_rules = data.group_rules.strip()
    ctx.session.flush()
    return {"building_id": building.id}


class ForgotIn(BaseModel):
    """The phone number of someone who forgot their password."""

    phone: str = Field(pattern=r"^1[3-9]\d{9}$")


@command("password.forgot", ForgotIn)
def forgot(ctx: Context, data: ForgotIn) -> dict:
    """Note a forgotten password for the heads and staff to see; the answer is the same for any number."""
    services.request_reset(ctx.session, data.phone, now=ctx.now)
    return {}


class GiveCodeIn(BaseModel):
    """Which reset."""

    reset_id: int


@command("password.give_code", GiveCodeIn)
def give_code(ctx: Context, data: GiveCodeIn) -> dict:
    """A one-time code for the person (shown to the giver once; by SMS too where a gateway is configured)."""
    reset = get_or_refuse(ctx.session, PasswordReset, data.reset_id, _("This request does not exist."))
    require(ctx.user, "password.give_code", reset)
    if reset.used_at is not None:
        raise Refused(_("This person has already set a new password."))
    code = services.give_code(ctx.session, reset, ctx.user, now=ctx.now)
    return {"reset_id": reset.id, "user_id": reset.user_id, "code": code,
            "sent_by": channels.send_code(ctx.session, reset.user, code)}


class UseCodeIn(BaseModel):
    """The phone, the code given by the head, and the new password."""

    phone: str = Field(max_length=20)
    code: str = Field(max_length=20)
    password: str = Field(max_length=128)


@command("password.use_code", UseCodeIn)
def use_code(ctx: Context, data: UseCodeIn) -> dict:
    """Set a new password with a reset code; `done` False for any wrong, used, expired or used-up code.

    Not a refusal: a wrong code is counted against the reset, and that count must be kept.
    """
    if problem := password_problem(data.password, phone=data.phone):
        raise Refused(str(problem), field="password")
    user = services.use_code(ctx.session, data.phone, data.code, data.password, now=ctx.now)
    if user is not None:
        notifications.password_changed(ctx.session, user, now=ctx.now)
    return {"done": user is not None}
