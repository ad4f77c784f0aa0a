"""Accounts at a desk: creating, the phone that already has an account, appointing heads, the people page, the log."""
from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import AccountChange, AccountEvent
from app.extensions import db
from app.models import Role, RoleAssignment, User
from tests.conftest import csrf_from


def events(person: User) -> list[tuple]:
    """The person's log as (change, role, actor name), oldest first."""
    rows = db.session.scalars(select(AccountEvent).where(AccountEvent.user_id == person.id).order_by(AccountEvent.id))
    return [(e.change, e.role, e.actor.name if e.actor else None) for e in rows]


def new_account(client, **data):
    """Fill in and send the new-account form."""
    token = csrf_from(client.get("/accounts/new").get_data(as_text=True))
    return client.post("/accounts/new", data={"csrf_token": token, **data})


def test_street_creates_a_staff_account_who_signs_in_with_the_password_handed_over(app, client, login, town):
    login(town.street_user)
    form = client.get("/accounts/new").get_data(as_text=True)
    assert f'value="staff:{town.community.id}"' in form and f'value="department:{town.city.id}"' in form
    assert "street:" not in form  # only the admin creates street accounts
    response = new_account(client, name=" 冯社工 ", phone="139 1234 5678", password="Fz-2026-desk",
                           role_place=f"staff:{town.community.id}")
    assert response.status_code == 302
    person = db.session.scalar(select(User).where(User.phone == "13912345678"))
    assert person.name == "冯社工"
    assert [(a.role, a.community_id) for a in person.roles] == [(Role.STAFF, town.community.id)]
    assert events(person) == [(AccountChange.CREATED, Role.STAFF, "赵街道")]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "冯社工" in page and "芳群园一区" in page and "赵街道" in page

    device = app.test_client()
    token = csrf_from(device.get("/auth/login").get_data(as_text=True))
    assert device.post("/auth/login", data={"phone": "13912345678", "password": "Fz-2026-desk",
                                            "csrf_token": token}).status_code == 302
    assert device.get("/api/v1/me").get_json()["user"]["roles"][0]["role"] == "staff"


def test_bad_input_is_named_on_its_field_and_nothing_is_written(client, login, town):
    login(town.admin)
    before = db.session.scalar(select(func.count()).select_from(User))
    weak = new_account(client, name="新街道", phone="13712345678", password="12345678",
                       role_place=f"street:{town.street.id}")
    assert weak.status_code == 400
    assert "This password is too easy to guess" in weak.get_data(as_text=True) or "太容易" in weak.get_data(as_text=True)
    bad_phone = new_account(client, name="新街道", phone="1234", password="Fz-2026-desk",
                            role_place=f"street:{town.street.id}")
    assert bad_phone.status_code == 400
    no_place = new_account(client, name="新街道", phone="13712345678", password="Fz-2026-desk", role_place="street:9999")
    assert no_place.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert db.session.scalar(select(func.count()).select_from(AccountEvent)) == 0


def test_a_phone_with_an_account_gets_the_role_added_instead(client, login, town):
    login(town.street_user)
    response = new_account(client, name="李居民", phone=town.resident.phone, password="Fz-2026-desk",
                           role_place=f"department:{town.city.id}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "李居民" in page and f'action="/accounts/{town.resident.id}/grant"' in page
    assert db.session.scalar(select(func.count()).select_from(User).where(User.phone == town.resident.phone)) == 1
    offer = client.post(f"/accounts/{town.resident.id}/grant",
                        data={"csrf_token": csrf_from(page), "role_place": f"department:{town.city.id}"})
    assert offer.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, town.resident.id)
    assert sorted(a.role for a in person.roles) == [Role.DEPARTMENT, Role.RESIDENT]
    assert events(person) == [(AccountChange.GRANTED, Role.DEPARTMENT, "赵街道")]


def test_staff_appoint_a_resident_head_of_another_building_and_remove_them(client, login, town):
    login(town.staff)
    page = client.get(f"/accounts/{town.resident.id}").get_data(as_text=True)
    assert f'value="building_head:{town.b8.id}"' in page and f'value="building_head:{town.b24.id}"' not in page
    token = csrf_from(page)
    assert client.post(f"/accounts/{town.resident.id}/grant",
                       data={"csrf_token": token, "role_place": f"building_head:{town.b8.id}"}).status_code == 302
    head = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == town.resident.id,
                                                          RoleAssignment.role == Role.BUILDING_HEAD))
    assert head.building_id == town.b8.id
    again = client.post(f"/accounts/{town.resident.id}/grant",
                        data={"csrf_token": token, "role_place": f"building_head:{town.b8.id}"}, follow_redirects=True)
    assert "already holds" in again.get_data(as_text=True) or "已经" in again.get_data(as_text=True)
    assert client.post(f"/accounts/roles/{head.id}/revoke", data={"csrf_token": token}).status_code == 302
    assert events(town.resident) == [(AccountChange.GRANTED, Role.BUILDING_HEAD, "钱书记"),
                                     (AccountChange.REVOKED, Role.BUILDING_HEAD, "钱书记")]
    page = client.get(f"/accounts/{town.resident.id}").get_data(as_text=True)
    log = page.split('class="ledger accounts-log"')[1]
    assert log.count("8号楼") == 2  # given, then removed: both in the log


def test_heads_are_appointed_from_the_residents_of_the_community(client, login, town):
    token = login(town.street_user)
    response = client.post(f"/accounts/{town.department.id}/grant",
                           data={"csrf_token": token, "role_place": f"building_head:{town.b6.id}"}, follow_redirects=True)
    assert "appointed from the residents" in response.get_data(as_text=True) or "居民中" in response.get_data(as_text=True)
    assert not any(a.role == Role.BUILDING_HEAD for a in db.session.get(User, town.department.id).roles)


def test_people_page_lists_my_scope_and_searches_by_name_or_phone(client, login, town):
    login(town.staff)
    page = client.get("/accounts/").get_data(as_text=True)
    assert all(name in page for name in ("李居民", "孙楼长", "刘邻居", "钱书记"))
    assert not any(name in page for name in ("远居民", "王社工", "周城管", "赵街道"))
    found = client.get("/accounts/?q=0303").get_data(as_text=True)
    assert "刘邻居" in found and "李居民" not in found
    found = client.get("/accounts/?q=李").get_data(as_text=True)
    assert "李居民" in found and "刘邻居" not in found
    assert f'href="/accounts/{town.resident.id}"' in found

    login(town.street_user)
    page = client.get("/accounts/").get_data(as_text=True)
    assert all(name in page for name in ("远居民", "王社工", "周城管", "钱书记"))
    assert "别街道" not in page


def test_people_page_keeps_the_moved_out_and_the_household_page_offers_it(client, login, town):
    login(town.head)
    household = client.get(f"/visits/households/{town.h303.id}").get_data(as_text=True)
    move = f"/accounts/{town.neighbour.id}/move-out/{town.h303.id}"
    assert move in household
    token = csrf_from(client.get(move).get_data(as_text=True))
    assert client.post(move, data={"csrf_token": token, "note": "搬去女儿家"}).status_code == 302
    login(town.staff)
    page = client.get("/accounts/?q=刘").get_data(as_text=True)
    assert "刘邻居" in page
    person = client.get(f"/accounts/{town.neighbour.id}").get_data(as_text=True)
    assert "搬去女儿家" in person and "孙楼长" in person
