"""The problem loop as JSON (/api/v1/issues…): the same rules and services as the pages and sync.

Writes run the loop's commands (app/problems/commands.py), as the pages and a phone's outbox do, so a
POST here and an `issue.*` mutation are one code path. Errors use the API's one shape.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api import ApiError, CommandResult, ErrorOut, documented, run_command
from app.auth.permissions import can, require
from app.clock import utcnow
from app.extensions import db
from app.models import Building, Role
from app.problems import queries
from app.problems.models import Dispatch, Problem, ProblemEvent
from app.problems.permissions import handled_building_ids
from app.problems.schemas import problem_json
from app.problems.services import STEP_FILES
from app.uploads.services import attachments_of

bp = Blueprint("problems_api", __name__, url_prefix="/api/v1/issues")

# What a command answers, and how it can refuse (app/api.py STATUS_OF).
COMMAND_ANSWERS = {200: CommandResult, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
# The step in the URL -> the command it runs.
STEPS = {"comments": "issue.comment"}


class ProblemOut(BaseModel):
    """A problem as devices see it (problem_json), with what a list shows of it."""

    model_config = ConfigDict(extra="allow")

    id: int
    uuid: str
    building_id: int
    reporter: str
    category: str
    text: str
    location: str
    source: str
    status: str
    level: str | int
    reported_at: str
    feedback_due_at: str
    first_response_at: str | None
    deleted: bool
    overdue: bool
    last_activity_at: str
    photos: list[str]


class FeedOut(BaseModel):
    """A page of a building's problems; `older` is the next page's `before`, null on the last."""

    building_id: int
    problems: list[ProblemOut]
    older: str | None


class QueueOut(BaseModel):
    """Open problems in my scope."""

    problems: list[ProblemOut]


class OrderOut(BaseModel):
    """A work order sent to a department."""

    model_config = ConfigDict(extra="allow")

    id: int
    problem_id: int
    department: str
    status: str
    dispatched_at: str
    accepted_at: str | None
    done_at: str | None


class OrdersOut(BaseModel):
    """My department's work orders, each with its problem."""

    orders: list[OrderOut]


class ProblemDetailOut(BaseModel):
    """One problem with its timeline, work orders and files."""

    problem: ProblemOut


class FeedQuery(BaseModel):
    """GET /api/v1/issues."""

    building: int | None = Field(default=None, ge=0, le=2**31 - 1, description="Default: my first building.")
    before: str | None = Field(default=None, description="The `older` of the previous page.")


class QueueQuery(BaseModel):
    """GET /api/v1/issues/queue."""

    status: str = ""
    category: str = ""
    source: str = ""
    building: int | None = Field(default=None, ge=0, le=2**31 - 1)


class OrdersQuery(BaseModel):
    """GET /api/v1/issues/orders."""

    done: str | None = Field(default=None, description="1 to include finished orders.")


def _event_json(event: ProblemEvent) -> dict:
    return {"id": event.id, "kind": event.kind.value, "actor": event.actor.name if event.actor else None,
            "actor_role": event.actor_role, "text": event.text, "public": event.public,
            "mentions_reporter": event.mentions_reporter, "data": event.data, "at": event.at.isoformat()}


def _file_json(attachment) -> dict:
    return {"uuid": attachment.uuid, "kind": attachment.kind, "content_type": attachment.content_type}


def _order_json(order: Dispatch) -> dict:
    return {"id": order.id, "problem_id": order.problem_id, "department": order.department.name,
            "status": order.status.value, "dispatched_at": order.dispatched_at.isoformat(),
            "accepted_at": order.accepted_at.isoformat() if order.accepted_at else None,
            "done_at": order.done_at.isoformat() if order.done_at else None}


def _summary(problem: Problem, thumbs: dict, now) -> dict:
    return problem_json(problem) | {
        "overdue": problem.is_overdue(now), "last_activity_at": problem.last_activity_at.isoformat(),
        "photos": [a.uuid for a in thumbs.get(problem.id, []) if a.kind == "image"]}


def _body():
    """The JSON body of a step (none is an empty one)."""
    body = request.get_json(silent=True)
    return {} if body is None else body


@bp.get("")
@documented("A building's problems, newest activity first, 50 at a time.", {200: FeedOut, 400: ErrorOut, 403: ErrorOut,
            404: ErrorOut}, query=FeedQuery)
@login_required
def feed():
    """A building's problems, newest activity first, 50 at a time.

    ?building=<id> (default: my first building); ?before=<older> for the next page, as the last
    answer's `older` names it (null on the last page).
    """
    building_id = request.args.get("building", type=int)
    if building_id is None:
        from app.auth import scope

        building_id = db.session.scalar(scope.building_ids(current_user).order_by(Building.id).limit(1))
    building = db.session.get(Building, building_id) if building_id else None
    if building is None:
        raise ApiError("not_found", _("This building does not exist."), 404)
    require(current_user, "building.view", building)
    try:
        before = queries.feed_cursor(request.args.get("before"))
    except ValueError:
        raise ApiError("invalid", _("Some fields are not valid."), 400, {"before": _("Wrong format.")}) from None
    page = queries.building_feed_page(db.session, building.id, limit=queries.PAGE, before=before)
    problems = queries.problems_for(db.session, page.cards)
    thumbs = attachments_of(db.session, "problem", [p.id for p in problems])
    now = utcnow()
    return jsonify(building_id=building.id, problems=[_summary(p, thumbs, now) for p in problems],
                   older=queries.feed_link(page.older) if page.older else None)


