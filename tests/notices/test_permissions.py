"""Who may compose, send to a building, follow a notice's reach and mark a household told."""
import pytest

from app.auth.permissions import can
from app.clock import utcnow
from app.extensions import db
from app.models import Role
from app.notices.schemas import NoticeIn
from app.notices.services import resolve_targets, send_notice

# role -> (compose, send to own building, send elsewhere, view, reach, inform own building's household)
MATRIX = {
    "resident": (False, False, False, True, False, False),
    "building_head": (False, False, False, True, True, True),
    "staff": (True, True, False, True, True, True),
    "street": (True, True, False, True, True, True),
    "other_head": (False, False, False, False, False, False),
    "admin": (True, True, True, True, True, True),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix(who, make_building, make_household, make_user):
    building = make_building("28号楼")
    household = make_household(building)
    elsewhere = make_building("1号楼")
    sender = make_user(Role.STAFF, building.community)
    data = NoticeIn(title="粉刷楼道", body="9月23日粉刷。", building_ids=[building.id])
    buildings, label = resolve_targets(db.session, data)
    notice = send_notice(db.session, sender, data, buildings, label, now=utcnow())
    db.session.commit()
    scope = {"resident": household, "building_head": building, "staff": building.community,
             "street": building.community.street, "other_head": elsewhere, "admin": None}[who]
    role = {"other_head": Role.BUILDING_HEAD}.get(who, who)
    user = make_user(role, scope)

    got = (can(user, "notice.compose"), can(user, "notice.send", [building.id]),
           can(user, "notice.send", [building.id, elsewhere.id]), can(user, "notice.view", notice),
           can(user, "notice.reach", notice), can(user, "notice.inform", household))
    assert got == MATRIX[who]
