"""SMS use cases: a phone number opts out (回T退订 told to staff, or the person on their settings page) or back in."""
from __future__ import annotations

from flask_babel import gettext as _
from pydantic import BaseModel, Field

from app.auth.permissions import require
from app.commands import Context, Refused, command
from app.sms import services


class PhoneIn(BaseModel):
    """The phone number to take off (or put back on) the SMS and call list."""

    phone: str = Field(min_length=1, max_length=30)


class ReceiveIn(BaseModel):
    """Whether I want SMS and calls about notices on my own phone."""

    receive: bool


@command("sms.opt_out", PhoneIn)
def opt_out(ctx: Context, data: PhoneIn) -> dict:
    """Staff record that a number wants no more SMS or calls (it replied T, or asked in person)."""
    require(ctx.user, "sms.manage")
    if not services.opt_out(ctx.session, data.phone, source="staff", now=ctx.now):
        raise Refused(_("Enter an 11-digit mobile number."), "invalid", {"phone": _("Enter an 11-digit mobile number.")})
    return {"phone": services.mobile(data.phone)}


@command("sms.opt_in", PhoneIn)
def opt_in(ctx: Context, data: PhoneIn) -> dict:
    """Staff take a number off the opt-out list (its owner asked for SMS again)."""
    require(ctx.user, "sms.manage")
    services.opt_in(ctx.session, data.phone)
    return {"phone": services.mobile(data.phone)}


@command("sms.receive", ReceiveIn)
def receive(ctx: Context, data: ReceiveIn) -> dict:
    """A person turns SMS and calls to their own phone off or back on."""
    if data.receive:
        services.opt_in(ctx.session, ctx.user.phone)
    elif not services.opt_out(ctx.session, ctx.user.phone, source="self", now=ctx.now):
        raise Refused(_("Your account's phone number is no mobile number."), "invalid")
    return {"receive": data.receive}


class EventsIn(BaseModel):
    """The kinds of event I also want by SMS (problem updates, deadline reminders)."""

    kinds: list[str] = Field(default_factory=list, max_length=10)


@command("sms.events", EventsIn)
def events(ctx: Context, data: EventsIn) -> dict:
    """A person chooses which events also come by SMS to their phone (none unless chosen)."""
    unknown = set(data.kinds) - set(services.EVENT_KINDS)
    if unknown:
        raise Refused(_("Unknown kind of message."), "invalid", {"kinds": _("Unknown kind of message.")})
    services.set_event_choices(ctx.session, ctx.user, set(data.kinds))
    return {"kinds": sorted(data.kinds)}
