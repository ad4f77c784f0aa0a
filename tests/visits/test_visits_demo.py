"""The demo visits tell S8: a lonely elderly man, a referral to companionship, a follow-up; coverage is not empty."""
import uuid

from sqlalchemy import func, select

from app.clock import to_local, utcnow
from app.extensions import db
from app.models import Building
from app.problems.models import Problem, Source
from app.visits.demo import NAMESPACE
from app.visits.models import NeedStatus, Visit, VisitKind
from app.visits.services import coverage


def test_demo_visits(app):
    """`flask demo` loads S8 and a routine round once."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    s8 = db.session.scalar(select(Visit).where(Visit.uuid == str(uuid.uuid5(NAMESPACE, "s8"))))
    assert (s8.household.building.name, s8.household.unit, s8.household.room) == ("6号楼", "7门", "101")
    assert s8.kind == VisitKind.ELDERLY_CARE and s8.follow_up_on > to_local(utcnow()).date()
    lonely, handrail = s8.needs
    assert lonely.status == NeedStatus.REFERRED and "陪伴" in lonely.referral
    problem = db.session.scalar(select(Problem).where(Problem.source == Source.VISIT))
    assert handrail.status == NeedStatus.REFERRED and problem.text == handrail.text
    building = db.session.get(Building, s8.household.building_id)
    figures = coverage(db.session, [building], now=utcnow())[0]
    assert 0 < figures.visited_30 < figures.visited_90 < figures.households
    count = db.session.scalar(select(func.count()).select_from(Visit))
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Visit)) == count
