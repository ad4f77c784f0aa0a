"""Who may do what with consultations (the phase in force is checked by the services)."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from app.auth import scope
from app.auth.permissions import rule, rule_for_many
from app.consultations.models import Consultation, ConsultationBuilding
from app.extensions import db
from app.models import Building, Role, User

STAFF = (Role.STAFF, Role.STREET, Role.ADMIN)


def _in_scope_each(user: User, consultations: Sequence[Consultation], roles=None) -> list[bool]:
    """For each consultation, whether it asks a building the user's roles cover: one query for all."""
    ids = [c.id for c in consultations]
    reached = set(db.session.scalars(select(ConsultationBuilding.consultation_id).where(
        ConsultationBuilding.consultation_id.in_(ids),
        ConsultationBuilding.building_id.in_(scope.building_ids(user, roles))))) if ids else set()
    return [c.id in reached for c in consultations]


def _in_scope(user: User, consultation: Consultation, roles=None) -> bool:
    return _in_scope_each(user, [consultation], roles)[0]


def phase1_audience(user: User) -> bool:
    """Party members 党员 and building heads (the building representatives) take part in phase 1."""
    return bool(user.is_party_member) or user.has_role(Role.BUILDING_HEAD)


@rule("consultation.compose")
def _compose(user: User, target=None) -> bool:
    """Staff, street and admin start consultations."""
    return user.has_role(*STAFF)


@rule_for_many("consultation.manage")
def _manage_each(user: User, consultations: Sequence[Consultation]) -> list[bool]:
    """Staff over one of its buildings see every comment, mark adopted ones and write the outcome."""
    return _in_scope_each(user, consultations, STAFF)


@rule("consultation.manage")
def _manage(user: User, consultation: Consultation) -> bool:
    """One consultation: see _manage_each."""
    return _manage_each(user, [consultation])[0]


@rule("consultation.view")
def _view(user: User, consultation: Consultation) -> bool:
    """Those it asks: phase 1 people from the start, everyone in scope once phase 2 exists."""
    return _manage(user, consultation) or _in_scope(user, consultation)


@rule("consultation.party")
def _party(user: User, member: User) -> bool:
    """Staff mark a resident of their community as a party member."""
    if not user.has_role(*STAFF):
        return False
    managed = scope.building_ids(user, STAFF)
    return any(a.household is not None and db.session.scalar(managed.where(Building.id == a.household.building_id))
               for a in member.roles)


def can_see_image(user: User, consultation_id: int) -> bool:
    """A consultation's images: whoever may see the consultation now (the uploads feature asks)."""
    from app.clock import utcnow
    from app.consultations.queries import may_see  # queries imports this module: imported when asked

    consultation = db.session.get(Consultation, consultation_id)
    return consultation is not None and may_see(user, consultation, utcnow())
