"""Who may visit, read and keep the ledger (registered with app.auth.permissions)."""
from collections.abc import Sequence

from app.auth import scope
from app.auth.permissions import rule, rule_for_many
from app.models import Building, Household, Role, User

MANAGERS = (Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN)


@rule_for_many("visit.add")
def _add_visits(user: User, households: Sequence[Household]) -> list[bool]:
    """Building heads for their buildings; staff and street for their scope (one query for a sync batch).

    Only `building_id` is read, so the sync engine may pass light (id, building_id) rows.
    """
    from app.extensions import db

    wanted = {h.building_id for h in households}
    covered = set(db.session.scalars(scope.building_ids(user, MANAGERS).where(Building.id.in_(wanted))))
    return [h.building_id in covered for h in households]


@rule("visit.add")
def _add_visit(user: User, household: Household) -> bool:
    """The same rule for one household (the pages and the one-by-one sync path)."""
    return _add_visits(user, [household])[0]


@rule("ledger.view")
def _view_ledger(user: User, building: Building) -> bool:
    """The household ledger 台账 of a building: those who manage it."""
    return scope.covers_building(user, building.id, MANAGERS)


@rule("ledger.import")
def _import_ledger(user: User, building: Building) -> bool:
    """Importing a spreadsheet ledger: community staff and above, not building heads."""
    return scope.covers_building(user, building.id, (Role.STAFF, Role.STREET, Role.ADMIN))


@rule("visit.view")
def _view_visit(user: User, visit_household: Household) -> bool:
    """Visits (and their photos) are seen by those who manage the building."""
    return scope.covers_building(user, visit_household.building_id, MANAGERS)


def _can_see_visit_photos(user: User, visit_id: int) -> bool:
    from app.extensions import db
    from app.visits.models import Visit

    visit = db.session.get(Visit, visit_id)
    return visit is not None and _view_visit(user, visit.household)


def register_viewers() -> None:
    """Photos attached to visits are seen by whoever may see the visit."""
    from app.uploads.services import register_subject_viewer

    register_subject_viewer("visit", _can_see_visit_photos)
