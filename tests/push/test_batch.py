"""The worker's batches: mixed answers recorded, overlapping batches, stops, two workers; the VAPID token's reuse."""
import json
import threading
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.database import immediate_transactions
from app.extensions import db
from app.models import Role
from app.notifications.services import notify
from app.push import vapid, worker
from app.push.channels import WebPushChannel
from app.push.models import Delivery, DeliveryStatus, PushSubscription
from tests.push.pushservice import unb64url, verify_vapid


def channel():
    return WebPushChannel(vapid.load(current_app.instance_path), "mailto:ops@siheyuan.example", pool_size=4)


def test_one_batch_with_410_500_429_and_201_records_each(make_user, subscribe_device, push_service, frozen_clock):
    users = [make_user(Role.ADMIN) for _ in range(4)]
    devices = [subscribe_device(u) for u in users]
    gone, broken, busy, fine = (name for _sub, _keys, name in devices)
    sub_of = {name: sub.id for sub, _keys, name in devices}
    push_service.answer(gone, 410)
    push_service.answer(broken, 500)
    push_service.answer(busy, (429, {"Retry-After": "120"}))
    notify(db.session, users, "vote", "投票开始了", "请投票。", "/", now=frozen_clock.now)
    db.session.commit()

    sender = channel()
    try:
        stats = worker.run(db.session, sender, once=True, batch_size=50)
    finally:
        sender.close()

    assert (stats.batches, stats.sent, stats.gone, stats.retried, stats.failed) == (1, 1, 1, 2, 0)
    by_device = {d.subscription_id: d for d in db.session.scalars(select(Delivery))}
    assert by_device[sub_of[fine]].status == DeliveryStatus.SENT and by_device[sub_of[fine]].sent_at == frozen_clock.now
    assert db.session.get(PushSubscription, sub_of[fine]).last_success_at == frozen_clock.now
    gone_delivery = db.session.scalar(select(Delivery).where(Delivery.status == DeliveryStatus.GONE))
    assert gone_delivery.subscription_id is None and "410" in gone_delivery.last_error  # its subscription is deleted
    assert db.session.get(PushSubscription, sub_of[gone]) is None
    assert by_device[sub_of[broken]].status == DeliveryStatus.PENDING and "500" in by_device[sub_of[broken]].last_error
    assert by_device[sub_of[broken]].next_attempt_at == frozen_clock.now + timedelta(seconds=worker.BACKOFF_BASE_SECONDS)
    assert by_device[sub_of[busy]].status == DeliveryStatus.PENDING and "429" in by_device[sub_of[busy]].last_error
    assert by_device[sub_of[busy]].next_attempt_at == frozen_clock.now + timedelta(seconds=120)  # its Retry-After
    assert all(d.attempts == 1 and d.claimed_by for d in db.session.scalars(select(Delivery)))


def claims(authorization: str) -> dict:
    token = authorization.split("t=", 1)[1].split(",")[0]
    return json.loads(unb64url(token.split(".")[1]))


def test_the_vapid_token_is_reused_within_its_lifetime_and_renewed_after(make_user, subscribe_device, push_service):
    user = make_user(Role.ADMIN)
    devices = [subscribe_device(user) for _ in range(3)]
    key = vapid.public_key(current_app.instance_path)
    sender = channel()
    start = sender.clock()
    try:
        def push(title):
            jobs = [({"title": title}, {"endpoint": push_service.endpoint(name),
                                        "keys": {"p256dh": keys.p256dh, "auth": keys.auth_b64}})
                    for _sub, keys, name in devices]
            assert [r.outcome for r in sender.send_batch(jobs)] == ["sent"] * 3
            return {r.headers["authorization"] for r in push_service.received if keys_title(r) == title}

        def keys_title(received):
            name = received.path.rsplit("/", 1)[1]
            return next(k for _s, k, n in devices if n == name).decrypt(received.body)["title"]

        first = push("一")
        sender.clock = lambda: start + 3600  # an hour later: still the same token
        second = push("二")
        renew_at = WebPushChannel.VAPID_LIFETIME - WebPushChannel.VAPID_RENEW_BEFORE
        sender.clock = lambda: start + renew_at + 1  # within an hour of its expiry: a new one
        third = push("三")
        other = sender.vapid_headers("https://updates.push.services.mozilla.com/wpush/v2/abc")["Authorization"]
    finally:
        sender.close()

    assert len(first) == 1 and first == second  # one token for every message to that push service
    assert len(third) == 1 and third != first
    old, new = claims(first.pop()), claims(third.pop())
    assert old["exp"] == int(start) + WebPushChannel.VAPID_LIFETIME
    assert new["exp"] == int(start + renew_at + 1) + WebPushChannel.VAPID_LIFETIME
    for received in push_service.received:
        verify_vapid(received.headers["authorization"], key, push_service.origin)
    assert claims(other)["aud"] == "https://updates.push.services.mozilla.com"  # each push service its own token


