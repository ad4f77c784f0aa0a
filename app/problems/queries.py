"""Reads for the problem pages: the building feed, a problem, the staff queue, a department's work orders.

Each page calls its function by name (feed_page, problem_page, queue_page) and gets what it prints;
how it is read stays here: statements built once per combination of the asker's roles, light rows
instead of objects where a list only needs versions, and the asker's reach read beside the building
or problem, so the permission checks that follow need no query (app/auth/queries.py). The desk's
page (counts per tier, kept between requests under its buildings' version) is in desk.py.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import ColumnElement, Integer, Select, bindparam, case, false, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from app.auth import scope
from app.auth.queries import reach, reach_columns, reach_condition, reached, remember_reach
from app.database import json_datetime, json_rows, kept_as_filter, plain_rows, rows_of
from app.models import Building, Community, Department, Household, Role, RoleAssignment, User
from app.problems.models import OPEN_STATUSES, Dispatch, DispatchStatus, Problem, ProblemEvent, Status
from app.problems.permissions import OFFICE

PAGE = 50


class Card(NamedTuple):
    """One card of a list, as a light row: which problem, and the versions of what its card prints."""

    id: int
    change_seq: int
    updated_at: datetime
    household_seq: int | None
    building_name: str


# What decides a card's HTML besides the clock (app/problems/fragments.py keys the rendered list by these).
# updated_at beside the change number: a database emptied and filled again (tests, a restore) hands
# out the same ids and numbers again, but not the same moments.
CARD_COLUMNS = (Problem.id, Problem.change_seq, Problem.updated_at, Household.change_seq, Building.name)


def _cards(query: Select) -> Select:
    return query.join(Building, Building.id == Problem.building_id).outerjoin(
        Household, Household.id == Problem.household_id)


@cache
def departments_version() -> tuple[ColumnElement, ColumnElement]:
    """How many departments there are and when one last changed, as two scalar subqueries.

    Read beside the problem on its page (problem_page): the dispatch form's list is kept under
    them (departments()), so the list itself is read only when a department was added, renamed or removed.
    """
    return (select(func.count()).select_from(Department).scalar_subquery().label("departments"),
            select(func.max(Department.updated_at)).scalar_subquery().label("departments_changed"))


# The last list of departments read, under the version it was read at (one per worker process).
_departments_seen: tuple[tuple | None, list[tuple[int, str]]] = (None, [])


def forget_departments() -> None:
    """Read the departments afresh next time (tests: an emptied database hands out the same versions again)."""
    global _departments_seen
    _departments_seen = (None, [])


def departments(session: Session, version: tuple | None = None) -> list[tuple[int, str]]:
    """Every department and property company, as the dispatch form lists them.

    With `version` (what problem_page read beside the problem), the list read at that version
    is given again without a query.
    """
    global _departments_seen
    seen_at, seen = _departments_seen
    if version is not None and version == seen_at:
        return seen
    found = [tuple(row) for row in plain_rows(session, select(Department.id, Department.name)
                                              .order_by(Department.kind, Department.name))]
    if version is not None:
        _departments_seen = (version, found)
    return found


TIMELINE = (selectinload(Problem.events).selectinload(ProblemEvent.actor).lazyload(User.roles),
            selectinload(Problem.dispatches).selectinload(Dispatch.department))


class ProblemPage(NamedTuple):
    """A problem as its page reads it, the departments' version (its dispatch form) and the desk's colleagues."""

    problem: Problem
    departments_version: tuple
    colleagues: list[tuple[int, str]]


@cache
def _problem_page(shape: tuple[Role, ...]) -> Select:
    # One row: the problem, its household, building and community, joined, and beside them which of the
    # asker's roles (of `shape`) reach the building and the departments' version. Of the household,
    # building and community only what the page prints and its rules ask (a household's phone, members
    # and notes stay unread): 27 columns fewer to decode on every view. Events and dispatches load when
    # used (the record is usually kept rendered). Built once per combination of roles.
    options = (joinedload(Problem.household).load_only(Household.id, Household.building_id, Household.unit,
                                                       Household.room, Household.change_seq),
               contains_eager(Problem.building).load_only(Building.id, Building.community_id, Building.name,
                                                          Building.property_department_id)
               .joinedload(Building.community).load_only(Community.id, Community.street_id, Community.name,
                                                         Community.disabled_categories))
    colleagues = (colleague_rows(shape),) if any(role in OFFICE for role in shape) else ()
    return (select(Problem, *reach_columns(shape), *departments_version(), *colleagues).join(Problem.building)
            .where(Problem.id == bindparam("problem_id")).options(*options))


def problem_page(session: Session, viewer: User, problem_id: int) -> ProblemPage | None:
    """The problem as its page shows it, in one statement; None when there is none (or it was deleted).

    The same statement reads which of the viewer's roles reach its building (the page's permission
    checks then need no query) and the departments' version (departments()).
    """
    shape, params = reach(viewer)
    row = session.execute(_problem_page(shape), {**params, "problem_id": problem_id}).unique().first()
    if row is None or row[0].is_deleted:
        return None
    problem = row[0]
    remember_reach(session, viewer, problem.building_id, shape, row[1:1 + len(shape)])
    versions = row[1 + len(shape):3 + len(shape)]
    colleagues = colleague_list(row[3 + len(shape)]) if len(row) > 3 + len(shape) else []
    return ProblemPage(problem, tuple(versions), colleagues)


def load_timeline(session: Session, problem: Problem) -> Problem:
    """The problem's events (with their actors) and dispatches (with their departments), in two IN queries.

    populate_existing: a permission rule may have loaded the dispatches already, without their departments.
    """
    return session.scalars(select(Problem).where(Problem.id == problem.id).options(*TIMELINE)
                           .execution_options(populate_existing=True)).one()


FEED_PAGE = 20  # the building page: a phone screen or two of cards; older ones are a link away


class FeedPage(NamedTuple):
    """One page of a building's feed, and where the next (older) page starts when there is one."""

    cards: list[Card]
    older: tuple[datetime, int] | None  # the last card's (last activity, id)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"(\d{1,16})-(\d{1,12})")  # 16 digits of µs: up to the year 2286


