"""SMS and voice notices as a channel of the notifications core: who gets what, opt-outs, usage.

`sms_channel` is registered with app.notifications.channels. For a notice it writes, in the
notice's own transaction, one SMS per household (not per member) and, for a household flagged
no smartphone or living alone (the ledger's care flags), one voice call after it. Each row is due
when it may be needed: a normal notice's SMS after SMS_WAIT_MINUTES (push may reach the household
first), an urgent one's at once; the call VOICE_WAIT_MINUTES after the SMS. Whether it is still
needed is decided by the worker when it comes due (app/sms/worker.py), from what happened since.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Building, Household, User
from app.notifications.channels import Notification
from app.sms.config import ready
from app.sms.models import SmsDelivery, SmsKind, SmsOptOut, SmsStatus

TITLE_LIMIT = 20  # a template variable holds at most 20 characters at the provider (Alibaba Cloud: 35 for most)
PHONE_DIGITS = 11  # mainland mobile numbers


@dataclass(frozen=True)
class Target:
    """One household an SMS (and maybe a call) would go to."""

    household_id: int
    community_id: int
    phone: str
    flagged: bool  # no smartphone or lives alone: may be called


def link_for(url: str) -> str:
    """The notice's address as the SMS shows it: SMS_LINK_BASE_URL (or the request's host) and its path."""
    base = current_app.config.get("SMS_LINK_BASE_URL") or (request.host_url if has_request_context() else "")
    return base.rstrip("/") + url


def mobile(phone: str) -> str:
    """The phone number as the provider wants it (digits only), or '' when it is no mainland mobile."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if digits.startswith("86") and len(digits) == PHONE_DIGITS + 2:
        digits = digits[2:]
    return digits if len(digits) == PHONE_DIGITS and digits.startswith("1") else ""


def targets(session: Session, notice_id: int, recipients: Select) -> list[Target]:
    """One phone per household the notice reaches: the ledger's contact phone, else its lowest member's account phone.

    Every household of the notice's buildings counts, with or without an account (the ledger's
    elderly neighbour with a landline-era mobile is who SMS is for); the buildings are read from
    the notice's table by name, as this channel imports no feature.
    """
    r = recipients.subquery()
    member_phones = (select(r.c[1].label("household_id"), func.min(User.phone).label("phone"))
                     .join(User, User.id == r.c[0]).where(r.c[1].is_not(None)).group_by(r.c[1]).subquery())
    notice_target = db.metadata.tables["notice_target"]
    rows = session.execute(
        select(Household.id, Building.community_id, Household.contact_phone, member_phones.c.phone,
               Household.no_smartphone, Household.lives_alone)
        .join(Building, Building.id == Household.building_id)
        .outerjoin(member_phones, member_phones.c.household_id == Household.id)
        .where(Household.building_id.in_(select(notice_target.c.building_id)
                                         .where(notice_target.c.notice_id == notice_id)))
        .order_by(Household.id))
    opted = opted_out(session)
    found = []
    for household_id, community_id, contact, member_phone, no_smartphone, lives_alone in rows:
        phone = mobile(contact) or mobile(member_phone)
        if phone and phone not in opted:
            found.append(Target(household_id, community_id, phone, bool(no_smartphone or lives_alone)))
    return found


def plan(note: Notification, config) -> tuple[datetime, datetime]:
    """When a household's SMS and its call come due."""
    sms_at = note.at if note.urgent else note.at + timedelta(minutes=config["SMS_WAIT_MINUTES"])
    return sms_at, sms_at + timedelta(minutes=config["VOICE_WAIT_MINUTES"])


def sms_channel(session: Session, note: Notification, recipients: Select) -> None:
    """The SMS / voice channel (registered by app/sms's init_app): notices only, and only when configured.

    Reads the deployment's settings from current_app: the channel signature is the core's, and a
    deployment without SMS must cost nothing here.
    """
    config = current_app.config
    if note.notice_id is None or not ready(config):
        return
    sms_at, call_at = plan(note, config)
    params = json.dumps({"title": note.title[:TITLE_LIMIT], "link": link_for(note.url)}, ensure_ascii=False)
    voice = config.get("VOICE_TEMPLATE_NOTICE")
    rows = []
    for target in targets(session, note.notice_id, recipients):
        common = {"notice_id": note.notice_id, "household_id": target.household_id,
                  "community_id": target.community_id, "phone": target.phone, "params": params,
                  "status": SmsStatus.PENDING, "attempts": 0, "claimed_by": "", "last_error": "",
                  "provider_id": "", "price_fen": 0, "created_at": note.at}
        rows.append({**common, "kind": SmsKind.SMS, "template": config["SMS_TEMPLATE_NOTICE"],
                     "next_attempt_at": sms_at})
        if voice and target.flagged:
            rows.append({**common, "kind": SmsKind.VOICE, "template": voice, "next_attempt_at": call_at})
    if rows:
        session.execute(SmsDelivery.__table__.insert(), rows)


def opted_out(session: Session) -> set[str]:
    """Every phone number that must get no SMS or call."""
    return set(session.scalars(select(SmsOptOut.phone)))


def opt_out(session: Session, phone: str, *, source: str, now: datetime) -> bool:
    """Record that `phone` gets no more SMS or calls (and skip what is waiting for it); False if it is no mobile."""
    number = mobile(phone)
    if not number:
        return False
    if session.get(SmsOptOut, number) is None:
        session.add(SmsOptOut(phone=number, source=source, created_at=now))
    session.execute(SmsDelivery.__table__.update()
                    .where(SmsDelivery.phone == number, SmsDelivery.status == SmsStatus.PENDING)
                    .values(status=SmsStatus.SKIPPED, last_error="opted out"))
    session.flush()
    return True


def opt_in(session: Session, phone: str) -> None:
    """Take `phone` off the opt-out list (its owner asked again)."""
    session.execute(delete(SmsOptOut).where(SmsOptOut.phone == mobile(phone)))


def is_opted_out(session: Session, user: User) -> bool:
    """Whether the person's own phone is on the opt-out list."""
    return session.get(SmsOptOut, mobile(user.phone)) is not None if mobile(user.phone) else False
