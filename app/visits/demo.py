"""Demo visits: S8 (a lonely elderly man, a referral and a follow-up) and routine rounds."""
from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.commands import Context
from app.demo.registry import DemoWorld, demo_loader
from app.models import Household
from app.visits.commands import report_need
from app.visits.models import NeedStatus, Visit, VisitKind, VisitNeed

NAMESPACE = uuid.UUID("6f1c1d4e-2b1a-4c55-9a31-5c0a0e4d2a10")


def _uuid(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


@demo_loader
def load_visits(session: Session, world: DemoWorld) -> None:
    """S8 at 6号楼 7门 101, and a routine round of half of 6号楼 over the last two months."""
    head = world.users.get("13800000003")
    building = world.buildings.get(("芳群园一区", "6号楼"))
    if head is None or building is None:
        return
    now = utcnow()
    households = session.scalars(select(Household).where(Household.building_id == building.id)
                                 .order_by(Household.unit, Household.room)).all()
    lonely = next((h for h in households if h.unit == "7门" and h.room == "101"), None)
    if lonely is not None and session.scalar(select(Visit).where(Visit.uuid == _uuid("s8"))) is None:
        visit = Visit(uuid=_uuid("s8"), household=lonely, visitor=head, visited_at=now - timedelta(days=3),
                      kind=VisitKind.ELDERLY_CARE, follow_up_on=(now + timedelta(days=4)).date(),
                      notes="潘大爷子女在外地,打电话说一个人闷得慌。聊了一个小时,约好下周再来。")
        visit.needs = [
            VisitNeed(text="想有人常来说说话", status=NeedStatus.REFERRED, referral="附近养老驿站的陪伴服务"),
            VisitNeed(text="卫生间扶手松了", status=NeedStatus.TO_REPORT),
        ]
        session.add(visit)
        session.flush()
        report_need(Context(session=session, user=head, now=now), visit.needs[1], category="repairs")  # 扶手 → a problem report
    for index, household in enumerate(households[::2]):
        key = _uuid(f"routine-{household.id}")
        if session.scalar(select(Visit).where(Visit.uuid == key)) is None:
            session.add(Visit(uuid=key, household=household, visitor=head, kind=VisitKind.ROUTINE,
                              visited_at=now - timedelta(days=5 + index * 4), notes="例行走访,一切正常。"))
    session.flush()
