"""Offline writes of notices (read, informed in person) and what devices download."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import scope
from app.auth.permissions import require
from app.models import Household, User
from app.notices.models import Notice, NoticeReceipt, NoticeTarget
from app.notices.schemas import NoticeInformedIn, NoticeReadIn
from app.notices.services import TargetError, mark_informed, mark_read
from app.sync.registry import MutationContext, Rejected, mutation, pull_source


def _notice(ctx: MutationContext, notice_id: int) -> Notice:
    notice = ctx.session.get(Notice, notice_id)
    if notice is None or notice.is_deleted:
        raise Rejected(_("This notice no longer exists."), "not_found")
    return notice


@mutation("notice.read", NoticeReadIn)
def notice_read(ctx: MutationContext, data: NoticeReadIn) -> dict:
    """A member opened the notice (perhaps offline): their household has read it."""
    notice = _notice(ctx, data.notice_id)
    require(ctx.user, "notice.view", notice)
    receipts = mark_read(ctx.session, ctx.user, notice, now=ctx.client_time or ctx.now)
    return {"notice_id": notice.id, "households": [r.household_id for r in receipts]}


@mutation("notice.informed", NoticeInformedIn)
def notice_informed(ctx: MutationContext, data: NoticeInformedIn) -> dict:
    """The building head knocked and told the household (上门告知), recorded at the door, offline too."""
    notice = _notice(ctx, data.notice_id)
    household = ctx.session.get(Household, data.household_id)
    if household is None or household.is_deleted:
        raise Rejected(_("This household is not in the ledger."), "not_found")
    require(ctx.user, "notice.inform", household)
    try:
        receipt = mark_informed(ctx.session, ctx.user, notice, household, now=ctx.client_time or ctx.now,
                                channel=data.channel)
    except TargetError as exc:
        raise Rejected(str(exc)) from None
    return receipt_json(receipt)


def receipt_json(receipt: NoticeReceipt) -> dict:
    """A receipt as devices see it."""
    return {"id": receipt.id, "notice_id": receipt.notice_id, "household_id": receipt.household_id,
            "read_at": receipt.read_at.isoformat() if receipt.read_at else None,
            "informed_at": receipt.informed_in_person_at.isoformat() if receipt.informed_in_person_at else None,
            "channel": receipt.channel.value if receipt.channel else None}


def notice_json(notice: Notice) -> dict:
    """A notice as devices keep it for reading offline."""
    return {"id": notice.id, "title": notice.title, "body": notice.body, "urgency": notice.urgency.value,
            "scope": notice.scope_label, "sent_at": notice.sent_at.isoformat(),
            "expires_at": notice.expires_at.isoformat() if notice.expires_at else None,
            "buildings": notice.building_ids, "url": f"/notices/{notice.id}", "deleted": notice.is_deleted}


@pull_source("notices")
def changed_notices(session: Session, user: User, since: int, until: int) -> list[dict]:
    """Notices to any building my roles reach."""
    in_scope = select(NoticeTarget.notice_id).where(NoticeTarget.building_id.in_(scope.building_ids(user)))
    notices = session.scalars(select(Notice).where(Notice.change_seq > since, Notice.change_seq <= until,
                                                   Notice.id.in_(in_scope)).order_by(Notice.id))
    return [notice_json(n) for n in notices]


@pull_source("notice_receipts")
def changed_receipts(session: Session, user: User, since: int, until: int) -> list[dict]:
    """Receipts of the households in the buildings I manage (for the door-to-door list offline)."""
    rows = session.scalars(select(NoticeReceipt).join(Household, Household.id == NoticeReceipt.household_id)
                           .where(NoticeReceipt.change_seq > since, NoticeReceipt.change_seq <= until,
                                  Household.building_id.in_(scope.managed_building_ids(user)))
                           .order_by(NoticeReceipt.id))
    return [receipt_json(r) for r in rows]
