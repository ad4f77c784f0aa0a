"""Problem updates and deadline reminders by SMS too: the person's choice on /push/, off by default."""
from sqlalchemy import func, select

from app.clock import utcnow
from app.extensions import db
from app.models import Role
from app.notifications.services import notify
from app.sms.models import SmsDelivery
from tests.conftest import csrf_from


def test_an_update_comes_by_sms_only_to_who_asked_for_it(client, login, make_household, make_user, sms_on, app,
                                                        monkeypatch, run_worker):
    monkeypatch.setitem(app.config, "SMS_TEMPLATE_EVENT", "SMS_NOTICE")
    wants, does_not = make_user(Role.RESIDENT, make_household()), make_user(Role.RESIDENT, make_household())
    login(wants)
    page = client.get("/push/").get_data(as_text=True)
    sms_form = page.split('action="/sms/events"')[1].split("</form>")[0]
    assert "同时用短信发到我的手机" in sms_form and "checked" not in sms_form  # off by default
    response = client.post("/sms/events", data={"csrf_token": csrf_from(page), "kind": ["issue.update"]})
    assert response.status_code == 302
    sms_form = client.get("/push/").get_data(as_text=True).split('action="/sms/events"')[1].split("</form>")[0]
    assert 'value="issue.update" checked' in sms_form and 'value="issue.deadline" checked' not in sms_form

    notify(db.session, [wants, does_not], "issue.update", "您反映的问题有新进展", "物业已派人处理。", "/issues/7", now=utcnow())
    notify(db.session, [wants], "issue.deadline", "反馈时限将到", "", "/issues/7", now=utcnow())  # not chosen
    db.session.commit()
    run_worker()
    assert [(s.phone, s.params) for s in sms_on.sent] == [
        (wants.phone, {"title": "您反映的问题有新进展", "link": "https://siheyuan.example.cn/issues/7"})]


def test_off_by_default_and_without_the_event_template(client, login, make_household, make_user, sms_on):
    person = make_user(Role.RESIDENT, make_household())
    login(person)
    assert 'action="/sms/events"' not in client.get("/push/").get_data(as_text=True)  # no event template: no choice
    notify(db.session, [person], "issue.update", "有新进展", "", "/issues/1", now=utcnow())
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SmsDelivery)) == 0


def test_an_unknown_kind_is_refused(client, login, make_household, make_user, sms_on, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_TEMPLATE_EVENT", "SMS_NOTICE")
    person = make_user(Role.RESIDENT, make_household())
    token = login(person)
    response = client.post("/sms/events", data={"csrf_token": token, "kind": ["vote"]}, follow_redirects=True)
    assert "未知的消息类型" in response.get_data(as_text=True)


def test_a_person_turns_sms_to_their_own_phone_off_and_on(client, login, make_household, make_user, sms_on):
    person = make_user(Role.RESIDENT, make_household())
    login(person)
    page = client.get("/notifications/").get_data(as_text=True)
    form = page.split('action="/sms/receive"')[1].split("</form>")[0]
    assert 'name="receive" value="1" checked' in form  # on unless turned off
    assert client.post("/sms/receive", data={"csrf_token": csrf_from(page)}).status_code == 302  # box unticked
    login(make_user(Role.STAFF, make_household().building.community))
    assert person.phone in client.get("/sms/").get_data(as_text=True)  # staff see it
    login(person)
    page = client.get("/notifications/").get_data(as_text=True)
    assert 'name="receive" value="1" checked' not in page.split('action="/sms/receive"')[1].split("</form>")[0]
    client.post("/sms/receive", data={"csrf_token": csrf_from(page), "receive": "1"})
    login(make_user(Role.STAFF, make_household().building.community))
    assert person.phone not in client.get("/sms/").get_data(as_text=True)
