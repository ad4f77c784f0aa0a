"""Which buildings, communities and households a user's roles reach.

Every feature asks these questions through here, so "what is in my scope" has one answer
for the HTML pages, the JSON API and the sync handlers alike.
"""
from __future__ import annotations

from sqlalchemy import Select, false, or_, select, true

from app.models import Building, Community, Household, Role, User


def building_ids(user: User, roles: tuple[Role, ...] | None = None) -> Select:
    """A SELECT of the ids of the buildings the user's roles (or only `roles`) cover."""
    conditions = []
    for a in user.roles:
        if roles is not None and a.role not in roles:
            continue
        if a.role == Role.ADMIN:
            conditions.append(true())
        elif a.role == Role.RESIDENT and a.household_id is not None:
            conditions.append(
                Building.id == select(Household.building_id).where(Household.id == a.household_id).scalar_subquery()
            )
        elif a.role == Role.BUILDING_HEAD and a.building_id is not None:
            conditions.append(Building.id == a.building_id)
        elif a.role == Role.STAFF and a.community_id is not None:
            conditions.append(Building.community_id == a.community_id)
        elif a.role == Role.STREET and a.street_id is not None:
            conditions.append(
                Building.community_id.in_(select(Community.id).where(Community.street_id == a.street_id))
            )
    return select(Building.id).where(or_(*conditions) if conditions else false())


def community_ids(user: User, roles: tuple[Role, ...] | None = None) -> Select:
    """A SELECT of the ids of the communities whose buildings the user's roles cover."""
    return select(Building.community_id).where(Building.id.in_(building_ids(user, roles))).distinct()


def covers_building(user: User, building_id: int, roles: tuple[Role, ...] | None = None) -> bool:
    """True when one of the user's roles (or of `roles`) reaches the building."""
    from app.extensions import db

    return db.session.scalar(building_ids(user, roles).where(Building.id == building_id)) is not None


def own_household_ids(user: User) -> list[int]:
    """The households the user belongs to as a resident (usually one)."""
    return [a.household_id for a in user.roles if a.role == Role.RESIDENT and a.household_id is not None]


def managed_building_ids(user: User) -> Select:
    """Buildings the user manages (head, staff, street, admin) — not merely lives in."""
    return building_ids(user, (Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN))
