"""What devices download for the ledger offline, and how a visit and a household look to them."""
from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.auth import scope
from app.models import Household, User
from app.sync.registry import pull_source
from app.visits.models import Visit
from app.visits.services import NewVisit, last_visits


@lru_cache(maxsize=1024)
def _utc_iso(moment: datetime) -> str:
    """An aware time as devices get it (UTC, ISO 8601); a batch's visits mostly share a few times."""
    return moment.astimezone(UTC).isoformat()


def visit_json(visit: Visit | NewVisit, photos: list[str] | None = None) -> dict:
    """A visit as devices see it: a stored one, or one about to be stored by a sync run (app/visits/services.py)."""
    return {
        "id": visit.id, "uuid": visit.uuid, "household_id": visit.household_id, "visitor_id": visit.visitor_id,
        "visited_at": _utc_iso(visit.visited_at), "kind": visit.kind.value, "notes": visit.notes,
        "follow_up_on": visit.follow_up_on.isoformat() if visit.follow_up_on else None,
        "needs": [{"text": n.text, "status": n.status.value, "referral": n.referral} for n in visit.needs],
        "photos": photos or [], "deleted": visit.is_deleted,
    }


def household_json(household: Household, last_visit_at) -> dict:
    """A ledger row as devices see it (for the building head's offline list)."""
    return {
        "id": household.id, "building_id": household.building_id, "label": household.label, "unit": household.unit,
        "floor": household.floor, "room": household.room, "members": household.members,
        "member_count": household.member_count, "preferred_contact": household.preferred_contact.value,
        "empty_nest": household.empty_nest, "lives_alone": household.lives_alone,
        "limited_mobility": household.limited_mobility, "no_smartphone": household.no_smartphone,
        "last_visit_at": last_visit_at.isoformat() if last_visit_at else None, "deleted": household.is_deleted,
    }


@pull_source("households")
def changed_households(session: Session, user: User, since: int, until: int) -> list[dict]:
    """Ledger rows of the buildings I manage, and my own household.

    A household is sent again when it changed or one of its visits did (its last-visit date may
    have moved): recording a visit does not rewrite the household row.
    """
    from app.clock import as_utc

    last = last_visits()
    visited = select(Visit.household_id).where(Visit.change_seq > since, Visit.change_seq <= until)
    rows = session.execute(
        select(Household, last.c.last_visit_at).outerjoin(last, last.c.household_id == Household.id)
        .where(or_(and_(Household.change_seq > since, Household.change_seq <= until), Household.id.in_(visited)),
               or_(Household.building_id.in_(scope.managed_building_ids(user)),
                   Household.id.in_(scope.own_household_ids(user) or [-1])))
        .order_by(Household.id))
    return [household_json(h, as_utc(v)) for h, v in rows]


@pull_source("visits")
def changed_visits(session: Session, user: User, since: int, until: int) -> list[dict]:
    """Visits in the buildings I manage."""
    visits = session.scalars(
        select(Visit).join(Household).where(Visit.change_seq > since, Visit.change_seq <= until,
                                            Household.building_id.in_(scope.managed_building_ids(user)))
        .order_by(Visit.id))
    return [visit_json(v) for v in visits]
