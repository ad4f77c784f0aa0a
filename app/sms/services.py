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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from app.clock import month_start
from app.commands import Refused
from app.extensions import db
from app.models import Building, Community, Household, User
from app.notifications.channels import Notification
from app.sms.config import ready
from app.sms.models import SmsChoice, SmsDelivery, SmsEventChoice, SmsKind, SmsOptOut, SmsStatus

TITLE_LIMIT = 20  # a template variable holds at most 20 characters at the provider (Alibaba Cloud: 35 for most)
PHONE_DIGITS = 11  # mainland mobile numbers


@dataclass(frozen=True)
class Target:
    """One phone an SMS (and maybe a call) would go to: a household's, or a member's when staff chose so."""

    household_id: int
    community_id: int
    phone: str
    flagged: bool  # no smartphone or lives alone: may be called


@dataclass(frozen=True)
class Channels:
    """What staff chose for a notice: SMS, calls to flagged households, one SMS per member."""

    sms: bool
    voice: bool
    per_member: bool = False

    @classmethod
    def default(cls, urgent: bool) -> Channels:
        """Urgent notices use every channel; a normal one SMS only (a call costs more and wakes people)."""
        return cls(sms=True, voice=urgent)

    @classmethod
    def chosen(cls, choice: str | None, urgent: bool, per_member: bool = False) -> Channels:
        """From the compose form's choice: "auto" (by urgency), "none", "sms" or "sms_voice"."""
        base = {"none": cls(False, False), "sms": cls(True, False), "sms_voice": cls(True, True)}.get(
            choice or "auto", cls.default(urgent))
        return cls(base.sms, base.voice, per_member and base.sms)


CHOICES = ("auto", "none", "sms", "sms_voice")


@dataclass
class Estimate:
    """What a notice would cost at most (every household unreached by push), per community too."""

    sms: int = 0
    calls: int = 0
    price_fen: int = 0
    by_community: dict[int, int] = field(default_factory=dict)  # community id → 分


def link_for(url: str) -> str:
    """The notice's address as the SMS shows it: SMS_LINK_BASE_URL (or the request's host) and its path."""
    base = current_app.config.get("SMS_LINK_BASE_URL") or (request.host_url if has_request_context() else "")
    return base.rstrip("/") + url


def mobile(phone: str | None) -> str:
    """The phone number as the provider wants it (digits only), or '' when it is no mainland mobile."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if digits.startswith("86") and len(digits) == PHONE_DIGITS + 2:
        digits = digits[2:]
    return digits if len(digits) == PHONE_DIGITS and digits.startswith("1") else ""


def targets(session: Session, building_ids: Select, recipients: Select, *, per_member: bool = False) -> list[Target]:
    """The phones a notice to these buildings goes to, opted-out numbers left out.

    One per household: the ledger's contact phone, else its lowest member's account phone. Every
    household of the buildings counts, with or without an account (the ledger's elderly neighbour
    is who SMS is for). With `per_member`, each member's own phone instead (the contact phone
    when no member has one).
    """
    r = recipients.subquery()
    members = (select(r.c[1].label("household_id"), User.phone.label("phone"))
               .join(User, User.id == r.c[0]).where(r.c[1].is_not(None)))
    if not per_member:
        members = members.with_only_columns(r.c[1].label("household_id"), func.min(User.phone).label("phone")).group_by(r.c[1])
    member_phones = members.subquery()
    rows = session.execute(
        select(Household.id, Building.community_id, Household.contact_phone, member_phones.c.phone,
               Household.no_smartphone, Household.lives_alone)
        .join(Building, Building.id == Household.building_id)
        .outerjoin(member_phones, member_phones.c.household_id == Household.id)
        .where(Household.building_id.in_(building_ids), Household.is_deleted.is_(False))
        .order_by(Household.id, member_phones.c.phone))
    opted = opted_out(session)
    found, seen = [], set()
    for household_id, community_id, contact, member_phone, no_smartphone, lives_alone in rows:
        phone = (mobile(member_phone) or mobile(contact)) if per_member else (mobile(contact) or mobile(member_phone))
        if phone and phone not in opted and (household_id, phone) not in seen:
            seen.add((household_id, phone))
            found.append(Target(household_id, community_id, phone, bool(no_smartphone or lives_alone)))
    return found


def _notice_buildings(notice_id: int) -> Select:
    # The notice's buildings, by table name: this channel imports no feature (app/notices owns the table).
    notice_target = db.metadata.tables["notice_target"]
    return select(notice_target.c.building_id).where(notice_target.c.notice_id == notice_id)


def plan(note: Notification, config) -> tuple[datetime, datetime]:
    """When a household's SMS and its call come due."""
    sms_at = note.at if note.urgent else note.at + timedelta(minutes=config["SMS_WAIT_MINUTES"])
    return sms_at, sms_at + timedelta(minutes=config["VOICE_WAIT_MINUTES"])