@bp.get("/queue")
@documented("Open problems in my scope, overdue first (staff, heads).", {200: QueueOut, 403: ErrorOut}, query=QueueQuery)
@login_required
def queue():
    """Open problems in my scope, overdue first (?status=&category=&source=&building=)."""
    if db.session.scalar(handled_building_ids(current_user).limit(1)) is None:
        raise ApiError("forbidden", _("You do not have permission to do this."), 403)
    args, now = request.args, utcnow()
    problems = queries.queue(db.session, current_user, now=now, status=args.get("status", ""),
                             category=args.get("category", ""), source=args.get("source", ""),
                             building_id=args.get("building", type=int))
    thumbs = attachments_of(db.session, "problem", [p.id for p in problems])
    return jsonify(problems=[_summary(p, thumbs, now) for p in problems])


@bp.get("/orders")
@documented("Work orders dispatched to my department.", {200: OrdersOut, 403: ErrorOut}, query=OrdersQuery)
@login_required
def orders():
    """Work orders dispatched to my department."""
    if not current_user.has_role(Role.DEPARTMENT):
        raise ApiError("forbidden", _("You do not have permission to do this."), 403)
    found = queries.work_orders(db.session, current_user, include_done=request.args.get("done") == "1")
    return jsonify(orders=[_order_json(o) | {"problem": problem_json(o.problem)} for o in found])


@bp.get("/<int:problem_id>")
@documented("One problem with its timeline, work orders and files.", {200: ProblemDetailOut, 403: ErrorOut,
            404: ErrorOut})
@login_required
def show(problem_id: int):
    """One problem with its timeline (internal notes only for staff), work orders and files."""
    problem = db.session.scalar(select(Problem).where(Problem.id == problem_id).options(
        selectinload(Problem.events).selectinload(ProblemEvent.actor),
        selectinload(Problem.dispatches).selectinload(Dispatch.department), selectinload(Problem.household),
        selectinload(Problem.building)))
    if problem is None or problem.is_deleted:
        raise ApiError("not_found", _("This problem does not exist."), 404)
    require(current_user, "issue.view", problem)
    staff_view = can(current_user, "issue.note", problem)
    files = attachments_of(db.session, "problem", [problem.id])[problem.id]  # the report's own
    events = [e for e in problem.events if e.public or staff_view]
    step_files = attachments_of(db.session, STEP_FILES, [e.id for e in events])  # each step's own photos
    return jsonify(problem=_summary(problem, {problem.id: files}, utcnow()) | {
        "events": [_event_json(e) | {"files": [_file_json(a) for a in step_files[e.id]]} for e in events],
        "dispatches": [_order_json(d) for d in problem.dispatches],
        "files": [_file_json(a) for a in files],
        "rating": problem.rating, "thanked": problem.thanked})


@bp.post("")
@documented("Report a problem; a repeated `uuid` answers the problem already made (200).",
            {**COMMAND_ANSWERS, 201: CommandResult}, command="issue.report")
@login_required
def report():
    """Report a problem (body as the `issue.report` command's payload; optional "uuid" makes retries idempotent)."""
    body = request.get_json(silent=True)
    if isinstance(body, dict) and body.get("uuid"):
        existing = db.session.scalar(select(Problem).where(Problem.uuid == str(body["uuid"])))
        if existing is not None:
            if existing.entered_by_id != current_user.id:
                raise ApiError("duplicate_id", _("This item was already sent by someone else."), 409)
            return jsonify(problem_json(existing)), 200
    return run_command("issue.report", body, status=201)


@bp.post("/<int:problem_id>/<any(comments, escalate, dispatch, resolve, confirm, reopen, recategorise, merge):step>")
@documented("A step on one problem: comment, escalate, dispatch, resolve, confirm or reopen; at the desk, "
            "re-categorise it or merge it as a duplicate into another (`into`).", COMMAND_ANSWERS,
            command=lambda args: STEPS.get(args["step"], f"issue.{args['step']}"))
@login_required
def act(problem_id: int, step: str):
    """Comment or update, escalate, dispatch, resolve, confirm, reopen, re-categorise or merge one problem."""
    name = STEPS.get(step, f"issue.{step}")
    return run_command(name, _body(), problem_id=problem_id)


@bp.post("/assign")
@documented("Give problems (`problem_ids`) to a named colleague (`assignee_id`): the queue's bulk action.",
            COMMAND_ANSWERS, command="issue.assign")
@login_required
def assign():
    """Give one or more problems to a colleague at the desk."""
    return run_command("issue.assign", _body())


@bp.post("/mark-read")
@documented("Mark my inbox items about these problems (`problem_ids`) read: the queue's bulk action.",
            COMMAND_ANSWERS, command="issue.mark_read")
@login_required
def mark_read():
    """My inbox items about these problems are read."""
    return run_command("issue.mark_read", _body())


@bp.post("/orders/<int:order_id>/<any(accept, progress, done):step>")
@documented("A department accepts its work order, posts progress or finishes its part.", COMMAND_ANSWERS,
            command=lambda args: f"issue.{args['step']}")
@login_required
def work(order_id: int, step: str):
    """A department accepts its work order, posts progress (with photos) or finishes its part."""
    return run_command(f"issue.{step}", _body(), order_id=order_id)
