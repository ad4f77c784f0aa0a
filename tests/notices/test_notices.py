"""Compose, target, preview, receipts, reach, the door-to-door list and the blackboard copy."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Community, Role
from app.notices.models import Notice, NoticeReceipt
from app.notifications.models import InboxItem
from app.push.models import Delivery
from tests.conftest import csrf_from


def compose(client, token, building_ids, action="send", **fields):
    data = {"csrf_token": token, "title": "9月23日粉刷楼道", "body": "请把楼道杂物搬回家。", "urgency": "normal",
            "targets": [f"b:{b}" for b in building_ids], "action": action}
    data.update(fields)
    return client.post("/notices/new", data=data)


def test_preview_then_send_writes_inbox_and_outbox_in_one_go(client, login, s11):
    token = login(s11.staff)
    page = client.get("/notices/new")
    assert "28号楼" in page.get_data(as_text=True)

    preview = compose(client, token, [s11.building.id], action="preview")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and db.session.scalar(select(func.count()).select_from(Notice)) == 0
    assert "8" in text and "3" in text  # 8 households, 3 phones

    sent = compose(client, token, [s11.building.id])
    assert sent.status_code == 302
    notice = db.session.scalar(select(Notice))
    assert notice.unread_after_hours == 12
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 3
    # five residents and the head have it in their inbox
    assert db.session.scalar(select(func.count()).select_from(InboxItem)) == 6


def test_community_target_and_urgent_default(client, login, s11):
    token = login(s11.staff)
    response = client.post("/notices/new", data={
        "csrf_token": token, "title": "紧急:车库起火", "body": "请勿进入地下车库。", "urgency": "urgent",
        "targets": [f"c:{s11.building.community_id}"], "action": "send"})
    assert response.status_code == 302
    notice = db.session.scalar(select(Notice))
    assert notice.unread_after_hours == 0.5 and notice.building_ids == [s11.building.id]
    assert notice.scope_label == db.session.get(Community, s11.building.community_id).name


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": ""}, "标题"),
    ({"title": "长" * 61}, "60"),
    ({"body": "字" * 2001}, "2000"),
    ({"targets": []}, "发到哪里"),
])
def test_bad_input_is_explained_and_nothing_is_sent(client, login, s11, fields, message):
    token = login(s11.staff)
    response = compose(client, token, [s11.building.id], **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_a_target_outside_the_senders_scope_is_forbidden(client, login, s11):
    token = login(s11.staff)
    response = client.post("/api/v1/notices", json={"title": "x", "body": "y", "building_ids": [s11.other.id]},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 403
    form = compose(client, token, [s11.building.id, s11.other.id])
    assert form.status_code in (400, 403)  # the other building is not even offered
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_api_bad_input(client, login, s11):
    token = login(s11.staff)
    empty = client.post("/api/v1/notices", json={"title": "  ", "body": "y", "building_ids": [s11.building.id]},
                        headers={"X-CSRFToken": token})
    assert empty.status_code == 400 and "title" in empty.get_json()["error"]["fields"]
    big = client.post("/api/v1/notices", json={"title": "t", "body": "x" * 2001, "building_ids": [s11.building.id]},
                      headers={"X-CSRFToken": token})
    assert big.status_code == 400 and "body" in big.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


@pytest.mark.parametrize("role", ["resident", "building_head"])
def test_residents_and_heads_cannot_send(client, login, s11, role):
    user = s11.residents[0] if role == "resident" else s11.head
    token = login(user)
    assert client.get("/notices/new").status_code == 403
    response = client.post("/api/v1/notices", json={"title": "x", "body": "y", "building_ids": [s11.building.id]},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 403


def send_api(client, token, building, **extra):
    response = client.post("/api/v1/notices", json={"title": "粉刷楼道", "body": "9月23日粉刷。",
                                                    "building_ids": [building.id], **extra},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.get_json()
    return db.session.get(Notice, response.get_json()["id"])


def test_reading_records_the_households_receipt_and_clears_the_badge(client, login, s11):
    notice = send_api(client, login(s11.staff), s11.building)
    resident = s11.residents[0]
    token = login(resident)
    home = client.get("/").get_data(as_text=True)
    assert 'data-inbox-unread>1<' in home

    page = client.get(f"/notices/{notice.id}")
    assert page.status_code == 200 and "粉刷楼道" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NoticeReceipt)) == 0  # GET never writes

    assert client.post(f"/api/v1/notices/{notice.id}/read", headers={"X-CSRFToken": token}).status_code == 200
    receipt = db.session.scalar(select(NoticeReceipt))
    assert receipt.household_id == s11.households[0].id and receipt.read_by_id == resident.id
    assert client.get("/api/v1/notifications/unread").get_json() == {"unread": 0}


def test_outsiders_cannot_read_a_notice(client, login, s11, make_user, make_household):
    notice = send_api(client, login(s11.staff), s11.building)
    stranger = make_user(Role.RESIDENT, make_household(s11.other))
    login(stranger)
    assert client.get(f"/notices/{notice.id}").status_code == 403
    assert client.get(f"/notices/{notice.id}/reach").status_code == 403


def test_reach_and_door_to_door_list(client, login, s11, frozen_clock):
    notice = send_api(client, login(s11.staff), s11.building)
    # one subscribed household reads it at once
    token = login(s11.residents[0])
    client.post(f"/api/v1/notices/{notice.id}/read", headers={"X-CSRFToken": token})

    login(s11.head)
    door = client.get(f"/notices/{notice.id}/door").get_data(as_text=True)
    # before 12 h: the unsubscribed (3 without phones on, 1 no smartphone) but not the 2 subscribed unread
    assert door.count("data-informed-form") == 5

    frozen_clock.set(frozen_clock.now + timedelta(hours=13))
    door = client.get(f"/notices/{notice.id}/door").get_data(as_text=True)
    assert door.count("data-informed-form") == 7  # now the subscribed-but-unread too

    page = client.get(f"/notices/{notice.id}/door")
    token = csrf_from(page.get_data(as_text=True))
    target = s11.households[7]
    response = client.post(f"/notices/{notice.id}/door/{target.id}", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get(f"/notices/{notice.id}/door").get_data(as_text=True).count("data-informed-form") == 6

    reach = client.get(f"/api/v1/notices/{notice.id}/reach").get_json()["counts"]
    assert reach == {"households": 8, "subscribed": 3, "pushed": 0, "read": 1, "informed": 1, "no_smartphone": 1,
                     "not_reached": 6, "reached": 2, "sms_delivered": 0, "call_answered": 0}
    html = client.get(f"/notices/{notice.id}/reach").get_data(as_text=True)
    assert 'data-count="households">8<' in html and 'data-count="not_reached">6<' in html


def test_a_head_cannot_mark_households_of_other_buildings(client, login, s11, make_user, make_household):
    notice = send_api(client, login(s11.staff), s11.building)
    other_head = make_user(Role.BUILDING_HEAD, s11.other)
    token = login(other_head)
    response = client.post(f"/api/v1/notices/{notice.id}/informed/{s11.households[0].id}", headers={"X-CSRFToken": token})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(NoticeReceipt)) == 0


def test_sync_mutation_informed_in_person(client, login, s11):
    notice = send_api(client, login(s11.staff), s11.building)
    token = login(s11.head)
    batch = {"client_id": "head-phone", "mutations": [
        {"id": "8b0e7d1c-1111-4a4a-9c9c-000000000001", "type": "notice.informed",
         "payload": {"notice_id": notice.id, "household_id": s11.households[6].id, "attachments": []},
         "client_time": "2026-09-23T08:00:00+08:00"}]}
    result = client.post("/api/v1/sync", json=batch, headers={"X-CSRFToken": token}).get_json()["results"][0]
    assert result["status"] in ("applied", "ok", "accepted"), result
    receipt = db.session.scalar(select(NoticeReceipt))
    assert receipt.informed_by_id == s11.head.id and receipt.informed_in_person_at is not None
    pulled = client.get("/api/v1/sync?since=0").get_json()["changes"]
    assert any(n["id"] == notice.id for n in pulled["notices"])
    assert pulled["notice_receipts"][0]["household_id"] == s11.households[6].id


def test_print_copy(client, login, s11):
    notice = send_api(client, login(s11.staff), s11.building)
    html = client.get(f"/notices/{notice.id}/print").get_data(as_text=True)
    assert "28号楼" in html and "粉刷楼道" in html and "blackboard-page" in html


def test_a_picture_goes_with_the_notice_and_is_seen_by_its_readers(client, login, s11, tmp_path):
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 30, 30)).save(picture, "JPEG")
    picture.seek(0)
    token = login(s11.staff)
    response = client.post("/notices/new", data={
        "csrf_token": token, "title": "停电通知", "body": "见附图。", "urgency": "normal",
        "targets": [f"b:{s11.building.id}"], "action": "send", "image": (picture, "notice.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    notice = db.session.scalar(select(Notice))
    assert notice.image_upload_id is not None

    login(s11.residents[0])
    html = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    src = html.split('class="notice-image" src="')[1].split('"')[0]
    shown = client.get(src)
    assert shown.status_code == 200 and shown.content_type.startswith("image/")
    shown.close()
    assert "notice-image" not in client.get(f"/notices/{notice.id}/print").get_data(as_text=True)
    assert "blackboard-image" in client.get(f"/notices/{notice.id}/print").get_data(as_text=True)


def test_a_file_that_is_not_a_picture_is_refused(client, login, s11):
    import io

    token = login(s11.staff)
    response = client.post("/notices/new", data={
        "csrf_token": token, "title": "停电通知", "body": "见附图。", "urgency": "normal",
        "targets": [f"b:{s11.building.id}"], "action": "send", "image": (io.BytesIO(b"not an image"), "x.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_the_heads_list_of_notices_leaves_out_expired_ones(client, login, s11, frozen_clock):
    token = login(s11.staff)
    send_api(client, token, s11.building)
    expired = send_api(client, token, s11.building, expires_at=(frozen_clock.now + timedelta(hours=1)).isoformat())
    frozen_clock.set(frozen_clock.now + timedelta(hours=2))
    login(s11.head)
    html = client.get("/notices/door").get_data(as_text=True)
    assert html.count("还有 5 户要上门告知") == 1  # the 5 households without notifications; 12 h not yet up
    assert f"/notices/{expired.id}/door" not in html
