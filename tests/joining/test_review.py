"""The head's review: the ledger beside each request, approve or decline by page, JSON and sync, one decision wins."""
from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.commands import Conflict
from app.extensions import db
from app.joining import services
from app.joining.models import JoinRequest, JoinStatus
from app.models import Household, Role, RoleAssignment, User
from app.notifications.models import InboxItem
from tests.conftest import csrf_from
from tests.joining.conftest import GOOD_PASSWORD, requests


def _sync(client, token, *mutations):
    """POST a sync batch; the results."""
    response = client.post("/api/v1/sync", json={"client_id": "phone-1", "mutations": list(mutations)},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def _decision(request_id, approve=True, reason=""):
    return {"id": str(uuid.uuid4()), "type": "join.decide", "client_time": "2026-09-23T07:40:00+08:00",
            "payload": {"request_id": request_id, "approve": approve, "reason": reason, "attachments": []}}


def test_the_review_page_shows_the_ledger_beside_each_request(client, ask, six, login):
    ask(six["building"], six["rooms"]["6门 302"], name="王秀英", phone="13912340001")
    ask(six["building"], six["rooms"]["6门 201"], name="赵新人", phone="13912340002")
    login(six["head"])
    home = client.get("/").get_data(as_text=True)
    assert "审核实名入群的邻居" in home and '<span class="inbox-badge">2</span>' in home
    html = client.get("/joining/").get_data(as_text=True)
    first, second = html.split('data-join-request="')[1:3]
    assert "王秀英" in first and "李建国、王秀英" in first and "名字在台账上" in first
    assert "赵新人" in second and "台账上这个房间还没有住户" in second


def test_approval_makes_the_account_a_resident_of_the_household(client, ask, six, login):
    ask(six["building"], six["rooms"]["6门 302"])
    (request,) = requests()
    token = login(six["head"])
    response = client.post(f"/joining/requests/{request.id}/approve", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/joining/"
    user = db.session.scalar(select(User).where(User.phone == "13912340001"))
    assert user.check_password(GOOD_PASSWORD)
    (role,) = user.roles
    assert (role.role, role.household_id) == (Role.RESIDENT, six["household"].id)
    assert requests()[0].status == JoinStatus.APPROVED and requests()[0].password_hash is None
    assert db.session.scalar(select(InboxItem.title).where(InboxItem.user_id == user.id)) == "欢迎加入 " + six[
        "building"].full_name
    client.post("/auth/logout", data={"csrf_token": token})
    login(user, GOOD_PASSWORD)  # the resident signs in and sees their building
    assert "6号楼" in client.get("/").get_data(as_text=True)


def test_approval_creates_the_household_when_the_room_had_none(client, ask, six, login):
    ask(six["building"], six["rooms"]["6门 201"], name="赵新人")
    token = login(six["head"])
    client.post(f"/joining/requests/{requests()[0].id}/approve", data={"csrf_token": token})
    household = db.session.scalar(select(Household).where(Household.building_id == six["building"].id,
                                                          Household.unit == "6门", Household.room == "201"))
    assert household is not None and household.members == "赵新人" and household.floor == 2
    assert db.session.scalar(select(RoleAssignment.household_id).where(RoleAssignment.role == Role.RESIDENT)
                             .join(User).where(User.name == "赵新人")) == household.id


def test_a_login_card_request_leads_to_printing_the_card(client, ask, six, login):
    ask(six["building"], six["rooms"]["7门 101"], name="潘大爷", wants_card="y", password="", password2="")
    token = login(six["head"])
    response = client.post(f"/joining/requests/{requests()[0].id}/approve", data={"csrf_token": token})
    user = db.session.scalar(select(User).where(User.name == "潘大爷"))
    assert response.headers["Location"] == f"/logincards/users/{user.id}"
    assert not user.check_password("") and not user.check_password("!login-card")
    assert client.get(response.headers["Location"]).status_code == 200  # the head may print it
    assert f"/logincards/users/{user.id}" in client.get("/joining/").get_data(as_text=True)


def test_a_declined_request_tells_the_person_why(client, ask, six, login):
    status_url = ask(six["building"], six["rooms"]["6门 302"]).headers["Location"]
    token = login(six["head"])
    assert client.post(f"/joining/requests/{requests()[0].id}/decline",
                       data={"csrf_token": token, "reason": "see_head", "other": ""}).status_code == 302
    assert requests()[0].status == JoinStatus.DECLINED
    assert db.session.scalar(select(User).where(User.phone == "13912340001")) is None
    client.post("/auth/logout", data={"csrf_token": token})
    html = client.get(status_url).get_data(as_text=True)
    assert "没有通过" in html and "请先当面找楼长。" in html


def test_a_decline_needs_a_reason(client, ask, six, login):
    ask(six["building"], six["rooms"]["6门 302"])
    token = login(six["head"])
    response = client.post(f"/api/v1/joining/requests/{requests()[0].id}/decision", json={"approve": False},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert "请写明原因" in response.get_json()["error"]["fields"]["reason"]
    assert requests()[0].status == JoinStatus.PENDING


def test_json_decision_and_a_second_decision_is_a_conflict(client, ask, six, login, make_user):
    ask(six["building"], six["rooms"]["6门 302"])
    request_id = requests()[0].id
    token = login(six["head"])
    first = client.post(f"/api/v1/joining/requests/{request_id}/decision", json={"approve": True},
                        headers={"X-CSRFToken": token})
    assert first.status_code == 200 and first.get_json()["status"] == "approved"
    other = make_user(Role.BUILDING_HEAD, six["building"], name="钱楼长")
    token = login(other)
    second = client.post(f"/api/v1/joining/requests/{request_id}/decision", json={"approve": False, "reason": "不认识"},
                         headers={"X-CSRFToken": token})
    assert second.status_code == 409
    body = second.get_json()
    assert body["error"]["message"] == "已由孙楼长处理:已通过。"
    assert body["server_version"]["status"] == "approved" and body["server_version"]["decided_by"] == "孙楼长"
    assert requests()[0].status == JoinStatus.APPROVED and requests()[0].reason == ""
    page = client.post(f"/joining/requests/{request_id}/decline", data={"csrf_token": token, "reason": "see_head"})
    assert "已由孙楼长处理" in client.get(page.headers["Location"]).get_data(as_text=True)


def test_decisions_sync_from_the_outbox_and_the_later_one_is_a_conflict(client, ask, six, login, make_user):
    ask(six["building"], six["rooms"]["6门 302"], phone="13912340001")
    ask(six["building"], six["rooms"]["6门 201"], phone="13912340002", name="赵新人")
    first, second = (r.id for r in requests())
    token = login(six["head"])
    results = _sync(client, token, _decision(first), _decision(second, approve=False, reason="请先当面找楼长。"))
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert [r.status for r in requests()] == [JoinStatus.APPROVED, JoinStatus.DECLINED]
    assert requests()[1].reason == "请先当面找楼长。"

    staff = make_user(Role.STAFF, six["building"].community, name="钱书记")
    token = login(staff)
    (late,) = _sync(client, token, _decision(second))  # decided offline too, synced later
    assert late["status"] == "conflict"
    assert late["server_version"]["status"] == "declined"
    assert requests()[1].status == JoinStatus.DECLINED
    assert db.session.scalar(select(User).where(User.phone == "13912340002")) is None


def test_a_registered_phone_cannot_be_approved(client, ask, six, login, make_user, make_household):
    make_user(Role.RESIDENT, make_household(six["building"], unit="7门", room="101"), phone="13912340009")
    ask(six["building"], six["rooms"]["6门 302"], phone="13912340009", name="冒名者")
    token = login(six["head"])
    html = client.get("/joining/").get_data(as_text=True)
    assert "这个号码已有账户,不能通过" in html
    response = client.post(f"/api/v1/joining/requests/{requests()[0].id}/decision", json={"approve": True},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 400 and requests()[0].status == JoinStatus.PENDING


def test_the_head_writes_the_group_rules(client, six, login):
    token = login(six["head"])
    page = client.get(f"/joining/buildings/{six['building'].id}")
    assert page.status_code == 200
    response = client.post(f"/joining/buildings/{six['building'].id}",
                           data={"csrf_token": csrf_from(page.get_data(as_text=True)), "group_rules": "不发广告。\n有事找楼长。"})
    assert response.status_code == 302
    assert "不发广告。\n有事找楼长。" in client.get(f"/join/{six['building'].join_code}").get_data(as_text=True)
    assert token


@pytest.mark.postgres  # row locks: SQLite has only one writer at a time
def test_two_heads_deciding_at_once_one_wins(app, ask, six, make_user):
    """Both read the request waiting; the second's decision waits for the first's lock, then is a Conflict."""
    ask(six["building"], six["rooms"]["6门 302"])
    request_id = requests()[0].id
    other = make_user(Role.BUILDING_HEAD, six["building"], name="钱楼长")
    first, second = Session(bind=db.engine.connect()), Session(bind=db.engine.connect())
    try:
        waiting_1, waiting_2 = first.get(JoinRequest, request_id), second.get(JoinRequest, request_id)
        assert waiting_1.status == waiting_2.status == JoinStatus.PENDING
        services.decide(first, waiting_1, first.get(User, six["head"].id), approve=True, reason="", now=utcnow())
        outcome = {}

        def decide_second():
            with app.app_context():
                try:
                    services.decide(second, waiting_2, second.get(User, other.id), approve=False, reason="不认识",
                                    now=utcnow())
                    outcome["result"] = "decided"
                except Conflict as exc:
                    outcome["result"] = exc.server_version["status"]
                second.rollback()

        thread = threading.Thread(target=decide_second)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive(), "the second decision must wait for the first"
        first.commit()
        thread.join(timeout=10)
        assert not thread.is_alive()
    finally:
        for session in (first, second):
            session.close()
            session.bind.close()
    assert outcome == {"result": "approved"}
    assert [(r.status, r.decided_by_id) for r in requests()] == [(JoinStatus.APPROVED, six["head"].id)]
