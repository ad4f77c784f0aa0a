"""The periodic job: owners reminded 3 h before the feedback deadline and when overdue, once; 7-day close."""
import contextvars
import threading
import uuid
from datetime import timedelta

from sqlalchemy import select

from app.clock import utcnow
from app.database import immediate_transactions
from app.extensions import db
from app.models import Role
from app.notifications.models import InboxItem
from app.problems import reminders
from app.problems.models import Category, EventKind, Problem, ProblemEvent, Status
from app.problems.services import escalate, report_problem, resolve, respond
from app.push.models import Delivery


def report(world, text="6门楼道灯坏了,晚上看不见台阶"):
    """The resident reports a problem now (frozen clock) and it is committed."""
    problem = report_problem(db.session, world.resident, world.household.building, category=Category.REPAIRS,
                             text=text, now=utcnow(), uuid=str(uuid.uuid4()), household=world.household,
                             reporter=world.resident)
    db.session.commit()
    return problem


def run_job(app):
    """Run `flask --app wsgi issues remind` once, as the background loop does each minute."""
    db.session.commit()
    result = contextvars.Context().run(app.test_cli_runner().invoke, args=["issues", "remind"])
    assert result.exit_code == 0, result.output
    db.session.rollback()  # see what the command committed
    return result.output


def reminders_of(user):
    """The deadline reminders in the user's inbox, oldest first."""
    return db.session.scalars(select(InboxItem).where(InboxItem.user_id == user.id, InboxItem.kind == "issue.deadline")
                              .order_by(InboxItem.id)).all()


def inbox_page(client, login, user) -> str:
    """What the user sees under Notices (the inbox)."""
    login(user)
    return client.get("/notices/").get_data(as_text=True)


def test_at_9_hours_the_building_heads_are_reminded_once(app, world, make_user, make_building, frozen_clock,
                                                          client, login):
    second_head = make_user(Role.BUILDING_HEAD, world.household.building, name="周楼长")
    other_head = make_user(Role.BUILDING_HEAD, make_building("9号楼", community=world.household.building.community))
    start = frozen_clock.now  # 07:33 UTC = 15:33 in Beijing; due 03:33 Beijing time
    problem = report(world)

    frozen_clock.set(start + timedelta(hours=8, minutes=59))
    assert "reminded 0 due soon" in run_job(app)
    frozen_clock.set(start + timedelta(hours=9))
    assert "reminded 1 due soon" in run_job(app)
    frozen_clock.set(start + timedelta(hours=9, minutes=1))
    assert "reminded 0 due soon, 0 overdue" in run_job(app)

    for head in (world.head, second_head):
        [item] = reminders_of(head)
        assert item.title == "请在 03:33 前反馈:6门楼道灯坏了,晚上看不见台阶" and item.url == f"/issues/{problem.id}"
    # Not the staff (the problem is still with the building), not another building's head, not the reporter.
    assert not reminders_of(world.staff) and not reminders_of(other_head) and not reminders_of(world.resident)
    assert "请在 03:33 前反馈" in inbox_page(client, login, world.head)


def test_no_reminder_once_a_public_reply_exists_but_an_internal_note_is_not_one(app, world, frozen_clock):
    start = frozen_clock.now
    answered, noted = report(world, "电梯异响"), report(world, "垃圾桶满了")
    respond(db.session, world.head, answered, "已通知物业明早检修。", now=start + timedelta(hours=2))
    respond(db.session, world.staff, noted, "内部:先问问保洁。", now=start + timedelta(hours=2), public=False)
    db.session.commit()

    frozen_clock.set(start + timedelta(hours=9))
    run_job(app)
    frozen_clock.set(start + timedelta(hours=13))
    run_job(app)

    titles = [i.title for i in reminders_of(world.head)]
    assert titles == ["请在 03:33 前反馈:垃圾桶满了", "已超时未反馈:垃圾桶满了"]


def test_overdue_reminder_goes_to_whoever_holds_it_now(app, world, frozen_clock):
    start = frozen_clock.now
    problem = report(world, "小区门口药店占道经营")
    escalate(db.session, world.head, problem, "需要社区协调", now=start + timedelta(hours=1))  # not a reply
    db.session.commit()

    frozen_clock.set(start + timedelta(hours=12))  # the deadline itself: not overdue yet
    run_job(app)
    frozen_clock.set(start + timedelta(hours=12, minutes=1))
    assert "1 overdue" in run_job(app)
    run_job(app)

    # The job did not run in the 9-12 h window, so only the overdue reminder goes (to the community now).
    assert [i.title for i in reminders_of(world.staff)] == ["已超时未反馈:小区门口药店占道经营"]
    assert not reminders_of(world.head) and not reminders_of(world.street)
    # The problem is still overdue and first in the staff queue; the reminder did not touch it.
    assert db.session.get(Problem, problem.id).first_response_at is None


def test_the_street_is_reminded_at_street_level(app, world, frozen_clock):
    start = frozen_clock.now
    problem = report(world, "占道经营")
    escalate(db.session, world.staff, problem, "需要街道吹哨", now=start)
    db.session.commit()
    frozen_clock.set(start + timedelta(hours=9))
    run_job(app)
    assert [i.title for i in reminders_of(world.street)] == ["请在 03:33 前反馈:占道经营"]
    assert not reminders_of(world.staff) and not reminders_of(world.head)


def test_a_building_without_a_head_passes_the_reminder_up(app, make_household, make_user, frozen_clock):
    household = make_household()
    resident = make_user(Role.RESIDENT, household)
    staff = make_user(Role.STAFF, household.building.community)
    report_problem(db.session, resident, household.building, category=Category.NOISE, text="夜里装修",
                   now=utcnow(), uuid=str(uuid.uuid4()), household=household)
    db.session.commit()
    frozen_clock.set(frozen_clock.now + timedelta(hours=9))
    run_job(app)
    assert [i.title for i in reminders_of(staff)] == ["请在 03:33 前反馈:夜里装修"]


