"""The issue's scenario: a building with push households, phone-only households and one elderly person living alone."""
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from app.extensions import db
from app.models import Role
from app.notices.models import Notice
from app.push.models import PushSubscription
from app.sms import services
from app.sms.models import SmsDelivery, SmsKind, SmsStatus
from tests.sms.fake_aliyun import INVALID_NUMBER


def send_notice(client, token, building, **extra):
    response = client.post("/api/v1/notices", json={"title": "明日9时至12时停水检修，请提前储水", "body": "热力公司检修管道。",
                                                    "building_ids": [building.id], **extra},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.get_json()
    return db.session.get(Notice, response.get_json()["id"])


@pytest.fixture
def building(make_building, make_household, make_user, subscribe_device):
    """Two households with push, two with phones only, one elderly living alone (ledger phone), one invalid, one opted out."""
    b = make_building("6号楼")
    pushed = [make_household(b, room=f"10{i}") for i in (1, 2)]
    phone_only = [make_household(b, room=f"20{i}") for i in (1, 2)]
    elderly = make_household(b, room="301", lives_alone=True, contact_phone="138-0101-0101")
    invalid = make_household(b, room="302", contact_phone=INVALID_NUMBER)
    opted = make_household(b, room="303")
    people = {}
    for h in pushed:
        people[h.id] = [make_user(Role.RESIDENT, h), make_user(Role.RESIDENT, h)]  # two members, one SMS
        subscribe_device(people[h.id][0])
    for h in [*phone_only, opted]:
        people[h.id] = [make_user(Role.RESIDENT, h), make_user(Role.RESIDENT, h)]
    services.opt_out(db.session, people[opted.id][0].phone, source="reply", now=b.created_at)
    services.opt_out(db.session, people[opted.id][1].phone, source="reply", now=b.created_at)
    db.session.commit()
    staff = make_user(Role.STAFF, b.community, name="社工")
    return type("Building", (), {"it": b, "pushed": pushed, "phone_only": phone_only, "elderly": elderly,
                                 "invalid": invalid, "opted": opted, "people": people, "staff": staff})


def rows(kind=None):
    query = select(SmsDelivery).order_by(SmsDelivery.id)
    if kind:
        query = query.where(SmsDelivery.kind == kind)
    return list(db.session.scalars(query))


def test_each_household_gets_the_right_channel_once(client, login, building, sms_on, run_worker, frozen_clock,
                                                    push_service):
    fake = sms_on
    notice = send_notice(client, login(building.staff), building.it, phone_channels="sms_voice")
    written = rows()
    # one SMS per household with a phone (not per member, not the opted-out one), one call for the elderly
    assert sorted(r.household_id for r in written if r.kind == SmsKind.SMS) == sorted(
        h.id for h in [*building.pushed, *building.phone_only, building.elderly, building.invalid])
    assert [r.household_id for r in written if r.kind == SmsKind.VOICE] == [building.elderly.id]

    run_worker()  # push goes out at once; SMS waits 30 minutes for it
    assert len(push_service.received) == 2 and fake.sent == []

    frozen_clock.set(frozen_clock.now + timedelta(minutes=31))
    run_worker()
    sms = [s for s in fake.sent if s.action == "SendSms"]
    elderly_phone = "13801010101"
    expected = {building.people[h.id][0].phone for h in building.phone_only} | {elderly_phone}
    assert len(sms) == len({s.phone for s in sms}) == 3 and {s.phone for s in sms} == expected
    assert all(s.sign_name == "掌上四合院" and s.template == "SMS_NOTICE" for s in sms)
    assert sms[0].params == {"title": "明日9时至12时停水检修，请提前储水"[:20],
                             "link": f"https://siheyuan.example.cn/notices/{notice.id}"}
    by_household = {r.household_id: r for r in rows(SmsKind.SMS)}
    assert {by_household[h.id].status for h in building.pushed} == {SmsStatus.SKIPPED}  # reached by push
    assert by_household[building.invalid.id].status == SmsStatus.FAILED  # invalid number: for good
    assert "MOBILE_NUMBER_ILLEGAL" in by_household[building.invalid.id].last_error
    assert not [s for s in fake.sent if s.action == "SingleCallByTts"]  # the call waits for the SMS to go unread

    frozen_clock.set(frozen_clock.now + timedelta(minutes=31))
    run_worker()
    calls = [s for s in fake.sent if s.action == "SingleCallByTts"]
    assert [(c.phone, c.template) for c in calls] == [(elderly_phone, "TTS_NOTICE")]
    assert fake.refused == []  # every request carried the provider's signature

    frozen_clock.set(frozen_clock.now + timedelta(hours=3))
    run_worker()
    assert len(fake.sent) == 4  # nothing twice


def test_no_call_when_the_household_read_the_notice_after_the_sms(client, login, make_household, make_user, sms_on,
                                                                  run_worker, frozen_clock, building):
    fake = sms_on
    flagged = make_household(building.it, room="401", no_smartphone=True)
    daughter = make_user(Role.RESIDENT, flagged)
    notice = send_notice(client, login(building.staff), building.it, urgency="urgent")
    run_worker()  # urgent: SMS at once, no waiting for push
    assert daughter.phone in {s.phone for s in fake.sent if s.action == "SendSms"}
    token = login(daughter)
    assert client.post(f"/api/v1/notices/{notice.id}/read", headers={"X-CSRFToken": token}).status_code == 200
    frozen_clock.set(frozen_clock.now + timedelta(minutes=31))
    run_worker()
    calls = {s.phone for s in fake.sent if s.action == "SingleCallByTts"}
    assert daughter.phone not in calls and "13801010101" in calls  # the elderly neighbour had not read it
    call = next(r for r in rows(SmsKind.VOICE) if r.household_id == flagged.id)
    assert call.status == SmsStatus.SKIPPED and call.last_error == "read or told in person"


def test_throttling_is_retried_with_back_off(client, login, building, sms_on, run_worker, frozen_clock):
    fake = sms_on
    fake.throttle = 2
    db.session.execute(delete(PushSubscription))  # no household is reached by push: every SMS is needed
    building.invalid.contact_phone = "13700000001"  # whichever two are throttled, each can be sent later
    db.session.commit()
    send_notice(client, login(building.staff), building.it, urgency="urgent")
    run_worker()
    retried = [r for r in rows(SmsKind.SMS) if r.status == SmsStatus.PENDING]
    assert len(retried) == 2 and all("BUSINESS_LIMIT_CONTROL" in r.last_error for r in retried)
    assert all(r.next_attempt_at >= frozen_clock.now + timedelta(seconds=60) for r in retried)
    sent_before = len(fake.sent)
    frozen_clock.set(frozen_clock.now + timedelta(minutes=2))
    run_worker()
    again = {r.id: r for r in rows(SmsKind.SMS)}
    assert [again[r.id].status for r in retried] == [SmsStatus.SENT, SmsStatus.SENT]
    assert len(fake.sent) == sent_before + 2
    assert not [r for r in again.values() if r.status == SmsStatus.PENDING]


def test_an_opt_out_after_writing_skips_what_waits(client, login, building, sms_on, run_worker, frozen_clock):
    fake = sms_on
    send_notice(client, login(building.staff), building.it)
    person = building.people[building.phone_only[0].id][0]
    login(building.staff)
    page = client.get("/sms/")
    from tests.conftest import csrf_from

    response = client.post("/sms/opt-outs", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                  "phone": f"+86 {person.phone}"})
    assert response.status_code == 302
    frozen_clock.set(frozen_clock.now + timedelta(minutes=31))
    run_worker()
    assert person.phone not in {s.phone for s in fake.sent}
    html = client.get("/sms/").get_data(as_text=True)
    assert person.phone in html and person.name in html


