"""The reads behind a report: the problems received in a period and scope, counted in SQL.

figures.py computes every number from these. A problem's figures depend on a few facts at the
period's end (its unit, category, source, status at the end, answered on time or late, resolved on
time or late, confirmed and rated): SQL works them out per problem and counts the problems sharing
each combination (a signature), so a street's year is a few hundred grouped rows, not ~100,000
problems converted in Python. The ids behind a figure are read only when its list is opened, by the
same expressions, so a figure and its list agree. Beside them: the escalation and reopening steps,
the work orders, and the hours to answer and to resolve (a median needs every value).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import BigInteger, DateTime, Interval, String, and_, case, cast, exists, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.clock import as_utc
from app.database import plain_rows
from app.models import Building, Community, Department, Role, Street, User
from app.problems.models import OPEN_STATUSES, Dispatch, EventKind, Problem, ProblemEvent, Status
from app.reports.periods import Period, ReportScope


class Signature(NamedTuple):
    """What decides the figures a problem counts under, as it stood at the period's end (figures.DEFINITIONS)."""

    community_id: int
    building_id: int
    category: str
    source: str
    status: str  # its status at the end
    answered: str  # on_time, late, none (no first answer before the end)
    resolved: str  # on_time, late, open (not resolved before the end)
    rating: str  # satisfied, rated, or "" (not confirmed and rated before the end)


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
    """Everything a report counts, read at once (times naive UTC)."""

    groups: list[tuple[Signature, int]]  # each signature, and how many problems have it
    # problem id → the levels it was escalated to before the period ended, in order
    escalations: dict[int, list[int]] = field(default_factory=dict)
    reopened: set[int] = field(default_factory=set)
    orders: list[OrderFacts] = field(default_factory=list)
    answer_hours: list[float] = field(default_factory=list)  # report → first answer, of those answered by the end
    resolve_hours: list[float] = field(default_factory=list)  # report → resolved, of those resolved by the end
    # (id, signature) of every problem counted, in id order: read only when a figure's list is opened
    signed: Callable[[], Iterable[tuple[int, Signature]]] = lambda: ()


def _received(scope: ReportScope, period: Period) -> list:
    """Conditions on Problem: received in the period in the scope (a department: dispatched to it)."""
    conditions = [Problem.reported_at >= period.start, Problem.reported_at < period.end, Problem.is_deleted.is_(False)]
    buildings = scope.building_ids()
    if buildings is not None:
        return [*conditions, Problem.building_id.in_(buildings)]
    return [*conditions, Problem.id.in_(select(Dispatch.problem_id).where(Dispatch.department_id == scope.id))]


def _of_received(problem_id, received: list) -> ColumnElement[bool]:
    """Whether the step's or work order's problem is one of those received.

    EXISTS, so that SQLite looks at the period's few steps first rather than at every step of the
    ~100,000 problems joined (0.9 s of a street's year).
    """
    return exists().where(Problem.id == problem_id, *received)


def _naive(column):
    # Read as plain DateTime: naive UTC, without UTCDateTime's per-value conversion (200,000 values in a
    # street's year cost a second); figures.py compares them with the period's naive UTC bounds.
    return type_coerce(column, DateTime)


def _within(session: Session, later, earlier, limit: timedelta) -> ColumnElement[bool]:
    """Whether later − earlier ≤ limit, to the microsecond on both databases (limit in whole seconds)."""
    if session.get_bind().dialect.name != "sqlite":
        return later <= type_coerce(earlier, DateTime) + literal(limit, Interval)
    # SQLite keeps naive UTC as text 'YYYY-MM-DD HH:MM:SS.ffffff', which compares in time order;
    # strftime shifts the whole seconds and drops the fraction, which the shift leaves as it was.
    shifted = func.strftime("%Y-%m-%d %H:%M:%S", earlier, f"+{int(limit.total_seconds())} seconds").concat(
        func.substr(earlier, 20))
    return type_coerce(later, String) <= shifted


def _microseconds(session: Session, later, earlier) -> ColumnElement[int]:
    """Later − earlier in whole microseconds, exactly, computed in SQL (no datetime built per row)."""
    if session.get_bind().dialect.name != "sqlite":
        return cast(func.extract("epoch", later - earlier) * 1_000_000, BigInteger)
    # 'YYYY-MM-DD HH:MM:SS.ffffff': whole seconds by strftime (given no fraction, which it would round), then the µs.
    def seconds(t):
        return cast(func.strftime("%s", func.substr(t, 1, 19)), BigInteger)

    def fraction(t):
        return cast(func.coalesce(func.nullif(func.substr(t, 21), ""), "0"), BigInteger)

    return (seconds(later) - seconds(earlier)) * 1_000_000 + fraction(later) - fraction(earlier)