def test_the_communitys_own_feedback_hours_set_the_reminder_time(app, world, frozen_clock):
    world.household.building.community.feedback_hours = 24
    db.session.commit()
    start = frozen_clock.now
    report(world, "路灯不亮")

    frozen_clock.set(start + timedelta(hours=9))
    run_job(app)
    assert not reminders_of(world.head)
    frozen_clock.set(start + timedelta(hours=21))
    run_job(app)
    assert [i.title for i in reminders_of(world.head)] == ["请在 15:33 前反馈:路灯不亮"]


def test_a_reminder_reaches_the_heads_phone(app, world, frozen_clock, subscribe_device, push_service):
    _sub, keys, name = subscribe_device(world.head)
    report(world)
    frozen_clock.set(frozen_clock.now + timedelta(hours=9))
    run_job(app)

    sent = contextvars.Context().run(app.test_cli_runner().invoke, args=["push", "work", "--once"])
    assert "sent 1" in sent.output, sent.output
    payload = keys.decrypt(push_service.to(name)[0].body)
    assert payload["title"] == "请在 03:33 前反馈:6门楼道灯坏了,晚上看不见台阶"
    assert payload["url"].endswith(f"/issues/{db.session.scalar(select(Problem.id))}")


def test_two_runs_at_once_send_each_reminder_once_and_close_once(app, world, make_user, frozen_clock):
    second_head = make_user(Role.BUILDING_HEAD, world.household.building)
    start = frozen_clock.now
    stale = report(world, "上周的问题")
    stale.reported_at = stale.feedback_due_at = start - timedelta(days=8)  # long past every reminder
    respond(db.session, world.head, stale, "已处理。", now=start - timedelta(days=8))
    resolve(db.session, world.staff, stale, "已解决。", now=start - timedelta(days=8))
    db.session.commit()
    for i in range(5):
        report(world, f"问题{i}")
    frozen_clock.set(start + timedelta(hours=9))
    barrier = threading.Barrier(2)
    ticks, errors = [], []

    def job():
        with app.app_context():
            immediate_transactions()  # as the CLI does
            try:
                barrier.wait()
                ticks.append(reminders.run(db.session, now=frozen_clock.now))
                db.session.commit()
            except Exception as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=contextvars.Context().run, args=(job,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not errors, errors
    assert sum(t.reminded_soon for t in ticks) == 5 and sum(t.closed for t in ticks) == 1
    closings = db.session.scalars(select(ProblemEvent).where(ProblemEvent.kind == EventKind.CLOSED)).all()
    assert [e.problem_id for e in closings] == [stale.id]
    for head in (world.head, second_head):
        assert sorted(i.title for i in reminders_of(head)) == [f"请在 03:33 前反馈:问题{i}" for i in range(5)]
    assert len(db.session.scalars(select(Delivery)).all()) == 0  # nobody has a phone subscribed here


def test_interleaved_claims_one_waits_for_the_other(app, world, frozen_clock):
    """Run A has claimed and notified but not committed; run B finds the same problem and must send nothing."""
    problem = report(world)
    frozen_clock.set(frozen_clock.now + timedelta(hours=9))
    assert reminders.remind(db.session, problem, reminders.SOON, now=frozen_clock.now)  # A, uncommitted
    outcome = {}

    def run_b():
        with app.app_context():
            immediate_transactions()
            try:
                outcome["tick"] = reminders.run(db.session, now=frozen_clock.now)
                db.session.commit()
            finally:
                db.session.remove()

    b = threading.Thread(target=contextvars.Context().run, args=(run_b,))
    b.start()  # B blocks: on the marker's key (PostgreSQL) or on the write lock (SQLite)
    db.session.commit()  # A commits
    b.join(timeout=60)

    assert outcome["tick"].reminded_soon == 0
    assert len(reminders_of(world.head)) == 1


def test_the_job_closes_problems_resolved_7_days_ago_and_unconfirmed(app, world, frozen_clock, client, login):
    start = frozen_clock.now
    stale, confirmed_soon = report(world, "单元门锁坏了"), report(world, "楼道堆物")
    respond(db.session, world.head, stale, "已换锁。", now=start)
    resolve(db.session, world.staff, stale, "已换新锁。", now=start + timedelta(hours=1))
    respond(db.session, world.head, confirmed_soon, "已清理。", now=start)
    resolve(db.session, world.staff, confirmed_soon, "已清理完毕。", now=start + timedelta(days=3))
    db.session.commit()

    frozen_clock.set(start + timedelta(days=7, minutes=59))
    assert "closed 0 problem(s)" in run_job(app)
    frozen_clock.set(start + timedelta(days=7, hours=1, minutes=1))
    assert "closed 1 problem(s)" in run_job(app)

    assert db.session.get(Problem, stale.id).status == Status.CLOSED
    assert db.session.get(Problem, confirmed_soon.id).status == Status.RESOLVED
    login(world.resident)
    page = client.get(f"/issues/{stale.id}").get_data(as_text=True)
    assert "已关闭" in page and "办结7天后自动关闭。" in page
    # The reporter is told, like on every public step (kind "issue.update").
    # A problem's steps share one unread item, raised to the closing's title.
    assert db.session.scalar(select(InboxItem.title).where(InboxItem.user_id == world.resident.id,
                                                           InboxItem.url == f"/issues/{stale.id}")) \
        == "您反映的「单元门锁坏了」已结案"
