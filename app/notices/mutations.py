"""What devices download of notices and receipts for offline use, and how those look to them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import scope
from app.models import Household, User
from app.notices.models import Notice, NoticeReceipt, NoticeTarget
from app.sync.registry import pull_source


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
