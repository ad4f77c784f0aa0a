"""What the set-up pages show: buildings and rooms in the order people count them, forms that say what is wrong."""
from __future__ import annotations

from app.extensions import db
from app.models import Building, Room


def test_buildings_and_rooms_in_counting_order(org, people, client, login):
    """10号楼 after 6号楼, 10门 after 2门, 1001 after 901: numbers by value."""
    for name in ("10号楼", "2号楼"):
        db.session.add(Building(community_id=org.community.id, name=name))
    for unit, floor, number in (("10门", 1, "101"), ("1门", 10, "1001"), ("1门", 9, "901")):
        db.session.add(Room(building_id=org.building.id, unit=unit, floor=floor, number=number))
    db.session.commit()
    login(people["staff"])
    page = client.get(f"/organisation/communities/{org.community.id}").get_data(as_text=True)
    assert page.index(">2号楼<") < page.index(">6号楼<") < page.index(">10号楼<")
    rooms = client.get(f"/organisation/buildings/{org.building.id}").get_data(as_text=True).split('id="rooms"')[1]
    assert rooms.index("<td>901</td>") < rooms.index("<td>1001</td>") < rooms.index("<td>10门</td>")


def test_a_taken_name_is_shown_on_its_field(org, people, client, login):
    """Adding a second 6号楼: the page again (400) with the message under the name, nothing added."""
    token = login(people["staff"])
    response = client.post(f"/organisation/communities/{org.community.id}/buildings/new",
                           data={"csrf_token": token, "name": "6号楼", "address": "", "property_department_id": "0"})
    assert response.status_code == 400
    assert 'id="name-error">这个社区已有同名的楼栋。' in response.get_data(as_text=True)
    assert db.session.query(Building).count() == 1


def test_generating_rooms_from_the_page(org, people, client, login):
    """Units 3门,4门 × 2 floors × 2 a floor from the building's page: eight rooms, said in the flash."""
    token = login(people["staff"])
    response = client.post(f"/organisation/buildings/{org.building.id}/rooms/generate", data={
        "generate-csrf_token": token, "generate-units": "3门,4门", "generate-floors": "2", "generate-per_floor": "2"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已添加 8 个房间。" in page and "<td>3门</td>" in page and "<td>202</td>" in page


def test_breadcrumbs_lead_as_far_up_as_the_person_sets_up(org, people, client, login):
    """On a building's page the street's link is there for the street office, not for staff."""
    crumbs = 'aria-label="当前位置"'
    login(people["street"])
    page = client.get(f"/organisation/buildings/{org.building.id}").get_data(as_text=True)
    assert f'href="/organisation/streets/{org.street.id}"' in page.split(crumbs)[1].split("</nav>")[0]
    login(people["staff"])
    page = client.get(f"/organisation/buildings/{org.building.id}").get_data(as_text=True)
    nav = page.split(crumbs)[1].split("</nav>")[0]
    assert "/organisation/streets/" not in nav and f'href="/organisation/communities/{org.community.id}"' in nav


def test_on_a_fresh_install_the_admin_opens_a_street_first(client, login, make_user):
    """No street yet: the import page sends the admin to "开通街道", which opens one."""
    from app.models import Role, Street

    token = login(make_user(Role.ADMIN))
    response = client.get("/organisation/import")
    assert response.status_code == 302 and response.headers["Location"].endswith("/organisation/streets/new")
    opened = client.post("/organisation/streets/new", data={"csrf_token": token, "name": "方庄地区", "district": "丰台区"})
    street = db.session.query(Street).one()
    assert opened.headers["Location"].endswith(f"/organisation/streets/{street.id}") and street.district == "丰台区"
    assert "已开通方庄地区。下一步:添加社区。" in client.get(opened.headers["Location"]).get_data(as_text=True)
