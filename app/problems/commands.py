"""The problem loop's use cases 诉求闭环, one command each, for the pages, the JSON API and a phone's outbox alike.

Each loads what it acts on, checks permission once and calls the services; each answers the problem as
devices see it (app/problems/schemas.py). All work offline: a phone sends them as sync mutations.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth import scope
from app.auth.permissions import can, require
from app.commands import Context, Refused, command, get_or_refuse
from app.models import Building, Department, Household, User
from app.problems import services
from app.problems.models import Dispatch, Problem, Source
from app.problems.schemas import (
    AssignIn,
    CommentIn,
    ConfirmIn,
    DispatchIn,
    EscalateIn,
    MarkReadIn,
    MergeIn,
    RecategoriseIn,
    ReopenIn,
    ReportIn,
    ResolveIn,
    WorkIn,
    problem_json,
)


def building_to_report_in(ctx: Context, building_id: int, action: str = "issue.report") -> Building:
    """The building a problem is reported in, if it exists (Refused "not_found") and `action` is allowed there."""
    building = ctx.session.get(Building, building_id)
    if building is None:
        raise Refused(_("This building does not exist."), "not_found")
    require(ctx.user, action, building)
    return building


def _problem(ctx: Context, problem_id: int, action: str) -> Problem:
    problem = get_or_refuse(ctx.session, Problem, problem_id, _("This problem does not exist."))
    require(ctx.user, action, problem)
    return problem


def _on_problem(ctx: Context, problem_id: int, action: str, step: Callable, *args: Any, **kwargs: Any) -> dict:
    """Take the loop's `step` (a service) on a problem `action` is allowed on; answer the problem."""
    problem = _problem(ctx, problem_id, action)
    step(ctx.session, ctx.user, problem, *args, now=ctx.now, **kwargs)
    return problem_json(problem)


def _on_order(ctx: Context, order_id: int, step: Callable, *args: Any, **kwargs: Any) -> dict:
    """Take `step` (a service) on a work order of my department; answer its problem."""
    order = ctx.session.get(Dispatch, order_id)
    if order is None:
        raise Refused(_("This work order does not exist."), "not_found")
    require(ctx.user, "dispatch.work", order)
    step(ctx.session, ctx.user, order, *args, now=ctx.now, **kwargs)
    return problem_json(order.problem)


@command("issue.report", ReportIn, offline=True)
def report(ctx: Context, data: ReportIn) -> dict:
    """Report a problem 反映问题 (from a phone, possibly hours after it was written).

    Reporting for myself (no household chosen) picks my own household in this building. Another
    household, or a visit, walk-in or group-chat relay, is reporting on its behalf (building heads and
    above); a 12345 hotline order is entered by community staff and the street.
    """
    building = building_to_report_in(ctx, data.building_id)
    household = ctx.session.get(Household, data.household_id) if data.household_id else None
    if data.source == Source.HOTLINE:
        require(ctx.user, "issue.hotline", building)
    elif data.source != Source.APP or (household is not None and household.id not in scope.own_household_ids(ctx.user)):
        require(ctx.user, "issue.report_on_behalf", building)
    if household is None:
        household = ctx.session.scalar(select(Household).where(
            Household.id.in_(scope.own_household_ids(ctx.user) or [-1]), Household.building_id == building.id))
    problem = services.report_problem(
        ctx.session, ctx.user, building, category=data.category, text=data.text, now=ctx.now, uuid=ctx.uuid,
        household=household, location=data.location, source=data.source, hotline_order_no=data.hotline_order_no,
        attachments=ctx.attachments, reporter=ctx.user if data.source == Source.APP else None)
    return problem_json(problem)


@command("issue.comment", CommentIn, offline=True)
def comment(ctx: Context, data: CommentIn) -> dict:
    """What someone who can see the problem writes on it.

    From a responder it is a public update (the first meets the feedback deadline) or, asked for, an
    internal note (staff only); from anyone else, a comment.
    """
    problem = _problem(ctx, data.problem_id, "issue.view")
    if data.internal:
        require(ctx.user, "issue.note", problem)
        event = services.respond(ctx.session, ctx.user, problem, data.text, now=ctx.now, public=False)
    elif can(ctx.user, "issue.respond", problem):
        event = services.respond(ctx.session, ctx.user, problem, data.text, now=ctx.now, attachments=ctx.attachments)
    else:
        require(ctx.user, "issue.comment", problem)
        event = services.comment(ctx.session, ctx.user, problem, data.text, now=ctx.now)
    return {"problem": problem_json(problem), "event_id": event.id}


@command("issue.confirm", ConfirmIn, offline=True)
def confirm(ctx: Context, data: ConfirmIn) -> dict:
    """The reporter confirms it is fixed, rates it and may say thanks."""
    return _on_problem(ctx, data.problem_id, "issue.confirm", services.confirm, data.rating, thanks=data.thanks,
                       text=data.text)


