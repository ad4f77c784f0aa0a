"""What the care pages show: the person's household and building, what is open (who to call: app/directory).

Reads, and the care-mode switch; other writes go through the commands of the features that own
them (problems, notices, conventions), so a care-mode report or vote is the same record as any other.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import scope
from app.conventions.models import Convention, ConventionStatus
from app.conventions.services import is_open
from app.models import Building, Household, User
from app.problems.models import Category, Problem

# The categories an elderly resident is offered, with a big picture each (static/icons/care/<value>.svg;
# the full list has 13).
CARE_CATEGORIES = (Category.REPAIRS, Category.ELEVATOR, Category.SANITATION, Category.NOISE,
                   Category.CARE_NEEDS, Category.OTHER)


def own_household(session: Session, user: User) -> Household | None:
    """The household the resident belongs to (the first, if an account has several)."""
    ids = scope.own_household_ids(user)
    return session.get(Household, ids[0]) if ids else None


def open_votes(session: Session, building: Building, now: datetime) -> list[Convention]:
    """The building's conventions open for voting right now."""
    candidates = session.scalars(
        select(Convention).where(Convention.building_id == building.id, Convention.is_deleted.is_(False),
                                 Convention.status == ConventionStatus.VOTING)
        .order_by(Convention.vote_closes_at)
    )
    return [c for c in candidates if is_open(c, now)]


def my_problems(session: Session, user: User, limit: int = 3) -> list[Problem]:
    """The problems this person reported, latest first (for "what happened to my report?")."""
    return list(session.scalars(
        select(Problem).where(Problem.reporter_id == user.id, Problem.is_deleted.is_(False))
        .order_by(Problem.reported_at.desc(), Problem.id.desc()).limit(limit)
    ))


def set_care_mode(user: User, on: bool) -> None:
    """Turn care mode on or off for this person (kept on the account, so it follows them)."""
    user.care_mode = bool(on)
