"""S11: 光熙门北里北 28号楼 — 168 households, 79 with the app; push, the head's knocks, and the reach report."""
from sqlalchemy import insert, select

from app.clock import utcnow
from app.extensions import db
from app.models import Household, Role, RoleAssignment, User
from app.notices.schemas import NoticeIn
from app.notices.services import door_list, reach, reach_counts, resolve_targets, send_notice
from app.push.models import Delivery, DeliveryStatus, PushSubscription


def test_reaching_all_168_households(make_building, make_user, frozen_clock):
    building = make_building("28号楼")
    db.session.execute(insert(Household), [
        {"building_id": building.id, "unit": f"{1 + i // 28}门", "room": f"{100 + i % 28}", "change_seq": 0,
         "is_deleted": False, "no_smartphone": i >= 160} for i in range(168)])
    households = db.session.scalars(select(Household).order_by(Household.id)).all()
    db.session.execute(insert(User), [{"phone": f"1380{i:07d}", "name": "居民", "password_hash": "!", "active": True}
                                      for i in range(79)])
    users = db.session.scalars(select(User.id).order_by(User.id)).all()
    db.session.execute(insert(RoleAssignment), [{"user_id": u, "role": Role.RESIDENT, "household_id": h.id}
                                                for u, h in zip(users, households, strict=False)])
    db.session.execute(insert(PushSubscription), [
        {"user_id": u, "endpoint": f"https://push.example/{u}", "p256dh": "x", "auth": "y", "device_label": "",
         "created_at": utcnow()} for u in users])
    staff = make_user(Role.STAFF, building.community)
    head = make_user(Role.BUILDING_HEAD, building)

    data = NoticeIn(title="9月23日清理楼道小广告并粉刷墙面", body="请把楼道杂物搬回家。", building_ids=[building.id])
    buildings, label = resolve_targets(db.session, data)
    notice = send_notice(db.session, staff, data, buildings, label, now=frozen_clock.now)
    db.session.commit()
    assert db.session.query(Delivery).count() == 79  # one per subscribed phone, written with the notice

    # the push service accepted them all (what the worker records on 201)
    db.session.query(Delivery).update({Delivery.status: DeliveryStatus.SENT})
    db.session.commit()
    counts = reach_counts(reach(db.session, notice, now=frozen_clock.now))
    assert counts == {"households": 168, "subscribed": 79, "pushed": 79, "read": 0, "informed": 0,
                      "no_smartphone": 8, "not_reached": 168, "reached": 0, "sms_delivered": 0,
                      "call_answered": 0}
    # the head knocks on the 89 doors with no notifications at once; the 79 after 12 hours unread
    assert len(door_list(db.session, head, notice, now=frozen_clock.now)) == 89
