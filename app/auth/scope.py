"""Which buildings, communities and households a user's roles reach.

Every feature asks these questions through here, so "what is in my scope" has one answer
for the HTML pages, the JSON API and the sync handlers alike. The SQL that answers them, and
what a page read beside its rows, is in app/auth/queries.py.
"""
from __future__ import annotations

from sqlalchemy import Select, select

from app.auth import queries
from app.extensions import db
from app.models import Building, Role, User


def building_ids(user: User, roles: tuple[Role, ...] | None = None) -> Select:
    """A SELECT of the ids of the buildings the user's roles (or only `roles`) cover."""
    return queries.building_ids(user, roles)


def community_ids(user: User, roles: tuple[Role, ...] | None = None) -> Select:
    """A SELECT of the ids of the communities whose buildings the user's roles cover."""
    return select(Building.community_id).where(Building.id.in_(building_ids(user, roles))).distinct()


def covers_building(user: User, building_id: int, roles: tuple[Role, ...] | None = None) -> bool:
    """True when one of the user's roles (or of `roles`) reaches the building.

    One query, unless the page's own read already had the answer (queries.roles_reaching).
    """
    return bool(queries.roles_reaching(db.session, user, building_id, roles))


def own_household_ids(user: User) -> list[int]:
    """The households the user belongs to as a resident (usually one)."""
    return [a.household_id for a in user.roles if a.role == Role.RESIDENT and a.household_id is not None]


# Those who manage buildings (rather than merely live in one).
MANAGERS = (Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN)


def managed_building_ids(user: User) -> Select:
    """Buildings the user manages (head, staff, street, admin) — not merely lives in."""
    return building_ids(user, MANAGERS)