def feed_link(older: tuple[datetime, int]) -> str:
    """How a link names where the next page starts (`?before=`).

    The last card's last activity, in µs since 1970, and its id: exact to the row, so no problem is
    skipped or shown twice.
    """
    at, problem_id = older
    return f"{(at - _EPOCH) // timedelta(microseconds=1)}-{problem_id}"


def feed_cursor(value: str | None) -> tuple[datetime, int] | None:
    """The (last activity, id) a feed_link() names; None for the first page, ValueError if it is none."""
    if value is None:
        return None
    found = _CURSOR.fullmatch(value)
    if found is None:
        raise ValueError(value)
    return _EPOCH + timedelta(microseconds=int(found.group(1))), int(found.group(2))


@cache
def _feed_cards(older: bool) -> Select:
    # Built once per form: constructing the statement and its cache key each request cost more than running it.
    query = _cards(select(*CARD_COLUMNS, Problem.last_activity_at)).where(
        Problem.building_id == bindparam("building_id"), Problem.is_deleted.is_(False))
    if older:
        at = bindparam("at", type_=Problem.last_activity_at.type)
        # The first condition lets the index walk start at the cursor; the second breaks ties by id.
        query = query.where(Problem.last_activity_at <= at,
                            or_(Problem.last_activity_at < at, Problem.id < bindparam("before_id", type_=Integer)))
    # The limit is written into the SQL when it runs (literal_execute), not bound: with LIMIT $n PostgreSQL
    # planned the query again on every execution (its generic plan, blind to the limit, looked worse than
    # any custom one), which cost three times what running it does. bench/issues.py lists re-planned statements.
    return query.order_by(Problem.last_activity_at.desc(), Problem.id.desc()).limit(
        bindparam("limit", type_=Integer, literal_execute=True))


def _feed_of(rows: list, limit: int) -> FeedPage:
    """The page of up to `limit` cards among `rows` (one more says whether an older page exists), newest first."""
    older = (rows[limit - 1][-1], rows[limit - 1][0]) if len(rows) > limit else None
    return FeedPage([Card(*row[:-1]) for row in rows[:limit]], older)


def _feed_params(building_id: int, limit: int, before: tuple[datetime, int] | None) -> dict:
    params = {"building_id": building_id, "limit": limit + 1}
    if before is not None:
        params.update(at=before[0], before_id=before[1])
    return params


