"""Who may print and revoke login cards (registered with app.auth.permissions)."""
from __future__ import annotations

from app.auth import scope
from app.auth.permissions import rule
from app.models import Building, Role, User

ISSUERS = (Role.BUILDING_HEAD, Role.STAFF)


@rule("logincard.list")
def _list_cards(user: User, building: Building) -> bool:
    """The building's card holders: its building heads, and staff of its community."""
    return scope.covers_building(user, building.id, ISSUERS)


@rule("logincard.manage")
def _manage_card(user: User, holder: User) -> bool:
    """Print, reprint or revoke a resident's card, and read its sign-in log.

    A card signs in as the whole account, so every role of the holder must be within the
    issuer's reach: a building head prints for residents of the households in their
    buildings; staff also for the building heads of their community. Nobody prints a card
    for staff, street, department or admin accounts, nor for people who are not residents.
    """
    if not holder.has_role(Role.RESIDENT):
        return False
    for assignment in holder.roles:
        if assignment.role == Role.RESIDENT:
            if assignment.household is None or not scope.covers_building(user, assignment.household.building_id, ISSUERS):
                return False
        elif assignment.role == Role.BUILDING_HEAD:
            if assignment.building_id is None or not scope.covers_building(user, assignment.building_id, (Role.STAFF,)):
                return False
        else:
            return False
    return True