def test_without_a_provider_nothing_changes(client, login, building, run_worker):
    send_notice(client, login(building.staff), building.it, urgency="urgent")
    assert rows() == []


def test_receipts_fill_the_reach_report_and_empty_the_door_list(client, login, building, sms_on, run_worker,
                                                               frozen_clock, make_user):
    fake = sms_on
    head = make_user(Role.BUILDING_HEAD, building.it, name="楼长")
    notice = send_notice(client, login(building.staff), building.it, urgency="urgent", phone_channels="sms_voice")
    run_worker()  # urgent: every SMS at once
    sms = {r.household_id: r for r in rows(SmsKind.SMS)}
    told = building.phone_only[0]
    fake.delivered[sms[told.id].provider_id] = True  # the phone got it
    fake.delivered[sms[building.phone_only[1].id].provider_id] = False  # switched off: not delivered
    frozen_clock.set(frozen_clock.now + timedelta(minutes=2))
    run_worker()  # asks for the reports
    again = {r.household_id: r for r in rows(SmsKind.SMS)}
    assert again[told.id].status == SmsStatus.DELIVERED and again[told.id].receipt_at is not None
    assert again[building.phone_only[1].id].status == SmsStatus.UNDELIVERED

    frozen_clock.set(frozen_clock.now + timedelta(minutes=31))
    run_worker()  # the elderly household had not read it: called
    [call] = rows(SmsKind.VOICE)
    assert call.status == SmsStatus.SENT
    fake.delivered[call.provider_id] = True  # picked up
    frozen_clock.set(frozen_clock.now + timedelta(minutes=2))
    run_worker()

    login(building.staff)
    counts = client.get(f"/api/v1/notices/{notice.id}/reach").get_json()["counts"]
    assert counts["sms_delivered"] == 1 and counts["call_answered"] == 1
    html = client.get(f"/notices/{notice.id}/reach").get_data(as_text=True)
    assert 'data-count="sms_delivered">1<' in html and 'data-count="call_answered">1<' in html
    login(head)
    door = client.get(f"/notices/{notice.id}/door").get_data(as_text=True)
    assert f'data-household="{told.id}"' not in door and f'data-household="{building.elderly.id}"' not in door
    assert f'data-household="{building.phone_only[1].id}"' in door  # undelivered: still to knock on
