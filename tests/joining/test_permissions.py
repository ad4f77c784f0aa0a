"""Who may review joining, change the poster's code and group rules, and give reset codes: the rest get 403, nothing changed."""
from __future__ import annotations

import pytest

from app.auth.permissions import can
from app.extensions import db
from app.joining.models import JoinStatus, PasswordReset
from app.models import Building, Department, DepartmentKind, Role
from tests.conftest import csrf_from
from tests.joining.conftest import requests

WHO = ("head", "other_head", "staff", "other_staff", "resident", "department", "street", "admin")
ALLOWED = {"head", "staff"}


@pytest.fixture
def world(six, ask, make_user, make_building, make_household):
    """A waiting join request and a forgotten password in 6号楼, and one person of each kind."""
    ask(six["building"], six["rooms"]["6门 201"], name="赵新人")
    resident = make_user(Role.RESIDENT, six["household"], phone="13912340020", name="李居民")
    reset = PasswordReset(user_id=resident.id)
    db.session.add(reset)
    elsewhere = make_building("9号楼")
    department = Department(name="城管执法队", kind=DepartmentKind.CITY)
    db.session.add(department)
    db.session.commit()
    scopes = {"head": (Role.BUILDING_HEAD, six["building"]), "other_head": (Role.BUILDING_HEAD, elsewhere),
              "staff": (Role.STAFF, six["building"].community), "other_staff": (Role.STAFF, elsewhere.community),
              "resident": (Role.RESIDENT, make_household(six["building"], unit="7门", room="101")),
              "department": (Role.DEPARTMENT, department), "street": (Role.STREET, six["building"].community.street),
              "admin": (Role.ADMIN, None)}
    people = {who: make_user(role, scope, name=who) for who, (role, scope) in scopes.items()}
    people["head"] = six["head"]
    return {"building": six["building"], "request": requests()[0], "reset": reset, "people": people}


@pytest.mark.parametrize("who", WHO)
def test_the_rules(world, who):
    user = world["people"][who]
    allowed = who in ALLOWED
    assert can(user, "join.manage", world["building"]) is allowed
    assert can(user, "join.decide", world["request"]) is allowed
    assert can(user, "password.give_code", world["reset"]) is allowed


@pytest.mark.parametrize("who", WHO)
def test_every_action_answers_403_and_changes_nothing(client, login, world, who):
    token = login(world["people"][who])
    allowed = who in ALLOWED
    building, code = world["building"], world["building"].join_code
    expected = (lambda ok: ok) if allowed else (lambda ok: 403)

    assert client.get(f"/joining/buildings/{building.id}/poster").status_code == expected(200)
    assert client.get(f"/joining/buildings/{building.id}").status_code == expected(200)
    assert client.post(f"/joining/buildings/{building.id}", data={"csrf_token": token, "group_rules": "改了"}
                       ).status_code == expected(302)
    assert client.post(f"/joining/resets/{world['reset'].id}/code", data={"csrf_token": token}).status_code == expected(200)
    assert client.post(f"/joining/requests/{world['request'].id}/approve", data={"csrf_token": token}
                       ).status_code == expected(302)
    assert client.post(f"/joining/buildings/{building.id}/code", data={"csrf_token": token, "sure": "y"}
                       ).status_code == expected(302)
    review = client.get("/joining/")
    if who in ("other_head", "other_staff"):
        assert review.status_code == 200 and "赵新人" not in review.get_data(as_text=True)
    else:
        assert review.status_code == expected(200)

    db.session.expire_all()
    after = db.session.get(Building, building.id)
    assert (after.join_code != code, after.group_rules == "改了") == (allowed, allowed)
    assert (requests()[0].status == JoinStatus.APPROVED) is allowed
    assert (db.session.get(PasswordReset, world["reset"].id).code_hash is not None) is allowed


def test_the_review_page_needs_a_sign_in(client, world):
    assert client.get("/joining/").status_code == 302
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    assert client.post(f"/joining/requests/{world['request'].id}/approve", data={"csrf_token": token}).status_code == 302
    assert requests()[0].status == JoinStatus.PENDING


def test_nobody_gives_a_code_for_staff_or_for_themselves(world, make_user):
    staff = world["people"]["staff"]
    assert not can(world["people"]["head"], "password.give_code", PasswordReset(user=staff))
    head_reset = PasswordReset(user=world["people"]["head"])
    assert not can(world["people"]["head"], "password.give_code", head_reset)  # not for oneself
    assert not can(staff, "password.give_code", head_reset)  # the head has no resident role here
