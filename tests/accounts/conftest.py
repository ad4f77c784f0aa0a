"""A street with two communities and a second street, departments, and one person per role."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models import Community, Department, DepartmentKind, Role, RoleAssignment


@pytest.fixture
def town(make_building, make_household, make_user):
    """方庄 (芳群园一区 with 6号楼 and 8号楼, 芳群园三区 with 24号楼) and another street, with their people."""
    b6 = make_building("6号楼")
    street = b6.community.street
    street.name, b6.community.name = "方庄地区", "芳群园一区"
    b8 = make_building("8号楼", community=b6.community)
    other_community = Community(street=street, name="芳群园三区")
    db.session.add(other_community)
    b24 = make_building("24号楼", community=other_community)
    far = make_building("1号楼")  # another street
    city = Department(name="城管执法队", kind=DepartmentKind.CITY, street_id=street.id)
    elsewhere = Department(name="别处城管", kind=DepartmentKind.CITY, street_id=far.community.street_id)
    db.session.add_all([city, elsewhere])
    db.session.commit()
    h302, h303, h201 = (make_household(b6, room=r) for r in ("302", "303", "201"))
    h101 = make_household(b24, room="101")
    head = make_user(Role.BUILDING_HEAD, b6, name="孙楼长", phone="13800000003")
    head.roles.append(RoleAssignment(role=Role.RESIDENT, household=h201))
    db.session.commit()
    t = SimpleNamespace(
        street=street, community=b6.community, other_community=other_community, b6=b6, b8=b8, b24=b24, far=far,
        city=city, elsewhere=elsewhere, h302=h302, h303=h303, h201=h201, h101=h101,
        admin=make_user(Role.ADMIN, name="系统管理员", phone="13800000000"),
        street_user=make_user(Role.STREET, street, name="赵街道", phone="13800000001"),
        other_street=make_user(Role.STREET, far.community.street, name="别街道"),
        staff=make_user(Role.STAFF, b6.community, name="钱书记", phone="13800000002"),
        other_staff=make_user(Role.STAFF, other_community, name="王社工", phone="13800000008"),
        head=head,
        resident=make_user(Role.RESIDENT, h302, name="李居民", phone="13800000004"),
        department=make_user(Role.DEPARTMENT, city, name="周城管", phone="13800000005"),
        neighbour=make_user(Role.RESIDENT, h303, name="刘邻居", phone="13900000303"),
        far_resident=make_user(Role.RESIDENT, h101, name="远居民", phone="13900000101"),
    )
    return t