def building_feed_page(session: Session, building_id: int, *, limit: int = FEED_PAGE,
                       before: tuple[datetime, int] | None = None) -> FeedPage:
    """The building's problems, newest activity first, as light rows: `limit` of them, older than `before`.

    Walks ix_problem_building_activity and stops after `limit` + 1 rows (the one more says whether
    an older page exists), so any page costs the same whatever the building's history.
    """
    rows = plain_rows(session, _feed_cards(before is not None), _feed_params(building_id, limit, before)).all()
    return _feed_of(rows, limit)


class BuildingFeed(NamedTuple):
    """The building page: the building (with its community) and one page of its feed."""

    building: Building
    cards: list[Card]
    older: tuple[datetime, int] | None


@cache
def _feed_page(shape: tuple[Role, ...], older: bool) -> Select:
    # The building with its community, which of the asker's roles (of `shape`) reach it, and its page of
    # cards as one JSON column (json_rows): the building page in one statement. Built once per shape.
    return (select(Building, *reach_columns(shape), json_rows(_feed_cards(older)))
            .where(Building.id == bindparam("building_id")).options(joinedload(Building.community)))


def json_card(row: list) -> tuple:
    """A card's row as json_rows() read it, followed by the time it is ordered by: its times as columns give them."""
    problem_id, change_seq, updated_at, household_seq, building_name, ordered_by = row
    return problem_id, change_seq, json_datetime(updated_at), household_seq, building_name, json_datetime(ordered_by)


def feed_page(session: Session, viewer: User, building_id: int, *,
              before: tuple[datetime, int] | None = None) -> BuildingFeed | None:
    """The building page for `viewer`: the building, read with the viewer's reach, and a page of its feed.

    None when there is no such building. One statement whatever the building's history: the same
    walk as building_feed_page(), read beside the building. With the reach read there too, the
    permission check that follows needs no query (app/auth/queries.py, remember_reach).
    """
    shape, params = reach(viewer)
    row = session.execute(_feed_page(shape, before is not None),
                          {**params, **_feed_params(building_id, FEED_PAGE, before)}).first()
    if row is None:
        return None
    remember_reach(session, viewer, building_id, shape, row[1:-1])
    # json_rows keeps no order: the walk's own (newest activity, then id) is restored here.
    rows = sorted((json_card(card) for card in rows_of(row[-1])), key=lambda card: (card[-1], card[0]), reverse=True)
    page = _feed_of(rows, FEED_PAGE)
    return BuildingFeed(row[0], page.cards, page.older)


def problems_for(session: Session, cards: list[Card]) -> list[Problem]:
    """The problems of `cards`, in their order, with what a card prints (household and building)."""
    if not cards:
        return []
    found = {p.id: p for p in session.scalars(select(Problem).where(Problem.id.in_([c.id for c in cards]))
                                              .options(selectinload(Problem.household), selectinload(Problem.assignee),
                                                       selectinload(Problem.building).selectinload(Building.community)))}
    return [found[c.id] for c in cards if c.id in found]


def queue_params(user: User, params: dict, *, now: datetime, status: str, category: str, source: str,
                 building_id: int | None, text: str, limit: int) -> tuple[bool, ...]:
    """Put the queue's parameters in `params` (reach()'s already there); which filters are chosen (queue_ids)."""
    text = text.strip()[:100]
    params.update(now=now, limit=limit, status=status, category=category, source=source, building_id=building_id,
                  level=_level(user), pattern=_like(text))
    return bool(status), bool(category), bool(source), bool(building_id), bool(text)


def queue_page(session: Session, user: User, *, now: datetime, status: str = "", category: str = "",
               source: str = "", building_id: int | None = None, text: str = "", sort: str = "",
               limit: int = PAGE) -> list[Card]:
    """The staff queue's cards: open problems in my scope, overdue first, then escalated to my level, then by deadline.

    Three short queries instead of one sort over every open problem of a street. Each picks its
    page of ids from an index alone (ix_problem_unanswered_due for the first, ix_problem_status_due
    for the others: status, deadline, answered, building, deleted — thousands of open problems
    sorted without reading their rows), then reads those 50 rows' light columns (problems_for()
    loads the objects when the cards have to be rendered). SQLite plans this well without
    statistics, as the app runs it; after an ANALYZE it chose to walk every problem by deadline
    (~200 ms on 100,000): check the plan before adding `PRAGMA optimize`.

    `text` searches the problem's words, its household's room and its 12345 order number; `sort`
    (one of SORTS) replaces the tiers with one order over the whole queue.
    """
    shape, params = reach(user, scope.MANAGERS)
    if not shape:
        return []
    filters = queue_params(user, params, now=now, status=status, category=category, source=source,
                           building_id=building_id, text=text, limit=limit)
    return queue_cards(session, sort, filters, shape, params, limit)