def test_batches_overlap_and_every_push_is_sent_once(make_user, subscribe_device, push_service):
    users = [make_user(Role.ADMIN) for _ in range(5)]
    for user in users:
        subscribe_device(user)
    notify(db.session, users, "vote", "投票开始了", "请投票。", "/", now=utcnow())
    db.session.commit()

    sender = channel()
    try:
        stats = worker.run(db.session, sender, once=True, batch_size=2)  # 2 + 2 + 1, the next claimed while one sends
    finally:
        sender.close()

    assert (stats.batches, stats.sent) == (3, 5)
    assert sorted(r.path for r in push_service.received) == sorted({r.path for r in push_service.received})
    assert set(db.session.scalars(select(Delivery.status))) == {DeliveryStatus.SENT}


def test_a_stop_finishes_and_records_the_batch_in_flight(make_user, subscribe_device, push_service):
    users = [make_user(Role.ADMIN) for _ in range(3)]
    for user in users:
        subscribe_device(user)
    notify(db.session, users, "vote", "投票开始了", "请投票。", "/", now=utcnow())
    db.session.commit()
    asked = iter([False, True])  # stop once the first batch is claimed

    sender = channel()
    try:
        stats = worker.run(db.session, sender, batch_size=2, should_stop=lambda: next(asked, True))
    finally:
        sender.close()

    assert (stats.batches, stats.sent, len(push_service.received)) == (1, 2, 2)
    assert sorted(s.value for s in db.session.scalars(select(Delivery.status))) == ["pending", "sent", "sent"]


def test_two_workers_at_once_send_each_push_once(make_user, subscribe_device, push_service):
    users = [make_user(Role.ADMIN) for _ in range(40)]
    for user in users:
        subscribe_device(user)
    notify(db.session, users, "vote", "投票开始了", "请投票。", "/", now=utcnow())
    db.session.commit()
    engine, app = db.engine, current_app._get_current_object()
    totals = []

    def work():
        with app.app_context(), Session(engine) as session:
            immediate_transactions()
            sender = channel()
            try:
                totals.append(worker.run(session, sender, once=True, batch_size=3).sent)
            finally:
                sender.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sum(totals) == 40 == len(push_service.received)
    assert len({r.path for r in push_service.received}) == 40  # no device got it twice
    db.session.rollback()
    assert set(db.session.scalars(select(Delivery.status))) == {DeliveryStatus.SENT}


def test_batches_from_two_threads_share_the_lanes_and_keep_their_answers_in_order(make_user, subscribe_device,
                                                                                   push_service):
    user = make_user(Role.ADMIN)
    devices = [subscribe_device(user) for _ in range(8)]
    for number, (_sub, _keys, name) in enumerate(devices):
        push_service.answer(name, 201 if number % 3 else 410)
    jobs = [({"title": "t"}, {"endpoint": push_service.endpoint(name), "keys": {"p256dh": keys.p256dh, "auth": keys.auth_b64}})
            for _sub, keys, name in devices]
    sender = WebPushChannel(vapid.load(current_app.instance_path), "mailto:ops@siheyuan.example", pool_size=2)
    answers = {}
    try:
        threads = [threading.Thread(target=lambda half=half: answers.update({half: sender.send_batch(jobs[half::2])}))
                   for half in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        sender.close()

    expected = ["sent" if number % 3 else "gone" for number in range(8)]
    assert [r.outcome for r in answers[0]] == expected[0::2]
    assert [r.outcome for r in answers[1]] == expected[1::2]
    assert len(push_service.received) == 8
