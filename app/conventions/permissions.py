"""Who may do what with building conventions."""
from __future__ import annotations

from app.auth import scope
from app.auth.permissions import rule
from app.conventions.models import Convention, ConventionStatus
from app.models import Building, Community, Household, Role, User

MANAGERS = (Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN)


@rule("convention.manage")
def _manage(user: User, target: Building | Convention) -> bool:
    """Draft, edit, open discussion and votes: building heads and staff above the building."""
    building_id = target.building_id if isinstance(target, Convention) else target.id
    return scope.covers_building(user, building_id, MANAGERS)


@rule("convention.view")
def _view(user: User, convention: Convention) -> bool:
    """Residents of the building see it once it leaves draft; managers always."""
    if scope.covers_building(user, convention.building_id, MANAGERS):
        return True
    return convention.status != ConventionStatus.DRAFT and scope.covers_building(user, convention.building_id)


@rule("convention.comment")
def _comment(user: User, convention: Convention) -> bool:
    """Anyone who sees the convention may comment (while it is under discussion)."""
    return _view(user, convention)


@rule("convention.vote")
def _vote(user: User, household: Household) -> bool:
    """Vote (and sign up) for one's own household."""
    return household.id in scope.own_household_ids(user)


@rule("convention.record")
def _record(user: User, household: Household) -> bool:
    """Record a door-to-door vote: building heads (and staff) of the household's building."""
    return scope.covers_building(user, household.building_id, MANAGERS)


@rule("convention.tally")
def _tally(user: User, convention: Convention) -> bool:
    """The live tally: managers always; residents see it via tally_visible (after they voted / close)."""
    return scope.covers_building(user, convention.building_id, MANAGERS)


@rule("convention.defaults")
def _defaults(user: User, community: Community) -> bool:
    """A community's default quorum and threshold: its staff, the street above it, admins."""
    from app.extensions import db

    return community.id in db.session.scalars(scope.community_ids(user, (Role.STAFF, Role.STREET, Role.ADMIN))).all()


def may_see_signature(user: User, history_id: int) -> bool:
    """A signature drawn at the door (attached to a VoteHistory row): those who see the convention's tally."""
    from app.conventions.models import VoteHistory
    from app.extensions import db

    history = db.session.get(VoteHistory, history_id)
    return history is not None and _tally(user, db.session.get(Convention, history.convention_id))
