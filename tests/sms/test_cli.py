"""`flask push work --once` drains the SMS outbox too (the same worker, one command)."""
import contextvars

from sqlalchemy import select

from app.extensions import db
from app.models import Role
from app.sms.models import SmsDelivery, SmsStatus


def test_push_work_sends_the_due_sms(app, client, login, make_building, make_household, make_user, sms_on):
    building = make_building("9号楼")
    make_household(building, room="101", contact_phone="13611112222")
    staff = make_user(Role.STAFF, building.community)
    token = login(staff)
    response = client.post("/api/v1/notices", json={"title": "今晚停电", "body": "线路检修。", "urgency": "urgent",
                                                    "building_ids": [building.id]}, headers={"X-CSRFToken": token})
    assert response.status_code == 201

    result = contextvars.Context().run(app.test_cli_runner().invoke, args=["push", "work", "--once", "--concurrency", "2"])

    assert result.exit_code == 0, result.output
    assert "sms: sent 1, retry later 0, failed 0, skipped 0" in result.output
    assert [(s.phone, s.params["title"]) for s in sms_on.sent] == [("13611112222", "今晚停电")]
    db.session.rollback()
    assert db.session.scalar(select(SmsDelivery.status)) == SmsStatus.SENT