@command("issue.escalate", EscalateIn, offline=True)
def escalate(ctx: Context, data: EscalateIn) -> dict:
    """One-click escalation 一键上报 to the next level, with a reason."""
    return _on_problem(ctx, data.problem_id, "issue.escalate", services.escalate, data.reason)


@command("issue.resolve", ResolveIn, offline=True)
def resolve(ctx: Context, data: ResolveIn) -> dict:
    """Staff or the street mark it resolved; the reporter is asked to confirm."""
    return _on_problem(ctx, data.problem_id, "issue.resolve", services.resolve, data.text)


@command("issue.reopen", ReopenIn, offline=True)
def reopen(ctx: Context, data: ReopenIn) -> dict:
    """The reporter says it is not fixed (within 7 days)."""
    return _on_problem(ctx, data.problem_id, "issue.confirm", services.reopen, data.reason)


@command("issue.dispatch", DispatchIn, offline=True)
def dispatch(ctx: Context, data: DispatchIn) -> dict:
    """Blow the whistle 吹哨 to one or more departments at once."""
    problem = _problem(ctx, data.problem_id, "issue.dispatch")
    departments = list(ctx.session.scalars(select(Department).where(Department.id.in_(data.department_ids))))
    if len(departments) != len(set(data.department_ids)):
        raise Refused(_("This department does not exist."), "not_found", {"department_ids": _("Invalid value.")})
    orders = services.dispatch(ctx.session, ctx.user, problem, departments, data.note, now=ctx.now)
    return problem_json(problem) | {"order_ids": [o.id for o in orders]}


@command("issue.accept", WorkIn, offline=True)
def accept(ctx: Context, data: WorkIn) -> dict:
    """A department reports for duty 报到 on its work order."""
    return _on_order(ctx, data.order_id, services.accept)


@command("issue.progress", WorkIn, offline=True)
def progress(ctx: Context, data: WorkIn) -> dict:
    """A department's progress on its work order, with photos (public: it counts as the response)."""
    return _on_order(ctx, data.order_id, services.dispatch_progress, data.text, attachments=ctx.attachments)


@command("issue.done", WorkIn, offline=True)
def done(ctx: Context, data: WorkIn) -> dict:
    """A department's part is done (the problem resolves when every part is)."""
    return _on_order(ctx, data.order_id, services.complete, data.text)


def _problems(ctx: Context, problem_ids: list[int], action: str) -> list[Problem]:
    """The problems named, each one `action` is allowed on (all or none: a bulk action is one step)."""
    return [_problem(ctx, problem_id, action) for problem_id in dict.fromkeys(problem_ids)]


@command("issue.assign", AssignIn)
def assign(ctx: Context, data: AssignIn) -> dict:
    """Give one or more problems to a named colleague at the desk (community staff or the street)."""
    problems = _problems(ctx, data.problem_ids, "issue.assign")
    assignee = ctx.session.get(User, data.assignee_id)
    if assignee is None:
        raise Refused(_("This person does not exist."), "invalid", {"assignee_id": _("Invalid value.")})
    for problem in problems:
        services.assign(ctx.session, ctx.user, problem, assignee, now=ctx.now)
    return {"problems": [problem_json(p) for p in problems]}


@command("issue.mark_read", MarkReadIn, offline=True)
def mark_read(ctx: Context, data: MarkReadIn) -> dict:
    """My inbox items about these problems are read (the queue's bulk action; a problem's page when opened)."""
    problems = _problems(ctx, data.problem_ids, "issue.view")
    return {"marked": services.mark_read(ctx.session, ctx.user, [p.id for p in problems], now=ctx.now)}


@command("issue.recategorise", RecategoriseIn)
def recategorise(ctx: Context, data: RecategoriseIn) -> dict:
    """Put a problem in the category it really belongs to (staff and the street)."""
    return _on_problem(ctx, data.problem_id, "issue.assign", services.recategorise, data.category)


@command("issue.merge", MergeIn)
def merge(ctx: Context, data: MergeIn) -> dict:
    """Merge a duplicate into the problem that stays (both within my desk's reach)."""
    duplicate = _problem(ctx, data.problem_id, "issue.assign")
    keep = ctx.session.get(Problem, data.into)
    if keep is None or keep.is_deleted or not can(ctx.user, "issue.assign", keep):
        # "invalid", not "not_found": a number typed in a form is a mistake to correct, not a missing page
        raise Refused(_("There is no problem #%(id)s you can merge into.", id=data.into), "invalid",
                      {"into": _("Invalid value.")})
    services.merge(ctx.session, ctx.user, duplicate, keep, now=ctx.now)
    return problem_json(duplicate) | {"merged_into": keep.id}
