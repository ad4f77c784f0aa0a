"""The reads behind a report: the problems received in a period and scope, as light rows.

With them, their escalations, reopenings and work orders; figures.py computes every number from these.

Three statements whatever the period: the problems, their timeline steps that count (escalated,
reopened), their work orders. Rows are plain tuples (no ORM objects): a street's year is ~100,000.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import DateTime, select, type_coerce
from sqlalchemy.orm import Session

from app.clock import as_utc
from app.database import plain_rows
from app.models import Building, Community, Department, Role, Street, User
from app.problems.models import Dispatch, EventKind, Problem, ProblemEvent
from app.reports.periods import Period, ReportScope


@dataclass(frozen=True, slots=True)
class ProblemFacts:
    """What a report needs to know of one problem (times naive UTC, or None)."""

    id: int
    building_id: int
    community_id: int
    category: str
    source: str
    status: str
    reported_at: datetime
    feedback_due_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    confirmed_at: datetime | None
    closed_at: datetime | None
    rating: int | None


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """One work order (吹哨) of a problem received in the period."""

    problem_id: int
    department_id: int
    department: str
    dispatched_at: datetime
    accepted_at: datetime | None
    done_at: datetime | None


@dataclass
class Facts:
    """Everything a report counts, read at once."""

    problems: list[ProblemFacts]
    # problem id → the levels it was escalated to before the period ended, in order
    escalations: dict[int, list[int]]
    reopened: set[int]
    orders: list[OrderFacts]


def _received(scope: ReportScope, period: Period) -> list:
    """Conditions on Problem: received in the period in the scope (a department: dispatched to it)."""
    conditions = [Problem.reported_at >= period.start, Problem.reported_at < period.end, Problem.is_deleted.is_(False)]
    buildings = scope.building_ids()
    if buildings is not None:
        return [*conditions, Problem.building_id.in_(buildings)]
    return [*conditions, Problem.id.in_(select(Dispatch.problem_id).where(Dispatch.department_id == scope.id))]


def _naive(column):
    # Read as plain DateTime: naive UTC, without UTCDateTime's per-value conversion (600,000 values in a
    # street's year cost seconds); figures.py compares them with the period's naive UTC bounds.
    return type_coerce(column, DateTime)


def read_facts(session: Session, scope: ReportScope, period: Period) -> Facts:
    """The problems received in `period` in `scope`, with the steps and work orders before its end.

    Times are naive UTC. Three statements: the problems; the escalation and reopening steps of the
    period and the work orders dispatched in it (every step of a problem received in the period comes
    after its start), kept for the problems read — on 100,000 problems, selecting those by the problems'
    ids cost 0.8 s a statement on SQLite against 0.06 s for the period's steps read whole.
    """
    rows = plain_rows(session, select(
        Problem.id, Problem.building_id, Building.community_id, Problem.category, Problem.source, Problem.status,
        *(_naive(c) for c in (Problem.reported_at, Problem.feedback_due_at, Problem.first_response_at,
                              Problem.resolved_at, Problem.confirmed_at, Problem.closed_at)), Problem.rating,
    ).join(Building, Building.id == Problem.building_id).where(*_received(scope, period)).order_by(Problem.id))
    problems = [ProblemFacts(r[0], r[1], r[2], str(r[3]), str(r[4]), str(r[5]), *r[6:]) for r in rows]
    ids = {p.id for p in problems}
    escalations: dict[int, list[int]] = {}
    reopened: set[int] = set()
    steps = plain_rows(session, select(ProblemEvent.problem_id, ProblemEvent.kind, ProblemEvent.data).where(
        ProblemEvent.kind.in_([EventKind.ESCALATED, EventKind.REOPENED]),
        ProblemEvent.at >= period.start, ProblemEvent.at < period.end).order_by(ProblemEvent.id))
    for problem_id, kind, data in steps:
        if problem_id not in ids:
            continue
        if str(kind) == EventKind.REOPENED:
            reopened.add(problem_id)
        else:
            escalations.setdefault(problem_id, []).append(int((data or {}).get("level", 0)))
    orders_query = select(Dispatch.problem_id, Dispatch.department_id, Department.name, _naive(Dispatch.dispatched_at),
                          _naive(Dispatch.accepted_at), _naive(Dispatch.done_at)).join(Department).where(
        Dispatch.dispatched_at >= period.start, Dispatch.dispatched_at < period.end)
    if scope.kind == "department":  # a department sees only its own work orders
        orders_query = orders_query.where(Dispatch.department_id == scope.id)
    orders = [OrderFacts(*r) for r in plain_rows(session, orders_query.order_by(Department.name, Dispatch.id))
              if r[0] in ids]
    return Facts(problems, escalations, reopened, orders)


class ListedProblem(NamedTuple):
    """One line of the list behind a figure."""

    id: int
    building: str
    category: str
    source: str
    status: str
    reported_at: datetime


def problems_listed(session: Session, ids: list[int]) -> list[ListedProblem]:
    """The problems `ids` names, in that order, with what the list prints."""
    if not ids:
        return []
    rows = plain_rows(session, select(Problem.id, Community.name, Building.name, Problem.category, Problem.source,
                                      Problem.status, Problem.reported_at)
                      .join(Building, Building.id == Problem.building_id).join(Community)
                      .where(Problem.id.in_(ids)))
    found = {r[0]: ListedProblem(r[0], f"{r[1]} {r[2]}", str(r[3]), str(r[4]), str(r[5]), as_utc(r[6])) for r in rows}
    return [found[i] for i in ids if i in found]


def scope_choices(session: Session, user: User) -> list[tuple[str, str]]:
    """(key, name) of the scopes the person's roles read, widest first: for the scope picker."""
    choices: list[tuple[str, str]] = []
    for a in user.roles:
        if a.role == Role.ADMIN:
            streets = select(Street.id)
        elif a.role == Role.STREET and a.street_id:
            streets = select(Street.id).where(Street.id == a.street_id)
        elif a.role == Role.STAFF and a.community_id:
            choices += [(f"community:{a.community_id}", a.community.name)]
            choices += [(f"building:{i}", name) for i, name in session.execute(
                select(Building.id, Building.name).where(Building.community_id == a.community_id).order_by(Building.id))]
            continue
        elif a.role == Role.DEPARTMENT and a.department_id:
            choices.append((f"department:{a.department_id}", a.department.name))
            continue
        else:
            continue
        for i, name in session.execute(select(Street.id, Street.name).where(Street.id.in_(streets)).order_by(Street.id)):
            choices.append((f"street:{i}", name))
            choices += [(f"community:{c}", f"· {n}") for c, n in session.execute(
                select(Community.id, Community.name).where(Community.street_id == i).order_by(Community.id))]
        choices += [(f"department:{d}", n) for d, n in session.execute(
            select(Department.id, Department.name).where(Department.street_id.in_(streets)).order_by(Department.name))]
    return list(dict.fromkeys(choices))


