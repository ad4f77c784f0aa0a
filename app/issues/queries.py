"""Reads for the problem pages: the building feed, the staff queue, a department's work orders."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, case, or_, select
from sqlalchemy.orm import Session, selectinload

from app.auth import scope
from app.issues.models import OPEN_STATUSES, Dispatch, DispatchStatus, Problem, Status
from app.models import Building, Community, Role, User

PAGE = 50


def building_feed(session: Session, building_id: int, *, limit: int = PAGE) -> list[Problem]:
    """The building's problems, newest activity first (walks ix_problem_building_activity, stops at `limit`).

    Their building is the one the caller loaded: `problem.building` comes from the session, no query.
    """
    return list(session.scalars(
        select(Problem).where(Problem.building_id == building_id, Problem.is_deleted.is_(False))
        .options(selectinload(Problem.household))
        .order_by(Problem.last_activity_at.desc()).limit(limit)))


def queue(session: Session, user: User, *, now: datetime, status: str = "", category: str = "", source: str = "",
          building_id: int | None = None, limit: int = PAGE) -> list[Problem]:
    """Open problems in my scope: overdue first, then those escalated to my level, then by deadline.

    Three short queries instead of one sort over every open problem of a street. Each picks its
    page of ids from ix_problem_status_due alone (status, deadline, answered, building, deleted:
    thousands of open problems sorted without reading their rows), then reads those 50 rows.
    SQLite plans this well without statistics, as the app runs it; after an ANALYZE it chose to walk
    every problem by deadline (~200 ms on 100,000): check the plan before adding `PRAGMA optimize`.
    """
    base = select(Problem.id).where(Problem.building_id.in_(scope.managed_building_ids(user)),
                                    Problem.is_deleted.is_(False))
    base = base.where(Problem.status == status) if status else base.where(Problem.status.in_(OPEN_STATUSES))
    if category:
        base = base.where(Problem.category == category)
    if source:
        base = base.where(Problem.source == source)
    if building_id:
        base = base.where(Problem.building_id == building_id)
    my_level = max((3 if a.role in (Role.STREET, Role.ADMIN) else 2 if a.role == Role.STAFF else 1) for a in user.roles)
    tiers = [
        (base.where(Problem.first_response_at.is_(None), Problem.feedback_due_at < now), Problem.feedback_due_at),
        (base.where(Problem.level == my_level, Problem.status == Status.ESCALATED), Problem.last_activity_at.desc()),
        (base, Problem.feedback_due_at),
    ]
    found: dict[int, Problem] = {}
    # What the cards show comes with each tier (two IN queries); usually the first tier fills the page.
    cards = (selectinload(Problem.household), selectinload(Problem.building))
    for ids, order in tiers:
        page = select(Problem).where(Problem.id.in_(ids.order_by(order).limit(limit))).order_by(order).options(*cards)
        for problem in session.scalars(page):
            found.setdefault(problem.id, problem)
        if len(found) >= limit:
            break
    return list(found.values())[:limit]


def building_choices(session: Session, ids: Select) -> list[tuple[int, str]]:
    """(id, "community building") of the buildings `ids` selects, for a filter list: plain rows, not objects."""
    rows = session.execute(select(Building.id, Community.name, Building.name).join(Community)
                           .where(Building.id.in_(ids)).order_by(Building.id))
    return [(building_id, f"{community} {name}") for building_id, community, name in rows]


def work_orders(session: Session, user: User, *, include_done: bool = False) -> list[Dispatch]:
    """Work orders dispatched to my departments, open ones first."""
    departments = [a.department_id for a in user.roles if a.role == Role.DEPARTMENT and a.department_id]
    query = (select(Dispatch).where(Dispatch.department_id.in_(departments or [-1]))
             .options(selectinload(Dispatch.problem).selectinload(Problem.building), selectinload(Dispatch.department)))
    if not include_done:
        query = query.where(or_(Dispatch.status != DispatchStatus.DONE))
    return list(session.scalars(query.order_by(Dispatch.dispatched_at.desc()).limit(PAGE)))


def property_problems(session: Session, user: User, *, now: datetime, limit: int = PAGE) -> list[Problem]:
    """Open problems in the buildings my property company looks after (S10), overdue first."""
    departments = [a.department_id for a in user.roles if a.role == Role.DEPARTMENT and a.department_id]
    overdue = case((Problem.first_response_at.is_(None) & (Problem.feedback_due_at < now), 0), else_=1)
    return list(session.scalars(
        select(Problem).where(Problem.building_id.in_(select(Building.id).where(
            Building.property_department_id.in_(departments or [-1]))), Problem.status.in_(OPEN_STATUSES),
            Problem.is_deleted.is_(False))
        .options(selectinload(Problem.household), selectinload(Problem.building))
        .order_by(overdue, Problem.feedback_due_at).limit(limit)))
