"""Demo conventions: S3 (芳群园三区 24号楼, votes in, the head goes door to door) and 6号楼 (for care-mode voting)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.conventions.models import Convention, ConventionStatus
from app.conventions.services import add_comment, cast_vote, draft_convention, open_discussion, open_vote
from app.demo.registry import DemoWorld, demo_loader
from app.models import Household, Role, RoleAssignment, User

TITLE = "24号楼楼门公约"
TEXT = ("一、不高空抛物,窗台不摆放花盆。\n二、楼道不堆放杂物,电动车不进楼、不在楼道充电。\n"
        "三、爱护电梯和公共设施,发现损坏及时报告楼长。\n四、邻里和睦,晚十点后不大声喧哗。")
SIX_TITLE = "6号楼楼门公约"
SIX_TEXT = ("一、电动车不进楼道,统一到车棚充电。\n二、楼道里不堆放杂物,保持消防通道畅通。\n"
            "三、邻里互相照应,独居老人家门口多看一眼。")


def _in_voting(session: Session, world: DemoWorld, where: tuple[str, str], head_phone: str, title: str, text: str,
               *, drafted_days_ago: int, opened_days_ago: int, closes_in_days: int,
               comment: str | None = None) -> Convention | None:
    """A convention drafted by the building's head, discussed, and in voting now; None if loaded before."""
    building, head = world.buildings.get(where), world.users.get(head_phone)
    if building is None or head is None:
        return None
    if session.scalar(select(Convention).where(Convention.building_id == building.id, Convention.title == title)):
        return None
    now = utcnow()
    convention = draft_convention(session, head, building, title, text, now=now - timedelta(days=drafted_days_ago))
    open_discussion(session, head, convention, now=now - timedelta(days=drafted_days_ago - 1))
    if comment:
        add_comment(session, head, convention, comment, now=now - timedelta(days=drafted_days_ago - 2))
    opened = now - timedelta(days=opened_days_ago)
    open_vote(session, head, convention, opens_at=opened, closes_at=now + timedelta(days=closes_in_days), now=opened)
    return convention


@demo_loader
def load_conventions(session: Session, world: DemoWorld) -> None:
    """A convention of 24号楼 in voting, with a comment and a few votes (idempotent)."""
    convention = _in_voting(session, world, ("芳群园三区", "24号楼"), "13800000007", TITLE, TEXT,
                            drafted_days_ago=10, opened_days_ago=2, closes_in_days=5,
                            comment="花盆可以放在窗台内侧,建议写清楚。")
    if convention is None:
        return
    building, head, now = convention.building, convention.created_by, utcnow()
    households = list(session.scalars(select(Household).where(Household.building_id == building.id)
                                      .order_by(Household.id)))
    for index, household in enumerate(households[:3]):
        voter = session.scalar(select(User).join(RoleAssignment).where(
            RoleAssignment.role == Role.RESIDENT, RoleAssignment.household_id == household.id))
        choice = "no" if index == 2 else "yes"
        if voter is not None:
            cast_vote(session, voter, household, convention, choice, channel="online", now=now - timedelta(days=1))
        else:
            cast_vote(session, head, household, convention, choice, channel="door_to_door", now=now - timedelta(days=1))
    assert convention.status == ConventionStatus.VOTING



@demo_loader
def load_six_vote(session: Session, world: DemoWorld) -> None:
    """6号楼 votes too: 潘大爷 (care mode) votes here with three big buttons (idempotent)."""
    _in_voting(session, world, ("芳群园一区", "6号楼"), "13800000003", SIX_TITLE, SIX_TEXT,
               drafted_days_ago=6, opened_days_ago=1, closes_in_days=13)
