"""The closed loop, scenario by scenario, through the service functions."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.commands import Refused
from app.extensions import db
from app.models import Role
from app.problems import notifications, queries, services
from app.problems.models import Category, DispatchStatus, Source, Status

T0 = datetime(2026, 9, 22, 23, 33, tzinfo=UTC)  # 07:33 in Beijing


def report(world, now=T0, **extra):
    fields = {"category": Category.GREENERY, "text": "树枝压到地面了", "household": world.household}
    fields.update(extra)
    problem = services.report_problem(db.session, world.resident, world.household.building, now=now,
                                      uuid=str(uuid.uuid4()), **fields)
    db.session.commit()
    return problem


def test_s1_bent_tree_answered_within_12_hours_and_thanked(world):
    problem = report(world)
    assert problem.feedback_due_at == T0 + timedelta(hours=12)
    assert problem.reporter_label == "6号楼 6门 302"
    services.respond(db.session, world.staff, problem, "我们联系物业", now=T0 + timedelta(minutes=28))
    event = services.respond(db.session, world.staff, problem, "@6号楼 6门 302 初步清理了",
                             now=T0 + timedelta(hours=2, minutes=41))
    assert event.mentions_reporter
    assert problem.first_response_at == T0 + timedelta(minutes=28) and problem.status == Status.IN_PROGRESS
    assert not problem.is_overdue(T0 + timedelta(hours=13))
    services.resolve(db.session, world.staff, problem, "绿化队已修剪", now=T0 + timedelta(days=1))
    services.confirm(db.session, world.resident, problem, 5, thanks=True, text="点赞", now=T0 + timedelta(days=1, minutes=10))
    assert problem.status == Status.CONFIRMED and problem.rating == 5 and problem.thanked
    kinds = [e.kind.value for e in problem.events]
    assert kinds == ["reported", "response", "response", "resolved", "confirmed"]
    assert [e.actor_role for e in problem.events] == ["resident", "staff", "staff", "staff", "resident"]


def test_s2_four_departments_must_all_finish(world):
    problem = report(world, category=Category.PUBLIC_ORDER, text="药店占道经营")
    services.escalate(db.session, world.head, problem, "反复反映无效", now=T0)
    services.escalate(db.session, world.staff, problem, "需要街道吹哨", now=T0)
    assert problem.level == 3
    with pytest.raises(Refused):
        services.escalate(db.session, world.street, problem, "再上报", now=T0)
    orders = services.dispatch(db.session, world.street, problem, list(world.departments.values()), "联合执法", now=T0)
    assert len(orders) == 4
    for order in orders[:3]:
        services.accept(db.session, world.police, order, now=T0)
        services.complete(db.session, world.police, order, "已处理", now=T0)
    assert problem.status == Status.IN_PROGRESS  # one still open
    with pytest.raises(Refused, match=r"还有部门没有办结|Some departments"):
        services.resolve(db.session, world.staff, problem, "好了", now=T0)
    services.accept(db.session, world.police, orders[3], now=T0)
    services.complete(db.session, world.police, orders[3], "已处理", now=T0)
    assert problem.status == Status.RESOLVED
    assert all(o.status == DispatchStatus.DONE for o in orders)


def test_s7_hotline_order_keeps_its_number(world):
    problem = services.report_problem(db.session, world.staff, world.household.building, category=Category.FIRE_SAFETY,
                                      text="楼道充电", source=Source.HOTLINE, hotline_order_no="12345-0471", now=T0,
                                      uuid=str(uuid.uuid4()))
    assert problem.source == Source.HOTLINE and problem.hotline_order_no == "12345-0471"
    with pytest.raises(Refused):
        services.report_problem(db.session, world.staff, world.household.building, category=Category.FIRE_SAFETY,
                                text="楼道充电", source=Source.HOTLINE, now=T0, uuid=str(uuid.uuid4()))


def test_overdue_comes_first_in_the_queue(world, frozen_clock):
    answered = report(world, now=T0 - timedelta(hours=20), text="已答复的")
    services.respond(db.session, world.staff, answered, "收到", now=T0 - timedelta(hours=19))
    fresh = report(world, now=T0 - timedelta(hours=1), text="刚反映的")
    late = report(world, now=T0 - timedelta(hours=14), text="超时的")
    db.session.commit()
    order = [p.id for p in queries.queue(db.session, world.staff, now=T0)]
    assert order[0] == late.id
    assert set(order) == {late.id, fresh.id, answered.id}
    assert late.is_overdue(T0) and not fresh.is_overdue(T0)


def test_reopen_within_7_days_only(world):
    problem = report(world)
    services.resolve(db.session, world.staff, problem, "修好了", now=T0)
    services.reopen(db.session, world.resident, problem, "还是坏的", now=T0 + timedelta(days=6))
    assert problem.status == Status.IN_PROGRESS
    services.resolve(db.session, world.staff, problem, "这次修好了", now=T0 + timedelta(days=7))
    with pytest.raises(Refused):
        services.reopen(db.session, world.resident, problem, "又坏了", now=T0 + timedelta(days=15))


def test_resolved_problems_close_after_7_days_unconfirmed(world):
    problem = report(world)
    services.resolve(db.session, world.staff, problem, "修好了", now=T0)
    assert services.close_stale(db.session, now=T0 + timedelta(days=6)) == 0
    assert services.close_stale(db.session, now=T0 + timedelta(days=8)) == 1
    assert problem.status == Status.CLOSED


def test_empty_report_is_refused(world):
    with pytest.raises(Refused):
        report(world, text="  ")


def test_every_step_reaches_the_notifications(world, monkeypatch):
    """Each timeline step is handed to app/problems/notifications.py directly, in the same transaction."""
    seen = []

    def listener(problem, event):
        seen.append(event.kind.value)

    monkeypatch.setattr(notifications, "on_timeline_step", listener)
    problem = report(world)
    services.respond(db.session, world.staff, problem, "收到", now=T0)
    assert seen == ["reported", "response"]


def test_role_names_on_the_timeline(world):
    problem = report(world)
    assert services.role_on(world.head, problem) == Role.BUILDING_HEAD.value


def test_reopening_a_confirmed_problem_clears_the_rating_and_thanks(world):
    """A reopened problem is back in progress, with no stale rating or 点赞 on it."""
    problem = report(world)
    services.resolve(db.session, world.staff, problem, "修好了", now=T0)
    services.confirm(db.session, world.resident, problem, 5, thanks=True, now=T0 + timedelta(hours=1))
    services.reopen(db.session, world.resident, problem, "又坏了", now=T0 + timedelta(days=2))
    assert (problem.status, problem.rating, problem.thanked, problem.resolved_at) == (Status.IN_PROGRESS, None, False, None)
    assert problem.events[-1].kind.value == "reopened"


def test_close_stale_command_closes_and_notifies(app, world, frozen_clock, monkeypatch):
    """`flask issues close-stale` closes week-old resolved problems and tells the notifications."""
    problem = report(world)
    services.resolve(db.session, world.staff, problem, "修好了", now=T0)
    db.session.commit()
    seen = []

    def listener(sender, event):
        seen.append((sender.id, event.kind.value))

    frozen_clock.set(T0 + timedelta(days=8))
    monkeypatch.setattr(notifications, "on_timeline_step", listener)
    result = app.test_cli_runner().invoke(args=["issues", "close-stale"])
    assert result.exit_code == 0 and "closed 1" in result.output
    db.session.refresh(problem)
    assert problem.status == Status.CLOSED and seen == [(problem.id, "closed")]


def test_department_cannot_work_on_a_closed_problem(world):
    """Once a problem is resolved by staff (orders done) no more progress or acceptance is taken."""
    problem = report(world)
    (order,) = services.dispatch(db.session, world.street, problem, [world.departments["方庄派出所"]], "", now=T0)
    services.complete(db.session, world.police, order, "完成", now=T0)
    assert problem.status == Status.RESOLVED
    with pytest.raises(Refused):
        services.dispatch_progress(db.session, world.police, order, "再看看", now=T0)
