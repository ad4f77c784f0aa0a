"""Account rules: create, give and take roles, switch off and on, move out (搬离) — each one logged.

Plain functions with explicit arguments; they flush, the caller commits. Nothing a person wrote is
ever deleted here: problems, comments, visits and the household's votes keep their author.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import AccountChange, AccountEvent
from app.accounts.reach import Scope
from app.database import lock_row
from app.models import Building, Community, Department, Household, Role, RoleAssignment, Street, User

# The kind of place each role is held over, and the column naming it.
SCOPE_OF: dict[Role, tuple[type, str]] = {
    Role.STREET: (Street, "street_id"),
    Role.STAFF: (Community, "community_id"),
    Role.DEPARTMENT: (Department, "department_id"),
    Role.BUILDING_HEAD: (Building, "building_id"),
    Role.RESIDENT: (Household, "household_id"),
}


def scope_for(role: Role, place_id: int) -> Scope:
    """The Scope of `role` held over the place with this id."""
    return Scope(**{SCOPE_OF[role][1]: place_id})


def record(session: Session, person: User, actor: User | None, change: AccountChange, *, now: datetime,
           role: Role | None = None, scope: Scope | None = None, note: str = "") -> AccountEvent:
    """Add an entry to the person's accounts log."""
    event = AccountEvent(user_id=person.id, actor_id=actor.id if actor else None, at=now, change=change, role=role,
                         note=note[:200], **vars(scope or Scope()))
    session.add(event)
    return event


def find_by_phone(session: Session, phone: str) -> User | None:
    """The account with this (normalised) mobile number, if any."""
    return session.scalar(select(User).where(User.phone == phone))


def holds(person: User, role: Role, scope: Scope) -> RoleAssignment | None:
    """The person's assignment of `role` over exactly `scope`, if they hold it."""
    return next((a for a in person.roles if a.role == role and Scope.of(a) == scope), None)


def create_account(session: Session, actor: User | None, *, name: str, phone: str, password: str, role: Role, scope: Scope,
                   now: datetime) -> User | None:
    """A new account with its first role, its initial password set; logged as created.

    None when the phone has an account after all: another desk created it at the same moment (the
    unique phone decides; only this insert is rolled back).
    """
    person = User(name=name, phone=phone, active=True, session_version=0)
    person.set_password(password)
    person.roles.append(RoleAssignment(role=role, **vars(scope)))
    session.flush()  # the caller's pending rows must not ride in (and roll back with) the savepoint
    try:
        with session.begin_nested():
            session.add(person)
    except IntegrityError:
        return None
    record(session, person, actor, AccountChange.CREATED, now=now, role=role, scope=scope)
    session.flush()
    return person


def lock_person(session: Session, person: User) -> None:
    """Make other changes to the person's account and roles wait until this transaction ends; read them afresh.

    Two desks changing one person at once then act one after the other, the second on what the first left.
    """
    lock_row(session, person)
    session.expire(person)


def grant_role(session: Session, actor: User, person: User, role: Role, scope: Scope, *,
               now: datetime) -> RoleAssignment:
    """Give the person `role` over `scope` (the caller locked their roles and checked they do not hold it); logged."""
    assignment = RoleAssignment(role=role, **vars(scope))
    person.roles.append(assignment)
    record(session, person, actor, AccountChange.GRANTED, now=now, role=role, scope=scope)
    session.flush()
    return assignment


def revoke_role(session: Session, actor: User, assignment: RoleAssignment, *, now: datetime,
                change: AccountChange = AccountChange.REVOKED, note: str = "") -> None:
    """Take the role away; logged (as `change`) with the scope it was held over (the caller locked the person)."""
    person = assignment.user
    record(session, person, actor, change, now=now, role=assignment.role, scope=Scope.of(assignment), note=note)
    person.roles.remove(assignment)
    session.flush()


def deactivate(session: Session, actor: User, person: User, *, now: datetime, note: str = "") -> bool:
    """Switch the account off and end its sessions everywhere; False when it was already off."""
    lock_person(session, person)
    if not person.active:
        return False
    person.active = False
    person.end_sessions()
    record(session, person, actor, AccountChange.DEACTIVATED, now=now, note=note)
    session.flush()
    return True


def reactivate(session: Session, actor: User, person: User, *, now: datetime, note: str = "") -> bool:
    """Switch the account back on (old sessions stay ended); False when it was on."""
    lock_person(session, person)
    if person.active:
        return False
    person.active = True
    record(session, person, actor, AccountChange.REACTIVATED, now=now, note=note)
    session.flush()
    return True


def move_out(session: Session, actor: User, residence: RoleAssignment, *, now: datetime, note: str = "") -> bool:
    """搬离: the person leaves the household; their resident role there and their head roles go.

    The caller locked the person (lock_person) before finding `residence`.

    The account is switched off unless the person still holds another role (another household, a
    staff post). Returns whether it was switched off. What they wrote stays, and so do the votes
    of the household, which belong to the household.
    """
    person = residence.user
    revoke_role(session, actor, residence, now=now, change=AccountChange.MOVED_OUT, note=note)
    for head in [a for a in person.roles if a.role == Role.BUILDING_HEAD]:
        revoke_role(session, actor, head, now=now)
    if person.roles:
        return False
    return deactivate(session, actor, person, now=now, note=note)
