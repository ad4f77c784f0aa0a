"""The join page 实名入群: a request that waits for the head, and every bad input refused with nothing written."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Building, Role, User
from app.notifications.models import InboxItem
from tests.joining.conftest import requests


def test_a_request_waits_and_its_status_page_says_so(client, ask, six):
    page = client.get(f"/join/{six['building'].join_code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "6号楼" in html and "实名入群;文明发言。" in html
    assert html.index("实名入群;文明发言。") < html.index('name="name"')  # the rules come first
    assert "6门 302" in html and "7门 101" in html

    response = ask(six["building"], six["rooms"]["6门 302"], phone="139 1234 0001")
    assert response.status_code == 302
    status = client.get(response.headers["Location"])
    assert "已提交,等待楼长审核" in status.get_data(as_text=True)
    (request,) = requests()
    assert (request.name, request.phone, request.room.label, request.status.value) == ("王秀英", "13912340001", "6门 302",
                                                                                         "pending")
    assert request.password_hash and "qiuyue" not in request.password_hash
    assert db.session.scalar(select(User).where(User.phone == "13912340001")) is None  # no account until approved
    # the browser keeps the link: the join page and /join/status lead back to it
    assert "你已从这部手机提交过申请" in client.get(f"/join/{six['building'].join_code}").get_data(as_text=True)
    assert client.get("/join/status").headers["Location"] == response.headers["Location"]
    # the head is told
    assert db.session.scalar(select(InboxItem.title).where(InboxItem.user_id == six["head"].id)) == "王秀英 申请加入 6号楼"


def test_a_login_card_instead_of_a_password(client, ask, six):
    response = ask(six["building"], six["rooms"]["7门 101"], name="潘大爷", phone="13912340002", wants_card="y",
                   password="", password2="")
    assert response.status_code == 302
    (request,) = requests()
    assert request.wants_card and request.password_hash is None


def test_the_status_link_cannot_be_guessed(client, ask, six):
    ask(six["building"], six["rooms"]["6门 302"])
    assert client.get("/join/status/1").status_code == 404
    assert client.get("/join/status/MQ.forged").status_code == 404


def _refused(response, message: str) -> None:
    assert response.status_code in (400, 404, 410), response.status_code
    assert message in response.get_data(as_text=True)
    assert requests() == []


def test_unknown_and_replaced_codes_say_so(client, ask, six, login):
    _refused(client.get("/join/no-such-code"), "这个二维码无效")
    old = six["building"].join_code
    token = login(six["head"])
    page = client.post(f"/joining/buildings/{six['building'].id}/code", data={"csrf_token": token, "sure": "y"})
    assert page.status_code == 302
    db.session.expire_all()
    assert db.session.get(Building, six["building"].id).join_code != old
    gone = client.get(f"/join/{old}")
    assert gone.status_code == 410
    assert "这张二维码已经换了,请扫楼门口新贴的二维码" in gone.get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": token})
    _refused(ask(six["building"], six["rooms"]["6门 302"], code=old), "这张二维码已经换了")


@pytest.mark.parametrize(("fields", "message"), [
    ({"rules_accepted": None}, "请阅读群规,并勾选接受"),
    ({"password": "12345678", "password2": "12345678"}, "密码太容易被猜到"),
    ({"password": "13912340001x", "password2": "13912340001x"}, "不要用手机号作密码"),
    ({"password2": "something-else-9"}, "两次输入的密码不一样"),
    ({"phone": "12345"}, "手机号是以1开头的11位数字"),
    ({"name": ""}, "请填写真实姓名"),
])
def test_bad_input_is_refused_and_nothing_written(ask, six, fields, message):
    _refused(ask(six["building"], six["rooms"]["6门 302"], **fields), message)


def test_a_room_of_another_building_is_refused(ask, six, make_building):
    from app.models import Room

    other = make_building("9号楼")
    room = Room(building_id=other.id, unit="1门", number="101")
    db.session.add(room)
    db.session.commit()
    _refused(ask(six["building"], room), "请选择本楼的房间")
    _refused(ask(six["building"], None), "请选择你的房间")


def test_a_second_waiting_request_from_one_phone_is_refused(ask, six):
    assert ask(six["building"], six["rooms"]["6门 302"]).status_code == 302
    response = ask(six["building"], six["rooms"]["6门 201"], name="别人")
    assert response.status_code == 400
    assert "这个手机号已有一份申请在等待楼长审核" in response.get_data(as_text=True)
    assert len(requests()) == 1


def test_a_registered_phone_gets_the_same_answer_and_the_owner_is_told(client, ask, six, make_user, make_household):
    owner = make_user(Role.RESIDENT, make_household(six["building"], unit="7门", room="101"), phone="13912340009",
                      name="李居民")
    response = ask(six["building"], six["rooms"]["6门 302"], phone="13912340009", name="冒名者")
    assert response.status_code == 302  # the same answer as for any number: nothing tells it is registered
    assert "李居民" not in client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(requests()) == 1
    told = db.session.scalars(select(InboxItem.title).where(InboxItem.user_id == owner.id)).all()
    assert told == ["有人用你的手机号申请加入 " + six["building"].full_name]


def test_join_requests_are_rate_limited_per_address_and_per_building(app, ask, six):
    app.config["JOIN_RATE_LIMIT"] = "2 per hour"
    try:
        assert ask(six["building"], six["rooms"]["6门 302"], phone="13912340011").status_code == 302
        assert ask(six["building"], six["rooms"]["6门 201"], phone="13912340012").status_code == 302
        assert ask(six["building"], six["rooms"]["7门 101"], phone="13912340013").status_code == 429
    finally:
        app.config["JOIN_RATE_LIMIT"] = "20 per hour"
    assert len(requests()) == 2


def test_join_requests_are_rate_limited_per_building_from_any_address(app, client, ask, six):
    app.config["JOIN_BUILDING_RATE_LIMIT"] = "1 per hour"
    try:
        assert ask(six["building"], six["rooms"]["6门 302"], phone="13912340011").status_code == 302
        token = client.get("/api/v1/csrf").get_json()["csrf_token"]
        other_address = client.post(f"/join/{six['building'].join_code}", environ_base={"REMOTE_ADDR": "10.0.0.9"},
                                    data={"csrf_token": token, "name": "x"})
        assert other_address.status_code == 429
    finally:
        app.config["JOIN_BUILDING_RATE_LIMIT"] = "60 per hour"


def test_the_command_itself_refuses_what_the_page_would(six):
    """Another way in (a future API) gets the same rules: the command checks, not only the form."""
    from flask_login import AnonymousUserMixin

    from app.clock import utcnow
    from app.commands import Context, Refused, execute

    ctx = Context(session=db.session, user=AnonymousUserMixin(), now=utcnow())
    good = {"code": six["building"].join_code, "rules_accepted": True, "name": "王秀英", "phone": "13912340001",
            "room_id": six["rooms"]["6门 302"].id, "password": "qiuyue-lane-27"}
    for change, field in (({"rules_accepted": False}, "rules_accepted"), ({"password": "12345678"}, "password"),
                          ({"code": "nope"}, "code"), ({"room_id": 999999}, "room_id"), ({"phone": "123"}, "phone")):
        with pytest.raises(Refused) as refused:
            execute("join.submit", ctx, {**good, **change})
        assert field in refused.value.fields
        db.session.rollback()
    assert requests() == []
    assert execute("join.submit", ctx, good)["building_id"] == six["building"].id
