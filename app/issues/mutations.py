"""Offline writes of the problem loop, and the open problems devices keep."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import scope
from app.auth.permissions import can, require
from app.issues import services
from app.issues.models import OPEN_STATUSES, Dispatch, Problem, Source
from app.issues.schemas import CommentIn, ConfirmIn, DispatchIn, EscalateIn, ReopenIn, ReportIn, ResolveIn, WorkIn
from app.models import Building, Department, Household, User
from app.sync.registry import MutationContext, Rejected, mutation, pull_source


def problem_json(problem: Problem) -> dict:
    """A problem as devices see it (the reporter as a household, never a phone)."""
    return {
        "id": problem.id, "uuid": problem.uuid, "building_id": problem.building_id, "reporter": problem.reporter_label,
        "category": problem.category.value, "text": problem.text, "location": problem.location,
        "source": problem.source.value, "status": problem.status.value, "level": problem.level,
        "reported_at": problem.reported_at.isoformat(), "feedback_due_at": problem.feedback_due_at.isoformat(),
        "first_response_at": problem.first_response_at.isoformat() if problem.first_response_at else None,
        "deleted": problem.is_deleted,
    }


def _get(ctx: MutationContext, problem_id: int, action: str) -> Problem:
    problem = ctx.session.get(Problem, problem_id)
    if problem is None or problem.is_deleted:
        raise Rejected(_("This problem does not exist."), "not_found")
    require(ctx.user, action, problem)
    return problem


@mutation("issue.report", ReportIn)
def report(ctx: MutationContext, data: ReportIn) -> dict:
    """A problem reported from the phone, possibly hours after it was written."""
    building = ctx.session.get(Building, data.building_id)
    if building is None:
        raise Rejected(_("This building does not exist."), "not_found")
    require(ctx.user, "issue.report", building)
    household = ctx.session.get(Household, data.household_id) if data.household_id else None
    if data.source == Source.HOTLINE:
        require(ctx.user, "issue.hotline", building)
    elif data.source != Source.APP or (household is not None and household.id not in scope.own_household_ids(ctx.user)):
        require(ctx.user, "issue.report_on_behalf", building)
    if household is None:
        household = ctx.session.scalar(select(Household).where(
            Household.id.in_(scope.own_household_ids(ctx.user) or [-1]), Household.building_id == building.id))
    problem = services.report_problem(
        ctx.session, ctx.user, building, category=data.category, text=data.text, now=ctx.now, uuid=ctx.mutation_id,
        household=household, location=data.location, source=data.source, hotline_order_no=data.hotline_order_no,
        attachments=ctx.attachments, reporter=ctx.user if data.source == Source.APP else None)
    return problem_json(problem)


@mutation("issue.comment", CommentIn)
def comment(ctx: MutationContext, data: CommentIn) -> dict:
    """A comment, public update or internal note, by the same rules as the page."""
    problem = _get(ctx, data.problem_id, "issue.view")
    if data.internal:
        require(ctx.user, "issue.note", problem)
        event = services.respond(ctx.session, ctx.user, problem, data.text, now=ctx.now, public=False)
    elif can(ctx.user, "issue.respond", problem):
        event = services.respond(ctx.session, ctx.user, problem, data.text, now=ctx.now, attachments=ctx.attachments)
    else:
        require(ctx.user, "issue.comment", problem)
        event = services.comment(ctx.session, ctx.user, problem, data.text, now=ctx.now)
    return {"problem": problem_json(problem), "event_id": event.id}


@mutation("issue.confirm", ConfirmIn)
def confirm(ctx: MutationContext, data: ConfirmIn) -> dict:
    """The reporter confirms and rates."""
    problem = _get(ctx, data.problem_id, "issue.confirm")
    services.confirm(ctx.session, ctx.user, problem, data.rating, now=ctx.now, thanks=data.thanks, text=data.text)
    return problem_json(problem)


@mutation("issue.escalate", EscalateIn)
def escalate(ctx: MutationContext, data: EscalateIn) -> dict:
    """One-click escalation from a phone."""
    problem = _get(ctx, data.problem_id, "issue.escalate")
    services.escalate(ctx.session, ctx.user, problem, data.reason, now=ctx.now)
    return problem_json(problem)


@mutation("issue.resolve", ResolveIn)
def resolve(ctx: MutationContext, data: ResolveIn) -> dict:
    """Staff or the street mark it resolved."""
    problem = _get(ctx, data.problem_id, "issue.resolve")
    services.resolve(ctx.session, ctx.user, problem, data.text, now=ctx.now)
    return problem_json(problem)


@mutation("issue.reopen", ReopenIn)
def reopen(ctx: MutationContext, data: ReopenIn) -> dict:
    """The reporter says it is not fixed (within 7 days)."""
    problem = _get(ctx, data.problem_id, "issue.confirm")
    services.reopen(ctx.session, ctx.user, problem, data.reason, now=ctx.now)
    return problem_json(problem)


@mutation("issue.dispatch", DispatchIn)
def dispatch(ctx: MutationContext, data: DispatchIn) -> dict:
    """Blow the whistle to one or more departments."""
    problem = _get(ctx, data.problem_id, "issue.dispatch")
    departments = list(ctx.session.scalars(select(Department).where(Department.id.in_(data.department_ids))))
    if len(departments) != len(set(data.department_ids)):
        raise Rejected(_("This department does not exist."), "not_found", {"department_ids": _("Invalid value.")})
    orders = services.dispatch(ctx.session, ctx.user, problem, departments, data.note, now=ctx.now)
    return problem_json(problem) | {"order_ids": [o.id for o in orders]}


def _order(ctx: MutationContext, order_id: int) -> Dispatch:
    order = ctx.session.get(Dispatch, order_id)
    if order is None:
        raise Rejected(_("This work order does not exist."), "not_found")
    require(ctx.user, "dispatch.work", order)
    return order


@mutation("issue.accept", WorkIn)
def accept(ctx: MutationContext, data: WorkIn) -> dict:
    """A department reports for duty 报到."""
    order = _order(ctx, data.order_id)
    services.accept(ctx.session, ctx.user, order, now=ctx.now)
    return problem_json(order.problem)


@mutation("issue.progress", WorkIn)
def progress(ctx: MutationContext, data: WorkIn) -> dict:
    """A department's progress on its work order, with photos."""
    order = _order(ctx, data.order_id)
    services.dispatch_progress(ctx.session, ctx.user, order, data.text, now=ctx.now, attachments=ctx.attachments)
    return problem_json(order.problem)


@mutation("issue.done", WorkIn)
def done(ctx: MutationContext, data: WorkIn) -> dict:
    """A department's part is done (the problem resolves when every part is)."""
    order = _order(ctx, data.order_id)
    services.complete(ctx.session, ctx.user, order, data.text, now=ctx.now)
    return problem_json(order.problem)


@pull_source("problems")
def changed_problems(session: Session, user: User, since: int, until: int) -> list[dict]:
    """Open problems (and ones that just closed) in the buildings I can see."""
    rows = session.scalars(select(Problem).where(
        Problem.change_seq > since, Problem.change_seq <= until, Problem.building_id.in_(scope.building_ids(user)))
        .order_by(Problem.id))
    return [problem_json(p) | {"deleted": p.is_deleted or p.status not in OPEN_STATUSES} for p in rows]
