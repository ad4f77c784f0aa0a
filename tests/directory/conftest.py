"""A building with a directory: its head, the property company, staff in charge, legal help and 12345; and people around it."""
from __future__ import annotations

import pytest

from app.directory.models import DirectoryEntry, EntryKind
from app.extensions import db
from app.models import Department, DepartmentKind, Role


@pytest.fixture
def six(make_building, make_household, make_user):
    """芳群园一区 6号楼 with a full directory, and one person per role in and around it."""
    building = make_building("6号楼")
    company = Department(name="方庄物业服务中心", kind=DepartmentKind.PROPERTY, duty_phone="010-67610001")
    db.session.add(company)
    building.property_department = company
    elsewhere = make_building("24号楼")  # another street, another community
    people = {
        "resident": make_user(Role.RESIDENT, make_household(building, room="302"), name="李居民"),
        "head": make_user(Role.BUILDING_HEAD, building, name="孙楼长", phone="13800000003"),
        "staff": make_user(Role.STAFF, building.community, name="钱书记", phone="13800000002"),
        "other_staff": make_user(Role.STAFF, elsewhere.community, name="王社工"),
        "street": make_user(Role.STREET, building.community.street),
        "department": make_user(Role.DEPARTMENT, company, name="吴物业"),
        "admin": make_user(Role.ADMIN),
        "outsider": make_user(Role.RESIDENT, make_household(elsewhere, room="101"), name="别楼居民"),
    }
    db.session.add_all([
        DirectoryEntry(building=building, kind=EntryKind.STAFF, user=people["staff"], position=1),
        DirectoryEntry(building=building, kind=EntryKind.LEGAL, name="刘律师", phone="010-67610012", position=2),
        DirectoryEntry(building=building, kind=EntryKind.HOTLINE, name="北京市民热线", phone="12345", position=3),
    ])
    db.session.commit()
    return {"building": building, "elsewhere": elsewhere, **people}


def entry_named(name: str) -> DirectoryEntry | None:
    """The typed entry with this name, as the database has it now."""
    db.session.rollback()
    return db.session.query(DirectoryEntry).filter_by(name=name).one_or_none()


def entries_snapshot(building_id: int) -> list[tuple]:
    """Every typed entry of the building as rows, to show nothing changed."""
    db.session.rollback()
    return [(e.id, e.kind, e.label, e.name, e.phone, e.user_id, e.position)
            for e in db.session.query(DirectoryEntry).filter_by(building_id=building_id).order_by(DirectoryEntry.id)]
