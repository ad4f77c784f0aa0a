"""The problem loop 诉求闭环: one function per rule, shared by pages, the JSON API and sync."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session

from app.auth import scope
from app.commands import Refused
from app.models import Building, Department, Household, Role, User
from app.notifications.models import InboxItem
from app.notifications.services import notify
from app.problems import notifications
from app.problems.models import (
    OPEN_STATUSES,
    Category,
    Dispatch,
    DispatchStatus,
    EventKind,
    Level,
    Problem,
    ProblemEvent,
    Source,
    Status,
)
from app.uploads.services import link_attachments

REOPEN_DAYS = 7
AUTO_CLOSE_DAYS = 7
# The uploads' subject of files added by a timeline step (a department's progress, a responder's update):
# attached to the step, not the problem, whose own files are the report's.
STEP_FILES = "problem_event"

def role_on(user: User, problem: Problem) -> str:
    """The role in which `user` acts on this problem, for the timeline."""
    for role in (Role.DEPARTMENT, Role.STREET, Role.STAFF, Role.BUILDING_HEAD, Role.ADMIN):
        if role == Role.DEPARTMENT:
            mine = {a.department_id for a in user.roles if a.role == Role.DEPARTMENT}
            if any(d.department_id in mine for d in problem.dispatches) or \
                    problem.building.property_department_id in mine:
                return role.value
        elif scope.covers_building(user, problem.building_id, (role,)):
            return role.value
    return Role.RESIDENT.value


def _event(problem: Problem, actor: User | None, kind: EventKind, *, now: datetime, text: str = "", public: bool = True,
           data: dict | None = None, mentions_reporter: bool = False) -> ProblemEvent:
    role = role_on(actor, problem) if actor else ""  # queries: before the new event is pending
    event = ProblemEvent(actor=actor, actor_role=role, kind=kind, text=text, public=public, data=data or {},
                         mentions_reporter=mentions_reporter, at=now)
    problem.events.append(event)
    problem.last_activity_at = now
    return event


def _notify(problem: Problem, event: ProblemEvent) -> None:
    """Tell the people concerned about the step, in the same transaction (app/problems/notifications.py).

    The reporters of duplicates merged into this problem follow it as its own reporter does (merge()).
    """
    notifications.on_timeline_step(problem, event)
    if event.public and event.kind.value in notifications.REPORTER_KINDS:
        _tell_followers(problem, event)


def _tell_followers(problem: Problem, event: ProblemEvent) -> None:
    """The reporters of the duplicates merged into `problem` hear of its public steps (not of their own)."""
    session = object_session(problem)
    followers = session.scalars(select(User).join(Problem, Problem.reporter_id == User.id).where(
        Problem.merged_into_id == problem.id, User.active.is_(True),
        User.id.not_in([i for i in (problem.reporter_id, event.actor_id) if i is not None] or [-1])).distinct()).all()
    notifications.tell_followers(problem, event, followers)


def report_problem(session: Session, entered_by: User, building: Building, *, category: Category, text: str,
                   now: datetime, uuid: str, household: Household | None = None, reporter: User | None = None,
                   location: str = "", source: Source = Source.APP, hotline_order_no: str = "",
                   attachments: list | None = None) -> Problem:
    """Record a problem; the feedback clock starts (community's hours, 12 by default)."""
    text = text.strip()
    if not text and not attachments:
        raise Refused(_("Say what the problem is, or add a photo or a voice note."), "invalid",
                      {"text": _("This field is required.")})
    if source == Source.HOTLINE and not hotline_order_no.strip():
        raise Refused(_("A 12345 work order needs its order number."), "invalid",
                      {"hotline_order_no": _("This field is required.")})
    if household is not None and household.building_id != building.id:
        raise Refused(_("This household is not in that building."), "invalid")
    hours = building.community.feedback_hours or 12
    problem = Problem(uuid=uuid, building=building, household=household, reporter=reporter or entered_by,
                      entered_by=entered_by, category=category, text=text, location=location.strip(), source=source,
                      hotline_order_no=hotline_order_no.strip(), status=Status.REPORTED, level=Level.BUILDING,
                      reported_at=now, feedback_due_at=now + timedelta(hours=hours), last_activity_at=now)
    session.add(problem)
    event = _event(problem, entered_by, EventKind.REPORTED, now=now, text=text)
    session.flush()
    if attachments:
        link_attachments(session, attachments, "problem", problem.id)
    _notify(problem, event)
    return problem


def _require_open(problem: Problem) -> None:
    if not problem.is_open:
        raise Refused(_("This problem is already resolved or closed."), "closed")


def respond(session: Session, actor: User, problem: Problem, text: str, *, now: datetime, public: bool = True,
            attachments: list | None = None) -> ProblemEvent:
    """A public update from a responsible person (the first one meets the deadline), or an internal note."""
    text = text.strip()
    if not text:
        raise Refused(_("Write what was done or what happens next."), "invalid", {"text": _("This field is required.")})
    _require_open(problem)
    mentions = (problem.reporter is not None and f"@{problem.reporter_label}" in text) or "@报告人" in text
    event = _event(problem, actor, EventKind.RESPONSE if public else EventKind.NOTE, now=now, text=text, public=public,
                   mentions_reporter=public and mentions)
    if public:
        if problem.first_response_at is None:
            problem.first_response_at = now
            problem.status = Status.ACKNOWLEDGED if problem.status == Status.REPORTED else problem.status
        elif problem.status in (Status.ACKNOWLEDGED, Status.REPORTED):
            problem.status = Status.IN_PROGRESS
    session.flush()
    if attachments:  # the step's own photos, shown with it (the report's stay at the top)
        link_attachments(session, attachments, STEP_FILES, event.id)
    _notify(problem, event)
    return event


def comment(session: Session, author: User, problem: Problem, text: str, *, now: datetime) -> ProblemEvent:
    """A comment from the reporter or a neighbour (does not count as a response)."""
    text = text.strip()
    if not text:
        raise Refused(_("Write something first."), "invalid", {"text": _("This field is required.")})
    event = _event(problem, author, EventKind.COMMENT, now=now, text=text)
    session.flush()
    _notify(problem, event)
    return event


def _level_of(actor: User, problem: Problem) -> int:
    """The level at which `actor` holds this problem (a building head 1, community staff 2, the street 3)."""
    role = role_on(actor, problem)
    return {Role.BUILDING_HEAD.value: Level.BUILDING, Role.STAFF.value: Level.COMMUNITY,
            Role.STREET.value: Level.STREET}.get(role, problem.level)


def escalate(session: Session, actor: User, problem: Problem, reason: str, *, now: datetime) -> ProblemEvent:
    """One-click escalation 一键上报: to the level above the one escalating (head → community → street)."""
    _require_open(problem)
    if problem.level >= Level.STREET:
        raise Refused(_("This problem is already with the street office."), "invalid")
    if not reason.strip():
        raise Refused(_("Say why it needs the next level."), "invalid", {"reason": _("This field is required.")})
    # Community staff escalating a problem still at building level send it straight to the street.
    problem.level = min(max(problem.level, _level_of(actor, problem)) + 1, Level.STREET)
    problem.status = Status.ESCALATED
    event = _event(problem, actor, EventKind.ESCALATED, now=now, text=reason.strip(), data={"level": problem.level})
    session.flush()
    _notify(problem, event)
    return event


def dispatch(session: Session, actor: User, problem: Problem, departments: list[Department], note: str, *,
             now: datetime) -> list[Dispatch]:
    """Blow the whistle 吹哨: send the problem to one or more departments at once."""
    _require_open(problem)
    already = {d.department_id for d in problem.dispatches}
    new = [d for d in departments if d.id not in already]
    if not new:
        raise Refused(_("Choose at least one department that has not been asked yet."), "invalid",
                      {"departments": _("This field is required.")})
    orders = [Dispatch(department=d, dispatched_by_id=actor.id, dispatched_at=now, status=DispatchStatus.DISPATCHED)
              for d in new]
    problem.dispatches.extend(orders)
    problem.status = Status.IN_PROGRESS
    event = _event(problem, actor, EventKind.DISPATCHED, now=now, text=note.strip(),
                   data={"departments": [d.name for d in new]})
    session.flush()
    _notify(problem, event)
    return orders


def accept(session: Session, actor: User, order: Dispatch, *, now: datetime) -> ProblemEvent:
    """The department reports for duty 报到."""
    _require_open(order.problem)
    if order.status != DispatchStatus.DISPATCHED:
        raise Refused(_("This work order was already accepted."), "invalid")
    order.status, order.accepted_at = DispatchStatus.ACCEPTED, now
    event = _event(order.problem, actor, EventKind.ACCEPTED, now=now, data={"department": order.department.name})
    if order.problem.first_response_at is None:
        order.problem.first_response_at = now
    session.flush()
    _notify(order.problem, event)
    return event


def dispatch_progress(session: Session, actor: User, order: Dispatch, text: str, *, now: datetime,
                      attachments: list | None = None) -> ProblemEvent:
    """A department posts progress on its work order, with photos; public, so it counts as a response."""
    _require_open(order.problem)
    if order.status == DispatchStatus.DONE:
        raise Refused(_("This work order is already done."), "invalid")
    text = text.strip()
    if not text:
        raise Refused(_("Write what was done or what happens next."), "invalid", {"text": _("This field is required.")})
    if order.status == DispatchStatus.DISPATCHED:  # progress means the department is on it
        order.status, order.accepted_at = DispatchStatus.ACCEPTED, now
    problem = order.problem
    event = _event(problem, actor, EventKind.DISPATCH_PROGRESS, now=now, text=text,
                   data={"department": order.department.name})
    problem.first_response_at = problem.first_response_at or now
    session.flush()
    if attachments:  # progress photos belong to this step: "after" stays apart from the report's "before"
        link_attachments(session, attachments, STEP_FILES, event.id)
    _notify(problem, event)
    return event


def complete(session: Session, actor: User, order: Dispatch, text: str, *, now: datetime) -> ProblemEvent:
    """The department's part is done; the problem is resolved when every part is."""
    _require_open(order.problem)
    if order.status == DispatchStatus.DONE:
        raise Refused(_("This work order is already done."), "invalid")
    order.status, order.done_at = DispatchStatus.DONE, now
    order.accepted_at = order.accepted_at or now
    problem = order.problem
    event = _event(problem, actor, EventKind.DISPATCH_DONE, now=now, text=text.strip(),
                   data={"department": order.department.name})
    if all(d.status == DispatchStatus.DONE for d in problem.dispatches):
        # The system's own step, not the account of whoever finished last (often the property company):
        # nobody decided it; the reporter is asked to confirm as after any resolution (docs/problems.md).
        _resolve(problem, None, now, _("Every department has finished its part."))
    session.flush()
    _notify(problem, event)
    return event


def _resolve(problem: Problem, actor: User | None, now: datetime, text: str) -> ProblemEvent:
    problem.status, problem.resolved_at = Status.RESOLVED, now
    problem.first_response_at = problem.first_response_at or now
    return _event(problem, actor, EventKind.RESOLVED, now=now, text=text)


def resolve(session: Session, actor: User, problem: Problem, text: str, *, now: datetime) -> ProblemEvent:
    """Mark the problem solved (the reporter is asked to confirm)."""
    _require_open(problem)
    if any(d.status != DispatchStatus.DONE for d in problem.dispatches):
        raise Refused(_("Some departments have not finished their part yet."), "invalid")
    if not text.strip():
        raise Refused(_("Say what was done."), "invalid", {"text": _("This field is required.")})
    event = _resolve(problem, actor, now, text.strip())
    session.flush()
    _notify(problem, event)
    return event


def confirm(session: Session, reporter: User, problem: Problem, rating: int, *, now: datetime, thanks: bool = False,
            text: str = "") -> ProblemEvent:
    """The reporter confirms it is fixed, rates 1–5 and may say thanks (点赞)."""
    if problem.status != Status.RESOLVED:
        raise Refused(_("Only a resolved problem can be confirmed."), "invalid")
    if rating not in range(1, 6):
        raise Refused(_("Choose 1 to 5 stars."), "invalid", {"rating": _("Choose 1 to 5 stars.")})
    problem.status, problem.confirmed_at, problem.rating, problem.thanked = Status.CONFIRMED, now, rating, thanks
    event = _event(problem, reporter, EventKind.CONFIRMED, now=now, text=text.strip(),
                   data={"rating": rating, "thanks": thanks})
    session.flush()
    _notify(problem, event)
    return event


def reopen(session: Session, reporter: User, problem: Problem, reason: str, *, now: datetime) -> ProblemEvent:
    """The reporter says it is not fixed, within 7 days of it being marked resolved."""
    if problem.status not in (Status.RESOLVED, Status.CONFIRMED) or problem.resolved_at is None:
        raise Refused(_("Only a resolved problem can be reopened."), "invalid")
    if now - problem.resolved_at > timedelta(days=REOPEN_DAYS):
        raise Refused(_("More than 7 days have passed: please report it again as a new problem."), "invalid")
    if not reason.strip():
        raise Refused(_("Say what is still wrong."), "invalid", {"reason": _("This field is required.")})
    problem.status, problem.resolved_at, problem.confirmed_at, problem.rating = Status.IN_PROGRESS, None, None, None
    problem.thanked = False
    event = _event(problem, reporter, EventKind.REOPENED, now=now, text=reason.strip())
    session.flush()
    _notify(problem, event)
    return event


def close_stale(session: Session, *, now: datetime) -> int:
    """Close problems resolved more than 7 days ago that nobody confirmed or reopened."""
    # SKIP LOCKED (PostgreSQL): a second run at the same moment leaves the first run's rows alone
    # instead of closing them again; SQLite runs one writer at a time anyway.
    stale = session.scalars(select(Problem).where(Problem.status == Status.RESOLVED,
                                                  Problem.resolved_at < now - timedelta(days=AUTO_CLOSE_DAYS))
                            .with_for_update(skip_locked=True)).all()
    events = []
    for problem in stale:
        problem.status, problem.closed_at = Status.CLOSED, now
        events.append(_event(problem, None, EventKind.CLOSED, now=now,
                             text=_("Closed automatically 7 days after it was resolved.")))
    session.flush()
    for problem, event in zip(stale, events, strict=True):
        _notify(problem, event)
    return len(stale)


def assign(session: Session, actor: User, problem: Problem, assignee: User, *, now: datetime) -> ProblemEvent:
    """Give the problem to a named colleague at the desk (community staff or the street of its building)."""
    _require_open(problem)
    if not scope.covers_building(assignee, problem.building_id, (Role.STAFF, Role.STREET, Role.ADMIN)) \
            or not assignee.active:
        raise Refused(_("%(name)s does not work on this building's problems.", name=assignee.name), "invalid",
                      {"assignee_id": _("Invalid value.")})
    if problem.assignee_id == assignee.id:
        raise Refused(_("It is already with %(name)s.", name=assignee.name), "invalid")
    problem.assignee = assignee
    event = _event(problem, actor, EventKind.ASSIGNED, now=now, public=False, data={"assignee": assignee.name})
    session.flush()
    if assignee.id != actor.id:
        with force_locale(assignee.locale):
            notify(session, [assignee], "issue.assigned", _("Assigned to you: %(text)s", text=problem.text[:40]),
                   f"{problem.building.full_name} · {problem.text}", f"/issues/{problem.id}", now=now)
    return event


def recategorise(session: Session, actor: User, problem: Problem, category: Category, *, now: datetime) -> ProblemEvent:
    """Put the problem in the category it really belongs to (the desk's correction of the reporter's choice)."""
    if problem.status == Status.CLOSED:
        raise Refused(_("This problem is already resolved or closed."), "closed")
    if problem.category == category:
        raise Refused(_("It is already in that category."), "invalid", {"category": _("Invalid value.")})
    old, problem.category = problem.category, category
    event = _event(problem, actor, EventKind.RECATEGORISED, now=now,
                   data={"old_category": old.value, "category": category.value})
    session.flush()
    return event


def merge(session: Session, actor: User, duplicate: Problem, keep: Problem, *, now: datetime) -> ProblemEvent:
    """Merge a duplicate into the problem that stays: the duplicate is closed and points there.

    Its reporter (and the reporters of problems merged into it before) follow the one that stays
    from then on: they hear of its public steps (_tell_followers).
    """
    if duplicate.id == keep.id:
        raise Refused(_("A problem cannot be merged into itself."), "invalid", {"into": _("Invalid value.")})
    _require_open(duplicate)
    if keep.merged_into_id is not None or keep.status == Status.CLOSED:
        raise Refused(_("Problem #%(id)s is closed: merge into an open one.", id=keep.id), "invalid",
                      {"into": _("Invalid value.")})
    duplicate.status, duplicate.closed_at, duplicate.merged_into_id = Status.CLOSED, now, keep.id
    session.execute(update(Problem).where(Problem.merged_into_id == duplicate.id).values(merged_into_id=keep.id))
    event = _event(duplicate, actor, EventKind.MERGED, now=now, data={"into": keep.id})
    _event(keep, actor, EventKind.MERGED_IN, now=now, text=duplicate.text, data={"from": duplicate.id})
    session.flush()
    _notify(duplicate, event)
    reporter = duplicate.reporter
    if reporter is not None and reporter.active and reporter.id != actor.id:
        notifications.on_merged(duplicate, keep, reporter, now=now)
    return event


def mark_read(session: Session, user: User, problem_ids: list[int], *, now: datetime) -> int:
    """Mark read the user's inbox items about these problems (the queue's bulk action); how many were unread."""
    urls = [f"/issues/{problem_id}" for problem_id in problem_ids]
    return session.execute(update(InboxItem).where(InboxItem.user_id == user.id, InboxItem.read_at.is_(None),
                                                   InboxItem.url.in_(urls)).values(read_at=now)).rowcount


def open_statuses() -> tuple[Status, ...]:
    """The statuses of problems still being handled."""
    return OPEN_STATUSES
