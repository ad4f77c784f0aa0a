"""Who may review joining and give reset codes (registered with app.auth.permissions).

The building's heads and the staff of its community; nobody else (street and admin set things
up, they do not vouch for a neighbour in person).
"""
from __future__ import annotations

from app.auth import scope
from app.auth.permissions import rule
from app.joining.models import JoinRequest, PasswordReset
from app.models import Building, Role, User

REVIEWERS = (Role.BUILDING_HEAD, Role.STAFF)


@rule("join.manage")
def _manage(user: User, building: Building) -> bool:
    """The building's poster, its join code and its group rules 群规; its join requests and resets."""
    return scope.covers_building(user, building.id, REVIEWERS)


@rule("join.decide")
def _decide(user: User, request: JoinRequest) -> bool:
    """Approve or decline a join request for the building."""
    return scope.covers_building(user, request.building_id, REVIEWERS)


@rule("password.give_code")
def _give_code(user: User, reset: PasswordReset) -> bool:
    """Give a reset code: every role of the person must be within reach, as for a login card.

    A head for the residents of their buildings; staff also for the heads of their community.
    Nobody gives a code for a staff, street, department or admin account.
    """
    roles = reset.user.roles
    if not roles or not any(a.role == Role.RESIDENT for a in roles) or user.id == reset.user_id:
        return False
    for a in roles:
        if a.role == Role.RESIDENT and a.household is not None:
            reached = scope.covers_building(user, a.household.building_id, REVIEWERS)
        elif a.role == Role.BUILDING_HEAD and a.building_id is not None:
            reached = scope.covers_building(user, a.building_id, (Role.STAFF,))
        else:
            reached = False
        if not reached:
            return False
    return True
