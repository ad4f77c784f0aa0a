"""Each use case of notices is one command: its page, its JSON endpoint and the outbox all reach it."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Community, Role
from app.notices.models import Notice, NoticeReceipt
from tests.notices.test_notices import send_api
from tests.sync.mutations import new_id


def test_preview_and_send_reach_one_command_each_from_the_page_and_the_api(client, login, s11, reached):
    token = login(s11.staff)
    form = {"csrf_token": token, "title": "停水通知", "body": "明天停水。", "urgency": "normal",
            "targets": [f"b:{s11.building.id}"]}
    page = client.post("/notices/new", data={**form, "action": "preview"}).get_data(as_text=True)
    body = {"title": "停水通知", "body": "明天停水。", "building_ids": [s11.building.id]}
    api = client.post("/api/v1/notices/preview", json=body, headers={"X-CSRFToken": token})
    assert api.get_json() == {"buildings": 1, "households": 8, "people": 6, "devices": 3,
                              "sms": 0, "calls": 0, "sms_price_fen": 0}  # no SMS provider configured
    assert "28号楼" in page and "8" in page
    assert client.post("/notices/new", data={**form, "action": "send"}).status_code == 302
    assert client.post("/api/v1/notices", json=body, headers={"X-CSRFToken": token}).status_code == 201
    assert reached == ["notice.preview", "notice.preview", "notice.create", "notice.create"]


def test_a_notice_that_reaches_no_building_is_refused_on_its_targets(client, login, s11):
    token = login(s11.staff)
    empty = Community(street=s11.building.community.street, name="新社区")
    db.session.add(empty)
    db.session.commit()
    response = client.post("/api/v1/notices", json={"title": "t", "body": "b", "community_ids": [empty.id]},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"building_ids": "请选择发到哪里。"}
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_told_in_person_from_the_page_the_api_and_the_outbox_is_one_command(client, login, s11, reached):
    notice = send_api(client, login(s11.staff), s11.building)
    token = login(s11.head)
    first, second, third = s11.households[5:8]
    reached.clear()
    assert client.post(f"/notices/{notice.id}/door/{first.id}", data={"csrf_token": token}).status_code == 302
    api = client.post(f"/api/v1/notices/{notice.id}/informed/{second.id}", headers={"X-CSRFToken": token})
    assert api.status_code == 200 and api.get_json()["household_id"] == second.id
    item = {"id": new_id(), "type": "notice.informed", "payload": {"notice_id": notice.id, "household_id": third.id}}
    result = client.post("/api/v1/sync", json={"mutations": [item]}, headers={"X-CSRFToken": token}).get_json()["results"][0]
    assert result["status"] == "applied" and result["entity"] == {**result["entity"], "household_id": third.id}
    assert reached == ["notice.informed"] * 3
    assert db.session.scalar(select(func.count()).select_from(NoticeReceipt)) == 3


def test_a_household_the_notice_does_not_reach_is_refused_the_same_way_everywhere(client, login, s11, make_household,
                                                                                   make_user, make_building):
    notice = send_api(client, login(s11.staff), s11.building)
    other = make_building("29号楼", community=s11.building.community)
    outside = make_household(other)
    token = login(make_user(Role.STAFF, s11.building.community))
    page = client.post(f"/notices/{notice.id}/door/{outside.id}", data={"csrf_token": token}, follow_redirects=True)
    assert "这户不在这条通知的范围内" in page.get_data(as_text=True)
    api = client.post(f"/api/v1/notices/{notice.id}/informed/{outside.id}", headers={"X-CSRFToken": token})
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "invalid"
    item = {"id": new_id(), "type": "notice.informed", "payload": {"notice_id": notice.id, "household_id": outside.id}}
    result = client.post("/api/v1/sync", json={"mutations": [item]}, headers={"X-CSRFToken": token}).get_json()["results"][0]
    assert result["status"] == "rejected" and result["error"]["message"] == api.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(NoticeReceipt)) == 0


def test_reading_from_the_api_and_the_outbox_is_one_command(client, login, s11, reached):
    notice = send_api(client, login(s11.staff), s11.building)
    token = login(s11.residents[0])
    reached.clear()
    api = client.post(f"/api/v1/notices/{notice.id}/read", headers={"X-CSRFToken": token})
    assert api.get_json() == {"notice_id": notice.id, "households": [s11.households[0].id]}
    item = {"id": new_id(), "type": "notice.read", "payload": {"notice_id": notice.id}}
    result = client.post("/api/v1/sync", json={"mutations": [item]}, headers={"X-CSRFToken": token}).get_json()["results"][0]
    assert result["entity"] == api.get_json()
    assert reached == ["notice.read", "notice.read"]