def queue_cards(session: Session, sort: str, filters: tuple[bool, ...], shape: tuple[Role, ...], params: dict,
                limit: int, first_tier: list[Card] | None = None) -> list[Card]:
    """The page of cards in the `sort` chosen, else tier by tier until the page is full (usually the first fills it).

    `first_tier`: the first tier's cards when they were read already (desk_page), so the tiers start at the second.
    """
    if sort in SORTS:
        return [Card(*row) for row in plain_rows(session, _queue_sorted(sort, filters, shape), params)]
    found = {card.id: card for card in first_tier or ()}
    for tier in range(0 if first_tier is None else 1, QUEUE_TIERS):
        if len(found) >= limit:
            break
        for row in plain_rows(session, queue_tier(tier, filters, shape), params):
            found.setdefault(row[0], Card(*row))
    return list(found.values())[:limit]


def _like(text: str) -> str:
    """A LIKE pattern finding `text` anywhere, its own % and _ taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _level(user: User) -> int:
    """The level whose escalated problems come second in my queue: 1 building head, 2 community, 3 street."""
    return max((3 if a.role in (Role.STREET, Role.ADMIN) else 2 if a.role == Role.STAFF else 1) for a in user.roles)


# The statuses the queue picks by written into the SQL, not bound: with them as parameters PostgreSQL planned the
# tier counts afresh on every run (1–3 ms, more than running them), as it cannot tell a generic plan
# which index their values suit.
IS_OPEN = Problem.status.in_(bindparam("open_statuses", [s.value for s in OPEN_STATUSES], expanding=True,
                                       literal_execute=True))
IS_ESCALATED = Problem.status == bindparam("escalated", Status.ESCALATED.value, literal_execute=True)

# The queue's tiers, in order: unanswered past the deadline; escalated to my level; the rest by deadline.
QUEUE_TIERS = 3
# The orders a desk can sort the whole queue by instead (the table's column headings).
SORTS = {
    "deadline": (Problem.feedback_due_at, Problem.id),
    "reported": (Problem.reported_at.desc(), Problem.id.desc()),
    "activity": (Problem.last_activity_at.desc(), Problem.id.desc()),
    "building": (Problem.building_id, Problem.feedback_due_at),
    "category": (Problem.category, Problem.feedback_due_at),
    "status": (Problem.status, Problem.feedback_due_at),
}


def queue_ids(filters: tuple[bool, ...], shape: tuple[Role, ...], *, walk: bool = False) -> Select:
    """The ids of the queue's problems the filters choose (`filters`: status, category, source, building, text).

    `walk`: for a page of them in an index's order, which tests each row's building against those the
    asker reaches, read once (kept_as_filter), rather than looking it up row by row.
    """
    status, category, source, building, text = filters
    mine = Problem.building_id.in_(reached(shape))
    ids = select(Problem.id).where(kept_as_filter(mine) if walk else mine, Problem.is_deleted.is_(False),
                                   Problem.status == bindparam("status") if status else IS_OPEN)
    if category:
        ids = ids.where(Problem.category == bindparam("category"))
    if source:
        ids = ids.where(Problem.source == bindparam("source"))
    if building:
        ids = ids.where(Problem.building_id == bindparam("building_id"))
    if text:
        pattern = bindparam("pattern")
        rooms = select(Household.id).where(or_(Household.room.like(pattern, escape="\\"),
                                               (Household.unit + " " + Household.room).like(pattern, escape="\\")))
        ids = ids.where(or_(Problem.text.like(pattern, escape="\\"), Problem.hotline_order_no.like(pattern, escape="\\"),
                            Problem.household_id.in_(rooms)))
    return ids


# A page's size written into the SQL, as the feed's is (_feed_cards): bound, PostgreSQL's generic plan
# guessed a tenth of the rows the walk may find (106 at ten times the data), costed it above the custom
# ones and planned the desk's statement afresh on every run (1.5 ms, more than running it).
_LIMIT = bindparam("limit", type_=Integer, literal_execute=True)


@cache
def queue_tier(tier: int, filters: tuple[bool, ...], shape: tuple[Role, ...]) -> Select:
    """One tier's page of cards, for the filters given and the roles of the asker's scope, all values bound.

    `filters` says which of status, category, source, building and text are chosen; `shape` is reach()'s.
    Built once per shape: building a statement and its cache key cost more than running it.
    """
    ids = queue_ids(filters, shape, walk=True)
    if tier == 0:
        ids, order = ids.where(Problem.first_response_at.is_(None), Problem.feedback_due_at < bindparam("now")), \
            Problem.feedback_due_at
    elif tier == 1:
        ids, order = ids.where(Problem.level == bindparam("level"), IS_ESCALATED), \
            Problem.last_activity_at.desc()
    else:
        order = Problem.feedback_due_at
    return _cards(select(*CARD_COLUMNS)).where(Problem.id.in_(ids.order_by(order).limit(_LIMIT))).order_by(order)


@cache
def _queue_sorted(sort: str, filters: tuple[bool, ...], shape: tuple[Role, ...]) -> Select:
    """The queue's page of cards in one order chosen at the desk (SORTS), without the tiers."""
    order = SORTS[sort]
    ids = queue_ids(filters, shape, walk=True).order_by(*order).limit(_LIMIT)
    return _cards(select(*CARD_COLUMNS)).where(Problem.id.in_(ids)).order_by(*order)


