"""Who may set up what: every page action, who may, and who gets 403 with nothing changed."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import Building, Community, Department, Room, Street
from tests.organisation.conftest import snapshot

WHO = ("admin", "street", "other_street", "staff", "other_staff", "head", "resident", "department")


def _workbook() -> bytes:
    book = Workbook()
    book.active.title = "社区"
    book.active.append(["名称", "反馈时限小时"])
    book.active.append(["芳群园二区", 24])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# action -> (the form it posts, the roles that may)
ACTIONS = {
    "street.create": (lambda o: ("/organisation/streets/new", {"name": "新街道", "district": "丰台区"}), {"admin"}),
    "street.save": (lambda o: (f"/organisation/streets/{o.street.id}", {"name": "方庄街道", "district": "丰台"}),
                    {"admin", "street"}),
    "community.create": (lambda o: (f"/organisation/streets/{o.street.id}/communities/new",
                                    {"name": "芳群园二区", "feedback_hours": "24"}), {"admin", "street"}),
    "community.save": (lambda o: (f"/organisation/communities/{o.community.id}",
                                  {"name": "芳群园一区", "feedback_hours": "6"}), {"admin", "street"}),
    "community.categories": (lambda o: (f"/organisation/communities/{o.community.id}/categories",
                                        {"categories-categories": ["repairs", "elevator"]}), {"admin", "street"}),
    "building.create": (lambda o: (f"/organisation/communities/{o.community.id}/buildings/new",
                                   {"name": "7号楼", "address": "", "property_department_id": "0"}),
                        {"admin", "street", "staff"}),
    "building.save": (lambda o: (f"/organisation/buildings/{o.building.id}",
                                 {"name": "6号楼", "address": "新地址", "property_department_id": str(o.company.id)}),
                      {"admin", "street", "staff"}),
    "rooms.generate": (lambda o: (f"/organisation/buildings/{o.building.id}/rooms/generate",
                                  {"generate-units": "3门", "generate-floors": "2", "generate-per_floor": "2"}),
                       {"admin", "street", "staff"}),
    "room.add": (lambda o: (f"/organisation/buildings/{o.building.id}/rooms",
                            {"room-unit": "1门", "room-floor": "2", "room-number": "201"}), {"admin", "street", "staff"}),
    "room.renumber": (lambda o: (f"/organisation/rooms/{_room(o, '2门', '103')}",
                                 {"unit": "2门", "floor": "1", "number": "104"}), {"admin", "street", "staff"}),
    "room.remove": (lambda o: (f"/organisation/rooms/{_room(o, '2门', '102')}/remove", {}), {"admin", "street", "staff"}),
    "department.create": (lambda o: (f"/organisation/streets/{o.street.id}/departments/new",
                                     {"name": "城管执法队", "kind": "city", "duty_phone": "010-1"}), {"admin", "street"}),
    "department.save": (lambda o: (f"/organisation/departments/{o.company.id}",
                                   {"name": "方庄物业", "kind": "property", "duty_phone": "010-2"}), {"admin", "street"}),
    "department.buildings": (lambda o: (f"/organisation/departments/{o.company.id}/buildings",
                                        {"served-building_ids": [str(o.building.id)]}), {"admin", "street"}),
    "import": (lambda o: ("/organisation/import", {"street_id": str(o.street.id),
                                                   "files": (io.BytesIO(_workbook()), "org.xlsx")}), {"admin", "street"}),
}


def _room(org, unit: str, number: str) -> int:
    return db.session.scalar(select(Room.id).where(Room.building_id == org.building.id, Room.unit == unit,
                                                   Room.number == number))


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_matrix(action, who, org, people, client, login):
    """Those who may get their change (a redirect or the import's preview); the others 403 and nothing changed."""
    form, allowed = ACTIONS[action]
    token = login(people[who])
    url, data = form(org)
    before = snapshot()
    response = client.post(url, data={**data, "csrf_token": token, "categories-csrf_token": token,
                                      "generate-csrf_token": token, "room-csrf_token": token, "served-csrf_token": token},
                           content_type="multipart/form-data")
    if who in allowed:
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:800]
        if action == "import":
            assert "芳群园二区" in response.get_data(as_text=True)  # the preview; writing waits for the confirmation
        else:
            assert snapshot() != before, "the allowed change was not made"
            flashes = client.get("/").get_data(as_text=True)
            assert "flash-error" not in flashes
    else:
        assert response.status_code == 403
        assert snapshot() == before


def test_the_admin_alone_sees_every_street_and_street_offices_their_own(org, people, client, login):
    """The index: the admin lists every street; a street office goes straight to its own; staff to their community."""
    login(people["admin"])
    page = client.get("/organisation/").get_data(as_text=True)
    assert "方庄地区" in page and "右安门街道" in page
    login(people["other_street"])
    assert client.get("/organisation/").headers["Location"].endswith(f"/organisation/streets/{org.other_street.id}")
    assert client.get(f"/organisation/streets/{org.street.id}").status_code == 403
    login(people["staff"])
    assert client.get("/organisation/").headers["Location"].endswith(f"/organisation/communities/{org.community.id}")
    page = client.get(f"/organisation/communities/{org.community.id}").get_data(as_text=True)
    assert "6号楼" in page and "categories-categories" not in page  # buildings, not the community's settings
    for who in ("head", "resident", "department"):
        login(people[who])
        assert client.get("/organisation/").status_code == 403
        assert client.get(f"/organisation/buildings/{org.building.id}").status_code == 403


def test_nothing_written_counts(org, people):
    """The fixture itself: one of each, so the matrix's 'changed' means the action's own change."""
    assert db.session.scalar(select(func.count()).select_from(Street)) == 2
    assert db.session.scalar(select(func.count()).select_from(Community)) == 2
    assert db.session.scalar(select(func.count()).select_from(Building)) == 1
    assert db.session.scalar(select(func.count()).select_from(Department)) == 1
