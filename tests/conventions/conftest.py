"""A building of 6 households with residents, a head, staff, and a convention in voting."""
from datetime import timedelta

import pytest

from app.clock import utcnow
from app.conventions.services import draft_convention, open_discussion, open_vote
from app.extensions import db
from app.models import Role
from tests.push.fixtures import push_service, push_service_session, subscribe_device  # noqa: F401 — fixtures


@pytest.fixture
def s3(make_building, make_household, make_user, frozen_clock):
    """24号楼 in miniature: 6 households (residents in 5; household 0 has two accounts), head, staff, outsider."""
    building = make_building("24号楼")
    households = [make_household(building, unit="1门", room=f"{i}01") for i in range(1, 7)]
    residents = [make_user(Role.RESIDENT, h, name=f"居民{i}") for i, h in enumerate(households[:5])]
    spouse = make_user(Role.RESIDENT, households[0], name="居民0的老伴")
    head = make_user(Role.BUILDING_HEAD, building, name="郑楼长")
    staff = make_user(Role.STAFF, building.community, name="王社工")
    other_building = make_building("9号楼", community=building.community)
    outsider_home = make_household(other_building, room="901")
    outsider = make_user(Role.RESIDENT, outsider_home, name="外楼居民")
    other_head = make_user(Role.BUILDING_HEAD, other_building, name="别楼楼长")
    now = utcnow()
    convention = draft_convention(db.session, head, building, "24号楼楼门公约", "不高空抛物,窗台不摆花盆。", now=now)
    open_discussion(db.session, head, convention, now=now)
    open_vote(db.session, head, convention, opens_at=now, closes_at=now + timedelta(days=7), now=now)
    db.session.commit()
    return type("S3", (), {"building": building, "households": households, "residents": residents,
                           "spouse": spouse, "head": head, "staff": staff, "outsider": outsider,
                           "outsider_home": outsider_home, "other_head": other_head, "convention": convention,
                           "clock": frozen_clock, "closes_at": now + timedelta(days=7)})