def queue(session: Session, user: User, *, now: datetime, limit: int = PAGE, **filters) -> list[Problem]:
    """The queue's problems (queue_page's order), loaded with what their cards print."""
    return problems_for(session, queue_page(session, user, now=now, limit=limit, **filters))


def building_choices(session: Session, ids: Select | Sequence[int]) -> list[tuple[int, str]]:
    """(id, "community building") of the buildings `ids` names, for a filter list: plain rows, not objects."""
    rows = session.execute(select(Building.id, Community.name, Building.name).join(Community)
                           .where(Building.id.in_(ids)).order_by(Building.id))
    return [(building_id, f"{community} {name}") for building_id, community, name in rows]


def work_orders(session: Session, user: User, *, include_done: bool = False, done: bool = False) -> list[Dispatch]:
    """Work orders dispatched to my departments: open ones newest first (with `include_done`, done ones too).

    With `done`, only the finished ones, the most recently finished first: the department's history.
    """
    departments = [a.department_id for a in user.roles if a.role == Role.DEPARTMENT and a.department_id]
    query = (select(Dispatch).where(Dispatch.department_id.in_(departments or [-1]))
             .options(selectinload(Dispatch.problem).selectinload(Problem.building), selectinload(Dispatch.department)))
    if done:
        return list(session.scalars(query.where(Dispatch.status == DispatchStatus.DONE)
                                    .order_by(Dispatch.done_at.desc(), Dispatch.id.desc()).limit(PAGE)))
    if not include_done:
        query = query.where(Dispatch.status != DispatchStatus.DONE)
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


@cache
def colleague_rows(shape: tuple[Role, ...]) -> json_rows:
    """(id, name) of the people a problem can be given to, as a column to read beside a page's row.

    Community staff and the street people of the communities the asker's desk roles (of `shape`,
    bound as reach()'s s<i>) reach; none when the shape has no desk role.
    """
    desk = [reach_condition(role, bindparam(f"s{i}")) for i, role in enumerate(shape) if role in OFFICE]
    reached_buildings = or_(*desk) if desk else false()
    communities = select(Building.community_id).where(reached_buildings)
    # A join, not `Community.id IN (communities)`: PostgreSQL ran that once for every community of the district.
    streets = select(Community.street_id).join(Building, Building.community_id == Community.id).where(reached_buildings)
    return json_rows(select(User.id, User.name).join(RoleAssignment, RoleAssignment.user_id == User.id)
                     .where(User.active.is_(True), or_(
                         (RoleAssignment.role == Role.STAFF) & RoleAssignment.community_id.in_(communities),
                         (RoleAssignment.role == Role.STREET) & RoleAssignment.street_id.in_(streets)))
                     .distinct())


def colleague_list(value) -> list[tuple[int, str]]:
    """What colleague_rows() read, by name (then id)."""
    return sorted(((user_id, name) for user_id, name in rows_of(value)), key=lambda row: (row[1], row[0]))
