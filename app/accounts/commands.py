"""What is done with accounts, one command each (app/commands.py): create, grant, revoke, switch off and on, move out."""
from __future__ import annotations

from typing import Annotated

from flask_babel import gettext as _
from pydantic import BaseModel, Field, StringConstraints, field_validator

from app.accounts import services
from app.accounts.permissions import Grant
from app.accounts.reach import Scope
from app.auth.forms import PHONE_PATTERN, normalise_phone
from app.auth.passwords import MAX_LENGTH, password_problem
from app.auth.permissions import require
from app.commands import Context, Refused, command, get_or_refuse
from app.models import Building, Household, Role, RoleAssignment, User

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


def _place(ctx: Context, role: Role, place_id: int) -> Scope:
    """The scope of `role` over an existing place (Refused not_found otherwise)."""
    model, _column = services.SCOPE_OF[role]
    get_or_refuse(ctx.session, model, place_id, _("This place does not exist."))
    return services.scope_for(role, place_id)


def _person(ctx: Context, user_id: int) -> User:
    return get_or_refuse(ctx.session, User, user_id, _("This person does not exist."))


class CreateIn(BaseModel):
    """A new account: name, mobile number, the initial password the creator hands over, and its role there."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    phone: str = Field(pattern=PHONE_PATTERN)
    password: str = Field(max_length=MAX_LENGTH)
    role: Role
    place_id: int

    _phone = field_validator("phone", mode="before")(normalise_phone)


@command("accounts.create", CreateIn)
def create(ctx: Context, data: CreateIn) -> dict:
    """Create a street, staff or department account; a phone that has one is refused with code "exists"."""
    scope = _place(ctx, data.role, data.place_id)
    require(ctx.user, "accounts.create", Grant(data.role, scope))
    taken = Refused(_("This mobile number already has an account."), "exists", field="phone")
    if services.find_by_phone(ctx.session, data.phone) is not None:
        raise taken
    problem = password_problem(data.password, phone=data.phone)
    if problem is not None:
        raise Refused(str(problem), "invalid", field="password")
    person = services.create_account(ctx.session, ctx.user, name=data.name, phone=data.phone, password=data.password,
                                     role=data.role, scope=scope, now=ctx.now)
    if person is None:
        raise taken
    return {"user_id": person.id}


class GrantIn(BaseModel):
    """Give a person a role over a place."""

    user_id: int
    role: Role
    place_id: int


@command("accounts.grant", GrantIn)
def grant(ctx: Context, data: GrantIn) -> dict:
    """Add a role to an existing account; a building head must live in the building's community."""
    person = _person(ctx, data.user_id)
    scope = _place(ctx, data.role, data.place_id)
    require(ctx.user, "accounts.grant", Grant(data.role, scope))
    services.lock_person(ctx.session, person)  # two desks appointing the same person at once: one wins
    if not person.active:
        raise Refused(_("This account is switched off. Switch it on first."))
    if services.holds(person, data.role, scope):
        raise Refused(_("This person already holds this role there."))
    if data.role == Role.BUILDING_HEAD:
        community_id = ctx.session.get(Building, data.place_id).community_id
        if not any(a.role == Role.RESIDENT and a.household is not None
                   and a.household.building.community_id == community_id for a in person.roles):
            raise Refused(_("Building heads are appointed from the residents of the community."), field="place_id")
    assignment = services.grant_role(ctx.session, ctx.user, person, data.role, scope, now=ctx.now)
    return {"user_id": person.id, "assignment_id": assignment.id}


class RevokeIn(BaseModel):
    """Which role (assignment) to take away."""

    assignment_id: int


@command("accounts.revoke", RevokeIn)
def revoke(ctx: Context, data: RevokeIn) -> dict:
    """Take a role away (e.g. remove a building head); the account stays."""
    assignment = get_or_refuse(ctx.session, RoleAssignment, data.assignment_id, _("This role does not exist."))
    require(ctx.user, "accounts.revoke", assignment)
    user_id = assignment.user_id
    services.lock_person(ctx.session, assignment.user)
    if assignment not in assignment.user.roles:  # removed by someone else meanwhile
        raise Refused(_("This role does not exist."), "not_found")
    services.revoke_role(ctx.session, ctx.user, assignment, now=ctx.now)
    return {"user_id": user_id}


class PersonIn(BaseModel):
    """Whose account, and why (kept in the log)."""

    user_id: int
    note: Note = ""


@command("accounts.deactivate", PersonIn)
def deactivate(ctx: Context, data: PersonIn) -> dict:
    """Switch an account off: its sessions, remember cookies and login cards stop working at once."""
    person = _person(ctx, data.user_id)
    require(ctx.user, "accounts.deactivate", person)
    return {"user_id": person.id, "changed": services.deactivate(ctx.session, ctx.user, person, now=ctx.now,
                                                                 note=data.note)}


@command("accounts.reactivate", PersonIn)
def reactivate(ctx: Context, data: PersonIn) -> dict:
    """Switch an account back on: the person signs in again (sessions from before stay ended)."""
    person = _person(ctx, data.user_id)
    require(ctx.user, "accounts.reactivate", person)
    return {"user_id": person.id, "changed": services.reactivate(ctx.session, ctx.user, person, now=ctx.now,
                                                                 note=data.note)}


class MoveOutIn(BaseModel):
    """Who moved out of which household."""

    user_id: int
    household_id: int
    note: Note = ""


@command("accounts.move_out", MoveOutIn)
def move_out(ctx: Context, data: MoveOutIn) -> dict:
    """搬离: remove the person's resident role there and their head roles; switch the account off."""
    person = _person(ctx, data.user_id)
    get_or_refuse(ctx.session, Household, data.household_id, _("This household does not exist."))
    services.lock_person(ctx.session, person)
    residence = services.holds(person, Role.RESIDENT, Scope(household_id=data.household_id))
    if residence is None:
        raise Refused(_("This person is not on record in this household."), "not_found")
    require(ctx.user, "accounts.move_out", residence)
    deactivated = services.move_out(ctx.session, ctx.user, residence, now=ctx.now, note=data.note)
    return {"user_id": person.id, "deactivated": deactivated}
