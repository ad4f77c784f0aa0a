"""Each person turns kinds of message off (on /push/ or /notifications/): what is off reaches neither
inbox nor phone; urgent always does."""
import contextvars
import uuid
from datetime import timedelta

from sqlalchemy import select

from app.clock import utcnow
from app.conventions.services import draft_convention, open_discussion, open_vote
from app.extensions import db
from app.models import Role
from app.notifications.models import InboxItem
from app.problems import reminders
from app.problems.models import Category
from app.problems.services import report_problem
from app.push.models import Delivery


def turn_off(client, login, user, kinds_off):
    """The person unticks `kinds_off` on the settings page and saves."""
    token = login(user)
    page = client.get("/push/").get_data(as_text=True)
    kinds = ["notice", "issue.update", "issue.deadline", "issue.dispatch", "vote"]
    assert all(f'value="{k}"' in page for k in kinds)
    response = client.post("/notifications/kinds", data={"csrf_token": token, "kind": [k for k in kinds if k not in kinds_off]})
    assert response.status_code == 302


def kinds_received(user):
    """(kind, title) of the user's inbox items."""
    return [(i.kind, i.title) for i in db.session.scalars(
        select(InboxItem).where(InboxItem.user_id == user.id).order_by(InboxItem.id))]


def deliveries_to(user):
    """How many push deliveries were queued for the user's phones."""
    return len(db.session.scalars(select(Delivery).where(Delivery.user_id == user.id)).all())


def test_the_settings_page_shows_urgent_notices_cannot_be_turned_off(client, login, make_user, make_household):
    login(make_user(Role.RESIDENT, make_household()))
    page = client.get("/push/").get_data(as_text=True)
    assert "紧急通知(不能关闭)" in page
    urgent = page[page.index("紧急通知(不能关闭)") - 120:page.index("紧急通知(不能关闭)")]
    assert "checked disabled" in urgent  # shown, ticked, and not a choice


def test_votes_turned_off_come_neither_to_the_inbox_nor_the_phone(client, login, make_building, make_household,
                                                                   make_user, subscribe_device):
    building = make_building()
    quiet, keen = (make_user(Role.RESIDENT, make_household(building)) for _ in range(2))
    head = make_user(Role.BUILDING_HEAD, building)
    subscribe_device(quiet)
    subscribe_device(keen)
    turn_off(client, login, quiet, {"vote"})

    convention = draft_convention(db.session, head, building, "不高空抛物", "窗台不摆花盆。", now=utcnow())
    open_discussion(db.session, head, convention, now=utcnow())
    open_vote(db.session, head, convention, opens_at=utcnow(), closes_at=utcnow() + timedelta(days=1), now=utcnow())
    db.session.commit()

    assert kinds_received(quiet) == [] and deliveries_to(quiet) == 0
    assert kinds_received(keen) == [("vote", "开始投票:不高空抛物")] and deliveries_to(keen) == 1


def test_a_head_who_turned_deadline_reminders_off_is_not_reminded(client, login, make_building, make_household,
                                                                    make_user, frozen_clock, subscribe_device):
    building = make_building()
    household = make_household(building)
    resident = make_user(Role.RESIDENT, household)
    quiet, keen = make_user(Role.BUILDING_HEAD, building), make_user(Role.BUILDING_HEAD, building)
    subscribe_device(quiet)
    turn_off(client, login, quiet, {"issue.deadline"})
    report_problem(db.session, resident, building, category=Category.REPAIRS, text="水管漏水", now=utcnow(),
                   uuid=str(uuid.uuid4()), household=household)
    db.session.commit()

    frozen_clock.set(frozen_clock.now + timedelta(hours=9))
    assert reminders.run(db.session, now=utcnow()).reminded_soon == 1
    db.session.commit()

    assert kinds_received(quiet) == [] and deliveries_to(quiet) == 0
    assert [k for k, _t in kinds_received(keen)] == ["issue.deadline"]


def test_urgent_notices_come_even_with_notices_turned_off(app, client, login, make_building, make_household,
                                                          make_user, subscribe_device, push_service):
    building = make_building()
    resident = make_user(Role.RESIDENT, make_household(building))
    staff = make_user(Role.STAFF, building.community)
    _sub, keys, name = subscribe_device(resident)
    turn_off(client, login, resident, {"notice", "issue.update", "issue.deadline", "issue.dispatch", "vote"})

    token = login(staff)
    for title, urgency in (("周六粉刷楼道", "normal"), ("紧急:车库起火", "urgent")):
        response = client.post("/notices/new", data={
            "csrf_token": token, "title": title, "body": "请留意。", "urgency": urgency,
            "targets": [f"b:{building.id}"], "action": "send"})
        assert response.status_code == 302

    sent = contextvars.Context().run(app.test_cli_runner().invoke, args=["push", "work", "--once"])
    assert "sent 1" in sent.output, sent.output
    assert [keys.decrypt(m.body)["title"] for m in push_service.to(name)] == ["紧急:车库起火"]
    # Notices stay on the notice board either way; only the phone stays quiet for the normal one.
    login(resident)
    board = client.get("/notices/").get_data(as_text=True)
    assert "紧急:车库起火" in board and "周六粉刷楼道" in board
