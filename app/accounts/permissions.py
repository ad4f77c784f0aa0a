"""Who may create, appoint, remove, switch off and move out whom (registered with app.auth.permissions).

Each role is managed from above it: the admin manages street accounts; a street its communities'
staff and its departments; staff (and the street above them) the building heads and residents of
their community. The admin manages everyone. A building head may also mark a resident of their
building as moved out. Nobody switches off or moves out themselves.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, or_, select

from app.accounts.models import AccountEvent
from app.accounts.reach import MANAGERS, Scope, covers, within
from app.auth.permissions import rule
from app.extensions import db
from app.models import Role, RoleAssignment, User

# The roles that manage each role, besides the admin.
MANAGED_BY: dict[Role, tuple[Role, ...]] = {
    Role.ADMIN: (),
    Role.STREET: (),
    Role.STAFF: (Role.STREET,),
    Role.DEPARTMENT: (Role.STREET,),
    Role.BUILDING_HEAD: (Role.STREET, Role.STAFF),
    Role.RESIDENT: (Role.STREET, Role.STAFF),
}
# Roles given with a new account; building heads are appointed from residents who have one.
CREATABLE = (Role.STREET, Role.STAFF, Role.DEPARTMENT)
GRANTABLE = (*CREATABLE, Role.BUILDING_HEAD)
# Residents join (or are moved out); admins are made on the command line.
DESK_ROLES = (Role.STAFF, Role.STREET, Role.ADMIN)


@dataclass(frozen=True)
class Grant:
    """A role over a scope, about to be given."""

    role: Role
    scope: Scope


def manages(user: User, role: Role, scope: Scope) -> bool:
    """True when the user manages holders of `role` over `scope` (MANAGED_BY)."""
    if user.has_role(Role.ADMIN):
        return True
    levels = MANAGED_BY[role]
    return bool(levels) and covers(db.session, user, scope, levels)


def manages_person(user: User, person: User) -> bool:
    """The whole account is in the user's hands: every role the person holds (admin: anyone)."""
    if user.id == person.id:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return bool(person.roles) and all(manages(user, a.role, Scope.of(a)) for a in person.roles)


@rule("accounts.list")
def _list(user: User, target=None) -> bool:
    """The people page: staff, street and admin at a desk."""
    return user.has_role(*DESK_ROLES)


@rule("accounts.view")
def _view(user: User, person: User) -> bool:
    """A person's page: whoever's scope one of the person's roles (or log entries) lies in."""
    if user.has_role(Role.ADMIN) or (user.id == person.id and user.has_role(*DESK_ROLES)):
        return True
    return bool(db.session.scalar(select(or_(
        exists().where(RoleAssignment.user_id == person.id, within(user, RoleAssignment, MANAGERS)),
        exists().where(AccountEvent.user_id == person.id, within(user, AccountEvent, MANAGERS))))))


@rule("accounts.create")
def _create(user: User, grant: Grant) -> bool:
    """A new account with a street, staff or department role, made by whoever manages that role there."""
    return grant.role in CREATABLE and manages(user, grant.role, grant.scope)


@rule("accounts.grant")
def _grant(user: User, grant: Grant) -> bool:
    """Give an existing person a role (appoint a building head, add a role to an account)."""
    return grant.role in GRANTABLE and manages(user, grant.role, grant.scope)


@rule("accounts.revoke")
def _revoke(user: User, assignment: RoleAssignment) -> bool:
    """Take a role away (remove a building head): whoever could give it. Residents move out instead."""
    return assignment.role in GRANTABLE and manages(user, assignment.role, Scope.of(assignment))


@rule("accounts.deactivate")
def _deactivate(user: User, person: User) -> bool:
    """Switch an account off: staff their community's residents and heads, street its staff and departments."""
    return manages_person(user, person)


@rule("accounts.reactivate")
def _reactivate(user: User, person: User) -> bool:
    """Switch it back on: the same people. A person left with no role (moved out): the admin."""
    return manages_person(user, person)


@rule("accounts.move_out")
def _move_out(user: User, residence: RoleAssignment) -> bool:
    """Mark a resident as moved out (搬离) of a household: staff, street, admin, or a head of the building."""
    if residence.role != Role.RESIDENT or user.id == residence.user_id:
        return False
    return user.has_role(Role.ADMIN) or covers(db.session, user, Scope.of(residence), MANAGERS)
