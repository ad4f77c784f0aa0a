"""Where a person's roles reach, as one SQL condition on a row's scope columns.

A role assignment and an accounts-log entry both name their scope by the same five columns
(household, building, community, street, department). `within(user, columns, roles)` is true for a
row whose scope lies under one of the user's `roles`: a street reaches its communities, their
buildings and households, and its departments; staff their community and below; a building head
their building and its households. The permission rules ask it of one row (`covers`), the people
page of every row at once, so both answer alike.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, literal, or_, select, true
from sqlalchemy.orm import Session

from app.models import Building, Community, Department, Household, Role, RoleAssignment, User

MANAGERS = (Role.BUILDING_HEAD, Role.STAFF, Role.STREET)


@dataclass(frozen=True)
class Scope:
    """The scope columns of one role (given, or about to be given) or one log entry."""

    household_id: int | None = None
    building_id: int | None = None
    community_id: int | None = None
    street_id: int | None = None
    department_id: int | None = None

    @classmethod
    def of(cls, row) -> Scope:
        """The scope a RoleAssignment or AccountEvent names."""
        return cls(row.household_id, row.building_id, row.community_id, row.street_id, row.department_id)


def _held(user: User, roles: tuple[Role, ...]) -> tuple[list[int], list[int], list[int]]:
    """The streets, communities and buildings the user holds one of `roles` over."""
    held = [a for a in user.roles if a.role in roles]
    return ([a.street_id for a in held if a.role == Role.STREET and a.street_id is not None],
            [a.community_id for a in held if a.role == Role.STAFF and a.community_id is not None],
            [a.building_id for a in held if a.role == Role.BUILDING_HEAD and a.building_id is not None])


def within(user: User, columns, roles: tuple[Role, ...] = MANAGERS) -> ColumnElement[bool]:
    """True for rows (`columns` has the five scope columns) under one of the user's `roles` (admin: all)."""
    if user.has_role(Role.ADMIN):
        return true()
    streets, communities, buildings = _held(user, roles)
    if not (streets or communities or buildings):
        return false()
    community_ids = select(Community.id).where(or_(Community.id.in_(communities), Community.street_id.in_(streets)))
    building_ids = select(Building.id).where(or_(Building.id.in_(buildings), Building.community_id.in_(community_ids)))
    return or_(
        columns.street_id.in_(streets),
        columns.community_id.in_(community_ids),
        columns.building_id.in_(building_ids),
        columns.household_id.in_(select(Household.id).where(Household.building_id.in_(building_ids))),
        columns.department_id.in_(select(Department.id).where(Department.street_id.in_(streets))),
    )


class _Literal:
    """A Scope's values as SQL literals, so `within` can judge one row that is not (yet) in a table."""

    def __init__(self, scope: Scope):
        for name, value in vars(scope).items():
            setattr(self, name, literal(value))


def covers(session: Session, user: User, scope: Scope, roles: tuple[Role, ...] = MANAGERS) -> bool:
    """True when the scope lies under one of the user's `roles` (one query; none for admin)."""
    if user.has_role(Role.ADMIN):
        return True
    if not any(_held(user, roles)):
        return False
    return bool(session.scalar(select(within(user, _Literal(scope), roles))))


def people_within(user: User, roles: tuple[Role, ...] = MANAGERS):
    """A SELECT of the ids of people holding a role under the user's `roles`."""
    return select(RoleAssignment.user_id).where(within(user, RoleAssignment, roles))
