"""Moving out (搬离): the roles go and the account is switched off; what the person wrote and the household's votes stay."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden

from app.accounts.models import AccountChange, AccountEvent
from app.clock import utcnow
from app.commands import Context, Refused, execute
from app.conventions.models import Vote, VoteHistory
from app.extensions import db
from app.models import Role, RoleAssignment, User
from app.problems.models import Problem
from app.visits.models import Visit


def run(user: User, name: str, payload: dict):
    """Run a command as `user`, then commit, as a page would."""
    result = execute(name, Context(session=db.session, user=user, now=utcnow(), uuid=str(uuid.uuid4())), payload)
    db.session.commit()
    return result


def counts() -> tuple[int, ...]:
    """Rows that must survive a move."""
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (Problem, Visit, Vote, VoteHistory))


def test_a_head_who_moves_out_keeps_their_record_and_the_household_its_vote(town):
    head = town.head  # 孙楼长: head of 6号楼, lives at 201
    run(head, "issue.report", {"building_id": town.b6.id, "category": "repairs", "text": "单元门锁坏了"})
    problem_id = db.session.scalar(select(Problem.id))
    run(head, "issue.comment", {"problem_id": problem_id, "text": "已联系物业"})
    run(head, "visit.add", {"household_id": town.h302.id, "visited_at": utcnow().isoformat(), "notes": "独居老人"})
    convention = run(town.staff, "convention.create", {"building_id": town.b6.id, "title": "禁止高空抛物",
                                                       "text": "不从窗口扔东西。"})
    run(town.staff, "convention.open_vote", {"convention_id": convention["id"],
                                             "closes_at": (utcnow() + timedelta(days=7)).isoformat()})
    run(head, "vote.cast", {"convention_id": convention["id"], "household_id": town.h201.id, "choice": "yes",
                            "channel": "online"})
    before = counts()
    assert before == (1, 1, 1, 1)

    result = run(town.staff, "accounts.move_out", {"user_id": head.id, "household_id": town.h201.id, "note": "搬走了"})

    assert result == {"user_id": head.id, "deactivated": True}
    db.session.expire_all()
    person = db.session.get(User, head.id)
    assert person.roles == [] and not person.active and person.session_version == 1
    assert counts() == before
    assert db.session.get(Problem, problem_id).entered_by_id == head.id
    assert db.session.scalar(select(Vote)).cast_by_id == head.id
    assert db.session.scalar(select(Visit)).visitor_id == head.id
    log = db.session.scalars(select(AccountEvent).where(AccountEvent.user_id == head.id).order_by(AccountEvent.id)).all()
    assert [(e.change, e.role, e.household_id, e.building_id, e.actor_id, e.note) for e in log] == [
        (AccountChange.MOVED_OUT, Role.RESIDENT, town.h201.id, None, town.staff.id, "搬走了"),
        (AccountChange.REVOKED, Role.BUILDING_HEAD, None, town.b6.id, town.staff.id, ""),
        (AccountChange.DEACTIVATED, None, None, None, town.staff.id, "搬走了"),
    ]


def test_someone_who_still_lives_elsewhere_keeps_their_account(town):
    town.resident.roles.append(RoleAssignment(role=Role.RESIDENT, household=town.h303))
    db.session.commit()
    result = run(town.head, "accounts.move_out", {"user_id": town.resident.id, "household_id": town.h302.id})
    assert result["deactivated"] is False
    db.session.expire_all()
    person = db.session.get(User, town.resident.id)
    assert person.active and [(a.role, a.household_id) for a in person.roles] == [(Role.RESIDENT, town.h303.id)]


def test_moving_out_of_a_household_one_does_not_live_in_is_refused(town):
    with pytest.raises(Refused):
        run(town.staff, "accounts.move_out", {"user_id": town.resident.id, "household_id": town.h303.id})
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AccountEvent)) == 0


def test_a_head_moves_out_only_residents_of_their_buildings(town):
    with pytest.raises(Forbidden):
        run(town.head, "accounts.move_out", {"user_id": town.far_resident.id, "household_id": town.h101.id})
    db.session.rollback()
    assert db.session.get(User, town.far_resident.id).active
