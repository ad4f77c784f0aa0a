"""Reads for the accounts pages: the people in my scope, a person's log, the roles I may give."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, union
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import AccountEvent
from app.accounts.permissions import CREATABLE, GRANTABLE, Grant
from app.accounts.reach import people_within, within
from app.accounts.services import SCOPE_OF, scope_for
from app.auth.forms import normalise_phone
from app.auth.permissions import can
from app.models import Building, Community, Department, Household, Role, RoleAssignment, Street, User

PAGE_SIZE = 200

_ROLES_SHOWN = selectinload(User.roles)
ROLE_OPTIONS = (
    _ROLES_SHOWN.selectinload(RoleAssignment.household).selectinload(Household.building)
    .selectinload(Building.community),
    _ROLES_SHOWN.selectinload(RoleAssignment.building).selectinload(Building.community),
    _ROLES_SHOWN.selectinload(RoleAssignment.community),
    _ROLES_SHOWN.selectinload(RoleAssignment.street),
    _ROLES_SHOWN.selectinload(RoleAssignment.department),
)


def people(session: Session, viewer: User, search: str = "", *, limit: int = PAGE_SIZE) -> list[User]:
    """People holding a role in the viewer's scope, or logged there once (moved out), by name.

    `search` matches a name or a phone number in part.
    """
    statement = select(User).options(*ROLE_OPTIONS).order_by(User.name, User.id).limit(limit)
    if not viewer.has_role(Role.ADMIN):
        ids = union(people_within(viewer),
                    select(AccountEvent.user_id).where(within(viewer, AccountEvent))).subquery()
        statement = statement.where(User.id.in_(select(ids.c[0])))
    search = search.strip()
    if search:
        statement = statement.where(or_(User.name.contains(search, autoescape=True),
                                        User.phone.contains(normalise_phone(search), autoescape=True)))
    return list(session.scalars(statement))


def log_of(session: Session, person: User) -> list[AccountEvent]:
    """The person's accounts log, newest first."""
    return list(session.scalars(select(AccountEvent).where(AccountEvent.user_id == person.id)
                                .order_by(AccountEvent.at.desc(), AccountEvent.id.desc())))


@dataclass(frozen=True)
class Option:
    """A role over a place the viewer may give: the form's value is "role:place_id"."""

    role: Role
    place_id: int
    place_name: str

    @property
    def value(self) -> str:
        """The form value."""
        return f"{self.role.value}:{self.place_id}"


def _candidates(session: Session, viewer: User, role: Role, person: User | None) -> list:
    """The places where `viewer` might give `role` (checked with can() afterwards)."""
    admin = viewer.has_role(Role.ADMIN)
    streets = [a.street_id for a in viewer.roles if a.role == Role.STREET]
    communities = [a.community_id for a in viewer.roles if a.role == Role.STAFF]
    if role == Role.STREET:
        return list(session.scalars(select(Street).order_by(Street.name))) if admin else []
    if role == Role.STAFF:
        where = [] if admin else [Community.street_id.in_(streets)]
        return list(session.scalars(select(Community).where(*where).order_by(Community.street_id, Community.name)))
    if role == Role.DEPARTMENT:
        where = [] if admin else [Department.street_id.in_(streets)]
        return list(session.scalars(select(Department).where(*where).order_by(Department.name)))
    if role == Role.BUILDING_HEAD and person is not None:
        homes = {a.household.building.community_id for a in person.roles
                 if a.role == Role.RESIDENT and a.household is not None}
        if not admin:
            reach = set(communities) | set(session.scalars(select(Community.id).where(Community.street_id.in_(streets))))
            homes &= reach
        return list(session.scalars(select(Building).where(Building.community_id.in_(homes))
                                    .order_by(Building.community_id, Building.name)))
    return []


def options(session: Session, viewer: User, person: User | None = None) -> list[Option]:
    """The roles over places the viewer may give: for a new account, or to `person` (less what they hold)."""
    found = []
    for role in (GRANTABLE if person is not None else CREATABLE):
        action = "accounts.grant" if person is not None else "accounts.create"
        for place in _candidates(session, viewer, role, person):
            scope = scope_for(role, place.id)
            if person is not None and any(a.role == role and getattr(a, SCOPE_OF[role][1]) == place.id
                                          for a in person.roles):
                continue
            if can(viewer, action, Grant(role, scope)):
                name = place.full_name if isinstance(place, Building) else place.name
                found.append(Option(role, place.id, name))
    return found


def residences(session: Session, household: Household) -> list[RoleAssignment]:
    """The resident roles held over a household, by the holder's name."""
    return list(session.scalars(select(RoleAssignment).join(User, User.id == RoleAssignment.user_id)
                                .where(RoleAssignment.role == Role.RESIDENT, RoleAssignment.household_id == household.id)
                                .order_by(User.name, User.id)))
