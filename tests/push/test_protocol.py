"""Web Push end to end against a local push service: VAPID, TTL, aes128gcm, 404/410, 503 retry."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Role
from app.notices.models import Urgency
from app.notices.schemas import NoticeIn
from app.notices.services import resolve_targets, send_notice
from app.push import vapid, worker
from app.push.channels import TTL_SECONDS, WebPushChannel
from app.push.models import Delivery, DeliveryStatus, PushSubscription
from tests.push.pushservice import verify_vapid


def run_worker():
    channel = WebPushChannel(vapid.load(current_app.instance_path), "mailto:ops@siheyuan.example", pool_size=4)
    try:
        return worker.run(db.session, channel, once=True, batch_size=50)
    finally:
        channel.close()


def send(staff, building, title="停水通知", urgency=Urgency.NORMAL, now=None):
    data = NoticeIn(title=title, body="明天上午9点到12点停水,请提前储水。", urgency=urgency, building_ids=[building.id])
    buildings, label = resolve_targets(db.session, data)
    notice = send_notice(db.session, staff, data, buildings, label, now=now or __import__("app.clock").clock.utcnow())
    db.session.commit()
    return notice


def test_notice_reaches_the_device_signed_encrypted_with_a_real_ttl(make_household, make_user, subscribe_device, push_service):
    household = make_household()
    resident = make_user(Role.RESIDENT, household)
    staff = make_user(Role.STAFF, household.building.community)
    _sub, keys, name = subscribe_device(resident)

    notice = send(staff, household.building, urgency=Urgency.URGENT)
    assert push_service.received == []  # creating a notice sends nothing by itself (outbox)

    stats = run_worker()

    assert stats.sent == 1
    [request] = push_service.to(name)
    verify_vapid(request.headers["authorization"], vapid.public_key(current_app.instance_path), push_service.origin)
    assert request.headers["ttl"] == str(TTL_SECONDS) == "86400"
    assert request.headers["content-encoding"] == "aes128gcm"
    assert request.headers["urgency"] == "high"
    assert keys.decrypt(request.body) == {
        "title": "停水通知", "body": "明天上午9点到12点停水,请提前储水。", "url": f"/notices/{notice.id}",
        "urgent": True, "tag": f"notice-{notice.id}",
    }
    delivery = db.session.scalar(select(Delivery))
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None and delivery.attempts == 1
    assert db.session.scalar(select(PushSubscription)).last_success_at is not None


def test_gone_subscriptions_are_deleted(make_household, make_user, subscribe_device, push_service):
    household = make_household()
    staff = make_user(Role.STAFF, household.building.community)
    gone = [subscribe_device(make_user(Role.RESIDENT, household)) for _ in range(2)]
    kept = subscribe_device(make_user(Role.RESIDENT, household))
    push_service.answer(gone[0][2], 404)
    push_service.answer(gone[1][2], 410)

    send(staff, household.building)
    stats = run_worker()

    assert (stats.sent, stats.gone) == (1, 2)
    remaining = db.session.scalars(select(PushSubscription.endpoint)).all()
    assert remaining == [push_service.endpoint(kept[2])]
    statuses = sorted(d.status.value for d in db.session.scalars(select(Delivery)))
    assert statuses == ["gone", "gone", "sent"]


def test_503_is_retried_later_with_backoff(make_household, make_user, subscribe_device, push_service, frozen_clock):
    household = make_household()
    resident = make_user(Role.RESIDENT, household)
    staff = make_user(Role.STAFF, household.building.community)
    _sub, keys, name = subscribe_device(resident)
    push_service.answer(name, 503, 201)
    send(staff, household.building, now=frozen_clock.now)

    first = run_worker()
    delivery = db.session.scalar(select(Delivery))
    assert (first.sent, first.retried) == (0, 1)
    assert delivery.status == DeliveryStatus.PENDING and "503" in delivery.last_error
    assert delivery.next_attempt_at == frozen_clock.now + timedelta(seconds=worker.BACKOFF_BASE_SECONDS)

    assert run_worker().sent == 0  # not due yet: nothing is sent again at once
    frozen_clock.set(frozen_clock.now + timedelta(seconds=31))
    second = run_worker()

    assert second.sent == 1
    assert len(push_service.to(name)) == 2
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    assert keys.decrypt(push_service.to(name)[-1].body)["title"] == "停水通知"


def test_backoff_grows_and_is_capped():
    assert [worker.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert worker.backoff(20).total_seconds() == worker.BACKOFF_MAX_SECONDS
    assert worker.backoff(1, retry_after=300).total_seconds() == 300


def test_a_refused_push_fails_after_the_last_attempt(make_household, make_user, subscribe_device, push_service):
    household = make_household()
    staff = make_user(Role.STAFF, household.building.community)
    _sub, _keys, name = subscribe_device(make_user(Role.RESIDENT, household))
    push_service.answer(name, 400)
    send(staff, household.building)

    stats = run_worker()

    delivery = db.session.scalar(select(Delivery))
    assert stats.failed == 1 and delivery.status == DeliveryStatus.FAILED and "400" in delivery.last_error


def test_the_worker_gives_up_on_a_device_inside_the_network(make_household, make_user, subscribe_device, push_service):
    """With public_only (every worker outside tests), a push service on 127.0.0.1 is never posted to."""
    household = make_household()
    resident = make_user(Role.RESIDENT, household)
    subscribe_device(resident)
    send(make_user(Role.STAFF, household.building.community), household.building)
    channel = WebPushChannel(vapid.load(current_app.instance_path), "mailto:ops@siheyuan.example", pool_size=4,
                             public_only=True)
    try:
        stats = worker.run(db.session, channel, once=True, batch_size=50)
    finally:
        channel.close()
    assert (stats.sent, stats.retried, stats.failed) == (0, 0, 1)
    assert push_service.received == []
    delivery = db.session.scalars(select(Delivery)).one()
    assert delivery.status == DeliveryStatus.FAILED and "not a public address" in delivery.last_error
