"""Cost control: staff choose the channels, the preview shows SMS, calls and price, the monthly budget refuses."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Role
from app.notices.models import Notice
from app.sms.models import SmsDelivery, SmsKind


@pytest.fixture
def street(make_building, make_household, make_user, sms_on):
    """A building of 5 households with phones, one of them living alone; the staff member in charge."""
    b = make_building("3号楼")
    households = [make_household(b, room=f"10{i}", contact_phone=f"1370000000{i}") for i in range(4)]
    households.append(make_household(b, room="201", contact_phone="13700000009", lives_alone=True))
    members = [make_user(Role.RESIDENT, households[0]), make_user(Role.RESIDENT, households[0])]
    return type("Street", (), {"building": b, "households": households, "members": members,
                               "staff": make_user(Role.STAFF, b.community)})


def compose(client, token, building, **fields):
    data = {"csrf_token": token, "title": "小区消防检查", "body": "周六上午检查楼道消防设施。", "urgency": "normal",
            "targets": [f"b:{building.id}"], "action": "preview", **fields}
    return client.post("/notices/new", data=data)


def test_the_preview_shows_sms_calls_and_price(client, login, street, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_PRICE_FEN", 5)
    monkeypatch.setitem(app.config, "VOICE_PRICE_FEN", 15)
    token = login(street.staff)
    page = client.get("/notices/new").get_data(as_text=True)
    assert 'name="phone_channels"' in page
    normal = compose(client, token, street.building).get_data(as_text=True)
    assert "最多 5 条短信、0 个电话，约 0.25 元" in normal  # normal: SMS only, one per household
    urgent = compose(client, token, street.building, urgency="urgent").get_data(as_text=True)
    assert "最多 5 条短信、1 个电话，约 0.40 元" in urgent  # urgent: the one living alone is called too
    per_member = compose(client, token, street.building, sms_per_member="y").get_data(as_text=True)
    assert "最多 6 条短信" in per_member  # household 0's two members each get one (their account phones)
    none = compose(client, token, street.building, phone_channels="none").get_data(as_text=True)
    assert "最多 0 条短信、0 个电话" in none
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_staff_choose_no_sms_and_none_is_written(client, login, street):
    token = login(street.staff)
    response = compose(client, token, street.building, urgency="urgent", phone_channels="none", action="send")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SmsDelivery)) == 0


def test_the_monthly_budget_refuses_a_notice_that_would_exceed_it(client, login, street, app, monkeypatch,
                                                                   frozen_clock):
    monkeypatch.setitem(app.config, "SMS_PRICE_FEN", 5)
    monkeypatch.setitem(app.config, "SMS_MONTHLY_BUDGET_YUAN", 1)  # 1 yuan: 20 SMS a month
    token = login(street.staff)
    for _ in range(4):  # 4 × 5 SMS × 5 分 = 1 yuan: the budget exactly
        assert compose(client, token, street.building, action="send").status_code == 302
    refused = compose(client, token, street.building, action="send")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "超出" in text and "每月预算 1 元" in text and "剩余 0.00 元" in text
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 4  # nothing else was written
    assert db.session.scalar(select(func.count()).select_from(SmsDelivery).where(SmsDelivery.kind == SmsKind.SMS)) == 20
    # without SMS the notice still goes out
    assert compose(client, token, street.building, action="send", phone_channels="none").status_code == 302
    # next month the budget is fresh
    frozen_clock.set(frozen_clock.now + timedelta(days=31))
    assert compose(client, token, street.building, action="send").status_code == 302


def test_the_usage_page_counts_each_month(client, login, street, app, monkeypatch, run_worker, frozen_clock):
    monkeypatch.setitem(app.config, "SMS_PRICE_FEN", 5)
    monkeypatch.setitem(app.config, "VOICE_PRICE_FEN", 15)
    token = login(street.staff)
    assert compose(client, token, street.building, action="send", urgency="urgent").status_code == 302
    run_worker()  # 5 SMS at once (urgent)
    frozen_clock.set(frozen_clock.now + timedelta(minutes=31))
    run_worker()  # and the call to the one living alone
    html = client.get("/sms/").get_data(as_text=True)
    community = street.building.community.name
    assert f"<td>2026-09</td><td>{community}</td><td>5</td><td>1</td><td>0.40</td>" in html
