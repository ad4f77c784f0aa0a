"""A street to set up, and the people who may or may not set it up."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Building, Community, Department, DepartmentKind, Household, Role, Room, Street, User


@dataclass
class Org:
    """A street with one community, one building of six rooms (one on record) and a property company."""

    street: Street
    other_street: Street
    community: Community
    building: Building
    company: Department
    household: Household


@pytest.fixture
def org() -> Org:
    """方庄地区 with 芳群园一区 6号楼 (1门 101–103, 2门 101–103; 1门 101 on record), and another street."""
    street = Street(name="方庄地区", district="丰台区")
    other = Street(name="右安门街道", district="丰台区")
    community = Community(street=street, name="芳群园一区")
    company = Department(name="方庄物业服务中心", kind=DepartmentKind.PROPERTY)
    building = Building(community=community, name="6号楼", address="方庄芳群园一区6号楼")
    db.session.add_all([street, other, community, building])
    db.session.flush()
    company.street_id = street.id
    db.session.add(company)
    for unit in ("1门", "2门"):
        for number in ("101", "102", "103"):
            db.session.add(Room(building_id=building.id, unit=unit, floor=1, number=number))
    household = Household(building=building, unit="1门", room="101", floor=1)
    db.session.add(household)
    db.session.commit()
    return Org(street, other, community, building, company, household)


@pytest.fixture
def people(org, make_user, make_building) -> dict[str, User]:
    """One account per role that matters here: the street's, another street's, staff, head, resident, department."""
    elsewhere = Community(street=org.other_street, name="右安门社区")
    db.session.add(elsewhere)
    db.session.commit()
    return {
        "admin": make_user(Role.ADMIN),
        "street": make_user(Role.STREET, org.street),
        "other_street": make_user(Role.STREET, org.other_street),
        "staff": make_user(Role.STAFF, org.community),
        "other_staff": make_user(Role.STAFF, elsewhere),
        "head": make_user(Role.BUILDING_HEAD, org.building),
        "resident": make_user(Role.RESIDENT, org.household),
        "department": make_user(Role.DEPARTMENT, org.company),
    }


def snapshot() -> dict:
    """Every row of the organisation's tables, to show that nothing changed."""
    db.session.expire_all()
    tables = (Street, Community, Building, Room, Department, Household)
    return {model.__tablename__: [tuple(getattr(r, c.key) for c in model.__table__.columns if c.key not in ("updated_at",))
                                  for r in db.session.scalars(select(model).order_by(model.id))] for model in tables}
