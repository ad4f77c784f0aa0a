"""The demo problems tell the scenarios: S1 met the clock, S2 four departments, S7 hotline, S10 property, one overdue."""
import uuid

from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.models import User
from app.problems import queries
from app.problems.demo import NAMESPACE
from app.problems.models import Problem, Source


def _demo(key: str) -> Problem:
    return db.session.scalar(select(Problem).where(Problem.uuid == str(uuid.uuid5(NAMESPACE, key))))


def test_demo_problems(app):
    """`flask demo` loads the scenario problems once, with their timelines."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    s1, s2, s5, s7, s10, late = (_demo(k) for k in ("s1", "s2", "s5", "s7", "s10", "late"))
    assert s1.thanked and s1.rating == 5 and s1.first_response_at <= s1.feedback_due_at
    assert [e.kind.value for e in s1.events][:3] == ["reported", "response", "response"]
    assert s1.events[2].mentions_reporter
    assert s2.level == 3 and len(s2.dispatches) == 4 and s2.is_open
    assert s5.events[1].text.startswith("好的")
    assert s7.source == Source.HOTLINE and s7.hotline_order_no
    assert s10.events[1].actor_role == "department" and s10.first_response_at is not None
    staff = db.session.scalar(select(User).where(User.phone == "13800000002"))
    assert late.is_overdue(utcnow())
    assert queries.queue(db.session, staff, now=utcnow())[0].id == late.id
    count = db.session.query(Problem).count()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.session.query(Problem).count() == count
