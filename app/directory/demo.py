"""Demo directories: every demo building gets its staff in charge, 12345, and 芳群园一区 its legal-service specialist."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.registry import DemoWorld, demo_loader
from app.directory.models import DirectoryEntry, EntryKind
from app.directory.services import add_entry

# The community staff account in charge of each community's buildings (包楼居干), by phone.
STAFF_IN_CHARGE = {"芳群园一区": "13800000002", "芳群园三区": "13800000008"}
# 法律服务专员: a lawyer who keeps office hours at the community service station (invented).
LEGAL = {"芳群园一区": ("刘律师(周三上午在社区服务站)", "010-67610012")}


@demo_loader
def load_directories(session: Session, world: DemoWorld) -> None:
    """Each demo building's typed entries, once (a building that has any is left as it is)."""
    for (community, _name), building in world.buildings.items():
        if session.scalar(select(DirectoryEntry.id).where(DirectoryEntry.building_id == building.id).limit(1)):
            continue
        staff = world.users.get(STAFF_IN_CHARGE.get(community, ""))
        if staff is not None:
            add_entry(session, building, kind=EntryKind.STAFF, label="", name="", phone="", user=staff)
        if community in LEGAL:
            name, phone = LEGAL[community]
            add_entry(session, building, kind=EntryKind.LEGAL, label="", name=name, phone=phone, user=None)
        add_entry(session, building, kind=EntryKind.HOTLINE, label="", name="北京市民热线", phone="12345", user=None)
    session.flush()
