"""Claiming: two workers never take the same delivery; a dead worker's lease expires; notify() fan-out."""
import threading
from datetime import timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.extensions import db
from app.models import Role
from app.notifications import services as notifications
from app.notifications.models import InboxItem
from app.push import services, worker
from app.push.models import Delivery, DeliveryStatus, PushMessage, PushSubscription


def make_deliveries(user, n):
    now = utcnow()
    message = PushMessage(kind="notice", title="t", body="b", url="/", created_at=now)
    db.session.add(message)
    db.session.flush()
    db.session.execute(insert(PushSubscription), [
        {"user_id": user.id, "endpoint": f"https://push.example/{i}", "p256dh": "x", "auth": "y", "device_label": "",
         "created_at": now} for i in range(n)])
    subs = db.session.scalars(select(PushSubscription.id)).all()
    db.session.execute(insert(Delivery), [
        {"message_id": message.id, "subscription_id": s, "user_id": user.id, "channel": "webpush",
         "status": DeliveryStatus.PENDING, "attempts": 0, "next_attempt_at": now, "claimed_by": "", "last_error": ""}
        for s in subs])
    db.session.commit()
    return subs


def test_two_workers_never_claim_the_same_delivery(make_user):
    make_deliveries(make_user(Role.ADMIN), 300)
    engine = db.engine
    claimed: dict[str, list[int]] = {"a": [], "b": []}
    barrier = threading.Barrier(2)

    def work(name):
        with Session(engine) as session:
            barrier.wait()
            while True:
                ids = worker.claim(session, now=utcnow(), limit=7, worker=name)
                if not ids:
                    break
                claimed[name].extend(ids)

    threads = [threading.Thread(target=work, args=(n,)) for n in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not set(claimed["a"]) & set(claimed["b"])
    assert len(claimed["a"]) + len(claimed["b"]) == 300
    assert db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.attempts != 1)) == 0


def test_a_claim_is_a_lease_that_expires(make_user, frozen_clock):
    make_deliveries(make_user(Role.ADMIN), 3)
    first = worker.claim(db.session, now=frozen_clock.now, limit=10, worker="dead")
    assert len(first) == 3
    assert worker.claim(db.session, now=frozen_clock.now + timedelta(minutes=1), limit=10, worker="w2") == []
    again = worker.claim(db.session, now=frozen_clock.now + worker.LEASE, limit=10, worker="w2")
    assert again == first


def test_notify_creates_inbox_items_and_deliveries_but_respects_muting(make_user):
    alice, bob = make_user(Role.ADMIN), make_user(Role.ADMIN)
    for user in (alice, bob):
        services.subscribe(db.session, user, f"https://push.example/{user.id}", *_keys(), now=utcnow())
    notifications.set_muted(db.session, bob, {"issue.update"})
    db.session.commit()

    notifications.notify(db.session, [alice, bob], "issue.update", "您反映的问题有新进展", "物业已派人处理。", "/issues/1",
                    now=utcnow())
    db.session.commit()

    assert notifications.unread_count(db.session, alice) == 1
    assert notifications.unread_count(db.session, bob) == 0  # bob turned this kind off: neither inbox nor push
    deliveries = db.session.scalars(select(Delivery.user_id)).all()
    assert deliveries == [alice.id]

    notifications.notify(db.session, [bob], "issue.update", "紧急", "", "/", urgent=True, now=utcnow())
    db.session.commit()
    assert sorted(db.session.scalars(select(Delivery.user_id)).all()) == [alice.id, bob.id]  # urgent always comes
    assert db.session.scalar(select(func.count()).select_from(InboxItem)) == 2


def _keys():
    from tests.push.pushservice import DeviceKeys

    k = DeviceKeys.generate()
    return k.p256dh, k.auth_b64
