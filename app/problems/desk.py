"""The staff queue as the desk's page reads it: the cards, my whole queue's counts per tier, my colleagues.

Counting a street's open problems (~1,900) and reading the first tier's cards is most of what the queue
page costs the database, and they change far less often than staff reload the page. So each worker
keeps what it read, under what decides it: the asker's roles and scopes, the filters, and a version of
the problems of every building the asker reaches — which buildings (how many, the sum of their ids)
and the sum of their `problems_version`, which the database's own triggers raise on every write to a
problem, an update of a household and a building's rename or move (migrations/versions/0028),
whichever path wrote it.
Each page reads that version with the colleagues in one small statement, and the counts and cards
only when it moved.

What the version cannot hold is the time: a problem past its deadline moves to the first tier. So what
was read is kept only until the next deadline among my queue's unanswered problems (read with the
counts), and at most fragments.MAX_AGE, as the rendered pieces are (a name edited in the admin pages).
"""
from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from app.auth import scope
from app.auth.queries import reach, reached
from app.database import json_rows, plain_rows, rows_of
from app.models import Building, Role, User
from app.problems.fragments import MAX_AGE, TimedCache
from app.problems.models import Problem
from app.problems.queries import (
    IS_ESCALATED,
    PAGE,
    SORTS,
    Card,
    colleague_list,
    colleague_rows,
    json_card,
    queue_cards,
    queue_ids,
    queue_params,
    queue_tier,
)


class TierCounts(NamedTuple):
    """How many open problems of my queue are in each tier (the desk's summary line)."""

    overdue: int
    escalated: int
    open: int


class DeskPage(NamedTuple):
    """The queue as the desk's page shows it: cards, counts per tier, colleagues to give problems to."""

    cards: list[Card]
    counts: TierCounts
    colleagues: list[tuple[int, str]]


# What each desk read: (key, version) → (cards, counts), until the next deadline. One per worker process.
kept = TimedCache()


def forget() -> None:
    """Read every desk afresh (tests: an emptied database hands out the same versions again)."""
    kept.clear()


@cache
def _version(shape: tuple[Role, ...]) -> Select:
    # Which buildings my roles (of `shape`) reach — how many and the sum of their ids, so one moved out as
    # another moves in still changes it — and the sum of their problems' versions; and my colleagues beside
    # them (read every time: who may be given a problem is not in the version).
    buildings = reached(shape)
    return (select(func.count(), func.coalesce(func.sum(Building.id), 0),
                   func.coalesce(func.sum(Building.problems_version), 0), colleague_rows(shape))
            .select_from(Building).where(buildings.whereclause))


@cache
def _desk_page(filters: tuple[bool, ...], shape: tuple[Role, ...], tiers: bool) -> Select:
    # The whole queue (filters aside) counted in one index-only scan of ix_problem_open_building, with the
    # next deadline of an unanswered problem (when the overdue tier changes by itself); the escalated ones
    # (few, with their level on the row) apart; and (`tiers`) the first tier's page of cards with its
    # deadlines (json_rows keeps no order): one statement.
    queue = queue_ids((False, False, False, False, False), shape)
    escalated = queue.where(Problem.level == bindparam("level"), IS_ESCALATED).subquery()
    unanswered = Problem.first_response_at.is_(None)
    overdue = unanswered & (Problem.feedback_due_at < bindparam("now"))
    next_deadline = func.min(Problem.feedback_due_at).filter(unanswered & (Problem.feedback_due_at >= bindparam("now")))
    first_tier = (json_rows(queue_tier(0, filters, shape).add_columns(Problem.feedback_due_at)),) if tiers else ()
    return (select(func.count().filter(overdue), select(func.count()).select_from(escalated).scalar_subquery(),
                   func.count(), next_deadline, *first_tier)
            .select_from(Problem).where(queue.whereclause)
            .with_hint(Problem, "INDEXED BY ix_problem_open_building", "sqlite"))


def desk_page(session: Session, user: User, *, now: datetime, status: str = "", category: str = "",
              source: str = "", building_id: int | None = None, text: str = "", sort: str = "",
              limit: int = PAGE) -> DeskPage:
    """The queue page: queue_page()'s cards (same filters, same order), and my whole queue's counts per tier and my colleagues.

    One small statement when nothing in my buildings changed since this worker last read the same
    page; otherwise one more (the first tier usually fills the page), and one for the cards when a
    `sort` replaces the tiers.
    """
    shape, params = reach(user, scope.MANAGERS)
    if not shape:
        return DeskPage([], TierCounts(0, 0, 0), [])
    filters = queue_params(user, params, now=now, status=status, category=category, source=source,
                           building_id=building_id, text=text, limit=limit)
    *version, colleagues = plain_rows(session, _version(shape), params).one()
    # Everything the reads below are bound to but the time (handled by how long they are kept), and the version.
    key = (shape, sort if sort in SORTS else "", *sorted((name, value) for name, value in params.items() if name != "now"),
           *version)
    found = kept.get(key, now)
    if found is None:
        cards, counts, next_deadline = _read(session, sort, filters, shape, params, limit)
        found = (cards, counts)
        kept.put(key, found, now + MAX_AGE if next_deadline is None else min(now + MAX_AGE, next_deadline))
    return DeskPage(*found, colleague_list(colleagues))


def _read(session: Session, sort: str, filters: tuple[bool, ...], shape: tuple[Role, ...], params: dict,
          limit: int) -> tuple[list[Card], TierCounts, datetime | None]:
    """The page's cards, the counts per tier and the next deadline of an unanswered problem, from the database."""
    tiers = sort not in SORTS
    overdue, escalated, total, next_deadline, *first = plain_rows(session, _desk_page(filters, shape, tiers), params).one()
    # The first tier in its own order (deadline, then id); the next tiers only if it leaves room.
    first_tier = [Card(*row[:-1]) for row in sorted((json_card(row) for row in rows_of(first[0])),
                                                    key=lambda row: (row[-1], row[0]))] if tiers else None
    return (queue_cards(session, sort, filters, shape, params, limit, first_tier),
            TierCounts(overdue, escalated, total), next_deadline)
