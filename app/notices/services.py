"""Sending notices, receipts, the reach report and the building head's door-to-door list 上门通知名单."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Integer, Select, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from app.commands import Refused
from app.models import Building, Community, Household, Role, RoleAssignment, Street, User
from app.notices.models import DEFAULT_UNREAD_HOURS, InformChannel, Notice, NoticeReceipt, NoticeTarget, Urgency
from app.notices.schemas import NoticeIn
from app.notifications.channels import Notification
from app.notifications.services import mark_read as mark_inbox_read
from app.notifications.services import post
from app.push.models import Delivery, DeliveryStatus, PushMessage, PushSubscription
from app.sms import services as sms
from app.sms.queries import reached as sms_reached
from app.uploads.models import Attachment
from app.uploads.services import link_attachments


def _no_target() -> Refused:
    """The notice names no building, or a place that does not exist (said on the API's targets field)."""
    return Refused(_("Choose where the notice goes."), "invalid", field="building_ids")


def resolve_targets(session: Session, data: NoticeIn) -> tuple[list[Building], str]:
    """The buildings a notice reaches, and the scope in words (street, communities or buildings)."""
    if data.street_id is not None:
        street = session.get(Street, data.street_id)
        if street is None:
            raise _no_target()
        buildings = list(session.scalars(select(Building).join(Community).where(Community.street_id == street.id)
                                         .order_by(Building.community_id, Building.id)))
        label = street.name
    elif data.community_ids:
        communities = list(session.scalars(select(Community).where(Community.id.in_(data.community_ids))
                                           .order_by(Community.name)))
        if len(communities) != len(set(data.community_ids)):
            raise _no_target()
        buildings = list(session.scalars(select(Building).where(Building.community_id.in_(data.community_ids))
                                         .order_by(Building.community_id, Building.id)))
        label = "、".join(c.name for c in communities)
    else:
        buildings = list(session.scalars(select(Building).where(Building.id.in_(data.building_ids or [-1]))
                                         .order_by(Building.community_id, Building.id)))
        if len(buildings) != len(set(data.building_ids)):
            raise _no_target()
        label = "、".join(b.full_name for b in buildings[:6]) + ("…" if len(buildings) > 6 else "")
    if not buildings:
        raise _no_target()
    return buildings, label[:200]


def recipients(building_ids) -> Select:
    """(user_id, household_id) of everyone a notice reaches: residents of the households, and the buildings' heads."""
    residents = (select(RoleAssignment.user_id, RoleAssignment.household_id)
                 .join(Household, Household.id == RoleAssignment.household_id)
                 .join(User, User.id == RoleAssignment.user_id)
                 .where(RoleAssignment.role == Role.RESIDENT, Household.building_id.in_(building_ids),
                        Household.is_deleted.is_(False), User.active.is_(True)))
    heads = (select(RoleAssignment.user_id, cast(literal(None), Integer))
             .join(User, User.id == RoleAssignment.user_id)
             .where(RoleAssignment.role == Role.BUILDING_HEAD, RoleAssignment.building_id.in_(building_ids),
                    User.active.is_(True)))
    both = union_all(residents, heads).subquery()
    return select(both.c[0].label("user_id"), func.max(both.c[1]).label("household_id")).group_by(both.c[0])


@dataclass
class Preview:
    """How far a notice would reach before it is sent."""

    buildings: int
    households: int
    people: int
    devices: int


def preview(session: Session, building_ids: list[int]) -> Preview:
    """Households, people with the app, and subscribed devices in the buildings."""
    households = session.scalar(select(func.count()).select_from(Household).where(
        Household.building_id.in_(building_ids), Household.is_deleted.is_(False))) or 0
    r = recipients(building_ids).subquery()
    people = session.scalar(select(func.count()).select_from(r)) or 0
    devices = session.scalar(select(func.count()).select_from(PushSubscription)
                             .join(r, r.c.user_id == PushSubscription.user_id)) or 0
    return Preview(len(building_ids), households, people, devices)


def phone_channels(data: NoticeIn, urgent: bool) -> sms.Channels:
    """The SMS and calls staff chose for the notice (by urgency unless they chose)."""
    return sms.Channels.chosen(data.phone_channels, urgent, data.sms_per_member)


def phone_estimate(session: Session, data: NoticeIn, building_ids: list[int]) -> sms.Estimate:
    """How many SMS and calls the notice costs at most, and the price (nothing when SMS is off)."""
    return sms.estimate(session, building_ids, recipients(building_ids),
                        phone_channels(data, data.urgency == Urgency.URGENT))


def send_notice(session: Session, sender: User, data: NoticeIn, buildings: list[Building], scope_label: str, *,
                now: datetime, image: Attachment | None = None) -> Notice:
    """Create the notice, its inbox items and (Web Push) one pending delivery per device — one transaction (the outbox).

    `image` is an upload of the sender's shown with the notice.
    """
    hours = data.unread_after_hours if data.unread_after_hours is not None else DEFAULT_UNREAD_HOURS[data.urgency]
    notice = Notice(sender_id=sender.id, title=data.title, body=data.body, urgency=data.urgency, sent_at=now,
                    expires_at=data.expires_at, unread_after_hours=hours, scope_label=scope_label,
                    targets=[NoticeTarget(building_id=b.id) for b in buildings])
    session.add(notice)
    session.flush()
    if image is not None:
        notice.image_upload_id = image.id
        link_attachments(session, [image], "notice", notice.id)
    url = f"/notices/{notice.id}"
    ids = [b.id for b in buildings]
    who = recipients(ids)
    sms.choose(session, notice.id, phone_channels(data, notice.is_urgent))  # read by the SMS channel in post()
    # Everyone it reaches has it in their inbox; who turned normal notices off only gets no push.
    post(session, who, Notification(kind="notice", title=notice.title, body=notice.body, url=url, at=now,
                                    urgent=notice.is_urgent, notice_id=notice.id), mute_inbox=False)
    return notice


def notices_for(session: Session, user: User, limit: int = 50) -> list[Notice]:
    """Notices reaching any building of the user's roles, or sent by them; newest first."""
    from app.auth import scope

    in_scope = select(NoticeTarget.notice_id).where(NoticeTarget.building_id.in_(scope.building_ids(user)))
    return list(session.scalars(select(Notice).where((Notice.id.in_(in_scope)) | (Notice.sender_id == user.id),
                                                     Notice.is_deleted.is_(False))
                                .order_by(Notice.sent_at.desc(), Notice.id.desc()).limit(limit)))


def _receipt(session: Session, notice: Notice, household_id: int) -> NoticeReceipt:
    receipt = session.scalar(select(NoticeReceipt).where(NoticeReceipt.notice_id == notice.id,
                                                         NoticeReceipt.household_id == household_id))
    if receipt is None:
        receipt = NoticeReceipt(notice_id=notice.id, household_id=household_id)
        session.add(receipt)
    return receipt


def mark_read(session: Session, user: User, notice: Notice, *, now: datetime) -> list[NoticeReceipt]:
    """A member opened the notice: their household(s) in its buildings have read it; their inbox item too."""
    from app.auth import scope

    mark_inbox_read(session, user, notice_id=notice.id, now=now)
    own = scope.own_household_ids(user)
    households = session.scalars(select(Household.id).where(Household.id.in_(own or [-1]),
                                                            Household.building_id.in_(notice.building_ids)))
    receipts = []
    for household_id in households:
        receipt = _receipt(session, notice, household_id)
        if receipt.read_at is None:
            receipt.read_at, receipt.read_by_id = now, user.id
        receipts.append(receipt)
    session.flush()
    return receipts


def mark_informed(session: Session, user: User, notice: Notice, household: Household, *, now: datetime,
                  channel: InformChannel = InformChannel.DOOR) -> NoticeReceipt:
    """The head told the household in person (idempotent: the first time counts)."""
    if household.building_id not in notice.building_ids:
        raise Refused(_("This household is not among those the notice reaches."), "invalid")
    receipt = _receipt(session, notice, household.id)
    if receipt.informed_in_person_at is None:
        receipt.informed_in_person_at, receipt.informed_by_id, receipt.channel = now, user.id, channel
    session.flush()
    return receipt


REACH_READ, REACH_INFORMED, REACH_PUSHED, REACH_NOT = "read", "informed", "pushed", "not_reached"
REACH_SMS, REACH_CALL = "sms_delivered", "call_answered"  # the SMS provider's receipts (app/sms)


@dataclass
class ReachRow:
    """One household on the reach page or the door-to-door list."""

    household: Household
    subscribed: bool
    pushed: bool
    read_at: datetime | None
    informed_at: datetime | None
    overdue: bool
    sms_delivered: bool = False
    call_answered: bool = False

    @property
    def status(self) -> str:
        """read, informed, call_answered, sms_delivered, pushed, or not_reached."""
        if self.read_at:
            return REACH_READ
        if self.informed_at:
            return REACH_INFORMED
        if self.call_answered:
            return REACH_CALL
        if self.sms_delivered:
            return REACH_SMS
        return REACH_PUSHED if self.pushed else REACH_NOT

    @property
    def reached(self) -> bool:
        """Read in the app, told in person, or the provider reported the SMS delivered or the call answered."""
        return self.read_at is not None or self.informed_at is not None or self.sms_delivered or self.call_answered

    @property
    def needs_door(self) -> bool:
        """On the door-to-door list: not reached, and no smartphone, no subscription, or unread too long."""
        return not self.reached and (self.household.no_smartphone or not self.subscribed or self.overdue)


def unread_deadline(notice: Notice) -> datetime:
    """When an unread household goes on the door-to-door list."""
    return notice.sent_at + timedelta(hours=notice.unread_after_hours)


def reach(session: Session, notice: Notice, *, now: datetime, building_ids: list[int] | None = None) -> list[ReachRow]:
    """Each household of the notice's buildings (or of `building_ids` among them) and how it was reached."""
    ids = [b for b in notice.building_ids if building_ids is None or b in building_ids]
    households = list(session.scalars(select(Household).join(Building)
                                      .where(Household.building_id.in_(ids or [-1]), Household.is_deleted.is_(False))
                                      .order_by(Building.id, Household.unit, Household.room)))
    subscribed = set(session.scalars(
        select(RoleAssignment.household_id).join(PushSubscription, PushSubscription.user_id == RoleAssignment.user_id)
        .join(Household, Household.id == RoleAssignment.household_id)
        .where(RoleAssignment.role == Role.RESIDENT, Household.building_id.in_(ids or [-1])).distinct()))
    pushed = set(session.scalars(
        select(Delivery.household_id).join(PushMessage, PushMessage.id == Delivery.message_id)
        .where(PushMessage.notice_id == notice.id, Delivery.status == DeliveryStatus.SENT,
               Delivery.household_id.is_not(None)).distinct()))
    receipts = {r.household_id: r for r in session.scalars(
        select(NoticeReceipt).where(NoticeReceipt.notice_id == notice.id))}
    overdue = now >= unread_deadline(notice)
    by_sms, by_call = sms_reached(session, notice.id)
    rows = []
    for h in households:
        r = receipts.get(h.id)
        rows.append(ReachRow(h, h.id in subscribed, h.id in pushed, r.read_at if r else None,
                             r.informed_in_person_at if r else None, overdue, h.id in by_sms, h.id in by_call))
    return rows


def reach_counts(rows: list[ReachRow]) -> dict[str, int]:
    """Totals for the reach page (S11: 168 households, 79 subscribed …)."""
    counts = {"households": len(rows), "subscribed": sum(r.subscribed for r in rows),
              "pushed": sum(r.pushed for r in rows), "read": sum(r.read_at is not None for r in rows),
              "informed": sum(r.informed_at is not None and r.read_at is None for r in rows),
              "no_smartphone": sum(r.household.no_smartphone for r in rows),
              "sms_delivered": sum(r.sms_delivered for r in rows), "call_answered": sum(r.call_answered for r in rows)}
    counts["not_reached"] = sum(not r.reached for r in rows)
    counts["reached"] = counts["households"] - counts["not_reached"]
    return counts


def door_list(session: Session, user: User, notice: Notice, *, now: datetime) -> list[ReachRow]:
    """The head's households to knock on: not reached, and flagged (no smartphone, no push, unread too long)."""
    from app.auth import scope

    mine = list(session.scalars(scope.managed_building_ids(user).where(Building.id.in_(notice.building_ids))))
    return [r for r in reach(session, notice, now=now, building_ids=mine) if r.needs_door]


def open_door_lists(session: Session, user: User, *, now: datetime, limit: int = 20) -> list[tuple[Notice, int]]:
    """Recent, unexpired notices to the user's buildings and how many households are left to knock on."""
    from app.auth import scope

    managed = scope.managed_building_ids(user)
    notices = list(session.scalars(
        select(Notice).where(Notice.id.in_(select(NoticeTarget.notice_id).where(NoticeTarget.building_id.in_(managed))),
                             Notice.is_deleted.is_(False), Notice.sent_at >= now - timedelta(days=30),
                             or_(Notice.expires_at.is_(None), Notice.expires_at > now))
        .order_by(Notice.sent_at.desc()).limit(limit)))
    return [(n, len(door_list(session, user, n, now=now))) for n in notices]


def urgency_default_hours(urgency: Urgency) -> float:
    """Hours before an unread household goes on the door list, by urgency."""
    return DEFAULT_UNREAD_HOURS[urgency]
