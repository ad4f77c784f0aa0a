"""Demo joining: a neighbour of 6号楼 waits for 孙楼长's approval (so the review page has someone on it)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.registry import DemoWorld, demo_loader
from app.joining.models import JoinRequest, JoinStatus
from app.models import Room

DEMO_PHONE = "13900000601"  # not one of the demo accounts (13800000000–09)


@demo_loader
def load_join_request(session: Session, world: DemoWorld) -> None:
    """王秀英 asks to join 芳群园一区 6号楼 for 6门 302, where 李居民 lives (the ledger shows the household)."""
    building = world.buildings.get(("芳群园一区", "6号楼"))
    if building is None or session.scalar(select(JoinRequest.id).where(JoinRequest.phone == DEMO_PHONE)):
        return
    room = session.scalar(select(Room).where(Room.building_id == building.id, Room.unit == "6门", Room.number == "302"))
    if room is None:
        return
    session.add(JoinRequest(building_id=building.id, room_id=room.id, name="王秀英", phone=DEMO_PHONE,
                            password_hash=None, wants_card=True, status=JoinStatus.PENDING))
    session.flush()
