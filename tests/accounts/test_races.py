"""Two desks changing one person at once: the second acts on what the first left, and gets a clear refusal."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import AccountEvent
from app.clock import utcnow
from app.commands import Context, Refused, execute
from app.extensions import db
from app.models import Role, RoleAssignment, User
from tests.conventions.test_races import at_once

pytestmark = pytest.mark.postgres  # row locks: SQLite has only one writer at a time


def as_(actor: User, name: str, payload: dict):
    """A write running `name` for `actor` in the session given."""
    def write(session):
        return execute(name, Context(session=session, user=session.get(User, actor.id), now=utcnow()), payload)
    return write


def test_two_staff_appointing_the_same_head_at_once_make_one_appointment(app, town):
    town.street_user.roles  # noqa: B018 — loaded before the threads start
    payload = {"user_id": town.resident.id, "role": "building_head", "place_id": town.b8.id}
    outcome = at_once(app, as_(town.staff, "accounts.grant", payload), as_(town.street_user, "accounts.grant", payload))
    assert isinstance(outcome.get("error"), Refused)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(RoleAssignment).where(
        RoleAssignment.user_id == town.resident.id, RoleAssignment.role == Role.BUILDING_HEAD)) == 1
    assert db.session.scalar(select(func.count()).select_from(AccountEvent)) == 1


def test_two_desks_moving_out_the_same_resident_at_once_record_it_once(app, town):
    payload = {"user_id": town.resident.id, "household_id": town.h302.id}
    outcome = at_once(app, as_(town.head, "accounts.move_out", payload), as_(town.staff, "accounts.move_out", payload))
    error = outcome.get("error")
    assert isinstance(error, Refused) and error.code == "not_found", error
    db.session.expire_all()
    assert not db.session.get(User, town.resident.id).active
    assert db.session.scalar(select(func.count()).select_from(AccountEvent)) == 2  # moved out, switched off


def test_two_desks_creating_an_account_for_one_phone_at_once_make_one(app, town):
    payload = {"name": "新社工", "phone": "13712340000", "password": "Fz-2026-desk", "role": "staff",
               "place_id": town.community.id}
    outcome = at_once(app, as_(town.street_user, "accounts.create", payload),
                      as_(town.admin, "accounts.create", {**payload, "role": "department", "place_id": town.city.id}))
    error = outcome.get("error")
    assert isinstance(error, Refused) and error.code == "exists", error
    db.session.expire_all()
    person = db.session.scalar(select(User).where(User.phone == "13712340000"))
    assert [a.role for a in person.roles] == [Role.STAFF]
    assert db.session.scalar(select(func.count()).select_from(AccountEvent)) == 1
