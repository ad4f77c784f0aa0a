"""Fixtures for notices tests: S11's building, and the same local push service and devices as tests/push."""
import pytest

from app.extensions import db
from app.models import Role
from tests.push.fixtures import push_service, push_service_session, subscribe_device  # noqa: F401 — fixtures


@pytest.fixture
def s11(make_building, make_household, make_user, subscribe_device):  # noqa: F811 — the fixture imported above
    """光熙门北里北 28号楼 in miniature: 8 households, 3 with phones subscribed, 1 with no smartphone."""
    building = make_building("28号楼")
    households = [make_household(building, unit="1门", room=f"{i:03d}") for i in range(1, 9)]
    households[7].no_smartphone = True
    db.session.commit()
    residents = [make_user(Role.RESIDENT, h, name=f"居民{i}") for i, h in enumerate(households[:5])]
    for r in residents[:3]:
        subscribe_device(r)
    staff = make_user(Role.STAFF, building.community, name="社工")
    head = make_user(Role.BUILDING_HEAD, building, name="楼长")
    other = make_building("1号楼")  # another street entirely
    return type("S11", (), {"building": building, "households": households, "residents": residents, "staff": staff,
                            "head": head, "other": other})
