"""Offline writes of the visits feature, and what devices download for the ledger."""
from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import Row, and_, or_, select
from sqlalchemy.orm import Session

from app.auth import scope
from app.auth.permissions import can_each, require
from app.database import rows_where_in
from app.models import Household, User
from app.sync.registry import BulkWrite, Fallback, MutationContext, Rejected, mutation, pull_source
from app.visits.models import NeedStatus, Visit
from app.visits.schemas import VisitIn
from app.visits.services import add_visit, add_visits, check_visit, last_visits, reserve_visit_ids


def _household_rows(session: Session, ids: set[int]) -> dict[int, Row]:
    """Household id → (id, building_id, is_deleted) for the ids.

    Light rows, not ORM objects: the rule reads only building_id (app/visits/permissions.py).
    """
    rows = rows_where_in(session, (Household.id, Household.building_id, Household.is_deleted), Household.id, ids)
    return {row.id: row for row in rows}


def visit_add_bulk(ctx: MutationContext, items: list[tuple[str, VisitIn]]) -> BulkWrite:
    """Many visits at once: the same checks as visit_add, one query for the households and one for permissions.

    Only reads: the visits' ids are taken, and their rows written, when the engine holds the write lock.
    """
    if any(data.attachments for _id, data in items) or any(
            n.status == NeedStatus.TO_REPORT for _id, data in items for n in data.needs):
        raise Fallback  # photos are linked, and problem reports made, one by one
    households = _household_rows(ctx.session, {data.household_id for _id, data in items})
    found = [households.get(data.household_id) for _id, data in items]
    if any(row is None or row.is_deleted for row in found):
        raise Fallback  # the one-by-one path explains it to the person
    if not all(can_each(ctx.user, "visit.add", found)):
        raise Fallback  # … and answers "forbidden" for just that item
    for _id, data in items:
        check_visit(data, now=ctx.now)
    visitor_id = ctx.user.id  # read once: an ORM attribute costs a call each time
    entities = [new_visit_json(None, mid, visitor_id, data) for mid, data in items]  # ids filled in by start()
    rows: list[tuple[int, str, int, VisitIn]] = []

    def start() -> list[dict]:
        for entity, visit_id, (mid, data) in zip(entities, reserve_visit_ids(ctx.session, len(items)), items, strict=True):
            entity["id"] = visit_id
            rows.append((visit_id, mid, data.household_id, data))
        return entities

    return BulkWrite(start=start, write=lambda change_seq: add_visits(ctx.session, ctx.user, rows, change_seq=change_seq,
                                                                     now=ctx.now))


@lru_cache(maxsize=1024)
def _utc_iso(moment: datetime) -> str:
    """An aware time as devices get it (UTC, ISO 8601); a batch's visits mostly share a few times."""
    return moment.astimezone(UTC).isoformat()


def new_visit_json(visit_id: int | None, uuid: str, visitor_id: int, data: VisitIn) -> dict:
    """What visit_json gives for a visit just stored by add_visits, built without reading it back."""
    return {
        "id": visit_id, "uuid": uuid, "household_id": data.household_id, "visitor_id": visitor_id,
        "visited_at": _utc_iso(data.visited_at), "kind": data.kind.value, "notes": data.notes.strip(),
        "follow_up_on": data.follow_up_on.isoformat() if data.follow_up_on else None,
        "needs": [{"text": n.text.strip(), "status": n.status.value, "referral": n.referral.strip()} for n in data.needs],
        "photos": [], "deleted": False,
    }


@mutation("visit.add", VisitIn, bulk=visit_add_bulk)
def visit_add(ctx: MutationContext, data: VisitIn) -> dict:
    """Record a visit made in the stairwell (走访), possibly days ago."""
    household = ctx.session.get(Household, data.household_id)
    if household is None or household.is_deleted:
        raise Rejected(_("This household is not in the ledger."), "not_found")
    require(ctx.user, "visit.add", household)
    visit = add_visit(ctx.session, ctx.user, household, data, uuid=ctx.mutation_id, now=ctx.now,
                      attachments=ctx.attachments)
    return visit_json(visit, photos=[a.uuid for a in ctx.attachments])


def visit_json(visit: Visit, photos: list[str] | None = None) -> dict:
    """A visit as devices see it."""
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