def choose(session: Session, notice_id: int, channels: Channels) -> None:
    """Record staff's choice for the notice, before it is posted (the channel reads it)."""
    session.merge(SmsChoice(notice_id=notice_id, sms=channels.sms, voice=channels.voice, per_member=channels.per_member))
    session.flush()


def estimate(session: Session, building_ids: list[int], recipients: Select, channels: Channels) -> Estimate:
    """How many SMS and calls a notice to these buildings costs at most, and the price (SMS off: nothing)."""
    config = current_app.config
    result = Estimate()
    if not ready(config) or not channels.sms:
        return result
    calls = channels.voice and bool(config.get("VOICE_TEMPLATE_NOTICE"))
    called: set[int] = set()
    for target in targets(session, select(Building.id).where(Building.id.in_(building_ids or [-1])), recipients,
                          per_member=channels.per_member):
        price = config["SMS_PRICE_FEN"]
        result.sms += 1
        if calls and target.flagged and target.household_id not in called:
            called.add(target.household_id)
            result.calls += 1
            price += config["VOICE_PRICE_FEN"]
        result.price_fen += price
        result.by_community[target.community_id] = result.by_community.get(target.community_id, 0) + price
    return result


def committed_fen(session: Session, community_ids: list[int], *, now: datetime) -> dict[int, int]:
    """What each community's SMS and calls of this month cost or may still cost (sent, or waiting to be sent)."""
    config = current_app.config
    prices = {SmsKind.SMS: config["SMS_PRICE_FEN"], SmsKind.VOICE: config["VOICE_PRICE_FEN"]}
    rows = session.execute(
        select(SmsDelivery.community_id, SmsDelivery.kind, SmsDelivery.status, func.count(), func.sum(SmsDelivery.price_fen))
        .where(SmsDelivery.community_id.in_(community_ids or [-1]), SmsDelivery.created_at >= month_start(now),
               SmsDelivery.status.not_in([SmsStatus.FAILED, SmsStatus.SKIPPED]))
        .group_by(SmsDelivery.community_id, SmsDelivery.kind, SmsDelivery.status))
    totals: dict[int, int] = {}
    for community_id, kind, status, count, spent in rows:
        waiting = status in (SmsStatus.PENDING, SmsStatus.SENDING)
        totals[community_id] = totals.get(community_id, 0) + (count * prices[kind] if waiting else int(spent or 0))
    return totals


def check_budget(session: Session, cost: Estimate, *, now: datetime) -> None:
    """Refuse (clearly) a notice whose SMS and calls would take a community past its monthly budget."""
    budget_yuan = current_app.config.get("SMS_MONTHLY_BUDGET_YUAN") or 0
    if not budget_yuan or not cost.by_community:
        return
    spent = committed_fen(session, list(cost.by_community), now=now)
    for community_id, fen in sorted(cost.by_community.items()):
        if spent.get(community_id, 0) + fen > budget_yuan * 100:
            name = session.get(Community, community_id).name
            left = max(budget_yuan * 100 - spent.get(community_id, 0), 0)
            message = _("The SMS and calls of this notice (about %(cost).2f yuan) would take %(community)s past its "
                        "monthly budget of %(budget)d yuan (%(left).2f yuan left). Send it without SMS, to fewer "
                        "buildings, or raise SMS_MONTHLY_BUDGET_YUAN.", cost=fen / 100, community=name,
                        budget=budget_yuan, left=left / 100)
            raise Refused(message, "over_budget", {"phone_channels": message})


