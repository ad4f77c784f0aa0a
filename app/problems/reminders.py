"""Deadline reminders 反馈时限提醒 and closing stale problems: the problem loop's periodic job.

`flask --app wsgi issues remind --every 60` (started beside the web server by `make run`,
app/serve.py) calls run() once a minute. The owners of a problem that still has no public
response hear about it 3 hours before its feedback deadline (9 h into the default 12 h) and again
once it has passed — each reminder once per problem, even when two runs overlap (the marker is
app.notifications.models.SentOnce). Resolved problems nobody confirmed for 7 days are closed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.auth import scope
from app.models import Building, Role, RoleAssignment, User
from app.notifications.services import claim_once, was_sent
from app.problems.models import OPEN_STATUSES, Level, Problem
from app.problems.notifications import remind_owners
from app.problems.services import close_stale

REMIND_BEFORE = timedelta(hours=3)
# A problem overdue for longer is on every overdue list already; the first run after an upgrade
# or an outage must not flood people with reminders about last month.
OVERDUE_HORIZON = timedelta(days=3)
BATCH = 500  # per kind and run; the rest come a minute later
SOON, OVERDUE = "issue.deadline.soon", "issue.deadline.overdue"

# Who holds a problem at each level (the levels of app.problems.queries.queue).
LEVEL_ROLES = {Level.BUILDING: Role.BUILDING_HEAD, Level.COMMUNITY: Role.STAFF, Level.STREET: Role.STREET}


@dataclass
class Tick:
    """What one run did."""

    reminded_soon: int = 0
    reminded_overdue: int = 0
    closed: int = 0

    def __str__(self) -> str:
        return (f"reminded {self.reminded_soon} due soon, {self.reminded_overdue} overdue; "
                f"closed {self.closed} problem(s)")


def remind_at(problem: Problem) -> datetime:
    """When the owners are told the deadline is near: 3 h before it (a quarter of a window shorter than 12 h)."""
    window = problem.feedback_due_at - problem.reported_at
    return problem.feedback_due_at - min(REMIND_BEFORE, window / 4)


def _holders(session: Session, building: Building, role: Role) -> list[User]:
    # The query only narrows the candidates; scope.covers_building — the rule behind every queue —
    # has the last word, so "who is reminded" cannot drift from "whose queue shows the problem".
    near = {Role.BUILDING_HEAD: RoleAssignment.building_id == building.id,
            Role.STAFF: RoleAssignment.community_id == building.community_id,
            Role.STREET: RoleAssignment.street_id == building.community.street_id}[role]
    candidates = session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == role, near, User.active.is_(True)).distinct().order_by(User.id)).all()
    return [u for u in candidates if scope.covers_building(u, building.id, (role,))]


def owners(session: Session, problem: Problem) -> list[User]:
    """The people responsible at the problem's level: its building's heads, its community's staff, or its street.

    A level with nobody assigned (a building without a head) passes the reminder to the level above.
    """
    for level in (lv for lv in Level if lv >= problem.level):
        people = _holders(session, problem.building, LEVEL_ROLES[level])
        if people:
            return people
    return []


def _unanswered():
    return select(Problem).where(Problem.first_response_at.is_(None), Problem.status.in_(OPEN_STATUSES),
                                 Problem.is_deleted.is_(False))


def due_soon(session: Session, *, now: datetime) -> list[Problem]:
    """Unanswered problems whose reminder time has come and whose deadline has not passed, not yet reminded."""
    rows = session.scalars(
        _unanswered().where(Problem.feedback_due_at > now, Problem.feedback_due_at <= now + REMIND_BEFORE,
                            ~was_sent(SOON, Problem.id).exists())
        .options(selectinload(Problem.building)).order_by(Problem.feedback_due_at).limit(BATCH)).all()
    return [p for p in rows if remind_at(p) <= now]


def overdue(session: Session, *, now: datetime) -> list[Problem]:
    """Unanswered problems past their deadline (within the last 3 days), not yet reminded."""
    return list(session.scalars(
        _unanswered().where(Problem.feedback_due_at < now, Problem.feedback_due_at >= now - OVERDUE_HORIZON,
                            ~was_sent(OVERDUE, Problem.id).exists())
        .options(selectinload(Problem.building)).order_by(Problem.feedback_due_at).limit(BATCH)))


def remind(session: Session, problem: Problem, key: str, *, now: datetime) -> bool:
    """Send the reminder `key` (SOON or OVERDUE) about `problem` to its owners; False if it was already sent."""
    if not claim_once(session, key, problem.id, now=now):
        return False
    remind_owners(session, problem, owners(session, problem), overdue=key == OVERDUE, now=now)
    return True


def run(session: Session, *, now: datetime) -> Tick:
    """One run of the job: reminders due now, then closing resolved problems unconfirmed for 7 days (flush only)."""
    tick = Tick()
    tick.reminded_soon = sum(remind(session, p, SOON, now=now) for p in due_soon(session, now=now))
    tick.reminded_overdue = sum(remind(session, p, OVERDUE, now=now) for p in overdue(session, now=now))
    tick.closed = close_stale(session, now=now)
    return tick