def _signature(session: Session, end: datetime, done_within: timedelta, satisfied_from: int) -> list:
    """The columns of Signature, as SQL expressions of a problem at `end` (figures.DEFINITIONS)."""
    done = func.coalesce(Problem.resolved_at, Problem.closed_at)
    status = case((Problem.closed_at < end, Status.CLOSED.value), (Problem.confirmed_at < end, Status.CONFIRMED.value),
                  (done < end, Status.RESOLVED.value),
                  (Problem.status.in_(OPEN_STATUSES), cast(Problem.status, String)),
                  (Problem.first_response_at < end, Status.ACKNOWLEDGED.value), else_=Status.REPORTED.value)
    answered = case((Problem.first_response_at < end, case(
        (Problem.first_response_at <= Problem.feedback_due_at, "on_time"), else_="late")), else_="none")
    resolved = case((done < end, case((_within(session, done, Problem.reported_at, done_within), "on_time"),
                                      else_="late")), else_="open")
    rating = case((and_(Problem.rating.is_not(None), Problem.confirmed_at < end),
                   case((Problem.rating >= satisfied_from, "satisfied"), else_="rated")), else_="")
    return [Building.community_id, Problem.building_id, cast(Problem.category, String), cast(Problem.source, String),
            status, answered, resolved, rating]


def read_groups(session: Session, scope: ReportScope, period: Period, done_within: timedelta,
                satisfied_from: int) -> list[tuple[Signature, int]]:
    """Each signature of the problems received in `period` in `scope`, with how many have it."""
    columns = _signature(session, period.end, done_within, satisfied_from)
    rows = plain_rows(session, select(*columns, func.count()).join(Building, Building.id == Problem.building_id)
                      .where(*_received(scope, period)).group_by(*columns))
    return [(Signature(*r[:-1]), r[-1]) for r in rows]


def read_facts(session: Session, scope: ReportScope, period: Period, done_within: timedelta,
               satisfied_from: int) -> Facts:
    """The problems received in `period` in `scope` counted by signature, with their steps, work orders and times.

    Times are naive UTC; the steps and work orders are those before the period's end of the problems received.
    """
    received = _received(scope, period)
    facts = Facts(read_groups(session, scope, period, done_within, satisfied_from))
    steps = plain_rows(session, select(ProblemEvent.problem_id, ProblemEvent.kind, ProblemEvent.data).where(
        ProblemEvent.kind.in_([EventKind.ESCALATED, EventKind.REOPENED]),
        ProblemEvent.at >= period.start, ProblemEvent.at < period.end,
        _of_received(ProblemEvent.problem_id, received)).order_by(ProblemEvent.id))
    for problem_id, kind, data in steps:
        if str(kind) == EventKind.REOPENED:
            facts.reopened.add(problem_id)
        else:
            facts.escalations.setdefault(problem_id, []).append(int((data or {}).get("level", 0)))
    orders_query = select(Dispatch.problem_id, Dispatch.department_id, Department.name, _naive(Dispatch.dispatched_at),
                          _naive(Dispatch.accepted_at), _naive(Dispatch.done_at)).join(Department).where(
        Dispatch.dispatched_at >= period.start, Dispatch.dispatched_at < period.end,
        _of_received(Dispatch.problem_id, received))
    if scope.kind == "department":  # a department sees only its own work orders
        orders_query = orders_query.where(Dispatch.department_id == scope.id)
    facts.orders = [OrderFacts(*r) for r in plain_rows(session, orders_query.order_by(Department.name, Dispatch.id))]
    end = period.end
    done = func.coalesce(Problem.resolved_at, Problem.closed_at)
    times = plain_rows(session, select(
        case((Problem.first_response_at < end, _microseconds(session, Problem.first_response_at, Problem.reported_at))),
        case((done < end, _microseconds(session, done, Problem.reported_at)))).where(
        *received, or_(Problem.first_response_at < end, done < end))).all()
    # As timedelta.total_seconds() / 3600 would give: µs / 10**6 is that division, correctly rounded.
    facts.answer_hours = [a / 10**6 / 3600 for a, _d in times if a is not None]
    facts.resolve_hours = [d / 10**6 / 3600 for _a, d in times if d is not None]

    def signed() -> list[tuple[int, Signature]]:
        columns = _signature(session, end, done_within, satisfied_from)
        rows = plain_rows(session, select(Problem.id, *columns).join(Building, Building.id == Problem.building_id)
                          .where(*received).order_by(Problem.id))
        return [(r[0], Signature(*r[1:])) for r in rows]

    facts.signed = signed
    return facts


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