def units(session: Session, scope: ReportScope) -> tuple[str, list[tuple[int, str]]]:
    """What the scope's ranking ranks, and its units in order: a street's communities, a community's buildings."""
    if scope.kind == "street":
        return "community", list(session.execute(select(Community.id, Community.name)
                                                 .where(Community.street_id == scope.id).order_by(Community.id)))
    if scope.kind == "community":
        return "building", list(session.execute(select(Building.id, Building.name)
                                                .where(Building.community_id == scope.id).order_by(Building.id)))
    return "", []


def recent_problems(session: Session, scope: ReportScope, start: datetime, end: datetime) -> list[tuple[int, int, str]]:
    """(id, building id, category) of the problems reported in [start, end) in the scope's buildings (hotspots)."""
    buildings = scope.building_ids()
    if buildings is None:
        return []
    rows = plain_rows(session, select(Problem.id, Problem.building_id, Problem.category).where(
        Problem.reported_at >= start, Problem.reported_at < end, Problem.is_deleted.is_(False),
        Problem.building_id.in_(buildings)).order_by(Problem.id))
    return [(r[0], r[1], str(r[2])) for r in rows]


def building_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Community and building name of each building of `ids`."""
    if not ids:
        return {}
    return {i: f"{c} {b}" for i, c, b in session.execute(
        select(Building.id, Community.name, Building.name).join(Community).where(Building.id.in_(ids)))}
