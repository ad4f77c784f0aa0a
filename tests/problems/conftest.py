"""A small street for the problem loop: a building with a household, and one person per role."""
from dataclasses import dataclass

import pytest

from app.extensions import db
from app.models import Department, DepartmentKind, Household, Role, User
from tests.push.fixtures import push_service, push_service_session, subscribe_device  # noqa: F401 — fixtures


@dataclass
class World:
    household: Household
    other_household: Household
    resident: User
    neighbour: User
    head: User
    staff: User
    street: User
    police: User
    departments: dict


@pytest.fixture
def world(make_building, make_household, make_user):
    building = make_building("6号楼")
    home = make_household(building, unit="6门", room="302")
    elsewhere = make_household(make_building("24号楼"), room="101")
    departments = {}
    for name in ("城管执法队", "食药监所", "工商所", "方庄派出所"):
        departments[name] = Department(name=name, kind=DepartmentKind.CITY)
        db.session.add(departments[name])
    db.session.commit()
    return World(
        household=home, other_household=elsewhere,
        resident=make_user(Role.RESIDENT, home, name="李居民"),
        neighbour=make_user(Role.RESIDENT, make_household(building, unit="7门", room="101"), name="王邻居"),
        head=make_user(Role.BUILDING_HEAD, building, name="孙楼长"),
        staff=make_user(Role.STAFF, building.community, name="钱书记"),
        street=make_user(Role.STREET, building.community.street, name="赵街道"),
        police=make_user(Role.DEPARTMENT, departments["方庄派出所"], name="派出所民警"),
        departments=departments,
    )