def sms_channel(session: Session, note: Notification, recipients: Select) -> None:
    """The SMS / voice channel (registered by app/sms's init_app): notices only, and only when configured.

    Reads the deployment's settings from current_app: the channel signature is the core's, and a
    deployment without SMS must cost nothing here.
    """
    config = current_app.config
    if not ready(config):
        return
    if note.notice_id is None:
        _event_sms(session, note, recipients, config)
        return
    choice = session.get(SmsChoice, note.notice_id)
    channels = (Channels(choice.sms, choice.voice, choice.per_member) if choice is not None
                else Channels.default(note.urgent))
    if not channels.sms:
        return
    sms_at, call_at = plan(note, config)
    params = json.dumps({"title": note.title[:TITLE_LIMIT], "link": link_for(note.url)}, ensure_ascii=False)
    voice = config.get("VOICE_TEMPLATE_NOTICE") if channels.voice else ""
    rows, called = [], set()
    for target in targets(session, _notice_buildings(note.notice_id), recipients, per_member=channels.per_member):
        common = {"notice_id": note.notice_id, "household_id": target.household_id,
                  "community_id": target.community_id, "phone": target.phone, "params": params,
                  "status": SmsStatus.PENDING, "attempts": 0, "claimed_by": "", "last_error": "",
                  "provider_id": "", "price_fen": 0, "created_at": note.at}
        rows.append({**common, "kind": SmsKind.SMS, "template": config["SMS_TEMPLATE_NOTICE"],
                     "next_attempt_at": sms_at})
        if voice and target.flagged and target.household_id not in called:  # one call per household
            called.add(target.household_id)
            rows.append({**common, "kind": SmsKind.VOICE, "template": voice, "next_attempt_at": call_at})
    if rows:
        session.execute(SmsDelivery.__table__.insert(), rows)


EVENT_KINDS = ("issue.update", "issue.deadline")  # the events a person may also want by SMS (point 5 of issue 18)


def _event_sms(session: Session, note: Notification, recipients: Select, config) -> None:
    """A problem's update or a deadline reminder: an SMS at once to each recipient who asked for this kind by SMS."""
    template = config.get("SMS_TEMPLATE_EVENT")
    if note.kind not in EVENT_KINDS or not template:
        return
    r = recipients.subquery()
    phones = session.execute(select(User.phone).join(r, r.c[0] == User.id)
                             .join(SmsEventChoice, (SmsEventChoice.user_id == User.id) & (SmsEventChoice.kind == note.kind))
                             .distinct())
    opted = opted_out(session)
    params = json.dumps({"title": note.title[:TITLE_LIMIT], "link": link_for(note.url)}, ensure_ascii=False)
    rows = [{"kind": SmsKind.SMS, "notice_id": None, "household_id": None, "community_id": None, "phone": phone,
             "template": template, "params": params, "status": SmsStatus.PENDING, "attempts": 0, "claimed_by": "",
             "last_error": "", "provider_id": "", "price_fen": 0, "created_at": note.at, "next_attempt_at": note.at}
            for phone in sorted({mobile(p) for (p,) in phones} - opted - {""})]
    if rows:
        session.execute(SmsDelivery.__table__.insert(), rows)


def event_choices(session: Session, user: User) -> set[str]:
    """The event kinds the person wants by SMS too."""
    return set(session.scalars(select(SmsEventChoice.kind).where(SmsEventChoice.user_id == user.id)))


def set_event_choices(session: Session, user: User, kinds: set[str]) -> None:
    """Replace the person's choice of events by SMS (unknown kinds are ignored)."""
    session.execute(delete(SmsEventChoice).where(SmsEventChoice.user_id == user.id))
    for kind in sorted(kinds & set(EVENT_KINDS)):
        session.add(SmsEventChoice(user_id=user.id, kind=kind))
    session.flush()


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
