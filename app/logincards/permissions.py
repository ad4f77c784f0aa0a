"""Who may print and revoke login cards (registered with app.auth.permissions)."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from app.auth import scope
from app.auth.permissions import rule, rule_for_many
from app.extensions import db
from app.models import Building, Household, Role, RoleAssignment, User

ISSUERS = (Role.BUILDING_HEAD, Role.STAFF)


@rule("logincard.list")
def _list_cards(user: User, building: Building) -> bool:
    """The building's card holders: its building heads, and staff of its community."""
    return scope.covers_building(user, building.id, ISSUERS)


def _reached(user: User, roles: tuple[Role, ...], building_ids: set[int]) -> set[int]:
    """Which of `building_ids` the user's `roles` reach (one query)."""
    if not building_ids:
        return set()
    return set(db.session.scalars(scope.building_ids(user, roles).where(Building.id.in_(building_ids))))


@rule_for_many("logincard.manage")
def _manage_cards(user: User, holders: Sequence[User]) -> list[bool]:
    """Print, reprint or revoke a resident's card, and read its sign-in log.

    A card signs in as the whole account, so every role of the holder must be within the
    issuer's reach: a building head prints for residents of the households in their
    buildings; staff also for the building heads of their community. Nobody prints a card
    for staff, street, department or admin accounts, nor for people who are not residents.
    Decided for a whole building's holders at once, in a fixed number of queries.
    """
    ids = [h.id for h in holders]
    assignments = db.session.scalars(select(RoleAssignment).where(RoleAssignment.user_id.in_(ids))).all()
    household_ids = {a.household_id for a in assignments if a.role == Role.RESIDENT and a.household_id is not None}
    building_of = dict(db.session.execute(select(Household.id, Household.building_id)
                                          .where(Household.id.in_(household_ids))).all()) if household_ids else {}
    homes = _reached(user, ISSUERS, set(building_of.values()))
    headed = _reached(user, (Role.STAFF,), {a.building_id for a in assignments
                                            if a.role == Role.BUILDING_HEAD and a.building_id is not None})

    def within_reach(a: RoleAssignment) -> bool:
        if a.role == Role.RESIDENT:
            return a.household_id in building_of and building_of[a.household_id] in homes
        if a.role == Role.BUILDING_HEAD:
            return a.building_id in headed
        return False

    by_holder: dict[int, list[RoleAssignment]] = {i: [] for i in ids}
    for a in assignments:
        by_holder[a.user_id].append(a)
    return [any(a.role == Role.RESIDENT for a in by_holder[h.id]) and all(within_reach(a) for a in by_holder[h.id])
            for h in holders]


@rule("logincard.manage")
def _manage_card(user: User, holder: User) -> bool:
    """One holder: see _manage_cards."""
    return _manage_cards(user, [holder])[0]
