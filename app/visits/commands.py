"""The visits feature's use cases 走访 / 台账: one command each, for its page and, for a visit, the device's outbox."""
from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _
from sqlalchemy import Row, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from app.auth.permissions import can_each, require
from app.commands import BulkWrite, Context, Fallback, Refused, command, execute
from app.database import among
from app.models import Building, Household
from app.visits import services
from app.visits.ledger_import import LedgerImportIn, import_ledger
from app.visits.models import NeedStatus, Visit, VisitNeed
from app.visits.mutations import visit_json
from app.visits.schemas import FollowUpDoneIn, HouseholdIn, NeedRef, VisitIn


def _household_rows(session: Session, ids: set[int]) -> dict[int, Row]:
    """Household id → (id, building_id, is_deleted) for the ids.

    Light rows, not ORM objects: the rule reads only building_id (app/visits/permissions.py).
    """
    rows = session.execute(select(Household.id, Household.building_id, Household.is_deleted)
                           .where(among(session, Household.id, ids)))
    return {row.id: row for row in rows}


def _checked(ctx: Context, items: list[tuple[str, VisitIn]]) -> list[services.NewVisit]:
    """The visits these payloads record, once each passes the rules: one query for the households, one for permission.

    The one set of checks of `visit.add`, for one visit or a sync run of them; it refuses with the
    reason of the first item that fails (the engine then applies a run's items one by one).
    """
    households = _household_rows(ctx.session, {data.household_id for _uuid, data in items})
    found = [households.get(data.household_id) for _uuid, data in items]
    if any(row is None or row.is_deleted for row in found):
        raise Refused(_("This household is not in the ledger."), "not_found")
    if not all(can_each(ctx.user, "visit.add", found)):
        raise Forbidden(description="visit.add")
    for _uuid, data in items:
        services.check_visit(data, now=ctx.now)
    visitor_id = ctx.user.id  # read once: an ORM attribute costs a call each time
    return [services.new_visit(data, uuid=uuid, visitor_id=visitor_id) for uuid, data in items]


def add_many(ctx: Context, items: list[tuple[str, VisitIn]]) -> BulkWrite:
    """A sync run of visits: the same checks as one, and one statement per table to write them.

    Only reads: the visits' ids are taken, and their rows written, when the engine holds the write lock.
    """
    if any(data.attachments for _uuid, data in items) or any(
            n.status == NeedStatus.TO_REPORT for _uuid, data in items for n in data.needs):
        raise Fallback  # photos are linked, and problem reports made, one by one
    visits = _checked(ctx, items)
    entities = [visit_json(visit) for visit in visits]  # ids filled in by start()

    def start() -> list[dict]:
        for visit, entity, visit_id in zip(visits, entities, services.reserve_visit_ids(ctx.session, len(visits)), strict=True):
            visit.id = entity["id"] = visit_id
        return entities

    return BulkWrite(start=start, write=lambda change_seq: services.add_visits(ctx.session, visits, change_seq=change_seq,
                                                                              now=ctx.now))


@command("visit.add", VisitIn, offline=True, apply_many=add_many)
def add(ctx: Context, data: VisitIn) -> dict:
    """Record a visit made in the stairwell (走访), possibly days ago; needs marked `to_report` become problem reports."""
    (visit,) = _checked(ctx, [(ctx.uuid, data)])
    stored = services.add_visit(ctx.session, visit, attachments=ctx.attachments)
    for need in stored.needs:
        if need.status == NeedStatus.TO_REPORT:
            report_need(ctx, need)
    return visit_json(stored, photos=[a.uuid for a in ctx.attachments])


def report_need(ctx: Context, need: VisitNeed, *, category: str = "care_needs") -> int:
    """Turn a need found on a visit into a problem report (source "visit") through `issue.report`; its id.

    The report has a fixed id (need_problem_uuid), so reporting the same need again makes no
    second one. The need is then referred to it.
    """
    problem = services.need_problem(ctx.session, need)
    if problem is not None:
        problem_id = problem.id
    else:
        household = need.visit.household
        report = execute("issue.report", replace(ctx, uuid=services.need_problem_uuid(need), attachments=[]), {
            "building_id": household.building_id, "household_id": household.id, "category": category,
            "text": need.text, "source": "visit"})
        problem_id = report["id"]
    services.refer_need(need)
    ctx.session.flush()
    return problem_id


def _need(ctx: Context, need_id: int) -> VisitNeed:
    """The need, once the person may record visits to its household."""
    need = ctx.session.get(VisitNeed, need_id)
    if need is None:
        raise Refused(_("This page does not exist."), "not_found")  # only pages send it
    require(ctx.user, "visit.add", need.visit.household)
    return need


@command("visit.need_report", NeedRef)
def need_report(ctx: Context, data: NeedRef) -> dict:
    """Turn a need found on a visit into a problem report, in one step."""
    need = _need(ctx, data.need_id)
    return {"need_id": need.id, "problem_id": report_need(ctx, need)}


@command("visit.need_done", NeedRef)
def need_done(ctx: Context, data: NeedRef) -> dict:
    """The need has been met (e.g. the companionship service now calls in)."""
    need = _need(ctx, data.need_id)
    services.set_need_status(need, NeedStatus.DONE)
    ctx.session.flush()
    return {"need_id": need.id, "household_id": need.visit.household_id, "status": need.status.value}


@command("visit.follow_up_done", FollowUpDoneIn)
def follow_up_done(ctx: Context, data: FollowUpDoneIn) -> dict:
    """The follow-up visit promised on this visit has been made."""
    visit = ctx.session.get(Visit, data.visit_id)
    if visit is None:
        raise Refused(_("This page does not exist."), "not_found")  # only pages send it
    require(ctx.user, "visit.add", visit.household)
    services.complete_follow_up(visit)
    ctx.session.flush()
    return {"visit_id": visit.id, "follow_up_done": visit.follow_up_done}


@command("household.edit", HouseholdIn)
def edit_household(ctx: Context, data: HouseholdIn) -> dict:
    """Change a household's ledger entry (members, care flags, preferred contact)."""
    household = ctx.session.get(Household, data.household_id)
    if household is None or household.is_deleted:
        raise Refused(_("This household is not in the ledger."), "not_found")
    require(ctx.user, "household.manage", household)
    services.update_household(household, data)
    ctx.session.flush()
    return {"household_id": household.id}


@command("ledger.import", LedgerImportIn)
def import_rows(ctx: Context, data: LedgerImportIn) -> dict:
    """Write a previewed ledger's rows for a building, all of them in one transaction."""
    building = ctx.session.get(Building, data.building_id)
    if building is None:
        raise Refused(_("This building does not exist."), "not_found")
    require(ctx.user, "ledger.import", building)
    created, updated = import_ledger(ctx.session, building, data.rows)
    return {"building_id": building.id, "created": created, "updated": updated}
