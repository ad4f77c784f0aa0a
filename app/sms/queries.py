"""Reads for the SMS page: opt-outs and usage per month and community."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import to_local
from app.models import Community, User
from app.sms.models import SmsDelivery, SmsKind, SmsOptOut, SmsStatus

SENT = (SmsStatus.SENT, SmsStatus.DELIVERED, SmsStatus.UNDELIVERED)


@dataclass(frozen=True)
class Usage:
    """One community's SMS and calls in one month (Asia/Shanghai), and what they cost."""

    month: str  # "2026-12"
    community: str
    sms: int
    calls: int
    price_fen: int


def opt_outs(session: Session) -> list[tuple[SmsOptOut, str]]:
    """Every opted-out number, newest first, with the name of the account it belongs to ('' if none)."""
    rows = session.execute(select(SmsOptOut, User.name).outerjoin(User, User.phone == SmsOptOut.phone)
                           .order_by(SmsOptOut.created_at.desc()))
    return [(row[0], row[1] or "") for row in rows]


def usage(session: Session, community_ids: list[int]) -> list[Usage]:
    """SMS and calls sent per month and community (of those given), newest month first."""
    rows = session.execute(
        select(SmsDelivery.sent_at, Community.name, SmsDelivery.kind, SmsDelivery.price_fen)
        .join(Community, Community.id == SmsDelivery.community_id)
        .where(SmsDelivery.status.in_(SENT), SmsDelivery.community_id.in_(community_ids or [-1])))
    totals: dict[tuple[str, str], list[int]] = {}
    for sent_at, name, kind, price in rows:
        month = to_local(sent_at).strftime("%Y-%m")
        counts = totals.setdefault((month, name), [0, 0, 0])
        counts[0 if kind == SmsKind.SMS else 1] += 1
        counts[2] += price
    return [Usage(month, name, *counts) for (month, name), counts in sorted(totals.items(), reverse=True)]


def counts(session: Session, notice_id: int) -> dict[str, int]:
    """A notice's SMS and calls by status (for its reach report)."""
    rows = session.execute(select(SmsDelivery.kind, SmsDelivery.status, func.count())
                           .where(SmsDelivery.notice_id == notice_id).group_by(SmsDelivery.kind, SmsDelivery.status))
    return {f"{kind}.{status}": n for kind, status, n in rows}


def reached(session: Session, notice_id: int) -> tuple[set[int], set[int]]:
    """The households whose SMS was delivered, and those whose call was answered (the provider's receipts)."""
    rows = session.execute(select(SmsDelivery.kind, SmsDelivery.household_id)
                           .where(SmsDelivery.notice_id == notice_id, SmsDelivery.status == SmsStatus.DELIVERED,
                                  SmsDelivery.household_id.is_not(None)).distinct())
    sms, calls = set(), set()
    for kind, household_id in rows:
        (sms if kind == SmsKind.SMS else calls).add(household_id)
    return sms, calls
