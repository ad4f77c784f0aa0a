"""Who may send, read and follow up notices (registered with app.auth.permissions)."""
from sqlalchemy import func, select

from app.auth import scope
from app.auth.permissions import rule
from app.extensions import db
from app.models import Building, Household, Role, User

SENDERS = (Role.STAFF, Role.STREET, Role.ADMIN)
MANAGERS = (Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN)


def _all_covered(user: User, building_ids: list[int], roles) -> bool:
    if not building_ids:
        return False
    covered = db.session.scalar(select(func.count()).select_from(
        scope.building_ids(user, roles).where(Building.id.in_(building_ids)).subquery()))
    return covered == len(set(building_ids))


@rule("notice.compose")
def _compose(user: User, target=None) -> bool:
    """Staff, street and admins write notices; building heads relay them door to door."""
    return user.has_role(*SENDERS)


@rule("notice.send")
def _send(user: User, building_ids: list[int]) -> bool:
    """Every building a notice goes to must be in the sender's community or street."""
    return _all_covered(user, building_ids, SENDERS)


@rule("notice.view")
def _view(user, notice) -> bool:
    """Anyone whose roles reach one of the notice's buildings, and its sender."""
    if notice.sender_id == user.id:
        return True
    ids = notice.building_ids
    return bool(ids) and db.session.scalar(scope.building_ids(user).where(Building.id.in_(ids)).limit(1)) is not None


@rule("notice.reach")
def _reach(user, notice) -> bool:
    """The reach page: the sender, and those who manage one of its buildings."""
    if notice.sender_id == user.id:
        return True
    ids = notice.building_ids
    return bool(ids) and db.session.scalar(
        scope.managed_building_ids(user).where(Building.id.in_(ids)).limit(1)) is not None


@rule("notice.inform")
def _inform(user: User, household: Household) -> bool:
    """Marking a household informed in person: its building head, staff and street."""
    return scope.covers_building(user, household.building_id, MANAGERS)


def _can_see_notice_image(user: User, notice_id: int) -> bool:
    from app.notices.models import Notice

    notice = db.session.get(Notice, notice_id)
    return notice is not None and _view(user, notice)


def register_viewers() -> None:
    """Pictures attached to notices are seen by whoever may read the notice."""
    from app.uploads.services import register_subject_viewer

    register_subject_viewer("notice", _can_see_notice_image)
